"""The in-process scheduler. Jobs register here; every run will take a Postgres advisory lock so
that with several replicas each job still runs once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    run: Callable[[str], object]  # called with the database URL


def registered_jobs() -> list[JobSpec]:
    """Every scheduled job finops runs."""
    from finops.alerts.jobs import ALERTS_JOB, DELIVERY_JOB
    from finops.pricing.jobs import RECOST_JOB
    from finops.recommendations.jobs import RECOMMENDATIONS_JOB
    from finops.reports.jobs import CHARGEBACK_JOB, WEEKLY_JOB
    from finops.workflows.jobs import ROLLUP_JOB, WORKFLOWS_JOB

    return [
        RECOST_JOB,
        WORKFLOWS_JOB,
        ROLLUP_JOB,
        ALERTS_JOB,
        DELIVERY_JOB,
        RECOMMENDATIONS_JOB,
        WEEKLY_JOB,
        CHARGEBACK_JOB,
    ]


def start_scheduler(database_url: str, jobs: list[JobSpec] | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for job in registered_jobs() if jobs is None else jobs:
        scheduler.add_job(job.run, job.trigger, args=[database_url], id=job.name, name=job.name)
    scheduler.start()
    log.info("scheduler started with %d job(s)", len(scheduler.get_jobs()))
    return scheduler
