"""Rules 6-9 and the combined total (pure). Expected numbers are worked out in the comments."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from typing import Any

import pytest

from finops.alerts.types import Scope
from finops.recommendations.combine import total_savings
from finops.recommendations.rules_waste import (
    EarlyTerminationParams,
    SelfHostingParams,
    early_termination,
    retries_and_loops,
    self_hosting,
    tool_response_filtering,
)
from finops.recommendations.types import ModelPrice, Recommendation, ToolOutputProfile, UsageProfile


def usage(**changes: Any) -> UsageProfile:
    base = UsageProfile(
        agent="triager",
        model="gpt-x",
        provider="openai",
        workflow="support",
        environment="prod",
        days=D(7),
        calls=1_000,
        input_tokens=1_000_000,
        cache_read_tokens=0,
        cache_write_tokens=0,
        output_tokens=200_000,
        reasoning_tokens=0,
        cost_input=D("3.00"),
        cost_cache_read=D(0),
        cost_cache_write=D(0),
        cost_output=D("3.00"),
        cost_reasoning=D(0),
        cost_total=D("6.00"),
        prompt_p10=500,
        prompt_p50=1_000,
        output_p50=200,
        output_p90=400,
        output_stddev=80.0,
        max_tokens_p50=None,
        length_finishes=0,
        operations=("chat",),
        errors=0,
        failed_output_tokens=0,
        failed_output_cost=D(0),
        retried_calls=0,
        retried_cost=D(0),
        batch_calls=0,
        interactive_calls=0,
        example_trace_ids=("t1", "t2"),
    )
    return dataclasses.replace(base, **changes)


def tool(**changes: Any) -> ToolOutputProfile:
    base = ToolOutputProfile(
        tool="sql_query",
        agent="analyst",
        days=D(7),
        calls=600,
        output_chars=7_200_000,
        avg_output_chars=12_000,
        next_model="gpt-x",
        next_input_price=D(3),
        example_trace_ids=("t9",),
    )
    return dataclasses.replace(base, **changes)


# ------------------------------------------------------------------------------- 6. tool filtering
def test_tool_response_filtering_seeded() -> None:
    rec = tool_response_filtering(tool())
    assert rec is not None
    # 7,200,000 chars / 4 = 1,800,000 tokens; 50% filtered = 900,000 tokens x $3 / 1M = $2.70 in 7 days
    # monthly: 2.70 x 30 / 7 = 11.5714... -> $11.57
    assert rec.monthly_savings == D("11.57")
    assert rec.rule == "tool_response_filtering"
    assert rec.scope == Scope("tool", "sql_query")
    assert rec.claims == {"gpt-x:input": D("11.57")}
    assert rec.confidence == "medium"  # 600 calls >= 200
    assert rec.evidence["estimated_tokens"] == "1800000"
    assert rec.evidence["window_savings"] == "2.70"
    assert rec.example_trace_ids == ("t9",)
    assert rec.risk


def test_tool_response_filtering_low_confidence_under_200_calls() -> None:
    # 100 calls x 8,000 chars = 800,000 chars = 200,000 tokens; half = 100,000 x $3 / 1M = $0.30 in 7 days
    # monthly: 0.30 x 30 / 7 = 1.2857 -> $1.29
    rec = tool_response_filtering(tool(calls=100, output_chars=800_000, avg_output_chars=8_000))
    assert rec is not None
    assert rec.monthly_savings == D("1.29")
    assert rec.confidence == "low"


@pytest.mark.parametrize(
    "changes",
    [
        {"avg_output_chars": 7_999, "output_chars": 7_999 * 600},  # outputs not large enough
        {"calls": 49, "output_chars": 49 * 12_000},  # too few calls
        {"next_input_price": None},  # unknown price of the next call
        {"next_model": None},  # unknown next model: nothing to claim on
    ],
)
def test_tool_response_filtering_silent(changes: dict[str, Any]) -> None:
    assert tool_response_filtering(tool(**changes)) is None


# ------------------------------------------------------------------------------- 7. retries
def test_retries_and_loops_seeded() -> None:
    profile = usage(days=D(14), calls=1_000, retried_calls=150, retried_cost=D(42), errors=160, cost_total=D(300))
    rec = retries_and_loops(profile)
    assert rec is not None
    # 150 / 1,000 = 15% >= 10%, 150 >= 20 retried calls; $42 in 14 days x 30 / 14 = $90.00 a month
    assert rec.monthly_savings == D("90.00")
    assert rec.claims == {"gpt-x:all": D("90.00")}
    assert rec.scope == Scope("agent", "triager")
    assert rec.confidence == "medium"  # 150 >= 50 retried calls
    assert rec.evidence["retry_rate"] == "15.0%"
    assert rec.evidence["retried_cost"] == "42.00"
    assert "backoff" in rec.title or "back off" in rec.title
    assert rec.risk


def test_retries_and_loops_low_confidence_and_workflow_scope() -> None:
    # 30 / 200 = 15%; $7 in 7 days x 30 / 7 = $30.00; 30 < 50 retried calls -> low
    rec = retries_and_loops(usage(agent=None, calls=200, retried_calls=30, retried_cost=D(7)))
    assert rec is not None
    assert rec.monthly_savings == D("30.00")
    assert rec.confidence == "low"
    assert rec.scope == Scope("workflow", "support")


@pytest.mark.parametrize(
    "changes",
    [
        {"calls": 1_000, "retried_calls": 99, "retried_cost": D(30)},  # 9.9% < 10%
        {"calls": 100, "retried_calls": 19, "retried_cost": D(30)},  # 19% but only 19 retried calls
        {"calls": 0, "retried_calls": 0},
    ],
)
def test_retries_and_loops_silent(changes: dict[str, Any]) -> None:
    assert retries_and_loops(usage(**changes)) is None


# ------------------------------------------------------------------------------- 8. early termination
def test_early_termination_seeded() -> None:
    # 40 errors, 32,000 failed output tokens = 800 per error (>= 200), costing 32,000 x $50 / 1M = $1.60
    profile = usage(errors=40, failed_output_tokens=32_000, failed_output_cost=D("1.60"))
    rec = early_termination(profile)
    assert rec is not None
    # 90% x 1.60 = 1.44 in 7 days; x 30 / 7 = 6.1714... -> $6.17
    assert rec.monthly_savings == D("6.17")
    assert rec.claims == {"gpt-x:output": D("6.17")}
    assert rec.confidence == "low"  # 800 < 1,000 tokens per failed call
    assert rec.evidence["failed_output_tokens_per_error"] == "800"
    assert rec.evidence["window_savings"] == "1.44"
    assert rec.risk


def test_early_termination_medium_confidence_for_long_failed_outputs() -> None:
    # 25 errors x 2,000 tokens = 50,000 tokens, $5.00 in 30 days; 90% = $4.50, x 30 / 30 = $4.50
    profile = usage(days=D(30), errors=25, failed_output_tokens=50_000, failed_output_cost=D(5))
    rec = early_termination(profile)
    assert rec is not None
    assert rec.monthly_savings == D("4.50")
    assert rec.confidence == "medium"
    # saved_share is a parameter: 50% of $5.00 = $2.50
    half = early_termination(profile, EarlyTerminationParams(saved_share=D("0.5")))
    assert half is not None and half.monthly_savings == D("2.50")


@pytest.mark.parametrize(
    "changes",
    [
        {"errors": 19, "failed_output_tokens": 19_000, "failed_output_cost": D(1)},  # too few errors
        {"errors": 40, "failed_output_tokens": 40 * 150, "failed_output_cost": D(1)},  # short failures
        {"errors": 0},
    ],
)
def test_early_termination_silent(changes: dict[str, Any]) -> None:
    assert early_termination(usage(**changes)) is None


# ------------------------------------------------------------------------------- 9. self-hosting
FRONTIER = ModelPrice(model="gpt-x", provider="openai", tier="frontier", input=D(15), output=D(60))
OPEN = ModelPrice(model="open-x", provider=None, tier="frontier", input=D(1), output=D(2), open_weight=True)


def volume(tokens: int, cost: D, days: D = D(30)) -> UsageProfile:
    return usage(agent=None, workflow=None, days=days, input_tokens=tokens, output_tokens=0, cost_total=cost)


def test_self_hosting_seeded() -> None:
    # 1,500,000,000 tokens in 15 days -> 3,000,000,000 a month; API $15,000 in 15 days -> $30,000 a month
    # GPU-month capacity: 1,500 x 3600 x 730 x 0.5 = 1,971,000,000 tokens -> ceil(3.0B / 1.971B) = 2 GPUs
    # self-hosting: $2.50 x 730 h x 2 = $3,650; 30,000 >= 1.2 x 3,650 = 4,380 -> savings 30,000 - 3,650
    rec = self_hosting(volume(1_500_000_000, D(15_000), D(15)), FRONTIER, OPEN, D("2.50"))
    assert rec is not None
    assert rec.monthly_savings == D("26350.00")
    assert rec.claims == {"gpt-x:all": D("26350.00")}
    assert rec.scope == Scope("model", "gpt-x")
    assert rec.confidence == "low"
    assert rec.evidence["gpus_needed"] == 2
    assert rec.evidence["gpu_month_capacity_tokens"] == "1971000000"
    assert rec.evidence["self_hosting_monthly_cost"] == "3650.00"
    assert rec.evidence["api_monthly_cost"] == "30000.00"
    assert "open-x" in rec.title
    assert rec.risk and "Operations" in rec.risk and "Quality" in rec.risk


def test_self_hosting_at_exactly_20_percent_and_open_weight_model_itself() -> None:
    # the model itself is open weight on a paid API, no alternative needed
    hosted = dataclasses.replace(OPEN, provider="together")
    # 20,000,000 tokens/month -> 1 GPU: $2.50 x 730 = $1,825; API $2,190 = 1.2 x 1,825 exactly -> fires
    rec = self_hosting(volume(20_000_000, D(2_190)), hosted, None, D("2.50"))
    assert rec is not None
    assert rec.monthly_savings == D("365.00")  # 2,190 - 1,825
    assert rec.risk and "Quality" not in rec.risk  # same model, no quality change


def test_self_hosting_capacity_is_a_parameter() -> None:
    # 1,000 tokens/s x 3600 x 730 x 0.5 = 1,314,000,000 per GPU: 3.0B tokens need ceil(2.28) = 3 GPUs
    # 3 x $2.50 x 730 = $5,475; savings 30,000 - 5,475 = $24,525.00
    params = SelfHostingParams(gpu_tokens_per_second=1_000)
    rec = self_hosting(volume(3_000_000_000, D(30_000)), FRONTIER, OPEN, D("2.50"), params)
    assert rec is not None
    assert rec.evidence["gpus_needed"] == 3
    assert rec.monthly_savings == D("24525.00")


@pytest.mark.parametrize(
    ("tokens", "cost", "price", "alternative"),
    [
        (9_999_999, D(50_000), FRONTIER, OPEN),  # below 10M tokens/month
        (20_000_000, D("2189.99"), FRONTIER, OPEN),  # API cost < 1.2 x $1,825 = $2,190
        (20_000_000, D(50_000), FRONTIER, None),  # no open-weight option
        (20_000_000, D(50_000), FRONTIER, dataclasses.replace(OPEN, open_weight=False)),  # not open weight
        (20_000_000, D(50_000), FRONTIER, dataclasses.replace(OPEN, tier="small")),  # not the same tier
    ],
)
def test_self_hosting_silent(tokens: int, cost: D, price: ModelPrice, alternative: ModelPrice | None) -> None:
    assert self_hosting(volume(tokens, cost), price, alternative, D("2.50")) is None


# ------------------------------------------------------------------------------- combine
def rec(rule: str, claims: dict[str, D], savings: D | None = None) -> Recommendation:
    total = sum(claims.values(), D(0)) if savings is None else savings
    return Recommendation(rule, Scope("agent", "a"), f"{rule} title", total, "medium", {}, claims=claims)


def test_combine_two_rules_on_one_bucket() -> None:
    # $60 and $30 of a $100 input bucket: 100 x (1 - (1 - 0.6) x (1 - 0.3)) = 100 x (1 - 0.28) = $72, not $90
    recs = [rec("prompt_caching", {"m:input": D(30)}), rec("model_routing", {"m:input": D(60)})]
    total, breakdown = total_savings(recs, {"m:input": D(100), "m:all": D(100)})
    assert total == D("72.00")
    assert breakdown["naive_sum"] == "90.00"
    assert breakdown["overlap"] == "18.00"
    (entry,) = breakdown["keys"]
    assert entry["key"] == "m:input" and entry["combined"] == "72.00"
    # priority: model_routing before prompt_caching; routing credited 60, caching 30% of the 40 left = 12
    assert [(c["rule"], c["counted"]) for c in entry["claims"]] == [
        ("model_routing", "60.00"),
        ("prompt_caching", "12.00"),
    ]
    assert breakdown["by_rule"] == {"model_routing": "60.00", "prompt_caching": "12.00"}


def test_combine_all_claim_spreads_over_buckets() -> None:
    # model m: input $60 + output $40 = $100. retries claim m:all $20 (20% of every bucket),
    # output_length claims m:output $20 (50% of the output bucket).
    # input:  60 x 0.2 = $12
    # output: 40 x (1 - (1 - 0.2) x (1 - 0.5)) = 40 x 0.6 = $24 (retries 8, output_length 50% of 32 = 16)
    # total $36, not $40
    recs = [rec("output_length", {"m:output": D(20)}), rec("retries_and_loops", {"m:all": D(20)})]
    total, breakdown = total_savings(recs, {"m:input": D(60), "m:output": D(40), "m:all": D(100)})
    assert total == D("36.00")
    entries = {e["key"]: e for e in breakdown["keys"]}
    assert entries["m:input"]["combined"] == "12.00"
    assert entries["m:output"]["combined"] == "24.00"
    assert [(c["rule"], c["counted"]) for c in entries["m:output"]["claims"]] == [
        ("retries_and_loops", "8.00"),
        ("output_length", "16.00"),
    ]
    assert breakdown["by_rule"] == {"output_length": "16.00", "retries_and_loops": "20.00"}


def test_combine_all_claim_covers_cost_outside_the_listed_buckets() -> None:
    # m:all $100 but only input $60 listed: the other $40 is bucket "other"; a $50 all claim is 50% of both
    # -> 30 + 20 = $50
    total, breakdown = total_savings([rec("self_hosting", {"m:all": D(50)})], {"m:input": D(60), "m:all": D(100)})
    assert total == D("50.00")
    assert {e["key"] for e in breakdown["keys"]} == {"m:input", "m:other"}


def test_combine_caps_at_the_baseline() -> None:
    # $100 + $30 claimed on an $80 bucket: first fraction capped at 1 -> nothing left -> $80
    recs = [rec("model_routing", {"m:output": D(100)}), rec("output_length", {"m:output": D(30)})]
    total, breakdown = total_savings(recs, {"m:output": D(80)})
    assert total == D("80.00")
    assert breakdown["by_rule"] == {"model_routing": "80.00", "output_length": "0.00"}


def test_combine_separate_models_and_buckets_add_up() -> None:
    # no overlap: $10 on a:input + $5 on b:output = $15; a claim without a baseline counts its largest only
    recs = [
        rec("prompt_caching", {"a:input": D(10)}),
        rec("output_length", {"b:output": D(5)}),
        rec("context_pruning", {"c:input": D(7)}),
        rec("tool_response_filtering", {"c:input": D(4)}),
    ]
    total, breakdown = total_savings(recs, {"a:input": D(100), "b:output": D(50)})
    assert total == D("22.00")  # 10 + 5 + max(7, 4)
    assert sum(D(v) for v in breakdown["by_rule"].values()) == total


def test_combine_rounds_once_and_reconciles() -> None:
    # thirds: 100 x (1 - (2/3) x (2/3) x (2/3)) = 100 x 19/27 = 70.370... -> $70.37, parts add up to it
    third = D(100) / 3
    recs = [rec(r, {"m:input": third}) for r in ("model_routing", "prompt_caching", "context_pruning")]
    total, breakdown = total_savings(recs, {"m:input": D(100)})
    assert total == D("70.37")
    assert sum(D(c["counted"]) for c in breakdown["keys"][0]["claims"]) == total


def test_combine_unclaimed_and_empty() -> None:
    total, breakdown = total_savings([], {})
    assert total == D(0) and breakdown["keys"] == [] and breakdown["total"] == "0.00"
    total, breakdown = total_savings([rec("something_else", {}, savings=D("12.345"))])
    assert total == D("12.35")
    assert breakdown["unclaimed"][0]["counted"] == "12.35"


def test_combine_with_rule_outputs() -> None:
    # retries ($90/month on gpt-x:all) and early termination ($6.17/month on gpt-x:output) of one agent;
    # gpt-x costs $1,000/month: input $400, output $600.
    # input:  400 x 90/1000 = $36
    # output: 600 x (1 - (1 - 0.09) x (1 - 6.17/600)) = 600 x 0.09 + 546 x 6.17/600 = 54 + 5.6147 = $59.61
    # total $95.61 (naive $96.17)
    retries = retries_and_loops(usage(days=D(14), retried_calls=150, retried_cost=D(42)))
    early = early_termination(usage(errors=40, failed_output_tokens=32_000, failed_output_cost=D("1.60")))
    assert retries is not None and early is not None
    total, breakdown = total_savings(
        [early, retries], {"gpt-x:input": D(400), "gpt-x:output": D(600), "gpt-x:all": D(1_000)}
    )
    assert total == D("95.61")
    assert breakdown["naive_sum"] == "96.17"
