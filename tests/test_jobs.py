"""Job runs take a per-job advisory lock and are recorded, failures included."""

from __future__ import annotations

import psycopg

from finops.db.urls import libpq_url
from finops.jobs.locking import lock_key, run_locked


def job_runs(db: str) -> list[tuple]:
    with psycopg.connect(libpq_url(db)) as conn:
        return conn.execute("SELECT job_name, status, rows_touched, detail, error FROM job_runs ORDER BY id").fetchall()


def test_lock_held_elsewhere_skips_the_run(db: str) -> None:
    calls: list[int] = []
    with psycopg.connect(libpq_url(db), autocommit=True) as other_replica:
        other_replica.execute("SELECT pg_advisory_lock(%s)", (lock_key("recost"),))
        outcome = run_locked(db, "recost", lambda: (calls.append(1), (0, None))[1])
        other_replica.execute("SELECT pg_advisory_unlock(%s)", (lock_key("recost"),))
    assert not outcome.ran and calls == [] and job_runs(db) == []
    outcome = run_locked(db, "recost", lambda: (7, "seven rows"))
    assert outcome.ran and outcome.rows_touched == 7
    assert job_runs(db) == [("recost", "succeeded", 7, "seven rows", None)]


def test_failing_job_is_recorded_not_raised(db: str) -> None:
    def broken() -> tuple[int | None, str | None]:
        raise RuntimeError("catalog unreadable")

    outcome = run_locked(db, "recost", broken)
    assert outcome.ran and outcome.error == "RuntimeError: catalog unreadable"
    assert job_runs(db) == [("recost", "failed", None, None, "RuntimeError: catalog unreadable")]
    # the lock was released: the next tick runs again
    assert run_locked(db, "recost", lambda: (0, None)).ran
