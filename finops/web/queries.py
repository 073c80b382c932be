"""Read queries the pages need beyond the domain repositories (names for filters, a trace's run)."""

from __future__ import annotations

from sqlalchemy import Connection, text


def workflow_names(conn: Connection, project_id: int, limit: int = 200) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT DISTINCT name FROM workflow_runs WHERE project_id = :project AND name IS NOT NULL"
            " ORDER BY name LIMIT :limit"
        ),
        {"project": project_id, "limit": limit},
    )
    return [row[0] for row in rows]


def run_of_trace(conn: Connection, project_id: int, trace_id: str) -> str | None:
    return conn.execute(
        text("SELECT run_id FROM workflow_traces WHERE project_id = :project AND trace_id = :trace"),
        {"project": project_id, "trace": trace_id},
    ).scalar()


def firing_alert_count(conn: Connection, project_id: int) -> int:
    return conn.execute(
        text("SELECT count(*) FROM alerts WHERE project_id = :project AND status = 'firing'"), {"project": project_id}
    ).scalar_one()
