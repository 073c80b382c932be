"""Pricing one call (pure): exclusive token buckets x the version's rates, in Decimal.

Every bucket's cost is quantised once to COST_PLACES decimals (the stored precision) and the total
is the sum of those stored parts, so a total always reconciles exactly with its buckets.

Rules, as providers bill them:
- the long-context tier applies when the prompt (uncached input + cache reads + cache writes) is
  strictly above the tier threshold, and then to the whole request, output included;
- a batch call pays (1 - batch_discount) of every token bucket; the per-request fee is not discounted;
- missing cache/reasoning prices fall back as described in `prices.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from finops.ingest.records import TokenBuckets
from finops.pricing.prices import PriceVersion, Rates

COST_PLACES = 10
_QUANTUM = Decimal(1).scaleb(-COST_PLACES)
_PER_TOKENS = Decimal(1_000_000)
_ZERO = Decimal(0)


class PriceTier:
    STANDARD = "standard"
    LONG_CONTEXT = "long_context"


@dataclass(frozen=True, slots=True)
class CallCost:
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal
    output: Decimal
    reasoning: Decimal
    request_fee: Decimal
    total: Decimal
    tier: str
    batch_discount_applied: bool


def prompt_tokens(tokens: TokenBuckets) -> int:
    return tokens.input + tokens.cache_read + tokens.cache_write + tokens.cache_write_1h


def price_call(tokens: TokenBuckets, version: PriceVersion, *, is_batch: bool = False) -> CallCost:
    rates: Rates = version.rates
    tier = PriceTier.STANDARD
    long_context = version.long_context
    if long_context is not None and prompt_tokens(tokens) > long_context.threshold_input_tokens:
        rates, tier = long_context.rates, PriceTier.LONG_CONTEXT

    discount = version.batch_discount if is_batch and version.batch_discount is not None else None
    multiplier = Decimal(1) - discount if discount is not None else Decimal(1)

    def bucket(count: int, rate: Decimal) -> Decimal:
        if count == 0:
            return _ZERO.quantize(_QUANTUM)
        return (Decimal(count) * rate * multiplier / _PER_TOKENS).quantize(_QUANTUM, ROUND_HALF_EVEN)

    parts = {
        "input": bucket(tokens.input, rates.input),
        "cache_read": bucket(tokens.cache_read, rates.effective_cache_read),
        "cache_write": bucket(tokens.cache_write, rates.effective_cache_write),
        "cache_write_1h": bucket(tokens.cache_write_1h, rates.effective_cache_write_1h),
        "output": bucket(tokens.output, rates.output),
        "reasoning": bucket(tokens.reasoning, rates.effective_reasoning),
        "request_fee": (version.request_fee or _ZERO).quantize(_QUANTUM, ROUND_HALF_EVEN),
    }
    return CallCost(
        **parts,
        total=sum(parts.values(), _ZERO),
        tier=tier,
        batch_discount_applied=discount is not None,
    )
