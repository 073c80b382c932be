"""The weekly cost review: week arithmetic, projections, rendering (pure), gathering from seeded rollups,
and the rendered file opened in a real headless Chromium."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from finops.db.urls import libpq_url, sqlalchemy_url
from finops.pricing.repository import MissingModel
from finops.reports.weekly import (
    AlertLine,
    DailySpend,
    MixRow,
    Mover,
    Movers,
    Projection,
    WeeklyData,
    WorkflowWeek,
    doubling_weeks,
    gather_weekly,
    iso_week_bounds,
    previous_week,
    project,
    render_weekly,
    summary_text,
)
from finops.reports.weekly_render import money, percent, unit_money
from tests.conftest import make_project

CHROMIUM = "/usr/bin/chromium"
GENERATED = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
MON = datetime(2026, 11, 16, tzinfo=UTC)  # 2026-W47


# ---------------------------------------------------------------------------------------------- weeks


@pytest.mark.parametrize(
    ("week", "start"),
    [
        ("2026-W47", datetime(2026, 11, 16, tzinfo=UTC)),
        ("2026-W01", datetime(2025, 12, 29, tzinfo=UTC)),  # ISO week 1 holds the year's first Thursday
        ("2026-W53", datetime(2026, 12, 28, tzinfo=UTC)),  # 2026 has 53 ISO weeks (starts on a Thursday)
        (" 2020-W53 ", datetime(2020, 12, 28, tzinfo=UTC)),
    ],
)
def test_iso_week_bounds_are_monday_midnight_utc_half_open(week: str, start: datetime) -> None:
    assert iso_week_bounds(week) == (start, start + timedelta(days=7))


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2025-W53", "2025 has weeks 01 to 52"),
        ("2026-W00", "2026 has weeks 01 to 53"),
        ("2026-W54", "2026 has weeks 01 to 53"),
        ("2026-47", "expected YYYY-Www"),
        ("2026W47", "expected YYYY-Www"),
        ("2026-W7", "expected YYYY-Www"),
        ("last week", "expected YYYY-Www"),
        ("", "expected YYYY-Www"),
    ],
)
def test_bad_week_strings_raise_a_clear_value_error(week: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        iso_week_bounds(week)


def test_previous_week() -> None:
    w46 = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
    assert previous_week("2026-W47") == w46
    assert previous_week(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == w46  # Sunday night: still W47
    assert previous_week(date(2026, 11, 16)) == w46
    assert previous_week("2026-W01") == (datetime(2025, 12, 22, tzinfo=UTC), datetime(2025, 12, 29, tzinfo=UTC))


# ------------------------------------------------------------------------------------------ arithmetic


def test_projection_compounds_week_over_week_growth() -> None:
    # $100 a week growing 10% a week: 100 × 1.1^4 = 146.41 and 100 × 1.1^8 = 214.358881.
    assert project(D(100), D("0.1"), 4) == D("146.41")
    assert project(D(100), D("0.1"), 8) == D("214.358881")
    # The seed article's rule of thumb: 10% a week for a month (4 weeks) is +46%; it doubles in ln 2 / ln 1.1 weeks.
    assert doubling_weeks(D("0.1")) == pytest.approx(7.2725, abs=1e-4)
    assert doubling_weeks(D("-0.1")) is None and doubling_weeks(None) is None
    # From last week's $100 to this week's $110.
    projection = Projection.of(D(110), D(100))
    assert projection.growth == D("0.1")
    assert projection.in_4_weeks == D("161.051")  # 110 × 1.4641
    assert projection.in_8_weeks == D("235.7947691")  # 110 × 2.14358881
    assert Projection.of(D(5), D(0)).in_4_weeks is None  # nothing to grow from


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("1234.555"), "$1,234.56"), (D("0.004"), "$0.00"), (D("-12"), "-$12.00"), (None, "n/a"), (D(0), "$0.00")],
)
def test_money_rounds_half_up_to_cents(value: D | None, expected: str) -> None:
    assert money(value) == expected


def test_other_formats() -> None:
    assert percent(D("0.14")) == "+14.0%"
    assert percent(D("-0.0825")) == "-8.3%"
    assert percent(0.25, signed=False) == "25.0%"
    assert unit_money(D("0.04249")) == "$0.0425"
    assert unit_money(D("12.345")) == "$12.35"


# ------------------------------------------------------------------------------------- pure rendering


def sample() -> WeeklyData:
    """A week with spend up 14%: $1,083.00 -> $1,234.62 (1,234.62 / 1,083 = 1.14)."""
    start = MON
    daily = [DailySpend(start.date() + timedelta(days=i), D("176.38"), D("154.71")) for i in range(7)]
    workflows = [
        WorkflowWeek(
            "refund <script>", D("1000.00"), D("800.00"), 500, 400, 420, 400, D("2.50"), D("2.00"),
            Projection.of(D("1000.00"), D("800.00")),
        ),
        WorkflowWeek("triage", D("200.00"), D("250.00"), 1000, 990, 1000, 980, D("0.2020"), D("0.2551"),
                     Projection.of(D("200.00"), D("250.00"))),
    ]  # fmt: skip
    movers = [
        Movers("team", [Mover("team", "payments", D("1000"), D("800"))], [Mover("team", None, D("34.62"), D("83"))]),
        Movers("workflow", [Mover("workflow", "refund <script>", D("1000"), D("800"))], []),
        Movers("model", [], []),
    ]
    mix = [
        MixRow("gpt-4o", D("1000"), 900, D("0.81"), D("0.45"), D("0.7"), D("0.4")),
        MixRow("gpt-4o-mini", D("234.62"), 1100, D("0.19"), D("0.55"), D("0.3"), D("0.6")),
    ]
    tiers = [MixRow("frontier", D("1000"), 900, D("0.81"), D("0.45"), D("0.7"), D("0.4"))]
    alerts = [
        AlertLine("cost-spike", "warning", "resolved", "project", None, "Cost spike: +80% in one hour", "$12.00/h",
                  start + timedelta(days=2, hours=3), start + timedelta(days=2, hours=5)),
    ]  # fmt: skip
    unpriced = [MissingModel("acme", "acme-xl", 42, 4200, 800, start, start + timedelta(days=1))]
    return WeeklyData(
        project_id=1, week="2026-W47", start=start, end=start + timedelta(weeks=1),
        previous_start=start - timedelta(weeks=1), spend=D("1234.62"), previous_spend=D("1083.00"),
        calls=2000, previous_calls=1900, workflow_cost=D("1200.00"), previous_workflow_cost=D("1050.00"),
        runs=1500, successful_runs=1390, previous_runs=1420, previous_successful_runs=1380,
        cache_hit_rate=0.352, previous_cache_hit_rate=0.401, daily=daily, workflows=workflows, movers=movers,
        model_mix=mix, tier_mix=tiers, alerts=alerts, unpriced=unpriced,
    )  # fmt: skip


def test_render_shows_formatted_headline_numbers_and_sentences() -> None:
    data = sample()
    html = render_weekly(data, project="acme & co", generated_at=GENERATED)
    text = re.sub(r"\s+", " ", html)
    assert "$1,234.62" in text and "$1,083.00" in text
    assert "+14.0%" in text  # (1234.62 - 1083) / 1083 = 0.14
    # Cost per successful workflow: 1200 / 1390 = 0.86331 -> $0.8633; last week 1050 / 1380 = 0.76087 -> $0.7609.
    assert "$0.8633" in text and "$0.7609" in text
    # Projection: 1.14^4 = 1.68896016 and 1.14^8 = 2.85258642...: 1234.62 × those = 2085.2240 and 3521.8602.
    assert "$2,085.22" in text and "$3,521.86" in text
    # ln 2 / ln 1.14 = 5.29 weeks.
    assert "Spend rose 14.0% to $1,234.62 (last week $1,083.00); at this rate it doubles in about 5 weeks." in text
    assert "refund &lt;script&gt;" in text and "<script" not in html  # autoescaped, and no script at all
    assert "acme &amp; co" in text
    assert "Biggest increases: team payments +$200.00, workflow refund &lt;script&gt; +$200.00." in text
    assert "35.2%" in text and "40.1%" in text and "-4.9 pts" in text
    assert "Cost spike: +80% in one hour" in text and "acme-xl" in text
    assert "No recommendations yet." in text
    assert "(unattributed)" in text
    assert text.count("<svg") == 3  # daily spend, cost per success, model mix


def test_rendered_html_is_self_contained() -> None:
    html = render_weekly(sample(), project="acme", generated_at=GENERATED)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import|@font-face", html, re.IGNORECASE)
    # The only http strings left are XML namespace names, which are never fetched.
    assert set(re.findall(r"https?://[^\s\"')]+", html)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids must be unique across the inline charts"


def test_render_an_empty_week() -> None:
    empty = WeeklyData(
        project_id=1, week="2026-W47", start=MON, end=MON + timedelta(weeks=1), previous_start=MON - timedelta(weeks=1),
        spend=D(0), previous_spend=D(0), calls=0, previous_calls=0, workflow_cost=D(0), previous_workflow_cost=D(0),
        runs=0, successful_runs=0, previous_runs=0, previous_successful_runs=0, cache_hit_rate=None,
        previous_cache_hit_rate=None, daily=[DailySpend(MON.date() + timedelta(days=i), D(0), D(0)) for i in range(7)],
        workflows=[], movers=[Movers(d, [], []) for d in ("team", "workflow", "model")], model_mix=[], tier_mix=[],
        alerts=[], unpriced=[],
    )  # fmt: skip
    html = render_weekly(empty, project="acme", generated_at=GENERATED)
    assert "No LLM spend was recorded this week or the week before." in html
    assert "No recommendations yet." in html and "<svg" not in html
    assert summary_text(empty) == (
        "Weekly AI cost review 2026-W47: spend $0.00 (no spend the week before).\nNo alerts fired this week."
    )


def test_summary_text_has_the_headline_in_three_lines() -> None:
    assert summary_text(sample()).splitlines() == [
        "Weekly AI cost review 2026-W47: spend $1,234.62 (+14.0% week over week; at this rate it doubles in about "
        "5 weeks).",
        "Cost per successful workflow $0.8633 (+13.5%); 1,390 of 1,500 runs succeeded.",  # 0.86331 / 0.76087 - 1
        "Biggest increase team payments +$200.00; 1 alert fired this week; 1 unpriced model.",
    ]


# ------------------------------------------------------------------------------------ with the database

MEASURES = (
    "calls", "errors", "retries", "batch_calls", "unpriced_calls", "input_tokens", "cache_read_tokens",
    "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "max_prompt_tokens",
    "cost_input", "cost_cache_read", "cost_cache_write", "cost_cache_write_1h", "cost_output", "cost_reasoning",
    "cost_request_fee", "cost_total",
)  # fmt: skip
RUN_MEASURES = (
    "runs", "successful_runs", "failed_runs", "unknown_runs", "open_runs", "llm_calls", "steps", "retries", "errors",
    "tool_calls", "tool_output_chars", "total_tokens", "max_context_tokens", "duration_ms", "unpriced_calls",
    "cost_total", "successful_cost",
)  # fmt: skip


def insert(conn: psycopg.Connection, table: str, row: dict) -> None:
    columns = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(row))})", list(row.values()))


def call_row(project_id: int, day: str, team: str | None, workflow: str | None, model: str, tier: str | None,
             calls: int, cost: str, input_tokens: int = 0, cache_read: int = 0, unpriced: int = 0) -> dict:  # fmt: skip
    row: dict = dict.fromkeys(MEASURES, 0)
    row.update(
        project_id=project_id, day=date.fromisoformat(day), team=team, workflow_name=workflow, model=model,
        model_tier=tier, provider="openai", calls=calls, cost_total=D(cost), cost_input=D(cost),
        input_tokens=input_tokens, cache_read_tokens=cache_read, unpriced_calls=unpriced,
    )  # fmt: skip
    return row


def run_row(project_id: int, day: str, workflow: str, team: str, runs: int, successful: int, cost: str) -> dict:
    row: dict = dict.fromkeys(RUN_MEASURES, 0)
    row.update(
        project_id=project_id, day=date.fromisoformat(day), workflow_name=workflow, team=team, runs=runs,
        successful_runs=successful, failed_runs=runs - successful, cost_total=D(cost), successful_cost=D(0),
    )  # fmt: skip
    return row


def alert_row(project_id: int, key: str, first: datetime, last: datetime, status: str = "resolved") -> dict:
    return dict(
        project_id=project_id, dedup_key=key, rule=key, detector="cost_spike", scope_kind="project",
        period_key="x", severity="warning", status=status, title=f"alert {key}", observed="$1", threshold="+50%",
        hint="look", numbers="{}", first_fired_at=first, last_fired_at=last,
    )  # fmt: skip


def seed(db: str, project_id: int, other_project: int) -> None:
    p = project_id
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        for row in (
            # last week (2026-W46): $100.00, 400 calls
            call_row(p, "2026-11-09", "search", "answer", "gpt-4o", "frontier", 100, "60.00", 8000, 2000),
            call_row(p, "2026-11-10", "support", "triage", "gpt-4o-mini", "small", 300, "40.00", 10000, 0),
            # this week (2026-W47): $110.00, 380 calls
            call_row(p, "2026-11-16", "search", "answer", "gpt-4o", "frontier", 120, "80.00", 6000, 4000),
            call_row(p, "2026-11-18", "support", "triage", "gpt-4o-mini", "small", 250, "30.00", 9000, 1000),
            call_row(p, "2026-11-22", None, None, "mystery", None, 10, "0", 500, 0, unpriced=10),
            # outside both weeks, or another project's: never counted
            call_row(p, "2026-11-08", "search", "answer", "gpt-4o", "frontier", 1, "500.00"),
            call_row(p, "2026-11-23", "search", "answer", "gpt-4o", "frontier", 1, "999.00"),
            call_row(other_project, "2026-11-17", "search", "answer", "gpt-4o", "frontier", 1, "777.00"),
        ):
            insert(conn, "rollup_calls_daily", row)
        for row in (
            run_row(p, "2026-11-09", "answer", "search", 10, 8, "60.00"),
            run_row(p, "2026-11-10", "triage", "support", 20, 20, "40.00"),
            run_row(p, "2026-11-16", "answer", "search", 12, 8, "72.00"),
            run_row(p, "2026-11-17", "answer", "search", 3, 2, "8.00"),
            run_row(p, "2026-11-18", "triage", "support", 25, 20, "30.00"),
            run_row(p, "2026-11-23", "answer", "search", 99, 99, "999.00"),
            run_row(other_project, "2026-11-18", "answer", "search", 5, 5, "777.00"),
        ):
            insert(conn, "rollup_workflows_daily", row)
        for row in (
            alert_row(p, "in-week", datetime(2026, 11, 18, 9, tzinfo=UTC), datetime(2026, 11, 18, 10, tzinfo=UTC),
                      status="firing"),
            alert_row(p, "since-last-week", datetime(2026, 11, 14, tzinfo=UTC), datetime(2026, 11, 17, tzinfo=UTC)),
            alert_row(p, "before", datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC)),
            alert_row(p, "after", datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 23, 1, tzinfo=UTC)),
            alert_row(other_project, "other", datetime(2026, 11, 18, tzinfo=UTC), datetime(2026, 11, 18, tzinfo=UTC)),
        ):  # fmt: skip
            insert(conn, "alerts", row)
        for index, (when, model) in enumerate(
            [(datetime(2026, 11, 22, 12, tzinfo=UTC), "mystery")] * 3 + [(datetime(2026, 11, 12, tzinfo=UTC), "old")]
        ):
            insert(conn, "llm_calls", dict(
                project_id=p, trace_id=f"{index:032x}", span_id=f"{index:016x}", start_time=when, end_time=when,
                provider="acme", model=model, input_tokens=100, cache_read_tokens=0, cache_write_tokens=0,
                cache_write_1h_tokens=0, output_tokens=10, reasoning_tokens=0, usage_raw="{}", sources="{}",
                dialect="genai", is_batch=False,
            ))  # fmt: skip


@pytest.fixture()
def seeded(db: str) -> tuple[str, int]:
    project_id = make_project(db, "weekly").id
    seed(db, project_id, make_project(db, "someone-else").id)
    return db, project_id


def test_gather_weekly_from_seeded_rollups(seeded: tuple[str, int]) -> None:
    db, project_id = seeded
    engine = create_engine(sqlalchemy_url(db))
    try:
        with engine.connect() as conn:
            data = gather_weekly(conn, project_id, "2026-W47")
            assert gather_weekly(conn, project_id, MON) == data  # the Monday works as well as the key
            with pytest.raises(ValueError, match="Monday 00:00 UTC"):
                gather_weekly(conn, project_id, MON + timedelta(days=1))
    finally:
        engine.dispose()

    assert (data.week, data.start, data.end) == ("2026-W47", MON, MON + timedelta(weeks=1))
    # Spend: 80 + 30 + 0 = 110 this week; 60 + 40 = 100 last week; +10%.
    assert (data.spend, data.previous_spend, data.spend_change) == (D("110"), D("100"), D("0.1"))
    assert (data.calls, data.previous_calls) == (120 + 250 + 10, 100 + 300)
    # Projection at +10% a week: 110 × 1.1^4 = 161.051, 110 × 1.1^8 = 235.7947691.
    assert (data.projection.in_4_weeks, data.projection.in_8_weeks) == (D("161.051"), D("235.7947691"))
    # Runs: 12 + 3 + 25 = 40 (30 successful), cost 72 + 8 + 30 = 110; last week 30 runs, 28 successful, $100.
    assert (data.runs, data.successful_runs, data.previous_runs, data.previous_successful_runs) == (40, 30, 30, 28)
    assert data.cost_per_success == D(110) / 30 and data.previous_cost_per_success == D(100) / 28
    # Cache hit rate: (4000 + 1000) / (6000 + 4000 + 500 + 9000 + 1000) and 2000 / (8000 + 2000 + 10000).
    assert data.cache_hit_rate == pytest.approx(5000 / 20500) and data.previous_cache_hit_rate == pytest.approx(0.1)

    answer, triage = data.workflows
    assert (answer.name, answer.cost, answer.previous_cost, answer.runs, answer.successful_runs) == (
        "answer", D("80"), D("60"), 15, 10)  # fmt: skip
    assert (answer.cost_per_success, answer.previous_cost_per_success) == (D("8"), D("7.5"))  # 80/10, 60/8
    assert answer.cost_per_success_change == D("0.5") / D("7.5")  # +6.67%
    assert answer.projection.in_4_weeks == D(80) * (D(80) / D(60)) ** 4  # 80 × (4/3)^4 = 252.84
    assert (triage.cost, triage.previous_cost, triage.cost_per_success, triage.previous_cost_per_success) == (
        D("30"), D("40"), D("1.5"), D("2"))  # fmt: skip
    assert triage.projection.in_4_weeks == D("9.4921875")  # 30 × 0.75^4

    # Daily: this week's day next to the same weekday last week.
    assert [(d.day.day, d.cost, d.previous_cost) for d in data.daily if d.cost or d.previous_cost] == [
        (16, D(80), D(60)), (17, D(0), D(40)), (18, D(30), D(0))]  # fmt: skip

    movers = {group.dimension: group for group in data.movers}
    for dimension, up, down in (("team", "search", "support"), ("workflow", "answer", "triage"),
                                ("model", "gpt-4o", "gpt-4o-mini")):  # fmt: skip
        assert [(m.name, m.delta) for m in movers[dimension].up] == [(up, D(20))]
        assert [(m.name, m.delta) for m in movers[dimension].down] == [(down, D(-10))]

    mix = {row.name: row for row in data.model_mix}
    assert [row.name for row in data.model_mix] == ["gpt-4o", "gpt-4o-mini", "mystery"]
    assert mix["gpt-4o"].cost_share == D(80) / D(110) and mix["gpt-4o"].previous_cost_share == D("0.6")
    assert mix["gpt-4o-mini"].calls_share == D(250) / D(380) and mix["gpt-4o-mini"].previous_calls_share == D("0.75")
    assert (mix["mystery"].cost_share, mix["mystery"].calls_share) == (D(0), D(10) / D(380))
    assert mix["mystery"].previous_cost_share == D(0)
    assert {row.name: row.cost for row in data.tier_mix} == {"frontier": D(80), "small": D(30), None: D(0)}

    assert [alert.rule for alert in data.alerts] == ["since-last-week", "in-week"]
    assert [(m.model, m.calls) for m in data.unpriced] == [("mystery", 3)]
    assert data.recommendations == []

    html = render_weekly(data, project="weekly", generated_at=GENERATED)
    assert "Spend rose 10.0% to $110.00 (last week $100.00); at this rate it doubles in about 7 weeks." in html
    assert "$161.05" in html and "$235.79" in html and "$3.67" in html  # 110 / 30 = 3.666...


# ------------------------------------------------------------------------------------------- browser


def chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def console_errors(stderr: str) -> list[str]:
    return [
        line for line in stderr.splitlines()
        if "Uncaught" in line or ("CONSOLE" in line and re.search(r"error|refused|violat", line, re.IGNORECASE))
    ]  # fmt: skip


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (CI: apt-get install -y chromium)"
)
def test_report_opens_in_headless_chromium_without_console_errors(tmp_path: Path) -> None:
    # The check does see errors: a page that throws is reported.
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><title>broken</title><script>throw new Error("boom")</script>')
    assert console_errors(chromium("--dump-dom", broken.as_uri()).stderr), "the console check must see errors"

    report = tmp_path / "weekly.html"
    report.write_text(render_weekly(sample(), project="acme", generated_at=GENERATED), encoding="utf-8")
    screenshot = tmp_path / "weekly.png"
    result = chromium(f"--screenshot={screenshot}", "--window-size=1280,2000", "--hide-scrollbars", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_errors(result.stderr) == []
    assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one
