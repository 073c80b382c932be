"""The five usage rules on seeded profiles: the waste is known, the expected saving is worked out by hand
(arithmetic in the comments), a clean profile keeps each rule silent, and the edge cases stay silent too."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal as D
from typing import Any

import pytest

from finops.alerts.types import Scope
from finops.recommendations.rules_usage import (
    BatchParams,
    RoutingParams,
    batch_eligibility,
    context_pruning,
    model_routing,
    output_length,
    prompt_caching,
)
from finops.recommendations.types import ContextGrowth, ModelPrice, Recommendation, UsageProfile


def profile(**overrides: Any) -> UsageProfile:
    """A 10-day profile of agent triager on gpt-4o with nothing remarkable; tests override what matters."""
    fields: dict[str, Any] = dict(
        agent="triager", model="gpt-4o", provider="openai", workflow="support", environment="production",
        days=D(10), calls=1000, input_tokens=0, cache_read_tokens=0, cache_write_tokens=0, output_tokens=0,
        reasoning_tokens=0, cost_input=D(0), cost_cache_read=D(0), cost_cache_write=D(0), cost_output=D(0),
        cost_reasoning=D(0), cost_total=D(0), prompt_p10=500, prompt_p50=900, output_p50=300, output_p90=600,
        output_stddev=250.0, max_tokens_p50=None, length_finishes=0, operations=("chat",), errors=0,
        failed_output_tokens=0, failed_output_cost=D(0), retried_calls=0, retried_cost=D(0), batch_calls=0,
        interactive_calls=1000, example_trace_ids=("trace-1", "trace-2"),
    )  # fmt: skip
    fields.update(overrides)
    return UsageProfile(**fields)


def price(model: str, provider: str | None, tier: str | None, inp: str, out: str, **extra: Any) -> ModelPrice:
    return ModelPrice(model=model, provider=provider, tier=tier, input=D(inp), output=D(out), **extra)


def growth(**overrides: Any) -> ContextGrowth:
    fields: dict[str, Any] = dict(
        workflow="research", model="claude-sonnet-4", days=D(7), long_runs=50, calls=1200,
        avg_calls_per_run=D(24), prompt_tokens=30_000_000, first_turns_avg_prompt=2000, last_turns_avg_prompt=40_000,
        growth_per_turn=D(1500), tokens_above_window=21_000_000, window_turns=10, input_price=D("3.00"),
        example_trace_ids=("run-1",),
    )  # fmt: skip
    fields.update(overrides)
    return ContextGrowth(**fields)


def check_shape(rec: Recommendation) -> None:
    """Invariants of every recommendation: claims reconcile with the total, evidence is JSON-safe."""
    assert rec.monthly_savings == sum(rec.claims.values())
    assert rec.monthly_savings == rec.monthly_savings.quantize(D("0.01"))
    assert rec.confidence in {"low", "medium", "high"}
    assert rec.evidence["confidence_reason"]
    json.dumps(rec.evidence)


# ------------------------------------------------------------------------------------------ 1. model routing

GPT_4O = price("gpt-4o", "openai", "frontier", "2.50", "10.00", cache_read=D("1.25"), batch_discount=D("0.5"))
GPT_4O_MINI = price("gpt-4o-mini", "openai", "mid", "0.15", "0.60", cache_read=D("0.075"))
GPT_41_MINI = price("gpt-4.1-mini", "openai", "mid", "0.40", "1.60", cache_read=D("0.10"))
GPT_41_NANO = price("gpt-4.1-nano", "openai", "small", "0.10", "0.40", cache_read=D("0.025"))
HAIKU = price("claude-haiku", "anthropic", "mid", "0.80", "4.00", cache_read=D("0.08"))
FLASH = price("gemini-flash", "google", "mid", "0.10", "0.40")
CHEAPER = [GPT_41_MINI, GPT_41_NANO, HAIKU, FLASH, GPT_4O_MINI]


def simple_calls(**overrides: Any) -> UsageProfile:
    """5,000 short classification calls over 10 days: 4M input, 1M cache read, 0.5M output tokens."""
    base: dict[str, Any] = dict(
        calls=5000, input_tokens=4_000_000, cache_read_tokens=1_000_000, output_tokens=500_000,
        operations=("chat", "classification"), output_p50=80, output_p90=120, output_stddev=40.0, prompt_p50=900,
    )  # fmt: skip
    base.update(overrides)
    return profile(**base)


def test_routing_picks_cheapest_mid_model_of_the_same_provider() -> None:
    rec = model_routing(simple_calls(), GPT_4O, CHEAPER, RoutingParams())
    assert rec is not None
    check_shape(rec)
    # gpt-4o-mini: the cheapest openai mid model (gemini-flash is cheaper but another provider; nano is small).
    # input      4,000,000 x (2.50 - 0.15)  / 1e6 = 9.40  per 10 days x 30/10 = 28.20
    # cache_read 1,000,000 x (1.25 - 0.075) / 1e6 = 1.175 per 10 days x 3     = 3.525 -> 3.53
    # output       500,000 x (10.00 - 0.60) / 1e6 = 4.70  per 10 days x 3     = 14.10
    assert rec.claims == {"gpt-4o:input": D("28.20"), "gpt-4o:cache_read": D("3.53"), "gpt-4o:output": D("14.10")}
    assert rec.monthly_savings == D("45.83")
    assert rec.title == "Route triager's classification calls from gpt-4o to gpt-4o-mini: save about $45.83/month"
    assert rec.scope == Scope("agent", "triager")
    assert rec.confidence == "medium"
    assert "30%" in (rec.risk or "") and "success rate" in (rec.risk or "")
    assert rec.evidence["target_model"] == "gpt-4o-mini"
    assert rec.evidence["same_provider"] is True
    # window: 2.50 x 4 + 1.25 x 1 + 10 x 0.5 = 16.25 now; 0.15 x 4 + 0.075 x 1 + 0.60 x 0.5 = 0.975 after
    assert rec.evidence["cost_current_window"] == "16.25"
    assert rec.evidence["cost_target_window"] == "0.98"
    assert rec.example_trace_ids == ("trace-1", "trace-2")


def test_routing_falls_back_to_small_then_to_other_providers() -> None:
    # No openai mid model: the openai small one (nano) beats the cheaper google mid model.
    rec = model_routing(simple_calls(), GPT_4O, [GPT_41_NANO, FLASH, HAIKU])
    assert rec is not None and rec.evidence["target_model"] == "gpt-4.1-nano"
    # No openai candidate at all: the cheapest mid model of any provider, gemini-flash (no cache price, so its
    # cache reads are priced at its input 0.10):
    # input 4,000,000 x 2.40 = 9.60 x 3 = 28.80; cache_read 1,000,000 x 1.15 = 1.15 x 3 = 3.45;
    # output 500,000 x 9.60 = 4.80 x 3 = 14.40; total 46.65
    rec = model_routing(simple_calls(), GPT_4O, [FLASH, HAIKU])
    assert rec is not None
    check_shape(rec)
    assert rec.evidence["target_model"] == "gemini-flash"
    assert rec.evidence["same_provider"] is False
    assert rec.claims == {"gpt-4o:input": D("28.80"), "gpt-4o:cache_read": D("3.45"), "gpt-4o:output": D("14.40")}
    assert rec.monthly_savings == D("46.65")


def test_routing_low_confidence_under_1000_calls_and_chat_title() -> None:
    rec = model_routing(simple_calls(calls=500, operations=("chat",)), GPT_4O, CHEAPER)
    assert rec is not None
    assert rec.confidence == "low"
    assert "500 calls" in rec.evidence["confidence_reason"]
    assert rec.title.startswith("Route triager's short-answer calls from gpt-4o to gpt-4o-mini")


@pytest.mark.parametrize(
    "overrides",
    [
        {"output_p90": 301},  # outputs too long
        {"output_stddev": 150.5},  # outputs too varied
        {"prompt_p50": 4001},  # prompts too large
        {"calls": 199},  # too few calls
        {"operations": ("chat", "embeddings")},  # not a simple operation
        {"operations": ("invoke_agent",)},
    ],
)
def test_routing_silent_when_calls_do_not_look_simple(overrides: dict[str, Any]) -> None:
    assert model_routing(simple_calls(**overrides), GPT_4O, CHEAPER) is None


def test_routing_silent_without_cheaper_model_or_on_non_frontier_model() -> None:
    assert model_routing(simple_calls(), GPT_4O, []) is None
    assert model_routing(simple_calls(), GPT_4O, [GPT_4O]) is None  # the same model is no alternative
    assert model_routing(simple_calls(), GPT_4O, [price("o3", "openai", "frontier", "2.00", "8.00")]) is None
    assert model_routing(simple_calls(model="gpt-4.1-mini"), GPT_41_MINI, [GPT_41_NANO]) is None  # mid tier
    assert model_routing(simple_calls(), dataclasses.replace(GPT_4O, tier=None), CHEAPER) is None
    # A "cheaper" model that costs more on these tokens: no saving, no recommendation.
    assert model_routing(simple_calls(), GPT_4O, [price("pricey", "openai", "mid", "3.00", "12.00")]) is None


def test_routing_from_mid_tier_when_enabled() -> None:
    params = RoutingParams(from_tiers=frozenset({"frontier", "mid"}))
    rec = model_routing(simple_calls(model="gpt-4.1-mini"), GPT_41_MINI, [GPT_41_NANO, GPT_4O_MINI], params)
    # mid -> small only: gpt-4o-mini is mid (same tier), so nano is the target.
    # input 4,000,000 x 0.30 = 1.20 x 3 = 3.60; cache_read 1,000,000 x 0.075 = 0.075 x 3 = 0.225 -> 0.23
    # output 500,000 x 1.20 = 0.60 x 3 = 1.80; total 5.63
    assert rec is not None and rec.evidence["target_model"] == "gpt-4.1-nano"
    assert rec.monthly_savings == D("5.63")


# ------------------------------------------------------------------------------------------ 2. prompt caching

SONNET = price("claude-sonnet-4", "anthropic", "frontier", "3.00", "15.00", cache_read=D("0.30"), cache_write=D("3.75"))


def repeated_prefix(**overrides: Any) -> UsageProfile:
    """10,000 calls over 10 days, each with at least 2,000 prompt tokens, nothing cached (25M input tokens)."""
    base: dict[str, Any] = dict(
        model="claude-sonnet-4", provider="anthropic", calls=10_000, input_tokens=25_000_000, prompt_p10=2000,
        prompt_p50=2500,
    )  # fmt: skip
    base.update(overrides)
    return profile(**base)


def test_caching_saves_reads_minus_write_premium() -> None:
    rec = prompt_caching(repeated_prefix(), SONNET)
    assert rec is not None
    check_shape(rec)
    # cacheable = 2,000 x 0.9 = 1,800 tokens per call
    # writes: one per 5 minutes over 10 days = 10 x 24 x 12 = 2,880 (< 10,000 calls); reads = 7,120 calls
    # reads:  7,120 x 1,800 = 12,816,000 tokens x (3.00 - 0.30) / 1e6 = 34.6032
    # writes: 2,880 x 1,800 =  5,184,000 tokens x (3.75 - 3.00) / 1e6 =  3.888
    # net 30.7152 per 10 days x 3 = 92.1456 -> $92.15/month
    assert rec.claims == {"claude-sonnet-4:input": D("92.15")}
    assert rec.monthly_savings == D("92.15")
    assert rec.evidence["cache_writes_assumed"] == 2880
    assert rec.evidence["read_savings_window"] == "34.60"
    assert rec.evidence["write_cost_window"] == "3.89"
    assert rec.title == (
        "Cache the repeated 1,800-token prompt prefix of triager's claude-sonnet-4 calls: save about $92.15/month"
    )
    assert rec.confidence == "medium"
    assert rec.risk and "identical" in rec.risk


def test_caching_without_write_premium_and_with_some_reads_already() -> None:
    openai = price("gpt-4o", "openai", "frontier", "2.50", "10.00", cache_read=D("1.25"))  # writes cost input
    rec = prompt_caching(repeated_prefix(model="gpt-4o"), openai)
    # 12,816,000 read tokens x (2.50 - 1.25) / 1e6 = 16.02 per 10 days x 3 = 48.06; no write premium
    assert rec is not None and rec.monthly_savings == D("48.06")
    # 10% of the prompt is read from cache already (2.5M of 25M): only the rest is new saving.
    # (12,816,000 - 2,500,000) = 10,316,000 x 2.70 / 1e6 = 27.8532 - 3.888 = 23.9652 x 3 = 71.8956 -> 71.90
    rec = prompt_caching(repeated_prefix(input_tokens=22_500_000, cache_read_tokens=2_500_000), SONNET)
    assert rec is not None and rec.monthly_savings == D("71.90")


@pytest.mark.parametrize(
    "overrides",
    [
        {"prompt_p10": 1023},  # prefix too short to cache
        {"calls": 99},
        {"input_tokens": 20_000_000, "cache_read_tokens": 5_000_000},  # 20% read from cache already
        {"calls": 2880},  # one call per 5-minute slot: every call writes, none reads, the premium loses money
    ],
)
def test_caching_silent(overrides: dict[str, Any]) -> None:
    assert prompt_caching(repeated_prefix(**overrides), SONNET) is None


def test_caching_silent_without_cache_price() -> None:
    assert prompt_caching(repeated_prefix(), dataclasses.replace(SONNET, cache_read=None)) is None
    assert prompt_caching(repeated_prefix(), dataclasses.replace(SONNET, cache_read=D("3.00"))) is None


# ------------------------------------------------------------------------------------------ 3. context pruning


def test_pruning_saves_80_percent_of_tokens_above_window() -> None:
    rec = context_pruning(growth())
    assert rec is not None
    check_shape(rec)
    # 21,000,000 tokens above the window x $3.00 / 1e6 = 63.00 per 7 days x 0.8 = 50.40 x 30/7 = 216.00
    assert rec.monthly_savings == D("216.00")
    assert rec.claims == {"claude-sonnet-4:input": D("216.00")}
    assert rec.scope == Scope("workflow", "research")
    assert rec.confidence == "medium"
    assert rec.title == (
        "Prune the growing context of workflow research (keep the last 10 turns plus a summary): save about $216/month"
    )
    assert rec.evidence["share_above_window"] == 0.7  # 21M of 30M prompt tokens
    assert rec.evidence["last_to_first_ratio"] == 20.0
    assert rec.example_trace_ids == ("run-1",)


def test_pruning_fires_on_ratio_alone() -> None:
    # slope 150 < 200, but the last turns send 6,000 >= 3 x 2,000 tokens
    rec = context_pruning(growth(growth_per_turn=D(150), last_turns_avg_prompt=6000, tokens_above_window=700_000))
    # 700,000 x 3.00 / 1e6 = 2.10 per 7 days x 0.8 = 1.68 x 30/7 = 7.20
    assert rec is not None and rec.monthly_savings == D("7.20")


@pytest.mark.parametrize(
    "overrides",
    [
        {"avg_calls_per_run": D(10)},  # not more than 10 calls per run
        {"long_runs": 19},
        {"growth_per_turn": D(199), "last_turns_avg_prompt": 5999},  # neither slope nor ratio
        {"tokens_above_window": 0},
    ],
)
def test_pruning_silent(overrides: dict[str, Any]) -> None:
    assert context_pruning(growth(**overrides)) is None


# ------------------------------------------------------------------------------------------ 4. output length

GPT_41 = price("gpt-4.1", "openai", "mid", "2.00", "8.00", cache_read=D("0.50"), batch_discount=D("0.50"))


def long_outputs(**overrides: Any) -> UsageProfile:
    """2,000 report-writing calls over 10 days: 2.4M output + 0.6M reasoning tokens, max_tokens 8,192."""
    base: dict[str, Any] = dict(
        model="o-writer", calls=2000, output_tokens=2_400_000, reasoning_tokens=600_000, output_p50=1400,
        output_p90=2200, max_tokens_p50=8192, interactive_calls=100,
    )  # fmt: skip
    base.update(overrides)
    return profile(**base)


WRITER = price("o-writer", "openai", "frontier", "2.00", "10.00")


def test_output_length_saves_30_percent_of_output_and_reasoning() -> None:
    rec = output_length(long_outputs(), WRITER)
    assert rec is not None
    check_shape(rec)
    # output    2,400,000 x $10 / 1e6 = 24.00 per 10 days x 0.3 = 7.20 x 3 = 21.60
    # reasoning   600,000 x $10 / 1e6 =  6.00 per 10 days x 0.3 = 1.80 x 3 =  5.40
    assert rec.claims == {"o-writer:output": D("21.60"), "o-writer:reasoning": D("5.40")}
    assert rec.monthly_savings == D("27.00")
    assert rec.evidence["signals"] == ["max_tokens_unconstrained"]  # 8,192 >= 4 x 1,400 = 5,600
    assert rec.confidence == "medium"
    assert rec.title.startswith("Constrain triager's o-writer outputs (median 1,400 tokens)")


def test_output_length_fires_on_truncation() -> None:
    # max_tokens 1,500 < 5,600 but 100 of 2,000 calls (5%) stopped at the limit
    rec = output_length(long_outputs(max_tokens_p50=1500, length_finishes=100), WRITER)
    assert rec is not None and rec.evidence["signals"] == ["truncated"]
    assert rec.monthly_savings == D("27.00")


@pytest.mark.parametrize(
    "overrides",
    [
        {"output_p50": 799},  # outputs not long
        {"max_tokens_p50": None, "length_finishes": 99},  # no limit reported, < 5% truncated
        {"max_tokens_p50": 5599},  # < 4 x 1,400
        {"interactive_calls": 400},  # 20%: people read these
        {"calls": 99},
    ],
)
def test_output_length_silent(overrides: dict[str, Any]) -> None:
    assert output_length(long_outputs(**overrides), WRITER) is None


# ------------------------------------------------------------------------------------------ 5. batch


def offline_job(**overrides: Any) -> UsageProfile:
    """1,000 nightly calls over 10 days, 100 already on batch: 10M input, 2M cache read, 1M output tokens."""
    base: dict[str, Any] = dict(
        model="gpt-4.1", environment="nightly-etl", calls=1000, input_tokens=10_000_000,
        cache_read_tokens=2_000_000, output_tokens=1_000_000, interactive_calls=0, batch_calls=100,
    )  # fmt: skip
    base.update(overrides)
    return profile(**base)


def test_batch_saves_discount_on_real_time_share() -> None:
    rec = batch_eligibility(offline_job(), GPT_41)
    assert rec is not None
    check_shape(rec)
    # token cost per 10 days: input 10M x 2.00 = 20.00; cache_read 2M x 0.50 = 1.00; output 1M x 8.00 = 8.00
    # real-time share 900 / 1,000 = 0.9, discount 0.5:
    # input 20.00 x 0.9 x 0.5 = 9.00 x 3 = 27.00; cache_read 1.00 x 0.45 = 0.45 x 3 = 1.35;
    # output 8.00 x 0.45 = 3.60 x 3 = 10.80; total 39.15
    assert rec.claims == {"gpt-4.1:input": D("27.00"), "gpt-4.1:cache_read": D("1.35"), "gpt-4.1:output": D("10.80")}
    assert rec.monthly_savings == D("39.15")
    assert rec.confidence == "high"  # "nightly-etl" names offline work
    assert rec.title == "Move triager's gpt-4.1 calls to the batch API (50% off): save about $39.15/month"
    assert rec.risk and "24 hours" in rec.risk
    assert rec.evidence["cost_tokens_window"] == "29.00"


def test_batch_without_offline_environment_is_less_sure() -> None:
    assert batch_eligibility(offline_job(environment="production"), GPT_41).confidence == "medium"  # type: ignore[union-attr]
    assert batch_eligibility(offline_job(environment=None, calls=500, batch_calls=0), GPT_41).confidence == "low"  # type: ignore[union-attr]
    custom = BatchParams(batch_environments=frozenset({"worker"}))
    assert batch_eligibility(offline_job(environment="worker"), GPT_41, custom).confidence == "high"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "overrides",
    [
        {"interactive_calls": 51},  # 5.1% of calls have someone waiting
        {"batch_calls": 101},  # already mostly on batch
        {"calls": 99, "interactive_calls": 0, "batch_calls": 0},
    ],
)
def test_batch_silent(overrides: dict[str, Any]) -> None:
    assert batch_eligibility(offline_job(**overrides), GPT_41) is None


def test_batch_silent_without_discount() -> None:
    assert batch_eligibility(offline_job(), dataclasses.replace(GPT_41, batch_discount=None)) is None
    assert batch_eligibility(offline_job(), dataclasses.replace(GPT_41, batch_discount=D(0))) is None


# ------------------------------------------------------------------------------------------ clean profile


def test_clean_profile_stays_silent_everywhere() -> None:
    """An interactive chat agent with moderate, varied outputs, cached prompts and no batch discount."""
    clean = profile(
        calls=5000, input_tokens=2_000_000, cache_read_tokens=8_000_000, output_tokens=1_500_000, prompt_p10=1500,
        output_p50=300, output_p90=600, output_stddev=250.0, interactive_calls=5000,
    )  # fmt: skip
    no_batch = dataclasses.replace(GPT_4O, batch_discount=None)
    assert model_routing(clean, GPT_4O, CHEAPER) is None
    assert prompt_caching(clean, GPT_4O) is None
    assert output_length(clean, GPT_4O) is None
    assert batch_eligibility(clean, GPT_4O) is None  # interactive
    assert batch_eligibility(dataclasses.replace(clean, interactive_calls=0), no_batch) is None
    assert context_pruning(growth(avg_calls_per_run=D(4), growth_per_turn=D(20), last_turns_avg_prompt=2500)) is None


def test_zero_day_window_is_silent() -> None:
    assert model_routing(simple_calls(days=D(0)), GPT_4O, CHEAPER) is None
    assert prompt_caching(repeated_prefix(days=D(0)), SONNET) is None
    assert output_length(long_outputs(days=D(0)), WRITER) is None
    assert batch_eligibility(offline_job(days=D(0)), GPT_41) is None
    assert context_pruning(growth(days=D(0))) is None
