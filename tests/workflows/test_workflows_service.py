"""Workflows end to end: spans through /v1/traces, assembly and rollup jobs, the read API and CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import httpx
import psycopg
from typer.testing import CliRunner

from finops.cli import app
from finops.db.engine import session_scope
from finops.db.urls import libpq_url
from finops.pricing.prices import PriceVersion, Rates
from finops.pricing.service import apply_versions
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty
from tests.conftest import ProjectKey, ServedApp, make_project
from tests.otlp_builders import BASE_NS, chat_attributes, new_span_id, new_trace_id, request, span

SECOND = 10**9
IDLE = timedelta(minutes=5)
LATER = datetime.now(UTC) + timedelta(hours=1)  # "now" for the jobs: every run has been idle long enough


def export(served: ServedApp, key: str, spans: list, resource: dict | None = None) -> None:
    response = httpx.post(
        f"{served.url}/v1/traces",
        content=request(spans, resource).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": key},
    )
    assert response.status_code == 200, response.text


def run_jobs(db: str, now: datetime = LATER) -> None:
    assemble_dirty(db, IDLE, now=now)
    process_dirty_days(db)


def price(db: str, project_id: int) -> None:
    """acme-llm: 1 per 1M input tokens, 2 per 1M output tokens (round numbers for hand arithmetic)."""
    version = PriceVersion(
        model="acme-llm", project_id=project_id, effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        rates=Rates(input=D(1), output=D(2)),
    )  # fmt: skip
    with session_scope(db) as session:
        apply_versions(session, [version], origin="test")


def attempt(served: ServedApp, key: str, start_ns: int, input_tokens: int, failed: bool) -> str:
    trace, root = new_trace_id(), new_span_id()
    export(served, key, [
        span("POST /refund", trace_id=trace, span_id=root, start_ns=start_ns, duration_ns=10 * SECOND, error=failed,
             attributes={"finops.workflow.name": "refund", "finops.team": "payments"}),
        span("chat", trace_id=trace, parent=root, start_ns=start_ns + SECOND,
             attributes=chat_attributes("acme-llm", input_tokens, 1000)),
    ])  # fmt: skip
    return trace.hex()


def get(served: ServedApp, key: str, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"{served.url}{path}", params=params, headers={"x-finops-api-key": key})


def test_failed_twice_then_succeeded_costs_all_three_attempts(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    price(db, project.id)
    served.app.state.prices.refresh()
    attempt(served, project.key, BASE_NS, 10_000, failed=True)
    attempt(served, project.key, BASE_NS + 60 * SECOND, 20_000, failed=True)
    attempt(served, project.key, BASE_NS + 120 * SECOND, 30_000, failed=False)
    run_jobs(db)
    # attempt costs: 10000 x 1/1e6 + 1000 x 2/1e6 = 0.012; 20000 -> 0.022; 30000 -> 0.032
    # cost per successful workflow = (0.012 + 0.022 + 0.032) / 1 success = 0.066
    body = get(served, project.key, "/api/v1/metrics", **{"from": "2026-11-18T00:00:00Z", "to": "2026-11-19T00:00:00Z",
                                                          "group_by": "workflow"}).json()  # fmt: skip
    [row] = body["rows"]
    assert (row["workflow"], row["runs"], row["successful_runs"], row["failed_runs"]) == ("refund", 3, 1, 2)
    assert D(row["workflow_cost"]) == D("0.066")
    assert D(row["cost_per_successful_workflow"]) == D("0.066")
    assert D(row["cost_per_workflow"]) == D("0.022")  # 0.066 / 3 runs
    assert row["success_rate"] == 1 / 3
    # call metrics from the same rollups: 3 calls, 60000 input and 3000 output tokens
    assert (row["calls"], row["input_tokens"], row["output_tokens"]) == (3, 60_000, 3_000)
    assert D(row["cost"]) == D("0.066")
    runs = get(served, project.key, "/api/v1/workflows", sort="cost").json()["items"]
    assert [(r["outcome"], r["outcome_source"], D(r["cost_total"])) for r in runs] == [
        ("success", "root_status", D("0.032")), ("failure", "root_status", D("0.022")),
        ("failure", "root_status", D("0.012")),
    ]  # fmt: skip


def test_out_of_order_and_late_spans(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    price(db, project.id)
    served.app.state.prices.refresh()
    trace, root, agent = new_trace_id(), new_span_id(), new_span_id()
    # the call arrives first, its parent agent and the root much later
    export(served, project.key, [span("chat", trace_id=trace, parent=agent, start_ns=BASE_NS + 2 * SECOND,
                                      attributes=chat_attributes("acme-llm", 1000, 0))])  # fmt: skip
    run_jobs(db)
    [run] = get(served, project.key, "/api/v1/workflows").json()["items"]
    assert (run["status"], run["outcome"], run["name"]) == ("open", "unknown", "chat")
    export(served, project.key, [
        span("invoke_agent", trace_id=trace, span_id=agent, parent=root, start_ns=BASE_NS + SECOND,
             attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner"}),
        span("nightly-digest", trace_id=trace, span_id=root, start_ns=BASE_NS, duration_ns=60 * SECOND,
             attributes={"finops.team": "growth", "finops.customer": "acme"}),
    ])  # fmt: skip
    run_jobs(db, now=datetime.now(UTC))  # just arrived: still open
    detail = get(served, project.key, f"/api/v1/workflows/{trace.hex()}").json()
    assert (detail["status"], detail["outcome"], detail["name"], detail["team"]) == (
        "open", "success", "nightly-digest", "growth")  # fmt: skip
    assert detail["tree"][0]["name"] == "nightly-digest"
    assert detail["tree"][0]["children"][0]["children"][0]["model"] == "acme-llm"
    run_jobs(db)  # idle long enough: closed
    assert get(served, project.key, f"/api/v1/workflows/{trace.hex()}").json()["status"] == "closed"
    # the call, stored before its root, now carries the root's attribution (for chargeback)
    with psycopg.connect(libpq_url(db)) as conn:
        assert conn.execute("SELECT team, customer, agent_name FROM llm_calls").fetchall() == [("growth", "acme", None)]
    # a late call reopens the run and updates it: 1000 + 3000 input tokens x 1/1e6 = 0.004
    export(served, project.key, [span("chat", trace_id=trace, parent=agent, start_ns=BASE_NS + 30 * SECOND,
                                      attributes=chat_attributes("acme-llm", 3000, 0))])  # fmt: skip
    run_jobs(db, now=datetime.now(UTC))
    late = get(served, project.key, f"/api/v1/workflows/{trace.hex()}").json()
    assert (late["status"], late["llm_calls"], D(late["cost_total"])) == ("open", 2, D("0.004"))
    team_cost = get(served, project.key, "/api/v1/metrics", **{"from": "2026-11-18T00:00:00Z", "group_by": "team"})
    assert [(r["team"], D(r["cost"])) for r in team_cost.json()["rows"]] == [("growth", D("0.004"))]


def test_outcome_posted_later_overrides(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    trace = attempt(served, project.key, BASE_NS, 100, failed=False)
    run_jobs(db)
    url = f"{served.url}/api/v1/workflows/{trace}/outcome"
    headers = {"x-finops-api-key": project.key}
    posted = httpx.post(url, json={"outcome": "failure", "detail": "customer reopened the ticket"}, headers=headers)
    assert posted.json() == {"run_id": trace, "outcome": "failure", "applied": True}
    detail = get(served, project.key, f"/api/v1/workflows/{trace}").json()
    assert (detail["outcome"], detail["outcome_source"]) == ("failure", "api")
    assert detail["posted_outcome"]["detail"] == "customer reopened the ticket"
    process_dirty_days(db)
    [row] = get(
        served, project.key, "/api/v1/metrics", **{"from": "2026-11-18T00:00:00Z", "group_by": "workflow"}
    ).json()["rows"]
    assert (row["successful_runs"], row["failed_runs"], row["cost_per_successful_workflow"]) == (0, 1, None)
    # an outcome for a run not seen yet is kept and applied when it arrives
    early = httpx.post(f"{served.url}/api/v1/workflows/not-yet/outcome", json={"outcome": "success"}, headers=headers)
    assert early.json()["applied"] is False
    assert httpx.post(url, json={"outcome": "great"}, headers=headers).status_code == 422


def test_workflow_id_groups_traces_into_one_run(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    for step in range(3):  # a human-in-the-loop workflow: three traces over three days
        trace, root = new_trace_id(), new_span_id()
        export(served, project.key, [
            span(f"step {step}", trace_id=trace, span_id=root, start_ns=BASE_NS + step * 86_400 * SECOND,
                 attributes={"finops.workflow.id": "claim-42", "finops.workflow.name": "insurance-claim"}),
            span("chat", trace_id=trace, parent=root, start_ns=BASE_NS + step * 86_400 * SECOND + SECOND,
                 attributes=chat_attributes("gpt-4o", 100, 10)),
        ])  # fmt: skip
    run_jobs(db)
    runs = get(served, project.key, "/api/v1/workflows").json()["items"]
    assert [(r["run_id"], r["name"], r["llm_calls"]) for r in runs] == [("claim-42", "insurance-claim", 3)]
    assert len(get(served, project.key, "/api/v1/workflows/claim-42").json()["trace_ids"]) == 3


def test_projects_do_not_see_each_other(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    other = make_project(db, "other")
    trace = attempt(served, project.key, BASE_NS, 100, failed=False)
    attempt(served, other.key, BASE_NS, 100, failed=False)
    run_jobs(db)
    assert len(get(served, other.key, "/api/v1/workflows").json()["items"]) == 1
    assert get(served, other.key, f"/api/v1/workflows/{trace}").status_code == 404
    mine = get(served, project.key, "/api/v1/metrics", **{"from": "2026-11-18T00:00:00Z", "group_by": "workflow"})
    assert [row["runs"] for row in mine.json()["rows"]] == [1]


def test_metrics_parameters(served: ServedApp, project: ProjectKey) -> None:
    base = {"from": "2026-11-18T00:00:00Z"}
    assert get(served, project.key, "/api/v1/metrics", **base, group_by="colour").status_code == 422
    assert get(served, project.key, "/api/v1/metrics", **base, granularity="year").status_code == 422
    assert (
        get(served, project.key, "/api/v1/metrics", **base, granularity="hour", group_by="customer").status_code == 422
    )
    assert get(served, project.key, "/api/v1/metrics", **{"from": "2026-11-18T00:00:00"}).status_code == 422


def test_cli_cost_workflows_top_and_jobs(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    price(db, project.id)
    served.app.state.prices.refresh()
    attempt(served, project.key, BASE_NS, 10_000, failed=False)
    env = {"FINOPS_DATABASE_URL": db}
    runner = CliRunner()
    ran = runner.invoke(app, ["jobs", "run", "workflows"], env=env)
    assert ran.exit_code == 0 and "1 runs assembled" in ran.output, ran.output
    assert runner.invoke(app, ["jobs", "run", "rollups"], env=env).exit_code == 0
    listed = runner.invoke(app, ["jobs", "list"], env=env)
    assert "workflows" in listed.output and "succeeded" in listed.output
    assert runner.invoke(app, ["jobs", "run", "nope"], env=env).exit_code == 1
    cost = runner.invoke(app, ["cost", "--by", "team", "--from", "2026-11-01", "--to", "2026-12-01", "--project",
                               project.name], env=env)  # fmt: skip
    assert cost.exit_code == 0, cost.output
    # 10000 x 1/1e6 + 1000 x 2/1e6 = 0.012 for the one (successful) run
    assert "payments" in cost.output and "0.0120" in cost.output
    top = runner.invoke(app, ["workflows", "top", "--from", "2026-11-01", "--project", project.name], env=env)
    assert top.exit_code == 0 and "refund" in top.output and "acme-llm" in top.output
