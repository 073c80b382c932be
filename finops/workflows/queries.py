"""Read queries over assembled runs (for the API and the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from finops.api.jsonsafe import decimals_as_text

RUN_LIST_COLUMNS = (
    "run_id, name, status, outcome, outcome_source, started_at, ended_at, duration_ms, llm_calls, steps, retries,"
    " errors, tool_calls, agents, models, cost_total, unpriced_calls, team, customer, feature, environment"
)


@dataclass(frozen=True, slots=True)
class RunFilter:
    project_id: int
    name: str | None = None
    outcome: str | None = None
    status: str | None = None
    team: str | None = None
    customer: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def list_runs(conn: Connection, filters: RunFilter, sort: str, limit: int, offset: int) -> list[dict[str, Any]]:
    clauses = ["project_id = :project"]
    params: dict[str, Any] = {"project": filters.project_id, "limit": limit, "offset": offset}
    for column in ("name", "outcome", "status", "team", "customer"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    if filters.start is not None:
        clauses.append("started_at >= :start")
        params["start"] = filters.start
    if filters.end is not None:
        clauses.append("started_at < :end")
        params["end"] = filters.end
    order = "cost_total DESC, run_id" if sort == "cost" else "started_at DESC, run_id"
    rows = conn.execute(
        text(
            f"SELECT {RUN_LIST_COLUMNS} FROM workflow_runs WHERE {' AND '.join(clauses)}"
            f" ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    return [decimals_as_text(dict(row._mapping)) for row in rows]


def get_run(conn: Connection, project_id: int, run_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        text("SELECT * FROM workflow_runs WHERE project_id = :project AND run_id = :run"),
        {"project": project_id, "run": run_id},
    ).first()
    if row is None:
        return None
    run = decimals_as_text(dict(row._mapping))
    run.pop("project_id", None)
    outcome = conn.execute(
        text("SELECT outcome, detail, posted_at FROM workflow_outcomes WHERE project_id = :project AND run_id = :run"),
        {"project": project_id, "run": run_id},
    ).first()
    run["posted_outcome"] = dict(outcome._mapping) if outcome else None
    return run


def span_tree(conn: Connection, project_id: int, trace_ids: list[str]) -> list[dict[str, Any]]:
    """The run's spans nested under their parents, each LLM call with its tokens and cost."""
    rows = conn.execute(
        text(
            """
            SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.status_code, s.start_time,
                   s.end_time, s.output_chars, c.model, c.agent_name, c.is_retry, c.error_type,
                   c.input_tokens, c.cache_read_tokens, c.cache_write_tokens + c.cache_write_1h_tokens
                   AS cache_write_tokens, c.output_tokens, c.reasoning_tokens, c.cost_total
            FROM spans s LEFT JOIN llm_calls c USING (project_id, trace_id, span_id)
            WHERE s.project_id = :project AND s.trace_id = ANY(:traces)
            ORDER BY s.start_time, s.span_id
            """
        ),
        {"project": project_id, "traces": trace_ids},
    )
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        node = decimals_as_text(dict(row._mapping))
        node["children"] = []
        nodes[(node["trace_id"], node["span_id"])] = node
    roots = []
    for node in nodes.values():
        parent = nodes.get((node["trace_id"], node["parent_span_id"])) if node["parent_span_id"] else None
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def cost_by(conn: Connection, project_id: int, trace_ids: list[str], column: str) -> list[dict[str, Any]]:
    if column not in ("model", "agent_name"):
        raise ValueError(column)
    rows = conn.execute(
        text(
            f"""
            SELECT {column} AS key, count(*) AS calls, coalesce(sum(cost_total), 0) AS cost,
                   count(*) FILTER (WHERE cost_total IS NULL) AS unpriced_calls
            FROM llm_calls WHERE project_id = :project AND trace_id = ANY(:traces)
            GROUP BY {column} ORDER BY cost DESC
            """
        ),
        {"project": project_id, "traces": trace_ids},
    )
    return [decimals_as_text(dict(row._mapping)) for row in rows]
