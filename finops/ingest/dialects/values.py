"""Tolerant readers for attribute values.

SDKs disagree on types: counts arrive as ints, doubles or numeric strings, JSON objects arrive as
strings or kvlists. These helpers accept every spelling that is unambiguous and nothing else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from finops.ingest.records import AttributeValue, InvalidSpan

MAX_TOKENS_PER_CALL = 100_000_000

Attributes = Mapping[str, AttributeValue]


def text(value: AttributeValue | Any) -> str | None:
    """A label as text; None for absent, blank or structured values (a list is not an identity)."""
    if type(value) is str:  # the common case first; same result as the general path below
        return value.strip() or None
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        # OTLP/JSON spells booleans in lowercase; keep labels identical across encodings.
        result = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        # An id sent as a double (12345.0) must group with the same id sent as an int.
        result = str(int(value))
    elif isinstance(value, bytes):
        result = value.decode("utf-8", errors="replace")
    else:
        result = str(value)
    result = result.strip()
    return result or None


def first_text(attributes: Attributes, keys: Iterable[str]) -> tuple[str, str] | None:
    """(value, key) of the first key holding a non-blank label."""
    for key in keys:
        value = text(attributes.get(key))
        if value is not None:
            return value, key
    return None


def token_count(value: AttributeValue | Any, label: str, limit: int = MAX_TOKENS_PER_CALL) -> int:
    """A token count, or InvalidSpan naming `label`: a count decides money, so refusing beats guessing."""
    number = _integral(value)
    # The value is shown only in an error: repr() of every valid count would be wasted work.
    if number is None:
        raise InvalidSpan(f"token count {label}={_shown(value)} is not a whole number")
    if number < 0:
        raise InvalidSpan(f"token count {label}={_shown(value)} is negative")
    if number > limit:
        raise InvalidSpan(f"token count {label}={_shown(value)} is above the limit of {limit} tokens per call")
    return number


def _shown(value: AttributeValue | Any, limit: int = 40) -> str:
    # Error messages reach API clients and logs: a runaway attribute must not flood them.
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}..."


def lenient_int(value: AttributeValue | Any) -> int | None:
    """A whole number when one is plainly there, else None (for informational fields only)."""
    return _integral(value)


def _integral(value: AttributeValue | Any) -> int | None:
    # bool is an int subclass in Python, but True tokens is a bug in the sender, not a count.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        stripped = value.strip()
        try:
            return int(stripped)
        except ValueError:
            pass
        try:
            parsed = Decimal(stripped)
        except InvalidOperation:
            return None
        if parsed.is_finite() and parsed == parsed.to_integral_value():
            return int(parsed)
    return None


def decimal_value(value: AttributeValue | Any) -> Decimal | None:
    """A finite, non-negative amount as Decimal; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        raw = str(value)
    elif isinstance(value, str):
        raw = value.strip()
    else:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount


def json_object(value: AttributeValue | Any) -> dict[str, Any] | None:
    """A dict from a kvlist or a JSON-object string; None for anything else."""
    if isinstance(value, dict):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def is_true(value: AttributeValue | Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return False


def lower(value: AttributeValue | Any) -> str | None:
    label = text(value)
    return label.lower() if label is not None else None
