"""Plain data of the recommendation rules (no I/O): what was observed, and what a rule proposes.

Every profile covers one lookback window (`days` long); rules scale what they find to a month with
`monthly = amount * 30 / days`. Money is Decimal, prices are per 1M tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from finops.alerts.types import Scope

MONTH_DAYS = Decimal(30)


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """List prices of one model per 1M tokens (from the catalog in force now)."""

    model: str
    provider: str | None
    tier: str | None  # frontier, mid, small, embedding
    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    batch_discount: Decimal | None = None
    open_weight: bool = False


@dataclass(frozen=True, slots=True)
class UsageProfile:
    """One (agent, model) over the lookback window, from the stored calls."""

    agent: str | None
    model: str
    provider: str | None
    workflow: str | None  # the workflow most of these calls belong to
    environment: str | None
    days: Decimal  # length of the lookback window
    calls: int
    input_tokens: int  # uncached
    cache_read_tokens: int
    cache_write_tokens: int  # 5-minute and 1-hour writes
    output_tokens: int  # excluding reasoning
    reasoning_tokens: int
    cost_input: Decimal
    cost_cache_read: Decimal
    cost_cache_write: Decimal
    cost_output: Decimal
    cost_reasoning: Decimal
    cost_total: Decimal
    prompt_p10: int  # prompt tokens (uncached + cache read + cache write) per call: 10th percentile
    prompt_p50: int
    output_p50: int  # output + reasoning tokens per call
    output_p90: int
    output_stddev: float
    max_tokens_p50: int | None  # the max_tokens the calls asked for (median), when reported
    length_finishes: int  # calls that stopped at max_tokens (finish reason "length")
    operations: tuple[str, ...]  # gen_ai.operation.name values seen
    errors: int  # calls that failed
    failed_output_tokens: int  # output + reasoning tokens of the failed calls
    failed_output_cost: Decimal
    retried_calls: int  # calls repeating a failed attempt of the same step
    retried_cost: Decimal
    batch_calls: int  # already on batch pricing
    interactive_calls: int  # calls with a user or session id (someone is waiting)
    example_trace_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContextGrowth:
    """Long workflow runs (more than 10 LLM calls) of one workflow and how their prompts grow."""

    workflow: str
    model: str  # the model most of their calls use
    days: Decimal
    long_runs: int
    calls: int  # calls in those runs
    avg_calls_per_run: Decimal
    prompt_tokens: int  # all prompt tokens of those calls
    first_turns_avg_prompt: int  # average prompt of turns 1-3
    last_turns_avg_prompt: int  # average prompt of the last 3 turns
    growth_per_turn: Decimal  # least-squares slope of prompt tokens against turn number
    tokens_above_window: int  # prompt tokens beyond what a sliding window of `window_turns` turns would send
    window_turns: int
    input_price: Decimal  # per 1M, of the model
    example_trace_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolOutputProfile:
    """One tool's outputs over the window, and the model of the LLM call that reads them next."""

    tool: str
    agent: str | None
    days: Decimal
    calls: int
    output_chars: int  # total
    avg_output_chars: int
    next_model: str | None
    next_input_price: Decimal | None  # per 1M of the next call's model
    example_trace_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recommendation:
    rule: str  # e.g. "model_routing"
    scope: Scope  # agent / workflow / model / tool
    title: str
    monthly_savings: Decimal  # estimated, per month, in USD
    confidence: str  # low, medium, high
    evidence: dict[str, Any]  # the numbers behind it (JSON-safe: money as str)
    example_trace_ids: tuple[str, ...] = ()
    risk: str | None = None
    # (model, bucket) -> monthly dollars this recommendation saves on that bucket, so the total can
    # avoid counting the same dollars twice (buckets: input, cache_read, cache_write, output, reasoning, all)
    claims: dict[str, Decimal] = field(default_factory=dict)
