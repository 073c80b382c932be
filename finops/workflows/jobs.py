"""Scheduled jobs: assemble workflow runs every 30 s, rebuild dirty rollup days every minute."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from finops.config import Settings
from finops.jobs.locking import JobOutcome, run_locked
from finops.jobs.scheduler import JobSpec
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty


def run_workflows_job(database_url: str) -> JobOutcome:
    idle = timedelta(seconds=Settings().workflow_idle_seconds)

    def job() -> tuple[int | None, str | None]:
        report = assemble_dirty(database_url, idle)
        return report.runs, f"{report.traces} traces, {report.runs} runs assembled, {report.closed} closed"

    return run_locked(database_url, "workflows", job)


def run_rollup_job(database_url: str) -> JobOutcome:
    def job() -> tuple[int | None, str | None]:
        report = process_dirty_days(database_url)
        return report.days, f"{report.days} project-days rebuilt"

    return run_locked(database_url, "rollups", job)


WORKFLOWS_JOB = JobSpec(name="workflows", trigger=IntervalTrigger(seconds=30), run=run_workflows_job)
ROLLUP_JOB = JobSpec(name="rollups", trigger=IntervalTrigger(seconds=60), run=run_rollup_job)
