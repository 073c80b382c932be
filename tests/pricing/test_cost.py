"""Costing one call: hand-computed expectations (USD per 1M tokens, so cost = tokens x price / 1e6)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finops.ingest.records import TokenBuckets
from finops.pricing.cost import price_call
from finops.pricing.prices import LongContextTier, PriceVersion, Rates

START = datetime(2025, 1, 1, tzinfo=UTC)
GPT_4O = PriceVersion(
    model="gpt-4o",
    provider="openai",
    effective_from=START,
    batch_discount=D("0.5"),
    rates=Rates(input=D("2.50"), cache_read=D("1.25"), output=D("10.00")),
)
SONNET = PriceVersion(
    model="claude-sonnet-4-5",
    provider="anthropic",
    effective_from=START,
    batch_discount=D("0.5"),
    rates=Rates(input=D("3"), cache_read=D("0.30"), cache_write=D("3.75"), cache_write_1h=D("6"), output=D("15")),
    long_context=LongContextTier(
        200_000,
        Rates(
            input=D("6"),
            cache_read=D("0.60"),
            cache_write=D("7.50"),
            cache_write_1h=D("12"),
            output=D("22.50"),
        ),
    ),
)
O3 = PriceVersion(
    model="o3",
    provider="openai",
    effective_from=START,
    request_fee=D("0.001"),
    rates=Rates(input=D("2"), output=D("8"), reasoning=D("9")),
)


@pytest.mark.parametrize(
    ("tokens", "version", "is_batch", "expected"),
    [
        # input 1000 x 2.50 = 0.0025 | cache read 2000 x 1.25 = 0.0025 | cache write 400 at the input
        # price (no write price) x 2.50 = 0.001 | output 300 x 10 = 0.003 | reasoning 100 at the output
        # price x 10 = 0.001 | total 0.01
        (
            TokenBuckets(input=1000, cache_read=2000, cache_write=400, output=300, reasoning=100),
            GPT_4O,
            False,
            {
                "input": "0.0025",
                "cache_read": "0.0025",
                "cache_write": "0.001",
                "output": "0.003",
                "reasoning": "0.001",
                "total": "0.01",
            },
        ),
        # Anthropic: 5-minute write 1000 x 3.75 = 0.00375; 1-hour write 10000 x 6 = 0.06, never the 5m price
        (
            TokenBuckets(input=10, cache_write=1000, cache_write_1h=10_000, output=0),
            SONNET,
            False,
            {"input": "0.00003", "cache_write": "0.00375", "cache_write_1h": "0.06", "total": "0.06378"},
        ),
        # exactly at the 200k threshold: 150000 + 50000 = 200000 prompt tokens -> standard prices
        # 150000 x 3 = 0.45 | 50000 x 0.30 = 0.015 | 1000 x 15 = 0.015 | total 0.48
        (
            TokenBuckets(input=150_000, cache_read=50_000, output=1000),
            SONNET,
            False,
            {"input": "0.45", "cache_read": "0.015", "output": "0.015", "total": "0.48"},
        ),
        # one token above: the whole request moves to the tier, output included
        # 150001 x 6 = 0.900006 | 50000 x 0.60 = 0.03 | 1000 x 22.50 = 0.0225 | total 0.952506
        (
            TokenBuckets(input=150_001, cache_read=50_000, output=1000),
            SONNET,
            False,
            {"input": "0.900006", "cache_read": "0.03", "output": "0.0225", "total": "0.952506"},
        ),
        # batch: half of 1000 x 2.50 = 0.00125 and half of 1000 x 10 = 0.005, total 0.00625
        (
            TokenBuckets(input=1000, output=1000),
            GPT_4O,
            True,
            {"input": "0.00125", "output": "0.005", "total": "0.00625"},
        ),
        # a batch flag on a model without a batch discount changes nothing: 1000 x 2 = 0.002
        (TokenBuckets(input=1000), O3, True, {"input": "0.002", "request_fee": "0.001", "total": "0.003"}),
        # explicit reasoning price: 500 x 9 = 0.0045, output 100 x 8 = 0.0008, fee 0.001 -> 0.0063
        (
            TokenBuckets(output=100, reasoning=500),
            O3,
            False,
            {"output": "0.0008", "reasoning": "0.0045", "request_fee": "0.001", "total": "0.0063"},
        ),
    ],
)
def test_bucket_costs(tokens: TokenBuckets, version: PriceVersion, is_batch: bool, expected: dict[str, str]) -> None:
    cost = price_call(tokens, version, is_batch=is_batch)
    parts = (
        "input",
        "cache_read",
        "cache_write",
        "cache_write_1h",
        "output",
        "reasoning",
        "request_fee",
        "total",
    )
    for name in parts:
        assert getattr(cost, name) == D(expected.get(name, "0")), name


def test_tier_and_batch_flags() -> None:
    assert price_call(TokenBuckets(input=200_001), SONNET).tier == "long_context"
    assert price_call(TokenBuckets(input=200_000), SONNET).tier == "standard"
    assert price_call(TokenBuckets(input=1), GPT_4O, is_batch=True).batch_discount_applied
    assert not price_call(TokenBuckets(input=1), O3, is_batch=True).batch_discount_applied


def test_rounding_happens_once_per_bucket_and_total_reconciles() -> None:
    odd = PriceVersion(
        model="odd", effective_from=START, rates=Rates(input=D("0.123456789012"), output=D("0.000000333"))
    )
    cost = price_call(TokenBuckets(input=1, output=7), odd)
    # 1 x 0.123456789012 / 1e6 = 0.000000123456789012 -> 10 places: 0.0000001235
    assert cost.input == D("0.0000001235")
    # 7 x 0.000000333 / 1e6 = 0.000000000002331 -> 10 places: 0.0000000000
    assert cost.output == D("0.0000000000")
    assert cost.total == cost.input + cost.output + cost.cache_read + cost.cache_write + cost.reasoning


bucket_counts = st.integers(min_value=0, max_value=5_000_000)


@given(
    base=st.tuples(*[bucket_counts] * 6),
    bucket=st.integers(min_value=0, max_value=5),
    extra=st.integers(min_value=0, max_value=1_000_000),
    version=st.sampled_from([GPT_4O, SONNET, O3]),
    is_batch=st.booleans(),
)
def test_cost_is_monotonic_in_every_bucket(
    base: tuple[int, ...], bucket: int, extra: int, version: PriceVersion, is_batch: bool
) -> None:
    more = list(base)
    more[bucket] += extra
    before = price_call(TokenBuckets(*base), version, is_batch=is_batch)
    after = price_call(TokenBuckets(*more), version, is_batch=is_batch)
    assert after.total >= before.total
    parts = (
        after.input,
        after.cache_read,
        after.cache_write,
        after.cache_write_1h,
        after.output,
        after.reasoning,
        after.request_fee,
    )
    assert after.total == sum(parts)
