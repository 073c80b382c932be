"""Run a job at most once at a time across every replica, and record the run.

The lock is a session-level Postgres advisory lock keyed by the job name, held on a dedicated
connection for the job's duration; a replica that cannot take it records nothing and returns.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from finops.api import metrics
from finops.db.engine import get_engine
from finops.jobs import repository

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


def run_locked(database_url: str, job_name: str, job: Callable[[], tuple[int | None, str | None]]) -> JobOutcome:
    """Run `job` (returning rows touched and a detail line) under the job's advisory lock.

    Failures are recorded and returned, never raised: a failing job is retried on its next tick
    and must not take the service down.
    """
    engine = get_engine(database_url)
    key = lock_key(job_name)
    with engine.connect() as lock_conn:
        got = repository.try_lock(lock_conn, key)
        lock_conn.commit()
        if not got:
            log.info("job %s is running elsewhere; skipped", job_name)
            return JobOutcome(ran=False)
        try:
            with engine.begin() as conn:
                run_id = repository.start_run(conn, job_name)
            started = time.perf_counter()
            try:
                rows, detail = job()
            except Exception as exc:
                metrics.JOB_SECONDS.labels(job_name, "failed").observe(time.perf_counter() - started)
                log.exception("job %s failed", job_name)
                error = "".join(traceback.format_exception_only(exc)).strip()
                with engine.begin() as conn:
                    repository.finish_run(conn, run_id, "failed", None, None, error)
                return JobOutcome(ran=True, error=error)
            metrics.JOB_SECONDS.labels(job_name, "succeeded").observe(time.perf_counter() - started)
            with engine.begin() as conn:
                repository.finish_run(conn, run_id, "succeeded", rows, detail, None)
            return JobOutcome(ran=True, rows_touched=rows, detail=detail)
        finally:
            repository.unlock(lock_conn, key)
            lock_conn.commit()
