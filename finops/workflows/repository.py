"""SQL for assembling workflow runs: dirty traces, trace-to-run mapping, facts, upserts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, text

from finops.workflows.assembly import (
    COST_FIELDS,
    RUN_ATTRIBUTION,
    TOKEN_FIELDS,
    WORKFLOW_NAME_KEYS,
    CallFact,
    RunFacts,
    SpanFact,
)

# Attributes assembly reads from non-root spans; root spans are read whole (their attribution).
_SPAN_KEYS = (
    *WORKFLOW_NAME_KEYS, "finops.workflow.outcome", "finops.workflow.id", "finops.retry",
    "finops.retry.attempt", "http.request.resend_count", "gen_ai.tool.name", "gen_ai.agent.name",
)  # fmt: skip
_SUBSET = "jsonb_strip_nulls(jsonb_build_object(" + ", ".join(f"'{k}', attributes->'{k}'" for k in _SPAN_KEYS) + "))"


def claim_dirty_traces(conn: Connection, limit: int) -> list[tuple[int, str]]:
    """Take up to `limit` dirty traces; they come back if the transaction rolls back."""
    rows = conn.execute(
        text(
            """
            DELETE FROM workflow_dirty_traces d
            USING (SELECT project_id, trace_id FROM workflow_dirty_traces ORDER BY marked_at
                   LIMIT :limit FOR UPDATE SKIP LOCKED) picked
            WHERE d.project_id = picked.project_id AND d.trace_id = picked.trace_id
            RETURNING d.project_id, d.trace_id
            """
        ),
        {"limit": limit},
    )
    return [(row[0], row[1]) for row in rows]


def mark_traces_dirty(conn: Connection, project_id: int, trace_ids: list[str]) -> None:
    conn.execute(
        text(
            "INSERT INTO workflow_dirty_traces (project_id, trace_id) SELECT :project, unnest(CAST(:traces AS text[]))"
            " ON CONFLICT DO NOTHING"
        ),
        {"project": project_id, "traces": trace_ids},
    )


def declared_run_ids(conn: Connection, project_id: int, trace_ids: list[str]) -> dict[str, str]:
    """trace -> finops.workflow.id carried by any of its spans or (through its resource) calls."""
    rows = conn.execute(
        text(
            """
            SELECT trace_id, max(workflow_id) FROM (
                SELECT trace_id, attributes->>'finops.workflow.id' AS workflow_id FROM spans
                WHERE project_id = :project AND trace_id = ANY(:traces) AND attributes ? 'finops.workflow.id'
                UNION ALL
                SELECT trace_id, workflow_id FROM llm_calls
                WHERE project_id = :project AND trace_id = ANY(:traces) AND workflow_id IS NOT NULL
            ) found GROUP BY trace_id
            """
        ),
        {"project": project_id, "traces": trace_ids},
    )
    return {row[0]: row[1] for row in rows if row[1]}


def mapped_run_ids(conn: Connection, project_id: int, trace_ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        text("SELECT trace_id, run_id FROM workflow_traces WHERE project_id = :project AND trace_id = ANY(:traces)"),
        {"project": project_id, "traces": trace_ids},
    )
    return {row[0]: row[1] for row in rows}


def map_traces(conn: Connection, project_id: int, mapping: dict[str, str]) -> None:
    conn.execute(
        text(
            """
            INSERT INTO workflow_traces (project_id, trace_id, run_id)
            SELECT :project, t, r FROM unnest(CAST(:traces AS text[]), CAST(:runs AS text[])) AS m(t, r)
            ON CONFLICT (project_id, trace_id) DO UPDATE SET run_id = EXCLUDED.run_id
            """
        ),
        {"project": project_id, "traces": list(mapping), "runs": list(mapping.values())},
    )


def run_trace_ids(conn: Connection, project_id: int, run_ids: list[str]) -> dict[str, list[str]]:
    rows = conn.execute(
        text("SELECT run_id, trace_id FROM workflow_traces WHERE project_id = :project AND run_id = ANY(:runs)"),
        {"project": project_id, "runs": run_ids},
    )
    found: dict[str, list[str]] = {}
    for run_id, trace_id in rows:
        found.setdefault(run_id, []).append(trace_id)
    return found


def span_facts(conn: Connection, project_id: int, trace_ids: list[str]) -> list[SpanFact]:
    rows = conn.execute(
        text(
            f"""
            SELECT trace_id, span_id, parent_span_id, name, kind, status_code, start_time, end_time,
                   received_at, output_chars,
                   CASE WHEN parent_span_id IS NULL THEN attributes ELSE {_SUBSET} END, service_name
            FROM spans WHERE project_id = :project AND trace_id = ANY(:traces)
            """
        ),
        {"project": project_id, "traces": trace_ids},
    )
    return [SpanFact(*row) for row in rows]


def call_facts(conn: Connection, project_id: int, trace_ids: list[str]) -> list[CallFact]:
    token_columns = ", ".join(f"{name}_tokens" for name in TOKEN_FIELDS)
    cost_columns = ", ".join(f"cost_{name}" for name in COST_FIELDS)
    rows = conn.execute(
        text(
            f"""
            SELECT trace_id, span_id, parent_span_id, model, agent_name, workflow_name, error_type,
                   {token_columns}, {cost_columns}, {", ".join(RUN_ATTRIBUTION)}
            FROM llm_calls WHERE project_id = :project AND trace_id = ANY(:traces)
            """
        ),
        {"project": project_id, "traces": trace_ids},
    )
    facts = []
    tokens_end = 7 + len(TOKEN_FIELDS)
    costs_end = tokens_end + len(COST_FIELDS)
    for row in rows:
        costs = tuple(row[tokens_end:costs_end])
        facts.append(
            CallFact(
                *row[:7],
                tokens=tuple(row[7:tokens_end]),  # type: ignore[arg-type]
                costs=None if costs[-1] is None else costs,
                attribution=dict(zip(RUN_ATTRIBUTION, row[costs_end:], strict=True)),
            )
        )
    return facts


def posted_outcomes(conn: Connection, project_id: int, run_ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        text("SELECT run_id, outcome FROM workflow_outcomes WHERE project_id = :project AND run_id = ANY(:runs)"),
        {"project": project_id, "runs": run_ids},
    )
    return {row[0]: row[1] for row in rows}


def upsert_outcome(conn: Connection, project_id: int, run_id: str, outcome: str, detail: str | None) -> None:
    conn.execute(
        text(
            """
            INSERT INTO workflow_outcomes (project_id, run_id, outcome, detail) VALUES (:p, :r, :o, :d)
            ON CONFLICT (project_id, run_id) DO UPDATE SET outcome = :o, detail = :d, posted_at = now()
            """
        ),
        {"p": project_id, "r": run_id, "o": outcome, "d": detail},
    )


def run_start_days(conn: Connection, project_id: int, run_ids: list[str]) -> list[date]:
    rows = conn.execute(
        text(
            "SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM workflow_runs"
            " WHERE project_id = :project AND run_id = ANY(:runs)"
        ),
        {"project": project_id, "runs": run_ids},
    )
    return [row[0] for row in rows]


def delete_runs(conn: Connection, project_id: int, run_ids: list[str]) -> None:
    conn.execute(
        text("DELETE FROM workflow_runs WHERE project_id = :project AND run_id = ANY(:runs)"),
        {"project": project_id, "runs": run_ids},
    )


_RUN_COLUMNS = (
    "project_id", "run_id", "name", "name_source", "status", "outcome", "outcome_source", "trace_ids",
    "root_seen", "started_at", "ended_at", "duration_ms", "last_received_at", "closed_at", "llm_calls",
    "unpriced_calls", "steps", "retries", "errors", "tool_calls", "tool_output_chars", "max_context_tokens",
    "agents", "models", *(f"{name}_tokens" for name in TOKEN_FIELDS), *(f"cost_{name}" for name in COST_FIELDS),
    *RUN_ATTRIBUTION, "attribution_conflicts",
)  # fmt: skip
_UPSERT_RUN = text(
    f"""
    INSERT INTO workflow_runs ({", ".join(_RUN_COLUMNS)}, assembled_at)
    VALUES ({", ".join(":" + c for c in _RUN_COLUMNS)}, now())
    ON CONFLICT (project_id, run_id) DO UPDATE SET
    {", ".join(f"{c} = EXCLUDED.{c}" for c in _RUN_COLUMNS[2:] if c != "closed_at")},
    closed_at = CASE WHEN EXCLUDED.status = 'closed'
                     THEN coalesce(workflow_runs.closed_at, EXCLUDED.closed_at) END,
    assembled_at = now()
    """
)


def upsert_run(conn: Connection, project_id: int, run: RunFacts, now: datetime) -> None:
    values: dict[str, Any] = {
        "project_id": project_id,
        "run_id": run.run_id,
        "name": run.name,
        "name_source": run.name_source,
        "status": run.status,
        "outcome": run.outcome,
        "outcome_source": run.outcome_source,
        "trace_ids": run.trace_ids,
        "root_seen": run.root_seen,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "duration_ms": run.duration_ms,
        "last_received_at": run.last_received_at,
        "closed_at": now if run.status == "closed" else None,
        "llm_calls": run.llm_calls,
        "unpriced_calls": run.unpriced_calls,
        "steps": run.steps,
        "retries": run.retries,
        "errors": run.errors,
        "tool_calls": run.tool_calls,
        "tool_output_chars": run.tool_output_chars,
        "max_context_tokens": run.max_context_tokens,
        "agents": run.agents,
        "models": run.models,
        "attribution_conflicts": orjson.dumps(run.attribution_conflicts).decode(),
    }
    values.update({f"{name}_tokens": run.tokens[name] for name in TOKEN_FIELDS})
    values.update({f"cost_{name}": run.costs[name] for name in COST_FIELDS})
    values.update(run.attribution)
    conn.execute(_UPSERT_RUN, values)


def fill_call_attribution(conn: Connection, project_id: int, run: RunFacts) -> int:
    """Give the run's calls the attribution they lacked (usually carried only by a late root span)."""
    known = {name: value for name, value in run.attribution.items() if value is not None}
    if not known:
        return 0
    sets = ", ".join(f"{name} = coalesce({name}, :{name})" for name in known)
    missing = " OR ".join(f"{name} IS NULL" for name in known)
    result = conn.execute(
        text(f"UPDATE llm_calls SET {sets} WHERE project_id = :project AND trace_id = ANY(:traces) AND ({missing})"),
        {"project": project_id, "traces": run.trace_ids, **known},
    )
    return result.rowcount


def set_retry_flags(conn: Connection, project_id: int, run: RunFacts) -> int:
    keys = [f"{trace}:{span}" for trace, span in run.retried_call_ids]
    result = conn.execute(
        text(
            """
            UPDATE llm_calls SET is_retry = NOT is_retry
            WHERE project_id = :project AND trace_id = ANY(:traces)
              AND is_retry <> ((trace_id || ':' || span_id) = ANY(CAST(:keys AS text[])))
            """
        ),
        {"project": project_id, "traces": run.trace_ids, "keys": keys},
    )
    return result.rowcount


def mark_days_dirty(conn: Connection, project_id: int, trace_ids: list[str], extra_days: list[date]) -> None:
    """Days holding the traces' calls, plus `extra_days` (runs' start days, before and after)."""
    conn.execute(
        text(
            """
            INSERT INTO rollup_dirty_days (project_id, day)
            SELECT DISTINCT :project, (start_time AT TIME ZONE 'UTC')::date FROM llm_calls
            WHERE project_id = :project AND trace_id = ANY(:traces)
            UNION SELECT :project, unnest(CAST(:days AS date[]))
            ON CONFLICT DO NOTHING
            """
        ),
        {"project": project_id, "traces": trace_ids, "days": extra_days},
    )


def close_idle_runs(conn: Connection, before: datetime) -> list[tuple[int, date]]:
    rows = conn.execute(
        text(
            """
            UPDATE workflow_runs SET status = 'closed', closed_at = now()
            WHERE status = 'open' AND root_seen AND last_received_at < :before
            RETURNING project_id, (started_at AT TIME ZONE 'UTC')::date
            """
        ),
        {"before": before},
    )
    return [(row[0], row[1]) for row in rows]


def mark_day_list_dirty(conn: Connection, days: list[tuple[int, date]]) -> None:
    if not days:
        return
    conn.execute(
        text(
            "INSERT INTO rollup_dirty_days (project_id, day)"
            " SELECT p, d FROM unnest(CAST(:projects AS bigint[]), CAST(:days AS date[])) AS x(p, d)"
            " ON CONFLICT DO NOTHING"
        ),
        {"projects": [p for p, _ in days], "days": [d for _, d in days]},
    )
