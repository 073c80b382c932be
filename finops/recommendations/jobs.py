"""The scheduled recommendations job: every six hours, for every project."""

from __future__ import annotations

from decimal import Decimal

from apscheduler.triggers.interval import IntervalTrigger

from finops.config import Settings
from finops.db.engine import get_engine, session_scope
from finops.jobs.locking import JobOutcome, run_locked
from finops.jobs.scheduler import JobSpec
from finops.pricing.service import load_book
from finops.projects.repository import project_ids
from finops.recommendations.service import refresh


def run_recommendations_job(database_url: str) -> JobOutcome:
    gpu = Decimal(str(Settings().gpu_hourly_cost))

    def job() -> tuple[int | None, str | None]:
        with session_scope(database_url) as session:
            book = load_book(session)
        engine = get_engine(database_url)
        with engine.connect() as conn:
            projects = project_ids(conn)
        produced, savings = 0, Decimal(0)
        for project_id in projects:
            with engine.begin() as conn:
                report = refresh(conn, project_id, book, gpu)
            produced += report.produced
            savings += report.total_monthly_savings
        return produced, f"{produced} recommendations, about ${savings:,.2f}/month in total"

    return run_locked(database_url, "recommendations", job)


RECOMMENDATIONS_JOB = JobSpec("recommendations", IntervalTrigger(hours=6), run_recommendations_job)
