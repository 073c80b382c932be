"""Budget periods, thresholds and forecasts (pure). Expected numbers are worked out in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from finops.alerts.budgets import Budget, BudgetError, budget_findings, period_bounds
from finops.alerts.types import Scope, Severity

SUPPORT = Scope("team", "support")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("week", utc(2026, 11, 25, 10), utc(2026, 11, 23), utc(2026, 11, 30)),  # Wednesday -> Monday 23rd
        ("week", utc(2026, 11, 23), utc(2026, 11, 23), utc(2026, 11, 30)),  # Monday 00:00 starts its week
        ("week", utc(2026, 11, 22, 23, 59), utc(2026, 11, 16), utc(2026, 11, 23)),  # Sunday: previous Monday
        ("week", utc(2026, 12, 31, 8), utc(2026, 12, 28), utc(2027, 1, 4)),  # across the year end
        ("month", utc(2026, 11, 30, 23, 59), utc(2026, 11, 1), utc(2026, 12, 1)),
        ("month", utc(2026, 12, 15), utc(2026, 12, 1), utc(2027, 1, 1)),
        ("month", utc(2028, 2, 29, 12), utc(2028, 2, 1), utc(2028, 3, 1)),
        ("day", utc(2026, 11, 25, 10, 30), utc(2026, 11, 25), utc(2026, 11, 26)),
        # another zone is converted first: 01:00 at +02:00 on Monday is Sunday 23:00 UTC
        ("week", datetime(2026, 11, 23, 1, tzinfo=timezone(timedelta(hours=2))), utc(2026, 11, 16), utc(2026, 11, 23)),
    ],
)  # fmt: skip
def test_period_bounds(period, now, start, end):
    assert period_bounds(period, now) == (start, end)
    assert start.weekday() == 0 or period != "week"


def test_budget_validation():
    with pytest.raises(BudgetError):
        Budget("b", SUPPORT, D(100), "quarter")
    with pytest.raises(BudgetError):
        Budget("b", SUPPORT, D(0), "month")
    with pytest.raises(BudgetError):
        period_bounds("year", utc(2026, 1, 1))
    with pytest.raises(ValueError):  # naive times are refused
        period_bounds("day", datetime(2026, 1, 1))


def daily_amount(day: int) -> D:
    """November spend: $80/day for days 1..15, then $140/day."""
    return D(80) if day <= 15 else D(140)


def test_thresholds_fire_once_each_across_a_month_and_the_forecast_comes_first():
    # Budget $3,000 for November, evaluated at 00:30 each day with the spend of the complete days before.
    # Spend after n days: 80n (n <= 15), then 1,200 + 140(n - 15).
    #   50% = 1,500: n = 17 -> 1,480, n = 18 -> 1,620: first seen Nov 19
    #   80% = 2,400: n = 23 -> 2,320, n = 24 -> 2,460: first seen Nov 25
    #  100% = 3,000: n = 27 -> 2,880, n = 28 -> 3,020: first seen Nov 29
    # Forecast = spend + mean(last 7 days) × days left (31 - d - 1/48):
    #   days 2..16: 80(d-1) + 80(31-d) - 80/48 = 2,398.33: no
    #   Nov 17: 1,340 + 620/7 × 13.979 = 2,578.15; Nov 18: 1,480 + 680/7 × 12.979 = 2,740.83;
    #   Nov 19: 1,620 + 740/7 × 11.979 = 2,886.37; Nov 20: 1,760 + 800/7 × 10.979 = 3,014.76 -> fires,
    #   nine days before the 100% crossing.
    budget = Budget("support monthly", SUPPORT, D(3000), "month")
    seen: set[str] = set()
    first_day: dict[str, int] = {}
    for day in range(1, 31):
        complete = [daily_amount(d) for d in range(1, day)]
        findings = budget_findings(budget, sum(complete, D(0)), utc(2026, 11, day, 0, 30), complete)
        keys = {f.period_key for f in findings}
        new = keys - seen
        assert len(new) <= 1, f"Nov {day}: {new}"  # this spend curve crosses one mark per day at most
        for key in new:
            first_day[key] = day
        seen |= keys
        if day == 20:
            forecast = next(f for f in findings if f.period_key.endswith("forecast"))
            assert forecast.observed.quantize(D("0.01")) == D("3014.76")
            assert forecast.numbers["average_basis"] == "last 7 days"
    assert first_day == {"2026-11-01:50": 19, "2026-11-01:forecast": 20, "2026-11-01:80": 25, "2026-11-01:100": 29}


def test_a_jump_crosses_two_thresholds_at_once():
    # $850 of $1,000 at once: 50% and 80% both reached (one finding each), 100% not.
    budget = Budget("b", SUPPORT, D(1000), "week")
    findings = budget_findings(budget, D(850), utc(2026, 11, 25, 12), [D(0)] * 6 + [D(850)])
    thresholds = [f for f in findings if not f.period_key.endswith("forecast")]
    assert [f.period_key for f in thresholds] == ["2026-11-23:50", "2026-11-23:80"]
    assert [f.severity for f in thresholds] == [Severity.INFO, Severity.WARNING]
    assert thresholds[1].title == "Budget 'b' (team support, week of Nov 23) at 80%: $850.00 of $1,000.00 spent (85%)"


@pytest.mark.parametrize(
    ("spend", "daily", "now", "fires"),
    [
        # 100 + 50/day × 4.5 days left (Wed 12:00 -> Mon) = 325 < 500
        (D(100), [D(50)] * 7, utc(2026, 11, 25, 12), False),
        # 100 + 90/day × 4.5 = 505 >= 500
        (D(100), [D(90)] * 7, utc(2026, 11, 25, 12), True),
        # no daily history: the period so far, 100 over 2.5 days = 40/day -> 100 + 180 = 280
        (D(100), [], utc(2026, 11, 25, 12), False),
        # no history, an hour into the week: 60 spent is averaged over at least one day -> 60 + 60 × 6.96 = 477
        (D(60), [], utc(2026, 11, 23, 1), False),
        # already over: the 100% threshold speaks, not the forecast
        (D(600), [D(90)] * 7, utc(2026, 11, 25, 12), False),
    ],
)
def test_forecast(spend, daily, now, fires):
    findings = budget_findings(Budget("b", SUPPORT, D(500), "week"), spend, now, daily)
    forecasts = [f for f in findings if f.period_key == "2026-11-23:forecast"]
    assert len(forecasts) == int(fires)
    if fires:
        assert forecasts[0].observed == D(505)
        assert forecasts[0].severity == Severity.WARNING
        # runs out after (500 - 100) / 90 = 4.44 days: Sunday Nov 29
        assert "run out around Nov 29" in forecasts[0].title
