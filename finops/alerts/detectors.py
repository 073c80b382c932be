"""Anomaly detectors: pure functions over rollup series that return a `Finding` or None.

Nothing here reads a database or a clock: the caller passes the series and `now`. Every finding carries
the observed value, its baseline, the rule as text (`threshold`), a `hint`, a `period_key` the caller
dedups on, and `numbers` (JSON-safe: money as str, times as ISO str, rates as float, `unit` says which).

Windows are the last COMPLETE window on a UTC grid of their length (see `baseline.aligned_window`):
at 14:20 a 1 h window is [13:00, 14:00) and a 24 h window is yesterday. Buckets missing from a series
count as zero (rollups write no row for an idle hour). Comparisons are strict ("more than").

Detector (params: defaults)
- cost_spike (CostSpikeParams): last 1 h cost vs the median of the same hour of the week over the
  previous 4 weeks; fires when more than +50% AND the excess is more than 3 × max(MAD × 1.4826,
  5% of the baseline, $0.50); only with >= $1 and >= 20 calls in the window. Fewer than 2 comparable
  weeks: median of the same window on each of the previous 7 days (needs 3 such days, else silent).
- cost_per_success_drift (CostPerSuccessParams): cost per successful run, latest week vs the week
  before, more than +10%, >= 10 successful runs in both weeks.
- success_rate_drop (SuccessRateParams): success rate down more than 10 points WoW, >= 20 runs in both.
- token_efficiency (TokenEfficiencyParams): tokens per workflow (or per call) over the last day vs the
  previous 7 days pooled, more than +20%, >= 20 units in the day and >= 50 in the baseline.
- cache_hit_rate_drop (CacheHitParams): cache_read / prompt tokens over the last day down more than
  10 points vs the previous 7 days pooled, >= 100,000 prompt tokens in the day and in the baseline.
- model_routing_shift (RoutingShiftParams): frontier share of calls or of cost over the last day up
  more than 10 points vs the previous 7 days pooled, >= 50 calls in the day and >= 100 in the baseline.
- error_rate_rise / retry_rate_rise (RateRiseParams): rate over the last 1 h vs the previous 7 days
  pooled; fires when the rate is above max(baseline + 5 points, 2 × baseline), >= 20 calls in the
  window and >= 100 in the baseline.
- runaway_run (RunCaps): more than 50 steps, more than $5, or active for more than 30 minutes.
- unpriced_model (UnpricedParams): a model with >= 1 call that has no price.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from finops.alerts.baseline import (
    aligned_window,
    dec,
    fmt_duration,
    fmt_hours,
    fmt_money,
    fmt_pct,
    fmt_share,
    frac,
    iso_week_key,
    median,
    pct_change,
    period_key,
    ratio,
    robust_spread,
    utc,
)
from finops.alerts.inputs import (
    CacheHitParams,
    CostPerSuccessParams,
    CostSpikeParams,
    HourlyPoint,
    RateRiseParams,
    RoutingShiftParams,
    RunCaps,
    RunSnapshot,
    SuccessRateParams,
    TokenEfficiencyParams,
    TokenPoint,
    UnpricedParams,
    WeeklyWorkflowStats,
)
from finops.alerts.types import Finding, Scope, Severity

ZERO = Decimal(0)


_SUMMED = ("cost", "calls", "input_tokens", "output_tokens", "cache_read_tokens", "prompt_tokens", "errors", "retries",
           "frontier_calls", "frontier_cost")  # fmt: skip


def _total(points: Iterable[HourlyPoint], start: datetime, end: datetime) -> HourlyPoint:
    """Sum of the buckets in [start, end), as one point stamped `start`."""
    sums: dict[str, Any] = {"cost": ZERO, "frontier_cost": ZERO}
    for p in points:
        if start <= utc(p.hour) < end:
            for name in _SUMMED:
                sums[name] = sums.get(name, 0) + getattr(p, name)
    return HourlyPoint(start, **sums)


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat()


def _window_numbers(start: datetime, end: datetime, hours: int, base_start: datetime) -> dict[str, Any]:
    return {
        "window_start": _iso(start),
        "window_end": _iso(end),
        "window_hours": hours,
        "baseline_start": _iso(base_start),
        "baseline_end": _iso(start),
    }


def _windows(now: datetime, hours: int, days: int) -> tuple[datetime, datetime, datetime]:
    """(baseline start, window start, window end): the baseline is the `days` before the window."""
    start, end = aligned_window(now, hours)
    return start - timedelta(days=days), start, end


# ------------------------------------------------------------------------------------- cost spike
def cost_spike(
    scope: Scope,
    hourly: Sequence[HourlyPoint],
    now: datetime,
    params: CostSpikeParams = CostSpikeParams(),
    *,
    history_start: datetime | None = None,
) -> Finding | None:
    """Cost in the last window far above its seasonal, robust baseline.

    `history_start`: when this scope's data begins (default: the earliest bucket in `hourly`). A past
    window before it is not comparable: zero there means "did not exist", not "spent nothing".
    """
    p = params
    start, end = aligned_window(now, p.window_hours)
    current = _total(hourly, start, end)
    if current.cost < p.min_cost or current.calls < p.min_calls:
        return None  # tiny scopes swing wildly in relative terms: not worth a page
    since = utc(history_start) if history_start else min((utc(h.hour) for h in hourly), default=start)
    samples, method = _spike_samples(hourly, start, end, since, p)
    if samples is None:
        return None
    base = median(samples)
    spread = max(robust_spread(samples), p.min_spread, base * dec(p.min_spread_fraction))
    needed = max(base * (1 + dec(p.threshold_pct) / 100), base + dec(p.k) * spread)
    if current.cost <= needed:
        return None
    change = pct_change(current.cost, base)
    usual = f"{fmt_pct(change)} over its usual {fmt_money(base)}" if base else "where it usually spends nothing"
    seasonal = method == "same_hour_of_week"
    basis = f"same hour of the week over the last {p.weeks} weeks" if seasonal else "same hour on recent days"
    return Finding(
        detector="cost_spike",
        scope=scope,
        severity=Severity.CRITICAL if change is not None and change >= p.critical_pct else Severity.WARNING,
        title=(
            f"Cost spike: {scope.label()} spent {fmt_money(current.cost)} in the last "
            f"{fmt_hours(p.window_hours)}, {usual}"
        ),
        observed=current.cost,
        baseline=base,
        threshold=f"+{p.threshold_pct:g}% over the median of the {basis}, and {p.k:g}× its usual spread",
        hint=(
            f"Look at {scope.label()}'s recent prompt, model or traffic changes; compare calls, tokens per "
            f"call and model mix in this {fmt_hours(p.window_hours)} with the same time last week."
        ),
        period_key=utc(start).strftime("%Y-%m-%dT%H"),
        numbers={
            "unit": "usd",
            "window_start": _iso(start),
            "window_end": _iso(end),
            "window_hours": p.window_hours,
            "calls": current.calls,
            "pct_change": change,
            "baseline_method": method,
            "baseline_samples": [str(s) for s in samples],
            "sample_count": len(samples),
            "spread": str(spread),
            "k": p.k,
            "fires_above": str(needed),
        },
    )


def _spike_samples(
    hourly: Sequence[HourlyPoint], start: datetime, end: datetime, since: datetime, p: CostSpikeParams
) -> tuple[list[Decimal] | None, str]:
    """Seasonal samples (same hour of week) or, with too little history, same hour on recent days."""
    week = timedelta(weeks=1)
    weekly = [
        _total(hourly, start - k * week, end - k * week).cost
        for k in range(1, p.weeks + 1)
        if since <= start - k * week
    ]
    if len(weekly) >= p.min_weeks:
        return weekly, "same_hour_of_week"
    day = timedelta(days=1)
    daily = [
        _total(hourly, start - k * day, end - k * day).cost
        for k in range(1, p.fallback_days + 1)
        if since <= start - k * day
    ]
    return (daily, "same_hour_of_day_fallback") if len(daily) >= p.min_fallback_days else (None, "insufficient")


# ---------------------------------------------------------------------------------- weekly drifts
def _last_two_weeks(weekly: Sequence[WeeklyWorkflowStats]) -> tuple[WeeklyWorkflowStats, WeeklyWorkflowStats] | None:
    """The latest week and the week right before it (None when that week is missing: no comparison)."""
    if not weekly:
        return None
    by_start = {w.week_start: w for w in weekly}
    this = by_start[max(by_start)]
    previous = by_start.get(this.week_start - timedelta(weeks=1))
    return (this, previous) if previous else None


def cost_per_success_drift(
    scope: Scope, weekly: Sequence[WeeklyWorkflowStats], params: CostPerSuccessParams = CostPerSuccessParams()
) -> Finding | None:
    """Cost per successful run of the latest week in `weekly` vs the week before.

    The latest entry is "this week": pass the current week for an early warning (the ratio is stable
    while the week fills) or stop at the last complete week for a settled verdict.
    """
    pair = _last_two_weeks(weekly)
    if pair is None:
        return None
    this, previous = pair
    if min(this.successful_runs, previous.successful_runs) < params.min_successful_runs:
        return None
    current = this.cost / this.successful_runs
    base = previous.cost / previous.successful_runs
    if current <= base * (1 + dec(params.threshold_pct) / 100):
        return None
    change = pct_change(current, base)
    week = iso_week_key(this.week_start)
    return Finding(
        detector="cost_per_success_drift",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Cost per successful run up: {scope.label()} costs {fmt_money(current)} per success in {week}, "
            f"{fmt_pct(change)} over last week's {fmt_money(base)}"
        ),
        observed=current,
        baseline=base,
        threshold=f"+{params.threshold_pct:g}% week over week (min {params.min_successful_runs} successful runs)",
        hint=(
            "Check whether more runs failed (failed runs still cost), whether runs took more steps or "
            "retries, and whether a model or prompt changed this week."
        ),
        period_key=week,
        numbers={
            "unit": "usd_per_successful_run",
            "pct_change": change,
            "week_start": this.week_start.isoformat(),
            "previous_week_start": previous.week_start.isoformat(),
            "cost": str(this.cost),
            "previous_cost": str(previous.cost),
            "successful_runs": this.successful_runs,
            "previous_successful_runs": previous.successful_runs,
            "runs": this.runs,
            "previous_runs": previous.runs,
        },
    )


def success_rate_drop(
    scope: Scope, weekly: Sequence[WeeklyWorkflowStats], params: SuccessRateParams = SuccessRateParams()
) -> Finding | None:
    """Success rate (successful / finished runs) of the latest week vs the week before."""
    pair = _last_two_weeks(weekly)
    if pair is None:
        return None
    this, previous = pair
    if min(this.runs, previous.runs) < params.min_runs:
        return None
    current = Fraction(this.successful_runs, this.runs)
    base = Fraction(previous.successful_runs, previous.runs)
    if (base - current) * 100 <= frac(params.drop_points):
        return None
    week = iso_week_key(this.week_start)
    drop = float((base - current) * 100)
    return Finding(
        detector="success_rate_drop",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Success rate down: {scope.label()} succeeded in {fmt_share(current)} of runs in {week}, "
            f"down {drop:.1f} points from {fmt_share(base)} last week"
        ),
        observed=float(current),
        baseline=float(base),
        threshold=f"a drop of more than {params.drop_points:g} points week over week (min {params.min_runs} runs)",
        hint="Open the failed runs of this week: look for a new error, a tool that started failing, or a model change.",
        period_key=week,
        numbers={
            "unit": "ratio",
            "drop_points": drop,
            "week_start": this.week_start.isoformat(),
            "runs": this.runs,
            "successful_runs": this.successful_runs,
            "previous_runs": previous.runs,
            "previous_successful_runs": previous.successful_runs,
        },
    )


# ---------------------------------------------------------------------------- pooled-rate drifts
def token_efficiency(
    scope: Scope, points: Sequence[TokenPoint], now: datetime, params: TokenEfficiencyParams = TokenEfficiencyParams()
) -> Finding | None:
    """Tokens per unit (workflow run or call) in the last window vs the pooled previous days.

    Build `points` from `rollup_workflows_daily` (tokens = total_tokens, units = runs) or from call
    rollups with `token_points_from_hourly` (units = calls; set `per="call"`).
    """
    p = params
    base_start, start, end = _windows(now, p.window_hours, p.baseline_days)
    tokens, units = _token_sum(points, start, end)
    base_tokens, base_units = _token_sum(points, base_start, start)
    if units < p.min_units or base_units < p.min_baseline_units:
        return None
    current, base = Fraction(tokens, units), Fraction(base_tokens, base_units)
    if current <= base * (1 + frac(p.threshold_pct) / 100):
        return None
    change = pct_change(current, base)
    return Finding(
        detector="token_efficiency",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Token use up: {scope.label()} used {float(current):,.0f} tokens per {p.per} in the last "
            f"{fmt_hours(p.window_hours)}, {fmt_pct(change)} over its {p.baseline_days}-day {float(base):,.0f}"
        ),
        observed=float(current),
        baseline=float(base),
        threshold=f"+{p.threshold_pct:g}% tokens per {p.per} over the previous {p.baseline_days} days",
        hint=(
            "Compare prompt size and turns per run with last week: a longer system prompt, growing "
            "conversation history, more tool output in context or more agent turns."
        ),
        period_key=period_key(start, p.window_hours),
        numbers={
            "unit": f"tokens_per_{p.per}",
            "pct_change": change,
            **_window_numbers(start, end, p.window_hours, base_start),
            "tokens": tokens,
            "units": units,
            "baseline_tokens": base_tokens,
            "baseline_units": base_units,
        },
    )


def _token_sum(points: Iterable[TokenPoint], start: datetime, end: datetime) -> tuple[int, int]:
    inside = [p for p in points if start <= utc(p.at) < end]
    return sum(p.tokens for p in inside), sum(p.units for p in inside)


def cache_hit_rate_drop(
    scope: Scope, hourly: Sequence[HourlyPoint], now: datetime, params: CacheHitParams = CacheHitParams()
) -> Finding | None:
    """Cache hit rate (cache_read_tokens / prompt_tokens) in the last window vs the pooled previous days."""
    p = params
    base_start, start, end = _windows(now, p.window_hours, p.baseline_days)
    cur, base = _total(hourly, start, end), _total(hourly, base_start, start)
    if cur.prompt_tokens < p.min_prompt_tokens or base.prompt_tokens < p.min_baseline_prompt_tokens:
        return None
    rate = Fraction(cur.cache_read_tokens, cur.prompt_tokens)
    base_rate = Fraction(base.cache_read_tokens, base.prompt_tokens)
    if (base_rate - rate) * 100 <= frac(p.drop_points):
        return None
    drop = float((base_rate - rate) * 100)
    return Finding(
        detector="cache_hit_rate_drop",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Cache hit rate down: {scope.label()} read {fmt_share(rate)} of its prompt tokens from cache in "
            f"the last {fmt_hours(p.window_hours)}, down {drop:.1f} points from {fmt_share(base_rate)}"
        ),
        observed=float(rate),
        baseline=float(base_rate),
        threshold=f"a drop of more than {p.drop_points:g} points vs the previous {p.baseline_days} days",
        hint=(
            "Look for a change at the start of the prompt (timestamps, reordered tools, a new system prompt) "
            "or a model/provider switch: caching only matches an identical prefix."
        ),
        period_key=period_key(start, p.window_hours),
        numbers={
            "unit": "ratio",
            "drop_points": drop,
            **_window_numbers(start, end, p.window_hours, base_start),
            "prompt_tokens": cur.prompt_tokens,
            "cache_read_tokens": cur.cache_read_tokens,
            "baseline_prompt_tokens": base.prompt_tokens,
            "baseline_cache_read_tokens": base.cache_read_tokens,
        },
    )


def model_routing_shift(
    scope: Scope, hourly: Sequence[HourlyPoint], now: datetime, params: RoutingShiftParams = RoutingShiftParams()
) -> Finding | None:
    """Frontier-tier share of calls or of cost in the last window vs the pooled previous days.

    `observed`/`baseline` are the share that moved more (calls on a tie); both are in `numbers`.
    """
    p = params
    base_start, start, end = _windows(now, p.window_hours, p.baseline_days)
    cur, base = _total(hourly, start, end), _total(hourly, base_start, start)
    if cur.calls < p.min_calls or base.calls < p.min_baseline_calls:
        return None
    shares = {
        "calls": (Fraction(cur.frontier_calls, cur.calls), Fraction(base.frontier_calls, base.calls)),
        "cost": (
            ratio(cur.frontier_cost, cur.cost) or Fraction(0),
            ratio(base.frontier_cost, base.cost) or Fraction(0),
        ),
    }
    measure = max(shares, key=lambda m: shares[m][0] - shares[m][1])  # dicts keep order: calls wins ties
    share, base_share = shares[measure]
    if (share - base_share) * 100 <= frac(p.shift_points):
        return None
    rise = float((share - base_share) * 100)
    return Finding(
        detector="model_routing_shift",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Model routing shift: frontier models took {fmt_share(share)} of {scope.label()}'s {measure} in the "
            f"last {fmt_hours(p.window_hours)}, up {rise:.1f} points from {fmt_share(base_share)}"
        ),
        observed=float(share),
        baseline=float(base_share),
        threshold=f"frontier share of calls or cost up more than {p.shift_points:g} points vs the previous "
        f"{p.baseline_days} days",
        hint="Check routing rules and model configuration changes: a fallback to the large model, or a new "
        "feature sending easy requests to it.",
        period_key=period_key(start, p.window_hours),
        numbers={
            "unit": "ratio",
            "measure": measure,
            "rise_points": rise,
            **_window_numbers(start, end, p.window_hours, base_start),
            "call_share": float(shares["calls"][0]),
            "baseline_call_share": float(shares["calls"][1]),
            "cost_share": float(shares["cost"][0]),
            "baseline_cost_share": float(shares["cost"][1]),
            "calls": cur.calls,
            "frontier_calls": cur.frontier_calls,
            "cost": str(cur.cost),
            "frontier_cost": str(cur.frontier_cost),
        },
    )


def error_rate_rise(
    scope: Scope, hourly: Sequence[HourlyPoint], now: datetime, params: RateRiseParams = RateRiseParams()
) -> Finding | None:
    """Share of calls that failed in the last window vs the pooled previous days."""
    return _rate_rise("error", scope, hourly, now, params)


def retry_rate_rise(
    scope: Scope, hourly: Sequence[HourlyPoint], now: datetime, params: RateRiseParams = RateRiseParams()
) -> Finding | None:
    """Share of calls that were retries in the last window vs the pooled previous days."""
    return _rate_rise("retry", scope, hourly, now, params)


_RATE_HINTS = {
    "error": "Open the failed calls of this window: provider errors (429/5xx), a bad model name or a "
    "context-length overflow usually show in the error type.",
    "retry": "Retries usually follow rate limits, timeouts or a tool that started failing; check the "
    "provider status and the retried steps of recent runs.",
}


def _rate_rise(
    kind: str, scope: Scope, hourly: Sequence[HourlyPoint], now: datetime, p: RateRiseParams
) -> Finding | None:
    base_start, start, end = _windows(now, p.window_hours, p.baseline_days)
    cur, base = _total(hourly, start, end), _total(hourly, base_start, start)
    if cur.calls < p.min_calls or base.calls < p.min_baseline_calls:
        return None
    count, base_count = (cur.errors, base.errors) if kind == "error" else (cur.retries, base.retries)
    rate, base_rate = Fraction(count, cur.calls), Fraction(base_count, base.calls)
    # Both conditions: +5 points alone fires on a noisy 30% baseline, 2x alone on a 0.1% one.
    bar = max(base_rate + frac(p.min_rise_points) / 100, base_rate * frac(p.factor))
    if rate <= bar:
        return None
    return Finding(
        detector=f"{kind}_rate_rise",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"{kind.capitalize()} rate up: {fmt_share(rate)} of {scope.label()}'s calls in the last "
            f"{fmt_hours(p.window_hours)} were {kind}s ({count} of {cur.calls}), usually {fmt_share(base_rate)}"
        ),
        observed=float(rate),
        baseline=float(base_rate),
        threshold=f"above max(baseline + {p.min_rise_points:g} points, {p.factor:g}× baseline) "
        f"vs the previous {p.baseline_days} days (min {p.min_calls} calls)",
        hint=_RATE_HINTS[kind],
        period_key=period_key(start, p.window_hours),
        numbers={
            "unit": "ratio",
            **_window_numbers(start, end, p.window_hours, base_start),
            "calls": cur.calls,
            f"{kind}s": count,
            "baseline_calls": base.calls,
            f"baseline_{kind}s": base_count,
            "fires_above": float(bar),
        },
    )


# ------------------------------------------------------------------------------- runs and models
def runaway_run(run: RunSnapshot, now: datetime, caps: RunCaps = RunCaps()) -> Finding | None:
    """A run over its step, cost or duration cap. Fires once per run (period_key = run id).

    Duration is last_seen_at - started_at (activity seen), not now - started_at: a run whose root span
    was lost stays open forever and would otherwise look like it runs forever.
    """
    duration = utc(run.last_seen_at) - utc(run.started_at)
    over = []
    if duration > caps.max_duration:
        over.append(f"duration cap ({fmt_duration(duration)} active, cap {fmt_duration(caps.max_duration)})")
    if run.steps > caps.max_steps:
        over.append(f"step cap ({run.steps:,} steps, cap {caps.max_steps})")
    if run.cost > caps.max_cost:
        over.append(f"cost cap ({fmt_money(run.cost)}, cap {fmt_money(caps.max_cost)})")
    if not over:
        return None
    idle = utc(now) - utc(run.last_seen_at)
    burning = run.status == "open" and idle <= caps.active_within
    agents = f" between {', '.join(run.agents)}" if run.agents else ""
    return Finding(
        detector="runaway_run",
        scope=Scope("workflow", run.name),
        severity=Severity.CRITICAL if burning else Severity.WARNING,
        title=f"Runaway run: {run.name} run {run.run_id}{agents} is over its {_and(over)}"
        + (", still running" if burning else ""),
        observed=run.cost,
        baseline=caps.max_cost,
        threshold=f"more than {caps.max_steps} steps, {fmt_money(caps.max_cost)} or "
        f"{fmt_duration(caps.max_duration)} per run",
        hint="Open the run's trace: look for agents handing the same message back and forth, a tool retried "
        "in a loop, or a missing stop condition; stop the run if it is still going.",
        period_key=run.run_id,
        numbers={
            "unit": "usd",
            "status": run.status,
            "steps": run.steps,
            "llm_calls": run.llm_calls,
            "cost": str(run.cost),
            "duration_seconds": int(duration.total_seconds()),
            "idle_seconds": int(idle.total_seconds()),
            "started_at": _iso(run.started_at),
            "last_seen_at": _iso(run.last_seen_at),
            "agents": list(run.agents),
            "caps": {
                "steps": caps.max_steps,
                "cost": str(caps.max_cost),
                "duration_seconds": int(caps.max_duration.total_seconds()),
            },
        },
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def unpriced_model(
    scope: Scope,
    model: str,
    first_seen: date | datetime,
    calls: int,
    tokens: int,
    params: UnpricedParams = UnpricedParams(),
) -> Finding | None:
    """Calls to a model the price catalog does not know: their cost counts as zero everywhere.

    `first_seen` may be a day (from daily rollups) or an instant; `calls` counts only unpriced calls.
    """
    if calls < params.min_calls:
        return None
    instant = isinstance(first_seen, datetime)
    since = f"{utc(first_seen):%Y-%m-%d %H:%M} UTC" if instant else first_seen.isoformat()
    first = _iso(first_seen) if instant else first_seen.isoformat()
    return Finding(
        detector="unpriced_model",
        scope=scope,
        severity=Severity.WARNING,
        title=(
            f"Unpriced model: {model} has {calls:,} calls ({tokens:,} tokens) in {scope.label()} since "
            f"{since} with no price; their cost is invisible"
        ),
        observed=float(calls),
        baseline=None,
        threshold="any call to a model without a price",
        hint="Add the model (or an alias to a priced model) to the price catalog; until then these calls "
        "count as $0 in costs, budgets and alerts.",
        period_key=model,
        numbers={"unit": "calls", "model": model, "first_seen": first, "calls": calls, "tokens": tokens},
    )
