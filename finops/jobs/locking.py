"""Run a job at most once at a time across every replica, and record the run.

The lock is a session-level Postgres advisory lock keyed by the job name, held on a dedicated
connection for the job's duration; a replica that cannot take it records nothing and returns.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from finops.db.engine import get_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobOutcome:
    ran: bool  # False: another replica holds the lock
    rows_touched: int | None = None
    detail: str | None = None
    error: str | None = None


def lock_key(job_name: str) -> int:
    digest = hashlib.blake2b(f"finops-job:{job_name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def run_locked(
    database_url: str, job_name: str, job: Callable[[], tuple[int | None, str | None]]
) -> JobOutcome:
    """Run `job` (returning rows touched and a detail line) under the job's advisory lock.

    Failures are recorded and returned, never raised: a failing job is retried on its next tick
    and must not take the service down.
    """
    engine = get_engine(database_url)
    with engine.connect() as lock_conn:
        got = lock_conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(job_name)}
        ).scalar()
        lock_conn.commit()
        if not got:
            log.info("job %s is running elsewhere; skipped", job_name)
            return JobOutcome(ran=False)
        try:
            with engine.begin() as conn:
                run_id = conn.execute(
                    text("INSERT INTO job_runs (job_name, status) VALUES (:name, 'running') RETURNING id"),
                    {"name": job_name},
                ).scalar_one()
            try:
                rows, detail = job()
            except Exception as exc:
                log.exception("job %s failed", job_name)
                error = "".join(traceback.format_exception_only(exc)).strip()
                _finish(database_url, run_id, "failed", None, None, error)
                return JobOutcome(ran=True, error=error)
            _finish(database_url, run_id, "succeeded", rows, detail, None)
            return JobOutcome(ran=True, rows_touched=rows, detail=detail)
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(job_name)})
            lock_conn.commit()


def _finish(
    database_url: str, run_id: int, status: str, rows: int | None, detail: str | None, error: str | None
) -> None:
    with get_engine(database_url).begin() as conn:
        conn.execute(
            text(
                "UPDATE job_runs SET finished_at = now(), status = :status, rows_touched = :rows,"
                " detail = :detail, error = :error WHERE id = :id"
            ),
            {"status": status, "rows": rows, "detail": detail, "error": error, "id": run_id},
        )
