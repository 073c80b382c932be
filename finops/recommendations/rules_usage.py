"""Recommendation rules on how the models are used (pure: data in, `Recommendation | None` out).

Every rule reads one profile of the lookback window, prices tokens at the list prices passed in
(`tokens x price / 1e6`, the catalog in force now, so the estimate is what next month would cost), scales
the window to a month with `x 30 / days`, and rounds each claimed bucket to the cent once;
`monthly_savings` is the sum of the claims, so the two reconcile exactly. Reasoning tokens are priced at the
output price. Per-request fees are left out (no rule changes them). A rule stays silent (None) when a
threshold is not met, a price it needs is missing, or the saving is below `min_monthly_savings` ($1).

| rule              | fires when (defaults)                                         | monthly saving                 |
|-------------------|---------------------------------------------------------------|--------------------------------|
| model_routing     | frontier model; every operation simple (chat,                 | same tokens at the cheaper     |
|                   | text_completion, generate_content, classification,            | model minus at the current     |
|                   | extraction; none reported counts as chat); output_p90 <= 300; | one (cheapest mid of the same  |
|                   | output stddev <= 150; prompt_p50 <= 4,000; calls >= 200       | provider, else small, else any |
|                   |                                                               | provider)                      |
| prompt_caching    | prompt_p10 >= 1,024 (stable prefix); calls >= 100; cache      | 0.9 x p10 per call read at the |
|                   | reads < 20% of prompt tokens; model has cache_read < input    | cache price, minus one prefix  |
|                   |                                                               | write per 5 minutes            |
| context_pruning   | > 10 calls per run; >= 20 long runs; growth >= 200            | 0.8 x tokens above the sliding |
|                   | tokens/turn or last turns >= 3 x first turns                  | window at the input price      |
| output_length     | output_p50 >= 800 and (max_tokens_p50 >= 4 x output_p50 or    | 30% of output + reasoning cost |
|                   | length finishes >= 5%); interactive < 20%; calls >= 100       |                                |
| batch_eligibility | interactive <= 5%; batch calls <= 10%; model has a batch      | token cost of the real-time    |
|                   | discount; calls >= 100                                        | calls x batch_discount         |

Confidence of the profile rules is "low" under 1,000 calls in the window (too few to trust a shape), else
"medium"; batch_eligibility is "high" when the environment names offline work (batch, scheduled, cron,
offline, etl, nightly); context_pruning is always "medium". The reason is in `evidence["confidence_reason"]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from finops.alerts.types import Scope
from finops.recommendations.money import cents, money, monthly
from finops.recommendations.types import ContextGrowth, ModelPrice, Recommendation, UsageProfile

MILLION = Decimal(1_000_000)
BUCKETS = ("input", "cache_read", "cache_write", "output", "reasoning")
TIER_ORDER = ("frontier", "mid", "small")  # routing goes down this list, never to embedding models
HIGH_VOLUME_CALLS = 1000  # under this many calls in the window, confidence is low


# ---------------------------------------------------------------------------------------------- helpers


def _about(amount: Decimal) -> str:
    """Money for a title: whole dollars from $100 up, cents below."""
    if amount >= 100:
        return f"${amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"${cents(amount):,}"


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def _ratio(value: Decimal) -> float:
    return round(float(value), 4)


def _bucket_costs(profile: UsageProfile, price: ModelPrice) -> dict[str, Decimal]:
    """Window cost of the profile's tokens per bucket at `price` (missing cache prices: the input price)."""
    cache_read = price.cache_read if price.cache_read is not None else price.input
    cache_write = price.cache_write if price.cache_write is not None else price.input
    return {
        "input": profile.input_tokens * price.input / MILLION,
        "cache_read": profile.cache_read_tokens * cache_read / MILLION,
        "cache_write": profile.cache_write_tokens * cache_write / MILLION,
        "output": profile.output_tokens * price.output / MILLION,
        "reasoning": profile.reasoning_tokens * price.output / MILLION,
    }


def _claims(model: str, monthly_by_bucket: dict[str, Decimal]) -> dict[str, Decimal]:
    """Claims rounded to the cent, empty buckets left out."""
    rounded = {f"{model}:{bucket}": cents(amount) for bucket, amount in monthly_by_bucket.items()}
    return {key: amount for key, amount in rounded.items() if amount != 0}


def _scope(profile: UsageProfile) -> Scope:
    if profile.agent:
        return Scope("agent", profile.agent)
    if profile.workflow:
        return Scope("workflow", profile.workflow)
    return Scope("model", profile.model)


def _whose(profile: UsageProfile) -> str:
    """'triager's ' / 'workflow digest's ' / '' (title prefix for the calls)."""
    if profile.agent:
        return f"{profile.agent}'s "
    if profile.workflow:
        return f"workflow {profile.workflow}'s "
    return ""


def _confidence(calls: int) -> tuple[str, str]:
    if calls < HIGH_VOLUME_CALLS:
        return "low", f"only {calls:,} calls in the window (under {HIGH_VOLUME_CALLS:,})"
    return "medium", f"{calls:,} calls in the window; the estimate rests on token counts, not on content"


def _prices(price: ModelPrice) -> dict[str, str | None]:
    return {
        "input": str(price.input),
        "output": str(price.output),
        "cache_read": None if price.cache_read is None else str(price.cache_read),
        "cache_write": None if price.cache_write is None else str(price.cache_write),
        "batch_discount": None if price.batch_discount is None else str(price.batch_discount),
    }


def _base_evidence(profile: UsageProfile) -> dict[str, Any]:
    return {
        "agent": profile.agent,
        "workflow": profile.workflow,
        "model": profile.model,
        "environment": profile.environment,
        "days": str(profile.days),
        "calls": profile.calls,
        "cost_total_window": money(profile.cost_total),
    }


# ---------------------------------------------------------------------------------------------- 1. routing


@dataclass(frozen=True, slots=True)
class RoutingParams:
    simple_operations: frozenset[str] = frozenset(
        {"chat", "text_completion", "generate_content", "classification", "classify", "extraction", "extract"}
    )
    from_tiers: frozenset[str] = frozenset({"frontier"})
    max_output_p90: int = 300
    max_output_stddev: float = 150.0
    max_prompt_p50: int = 4000
    min_calls: int = 200
    min_monthly_savings: Decimal = Decimal("1")


ROUTING_RISK = (
    "Measure cost per successful call: a cheaper model that fails 30% of the time can cost more than the "
    "frontier model it replaces. Roll out behind a flag and compare success rates before switching all traffic."
)
_TASK_LABELS = (("classif", "classification"), ("extract", "extraction"))


def model_routing(
    profile: UsageProfile, current: ModelPrice, cheaper: list[ModelPrice], params: RoutingParams = RoutingParams()
) -> Recommendation | None:
    """Route simple calls from a frontier model to a cheaper tier.

    Heuristic: calls look simple when every operation seen is classification-like, extraction or chat
    (none reported counts as chat: the output shape decides), outputs are short (output_p90 <= 300 tokens)
    and uniform (stddev <= 150), prompts are moderate (prompt_p50 <= 4,000) and there are >= 200 calls.
    Target: among `cheaper`, the models of the same provider if any (else every provider); of those the
    mid tier if any, else small; of those the one that prices these very tokens lowest. Saving: the same
    tokens priced at the target (cache prices it lacks: its input price) minus at the current model, per
    bucket. Confidence medium, low under 1,000 calls; the risk cites cost per successful call.
    """
    if current.tier not in params.from_tiers or current.tier not in TIER_ORDER or profile.days <= 0:
        return None
    operations = tuple(op.lower() for op in profile.operations)
    if any(op not in params.simple_operations for op in operations):
        return None
    if (
        profile.calls < params.min_calls
        or profile.output_p90 > params.max_output_p90
        or profile.output_stddev > params.max_output_stddev
        or profile.prompt_p50 > params.max_prompt_p50
    ):
        return None
    lower_tiers = TIER_ORDER[TIER_ORDER.index(current.tier) + 1 :]
    pool = [c for c in cheaper if c.tier in lower_tiers and c.model != current.model]
    same_provider = [c for c in pool if current.provider is not None and c.provider == current.provider]
    pool = same_provider or pool
    tier = next((t for t in lower_tiers if any(c.tier == t for c in pool)), None)
    if tier is None:
        return None
    now_costs = _bucket_costs(profile, current)
    target = min((c for c in pool if c.tier == tier), key=lambda c: (sum(_bucket_costs(profile, c).values()), c.model))
    target_costs = _bucket_costs(profile, target)
    claims = _claims(profile.model, {b: monthly(now_costs[b] - target_costs[b], profile.days) for b in BUCKETS})
    savings = sum(claims.values(), Decimal(0))
    if savings < params.min_monthly_savings:
        return None
    task = next((label for key, label in _TASK_LABELS if any(key in op for op in operations)), "short-answer")
    confidence, reason = _confidence(profile.calls)
    evidence = _base_evidence(profile) | {
        "operations": list(profile.operations),
        "output_p90": profile.output_p90,
        "output_stddev": profile.output_stddev,
        "prompt_p50": profile.prompt_p50,
        "thresholds": {
            "max_output_p90": params.max_output_p90,
            "max_output_stddev": params.max_output_stddev,
            "max_prompt_p50": params.max_prompt_p50,
            "min_calls": params.min_calls,
        },
        "current_model": current.model,
        "current_tier": current.tier,
        "current_prices": _prices(current),
        "target_model": target.model,
        "target_tier": target.tier,
        "target_provider": target.provider,
        "same_provider": bool(same_provider),
        "target_prices": _prices(target),
        "cost_current_window": money(sum(now_costs.values(), Decimal(0))),
        "cost_target_window": money(sum(target_costs.values(), Decimal(0))),
        "savings_window": money(sum(now_costs.values(), Decimal(0)) - sum(target_costs.values(), Decimal(0))),
        "monthly_savings": str(savings),
        "confidence_reason": reason,
    }
    return Recommendation(
        rule="model_routing",
        scope=_scope(profile),
        title=(
            f"Route {_whose(profile)}{task} calls from {current.model} to {target.model}: "
            f"save about {_about(savings)}/month"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence=evidence,
        example_trace_ids=profile.example_trace_ids,
        risk=ROUTING_RISK,
        claims=claims,
    )


# ---------------------------------------------------------------------------------------------- 2. caching


@dataclass(frozen=True, slots=True)
class CachingParams:
    min_prefix_tokens: int = 1024  # providers do not cache shorter prefixes
    min_calls: int = 100
    max_cache_read_share: Decimal = Decimal("0.20")
    cacheable_fraction: Decimal = Decimal("0.9")  # of prompt_p10
    cache_lifetime_minutes: int = 5
    min_monthly_savings: Decimal = Decimal("1")


CACHING_RISK = (
    "Only an identical prefix is cached: put the system prompt and tool definitions first, keep them "
    "byte-identical (no timestamps or ids in them) and move per-call content to the end."
)


def prompt_caching(
    profile: UsageProfile, price: ModelPrice, params: CachingParams = CachingParams()
) -> Recommendation | None:
    """Cache a large prompt prefix that every call repeats.

    Heuristic: the 10th percentile of prompt tokens is the floor nearly every call sends, taken as the
    repeated prefix (system prompt + tool definitions). Fires when prompt_p10 >= 1,024, calls >= 100,
    cache reads < 20% of prompt tokens (uncached + cache read + cache write) and the model prices
    cache reads below input. Cacheable tokens per call = floor(prompt_p10 x 0.9). Writes: one per cache
    lifetime (5 minutes) of activity, at most one per call: writes = min(calls, days x 24 x 12); the other
    calls read. Saving = (reads x cacheable - cache reads already made) x (input - cache_read) / 1e6
    - writes x cacheable x write premium / 1e6 (premium = cache_write - input when a cache_write price is
    given, else 0). Assuming calls spread over every 5-minute slot is the pessimistic case: bursty traffic
    hits the cache more. Claimed on the input bucket; None when not positive.
    """
    if price.cache_read is None or price.cache_read >= price.input or profile.days <= 0:
        return None
    prompt_tokens = profile.input_tokens + profile.cache_read_tokens + profile.cache_write_tokens
    read_share = _share(profile.cache_read_tokens, prompt_tokens)
    if (
        profile.calls < params.min_calls
        or profile.prompt_p10 < params.min_prefix_tokens
        or prompt_tokens == 0
        or read_share >= params.max_cache_read_share
    ):
        return None
    cacheable = int(profile.prompt_p10 * params.cacheable_fraction)
    slots = max(1, int(profile.days * 24 * 60 / params.cache_lifetime_minutes))
    writes = min(profile.calls, slots)
    reads = profile.calls - writes
    new_read_tokens = max(0, reads * cacheable - profile.cache_read_tokens)
    premium = max(Decimal(0), price.cache_write - price.input) if price.cache_write is not None else Decimal(0)
    read_savings = new_read_tokens * (price.input - price.cache_read) / MILLION
    write_cost = writes * cacheable * premium / MILLION
    claims = _claims(profile.model, {"input": monthly(read_savings - write_cost, profile.days)})
    savings = sum(claims.values(), Decimal(0))
    if savings < params.min_monthly_savings:
        return None
    confidence, reason = _confidence(profile.calls)
    evidence = _base_evidence(profile) | {
        "prompt_p10": profile.prompt_p10,
        "prompt_p50": profile.prompt_p50,
        "prompt_tokens": prompt_tokens,
        "cache_read_tokens": profile.cache_read_tokens,
        "cache_write_tokens": profile.cache_write_tokens,
        "cache_read_share": _ratio(read_share),
        "thresholds": {
            "min_prefix_tokens": params.min_prefix_tokens,
            "min_calls": params.min_calls,
            "max_cache_read_share": str(params.max_cache_read_share),
        },
        "cacheable_tokens_per_call": cacheable,
        "cache_lifetime_minutes": params.cache_lifetime_minutes,
        "cache_writes_assumed": writes,
        "cache_reads_assumed": reads,
        "new_cache_read_tokens": new_read_tokens,
        "prices": _prices(price),
        "write_premium": str(premium),
        "read_savings_window": money(read_savings),
        "write_cost_window": money(write_cost),
        "monthly_savings": str(savings),
        "confidence_reason": reason
        + "; prompt_p10 is a floor most calls share, not proof that the prefix is byte-identical",
    }
    return Recommendation(
        rule="prompt_caching",
        scope=_scope(profile),
        title=(
            f"Cache the repeated {cacheable:,}-token prompt prefix of {_whose(profile)}{profile.model} calls: "
            f"save about {_about(savings)}/month"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence=evidence,
        example_trace_ids=profile.example_trace_ids,
        risk=CACHING_RISK,
        claims=claims,
    )


# ---------------------------------------------------------------------------------------------- 3. pruning


@dataclass(frozen=True, slots=True)
class PruningParams:
    min_avg_calls_per_run: Decimal = Decimal(10)  # strictly more
    min_long_runs: int = 20
    min_growth_per_turn: Decimal = Decimal(200)  # tokens per turn
    min_growth_ratio: Decimal = Decimal(3)  # last turns / first turns
    kept_fraction: Decimal = Decimal("0.8")  # of the tokens above the window (margin for summaries)
    min_monthly_savings: Decimal = Decimal("1")


PRUNING_RISK = (
    "Older turns leave the context: keep turns marked important and a running summary of the rest, and "
    "compare the workflow's success rate before and after."
)


def context_pruning(growth: ContextGrowth, params: PruningParams = PruningParams()) -> Recommendation | None:
    """Prune the history of long workflow runs whose prompts grow turn over turn.

    Heuristic: runs of more than 10 calls on average, at least 20 such runs, and prompts that grow
    (least-squares slope >= 200 tokens/turn, or the last 3 turns average >= 3 x the first 3). Saving =
    tokens above a sliding window of `window_turns` turns x input price / 1e6 x 30 / days x 0.8 (the 20%
    margin pays for the summaries that replace old turns). Claimed on the input bucket. Confidence medium.
    """
    if growth.days <= 0 or growth.tokens_above_window <= 0:
        return None
    grows = growth.growth_per_turn >= params.min_growth_per_turn or (
        growth.first_turns_avg_prompt > 0
        and growth.last_turns_avg_prompt >= params.min_growth_ratio * growth.first_turns_avg_prompt
    )
    if growth.avg_calls_per_run <= params.min_avg_calls_per_run or growth.long_runs < params.min_long_runs:
        return None
    if not grows:
        return None
    window_cost = growth.tokens_above_window * growth.input_price / MILLION
    claims = _claims(growth.model, {"input": monthly(window_cost * params.kept_fraction, growth.days)})
    savings = sum(claims.values(), Decimal(0))
    if savings < params.min_monthly_savings:
        return None
    ratio = (
        Decimal(growth.last_turns_avg_prompt) / Decimal(growth.first_turns_avg_prompt)
        if growth.first_turns_avg_prompt
        else None
    )
    evidence = {
        "workflow": growth.workflow,
        "model": growth.model,
        "days": str(growth.days),
        "long_runs": growth.long_runs,
        "calls": growth.calls,
        "avg_calls_per_run": str(growth.avg_calls_per_run),
        "prompt_tokens": growth.prompt_tokens,
        "first_turns_avg_prompt": growth.first_turns_avg_prompt,
        "last_turns_avg_prompt": growth.last_turns_avg_prompt,
        "last_to_first_ratio": None if ratio is None else _ratio(ratio),
        "growth_per_turn": str(growth.growth_per_turn),
        "window_turns": growth.window_turns,
        "tokens_above_window": growth.tokens_above_window,
        "share_above_window": _ratio(_share(growth.tokens_above_window, growth.prompt_tokens)),
        "input_price": str(growth.input_price),
        "cost_above_window_window": money(window_cost),
        "kept_fraction": str(params.kept_fraction),
        "thresholds": {
            "min_avg_calls_per_run": str(params.min_avg_calls_per_run),
            "min_long_runs": params.min_long_runs,
            "min_growth_per_turn": str(params.min_growth_per_turn),
            "min_growth_ratio": str(params.min_growth_ratio),
        },
        "monthly_savings": str(savings),
        "confidence_reason": f"{growth.long_runs:,} long runs show the growth; the sliding window is simulated "
        "from token counts, and how much old context the model still needs is unknown",
    }
    return Recommendation(
        rule="context_pruning",
        scope=Scope("workflow", growth.workflow),
        title=(
            f"Prune the growing context of workflow {growth.workflow} (keep the last {growth.window_turns} "
            f"turns plus a summary): save about {_about(savings)}/month"
        ),
        monthly_savings=savings,
        confidence="medium",
        evidence=evidence,
        example_trace_ids=growth.example_trace_ids,
        risk=PRUNING_RISK,
        claims=claims,
    )


# ---------------------------------------------------------------------------------------------- 4. output


@dataclass(frozen=True, slots=True)
class OutputLengthParams:
    min_output_p50: int = 800
    max_tokens_ratio: int = 4  # max_tokens_p50 >= 4 x output_p50: no real limit set
    min_length_finish_share: Decimal = Decimal("0.05")
    max_interactive_share: Decimal = Decimal("0.20")  # strictly less
    reduction: Decimal = Decimal("0.3")  # the seed's conservative end of 30-50%
    min_calls: int = 100
    min_monthly_savings: Decimal = Decimal("1")


OUTPUT_RISK = (
    "A hard cut breaks structured output: ask for a schema or an explicit length in the prompt first, and "
    "set max_tokens to about twice the p90 the consumer needs rather than cutting blindly."
)


def output_length(
    profile: UsageProfile, price: ModelPrice, params: OutputLengthParams = OutputLengthParams()
) -> Recommendation | None:
    """Constrain long outputs that a program (not a person) consumes.

    Heuristic: outputs are long (output_p50 >= 800 tokens, reasoning included) and either unconstrained
    (max_tokens_p50 >= 4 x output_p50) or often cut (finish reason "length" on >= 5% of calls), with
    fewer than 20% interactive calls and >= 100 calls. Saving = 30% (the seed's conservative end of
    30-50%) of output + reasoning tokens at the output price. Confidence medium, low under 1,000 calls.
    """
    if profile.days <= 0 or profile.calls < params.min_calls or profile.output_p50 < params.min_output_p50:
        return None
    interactive_share = _share(profile.interactive_calls, profile.calls)
    length_share = _share(profile.length_finishes, profile.calls)
    unconstrained = (
        profile.max_tokens_p50 is not None and profile.max_tokens_p50 >= params.max_tokens_ratio * profile.output_p50
    )
    truncated = length_share >= params.min_length_finish_share
    if not (unconstrained or truncated) or interactive_share >= params.max_interactive_share:
        return None
    costs = _bucket_costs(profile, price)
    claims = _claims(
        profile.model, {b: monthly(costs[b] * params.reduction, profile.days) for b in ("output", "reasoning")}
    )
    savings = sum(claims.values(), Decimal(0))
    if savings < params.min_monthly_savings:
        return None
    confidence, reason = _confidence(profile.calls)
    evidence = _base_evidence(profile) | {
        "output_p50": profile.output_p50,
        "output_p90": profile.output_p90,
        "max_tokens_p50": profile.max_tokens_p50,
        "length_finishes": profile.length_finishes,
        "length_finish_share": _ratio(length_share),
        "interactive_calls": profile.interactive_calls,
        "interactive_share": _ratio(interactive_share),
        "signals": [name for name, on in (("max_tokens_unconstrained", unconstrained), ("truncated", truncated)) if on],
        "output_tokens": profile.output_tokens,
        "reasoning_tokens": profile.reasoning_tokens,
        "output_price": str(price.output),
        "cost_output_window": money(costs["output"]),
        "cost_reasoning_window": money(costs["reasoning"]),
        "reduction": str(params.reduction),
        "thresholds": {
            "min_output_p50": params.min_output_p50,
            "max_tokens_ratio": params.max_tokens_ratio,
            "min_length_finish_share": str(params.min_length_finish_share),
            "max_interactive_share": str(params.max_interactive_share),
        },
        "monthly_savings": str(savings),
        "confidence_reason": reason,
    }
    return Recommendation(
        rule="output_length",
        scope=_scope(profile),
        title=(
            f"Constrain {_whose(profile)}{profile.model} outputs (median {profile.output_p50:,} tokens) with a "
            f"schema or length limit: save about {_about(savings)}/month"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence=evidence,
        example_trace_ids=profile.example_trace_ids,
        risk=OUTPUT_RISK,
        claims=claims,
    )


# ---------------------------------------------------------------------------------------------- 5. batch


@dataclass(frozen=True, slots=True)
class BatchParams:
    max_interactive_share: Decimal = Decimal("0.05")
    max_batch_share: Decimal = Decimal("0.10")
    batch_environments: frozenset[str] = frozenset({"batch", "scheduled", "cron", "offline", "etl", "nightly"})
    min_calls: int = 100
    min_monthly_savings: Decimal = Decimal("1")


BATCH_RISK = (
    "Batch results arrive within 24 hours, not seconds: move only work nobody waits for (reports, "
    "enrichment, backfills) and keep a real-time path for anything urgent."
)


def batch_eligibility(
    profile: UsageProfile, price: ModelPrice, params: BatchParams = BatchParams()
) -> Recommendation | None:
    """Move non-interactive work from real-time to batch pricing.

    Heuristic: at most 5% of calls are interactive (carry a user or session id), at most 10% are already
    on batch pricing, >= 100 calls, and the model has a batch discount. An environment whose name has a
    word in {batch, scheduled, cron, offline, etl, nightly} (e.g. "nightly-etl") is strong evidence:
    confidence high; else medium (low under 1,000 calls). Saving = token cost x share of real-time calls
    x batch_discount, per bucket.
    """
    discount = price.batch_discount
    if discount is None or discount <= 0 or profile.days <= 0 or profile.calls < params.min_calls:
        return None
    interactive_share = _share(profile.interactive_calls, profile.calls)
    batch_share = _share(profile.batch_calls, profile.calls)
    if interactive_share > params.max_interactive_share or batch_share > params.max_batch_share:
        return None
    realtime_share = 1 - batch_share
    costs = _bucket_costs(profile, price)
    claims = _claims(profile.model, {b: monthly(costs[b] * realtime_share * discount, profile.days) for b in BUCKETS})
    savings = sum(claims.values(), Decimal(0))
    if savings < params.min_monthly_savings:
        return None
    words = set(re.split(r"[^a-z0-9]+", (profile.environment or "").lower()))
    offline_env = bool(words & params.batch_environments)
    if offline_env:
        confidence, reason = "high", f"environment {profile.environment!r} names offline work"
    else:
        confidence, reason = _confidence(profile.calls)
        reason += "; no user or session id on the calls, but a service may still wait for them"
    evidence = _base_evidence(profile) | {
        "interactive_calls": profile.interactive_calls,
        "interactive_share": _ratio(interactive_share),
        "batch_calls": profile.batch_calls,
        "batch_share": _ratio(batch_share),
        "offline_environment": offline_env,
        "prices": _prices(price),
        "cost_tokens_window": money(sum(costs.values(), Decimal(0))),
        "realtime_share": _ratio(realtime_share),
        "batch_discount": str(discount),
        "thresholds": {
            "max_interactive_share": str(params.max_interactive_share),
            "max_batch_share": str(params.max_batch_share),
            "min_calls": params.min_calls,
        },
        "monthly_savings": str(savings),
        "confidence_reason": reason,
    }
    return Recommendation(
        rule="batch_eligibility",
        scope=_scope(profile),
        title=(
            f"Move {_whose(profile)}{profile.model} calls to the batch API ({discount * 100:.0f}% off): "
            f"save about {_about(savings)}/month"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence=evidence,
        example_trace_ids=profile.example_trace_ids,
        risk=BATCH_RISK,
        claims=claims,
    )
