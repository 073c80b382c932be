"""Metrics from the rollups, by any combination of period and dimensions.

Call metrics (tokens, cost, cache hit rate, error and retry rates, context size, model distribution)
come from `rollup_calls_daily` (or `_hourly` for granularity=hour). Workflow metrics (runs, success
rate, cost per workflow, **cost per successful workflow** = cost of all runs / successful runs, tokens
per workflow, turns) come from `rollup_workflows_daily` and are given when every grouping and filter
dimension is one a run has (workflow, team, cost center, feature, customer, environment): a run that
used three models has no single model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

from finops.periods import utc_days

GRANULARITIES = ("hour", "day", "week", "month")
# public dimension name -> column
CALL_DIMENSIONS = {
    "workflow": "workflow_name", "agent": "agent_name", "team": "team", "cost_center": "cost_center",
    "customer": "customer", "feature": "feature", "environment": "environment", "provider": "provider",
    "model": "model", "tier": "model_tier", "service": "service_name",
}  # fmt: skip
HOURLY_DIMENSIONS = {"workflow", "agent", "team", "provider", "model", "tier"}
WORKFLOW_DIMENSIONS = {"workflow", "team", "cost_center", "customer", "feature", "environment"}


class MetricsQueryError(ValueError):
    """A grouping, filter or granularity the rollups cannot answer."""


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    project_id: int
    start: datetime
    end: datetime
    granularity: str = "day"
    group_by: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise MetricsQueryError(f"granularity must be one of {', '.join(GRANULARITIES)}")
        allowed = HOURLY_DIMENSIONS if self.granularity == "hour" else set(CALL_DIMENSIONS)
        for name in (*self.group_by, *self.filters):
            if name not in allowed:
                raise MetricsQueryError(
                    f"unknown dimension {name!r} for granularity {self.granularity}: use {', '.join(sorted(allowed))}"
                )
        if self.end <= self.start:
            raise MetricsQueryError("'to' must be after 'from'")

    @property
    def has_workflow_metrics(self) -> bool:
        return self.granularity != "hour" and set(self.group_by) | set(self.filters) <= WORKFLOW_DIMENSIONS


def _period(granularity: str, column: str) -> str:
    if granularity in ("hour", "day"):
        return column
    return f"date_trunc('{granularity}', {column})"


def _where(query: MetricsQuery, time_column: str, params: dict[str, Any]) -> str:
    clauses = ["project_id = :project", f"{time_column} >= :start", f"{time_column} < :end"]
    for index, (name, value) in enumerate(sorted(query.filters.items())):
        params[f"f{index}"] = value
        clauses.append(f"{CALL_DIMENSIONS[name]} = :f{index}")
    return " AND ".join(clauses)


def call_metrics(conn: Connection, query: MetricsQuery) -> list[dict[str, Any]]:
    table, time_column = (
        ("rollup_calls_hourly", "hour") if query.granularity == "hour" else ("rollup_calls_daily", "day")
    )
    start, end = (query.start, query.end) if query.granularity == "hour" else utc_days(query.start, query.end)
    params: dict[str, Any] = {"project": query.project_id, "start": start, "end": end}
    dims = [f"{CALL_DIMENSIONS[name]} AS {name}" for name in query.group_by]
    group = [CALL_DIMENSIONS[name] for name in query.group_by]
    period = _period(query.granularity, time_column)
    sql = f"""
        SELECT {period} AS period{"".join(", " + d for d in dims)},
               sum(calls)::bigint AS calls, sum(errors)::bigint AS errors, sum(retries)::bigint AS retries,
               sum(unpriced_calls)::bigint AS unpriced_calls, sum(batch_calls)::bigint AS batch_calls,
               sum(input_tokens)::bigint AS input_tokens, sum(cache_read_tokens)::bigint AS cache_read_tokens,
               sum(cache_write_tokens + cache_write_1h_tokens)::bigint AS cache_write_tokens,
               sum(output_tokens)::bigint AS output_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens,
               max(max_prompt_tokens) AS max_context_tokens, sum(cost_total) AS cost,
               sum(reported_cost) AS reported_cost
        FROM {table} WHERE {_where(query, time_column, params)}
        GROUP BY {", ".join(["period", *group])} ORDER BY {", ".join(["period", *group])}
    """
    rows = [dict(row._mapping) for row in conn.execute(text(sql), params)]
    totals: dict[Any, tuple[int, Decimal]] = {}
    for row in rows:
        calls, cost = totals.get(row["period"], (0, Decimal(0)))
        totals[row["period"]] = (calls + row["calls"], cost + row["cost"])
    for row in rows:
        _derive_call_metrics(row, totals[row["period"]])
    return rows


def _ratio(numerator: float | Decimal | int | None, denominator: float | Decimal | int | None) -> float | None:
    if not denominator or numerator is None:
        return None
    return float(numerator) / float(denominator)


def _derive_call_metrics(row: dict[str, Any], period_totals: tuple[int, Decimal]) -> None:
    calls = row["calls"]
    prompt = row["input_tokens"] + row["cache_read_tokens"] + row["cache_write_tokens"]
    row["prompt_tokens"] = prompt
    row["total_tokens"] = prompt + row["output_tokens"] + row["reasoning_tokens"]
    row["tokens_per_call_input"] = _ratio(prompt, calls)
    row["tokens_per_call_output"] = _ratio(row["output_tokens"] + row["reasoning_tokens"], calls)
    row["avg_context_tokens"] = row["tokens_per_call_input"]
    priced = calls - row["unpriced_calls"]
    row["cost_per_call"] = (row["cost"] / priced) if priced else None
    row["cache_hit_rate"] = _ratio(row["cache_read_tokens"], prompt)
    row["error_rate"] = _ratio(row["errors"], calls)
    row["retry_rate"] = _ratio(row["retries"], calls)
    row["share_of_calls"] = _ratio(calls, period_totals[0])
    row["share_of_cost"] = _ratio(row["cost"], period_totals[1])


def workflow_metrics(conn: Connection, query: MetricsQuery) -> list[dict[str, Any]]:
    start, end = utc_days(query.start, query.end)
    params: dict[str, Any] = {"project": query.project_id, "start": start, "end": end}
    dims = [f"{CALL_DIMENSIONS[name]} AS {name}" for name in query.group_by]
    group = [CALL_DIMENSIONS[name] for name in query.group_by]
    sql = f"""
        SELECT {_period(query.granularity, "day")} AS period{"".join(", " + d for d in dims)},
               sum(runs)::bigint AS runs, sum(successful_runs)::bigint AS successful_runs,
               sum(failed_runs)::bigint AS failed_runs, sum(unknown_runs)::bigint AS unknown_runs,
               sum(open_runs)::bigint AS open_runs, sum(llm_calls)::bigint AS workflow_calls,
               sum(steps)::bigint AS steps, sum(retries)::bigint AS workflow_retries,
               sum(total_tokens)::bigint AS workflow_tokens,
               sum(cost_total) AS workflow_cost, sum(successful_cost) AS successful_workflow_cost,
               sum(duration_ms)::bigint AS duration_ms
        FROM rollup_workflows_daily WHERE {_where(query, "day", params)}
        GROUP BY {", ".join(["period", *group])} ORDER BY {", ".join(["period", *group])}
    """
    rows = [dict(row._mapping) for row in conn.execute(text(sql), params)]
    for row in rows:
        runs = row["runs"]
        row["success_rate"] = _ratio(row["successful_runs"], runs)
        row["cost_per_workflow"] = row["workflow_cost"] / runs if runs else None
        # The headline: what one success costs, failed attempts included.
        row["cost_per_successful_workflow"] = (
            row["workflow_cost"] / row["successful_runs"] if row["successful_runs"] else None
        )
        row["tokens_per_workflow"] = _ratio(row["workflow_tokens"], runs)
        row["avg_turns"] = _ratio(row["workflow_calls"], runs)
        row["avg_steps"] = _ratio(row["steps"], runs)
        row["avg_duration_ms"] = _ratio(row["duration_ms"], runs)
    return rows


def metrics(conn: Connection, query: MetricsQuery) -> list[dict[str, Any]]:
    """Call metrics, joined with workflow metrics on (period, groups) where they apply."""
    query.validate()
    rows = call_metrics(conn, query)
    if not query.has_workflow_metrics:
        return rows
    keys = ("period", *query.group_by)
    merged: dict[tuple[Any, ...], dict[str, Any]] = {tuple(row[k] for k in keys): row for row in rows}
    for row in workflow_metrics(conn, query):
        key = tuple(row[k] for k in keys)
        merged.setdefault(key, {k: row[k] for k in keys}).update(row)
    return [merged[key] for key in sorted(merged, key=lambda k: tuple("" if v is None else str(v) for v in k))]
