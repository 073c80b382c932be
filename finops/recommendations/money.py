"""Money helpers every recommendation rule shares: scale a window to a month, round to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from finops.recommendations.types import MONTH_DAYS

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly(amount: Decimal, days: Decimal) -> Decimal:
    """`amount` seen over `days`, scaled to a 30-day month (not rounded)."""
    return amount * MONTH_DAYS / days


def money(amount: Decimal) -> str:
    """Evidence money: a string of the amount in cents."""
    return str(cents(amount))
