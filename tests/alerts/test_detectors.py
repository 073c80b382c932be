"""Detectors over hand-built series (pure). Expected numbers are worked out in the comments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest

from finops.alerts.baseline import aligned_window, fmt_money, mad, median, period_key, robust_spread
from finops.alerts.detectors import (
    cache_hit_rate_drop,
    cost_per_success_drift,
    cost_spike,
    error_rate_rise,
    model_routing_shift,
    retry_rate_rise,
    runaway_run,
    success_rate_drop,
    token_efficiency,
    unpriced_model,
)
from finops.alerts.inputs import (
    CacheHitParams,
    CostSpikeParams,
    HourlyPoint,
    RateRiseParams,
    RunCaps,
    RunSnapshot,
    TokenEfficiencyParams,
    TokenPoint,
    WeeklyWorkflowStats,
    token_points_from_hourly,
)
from finops.alerts.types import Scope, Severity

HOUR, DAY, WEEK = timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)
AGENT = Scope("agent", "triager")
T0 = datetime(2026, 10, 19, tzinfo=UTC)  # a Monday, five weeks before NOW
NOW = datetime(2026, 11, 23, 14, 20, tzinfo=UTC)  # a Monday; the last complete hour is [13:00, 14:00)
WINDOW = datetime(2026, 11, 23, 13, tzinfo=UTC)


def hours(start: datetime, end: datetime, cost_at: Callable[[datetime], D], calls: int = 30) -> list[HourlyPoint]:
    """One point per hour in [start, end)."""
    n = int((end - start) / HOUR)
    return [HourlyPoint(start + i * HOUR, cost_at(start + i * HOUR), calls) for i in range(n)]


# ------------------------------------------------------------------------------------- helpers
@pytest.mark.parametrize(
    ("values", "expected_median", "expected_mad"),
    [
        ([D("3"), D("1"), D("2")], D("2"), D("1")),  # deviations 1, 1, 0 -> median 1
        ([D("4.40"), D("4.00"), D("4.80"), D("4.60")], D("4.50"), D("0.20")),  # devs .10 .50 .30 .10 -> .20
        ([1.0, 2.0, 3.0, 100.0], 2.5, 1.0),  # devs 1.5 .5 .5 97.5 -> (0.5 + 1.5) / 2
        ([D("7")], D("7"), D("0")),
    ],
)
def test_median_and_mad_keep_their_type(values, expected_median, expected_mad):
    assert median(values) == expected_median and type(median(values)) is type(expected_median)
    assert mad(values) == expected_mad and type(mad(values)) is type(expected_mad)


def test_robust_spread_scales_mad_and_empty_median_refuses():
    assert robust_spread([D("4.40"), D("4.00"), D("4.80"), D("4.60")]) == D("0.296520")  # 0.20 × 1.4826
    with pytest.raises(ValueError):
        median([])


@pytest.mark.parametrize(
    ("now", "hours", "start", "end", "key"),
    [
        (NOW, 1, WINDOW, WINDOW + HOUR, "2026-11-23T13"),
        (datetime(2026, 11, 23, 14, tzinfo=UTC), 1, WINDOW, WINDOW + HOUR, "2026-11-23T13"),  # on the hour
        (NOW, 24, datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC), "2026-11-22"),
        (NOW, 6, datetime(2026, 11, 23, 6, tzinfo=UTC), datetime(2026, 11, 23, 12, tzinfo=UTC), "2026-11-23T06"),
    ],
)
def test_aligned_window(now, hours, start, end, key):
    assert aligned_window(now, hours) == (start, end)
    assert period_key(start, hours) == key


@pytest.mark.parametrize(
    ("amount", "text"),
    [(D("12.4"), "$12.40"), (D("1234.505"), "$1,234.51"), (D("0.034"), "$0.034"), (D("0.5"), "$0.50"), (D(0), "$0.00")],
)
def test_fmt_money(amount, text):
    assert fmt_money(amount) == text


# ------------------------------------------------------------------------------------ cost spike
def spike_series(previous: list[str], current: str, calls: int = 30, other: str = "4.00") -> list[HourlyPoint]:
    """Five weeks of hourly cost at `other`; the 13:00 Monday hours 1..4 weeks back and the window set."""
    special = {WINDOW - k * WEEK: D(v) for k, v in enumerate(previous, start=1)} | {WINDOW: D(current)}
    return hours(T0, WINDOW + HOUR, lambda h: special.get(h, D(other)), calls)


SPIKE_CASES = [
    # id, previous weeks (1..4 back), current, calls, params, expected (observed, baseline) or None
    # samples 4.40 4.00 4.80 4.60 -> median (4.40 + 4.60) / 2 = 4.50; MAD 0.20 -> spread 0.29652, floored to
    # max(0.29652, $0.50, 5% × 4.50 = 0.225) = 0.50; fires above max(4.50 × 1.5 = 6.75, 4.50 + 3 × 0.50 = 6.00)
    ("clear spike", ["4.40", "4.00", "4.80", "4.60"], "12.40", 30, None, ("12.40", "4.50")),
    ("just over +50%", ["4.40", "4.00", "4.80", "4.60"], "6.76", 30, None, ("6.76", "4.50")),
    ("exactly +50% is not more", ["4.40", "4.00", "4.80", "4.60"], "6.75", 30, None, None),
    # samples 3 4 5 9 -> median 4.50; devs 1.5 .5 .5 4.5 -> MAD 1.00 -> spread 1.4826;
    # fires above max(6.75, 4.50 + 3 × 1.4826 = 8.9478): +98% is still within this scope's usual swing
    ("noisy scope, within its spread", ["3.00", "4.00", "5.00", "9.00"], "8.90", 30, None, None),
    ("noisy scope, beyond its spread", ["3.00", "4.00", "5.00", "9.00"], "9.00", 30, None, ("9.00", "4.50")),
    # samples 4.00 40.00 4.20 4.40 -> median (4.20 + 4.40) / 2 = 4.30 (a mean would be 13.15 and hide this);
    # devs .30 35.70 .10 .10 -> MAD .20 -> spread floored to .50; fires above max(6.45, 5.80)
    ("one outlier week does not hide a spike", ["4.00", "40.00", "4.20", "4.40"], "7.00", 30, None, ("7.00", "4.30")),
    # MAD = 0: the $0.50 floor makes the bar max(4 × 1.1 = 4.40, 4 + 3 × 0.50 = 5.50) at a +10% threshold
    ("flat history, small wiggle", ["4.00"] * 4, "5.00", 30, CostSpikeParams(threshold_pct=10), None),
    ("flat history, past the floor", ["4.00"] * 4, "5.60", 30, CostSpikeParams(threshold_pct=10), ("5.60", "4.00")),
    # low volume: +4400% but under $1, or under 20 calls
    ("cents", ["0.02"] * 4, "0.90", 30, None, None),
    ("few calls", ["0.50"] * 4, "5.00", 19, None, None),
]


@pytest.mark.parametrize(("previous", "current", "calls", "params", "expected"), [c[1:] for c in SPIKE_CASES],
                         ids=[c[0] for c in SPIKE_CASES])  # fmt: skip
def test_cost_spike(previous, current, calls, params, expected):
    finding = cost_spike(AGENT, spike_series(previous, current, calls), NOW, params or CostSpikeParams())
    if expected is None:
        assert finding is None
        return
    assert finding is not None
    assert (finding.observed, finding.baseline) == (D(expected[0]), D(expected[1]))
    assert finding.period_key == "2026-11-23T13"
    assert finding.numbers["baseline_method"] == "same_hour_of_week"
    assert finding.numbers["sample_count"] == 4


def test_cost_spike_title_reads_like_the_example():
    finding = cost_spike(AGENT, spike_series(["4.40", "4.00", "4.80", "4.60"], "12.40"), NOW)
    # (12.40 - 4.50) / 4.50 = 175.6% -> "+176%"; below the 200% critical mark
    assert finding.title == "Cost spike: agent triager spent $12.40 in the last hour, +176% over its usual $4.50"
    assert finding.severity == Severity.WARNING
    assert finding.numbers["fires_above"] == "6.750"
    assert finding.numbers["window_start"] == "2026-11-23T13:00:00+00:00"


def test_cost_spike_where_the_scope_usually_spends_nothing():
    # median 0, MAD 0 -> spread floor 0.50; bar max(0 × 1.5, 0 + 3 × 0.50) = 1.50
    finding = cost_spike(AGENT, spike_series(["0"] * 4, "5.00"), NOW)
    assert finding.title == "Cost spike: agent triager spent $5.00 in the last hour, where it usually spends nothing"
    assert finding.severity == Severity.WARNING and finding.numbers["pct_change"] is None
    assert cost_spike(AGENT, spike_series(["0"] * 4, "1.50"), NOW) is None


def test_cost_spike_falls_back_to_recent_days_with_little_history():
    # Ten days of history: only one comparable week (a week back), so the same hour on the last 7 days
    # is used: 4.00 × 6 and 5.00 -> median 4.00, MAD 0 -> spread 0.50; bar max(6.00, 5.50) = 6.00.
    start = WINDOW - 10 * DAY
    costs = {WINDOW - 3 * DAY: D("5.00"), WINDOW: D("6.50")}
    finding = cost_spike(AGENT, hours(start, WINDOW + HOUR, lambda h: costs.get(h, D("4.00"))), NOW)
    assert finding is not None
    assert (finding.observed, finding.baseline) == (D("6.50"), D("4.00"))
    assert finding.numbers["baseline_method"] == "same_hour_of_day_fallback"
    assert finding.numbers["sample_count"] == 7
    assert "same hour on recent days" in finding.threshold


def test_cost_spike_silent_without_enough_history():
    # Two days of history: two comparable days, fewer than the 3 the fallback needs.
    assert (
        cost_spike(AGENT, hours(WINDOW - 2 * DAY, WINDOW + HOUR, lambda h: D("50") if h == WINDOW else D(1)), NOW)
        is None
    )


def test_cost_spike_history_start_marks_missing_weeks_as_not_comparable():
    # Without history_start the series start (T0) says four weeks exist; saying the scope started 9 days
    # ago leaves one week, so the fallback is used.
    series = spike_series(["4.40", "4.00", "4.80", "4.60"], "12.40")
    finding = cost_spike(AGENT, series, NOW, history_start=WINDOW - 9 * DAY)
    assert finding.numbers["baseline_method"] == "same_hour_of_day_fallback"


def weekly_pattern(h: datetime) -> D:
    """Mondays at 3× the weekend, weekdays at 2×, with a ±3% wiggle so no two weeks are identical."""
    level = {0: D("6.00"), 5: D("2.00"), 6: D("2.00")}.get(h.weekday(), D("4.00"))
    wiggle = (D("0.97"), D("1.00"), D("1.03"))[(h.day + h.hour) % 3]
    return (level * wiggle).quantize(D("0.01"))


def test_weekly_seasonality_no_false_alarm_on_the_fifth_monday():
    # Five Mondays: Oct 19, 26, Nov 2, 9, 16. Every hour of Nov 16 is compared with the same hour on the
    # four previous Mondays (~$6), not with Sunday ($2): at most 1.03 / 0.97 - 1 = +6%, silent.
    fifth_monday = datetime(2026, 11, 16, tzinfo=UTC)
    series = hours(T0, fifth_monday + DAY, weekly_pattern, calls=40)
    for hour in range(24):
        now = fifth_monday + (hour + 1) * HOUR + timedelta(minutes=5)
        assert cost_spike(Scope("project"), series, now) is None, f"false alarm at {hour}:00"


def test_slow_drift_is_not_a_cost_spike():
    # +2%/day compounding for 35 days. Window day 35 vs days 28, 21, 14, 7 (same hour of week):
    # median = 4 × (1.02^21 + 1.02^14) / 2, so current / median = 2 / (1.02^-14 + 1.02^-21)
    # = 2 / (0.7579 + 0.6598) = 1.411 -> +41%, under +50%: silent (the weekly drift detectors catch this).
    def drifting(h: datetime) -> D:
        return (D("4.00") * D("1.02") ** ((h - T0).days)).quantize(D("0.01"))

    assert cost_spike(AGENT, hours(T0, WINDOW + HOUR, drifting), NOW) is None


# ---------------------------------------------------------------------------- weekly detectors
def weeks(*rows: tuple[int, int, str]) -> list[WeeklyWorkflowStats]:
    """(runs, successful runs, cost) per week, oldest first, weeks starting Monday Nov 9."""
    start = date(2026, 11, 9)
    return [WeeklyWorkflowStats(start + i * WEEK, runs, ok, D(cost)) for i, (runs, ok, cost) in enumerate(rows)]


WORKFLOW = Scope("workflow", "support-bot")


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        # +2%/day for a week: 100.00 × 1.02^7 = 114.87; 114.87 / 40 = 2.87175 vs 100 / 40 = 2.50 -> +14.87%
        (weeks((50, 40, "100.00"), (50, 40, "114.87")), (D("2.87175"), D("2.5"))),
        # 110 / 40 = 2.75 = 2.50 × 1.10 exactly: not more than +10%
        (weeks((50, 40, "100.00"), (50, 40, "110.00")), None),
        # same cost, fewer successes: 100 / 32 = 3.125 vs 2.50 -> +25% (failed runs still cost)
        (weeks((50, 40, "100.00"), (50, 32, "100.00")), (D("3.125"), D("2.5"))),
        # 9 successful runs this week: below the 10 minimum, whatever the ratio
        (weeks((50, 40, "100.00"), (20, 9, "100.00")), None),
        # no previous week to compare with
        (weeks((50, 40, "100.00"))[:1], None),
    ],
)
def test_cost_per_success_drift(series, expected):
    finding = cost_per_success_drift(WORKFLOW, series)
    if expected is None:
        assert finding is None
        return
    assert (finding.observed, finding.baseline) == expected
    assert finding.period_key == "2026-W47"  # Nov 16 2026 is in ISO week 47


def test_cost_per_success_uses_the_week_right_before():
    # The latest week (Nov 23) has no week Nov 16 in the list: no comparison, even with Nov 9 there.
    series = [
        WeeklyWorkflowStats(date(2026, 11, 9), 50, 40, D(100)),
        WeeklyWorkflowStats(date(2026, 11, 23), 50, 40, D(200)),
    ]
    assert cost_per_success_drift(WORKFLOW, series) is None


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (weeks((100, 90, "1"), (100, 79, "1")), (0.79, 0.90)),  # 90% -> 79%: 11 points
        (weeks((100, 90, "1"), (100, 80, "1")), None),  # exactly 10 points: not more
        (weeks((100, 90, "1"), (19, 5, "1")), None),  # 19 runs < 20
        (weeks((100, 98, "1"), (100, 99, "1")), None),  # improving
    ],
)
def test_success_rate_drop(series, expected):
    finding = success_rate_drop(WORKFLOW, series)
    if expected is None:
        assert finding is None
        return
    assert (finding.observed, finding.baseline) == pytest.approx(expected)
    assert finding.numbers["drop_points"] == pytest.approx(11.0)
    assert finding.period_key == "2026-W47"


# ----------------------------------------------------------------------- pooled-rate detectors
BASE_DAYS = [datetime(2026, 11, 15, tzinfo=UTC) + i * DAY for i in range(7)]  # Nov 15..21: the baseline
YESTERDAY = datetime(2026, 11, 22, tzinfo=UTC)  # the last complete day at NOW


@pytest.mark.parametrize(
    ("tokens", "units", "expected"),
    [
        (250_000, 100, (2500.0, 2000.0)),  # 2,500 per run vs 200,000 / 100 = 2,000: +25%
        (240_000, 100, None),  # 2,400 = 2,000 × 1.2 exactly
        (500_000, 19, None),  # 19 runs < 20
    ],
)
def test_token_efficiency(tokens, units, expected):
    points = [TokenPoint(d, 200_000, 100) for d in BASE_DAYS] + [TokenPoint(YESTERDAY, tokens, units)]
    finding = token_efficiency(WORKFLOW, points, NOW)
    if expected is None:
        assert finding is None
        return
    assert (finding.observed, finding.baseline) == expected
    assert finding.period_key == "2026-11-22"
    assert finding.numbers["baseline_units"] == 700


def test_token_efficiency_slow_drift_stays_silent():
    # Tokens per call +2%/day: yesterday (day 34 from T0) vs days 27..33 pooled (same calls each day):
    # 1.02^34 / mean(1.02^27..33) = 7 / sum(1.02^-k, k=1..7) = 7 / 6.472 = 1.0816 -> +8%: under +20%.
    points = [TokenPoint(T0 + i * DAY, int(100_000 * 1.02**i), 100) for i in range(35)]
    assert token_efficiency(WORKFLOW, points, NOW, TokenEfficiencyParams(per="call")) is None


def test_token_points_from_hourly_counts_prompt_and_output():
    point = HourlyPoint(YESTERDAY, calls=4, prompt_tokens=1000, output_tokens=200, input_tokens=300)
    assert token_points_from_hourly([point]) == [TokenPoint(YESTERDAY, 1200, 4)]


@pytest.mark.parametrize(
    ("cache_read", "expected"),
    [(490_000, (0.49, 0.60)), (500_000, None), (700_000, None)],  # 60% -> 49%: 11 points; 10 exactly; a rise
)
def test_cache_hit_rate_drop(cache_read, expected):
    # Daily buckets (midnight) work for a 24 h window. Baseline: 7 × 600,000 / 7 × 1,000,000 = 60%.
    points = [HourlyPoint(d, calls=500, prompt_tokens=1_000_000, cache_read_tokens=600_000) for d in BASE_DAYS]
    points.append(HourlyPoint(YESTERDAY, calls=500, prompt_tokens=1_000_000, cache_read_tokens=cache_read))
    finding = cache_hit_rate_drop(AGENT, points, NOW)
    if expected is None:
        assert finding is None
        return
    assert (finding.observed, finding.baseline) == pytest.approx(expected)
    assert finding.numbers["drop_points"] == pytest.approx(11.0)


def test_cache_hit_rate_drop_needs_prompt_volume():
    points = [HourlyPoint(d, calls=5, prompt_tokens=10_000, cache_read_tokens=9_000) for d in BASE_DAYS]
    points.append(HourlyPoint(YESTERDAY, calls=5, prompt_tokens=10_000, cache_read_tokens=0))  # 90% -> 0%
    assert cache_hit_rate_drop(AGENT, points, NOW) is None
    assert cache_hit_rate_drop(AGENT, points, NOW, CacheHitParams(min_prompt_tokens=1, min_baseline_prompt_tokens=1))


@pytest.mark.parametrize(
    ("frontier_calls", "frontier_cost", "expected"),
    [
        # calls 15% (+5 points) but cost 5.50 / 10 = 55% vs 4 / 10 = 40%: +15 points on cost
        (30, "5.50", ("cost", 0.55, 0.40)),
        # calls 21% vs 10%: +11 points on calls
        (42, "4.00", ("calls", 0.21, 0.10)),
        # calls 20% (+10 exactly) and cost 45% (+5): silent
        (40, "4.50", None),
    ],
)
def test_model_routing_shift(frontier_calls, frontier_cost, expected):
    # Baseline per day: 200 calls, 20 frontier (10%); $10.00 cost, $4.00 frontier (40%).
    points = [HourlyPoint(d, D("10"), 200, frontier_calls=20, frontier_cost=D("4")) for d in BASE_DAYS]
    points.append(HourlyPoint(YESTERDAY, D("10"), 200, frontier_calls=frontier_calls, frontier_cost=D(frontier_cost)))
    finding = model_routing_shift(AGENT, points, NOW)
    if expected is None:
        assert finding is None
        return
    assert (finding.numbers["measure"], finding.observed, finding.baseline) == pytest.approx(expected)


def rate_series(base_count: int, count: int, field: str, calls: int = 100) -> list[HourlyPoint]:
    """168 baseline hours of 100 calls with `base_count` errors/retries each, then the window hour."""
    base = [HourlyPoint(WINDOW - (i + 1) * HOUR, calls=100, **{field: base_count}) for i in range(168)]
    return [*base, HourlyPoint(WINDOW, calls=calls, **{field: count})]


@pytest.mark.parametrize(
    ("base_count", "count", "calls", "fires"),
    [
        (1, 7, 100, True),  # 1% -> 7%: above max(1% + 5 points, 2 × 1%) = 6%
        (1, 6, 100, False),  # exactly 6%
        (30, 34, 100, False),  # noisy 30% baseline: the bar is max(35%, 60%) = 60%
        (30, 61, 100, True),
        (1, 5, 19, False),  # 5 of 19 calls = 26%, but fewer than 20 calls
    ],
)
def test_error_rate_rise(base_count, count, calls, fires):
    finding = error_rate_rise(AGENT, rate_series(base_count, count, "errors", calls), NOW)
    assert (finding is not None) == fires
    if fires:
        assert finding.observed == pytest.approx(count / calls)
        assert finding.baseline == pytest.approx(base_count / 100)
        assert finding.period_key == "2026-11-23T13"


def test_retry_rate_rise():
    # 2% -> 9%: above max(7%, 4%); 7% exactly is silent
    finding = retry_rate_rise(AGENT, rate_series(2, 9, "retries"), NOW)
    assert finding.detector == "retry_rate_rise" and finding.observed == pytest.approx(0.09)
    assert "9 of 100" in finding.title
    assert retry_rate_rise(AGENT, rate_series(2, 7, "retries"), NOW) is None
    # no baseline volume (a new agent): nothing to compare with
    assert retry_rate_rise(AGENT, rate_series(2, 50, "retries")[-1:], NOW, RateRiseParams()) is None


# ---------------------------------------------------------------------------- runs and models
START = datetime(2026, 11, 12, 9, tzinfo=UTC)


def run(steps: int = 12, cost: str = "0.40", minutes: float = 3, status: str = "closed") -> RunSnapshot:
    end = START + timedelta(minutes=minutes)
    return RunSnapshot("r-1", "support-bot", status, steps, steps // 2, D(cost), START, end, ("planner", "critic"))


@pytest.mark.parametrize(
    ("snapshot", "caps_named"),
    [
        (run(), []),
        (run(steps=50, cost="5.00", minutes=30), []),  # at every cap, over none
        (run(steps=51), ["step cap"]),
        (run(cost="5.01"), ["cost cap"]),
        (run(minutes=31), ["duration cap"]),
        (run(steps=400, cost="12.00", minutes=45), ["duration cap", "step cap", "cost cap"]),
        # two agents talking for 11 days on a cheap model, few steps per hour logged: duration alone fires
        (run(steps=48, cost="4.00", minutes=11 * 24 * 60, status="open"), ["duration cap"]),
    ],
)
def test_runaway_run(snapshot, caps_named):
    finding = runaway_run(snapshot, snapshot.last_seen_at + timedelta(minutes=2))
    if not caps_named:
        assert finding is None
        return
    assert all(cap in finding.title for cap in caps_named)
    assert finding.period_key == "r-1"
    assert finding.scope == Scope("workflow", "support-bot")


def test_eleven_day_run_is_critical_while_running():
    snapshot = run(steps=48, cost="4.00", minutes=11 * 24 * 60, status="open")
    finding = runaway_run(snapshot, snapshot.last_seen_at + timedelta(minutes=2))
    assert finding.title == (
        "Runaway run: support-bot run r-1 between planner, critic is over its duration cap "
        "(11 days 0 h active, cap 30 min), still running"
    )
    assert finding.severity == Severity.CRITICAL
    assert finding.numbers["duration_seconds"] == 11 * 86400
    # seen an hour ago: no longer burning, a warning
    assert runaway_run(snapshot, snapshot.last_seen_at + HOUR).severity == Severity.WARNING
    # caps are parameters
    assert runaway_run(snapshot, NOW, RunCaps(max_duration=timedelta(days=12))) is None


def test_unpriced_model():
    finding = unpriced_model(Scope("project"), "acme-large-2", date(2026, 11, 20), 1234, 5_600_000)
    assert finding.period_key == "acme-large-2"
    assert finding.title == (
        "Unpriced model: acme-large-2 has 1,234 calls (5,600,000 tokens) in project since 2026-11-20 with no "
        "price; their cost is invisible"
    )
    assert unpriced_model(Scope("project"), "acme-large-2", NOW, 0, 0) is None
