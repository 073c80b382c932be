"""Robust baselines, window arithmetic and the number formatting findings share (pure, no I/O).

- `median` / `mad` keep the type they are given: Decimals in, Decimal out (money stays exact; the
  midpoint of two Decimals is exact at the default 28 digits), floats in, float out (rates).
- `robust_spread` is the MAD scaled by 1.4826, which makes it estimate the standard deviation of normal
  data, so "k × spread" reads like "k sigma" while one outlier week cannot inflate it.
- Windows are aligned to a UTC grid of their own length (1 h windows end on the hour, 24 h windows at
  midnight) and only complete windows are judged: the current bucket is still filling, and a fixed grid
  gives every window a stable start that doubles as the alert's dedup key.
- Rate comparisons use `Fraction` so that a rule such as "more than 10 points" is exact at its boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

Num = TypeVar("Num", Decimal, float)

MAD_TO_SIGMA = Decimal("1.4826")
CENT = Decimal("0.01")
SMALL = Decimal("0.0001")


def median(values: Sequence[Num]) -> Num:
    """Middle value; the mean of the two middle values for an even count."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def mad(values: Sequence[Num]) -> Num:
    """Median absolute deviation from the median (unscaled)."""
    centre = median(values)
    return median([abs(v - centre) for v in values])


def robust_spread(values: Sequence[Num]) -> Num:
    """MAD × 1.4826: a standard-deviation estimate that one outlier cannot move."""
    spread = mad(values)
    if isinstance(spread, Decimal):
        return spread * MAD_TO_SIGMA
    return spread * float(MAD_TO_SIGMA)


def dec(value: float | int | Decimal) -> Decimal:
    """A parameter as Decimal, through str so 0.1 stays 0.1 (not its binary approximation)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def frac(value: float | int | Decimal) -> Fraction:
    """A parameter as an exact Fraction (same reason as `dec`)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Fraction | None:
    """Exact numerator / denominator, None when there is nothing to divide by."""
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


def pct_change(observed: Decimal | Fraction, baseline: Decimal | Fraction) -> float | None:
    """Relative change in percent; None when the baseline is zero (any rise is infinite)."""
    if not baseline:
        return None
    return float((observed - baseline) / baseline * 100)


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass timezone-aware UTC times")
    return moment.astimezone(UTC)


def aligned_window(now: datetime, hours: int) -> tuple[datetime, datetime]:
    """The last complete `hours`-long window before `now` on a UTC grid: [start, end)."""
    if hours < 1:
        raise ValueError("window must be at least one hour")
    epoch_hours = int(utc(now).timestamp() // 3600)
    end = datetime.fromtimestamp((epoch_hours - epoch_hours % hours) * 3600, UTC)
    return end - timedelta(hours=hours), end


def period_key(start: datetime, hours: int) -> str:
    """Dedup key of a window: its start day for whole-day windows, else its start hour."""
    start = utc(start)
    return start.date().isoformat() if hours % 24 == 0 else start.strftime("%Y-%m-%dT%H")


def iso_week_key(day: date) -> str:
    """ISO week of a date (or datetime), e.g. 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def fmt_money(amount: Decimal) -> str:
    """$1,234.50 from one dollar up; four decimals below (per-call and per-run costs are small)."""
    step = CENT if abs(amount) >= 1 else SMALL
    text = f"{abs(amount).quantize(step, rounding=ROUND_HALF_UP):,}"
    if step is SMALL:
        text = text.rstrip("0")
        text = text + "0" * max(0, 2 - len(text.split(".")[1]))
    return f"-${text}" if amount < 0 else f"${text}"


def fmt_pct(change: float | None) -> str:
    """+180% (rounded), or 'new' when there was nothing before."""
    return "new" if change is None else f"{change:+.0f}%"


def fmt_share(value: Fraction | float) -> str:
    """A rate as a percentage with one decimal: 42.5%."""
    return f"{float(value) * 100:.1f}%"


def fmt_hours(hours: int) -> str:
    if hours == 1:
        return "hour"
    if hours % 24 == 0:
        return "day" if hours == 24 else f"{hours // 24} days"
    return f"{hours} hours"


def fmt_duration(span: timedelta) -> str:
    """11 days 3 h, 2 h 5 min, 31 min: the two largest units a reader cares about."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"
