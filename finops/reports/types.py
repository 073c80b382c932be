"""Plain data of the chargeback report (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Method(StrEnum):
    PROPORTIONAL = "proportional"  # in proportion to each group's direct cost
    EVEN = "even"  # the same share for every group
    FIXED = "fixed"  # fixed percentages per group (given in SharedCost.percentages)


@dataclass(frozen=True, slots=True)
class GroupUsage:
    """One group's direct usage in the period (group values in the order of the report's group_by)."""

    group: tuple[str | None, ...]
    calls: int
    workflows: int
    successful_workflows: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    reasoning_tokens: int
    direct_cost: Decimal


@dataclass(frozen=True, slots=True)
class SharedCost:
    """Spend without an owner, split across the groups.

    `source` says where the amount comes from: "unattributed" (calls whose group values are missing),
    "scope" (e.g. a platform team's router agent, measured by the caller), or "fixed" (a configured
    monthly bill, e.g. self-hosting, prorated to the period by the caller).
    """

    name: str
    amount: Decimal
    method: Method = Method.PROPORTIONAL
    source: str = "fixed"
    percentages: dict[tuple[str | None, ...], Decimal] = field(default_factory=dict)  # group -> percent (FIXED)


@dataclass(frozen=True, slots=True)
class ChargebackLine:
    usage: GroupUsage
    allocated: Decimal  # shared cost allocated to this group, rounded to the cent
    direct: Decimal  # direct cost rounded to the cent
    total: Decimal  # direct + allocated
    allocations: dict[str, Decimal]  # shared cost name -> amount allocated to this group


@dataclass(frozen=True, slots=True)
class ChargebackReport:
    period_start: datetime
    period_end: datetime
    group_by: tuple[str, ...]
    currency: str
    lines: list[ChargebackLine]
    period_total: Decimal  # every call's cost plus fixed shared costs, rounded to the cent
