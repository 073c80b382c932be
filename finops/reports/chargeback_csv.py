"""The chargeback report as CSV (RFC 4180, CRLF line ends). Pure: report in, text out.

One row per group, sorted by total cost (descending), then by group values (ascending, missing values last).
Columns: `period_start`, `period_end`, one column per `group_by` name, then `CHARGEBACK_COLUMNS`. Dates are ISO
8601 in UTC (`2026-11-01T00:00:00Z`), money has exactly two decimals, and a missing group value is written as
`(unattributed)`.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from finops.reports.types import ChargebackLine, ChargebackReport

__all__ = ["CHARGEBACK_COLUMNS", "UNATTRIBUTED", "chargeback_csv"]

CHARGEBACK_COLUMNS: tuple[str, ...] = (
    "calls",
    "workflows",
    "successful_workflows",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "direct_cost",
    "allocated_shared_cost",
    "total_cost",
    "currency",
)
UNATTRIBUTED = "(unattributed)"
CENT = Decimal("0.01")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Group values come from agents' span attributes: one starting like a formula would run when the
    CSV is opened in a spreadsheet, so it is prefixed with an apostrophe (shown as text, not evaluated)."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def chargeback_csv(report: ChargebackReport) -> str:
    """The report as CSV text, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("period_start", "period_end", *report.group_by, *CHARGEBACK_COLUMNS))
    start, end = _timestamp(report.period_start), _timestamp(report.period_end)
    for line in sorted(report.lines, key=_order):
        usage = line.usage
        writer.writerow(
            (
                start,
                end,
                *(UNATTRIBUTED if value is None else safe_cell(value) for value in usage.group),
                usage.calls,
                usage.workflows,
                usage.successful_workflows,
                usage.input_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens,
                usage.output_tokens,
                usage.reasoning_tokens,
                _money(line.direct),
                _money(line.allocated),
                _money(line.total),
                report.currency,
            )
        )
    return buffer.getvalue()


def _order(line: ChargebackLine) -> tuple[Decimal, tuple[tuple[bool, str], ...]]:
    return -line.total, tuple((value is None, value or "") for value in line.usage.group)


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no timezone; the chargeback period must be timezone-aware")
    utc = moment.astimezone(UTC)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _money(amount: Decimal) -> str:
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return f"{rounded:f}" if rounded else "0.00"  # never "-0.00"
