"""Shared-cost allocation for the chargeback report (the OpenCost model). Pure: data in, data out.

Every group in the period carries its direct cost (the priced calls it owns). Shared costs (spend without an
owner) are split across the groups that had usage in the period, each by its own method:

- ``proportional``: in proportion to each group's exact direct cost; if every direct cost is zero, evenly;
- ``even``: the same share for every group;
- ``fixed``: the configured percentages, which must name only groups with usage and sum to exactly 100.

A group has usage when any of its counts, tokens or its direct cost is non-zero. A group without usage keeps its
line but receives no shared cost, and a percentage naming it is an error.

Rounding rule (money reconciles to the cent):

1. The period total is the sum of the exact direct costs rounded to the cent (half to even), plus every shared
   cost's amount rounded to the cent (half to even).
2. Direct costs are rounded to the cent per group by the largest-remainder method: each group first gets its
   exact direct cost rounded down to the cent, then the cents still missing to reach the rounded sum of the
   exact direct costs go, one each, to the groups with the largest dropped remainders.
3. Each shared cost, rounded to the cent (half to even), is split into whole cents by the largest-remainder
   method: each group first gets its exact share rounded down to the cent, then the cents left over go, one
   each, to the groups with the largest dropped remainders.
4. Ties between equal remainders go to the group listed first in the usages given to `allocate`.
5. A line's total is its rounded direct cost plus the cents it received from each shared cost, so the line
   totals add up exactly to the period total, and the parts of each shared cost add up exactly to its rounded
   amount. No share differs from its exact value by a cent or more.

The remainders are computed with exact rational arithmetic (`fractions.Fraction`), never with a limited
`decimal` precision, so ties are real ties and the result depends only on the input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from finops.errors import FinopsError
from finops.reports.types import ChargebackLine, ChargebackReport, GroupUsage, Method, SharedCost

__all__ = ["AllocationError", "allocate"]

HUNDRED = Fraction(100)


class AllocationError(FinopsError, ValueError):
    """The usages or shared costs given cannot be allocated (bad percentages, nowhere to go, ...)."""


def allocate(
    usages: Sequence[GroupUsage],
    shared: Sequence[SharedCost],
    *,
    period_start: datetime,
    period_end: datetime,
    group_by: Sequence[str],
    currency: str = "USD",
) -> ChargebackReport:
    """Build the chargeback report of `[period_start, period_end)`: one line per usage, in the order given."""
    group_by = tuple(group_by)
    _check_period(period_start, period_end)
    _check_usages(usages, group_by)
    _check_shared(shared)

    direct_cents = _round_direct(usages)
    recipients = [index for index, usage in enumerate(usages) if _has_usage(usage)]
    allocations: list[dict[str, int]] = [{} for _ in usages]
    shared_cents_total = 0
    for cost in shared:
        cents = _round_half_even_cents(Fraction(cost.amount))
        shared_cents_total += cents
        parts = _split_shared(cost, cents, usages, recipients)
        for index in range(len(usages)):
            allocations[index][cost.name] = parts.get(index, 0)

    lines = []
    for index, usage in enumerate(usages):
        allocated_cents = sum(allocations[index].values())
        lines.append(
            ChargebackLine(
                usage=usage,
                allocated=_money(allocated_cents),
                direct=_money(direct_cents[index]),
                total=_money(direct_cents[index] + allocated_cents),
                allocations={name: _money(cents) for name, cents in allocations[index].items()},
            )
        )
    period_total_cents = _round_half_even_cents(sum((Fraction(u.direct_cost) for u in usages), Fraction(0)))
    period_total_cents += shared_cents_total
    return ChargebackReport(
        period_start=period_start,
        period_end=period_end,
        group_by=group_by,
        currency=currency,
        lines=lines,
        period_total=_money(period_total_cents),
    )


def _split_shared(cost: SharedCost, cents: int, usages: Sequence[GroupUsage], recipients: list[int]) -> dict[int, int]:
    """Usage index -> cents of this shared cost."""
    if cost.method is Method.FIXED:
        weights = _fixed_weights(cost, usages, recipients)
    elif cents == 0:
        return {}
    elif not recipients:
        raise AllocationError(
            f"shared cost {cost.name!r} ({cost.amount}) has no group to go to: no group has usage in the period"
        )
    elif cost.method is Method.PROPORTIONAL and any(usages[index].direct_cost != 0 for index in recipients):
        weights = {index: Fraction(usages[index].direct_cost) for index in recipients}
    else:  # even, or proportional when every direct cost is zero
        weights = dict.fromkeys(recipients, Fraction(1))
    order = list(weights)
    parts = _largest_remainder(cents, [weights[index] for index in order])
    return dict(zip(order, parts, strict=True))


def _fixed_weights(cost: SharedCost, usages: Sequence[GroupUsage], recipients: list[int]) -> dict[int, Fraction]:
    for group, percent in cost.percentages.items():
        if not percent.is_finite() or percent < 0:
            raise AllocationError(f"percentage {percent} of group {group!r} in shared cost {cost.name!r} is invalid")
    total = sum((Fraction(percent) for percent in cost.percentages.values()), Fraction(0))
    if total != HUNDRED:
        shown = sum(cost.percentages.values(), Decimal(0))
        raise AllocationError(f"percentages of shared cost {cost.name!r} sum to {shown}, not 100")
    by_group = {usages[index].group: index for index in recipients}
    weights: dict[int, Fraction] = {}
    for group, percent in cost.percentages.items():
        if group not in by_group:
            raise AllocationError(
                f"shared cost {cost.name!r} gives {percent}% to group {group!r}, which has no usage in the period"
            )
        weights[by_group[group]] = Fraction(percent)
    # Keep the usages' order so that ties go to the group listed first, as with the other methods.
    return {index: weights[index] for index in sorted(weights)}


def _round_direct(usages: Sequence[GroupUsage]) -> list[int]:
    """Each group's direct cost in cents, adding up to the rounded sum of the exact direct costs."""
    exact = [Fraction(usage.direct_cost) * HUNDRED for usage in usages]
    floors = [math.floor(value) for value in exact]
    missing = _round_half_even(sum(exact, Fraction(0))) - sum(floors)
    return _give_cents(floors, [value - floor for value, floor in zip(exact, floors, strict=True)], missing)


def _largest_remainder(cents: int, weights: list[Fraction]) -> list[int]:
    """Split `cents` in proportion to `weights` (non-negative, positive sum) into whole cents that add up."""
    total_weight = sum(weights, Fraction(0))
    exact = [cents * weight / total_weight for weight in weights]
    floors = [math.floor(value) for value in exact]
    return _give_cents(floors, [value - floor for value, floor in zip(exact, floors, strict=True)], cents - sum(floors))


def _give_cents(floors: list[int], remainders: list[Fraction], missing: int) -> list[int]:
    """One more cent to each of the `missing` largest remainders, ties to the earliest position."""
    # 0 <= missing <= number of non-zero remainders, so a share that was exact never gets a cent.
    result = list(floors)
    for index in sorted(range(len(floors)), key=lambda i: (-remainders[i], i))[:missing]:
        result[index] += 1
    return result


def _round_half_even(value: Fraction) -> int:
    return round(value)  # Fraction.__round__ rounds half to even


def _round_half_even_cents(amount: Fraction) -> int:
    return _round_half_even(amount * HUNDRED)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _has_usage(usage: GroupUsage) -> bool:
    counts = (
        usage.calls,
        usage.workflows,
        usage.successful_workflows,
        usage.input_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.output_tokens,
        usage.reasoning_tokens,
    )
    return any(counts) or usage.direct_cost != 0


def _check_period(period_start: datetime, period_end: datetime) -> None:
    if period_start.tzinfo is None or period_end.tzinfo is None:
        raise AllocationError("the period's start and end must be timezone-aware (UTC)")
    if period_start >= period_end:
        raise AllocationError(f"the period must end after it starts ({period_start} >= {period_end})")


def _check_usages(usages: Sequence[GroupUsage], group_by: tuple[str, ...]) -> None:
    seen: set[tuple[str | None, ...]] = set()
    for usage in usages:
        if len(usage.group) != len(group_by):
            raise AllocationError(f"group {usage.group!r} does not have one value per group_by column {group_by!r}")
        if usage.group in seen:
            raise AllocationError(f"group {usage.group!r} appears more than once")
        seen.add(usage.group)
        if not usage.direct_cost.is_finite() or usage.direct_cost < 0:
            raise AllocationError(f"direct cost {usage.direct_cost} of group {usage.group!r} is invalid")


def _check_shared(shared: Sequence[SharedCost]) -> None:
    names: set[str] = set()
    for cost in shared:
        if cost.name in names:
            raise AllocationError(f"shared cost {cost.name!r} appears more than once")
        names.add(cost.name)
        if not cost.amount.is_finite():
            raise AllocationError(f"amount {cost.amount} of shared cost {cost.name!r} is invalid")
        if cost.percentages and cost.method is not Method.FIXED:
            raise AllocationError(
                f"shared cost {cost.name!r} has percentages but its method is {cost.method.value!r}, not 'fixed'"
            )
