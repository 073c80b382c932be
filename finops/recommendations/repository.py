"""SQL for recommendations: what the rules look at (calls, long runs, tool outputs) and the stored list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, text

_PROMPT = "(input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens)"
_OUT = "(output_tokens + reasoning_tokens)"

_PROFILE_MEASURES = f"""
    count(*)::bigint AS calls, sum(input_tokens)::bigint AS input_tokens,
    sum(cache_read_tokens)::bigint AS cache_read_tokens,
    sum(cache_write_tokens + cache_write_1h_tokens)::bigint AS cache_write_tokens,
    sum(output_tokens)::bigint AS output_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens,
    coalesce(sum(cost_input), 0) AS cost_input, coalesce(sum(cost_cache_read), 0) AS cost_cache_read,
    coalesce(sum(cost_cache_write), 0) + coalesce(sum(cost_cache_write_1h), 0) AS cost_cache_write,
    coalesce(sum(cost_output), 0) AS cost_output, coalesce(sum(cost_reasoning), 0) AS cost_reasoning,
    coalesce(sum(cost_total), 0) AS cost_total,
    percentile_disc(0.1) WITHIN GROUP (ORDER BY {_PROMPT}) AS prompt_p10,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY {_PROMPT}) AS prompt_p50,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY {_OUT}) AS output_p50,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY {_OUT}) AS output_p90,
    coalesce(stddev_pop({_OUT}), 0)::float AS output_stddev,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY max_tokens) AS max_tokens_p50,
    count(*) FILTER (WHERE finish_reasons && ARRAY['length', 'max_tokens'])::bigint AS length_finishes,
    coalesce(array_agg(DISTINCT operation) FILTER (WHERE operation IS NOT NULL), '{{}}') AS operations,
    count(*) FILTER (WHERE error_type IS NOT NULL)::bigint AS errors,
    coalesce(sum({_OUT}) FILTER (WHERE error_type IS NOT NULL), 0)::bigint AS failed_output_tokens,
    coalesce(sum(coalesce(cost_output, 0) + coalesce(cost_reasoning, 0)) FILTER (WHERE error_type IS NOT NULL), 0)
        AS failed_output_cost,
    count(*) FILTER (WHERE is_retry)::bigint AS retried_calls,
    coalesce(sum(cost_total) FILTER (WHERE is_retry), 0) AS retried_cost,
    count(*) FILTER (WHERE is_batch)::bigint AS batch_calls,
    count(*) FILTER (WHERE user_id IS NOT NULL OR session_id IS NOT NULL)::bigint AS interactive_calls,
    (array_agg(trace_id ORDER BY cost_total DESC NULLS LAST))[1:3] AS example_trace_ids
"""


def usage_profiles(conn: Connection, project_id: int, since: datetime, per_agent: bool) -> list[dict[str, Any]]:
    """Per (agent, model), or per model when `per_agent` is False, over the calls since `since`."""
    agent = "agent_name" if per_agent else "NULL::text"
    rows = conn.execute(
        text(
            f"""
            SELECT {agent} AS agent, model, max(provider) AS provider,
                   mode() WITHIN GROUP (ORDER BY workflow_name) AS workflow,
                   mode() WITHIN GROUP (ORDER BY environment) AS environment, {_PROFILE_MEASURES}
            FROM llm_calls
            WHERE project_id = :project AND start_time >= :since AND model IS NOT NULL
            GROUP BY 1, 2
            """
        ),
        {"project": project_id, "since": since},
    )
    return [dict(row._mapping) for row in rows]


def context_growth(conn: Connection, project_id: int, since: datetime, window_turns: int) -> list[dict[str, Any]]:
    """Per workflow, its runs with more than 10 LLM calls and how their prompts grow turn by turn."""
    rows = conn.execute(
        text(
            """
            WITH long_runs AS (
                SELECT run_id, name FROM workflow_runs
                WHERE project_id = :project AND started_at >= :since AND llm_calls > 10
            ), turns AS (
                SELECT r.name, r.run_id, c.model, c.trace_id,
                       c.input_tokens + c.cache_read_tokens + c.cache_write_tokens + c.cache_write_1h_tokens AS prompt,
                       row_number() OVER (PARTITION BY r.run_id ORDER BY c.start_time, c.span_id) AS turn,
                       count(*) OVER (PARTITION BY r.run_id) AS turns
                FROM long_runs r
                JOIN workflow_traces t ON t.project_id = :project AND t.run_id = r.run_id
                JOIN llm_calls c ON c.project_id = :project AND c.trace_id = t.trace_id
            ), capped AS (
                SELECT *, max(prompt) FILTER (WHERE turn = :window) OVER (PARTITION BY run_id) AS cap FROM turns
            )
            SELECT name AS workflow, mode() WITHIN GROUP (ORDER BY model) AS model,
                   count(DISTINCT run_id)::bigint AS long_runs, count(*)::bigint AS calls,
                   sum(prompt)::bigint AS prompt_tokens,
                   coalesce(avg(prompt) FILTER (WHERE turn <= 3), 0)::bigint AS first_turns_avg_prompt,
                   coalesce(avg(prompt) FILTER (WHERE turn > turns - 3), 0)::bigint AS last_turns_avg_prompt,
                   coalesce(regr_slope(prompt, turn), 0)::numeric(20, 2) AS growth_per_turn,
                   coalesce(sum(greatest(prompt - cap, 0)) FILTER (WHERE turn > :window), 0)::bigint
                       AS tokens_above_window,
                   (array_agg(DISTINCT trace_id))[1:3] AS example_trace_ids
            FROM capped GROUP BY name
            """
        ),
        {"project": project_id, "since": since, "window": window_turns},
    )
    return [dict(row._mapping) for row in rows]


def tool_outputs(conn: Connection, project_id: int, since: datetime) -> list[dict[str, Any]]:
    """Per tool, its output sizes and the model of the LLM call that read them next."""
    rows = conn.execute(
        text(
            """
            SELECT coalesce(s.attributes->>'gen_ai.tool.name', s.name) AS tool, count(*)::bigint AS calls,
                   sum(s.output_chars)::bigint AS output_chars, avg(s.output_chars)::bigint AS avg_output_chars,
                   mode() WITHIN GROUP (ORDER BY n.model) AS next_model, max(n.provider) AS next_provider,
                   (array_agg(s.trace_id))[1:3] AS example_trace_ids
            FROM spans s
            LEFT JOIN LATERAL (
                SELECT c.model, c.provider FROM llm_calls c
                WHERE c.project_id = s.project_id AND c.trace_id = s.trace_id AND c.start_time >= s.end_time
                ORDER BY c.start_time LIMIT 1
            ) n ON true
            WHERE s.project_id = :project AND s.kind = 'tool' AND s.start_time >= :since AND s.output_chars IS NOT NULL
            GROUP BY 1
            """
        ),
        {"project": project_id, "since": since},
    )
    return [dict(row._mapping) for row in rows]


# --- stored recommendations ---


def stored(conn: Connection, project_id: int) -> dict[str, dict[str, Any]]:
    rows = conn.execute(text("SELECT * FROM recommendations WHERE project_id = :project"), {"project": project_id})
    return {row.key: dict(row._mapping) for row in rows}


def upsert(conn: Connection, project_id: int, values: dict[str, Any]) -> None:
    values = {
        **values,
        "evidence": orjson.dumps(values["evidence"], default=str).decode(),
        "claims": orjson.dumps(values["claims"], default=str).decode(),
    }
    conn.execute(
        text(
            """
            INSERT INTO recommendations (project_id, key, rule, scope_kind, scope_value, title, monthly_savings,
                confidence, evidence, example_trace_ids, risk, claims, status)
            VALUES (:project, :key, :rule, :scope_kind, :scope_value, :title, :monthly_savings, :confidence,
                CAST(:evidence AS jsonb), :example_trace_ids, :risk, CAST(:claims AS jsonb), 'open')
            ON CONFLICT (project_id, key) DO UPDATE SET title = EXCLUDED.title,
                monthly_savings = EXCLUDED.monthly_savings, confidence = EXCLUDED.confidence,
                evidence = EXCLUDED.evidence, example_trace_ids = EXCLUDED.example_trace_ids, risk = EXCLUDED.risk,
                claims = EXCLUDED.claims, updated_at = now(),
                status = CASE WHEN recommendations.status = 'resolved' THEN 'open' ELSE recommendations.status END,
                status_changed_at = CASE WHEN recommendations.status = 'resolved' THEN now()
                                         ELSE recommendations.status_changed_at END
            """
        ),
        {"project": project_id, **values},
    )


def resolve_missing(conn: Connection, project_id: int, current_keys: list[str]) -> int:
    """Open or accepted recommendations whose evidence went away are resolved."""
    result = conn.execute(
        text(
            """
            UPDATE recommendations SET status = 'resolved', status_changed_at = now(),
                status_reason = 'the evidence is gone'
            WHERE project_id = :project AND status IN ('open', 'accepted') AND NOT (key = ANY(:keys))
            """
        ),
        {"project": project_id, "keys": current_keys},
    )
    return result.rowcount


def set_status(conn: Connection, project_id: int, rec_id: int, status: str, reason: str | None) -> bool:
    result = conn.execute(
        text(
            "UPDATE recommendations SET status = :status, status_reason = :reason, status_changed_at = now()"
            " WHERE project_id = :project AND id = :id"
        ),
        {"status": status, "reason": reason, "project": project_id, "id": rec_id},
    )
    return result.rowcount == 1


def listing(conn: Connection, project_id: int, status: str | None, limit: int) -> list[dict[str, Any]]:
    where = " AND status = :status" if status else ""
    rows = conn.execute(
        text(
            f"SELECT * FROM recommendations WHERE project_id = :project{where}"
            " ORDER BY monthly_savings DESC, id LIMIT :limit"
        ),
        {"project": project_id, "status": status, "limit": limit},
    )
    return [dict(row._mapping) for row in rows]


def get(conn: Connection, project_id: int, rec_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        text("SELECT * FROM recommendations WHERE project_id = :project AND id = :id"),
        {"project": project_id, "id": rec_id},
    ).first()
    return dict(row._mapping) if row else None
