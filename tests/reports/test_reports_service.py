"""Chargeback and FOCUS through the API and CLI, over hand-built rollups with known answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import httpx
import psycopg
from typer.testing import CliRunner

from finops.cli import app
from finops.db.urls import libpq_url
from finops.reports.focus import validate_focus_csv
from tests.conftest import ProjectKey, ServedApp

PERIOD = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-03T00:00:00Z"}


def daily(db: str, project_id: int, day: date, cost: str, calls: int, *, team: str | None = None,
          service: str | None = None, agent: str | None = None, model: str = "gpt-4o") -> None:  # fmt: skip
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO rollup_calls_daily (project_id, day, provider, model, agent_name, team, service_name, calls,"
            " errors, retries, batch_calls, unpriced_calls, input_tokens, cache_read_tokens, cache_write_tokens,"
            " cache_write_1h_tokens, output_tokens, reasoning_tokens, max_prompt_tokens, cost_input, cost_cache_read,"
            " cost_cache_write, cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee, cost_total)"
            " VALUES (%s, %s, 'openai', %s, %s, %s, %s, %s, 0, 0, 0, 0, %s, 0, 0, 0, 0, 0, 0, %s, 0, 0, 0, 0, 0, 0,"
            " %s)",
            (project_id, day, model, agent, team, service, calls, calls * 100, D(cost), D(cost)),
        )


def runs(db: str, project_id: int, team: str, total: int, successful: int) -> None:
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO rollup_workflows_daily (project_id, day, workflow_name, team, runs, successful_runs,"
            " failed_runs, unknown_runs, open_runs, llm_calls, steps, retries, errors, tool_calls,"
            " tool_output_chars, total_tokens, max_context_tokens, duration_ms, unpriced_calls, cost_total,"
            " successful_cost) VALUES (%s, '2026-11-01', 'flow', %s, %s, %s, %s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,"
            " 0, 0, 0)",
            (project_id, team, total, successful, total - successful),
        )


def seed(db: str, project_id: int) -> None:
    nov1 = date(2026, 11, 1)
    daily(db, project_id, nov1, "10.00", 10, team="search")
    daily(db, project_id, nov1, "30.00", 30, team="billing")
    daily(db, project_id, nov1, "5.00", 5, service="checkout-api")  # no team: mapped to billing below
    daily(db, project_id, nov1, "2.00", 2, service="unknown-svc")  # no owner at all
    daily(db, project_id, nov1, "4.00", 4, agent="router")  # the platform team's shared router
    daily(db, project_id, date(2026, 11, 3), "99.00", 9, team="search")  # outside the period
    runs(db, project_id, "search", 4, 3)
    runs(db, project_id, "billing", 6, 5)


def put(served: ServedApp, key: str, path: str, body: dict) -> None:
    response = httpx.put(f"{served.url}{path}", json=body, headers={"x-finops-api-key": key})
    assert response.status_code == 200, response.text


def test_chargeback_allocates_every_cent(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    seed(db, project.id)
    put(
        served,
        project.key,
        "/api/v1/attribution-mappings",
        {"source_field": "service", "source_value": "checkout-api", "target_field": "team", "target_value": "billing"},
    )
    put(
        served,
        project.key,
        "/api/v1/allocation-rules/router",
        {"source": "scope", "selector_field": "agent", "selector_value": "router", "method": "even"},
    )
    put(
        served,
        project.key,
        "/api/v1/allocation-rules/gpu-bill",
        {"source": "fixed", "monthly_amount": "300", "method": "fixed", "percentages": {"search": 25, "billing": 75}},
    )
    response = httpx.get(f"{served.url}/api/v1/reports/chargeback.csv", params={**PERIOD, "group_by": "team"},
                         headers={"x-finops-api-key": project.key})  # fmt: skip
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # billing: direct 30.00 + 5.00 mapped from checkout-api = 35.00
    # unattributed 2.00, proportional to direct: search 10/45 x 2 = 0.444.., billing 35/45 x 2 = 1.555..;
    #   floors 0.44 + 1.55 = 1.99, the last cent to the larger remainder (billing .0055 > search .0044)
    # router 4.00 split evenly: 2.00 each
    # GPU bill 300/month for 2 of November's 30 days = 20.00, fixed 25/75: search 5.00, billing 15.00
    # search: 10.00 + 0.44 + 2.00 + 5.00 = 17.44; billing: 35.00 + 1.56 + 2.00 + 15.00 = 53.56
    # period total: direct 10 + 35 + 2 + 4 = 51.00, plus the 20.00 bill = 71.00 = 17.44 + 53.56
    assert [(r["team"], r["calls"], r["workflows"], r["successful_workflows"], r["input_tokens"],
             r["direct_cost"], r["allocated_shared_cost"], r["total_cost"]) for r in rows] == [
        ("billing", "35", "6", "5", "3500", "35.00", "18.56", "53.56"),
        ("search", "10", "4", "3", "1000", "10.00", "7.44", "17.44"),
    ]  # fmt: skip
    assert {r["period_start"] for r in rows} == {"2026-11-01T00:00:00Z"}
    assert {r["currency"] for r in rows} == {"USD"}
    assert sum(D(r["total_cost"]) for r in rows) == D("71.00")


def test_chargeback_cli_and_errors(served: ServedApp, project: ProjectKey, tmp_path) -> None:
    db = served.app.state.database_url
    seed(db, project.id)
    out = tmp_path / "chargeback.csv"
    result = CliRunner().invoke(
        app, ["report", "chargeback", "--from", "2026-11-01", "--to", "2026-11-03", "--group-by", "team",
              "--project", project.name, "-o", str(out), "--store"],
        env={"FINOPS_DATABASE_URL": db},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # no rules: unattributed (checkout 5.00 + unknown 2.00 + router 4.00 = 11.00) split by direct cost
    # search 10/40 x 11 = 2.75, billing 30/40 x 11 = 8.25
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["team"], r["direct_cost"], r["allocated_shared_cost"], r["total_cost"]) for r in rows] == [
        ("billing", "30.00", "8.25", "38.25"), ("search", "10.00", "2.75", "12.75"),
    ]  # fmt: skip
    listed = httpx.get(f"{served.url}/api/v1/reports", headers={"x-finops-api-key": project.key}).json()
    assert [(r["kind"], r["variant"]) for r in listed] == [("chargeback", "team")]
    bad = httpx.get(f"{served.url}/api/v1/reports/chargeback.csv", params={**PERIOD, "group_by": "colour"},
                    headers={"x-finops-api-key": project.key})  # fmt: skip
    assert bad.status_code == 422 and "colour" in bad.text


def test_focus_export_is_valid_and_reconciles(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    seed(db, project.id)
    response = httpx.get(f"{served.url}/api/v1/reports/focus.csv", params=PERIOD,
                         headers={"x-finops-api-key": project.key})  # fmt: skip
    assert response.status_code == 200
    validate_focus_csv(response.text)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # every cost of the period, per day x model x token type x attribution: 10 + 30 + 5 + 2 + 4 = 51
    assert sum(D(r["BilledCost"]) for r in rows) == D("51.00")
    assert {r["ServiceCategory"] for r in rows} == {"AI and Machine Learning"}
    assert {r["ChargePeriodStart"] for r in rows} == {"2026-11-01T00:00:00Z"}


def test_focus_is_streamed_and_equals_the_whole_csv(served: ServedApp, project: ProjectKey, tmp_path) -> None:
    from finops.db.engine import get_engine
    from finops.reports import service

    db = served.app.state.database_url
    seed(db, project.id)
    daily(db, project.id, date(2026, 11, 2), "1.25", 3, team='we, "quoted"\r\nteam', model="my,model")
    with httpx.stream("GET", f"{served.url}/api/v1/reports/focus.csv", params=PERIOD,
                      headers={"x-finops-api-key": project.key}) as response:  # fmt: skip
        assert response.status_code == 200
        assert response.headers.get("transfer-encoding") == "chunked" and "content-length" not in response.headers
        assert response.headers["content-disposition"] == 'attachment; filename="focus-20261101-20261103.csv"'
        streamed = response.read().decode()
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    with get_engine(db).connect() as conn:
        report = service.focus_report(conn, project.id, project.name, start, end)
    assert streamed == report.content
    validate_focus_csv(streamed)
    # nov 1: search, billing, router and the two team-less services (grouped together); nov 2: the awkward team
    assert report.summary["rows"] == 5 and D(report.summary["total"]) == D("52.25")
    out = tmp_path / "focus.csv"
    result = CliRunner().invoke(
        app, ["report", "focus", "--from", "2026-11-01", "--to", "2026-11-03", "--project", project.name,
              "-o", str(out)],
        env={"FINOPS_DATABASE_URL": db},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == report.content.encode() and "(5 rows)" in result.output
