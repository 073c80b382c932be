"""Pricing against the real database: costs at ingest, unpriced calls, back-dated prices and recosting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import httpx
import psycopg
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from finops.cli import app
from finops.db.engine import session_scope
from finops.db.urls import libpq_url
from finops.pricing import repository
from finops.pricing.prices import PriceVersion, Rates
from finops.pricing.service import apply_versions, process_recost_requests, recost
from tests.conftest import ProjectKey, ServedApp
from tests.otlp_builders import BASE_NS, chat_attributes, new_trace_id, request, span

DAY_NS = 86_400 * 10**9
BASE = datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC)  # BASE_NS


def export(served: ServedApp, key: str, spans: list) -> None:
    response = httpx.post(
        f"{served.url}/v1/traces",
        content=request(spans).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": key},
    )
    assert response.status_code == 200, response.text


def refresh_prices(served: ServedApp) -> None:
    served.app.state.prices.refresh()


def costs(db: str, order: str = "start_time") -> list[tuple]:
    with psycopg.connect(libpq_url(db)) as conn:
        return conn.execute(
            "SELECT model, cost_input, cost_cache_read, cost_output, cost_total, price_tier FROM llm_calls"
            f" ORDER BY {order}"
        ).fetchall()


def custom(project_id: int, model: str, start: datetime, **rates: str) -> PriceVersion:
    return PriceVersion(
        model=model,
        project_id=project_id,
        effective_from=start,
        rates=Rates(**{name: D(value) for name, value in rates.items()}),
    )


def test_calls_are_priced_at_ingest(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    with session_scope(db) as session:
        apply_versions(
            session,
            [
                custom(
                    project.id,
                    "gpt-4o",
                    BASE - timedelta(days=30),
                    input="2.50",
                    cache_read="1.25",
                    output="10",
                )
            ],
            origin="test",
        )
    refresh_prices(served)
    attributes = chat_attributes("gpt-4o", 3000, 500, **{"gen_ai.usage.cache_read.input_tokens": 2000})
    export(served, project.key, [span("chat", trace_id=new_trace_id(), attributes=attributes)])
    # uncached 3000 - 2000 = 1000 x 2.50 / 1e6 = 0.0025; cache read 2000 x 1.25 / 1e6 = 0.0025;
    # output 500 x 10 / 1e6 = 0.005; total 0.01
    assert costs(db) == [("gpt-4o", D("0.0025"), D("0.0025"), D("0.005"), D("0.01"), "standard")]


def test_shipped_catalog_prices_known_models(served: ServedApp, project: ProjectKey) -> None:
    refresh_prices(served)
    export(
        served,
        project.key,
        [span("chat", trace_id=new_trace_id(), attributes=chat_attributes("gpt-4o-mini", 10, 1))],
    )
    [(model, *_, total, tier)] = costs(served.app.state.database_url)
    assert model == "gpt-4o-mini" and total is not None and total > 0 and tier == "standard"


def test_unpriced_model_stays_null_and_is_listed(served: ServedApp, project: ProjectKey) -> None:
    refresh_prices(served)
    trace = new_trace_id()
    export(
        served,
        project.key,
        [
            span("chat", trace_id=trace, attributes=chat_attributes("acme-llm-7b", 1200, 300)),
            span("chat", trace_id=trace, attributes=chat_attributes("acme-llm-7b", 800, 100)),
        ],
    )
    assert costs(served.app.state.database_url) == [("acme-llm-7b", None, None, None, None, None)] * 2
    with session_scope(served.app.state.database_url) as session:
        [missing] = repository.missing_models(session, project.id)
    # 1200 + 800 input tokens, 300 + 100 output tokens over 2 calls
    assert (missing.model, missing.calls, missing.input_tokens, missing.output_tokens) == (
        "acme-llm-7b",
        2,
        2000,
        400,
    )
    result = CliRunner().invoke(
        app,
        ["prices", "missing", "--project", project.name],
        env={"FINOPS_DATABASE_URL": served.app.state.database_url},
    )
    assert result.exit_code == 0 and "acme-llm-7b" in result.output and "2000" in result.output


def test_back_dated_price_recosts_exactly_the_affected_calls(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    refresh_prices(served)
    trace = new_trace_id()
    export(
        served,
        project.key,
        [
            # two days before the price takes effect, one second before, at it, and a day after
            span(
                "a",
                trace_id=trace,
                start_ns=BASE_NS - 2 * DAY_NS,
                attributes=chat_attributes("acme-llm-7b", 1000, 0),
            ),
            span(
                "b",
                trace_id=trace,
                start_ns=BASE_NS - 10**9,
                attributes=chat_attributes("acme-llm-7b", 2000, 0),
            ),
            span("c", trace_id=trace, start_ns=BASE_NS, attributes=chat_attributes("acme-llm-7b", 3000, 0)),
            span(
                "d",
                trace_id=trace,
                start_ns=BASE_NS + DAY_NS,
                attributes=chat_attributes("acme-llm-7b", 4000, 0),
            ),
            span("e", trace_id=trace, start_ns=BASE_NS, attributes=chat_attributes("other-model", 5000, 0)),
        ],
    )
    with session_scope(db) as session:
        result = apply_versions(
            session, [custom(project.id, "acme-llm-7b", BASE, input="0.20", output="0.20")], origin="test"
        )
        assert result.added == 1
        # the request is picked up once it is older than the reload delay of every process
        session.execute(text("UPDATE recost_requests SET requested_at = now() - interval '1 minute'"))
    report = process_recost_requests(db)
    assert report is not None
    assert (report.calls_examined, report.calls_changed) == (2, 2)
    # c: 3000 x 0.20 / 1e6 = 0.0006; d: 4000 x 0.20 / 1e6 = 0.0008; a and b start before the price
    assert [(row[0], row[4]) for row in costs(db, "start_time, model")] == [
        ("acme-llm-7b", None),
        ("acme-llm-7b", None),
        ("acme-llm-7b", D("0.0006")),
        ("other-model", None),
        ("acme-llm-7b", D("0.0008")),
    ]
    assert report.cost_after == D("0.0014")
    # idempotent: a second pass finds nothing to change, and the request queue is empty
    assert process_recost_requests(db) is None
    again = recost(db, start=BASE - timedelta(days=5), end=None, models=["acme-llm-7b"])
    assert (again.calls_examined, again.calls_changed) == (4, 0)
    with session_scope(db) as session:
        runs = repository.recent_runs(session)
    assert [(run.status, run.calls_changed) for run in runs[:2]] == [("succeeded", 0), ("succeeded", 2)]
    assert runs[1].changes == {"acme-llm-7b": {"changed": 2, "before": "0", "after": "0.0014000000"}}


def test_changed_price_recosts_and_applying_twice_is_a_no_op(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    start = BASE - timedelta(days=1)
    with session_scope(db) as session:
        apply_versions(session, [custom(project.id, "acme-llm-7b", start, input="1", output="1")], origin="test")
    refresh_prices(served)
    export(
        served,
        project.key,
        [span("a", trace_id=new_trace_id(), attributes=chat_attributes("acme-llm-7b", 1000, 1000))],
    )
    # 1000 x 1 / 1e6 + 1000 x 1 / 1e6 = 0.002
    assert costs(db)[0][4] == D("0.002")
    with session_scope(db) as session:
        same = apply_versions(session, [custom(project.id, "acme-llm-7b", start, input="1", output="1")], origin="test")
        changed = apply_versions(
            session, [custom(project.id, "acme-llm-7b", start, input="1", output="3")], origin="test"
        )
    assert (same.unchanged, changed.changed) == (1, 1)
    recost(db, start=start, end=None)
    # 1000 x 1 / 1e6 + 1000 x 3 / 1e6 = 0.004
    assert costs(db)[0][4] == D("0.004")


def test_batch_calls_get_the_discount(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    version = PriceVersion(
        model="acme-batchable",
        project_id=project.id,
        effective_from=BASE - timedelta(days=1),
        batch_discount=D("0.5"),
        rates=Rates(input=D("2"), output=D("8")),
    )
    with session_scope(db) as session:
        apply_versions(session, [version], origin="test")
    refresh_prices(served)
    batch = chat_attributes("acme-batchable", 1000, 1000, **{"finops.batch": True})
    export(
        served,
        project.key,
        [
            span("batch", trace_id=new_trace_id(), attributes=batch),
            span(
                "live",
                trace_id=new_trace_id(),
                start_ns=BASE_NS + 1,
                attributes=chat_attributes("acme-batchable", 1000, 1000),
            ),
        ],
    )
    # live: 1000 x 2 / 1e6 + 1000 x 8 / 1e6 = 0.01; batch: half of that = 0.005
    assert [row[4] for row in costs(db)] == [D("0.005"), D("0.01")]


def test_reported_cost_kept_beside_ours(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    with session_scope(db) as session:
        apply_versions(
            session,
            [custom(project.id, "acme-llm-7b", BASE - timedelta(days=1), input="1", output="1")],
            origin="test",
        )
    refresh_prices(served)
    attributes = chat_attributes("acme-llm-7b", 1000, 0, **{"gen_ai.usage.cost": 0.0015})
    export(served, project.key, [span("a", trace_id=new_trace_id(), attributes=attributes)])
    with session_scope(db) as session:
        [difference] = repository.cost_differences(session, project.id)
    # reported 0.0015, ours 1000 x 1 / 1e6 = 0.001, difference 0.0005
    assert (difference.reported, difference.computed, difference.difference) == (
        D("0.0015"),
        D("0.001"),
        D("0.0005"),
    )


@pytest.fixture()
def admin(served: ServedApp) -> str:
    served.app.state.settings.admin_token = "admin-secret"
    return "admin-secret"


def test_prices_api(served: ServedApp, project: ProjectKey, admin: str) -> None:
    base = f"{served.url}/api/v1/prices"
    headers = {"x-finops-api-key": project.key}
    listed = httpx.get(base, params={"model": "gpt-4o"}, headers=headers).json()
    assert any(item["model"] == "gpt-4o" and item["scope"] == "builtin" for item in listed)
    body = {"model": "acme-llm-7b", "input": "0.2", "output": "0.4", "effective_from": "2026-11-01T00:00:00Z"}
    assert httpx.post(base, json=body, headers=headers).status_code == 403
    created = httpx.post(base, json=body, headers={**headers, "x-finops-admin-token": admin})
    assert created.status_code == 200 and created.json()["added"] == 1
    invalid = httpx.post(base, json={**body, "input": "-1"}, headers={**headers, "x-finops-admin-token": admin})
    assert invalid.status_code == 422
    refresh_prices(served)
    resolved = httpx.get(f"{base}/resolve", params={"model": "acme-llm-7b"}, headers=headers).json()
    assert resolved["scope"] == "project"
    assert httpx.get(f"{base}/resolve", params={"model": "nope-9"}, headers=headers).status_code == 404
    exported = httpx.get(f"{base}/export.csv", headers=headers)
    assert exported.status_code == 200 and "acme-llm-7b" in exported.text and exported.text.startswith("provider,")


def test_prices_cli_set_show_export_import(db: str, tmp_path) -> None:
    env = {"FINOPS_DATABASE_URL": db}
    runner = CliRunner()
    result = runner.invoke(app, ["projects", "create", "default"], env=env)
    assert result.exit_code == 0
    result = runner.invoke(
        app,
        [
            "prices",
            "set",
            "acme-llm-7b",
            "--input",
            "0.2",
            "--output",
            "0.6",
            "--effective-from",
            "2026-01-01",
            "--project",
            "default",
        ],
        env=env,
    )
    assert result.exit_code == 0 and "added" in result.output, result.output
    shown = runner.invoke(app, ["prices", "show", "acme-llm-7b-2026-05-01"], env=env)
    assert shown.exit_code == 0 and "acme-llm-7b" in shown.output and "input 0.2" in shown.output, shown.output
    assert runner.invoke(app, ["prices", "show", "unknown-model"], env=env).exit_code == 1
    out = tmp_path / "catalog.csv"
    assert runner.invoke(app, ["prices", "export", "--project", "default", "-o", str(out)], env=env).exit_code == 0
    assert "acme-llm-7b" in out.read_text()
    litellm = tmp_path / "litellm.json"
    litellm.write_text(
        '{"acme-llm-9b": {"litellm_provider": "openai", "mode": "chat",'
        ' "input_cost_per_token": 3e-07, "output_cost_per_token": 6e-07}}'
    )
    imported = runner.invoke(app, ["prices", "import", str(litellm), "--effective-from", "2026-01-01"], env=env)
    assert imported.exit_code == 0 and "1 added" in imported.output, imported.output
    listed = runner.invoke(app, ["prices", "list", "--model", "acme-llm-9b"], env=env)
    # 3e-07 per token x 1e6 = 0.3 per 1M; 6e-07 -> 0.6
    assert "0.3" in listed.output and "0.6" in listed.output
    bad = tmp_path / "bad.csv"
    bad.write_text("provider,model,input,output,effective_from\nopenai,x,abc,1,2026-01-01\n")
    failed = runner.invoke(app, ["prices", "import", str(bad)], env=env)
    assert failed.exit_code == 1 and "input" in failed.output
