"""Rows for JSON answers: money stays exact."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any


def decimals_as_text(row: Mapping[str, Any], drop: Collection[str] = ()) -> dict[str, Any]:
    """The row with every Decimal as its exact text (JSON encoders would turn it into a float), and the
    `drop` keys left out."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items() if k not in drop}
