"""Recommendation rules 6-9: money spent on waste (bulky tool outputs, retries, failed outputs, API premium).

Pure functions: they take profiles of one lookback window (`days` long) and today's prices, and return a
`Recommendation` or None. Nothing here reads a database or a clock. Every amount is scaled to a month
with `amount * MONTH_DAYS / days` (30 days) and rounded once, to cents, when the recommendation is built.
Thresholds are inclusive ("at least"). Evidence is JSON-safe (money and rates as str).

| Rule                    | Fires when (thresholds are inclusive)       | Monthly savings (x 30 / days) | Claims       |
|-------------------------|---------------------------------------------|-------------------------------|--------------|
| tool_response_filtering | avg output >= 8,000 chars over >= 50 calls, | chars / 4 x 50% x next        | next_model:  |
|                         | and the next model's input price is known   | model's input price / 1M      | input        |
| retries_and_loops       | retried_calls / calls >= 10% and >= 20      | retried_cost                  | model:all    |
|                         | retried calls                               |                               |              |
| early_termination       | >= 20 errors and >= 200 output + reasoning  | 90% x failed_output_cost      | model:output |
|                         | tokens per failed call                      |                               |              |
| self_hosting            | >= 10M tokens/month, an open-weight option, | API cost - GPU $/h x 730 h x  | model:all    |
|                         | and API cost >= 1.2 x self-hosting cost     | GPUs needed                   |              |

Parameters (dataclasses below, defaults in brackets):

- ToolFilteringParams: min_avg_output_chars [8,000], min_calls [50], chars_per_token [4], reduction [0.5:
  the middle of the 40-60% of tool response tokens that filtering typically removes], medium_confidence_calls
  [200].
- RetryParams: min_retry_rate [10%], min_retried_calls [20], medium_confidence_retried_calls [50].
- EarlyTerminationParams: min_errors [20], min_failed_output_per_error [200], saved_share [0.9: the seed's
  95% of a failed generation's output, kept conservative], medium_confidence_output_per_error [1,000].
- SelfHostingParams: min_monthly_tokens [10M], gpu_tokens_per_second [1,500], hours_per_month [730],
  utilisation [50%] (so one GPU serves 1,500 x 3600 x 730 x 0.5 = 1,971,000,000 tokens a month),
  min_advantage [20%]. GPUs needed = ceil(monthly tokens / that capacity), at least 1.

Confidence (the reason is in `evidence["confidence_reason"]`):

- tool_response_filtering: medium (the token count is chars / 4 and the 50% cut is the middle of the
  40-60% that field filtering typically removes); low under 200 calls.
- retries_and_loops: medium (retried_cost is measured, but a fix rarely removes every retry); low under
  50 retried calls.
- early_termination: low (how early a failure shows depends on the failure); medium when failed calls
  average >= 1,000 output tokens (long generations thrown away, where an early stop pays most).
- self_hosting: always low (GPU throughput, operations and quality are estimates, not measurements).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from finops.alerts.baseline import fmt_money
from finops.alerts.types import Scope
from finops.recommendations.money import cents, money, monthly
from finops.recommendations.types import ModelPrice, Recommendation, ToolOutputProfile, UsageProfile

MILLION = Decimal(1_000_000)
ZERO = Decimal(0)


# ----------------------------------------------------------------------------------------- params
@dataclass(frozen=True, slots=True)
class ToolFilteringParams:
    min_avg_output_chars: int = 8_000
    min_calls: int = 50
    chars_per_token: Decimal = Decimal(4)
    reduction: Decimal = Decimal("0.5")  # share of the tool output tokens filtering removes
    medium_confidence_calls: int = 200


@dataclass(frozen=True, slots=True)
class RetryParams:
    min_retry_rate: Decimal = Decimal("0.10")
    min_retried_calls: int = 20
    medium_confidence_retried_calls: int = 50


@dataclass(frozen=True, slots=True)
class EarlyTerminationParams:
    min_errors: int = 20
    min_failed_output_per_error: int = 200  # output + reasoning tokens per failed call
    saved_share: Decimal = Decimal("0.9")  # of the failed calls' output cost (seed: 95%, kept conservative)
    medium_confidence_output_per_error: int = 1_000


@dataclass(frozen=True, slots=True)
class SelfHostingParams:
    min_monthly_tokens: int = 10_000_000
    gpu_tokens_per_second: int = 1_500
    hours_per_month: int = 730
    utilisation: Decimal = Decimal("0.5")
    min_advantage: Decimal = Decimal("0.2")  # API cost must be >= (1 + this) x the self-hosting cost

    def gpu_month_capacity(self) -> Decimal:
        """Tokens one GPU serves in a month: 1,500 x 3600 x 730 x 0.5 = 1,971,000,000 by default."""
        return Decimal(self.gpu_tokens_per_second) * 3600 * self.hours_per_month * self.utilisation


TOOL_FILTERING = ToolFilteringParams()
RETRIES = RetryParams()
EARLY_TERMINATION = EarlyTerminationParams()
SELF_HOSTING = SelfHostingParams()


# ---------------------------------------------------------------------------------------- helpers
def share(numerator: int | Decimal, denominator: int | Decimal) -> str:
    return f"{Decimal(numerator) / Decimal(denominator) * 100:.1f}%"


def usage_scope(profile: UsageProfile) -> Scope:
    """The agent when known, else the workflow, else the model."""
    if profile.agent:
        return Scope("agent", profile.agent)
    if profile.workflow:
        return Scope("workflow", profile.workflow)
    return Scope("model", profile.model)


def _window_ok(days: Decimal) -> bool:
    return days > 0


# ------------------------------------------------------------------------------------------ rules
def tool_response_filtering(
    tool: ToolOutputProfile, params: ToolFilteringParams = TOOL_FILTERING
) -> Recommendation | None:
    """Large tool outputs fed whole into the next LLM call: filter them first.

    Fires when the tool's outputs average at least 8,000 characters (`min_avg_output_chars`) over at
    least 50 calls (`min_calls`) and the next call's model and input price are known. Tokens are
    estimated as characters / 4; filtering (keep the fields the agent uses, truncate long fields,
    summarise) is assumed to cut 50% of them (`reduction`, the middle of the 40-60% typical cut).
    Savings = output_chars / 4 x 50% x next_input_price / 1M, scaled to 30 days. Only the first read
    is counted: a later turn that re-sends the output adds more (not counted), a cached read costs less.
    Confidence medium, low under 200 calls. Claims `<next_model>:input`.
    """
    if not _window_ok(tool.days) or tool.next_input_price is None or not tool.next_model:
        return None
    if tool.calls < params.min_calls or tool.avg_output_chars < params.min_avg_output_chars:
        return None
    tokens = Decimal(tool.output_chars) / params.chars_per_token
    saved_tokens = tokens * params.reduction
    window_savings = saved_tokens * tool.next_input_price / MILLION
    savings = cents(monthly(window_savings, tool.days))
    if savings <= 0:
        return None
    if tool.calls >= params.medium_confidence_calls:
        confidence = "medium"
        reason = (
            f"tokens estimated as chars / {params.chars_per_token} and a {share(params.reduction, 1)} cut assumed; "
            f"measured over {tool.calls:,} calls"
        )
    else:
        confidence = "low"
        reason = f"only {tool.calls} calls (< {params.medium_confidence_calls}), and the cut is an assumption"
    avg_tokens = Decimal(tool.avg_output_chars) / params.chars_per_token
    owner = f" (agent {tool.agent})" if tool.agent else ""
    return Recommendation(
        rule="tool_response_filtering",
        scope=Scope("tool", tool.tool),
        title=(
            f"Trim tool '{tool.tool}' outputs{owner} before they reach {tool.next_model}: "
            f"~{avg_tokens:,.0f} tokens per call, keep only the fields the agent uses (~{fmt_money(savings)}/month)"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence={
            "days": str(tool.days),
            "calls": tool.calls,
            "output_chars": tool.output_chars,
            "avg_output_chars": tool.avg_output_chars,
            "estimated_tokens": str(tokens.quantize(Decimal(1))),
            "chars_per_token": str(params.chars_per_token),
            "assumed_reduction": share(params.reduction, 1),
            "saved_tokens_in_window": str(saved_tokens.quantize(Decimal(1))),
            "next_model": tool.next_model,
            "next_input_price_per_1m": str(tool.next_input_price),
            "window_savings": money(window_savings),
            "thresholds": f"avg_output_chars >= {params.min_avg_output_chars:,}, calls >= {params.min_calls}",
            "confidence_reason": reason,
        },
        example_trace_ids=tool.example_trace_ids,
        risk=(
            "Filtering can drop data the agent needs; keep the fields its prompts reference and watch the "
            "task success rate after the change."
        ),
        claims={f"{tool.next_model}:input": savings},
    )


def retries_and_loops(profile: UsageProfile, params: RetryParams = RETRIES) -> Recommendation | None:
    """Many calls repeat a failed attempt of the same step: fix the step instead of paying twice.

    Fires when retried_calls / calls >= 10% (`min_retry_rate`) and retried_calls >= 20
    (`min_retried_calls`). Savings = retried_cost (the measured cost of the repeated attempts), scaled to
    30 days: what the agent stops paying once the failing step is fixed (validation of inputs and tool
    arguments before the call, backoff with jitter on rate limits, a cap on attempts). Confidence
    medium (the cost is measured, but a fix rarely removes every retry), low under 50 retried calls.
    Claims `<model>:all` (whole calls are saved).
    """
    if not _window_ok(profile.days) or profile.calls <= 0 or profile.retried_calls < params.min_retried_calls:
        return None
    rate = Decimal(profile.retried_calls) / Decimal(profile.calls)
    if rate < params.min_retry_rate:
        return None
    savings = cents(monthly(profile.retried_cost, profile.days))
    if savings <= 0:
        return None
    if profile.retried_calls >= params.medium_confidence_retried_calls:
        confidence = "medium"
        reason = "the retried cost is measured; a fix rarely removes every retry"
    else:
        confidence = "low"
        reason = f"only {profile.retried_calls} retried calls (< {params.medium_confidence_retried_calls})"
    scope = usage_scope(profile)
    return Recommendation(
        rule="retries_and_loops",
        scope=scope,
        title=(
            f"{scope.label().capitalize()} retries {share(profile.retried_calls, profile.calls)} of its "
            f"{profile.model} calls ({fmt_money(savings)}/month): fix the failing step, validate inputs "
            "before retrying and back off instead of looping"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence={
            "days": str(profile.days),
            "model": profile.model,
            "workflow": profile.workflow,
            "calls": profile.calls,
            "retried_calls": profile.retried_calls,
            "retry_rate": share(profile.retried_calls, profile.calls),
            "errors": profile.errors,
            "error_rate": share(profile.errors, profile.calls),
            "retried_cost": money(profile.retried_cost),
            "cost_total": money(profile.cost_total),
            "retried_share_of_cost": share(profile.retried_cost, profile.cost_total) if profile.cost_total else None,
            "thresholds": (
                f"retry rate >= {share(params.min_retry_rate, 1)}, retried calls >= {params.min_retried_calls}"
            ),
            "confidence_reason": reason,
        },
        example_trace_ids=profile.example_trace_ids,
        risk=(
            "Retries that recover transient provider errors (rate limits, 5xx) are worth keeping with backoff; "
            "remove the retries caused by bad inputs, invalid tool arguments or unparseable outputs."
        ),
        claims={f"{profile.model}:all": savings},
    )


def early_termination(
    profile: UsageProfile, params: EarlyTerminationParams = EARLY_TERMINATION
) -> Recommendation | None:
    """Failed calls still paid for their whole output: stream and stop at the first sign of failure.

    Fires when errors >= 20 (`min_errors`) and failed_output_tokens / errors >= 200
    (`min_failed_output_per_error`, output + reasoning tokens per failed call). Savings = 90%
    (`saved_share`) of failed_output_cost, scaled to 30 days: stopping a bad generation early saves about
    95% of its output (seed), kept at 90% to be conservative. Confidence low (how early a failure shows
    depends on the failure), medium when failed calls average >= 1,000 output tokens. Claims
    `<model>:output`.
    """
    if not _window_ok(profile.days) or profile.errors < params.min_errors:
        return None
    per_error = Decimal(profile.failed_output_tokens) / Decimal(profile.errors)
    if per_error < params.min_failed_output_per_error:
        return None
    window_savings = profile.failed_output_cost * params.saved_share
    savings = cents(monthly(window_savings, profile.days))
    if savings <= 0:
        return None
    if per_error >= params.medium_confidence_output_per_error:
        confidence = "medium"
        reason = f"failed calls average {per_error:,.0f} output tokens: long generations an early stop cuts short"
    else:
        confidence = "low"
        reason = "how early a failure shows depends on the failure; the 90% saved is an upper estimate"
    scope = usage_scope(profile)
    return Recommendation(
        rule="early_termination",
        scope=scope,
        title=(
            f"{scope.label().capitalize()} paid {fmt_money(cents(monthly(profile.failed_output_cost, profile.days)))}"
            f"/month for {profile.model} output on calls that failed: stream and stop at the first sign of failure"
        ),
        monthly_savings=savings,
        confidence=confidence,
        evidence={
            "days": str(profile.days),
            "model": profile.model,
            "calls": profile.calls,
            "errors": profile.errors,
            "error_rate": share(profile.errors, profile.calls) if profile.calls else None,
            "failed_output_tokens": profile.failed_output_tokens,
            "failed_output_tokens_per_error": str(per_error.quantize(Decimal(1))),
            "failed_output_cost": money(profile.failed_output_cost),
            "saved_share": share(params.saved_share, 1),
            "window_savings": money(window_savings),
            "thresholds": (
                f"errors >= {params.min_errors}, failed output tokens per error >= {params.min_failed_output_per_error}"
            ),
            "confidence_reason": reason,
        },
        example_trace_ids=profile.example_trace_ids,
        risk=(
            "Needs streaming plus a check that recognises failure early (schema or JSON validation, refusal "
            "detection); failures that only show at the end of a generation are not saved."
        ),
        claims={f"{profile.model}:output": savings},
    )


def self_hosting(
    model_usage: UsageProfile,
    price: ModelPrice,
    alternative: ModelPrice | None,
    gpu_hourly_cost: Decimal,
    params: SelfHostingParams = SELF_HOSTING,
) -> Recommendation | None:
    """High volume on a paid API that an open-weight model could serve on your own GPUs for less.

    Applies to `model_usage` aggregated per model (agent may be None) when the model itself is open
    weight (`price.open_weight`: self-host the same model) or `alternative` is an open-weight model of
    the same tier (when both tiers are known they must match). Monthly tokens = all five buckets scaled to
    30 days; fires from 10M tokens/month (`min_monthly_tokens`). Self-hosting cost = gpu_hourly_cost x
    730 h x gpus_needed, gpus_needed = ceil(monthly tokens / GPU-month capacity), capacity = 1,500
    tokens/s x 3600 x 730 x 50% utilisation (1.971B tokens). Recommends only when the monthly API cost
    (cost_total scaled) is at least 1.2 x the self-hosting cost (`min_advantage` 20%). Savings = API cost -
    self-hosting cost. Confidence always low: staff, redundancy and quality are not in the estimate.
    Claims `<model>:all`.
    """
    if not _window_ok(model_usage.days) or gpu_hourly_cost <= 0:
        return None
    if price.open_weight:
        target = price
    elif alternative is not None and alternative.open_weight:
        if price.tier and alternative.tier and price.tier != alternative.tier:
            return None
        target = alternative
    else:
        return None
    window_tokens = (
        model_usage.input_tokens
        + model_usage.cache_read_tokens
        + model_usage.cache_write_tokens
        + model_usage.output_tokens
        + model_usage.reasoning_tokens
    )
    monthly_tokens = monthly(Decimal(window_tokens), model_usage.days)
    if monthly_tokens < params.min_monthly_tokens:
        return None
    api_monthly = monthly(model_usage.cost_total, model_usage.days)
    capacity = params.gpu_month_capacity()
    gpus = max(1, math.ceil(monthly_tokens / capacity))
    self_cost = gpu_hourly_cost * params.hours_per_month * gpus
    if api_monthly < self_cost * (1 + params.min_advantage):
        return None
    savings = cents(api_monthly - self_cost)
    same_model = target.model == price.model
    what = (
        f"Self-host {price.model} instead of paying its API"
        if same_model
        else f"Self-host open-weight {target.model} instead of {price.model} on the API"
    )
    return Recommendation(
        rule="self_hosting",
        scope=Scope("model", price.model),
        title=(
            f"{what}: {monthly_tokens / MILLION:,.0f}M tokens/month cost {fmt_money(api_monthly)} on the API "
            f"vs ~{fmt_money(self_cost)} on {gpus} GPU{'s' if gpus > 1 else ''}"
        ),
        monthly_savings=savings,
        confidence="low",
        evidence={
            "days": str(model_usage.days),
            "model": price.model,
            "provider": price.provider,
            "self_hosted_model": target.model,
            "tier": price.tier,
            "monthly_tokens": str(monthly_tokens.quantize(Decimal(1))),
            "api_monthly_cost": money(api_monthly),
            "api_cost_per_1m": money(api_monthly / monthly_tokens * MILLION),
            "gpu_hourly_cost": str(gpu_hourly_cost),
            "gpu_month_capacity_tokens": str(capacity.quantize(Decimal(1))),
            "capacity_assumption": (
                f"{params.gpu_tokens_per_second:,} tokens/s x 3600 x {params.hours_per_month} h x "
                f"{share(params.utilisation, 1)} utilisation"
            ),
            "gpus_needed": gpus,
            "self_hosting_monthly_cost": money(self_cost),
            "self_hosting_cost_per_1m": money(self_cost / monthly_tokens * MILLION),
            "api_over_self_hosting": share(api_monthly - self_cost, self_cost),
            "thresholds": (
                f"monthly tokens >= {params.min_monthly_tokens:,}, API cost >= "
                f"{share(1 + params.min_advantage, 1)} of the self-hosting cost"
            ),
            "confidence_reason": (
                "GPU throughput is an assumption (1,500 tokens/s averaged over prefill and decode), and "
                "operations and quality are not priced"
            ),
        },
        example_trace_ids=model_usage.example_trace_ids,
        risk=(
            "Operations: someone must run, patch and scale the serving stack (on-call, redundancy beyond "
            f"{gpus} GPU{'s' if gpus > 1 else ''}, peaks above the average load are not costed)."
            + ("" if same_model else f" Quality: {target.model} must be evaluated on these tasks first.")
        ),
        claims={f"{price.model}:all": savings},
    )
