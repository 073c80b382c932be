"""Building a chargeback report: usage per group from the rollups, spend without an owner collected
into shared costs (unattributed calls, shared scopes such as a router agent, fixed bills), allocated."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import Connection

from finops.errors import FinopsError
from finops.periods import utc_days
from finops.reports import repository
from finops.reports.allocation import allocate
from finops.reports.types import ChargebackReport, GroupUsage, Method, SharedCost

UNATTRIBUTED = "unattributed"
CENT = Decimal("0.01")


class ReportError(FinopsError, ValueError):
    """A report that cannot be built as asked (bad grouping, period, rule)."""


def parse_group_by(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise ReportError("group_by needs at least one of: " + ", ".join(repository.DIMENSIONS))
    unknown = [name for name in names if name not in repository.DIMENSIONS]
    if unknown:
        raise ReportError(f"cannot group by {', '.join(unknown)}: use {', '.join(repository.DIMENSIONS)}")
    return names


def prorated_monthly(amount: Decimal, start: date, end: date) -> Decimal:
    """A per-calendar-month amount for the days [start, end): each month contributes its share of days."""
    total = Decimal(0)
    day = start
    while day < end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, days_in_month) + timedelta(days=1)
        stop = min(end, month_end)
        total += amount * Decimal((stop - day).days) / Decimal(days_in_month)
        day = stop
    return total


def _percentages(raw: dict[str, object], width: int) -> dict[tuple[str | None, ...], Decimal]:
    # stored as {"search": 50, "billing|acme": 50}: group values joined with "|"
    return {tuple(key.split("|")) if width > 1 else (key,): Decimal(str(value)) for key, value in raw.items()}


def build_chargeback(
    conn: Connection, project_id: int, start: datetime, end: datetime, group_by: tuple[str, ...], currency: str = "USD"
) -> ChargebackReport:
    if end <= start:
        raise ReportError("'to' must be after 'from'")
    first, last = utc_days(start, end)
    rules = repository.allocation_rules(conn, project_id)
    scope_rules = [r for r in rules if r["source"] == "scope"]
    for rule in scope_rules:
        if rule["selector_field"] not in repository.DIMENSIONS or rule["selector_field"] == "project":
            raise ReportError(f"allocation rule {rule['name']}: cannot select calls by {rule['selector_field']!r}")
    shared: list[SharedCost] = []
    for rule in scope_rules:
        amount = repository.scope_cost(conn, project_id, first, last, rule["selector_field"], rule["selector_value"])
        shared.append(_shared(rule, amount, len(group_by), source="scope"))
    for rule in (r for r in rules if r["source"] == "fixed"):
        amount = prorated_monthly(rule["monthly_amount"] or Decimal(0), first, last)
        shared.append(_shared(rule, amount, len(group_by), source="fixed"))

    rows = repository.group_usage(
        conn, project_id, first, last, group_by,
        [(r["selector_field"], r["selector_value"]) for r in scope_rules],
    )  # fmt: skip
    workflows = (
        repository.group_workflows(conn, project_id, first, last, group_by)
        if set(group_by) <= repository.WORKFLOW_DIMENSIONS
        else {}
    )
    usages: list[GroupUsage] = []
    unattributed = Decimal(0)
    for row in rows:
        group = tuple(row[f"g{index}"] for index in range(len(group_by)))
        cost = row["direct_cost"] or Decimal(0)
        if all(value is None for value in group):
            unattributed += cost  # no owner: allocated below, like the other shared costs
            continue
        runs, successful = workflows.get(group, (0, 0))
        usages.append(
            GroupUsage(
                group=group, calls=row["calls"], workflows=runs, successful_workflows=successful,
                input_tokens=row["input_tokens"], cache_read_tokens=row["cache_read_tokens"],
                cache_write_tokens=row["cache_write_tokens"], output_tokens=row["output_tokens"],
                reasoning_tokens=row["reasoning_tokens"], direct_cost=cost,
            )
        )  # fmt: skip
    if unattributed:
        rule = next((r for r in rules if r["source"] == UNATTRIBUTED), None)
        shared.append(
            _shared(rule, unattributed, len(group_by), source=UNATTRIBUTED)
            if rule
            else SharedCost(UNATTRIBUTED, unattributed, Method.PROPORTIONAL, source=UNATTRIBUTED)
        )
    if not usages and any(s.amount for s in shared):
        raise ReportError("there is spend to allocate but no attributed group to allocate it to")
    shared = _reconcile_with_calls(usages, shared)
    return allocate(
        usages, [s for s in shared if s.amount], period_start=start, period_end=end, group_by=group_by,
        currency=currency,
    )  # fmt: skip


def _reconcile_with_calls(usages: list[GroupUsage], shared: list[SharedCost]) -> list[SharedCost]:
    """Make the spend taken from calls add up to the period's call cost rounded once.

    Direct costs and each call-derived shared cost (unattributed calls, shared scopes) are rounded to
    the cent separately, which could leave the report a cent off the period's total call cost. The last
    call-derived shared cost absorbs that sub-cent difference, so the report total is exactly
    round(cost of every call in the period) + the fixed bills, each rounded.
    """
    from_calls = [index for index, item in enumerate(shared) if item.source in (UNATTRIBUTED, "scope")]
    if not from_calls:
        return shared
    direct = sum((usage.direct_cost for usage in usages), Decimal(0))
    exact_calls = direct + sum((shared[index].amount for index in from_calls), Decimal(0))
    target = _cents(exact_calls) - _cents(direct) - sum((_cents(shared[i].amount) for i in from_calls[:-1]), Decimal(0))
    adjusted = list(shared)
    adjusted[from_calls[-1]] = replace(shared[from_calls[-1]], amount=target)
    return adjusted


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _shared(rule: dict, amount: Decimal, width: int, *, source: str) -> SharedCost:
    return SharedCost(
        name=rule["name"], amount=amount, method=Method(rule["method"]), source=source,
        percentages=_percentages(rule["percentages"] or {}, width),
    )  # fmt: skip
