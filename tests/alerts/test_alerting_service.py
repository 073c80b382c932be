"""Alerts end to end: rollup data -> evaluation -> alerts and outbox -> delivery to a real local HTTP
server (signature checked), lifecycle, budgets, runaway runs from real OTLP, the API and CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import httpx
import psycopg
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from finops.alerts.blockkit import validate_block_kit
from finops.alerts.delivery import deliver_due
from finops.alerts.evaluate import evaluate_all
from finops.alerts.signing import verify
from finops.cli import app
from finops.db.urls import libpq_url
from finops.workflows.service import assemble_dirty
from tests.conftest import ProjectKey, ServedApp
from tests.otlp_builders import chat_attributes, new_span_id, new_trace_id, request, span

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)  # evaluation time: the window is 13:00-14:00
WINDOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
HORIZON = timedelta(hours=24)


def sql(db: str, statement: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def hourly(db: str, project_id: int, hour: datetime, agent: str, cost: str, calls: int) -> None:
    sql(
        db,
        "INSERT INTO rollup_calls_hourly (project_id, hour, provider, model, model_tier, agent_name, workflow_name,"
        " team, calls, errors, retries, batch_calls, unpriced_calls, input_tokens, cache_read_tokens,"
        " cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, max_prompt_tokens, cost_input,"
        " cost_cache_read, cost_cache_write, cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee,"
        " cost_total) VALUES (%s, %s, 'openai', 'gpt-4o', 'frontier', %s, 'triage', 'support', %s, 0, 0, 0, 0,"
        " 1000, 0, 0, 0, 100, 0, 1000, 0, 0, 0, 0, 0, 0, 0, %s)",
        project_id, hour, agent, calls, D(cost),
    )  # fmt: skip


def seed_spike(db: str, project_id: int) -> None:
    # the same hour of the week in the four previous weeks: $2.00 with 50 calls each
    for weeks in range(1, 5):
        hourly(db, project_id, WINDOW - timedelta(weeks=weeks), "triager", "2.00", 50)
    hourly(db, project_id, WINDOW, "triager", "10.00", 60)  # this hour: $10, five times the usual


def webhook_channel(served: ServedApp, key: str, url: str, name: str = "hooks") -> str:
    served.app.state.settings.alerts_allow_private_urls = True
    response = httpx.put(
        f"{served.url}/api/v1/alert-channels/{name}", json={"kind": "webhook", "url": url},
        headers={"x-finops-api-key": key},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["secret"]


def only_agent_spikes(served: ServedApp, key: str) -> None:
    """Keep the test to one rule: the project and workflow spike rules would fire on the same data."""
    for name, scope in (("cost-spike", "project"), ("workflow-cost-spike", "workflow")):
        rule = {"detector": "cost_spike", "scope_kind": scope, "enabled": False}
        response = httpx.put(f"{served.url}/api/v1/alert-rules/{name}", json=rule, headers={"x-finops-api-key": key})
        assert response.status_code == 200


def test_spike_fires_once_delivers_signed_and_resolves(
    served: ServedApp, project: ProjectKey, httpserver: HTTPServer
) -> None:
    db = served.app.state.database_url
    received: list[Request] = []

    def handler(req: Request) -> Response:
        received.append(req)
        return Response("ok")

    httpserver.expect_request("/hooks/finops", method="POST").respond_with_handler(handler)
    secret = webhook_channel(served, project.key, httpserver.url_for("/hooks/finops"))
    assert secret.startswith("whsec_")
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)

    first = evaluate_all(db, now=NOW, only={"cost_spike"})
    assert (first.fired, first.notifications) == (1, 1)
    delivered = deliver_due(db, horizon=HORIZON, now=NOW)
    assert delivered.delivered == 1
    [req] = received
    verify(secret, dict(req.headers), req.get_data(), NOW)  # raises on a bad signature
    body = json.loads(req.get_data())
    assert body["type"] == "alert.firing"
    data = body["data"]
    assert data["scope"] == {"kind": "agent", "value": "triager"} or data["scope"]["value"] == "triager"
    # observed $10 against a baseline median of $2 (four weeks of $2)
    assert D(data["observed"]) == D("10") and D(data["baseline"]) == D("2")
    assert data["hint"]

    # the condition persists: the alert is updated, nobody is paged again
    again = evaluate_all(db, now=NOW + timedelta(minutes=5), only={"cost_spike"})
    assert (again.fired, again.notifications) == (0, 0)
    # the next hour is normal: resolved, with a resolve notification
    hourly(db, project.id, WINDOW + timedelta(hours=1), "triager", "2.00", 50)
    for weeks in range(1, 5):
        hourly(db, project.id, WINDOW + timedelta(hours=1) - timedelta(weeks=weeks), "triager", "2.00", 50)
    later = evaluate_all(db, now=NOW + timedelta(hours=1), only={"cost_spike"})
    assert (later.fired, later.resolved, later.notifications) == (0, 1, 1)
    deliver_due(db, horizon=HORIZON, now=NOW + timedelta(hours=1))
    assert [json.loads(r.get_data())["type"] for r in received] == ["alert.firing", "alert.resolved"]
    alerts = httpx.get(f"{served.url}/api/v1/alerts", headers={"x-finops-api-key": project.key}).json()
    assert [(a["rule"], a["status"]) for a in alerts] == [("agent-cost-spike", "resolved")]


def test_receiver_down_then_up_delivers_once_with_one_id(
    served: ServedApp, project: ProjectKey, httpserver: HTTPServer
) -> None:
    db = served.app.state.database_url
    ids: list[str] = []
    answers = iter([503, 503, 200])

    def handler(req: Request) -> Response:
        ids.append(req.headers["webhook-id"])
        return Response("busy", status=next(answers))

    httpserver.expect_request("/hook").respond_with_handler(handler)
    webhook_channel(served, project.key, httpserver.url_for("/hook"))
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)
    evaluate_all(db, now=NOW, only={"cost_spike"})
    moment = NOW
    results = []
    for _ in range(3):
        report = deliver_due(db, horizon=HORIZON, now=moment)
        results.append((report.delivered, report.retrying))
        moment += timedelta(hours=1)  # past any backoff
    assert results == [(0, 1), (0, 1), (1, 0)]
    assert len(ids) == 3 and len(set(ids)) == 1  # the same webhook-id on every attempt
    assert deliver_due(db, horizon=HORIZON, now=moment).delivered == 0  # nothing sent twice after success
    status = sql(db, "SELECT status, attempts FROM alert_notifications")
    assert status == [("delivered", 3)]


def test_gives_up_after_the_horizon_and_says_so(served: ServedApp, project: ProjectKey, httpserver: HTTPServer) -> None:
    db = served.app.state.database_url
    httpserver.expect_request("/down").respond_with_data("down", status=500)
    webhook_channel(served, project.key, httpserver.url_for("/down"), name="flaky")
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)
    evaluate_all(db, now=NOW, only={"cost_spike"})
    created = sql(db, "SELECT created_at FROM alert_notifications")[0][0]
    deliver_due(db, horizon=HORIZON, now=created + timedelta(minutes=1))
    final = deliver_due(db, horizon=HORIZON, now=created + HORIZON + timedelta(minutes=1))
    assert final.failed == 1
    assert sql(db, "SELECT status, last_status FROM alert_notifications") == [("failed", 500)]
    # a failed delivery is itself alerted on
    report = evaluate_all(db, now=created + HORIZON + timedelta(minutes=2), only={"delivery_failures"})
    assert report.fired == 1


def test_crash_mid_send_is_resent_with_the_same_id(
    served: ServedApp, project: ProjectKey, httpserver: HTTPServer
) -> None:
    db = served.app.state.database_url
    ids: list[str] = []
    httpserver.expect_request("/hook").respond_with_handler(
        lambda req: ids.append(req.headers["webhook-id"]) or Response("ok")
    )
    webhook_channel(served, project.key, httpserver.url_for("/hook"))
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)
    evaluate_all(db, now=NOW, only={"cost_spike"})
    # a worker claimed it and died before recording anything: the lease is held, nothing is sent now
    sql(
        db,
        "UPDATE alert_notifications SET status = 'sending', lease_until = %s, attempts = 1",
        NOW + timedelta(minutes=2),
    )
    assert deliver_due(db, horizon=HORIZON, now=NOW + timedelta(minutes=1)).delivered == 0
    # after the lease expires another worker sends it, with the id it always had
    assert deliver_due(db, horizon=HORIZON, now=NOW + timedelta(minutes=3)).delivered == 1
    [notification_id] = sql(db, "SELECT id::text FROM alert_notifications")[0]
    assert ids == [notification_id]


def test_slack_message_is_valid_block_kit(served: ServedApp, project: ProjectKey, httpserver: HTTPServer) -> None:
    db = served.app.state.database_url
    payloads: list[dict] = []
    httpserver.expect_request("/services/T000/B000/XXX").respond_with_handler(
        lambda req: payloads.append(json.loads(req.get_data())) or Response("ok")
    )
    served.app.state.settings.alerts_allow_private_urls = True
    put = httpx.put(f"{served.url}/api/v1/alert-channels/slack", headers={"x-finops-api-key": project.key},
                    json={"kind": "slack", "url": httpserver.url_for("/services/T000/B000/XXX")})  # fmt: skip
    assert put.status_code == 200
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)
    evaluate_all(db, now=NOW, only={"cost_spike"})
    assert deliver_due(db, horizon=HORIZON, now=NOW, base_url="http://finops.example").delivered == 1
    [payload] = payloads
    validate_block_kit(payload)
    assert payload["text"] and "triager" in payload["text"]
    assert payload["blocks"][0]["type"] == "header"


def test_budget_thresholds_fire_once_each_per_period(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    headers = {"x-finops-api-key": project.key}
    budget = {"scope_kind": "team", "scope_value": "support", "period": "month", "amount": "100"}
    assert httpx.put(f"{served.url}/api/v1/budgets/support-monthly", json=budget, headers=headers).status_code == 200
    fired: list[int] = []
    # $10 a day from 1 November: 50% on the 5th ($50), 80% on the 8th ($80), 100% on the 10th ($100)
    for day in range(1, 13):
        sql(
            db,
            "INSERT INTO rollup_calls_daily (project_id, day, team, calls, errors, retries, batch_calls,"
            " unpriced_calls, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,"
            " output_tokens, reasoning_tokens, max_prompt_tokens, cost_input, cost_cache_read, cost_cache_write,"
            " cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee, cost_total)"
            " VALUES (%s, %s, 'support', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10)",
            project.id, datetime(2026, 11, day).date(),
        )  # fmt: skip
        report = evaluate_all(db, now=datetime(2026, 11, day, 23, tzinfo=UTC), only={"budget"})
        fired.append(report.fired)
    keys = [row[0] for row in sql(db, "SELECT period_key FROM alerts ORDER BY first_fired_at, id")]
    thresholds = [k for k in keys if not k.endswith("forecast")]
    assert [k.rsplit(":", 1)[1] for k in thresholds] == ["50", "80", "100"]
    assert sum(1 for k in keys if k.endswith("forecast")) == 1  # projected to cross before it did
    assert sum(fired) == len(keys)  # each fired exactly once over twelve evaluations


def test_runaway_loop_sent_through_otlp_is_caught(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    trace, root = new_trace_id(), new_span_id()
    start = int((datetime.now(UTC) - timedelta(minutes=40)).timestamp() * 1e9)
    loop = [
        span(f"chat {i}", trace_id=trace, parent=root, start_ns=start + i * 10**9,
             attributes=chat_attributes("gpt-4o", 2000, 200, **{"gen_ai.agent.name": "debater"}))
        for i in range(60)
    ]  # fmt: skip
    response = httpx.post(
        f"{served.url}/v1/traces", content=request(loop).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": project.key},
    )  # fmt: skip
    assert response.status_code == 200
    assemble_dirty(db, timedelta(minutes=5))
    report = evaluate_all(db, only={"runaway_run"})
    assert report.fired == 1
    [alert] = httpx.get(f"{served.url}/api/v1/alerts", headers={"x-finops-api-key": project.key}).json()
    assert alert["rule"] == "runaway-workflow" and "60" in alert["title"]


def test_api_ack_silence_validation_and_cli(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    headers = {"x-finops-api-key": project.key}
    bad_rule = httpx.put(f"{served.url}/api/v1/alert-rules/x", json={"detector": "nope"}, headers=headers)
    assert bad_rule.status_code == 422 and "unknown detector" in bad_rule.text
    served.app.state.settings.alerts_allow_private_urls = False
    ssrf = httpx.put(f"{served.url}/api/v1/alert-channels/evil", headers=headers,
                     json={"kind": "webhook", "url": "http://169.254.169.254/latest"})  # fmt: skip
    assert ssrf.status_code == 422
    only_agent_spikes(served, project.key)
    seed_spike(db, project.id)
    silence = httpx.post(f"{served.url}/api/v1/alerts/silences", headers=headers,
                         json={"rule": "agent-cost-spike", "minutes": 600})  # fmt: skip
    assert silence.status_code == 201
    report = evaluate_all(db, now=NOW, only={"cost_spike"})
    assert (report.fired, report.notifications) == (1, 0)  # recorded, but nobody paged while silenced
    [alert] = httpx.get(f"{served.url}/api/v1/alerts", headers=headers).json()
    ack = httpx.post(f"{served.url}/api/v1/alerts/{alert['id']}/ack", json={"by": "sam"}, headers=headers)
    assert ack.json() == {"id": alert["id"], "acknowledged": True}
    listed = CliRunner().invoke(app, ["alerts", "list", "--project", project.name, "--days", "3650"],
                                env={"FINOPS_DATABASE_URL": db})  # fmt: skip
    assert listed.exit_code == 0 and "agent-cost-spike" in listed.output and "yes" in listed.output


@pytest.fixture(autouse=True)
def _private_urls_off(served: ServedApp):
    yield
    served.app.state.settings.alerts_allow_private_urls = False
