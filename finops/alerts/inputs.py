"""Inputs of the detectors: series points, run snapshots, and each detector's parameters (defaults).

Plain frozen dataclasses; the detectors in `detectors.py` document what each parameter means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

ZERO = Decimal(0)


# ----------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class HourlyPoint:
    """LLM calls of one scope in one bucket, as `rollup_calls_hourly` gives them (summed over models).

    `hour` is the bucket start (UTC). A daily rollup row may be passed with `hour` = its midnight to the
    detectors whose window is a whole number of days. Token fields: `input_tokens` = uncached input,
    `prompt_tokens` = every prompt-side token (uncached input + cache read + cache write),
    `output_tokens` = output including reasoning. `frontier_*` = the part on frontier-tier models.
    """

    hour: datetime
    cost: Decimal = ZERO
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    prompt_tokens: int = 0
    errors: int = 0
    retries: int = 0
    frontier_calls: int = 0
    frontier_cost: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class WeeklyWorkflowStats:
    """One workflow scope in one week (Monday 00:00 UTC start), from `rollup_workflows_daily`.

    `runs` counts runs with a known outcome (successful + failed): leave open and unknown runs out, or
    a week still in progress looks like it failed. `cost` is the cost of ALL runs, failed ones included
    (cost per successful workflow = cost / successful_runs).
    """

    week_start: date
    runs: int
    successful_runs: int
    cost: Decimal
    total_tokens: int = 0
    llm_calls: int = 0


@dataclass(frozen=True, slots=True)
class TokenPoint:
    """Tokens and the units they were spent on (calls or workflow runs) in one hour or day bucket."""

    at: datetime
    tokens: int
    units: int


@dataclass(frozen=True, slots=True)
class RunSnapshot:
    """A workflow run as assembled so far. `steps` = LLM calls + tool calls; status: open or closed."""

    run_id: str
    name: str
    status: str
    steps: int
    llm_calls: int
    cost: Decimal
    started_at: datetime
    last_seen_at: datetime
    agents: tuple[str, ...] = ()


def token_points_from_hourly(hourly: Iterable[HourlyPoint]) -> list[TokenPoint]:
    """Tokens per call from call rollups: prompt + output tokens over calls."""
    return [TokenPoint(p.hour, p.prompt_tokens + p.output_tokens, p.calls) for p in hourly]


# ----------------------------------------------------------------------------------------- params
@dataclass(frozen=True, slots=True)
class CostSpikeParams:
    window_hours: int = 1
    weeks: int = 4  # same hour of the week in this many previous weeks
    min_weeks: int = 2  # fewer comparable weeks: fall back to the previous days
    fallback_days: int = 7
    min_fallback_days: int = 3  # fewer than this: not enough history to judge, silent
    threshold_pct: float = 50.0
    k: float = 3.0
    min_spread: Decimal = Decimal("0.50")  # floor on the spread so MAD = 0 does not make wiggles fire
    min_spread_fraction: float = 0.05  # ... and the same floor relative to the baseline
    min_cost: Decimal = Decimal("1")
    min_calls: int = 20
    critical_pct: float = 200.0


@dataclass(frozen=True, slots=True)
class CostPerSuccessParams:
    threshold_pct: float = 10.0
    min_successful_runs: int = 10


@dataclass(frozen=True, slots=True)
class SuccessRateParams:
    drop_points: float = 10.0
    min_runs: int = 20


@dataclass(frozen=True, slots=True)
class TokenEfficiencyParams:
    per: str = "workflow"  # what a unit is, for the text: workflow or call
    threshold_pct: float = 20.0
    window_hours: int = 24
    baseline_days: int = 7
    min_units: int = 20
    min_baseline_units: int = 50


@dataclass(frozen=True, slots=True)
class CacheHitParams:
    drop_points: float = 10.0
    window_hours: int = 24
    baseline_days: int = 7
    min_prompt_tokens: int = 100_000
    min_baseline_prompt_tokens: int = 100_000


@dataclass(frozen=True, slots=True)
class RoutingShiftParams:
    shift_points: float = 10.0
    window_hours: int = 24
    baseline_days: int = 7
    min_calls: int = 50
    min_baseline_calls: int = 100


@dataclass(frozen=True, slots=True)
class RateRiseParams:
    min_rise_points: float = 5.0
    factor: float = 2.0
    window_hours: int = 1
    baseline_days: int = 7
    min_calls: int = 20
    min_baseline_calls: int = 100


@dataclass(frozen=True, slots=True)
class RunCaps:
    max_steps: int = 50
    max_cost: Decimal = Decimal("5")
    max_duration: timedelta = timedelta(minutes=30)
    active_within: timedelta = timedelta(minutes=15)  # seen this recently = still burning: critical


@dataclass(frozen=True, slots=True)
class UnpricedParams:
    min_calls: int = 1


# ---------------------------------------------------------------------------------------- helpers
