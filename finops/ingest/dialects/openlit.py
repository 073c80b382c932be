"""OpenLIT attributes.

OpenLIT writes the OTel GenAI names (read by `genai.py`) and is recognised by its resource
(`telemetry.sdk.name` = "openlit"). Two differences matter for money: it reports its own cost under
`gen_ai.usage.cost`, and its Anthropic instrumentation reports `gen_ai.usage.input_tokens` as
Anthropic's `usage.input_tokens`, which EXCLUDES cache reads and writes.
"""

from __future__ import annotations

from decimal import Decimal

from finops.ingest.dialects.values import Attributes, decimal_value, lower

COST_KEY = "gen_ai.usage.cost"
_SDK_NAME_KEY = "telemetry.sdk.name"
_INPUT_EXCLUDES_CACHE = frozenset({"anthropic"})


def is_openlit(resource_attributes: Attributes) -> bool:
    return lower(resource_attributes.get(_SDK_NAME_KEY)) == "openlit"


def input_excludes_cache(provider: str | None) -> bool:
    return provider in _INPUT_EXCLUDES_CACHE


def reported_cost(attributes: Attributes) -> tuple[Decimal, str] | None:
    amount = decimal_value(attributes.get(COST_KEY))
    return (amount, COST_KEY) if amount is not None else None
