"""Jinja filters for the pages: money, percentages, token counts, times (pure)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, places: int = 2) -> str:
    """$1,234.56 (-$12.00); an amount under a cent but not zero keeps four decimals: $0.0042."""
    number = _decimal(value)
    if number is None:
        return "n/a"
    if places == 2 and 0 < abs(number) < Decimal("0.01"):
        places = 4
    rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"${abs(rounded):,.{places}f}"
    return f"-{text}" if rounded < 0 else text


def unit_money(value: Any) -> str:
    """A unit cost: four decimals under a dollar ($0.0660), cents above."""
    number = _decimal(value)
    if number is None:
        return "n/a"
    return money(number, 4 if 0 < abs(number) < 1 else 2)


def percent(value: Any, places: int = 1) -> str:
    """A fraction as a percentage: 0.1234 -> 12.3%."""
    number = _decimal(value)
    if number is None:
        return "n/a"
    return f"{(number * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}%"


def count(value: Any) -> str:
    """1,234,567."""
    number = _decimal(value)
    if number is None:
        return "n/a"
    return f"{int(number):,}"


def compact(value: Any) -> str:
    """1.2M, 34.5k, 950."""
    number = _decimal(value)
    if number is None:
        return "n/a"
    for size, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if abs(number) >= size:
            return f"{number / size:,.1f}{suffix}"
    return f"{int(number):,}"


def duration(milliseconds: Any) -> str:
    """850 ms, 12.3 s, 4 min 05 s, 2 h 03 min."""
    number = _decimal(milliseconds)
    if number is None:
        return "n/a"
    ms = int(number)
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    seconds = ms // 1000
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def when(value: Any) -> str:
    """2026-11-18 11:06 UTC."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def label(value: Any) -> str:
    return "(unattributed)" if value is None or value == "" else str(value)


FILTERS = {
    "money": money, "unit_money": unit_money, "percent": percent, "count": count, "compact": compact,
    "duration": duration, "when": when, "label": label,
}  # fmt: skip


def evidence(value: Any) -> str:
    """One evidence value, readable: lists joined, floats rounded, nested objects as compact JSON."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(evidence(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {evidence(item)}" for key, item in value.items())
    return str(value)


def humanize(name: Any) -> str:
    """output_p90 -> Output p90."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


FILTERS.update(evidence=evidence, humanize=humanize)
