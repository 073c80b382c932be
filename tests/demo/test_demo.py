"""`finops demo` end to end: the real SDK exporter against the real server, then the real jobs, and the
numbers the demo exists to show (retries, failures, a runaway alert, recommendations, cost per success)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import psycopg
import typer
from typer.testing import CliRunner

from finops.cli import demo
from finops.db.engine import get_engine, session_scope
from finops.db.urls import libpq_url
from finops.demo.plan import DAY, HOUR, SPIKE_FACTOR, baseline_runs, build_plan, per_day_counts
from finops.demo.runner import SCENARIO_MODELS
from finops.pricing.service import load_book
from finops.recommendations.service import refresh
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty
from tests.conftest import ProjectKey, ServedApp

app = typer.Typer()
app.command()(demo.demo)  # the command alone, as `finops demo` runs it


def rows(db: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_url(db)) as conn:
        return conn.execute(query, params).fetchall()


def run_jobs(db: str, project_id: int) -> None:
    """What the scheduler does within minutes: assemble runs, roll up, alert, recommend."""
    from finops.alerts.evaluate import evaluate_all

    assemble_dirty(db, timedelta(minutes=5), now=datetime.now(UTC) + timedelta(hours=1))
    process_dirty_days(db)
    evaluate_all(db)
    with session_scope(db) as session:
        book = load_book(session)
    with get_engine(db).begin() as conn:
        refresh(conn, project_id, book, Decimal("2.5"))


def test_demo_traffic_feeds_runs_alerts_recommendations_and_metrics(served: ServedApp, project: ProjectKey) -> None:
    db = served.app.state.database_url
    args = ["--endpoint", served.url, "--days", "8", "--workflows-per-day", "10", "--seed", "3"]
    result = CliRunner().invoke(app, args, env={"FINOPS_DEMO_API_KEY": project.key})
    assert result.exit_code == 0, result.output
    assert result.output.count("workflow runs,") == 8  # progress per day
    assert "finops jobs run workflows && finops jobs run rollups" in result.output
    sent = re.search(r"sent ([\d,]+) spans \(([\d,]+) LLM calls\)", result.output)
    assert sent is not None, result.output
    spans, calls = (int(group.replace(",", "")) for group in sent.groups())
    # every span the SDK exported was acknowledged and stored once, every call priced or listed as unpriced
    assert rows(db, "SELECT count(*) FROM spans WHERE project_id = %s", project.id) == [(spans,)]
    assert rows(db, "SELECT count(*) FROM llm_calls WHERE project_id = %s", project.id) == [(calls,)]

    models = {m for (m,) in rows(db, "SELECT DISTINCT model FROM llm_calls WHERE project_id = %s", project.id)}
    assert set().union(*SCENARIO_MODELS.values()) <= models
    unpriced = rows(db, "SELECT DISTINCT model FROM llm_calls WHERE project_id = %s AND cost_total IS NULL", project.id)
    assert unpriced == [("acme-internal-7b",)]
    teams = rows(db, "SELECT count(DISTINCT team), count(DISTINCT customer) FROM llm_calls WHERE project_id = %s",
                 project.id)  # fmt: skip
    assert teams[0][0] == 7 and teams[0][1] >= 5
    cached = rows(db, "SELECT sum(cache_read_tokens) FROM llm_calls WHERE model = 'claude-sonnet-4-5'")
    assert cached[0][0] > 0
    batch = rows(db, "SELECT count(*) FROM llm_calls WHERE environment = 'batch' AND user_id IS NULL")
    assert batch[0][0] >= 8 * 6

    run_jobs(db, project.id)

    outcomes = dict(rows(db, "SELECT outcome, count(*) FROM workflow_runs WHERE project_id = %s GROUP BY 1",
                         project.id))  # fmt: skip
    assert outcomes.get("success", 0) > 0 and outcomes.get("failure", 0) > 0 and "unknown" not in outcomes
    retried = rows(db, "SELECT name, sum(retries) FROM workflow_runs WHERE retries > 0 GROUP BY 1")
    assert dict(retried).get("invoice-extraction", 0) > 0
    assert rows(db, "SELECT count(*) FROM llm_calls WHERE is_retry AND agent_name = 'extractor'")[0][0] > 0
    # contract reviews that failed twice before going through
    assert rows(db, "SELECT count(*) FROM workflow_runs WHERE name = 'contract-review' AND outcome = 'failure'")[0][0]

    runaway = rows(db, "SELECT scope_value, numbers->>'steps' FROM alerts WHERE detector = 'runaway_run'")
    assert len(runaway) == 1 and runaway[0][0] == "code-fix-loop" and int(runaway[0][1]) > 50
    assert rows(db, "SELECT count(*) FROM alerts WHERE detector = 'unpriced_model'")[0][0] == 1

    recommendations = rows(db, "SELECT rule, monthly_savings FROM recommendations WHERE project_id = %s", project.id)
    assert recommendations, "the demo should produce at least one recommendation"
    assert all(savings > 0 for _, savings in recommendations)

    headers = {"x-finops-api-key": project.key}
    since = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%dT%H:00:00Z")
    params = {"from": since, "group_by": "workflow", "granularity": "month"}
    body = httpx.get(f"{served.url}/api/v1/metrics", params=params, headers=headers, timeout=30).json()
    per_success = {
        row["workflow"]: Decimal(row["cost_per_successful_workflow"])
        for row in body["rows"]
        if row.get("cost_per_successful_workflow") is not None
    }
    assert per_success.get("support-triage", 0) > 0
    # contract reviews pay for their failed attempts: cost per success above cost per run
    contract = [row for row in body["rows"] if row["workflow"] == "contract-review"]
    assert all(Decimal(r["cost_per_successful_workflow"]) > Decimal(r["cost_per_workflow"]) for r in contract)


def test_missing_key_is_a_clear_error(served: ServedApp) -> None:
    result = CliRunner().invoke(app, ["--endpoint", served.url], env={"FINOPS_DEMO_API_KEY": ""})
    assert result.exit_code == 1 and "API key" in result.output


def test_plan_is_deterministic_and_shaped_for_the_detectors() -> None:
    now = datetime(2026, 11, 23, 14, 25, tzinfo=UTC)
    plan = build_plan(now, days=14, workflows_per_day=40, seed=7)
    assert plan == build_plan(now, days=14, workflows_per_day=40, seed=7)
    assert plan != build_plan(now, days=14, workflows_per_day=40, seed=8)
    spike = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # the last complete hour
    assert plan.spike_hour == spike and len(plan.days) == 14
    # 40 a day: 35% support = 14, 18% lead = 7.2, 17% invoice = 6.8, 15% research = 6, 15% contract = 6;
    # largest remainder gives the missing one to invoice (.8): 14 + 7 + 7 + 6 + 6 = 40
    assert per_day_counts(40) == {
        "support-triage": 14, "lead-qualification": 7, "invoice-extraction": 7, "research-report": 6,
        "contract-review": 6,
    }  # fmt: skip
    items = [item for day in plan.days for item in day.items]
    assert all(item.start < now - timedelta(minutes=10) for item in items)
    assert min(item.start for item in items) >= spike - 14 * DAY
    for back in range(1, 15):  # the same hour every day (so 7 and 14 days back too) has the baseline
        hour = spike - back * DAY
        baseline = [i for i in items if i.tag == "baseline" and hour <= i.start < hour + HOUR]
        assert len(baseline) == baseline_runs(40) == 4
    in_spike = [i for i in items if i.tag == "spike" and spike <= i.start < spike + HOUR]
    assert len(in_spike) == 4 * SPIKE_FACTOR
    [runaway] = [i for i in items if i.scenario == "code-fix-loop"]
    assert spike - DAY < runaway.start < spike - timedelta(hours=1)
    # lead qualification: 7 runs x 3 calls x 14 days = 294 frontier classification calls (routing needs 200)
    assert sum(1 for i in items if i.scenario == "lead-qualification") * 3 == 294
