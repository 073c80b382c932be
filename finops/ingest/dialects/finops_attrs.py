"""Our own `finops.*` call attributes, set by the finops SDK helpers or by hand.

They fill gaps no standard covers: the 1-hour cache TTL (priced differently from the default
5-minute writes), batch pricing, and a cost the caller already knows.
"""

from __future__ import annotations

from decimal import Decimal

from finops.ingest.dialects.values import Attributes, decimal_value, is_true, lower, token_count

CACHE_WRITE_1H_KEY = "finops.usage.cache_write_1h_tokens"
BATCH_KEY = "finops.batch"
REPORTED_COST_KEY = "finops.reported_cost"
# OpenAI has no "batch" service tier on live requests, so these can only match an instrumentation
# that records Batch API work with that tier: no false positives, and batch prices are half.
_SERVICE_TIER_KEYS = ("openai.request.service_tier", "gen_ai.openai.request.service_tier")


def cache_write_1h(attributes: Attributes, limit: int) -> tuple[int, str] | None:
    """1-hour cache writes: a SUBSET of the reported cache creation tokens (see tokens.py)."""
    value = attributes.get(CACHE_WRITE_1H_KEY)
    if value is None:
        return None
    return token_count(value, CACHE_WRITE_1H_KEY, limit), CACHE_WRITE_1H_KEY


def batch(attributes: Attributes) -> str | None:
    """The attribute key that marks the call as batch-priced, or None."""
    if is_true(attributes.get(BATCH_KEY)):
        return BATCH_KEY
    for key in _SERVICE_TIER_KEYS:
        if lower(attributes.get(key)) == "batch":
            return key
    return None


def reported_cost(attributes: Attributes) -> tuple[Decimal, str] | None:
    amount = decimal_value(attributes.get(REPORTED_COST_KEY))
    return (amount, REPORTED_COST_KEY) if amount is not None else None
