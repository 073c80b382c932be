"""SQL for job runs and job locks."""

from __future__ import annotations

from sqlalchemy import Connection, text


def try_lock(conn: Connection, key: int) -> bool:
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())


def unlock(conn: Connection, key: int) -> None:
    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


def start_run(conn: Connection, job_name: str) -> int:
    return conn.execute(
        text("INSERT INTO job_runs (job_name, status) VALUES (:name, 'running') RETURNING id"),
        {"name": job_name},
    ).scalar_one()


def finish_run(
    conn: Connection, run_id: int, status: str, rows: int | None, detail: str | None, error: str | None
) -> None:
    conn.execute(
        text(
            "UPDATE job_runs SET finished_at = now(), status = :status, rows_touched = :rows,"
            " detail = :detail, error = :error WHERE id = :id"
        ),
        {"status": status, "rows": rows, "detail": detail, "error": error, "id": run_id},
    )
