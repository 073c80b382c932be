"""Recommendations against the database: gathered from stored calls, kept current, shown and acted on."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import httpx
import psycopg
from typer.testing import CliRunner

from finops.cli import app
from finops.db.engine import get_engine, session_scope
from finops.db.urls import libpq_url
from finops.pricing.service import load_book
from finops.recommendations.service import refresh
from finops.reports.service import last_full_week
from tests.conftest import ProjectKey, ServedApp

NOW = datetime.now(UTC)


def insert_calls(db: str, project_id: int, agent: str, model: str, calls: int, retried: int, cost: str) -> None:
    with (
        psycopg.connect(libpq_url(db), autocommit=True) as conn,
        conn.cursor().copy(
            "COPY llm_calls (project_id, trace_id, span_id, start_time, end_time, provider, model, agent_name,"
            " input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens,"
            " reasoning_tokens, usage_raw, sources, dialect, is_batch, is_retry, cost_input, cost_output,"
            " cost_total, user_id) FROM STDIN"
        ) as copy,
    ):
        for index in range(calls):
            start = NOW - timedelta(days=1, minutes=index)
            copy.write_row((
                project_id, secrets.token_hex(16), secrets.token_hex(8), start, start, "openai", model, agent,
                500, 0, 0, 0, 100, 0, "{}", "{}", "genai", False, index < retried, D(cost), D(0), D(cost), "u1",
            ))  # fmt: skip


def run(db: str, project_id: int) -> None:
    with session_scope(db) as session:
        book = load_book(session)
    with get_engine(db).begin() as conn:
        refresh(conn, project_id, book, D("2.5"), now=NOW)


def test_retry_waste_is_found_tracked_and_resolved(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    headers = {"x-finops-api-key": project.key}
    # 100 calls in the last 30 days, 20 of them retries of a failed step, each costing $0.50
    insert_calls(db, project.id, "fixer", "gpt-4o-mini", 100, 20, "0.50")
    run(db, project.id)
    body = httpx.get(f"{served.url}/api/v1/recommendations", headers=headers).json()
    [rec] = [r for r in body["items"] if r["rule"] == "retries_and_loops"]
    # the repeated attempts cost 20 x $0.50 = $10.00 over 30 days = $10.00 a month
    assert D(rec["monthly_savings"]) == D("10.00")
    assert rec["status"] == "open" and rec["scope_value"] == "fixer"
    assert len(rec["example_trace_ids"]) >= 1
    assert D(body["total_monthly_savings"]) >= D("10.00")

    weekly = httpx.get(f"{served.url}/api/v1/reports/weekly", params={"week": last_full_week(NOW)}, headers=headers)
    assert rec["title"].split(":")[0] in weekly.text  # the weekly review lists open recommendations

    accepted = httpx.post(f"{served.url}/api/v1/recommendations/{rec['id']}/accept", json={}, headers=headers)
    assert accepted.json() == {"id": rec["id"], "status": "accepted"}
    run(db, project.id)  # still wasteful: stays accepted
    assert httpx.get(f"{served.url}/api/v1/recommendations/{rec['id']}", headers=headers).json()["status"] == "accepted"
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        conn.execute("UPDATE llm_calls SET is_retry = false")  # the team fixed the failing step
    run(db, project.id)
    resolved = httpx.get(f"{served.url}/api/v1/recommendations/{rec['id']}", headers=headers).json()
    assert (resolved["status"], resolved["status_reason"]) == ("resolved", "the evidence is gone")


def test_dismissed_stays_dismissed_and_cli(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    insert_calls(db, project.id, "fixer", "gpt-4o-mini", 100, 30, "0.10")
    run(db, project.id)
    env = {"FINOPS_DATABASE_URL": db}
    listed = CliRunner().invoke(app, ["recommendations", "list", "--project", project.name], env=env)
    assert listed.exit_code == 0 and "retries_and_loops" in listed.output, listed.output
    rec_id = int(next(line for line in listed.output.splitlines() if "retries_and_loops" in line).split()[0])
    # 30 retried calls x $0.10 = $3.00 a month
    shown = CliRunner().invoke(app, ["recommendations", "show", str(rec_id), "--project", project.name], env=env)
    assert "3.00 per month" in shown.output
    command = ["recommendations", "dismiss", str(rec_id), "--reason", "retries are by design"]
    dismissed = CliRunner().invoke(app, [*command, "--project", project.name], env=env)
    assert dismissed.exit_code == 0
    run(db, project.id)
    with psycopg.connect(libpq_url(db)) as conn:
        assert conn.execute("SELECT status, status_reason FROM recommendations").fetchall() == [
            ("dismissed", "retries are by design")
        ]
    assert httpx.post(f"{served.url}/api/v1/recommendations/999999/accept", json={},
                      headers={"x-finops-api-key": project.key}).status_code == 404  # fmt: skip


def test_clean_usage_recommends_nothing(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    insert_calls(db, project.id, "fixer", "gpt-4o-mini", 100, 0, "0.001")
    run(db, project.id)
    body = httpx.get(f"{served.url}/api/v1/recommendations", headers={"x-finops-api-key": project.key}).json()
    assert body["items"] == [] and D(body["total_monthly_savings"]) == 0
