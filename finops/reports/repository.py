"""SQL for reports: usage per group from the rollups (with attribution mappings), shared scopes,
FOCUS source rows, stored reports, allocation rules and mappings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, text

# report dimension -> rollup_calls_daily column
DIMENSIONS = {
    "team": "team", "cost_center": "cost_center", "customer": "customer", "feature": "feature",
    "environment": "environment", "workflow": "workflow_name", "agent": "agent_name", "model": "model",
    "provider": "provider", "service": "service_name", "project": None,
}  # fmt: skip
MAPPABLE = ("team", "cost_center", "customer", "feature")  # targets of attribution mappings
MAPPING_SOURCES = {"service": "service_name", "agent": "agent_name", "workflow": "workflow_name"}
WORKFLOW_DIMENSIONS = {"team", "cost_center", "customer", "feature", "environment", "workflow", "project"}


def _dimension_sql(name: str) -> str:
    if name == "project":
        return "p.name"
    column = f"r.{DIMENSIONS[name]}"
    if name not in MAPPABLE:
        return column
    mapped = [f"m_{name}_{source}.target_value" for source in MAPPING_SOURCES]
    return f"coalesce({column}, {', '.join(mapped)})"


def _mapping_joins(group_by: tuple[str, ...]) -> str:
    joins = []
    for name in group_by:
        if name not in MAPPABLE:
            continue
        for source, column in MAPPING_SOURCES.items():
            alias = f"m_{name}_{source}"
            joins.append(
                f"LEFT JOIN attribution_mappings {alias} ON {alias}.project_id = r.project_id"
                f" AND {alias}.target_field = '{name}' AND {alias}.source_field = '{source}'"
                f" AND {alias}.source_value = r.{column}"
            )
    return "\n".join(joins)


def _scope_exclusions(scopes: list[tuple[str, str]], params: dict[str, Any]) -> str:
    clauses = []
    for index, (field, value) in enumerate(scopes):
        params[f"scope{index}"] = value
        clauses.append(f"r.{DIMENSIONS[field]} IS DISTINCT FROM :scope{index}")
    return "".join(f" AND {clause}" for clause in clauses)


def group_usage(
    conn: Connection, project_id: int, start: date, end: date, group_by: tuple[str, ...],
    shared_scopes: list[tuple[str, str]],
) -> list[dict[str, Any]]:  # fmt: skip
    """Usage per group over [start, end), calls of shared scopes left out (they are allocated)."""
    params: dict[str, Any] = {"project": project_id, "start": start, "end": end}
    dims = [f"{_dimension_sql(name)} AS g{index}" for index, name in enumerate(group_by)]
    groups = ", ".join(f"g{index}" for index in range(len(group_by)))
    sql = f"""
        SELECT {", ".join(dims)},
               sum(r.calls)::bigint AS calls, sum(r.input_tokens)::bigint AS input_tokens,
               sum(r.cache_read_tokens)::bigint AS cache_read_tokens,
               sum(r.cache_write_tokens + r.cache_write_1h_tokens)::bigint AS cache_write_tokens,
               sum(r.output_tokens)::bigint AS output_tokens, sum(r.reasoning_tokens)::bigint AS reasoning_tokens,
               sum(r.cost_total) AS direct_cost
        FROM rollup_calls_daily r JOIN projects p ON p.id = r.project_id
        {_mapping_joins(group_by)}
        WHERE r.project_id = :project AND r.day >= :start AND r.day < :end{_scope_exclusions(shared_scopes, params)}
        GROUP BY {groups}
        ORDER BY {groups}
    """
    return [dict(row._mapping) for row in conn.execute(text(sql), params)]


def scope_cost(conn: Connection, project_id: int, start: date, end: date, field: str, value: str) -> Decimal:
    column = DIMENSIONS[field]
    return conn.execute(
        text(
            f"SELECT coalesce(sum(cost_total), 0) FROM rollup_calls_daily"
            f" WHERE project_id = :project AND day >= :start AND day < :end AND {column} = :value"
        ),
        {"project": project_id, "start": start, "end": end, "value": value},
    ).scalar_one()


def group_workflows(
    conn: Connection, project_id: int, start: date, end: date, group_by: tuple[str, ...]
) -> dict[tuple[Any, ...], tuple[int, int]]:
    """group -> (workflow runs, successful runs), by the runs' own attribution."""
    dims = [
        "p.name" if name == "project" else ("w.workflow_name" if name == "workflow" else f"w.{name}")
        for name in group_by
    ]
    rows = conn.execute(
        text(
            f"""
            SELECT {", ".join(f"{d} AS g{i}" for i, d in enumerate(dims))},
                   sum(runs)::bigint, sum(successful_runs)::bigint
            FROM rollup_workflows_daily w JOIN projects p ON p.id = w.project_id
            WHERE w.project_id = :project AND w.day >= :start AND w.day < :end
            GROUP BY {", ".join(f"g{i}" for i in range(len(group_by)))}
            """
        ),
        {"project": project_id, "start": start, "end": end},
    )
    return {tuple(row[: len(group_by)]): (row[-2], row[-1]) for row in rows}


FOCUS_SOURCE = text(
    """
            SELECT r.day, r.provider, r.model, r.workflow_name, r.team, r.customer, r.agent_name, p.name AS project,
                   sum(r.input_tokens)::bigint AS input_tokens, sum(r.cache_read_tokens)::bigint AS cache_read_tokens,
                   sum(r.cache_write_tokens)::bigint AS cache_write_tokens,
                   sum(r.cache_write_1h_tokens)::bigint AS cache_write_1h_tokens,
                   sum(r.output_tokens)::bigint AS output_tokens, sum(r.reasoning_tokens)::bigint AS reasoning_tokens,
                   sum(r.cost_input) AS cost_input, sum(r.cost_cache_read) AS cost_cache_read,
                   sum(r.cost_cache_write) AS cost_cache_write, sum(r.cost_cache_write_1h) AS cost_cache_write_1h,
                   sum(r.cost_output) AS cost_output, sum(r.cost_reasoning) AS cost_reasoning,
                   sum(r.cost_request_fee) AS cost_request_fee, sum(r.calls)::bigint AS calls,
                   sum(r.unpriced_calls)::bigint AS unpriced_calls
            FROM rollup_calls_daily r JOIN projects p ON p.id = r.project_id
            WHERE r.project_id = :project AND r.day >= :start AND r.day < :end
            GROUP BY r.day, r.provider, r.model, r.workflow_name, r.team, r.customer, r.agent_name, p.name
            ORDER BY r.day, r.provider, r.model
            """
)
_FOCUS_BATCH = 5000  # rollup rows fetched at a time when streaming


def focus_source(conn: Connection, project_id: int, start: date, end: date) -> list[dict[str, Any]]:
    return [dict(row) for row in focus_source_stream(conn, project_id, start, end)]


def focus_source_stream(conn: Connection, project_id: int, start: date, end: date) -> Iterator[Mapping[str, Any]]:
    """The FOCUS source rows one by one, through a server-side cursor: a month can be millions of rows."""
    result = conn.execution_options(stream_results=True, yield_per=_FOCUS_BATCH).execute(
        FOCUS_SOURCE, {"project": project_id, "start": start, "end": end}
    )
    with result:
        for row in result:
            yield row._mapping


def allocation_rules(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    return [
        dict(row._mapping)
        for row in conn.execute(
            text("SELECT * FROM allocation_rules WHERE project_id = :project ORDER BY name"), {"project": project_id}
        )
    ]


def upsert_allocation_rule(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    values = {**values, "percentages": orjson.dumps(values.get("percentages") or {}).decode()}
    return conn.execute(
        text(
            """
            INSERT INTO allocation_rules (project_id, name, source, selector_field, selector_value, monthly_amount,
                                          method, percentages)
            VALUES (:project, :name, :source, :selector_field, :selector_value, :monthly_amount, :method,
                    CAST(:percentages AS jsonb))
            ON CONFLICT (project_id, name) DO UPDATE SET source = EXCLUDED.source,
                selector_field = EXCLUDED.selector_field, selector_value = EXCLUDED.selector_value,
                monthly_amount = EXCLUDED.monthly_amount, method = EXCLUDED.method, percentages = EXCLUDED.percentages
            RETURNING id
            """
        ),
        {"project": project_id, **values},
    ).scalar_one()


def upsert_mapping(conn: Connection, project_id: int, values: dict[str, Any]) -> None:
    conn.execute(
        text(
            """
            INSERT INTO attribution_mappings (project_id, source_field, source_value, target_field, target_value)
            VALUES (:project, :source_field, :source_value, :target_field, :target_value)
            ON CONFLICT (project_id, source_field, source_value, target_field)
            DO UPDATE SET target_value = EXCLUDED.target_value
            """
        ),
        {"project": project_id, **values},
    )


def mappings(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    return [
        dict(row._mapping)
        for row in conn.execute(
            text("SELECT * FROM attribution_mappings WHERE project_id = :project ORDER BY target_field, source_field"),
            {"project": project_id},
        )
    ]


def store_report(conn: Connection, project_id: int, values: dict[str, Any]) -> int:
    values = {**values, "summary": orjson.dumps(values.get("summary") or {}, default=str).decode()}
    return conn.execute(
        text(
            """
            INSERT INTO reports (project_id, kind, variant, period_start, period_end, content_type, content, summary)
            VALUES (:project, :kind, :variant, :period_start, :period_end, :content_type, :content,
                    CAST(:summary AS jsonb))
            ON CONFLICT (project_id, kind, period_start, variant) DO UPDATE SET period_end = EXCLUDED.period_end,
                content_type = EXCLUDED.content_type, content = EXCLUDED.content, summary = EXCLUDED.summary,
                created_at = now()
            RETURNING id
            """
        ),
        {"project": project_id, **values},
    ).scalar_one()


def list_reports(conn: Connection, project_id: int, kind: str | None, limit: int) -> list[dict[str, Any]]:
    where = " AND kind = :kind" if kind else ""
    return [
        dict(row._mapping)
        for row in conn.execute(
            text(
                "SELECT id, kind, variant, period_start, period_end, content_type, summary, created_at FROM reports"
                f" WHERE project_id = :project{where} ORDER BY created_at DESC LIMIT :limit"
            ),
            {"project": project_id, "kind": kind, "limit": limit},
        )
    ]


def get_report(conn: Connection, project_id: int, report_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        text("SELECT * FROM reports WHERE project_id = :project AND id = :id"), {"project": project_id, "id": report_id}
    ).first()
    return dict(row._mapping) if row else None
