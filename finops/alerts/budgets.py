"""Budgets: which thresholds a period's spend has crossed, and whether it is on course to overspend (pure).

- Periods are half-open UTC `[start, end)`: a calendar day, a week from Monday 00:00, a calendar month.
- `budget_findings` returns one finding per threshold the spend has reached (spend >= amount × t%),
  every time it is called; the caller dedups on `period_key` = f"{period start date}:{threshold}" so each
  threshold alerts once per period. A period's start date is the same for a week and a month that both
  start on a Monday the 1st: keep budgets apart by rule or budget name in the caller's dedup key.
- Forecast: projected = spend so far + average daily spend × days left (fractional). The average is over
  the last 7 entries of `daily_spend` (complete days, oldest first; they may reach into the previous
  period, which makes early-period forecasts meaningful), else spend so far / days elapsed (at least one
  day, so an hour of data is not extrapolated to a month). It fires while spend < amount <= projected,
  with period_key = f"{period start date}:forecast"; once 100% is really crossed, the threshold speaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from finops.alerts.baseline import dec, fmt_money, utc
from finops.alerts.types import Finding, Scope, Severity
from finops.errors import FinopsError

PERIODS = ("month", "week", "day")
FORECAST_DAYS = 7
DAY = timedelta(days=1)


class BudgetError(FinopsError, ValueError):
    """A budget that cannot be evaluated: unknown period, non-positive amount, bad thresholds."""


@dataclass(frozen=True, slots=True)
class Budget:
    name: str
    scope: Scope
    amount: Decimal
    period: str  # month | week | day
    thresholds: tuple[int, ...] = (50, 80, 100)  # percent of amount

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise BudgetError(f"budget {self.name!r}: period must be one of {', '.join(PERIODS)}")
        if self.amount <= 0:
            raise BudgetError(f"budget {self.name!r}: amount must be positive")
        if not self.thresholds or any(t <= 0 for t in self.thresholds):
            raise BudgetError(f"budget {self.name!r}: thresholds must be positive percentages")


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The period containing `now`, as half-open UTC [start, end)."""
    midnight = utc(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return midnight, midnight + DAY
    if period == "week":
        start = midnight - timedelta(days=midnight.weekday())  # Monday is weekday 0
        return start, start + timedelta(weeks=1)
    if period == "month":
        start = midnight.replace(day=1)
        end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        return start, end
    raise BudgetError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def budget_findings(
    budget: Budget, spend_so_far: Decimal, now: datetime, daily_spend: Sequence[Decimal] = ()
) -> list[Finding]:
    """Findings for every threshold reached this period, plus a forecast finding when on course to overspend."""
    start, end = period_bounds(budget.period, now)
    findings = [
        _threshold_finding(budget, t, spend_so_far, start, end)
        for t in sorted(set(budget.thresholds))
        if spend_so_far >= budget.amount * dec(t) / 100
    ]
    forecast = _forecast_finding(budget, spend_so_far, utc(now), start, end, daily_spend)
    return findings + ([forecast] if forecast else [])


def _label(budget: Budget, start: datetime) -> str:
    when = {"month": f"{start:%b %Y}", "week": f"week of {start:%b} {start.day}", "day": f"{start:%b} {start.day}"}
    return f"Budget {budget.name!r} ({budget.scope.label()}, {when[budget.period]})"


def _threshold_finding(budget: Budget, threshold: int, spend: Decimal, start: datetime, end: datetime) -> Finding:
    share = float(spend / budget.amount * 100)
    return Finding(
        detector="budget",
        scope=budget.scope,
        severity=Severity.CRITICAL if threshold >= 100 else Severity.WARNING if threshold >= 80 else Severity.INFO,
        title=(
            f"{_label(budget, start)} at {threshold}%: {fmt_money(spend)} of {fmt_money(budget.amount)} spent "
            f"({share:.0f}%)"
        ),
        observed=spend,
        baseline=budget.amount,
        threshold=f"{threshold}% of {fmt_money(budget.amount)} per {budget.period}",
        hint=(
            "See which workflows, models and teams drove this period's spend (chargeback by workflow); "
            f"the period resets on {end:%Y-%m-%d}."
        ),
        period_key=f"{start.date().isoformat()}:{threshold}",
        numbers=_numbers(budget, spend, start, end) | {"threshold_pct": threshold, "spent_pct": share},
    )


def _forecast_finding(
    budget: Budget, spend: Decimal, now: datetime, start: datetime, end: datetime, daily_spend: Sequence[Decimal]
) -> Finding | None:
    if spend >= budget.amount:
        return None  # already over: the 100% threshold finding says so
    average, basis = _daily_average(spend, now, start, daily_spend)
    left = _days(end - now)
    projected = spend + average * left
    if projected < budget.amount:
        return None
    runs_out = now + timedelta(days=float((budget.amount - spend) / average))  # average > 0 here
    return Finding(
        detector="budget",
        scope=budget.scope,
        severity=Severity.WARNING,
        title=(
            f"{_label(budget, start)} on course to run out around {runs_out:%b} {runs_out.day}: "
            f"{fmt_money(projected)} projected vs {fmt_money(budget.amount)}"
        ),
        observed=projected,
        baseline=budget.amount,
        threshold=f"projected spend at period end reaches 100% of {fmt_money(budget.amount)} per {budget.period}",
        hint=(
            f"At {fmt_money(average)} a day the budget runs out before {end:%Y-%m-%d}: look at what grew "
            "in the last days (cost by workflow and model) or raise the budget."
        ),
        period_key=f"{start.date().isoformat()}:forecast",
        numbers=_numbers(budget, spend, start, end)
        | {
            "projected": str(projected),
            "average_daily": str(average),
            "average_basis": basis,
            "days_left": str(left),
            "expected_exhaustion": runs_out.isoformat(),
        },
    )


def _daily_average(
    spend: Decimal, now: datetime, start: datetime, daily_spend: Sequence[Decimal]
) -> tuple[Decimal, str]:
    recent = list(daily_spend)[-FORECAST_DAYS:]
    if recent:
        return sum(recent, Decimal(0)) / len(recent), f"last {len(recent)} days"
    return spend / max(_days(now - start), Decimal(1)), "period so far"


def _days(span: timedelta) -> Decimal:
    """A timedelta in days, exactly (microsecond integer arithmetic, no float)."""
    return Decimal(span // timedelta(microseconds=1)) / Decimal(86_400_000_000)


def _numbers(budget: Budget, spend: Decimal, start: datetime, end: datetime) -> dict[str, object]:
    return {
        "unit": "usd",
        "budget": budget.name,
        "period": budget.period,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "amount": str(budget.amount),
        "spent": str(spend),
    }
