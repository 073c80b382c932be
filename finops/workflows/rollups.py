"""Rebuilding rollups for dirty (project, day) pairs: delete the day's rows, aggregate it again.

Days become dirty when workflow assembly touches a trace (new or late spans, recosted calls, filled
attribution, retry flags) or a run closes; each day is rebuilt in its own transaction, so the job is
idempotent and an interrupted run leaves every day either old or new, never half.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from finops.db.engine import get_engine

_MEASURES = """
    count(*) AS calls,
    count(*) FILTER (WHERE c.error_type IS NOT NULL) AS errors,
    count(*) FILTER (WHERE c.is_retry) AS retries,
    count(*) FILTER (WHERE c.is_batch) AS batch_calls,
    count(*) FILTER (WHERE c.cost_total IS NULL) AS unpriced_calls,
    sum(c.input_tokens), sum(c.cache_read_tokens), sum(c.cache_write_tokens), sum(c.cache_write_1h_tokens),
    sum(c.output_tokens), sum(c.reasoning_tokens),
    max(c.input_tokens + c.cache_read_tokens + c.cache_write_tokens + c.cache_write_1h_tokens),
    coalesce(sum(c.cost_input), 0), coalesce(sum(c.cost_cache_read), 0), coalesce(sum(c.cost_cache_write), 0),
    coalesce(sum(c.cost_cache_write_1h), 0), coalesce(sum(c.cost_output), 0), coalesce(sum(c.cost_reasoning), 0),
    coalesce(sum(c.cost_request_fee), 0), coalesce(sum(c.cost_total), 0), sum(c.reported_cost)
"""
_MEASURE_COLUMNS = """
    calls, errors, retries, batch_calls, unpriced_calls, input_tokens, cache_read_tokens, cache_write_tokens,
    cache_write_1h_tokens, output_tokens, reasoning_tokens, max_prompt_tokens, cost_input, cost_cache_read,
    cost_cache_write, cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee, cost_total,
    reported_cost
"""
# UTC day bounds, whatever the session time zone
_DAY_START = "(CAST(:day AS date)::timestamp AT TIME ZONE 'UTC')"
_DAY_END = "((CAST(:day AS date) + 1)::timestamp AT TIME ZONE 'UTC')"
_DAY_WINDOW = f"c.project_id = :project AND c.start_time >= {_DAY_START} AND c.start_time < {_DAY_END}"

_DAILY_DIMENSIONS = (
    "provider, model, model_tier, agent_name, workflow_name, team, cost_center, feature, customer, environment,"
    " service_name"
)
_HOURLY_DIMENSIONS = "provider, model, model_tier, agent_name, workflow_name, team"

REBUILD_CALLS_DAILY = f"""
DELETE FROM rollup_calls_daily WHERE project_id = :project AND day = :day;
INSERT INTO rollup_calls_daily (project_id, day, {_DAILY_DIMENSIONS}, {_MEASURE_COLUMNS})
SELECT :project, CAST(:day AS date), c.provider, c.model, p.tier, c.agent_name, c.workflow_name, c.team,
       c.cost_center, c.feature, c.customer, c.environment, c.service_name, {_MEASURES}
FROM llm_calls c LEFT JOIN price_versions p ON p.id = c.price_version_id
WHERE {_DAY_WINDOW}
GROUP BY c.provider, c.model, p.tier, c.agent_name, c.workflow_name, c.team, c.cost_center, c.feature,
         c.customer, c.environment, c.service_name
"""
REBUILD_CALLS_HOURLY = f"""
DELETE FROM rollup_calls_hourly
WHERE project_id = :project AND hour >= {_DAY_START} AND hour < {_DAY_END};
INSERT INTO rollup_calls_hourly (project_id, hour, {_HOURLY_DIMENSIONS}, {_MEASURE_COLUMNS})
SELECT :project, date_trunc('hour', c.start_time, 'UTC'), c.provider, c.model, p.tier, c.agent_name, c.workflow_name,
       c.team, {_MEASURES}
FROM llm_calls c LEFT JOIN price_versions p ON p.id = c.price_version_id
WHERE {_DAY_WINDOW}
GROUP BY date_trunc('hour', c.start_time, 'UTC'), c.provider, c.model, p.tier, c.agent_name, c.workflow_name, c.team
"""
REBUILD_WORKFLOWS_DAILY = f"""
DELETE FROM rollup_workflows_daily WHERE project_id = :project AND day = :day;
INSERT INTO rollup_workflows_daily (
    project_id, day, workflow_name, team, cost_center, feature, customer, environment, runs, successful_runs,
    failed_runs, unknown_runs, open_runs, llm_calls, steps, retries, errors, tool_calls, tool_output_chars,
    total_tokens, max_context_tokens, duration_ms, unpriced_calls, cost_total, successful_cost
)
SELECT :project, CAST(:day AS date), r.name, r.team, r.cost_center, r.feature, r.customer, r.environment,
       count(*), count(*) FILTER (WHERE r.outcome = 'success'), count(*) FILTER (WHERE r.outcome = 'failure'),
       count(*) FILTER (WHERE r.outcome = 'unknown'), count(*) FILTER (WHERE r.status = 'open'),
       sum(r.llm_calls), sum(r.steps), sum(r.retries), sum(r.errors), sum(r.tool_calls), sum(r.tool_output_chars),
       sum(r.input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens
           + r.output_tokens + r.reasoning_tokens),
       max(r.max_context_tokens), sum(r.duration_ms), sum(r.unpriced_calls), sum(r.cost_total),
       coalesce(sum(r.cost_total) FILTER (WHERE r.outcome = 'success'), 0)
FROM workflow_runs r
WHERE r.project_id = :project AND r.started_at >= {_DAY_START} AND r.started_at < {_DAY_END}
GROUP BY r.name, r.team, r.cost_center, r.feature, r.customer, r.environment
"""


@dataclass(slots=True)
class RollupReport:
    days: int = 0


def claim_dirty_day(conn: Connection) -> tuple[int, date] | None:
    row = conn.execute(
        text(
            """
            DELETE FROM rollup_dirty_days d
            USING (SELECT project_id, day FROM rollup_dirty_days ORDER BY marked_at
                   LIMIT 1 FOR UPDATE SKIP LOCKED) picked
            WHERE d.project_id = picked.project_id AND d.day = picked.day
            RETURNING d.project_id, d.day
            """
        )
    ).first()
    return (row[0], row[1]) if row else None


def rebuild_day(conn: Connection, project_id: int, day: date) -> None:
    params = {"project": project_id, "day": day}
    for statement in (REBUILD_CALLS_DAILY, REBUILD_CALLS_HOURLY, REBUILD_WORKFLOWS_DAILY):
        for part in statement.split(";"):
            if part.strip():
                conn.execute(text(part), params)


def process_dirty_days(database_url: str, limit: int = 10_000) -> RollupReport:
    report = RollupReport()
    engine = get_engine(database_url)
    while report.days < limit:
        with engine.begin() as conn:
            claimed = claim_dirty_day(conn)
            if claimed is None:
                break
            rebuild_day(conn, *claimed)
        report.days += 1
    return report
