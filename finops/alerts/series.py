"""Reading metric series for the detectors from the rollups (SQL only; shaping happens in evaluate)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

# scope kind -> rollup column
SCOPE_COLUMNS = {"project": None, "workflow": "workflow_name", "agent": "agent_name", "team": "team", "model": "model"}


def _scope(kind: str) -> str:
    column = SCOPE_COLUMNS.get(kind)
    if kind not in SCOPE_COLUMNS:
        raise ValueError(f"no hourly series per {kind}")
    return "NULL::text" if column is None else column


# In the field order of `inputs.HourlyPoint`, so rows become points positionally (no per-row dicts).
_HOURLY_MEASURES = """
    hour, sum(cost_total) AS cost, sum(calls)::bigint AS calls, sum(input_tokens)::bigint AS input_tokens,
    sum(output_tokens + reasoning_tokens)::bigint AS output_tokens,
    sum(cache_read_tokens)::bigint AS cache_read_tokens,
    sum(input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens)::bigint AS prompt_tokens,
    sum(errors)::bigint AS errors, sum(retries)::bigint AS retries,
    coalesce(sum(calls) FILTER (WHERE model_tier = 'frontier'), 0)::bigint AS frontier_calls,
    coalesce(sum(cost_total) FILTER (WHERE model_tier = 'frontier'), 0) AS frontier_cost
"""


def hourly(
    conn: Connection, project_id: int, scope_kind: str, since: datetime, hours: list[datetime] | None = None
) -> list[Any]:
    """(scope, *HourlyPoint fields) per scope and hour since `since`, or only at `hours` when given
    (a cost spike compares a handful of hours; reading every hour of five weeks would dominate)."""
    column = _scope(scope_kind)
    where = "" if SCOPE_COLUMNS[scope_kind] is None else f" AND {column} IS NOT NULL"
    only = " AND hour = ANY(:hours)" if hours is not None else ""
    rows = conn.execute(
        text(
            f"""
            SELECT {column} AS scope, {_HOURLY_MEASURES}
            FROM rollup_calls_hourly
            WHERE project_id = :project AND hour >= :since{where}{only}
            GROUP BY 1, 2 ORDER BY 1, 2
            """
        ),
        {"project": project_id, "since": since, "hours": hours},
    )
    return rows.all()


def first_hours(conn: Connection, project_id: int, scope_kind: str, since: datetime) -> dict[str | None, datetime]:
    """The first hour with data per scope: before it a zero means "did not exist", not "spent nothing"."""
    column = _scope(scope_kind)
    where = "" if SCOPE_COLUMNS[scope_kind] is None else f" AND {column} IS NOT NULL"
    rows = conn.execute(
        text(
            f"SELECT {column}, min(hour) FROM rollup_calls_hourly WHERE project_id = :project AND hour >= :since{where}"
            " GROUP BY 1"
        ),
        {"project": project_id, "since": since},
    )
    return {row[0]: row[1] for row in rows}


def weekly_workflows(conn: Connection, project_id: int, scope_kind: str, since: datetime) -> list[dict[str, Any]]:
    column = {"project": "NULL::text", "workflow": "workflow_name", "team": "team"}[scope_kind]
    where = "" if scope_kind == "project" else f" AND {column} IS NOT NULL"
    rows = conn.execute(
        text(
            f"""
            SELECT {column} AS scope, date_trunc('week', day)::date AS week_start,
                   sum(successful_runs + failed_runs)::bigint AS runs,
                   sum(successful_runs)::bigint AS successful_runs, sum(cost_total) AS cost,
                   sum(total_tokens)::bigint AS total_tokens, sum(llm_calls)::bigint AS llm_calls
            FROM rollup_workflows_daily
            WHERE project_id = :project AND day >= CAST(:since AS date){where}
            GROUP BY 1, 2 ORDER BY 1, 2
            """
        ),
        {"project": project_id, "since": since},
    )
    return [dict(row._mapping) for row in rows]


def runaway_candidates(
    conn: Connection, project_id: int, since: datetime, steps: int, cost: Any, duration_seconds: float
) -> list[dict[str, Any]]:
    """Runs still open or active since `since` that exceed any cap (the rest cannot be runaway)."""
    rows = conn.execute(
        text(
            """
            SELECT run_id, name, status, steps, llm_calls, cost_total, started_at, ended_at, last_received_at, agents
            FROM workflow_runs
            WHERE project_id = :project AND (status = 'open' OR last_received_at >= :since)
              AND (steps > :steps OR cost_total > :cost
                   OR ended_at - started_at > make_interval(secs => :duration))
            """
        ),
        {"project": project_id, "since": since, "steps": steps, "cost": cost, "duration": duration_seconds},
    )
    return [dict(row._mapping) for row in rows]


def unpriced_models(conn: Connection, project_id: int, since: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        text(
            """
            SELECT model, min(day) AS first_seen, sum(unpriced_calls)::bigint AS calls,
                   sum(input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens + output_tokens
                       + reasoning_tokens)::bigint AS tokens
            FROM rollup_calls_daily
            WHERE project_id = :project AND day >= CAST(:since AS date) AND unpriced_calls > 0
            GROUP BY model
            """
        ),
        {"project": project_id, "since": since},
    )
    return [dict(row._mapping) for row in rows]


def daily_spend(
    conn: Connection, project_id: int, scope_kind: str, scope_value: str | None, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    column = {"project": None, "team": "team", "workflow": "workflow_name", "customer": "customer"}[scope_kind]
    where = "" if column is None else f" AND {column} = :value"
    rows = conn.execute(
        text(
            f"""
            SELECT day, sum(cost_total) AS cost FROM rollup_calls_daily
            WHERE project_id = :project AND day >= CAST(:since AS date) AND day < CAST(:until AS date){where}
            GROUP BY day ORDER BY day
            """
        ),
        {"project": project_id, "since": since, "until": until, "value": scope_value},
    )
    return [dict(row._mapping) for row in rows]
