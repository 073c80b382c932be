"""The scheduled recost job: applies queued recost requests after price changes."""

from __future__ import annotations

from apscheduler.triggers.interval import IntervalTrigger

from finops.jobs.locking import JobOutcome, run_locked
from finops.jobs.scheduler import JobSpec
from finops.pricing.service import process_recost_requests


def run_recost_job(database_url: str) -> JobOutcome:
    def job() -> tuple[int | None, str | None]:
        report = process_recost_requests(database_url)
        if report is None:
            return 0, "nothing queued"
        return report.calls_changed, f"run {report.run_id}: {report.calls_examined} examined"

    return run_locked(database_url, "recost", job)


RECOST_JOB = JobSpec(name="recost", trigger=IntervalTrigger(seconds=60), run=run_recost_job)
