"""Scheduled reports: the weekly cost review every Monday, the monthly chargeback on the 1st."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.triggers.cron import CronTrigger

from finops.config import Settings
from finops.db.engine import get_engine
from finops.jobs.locking import JobOutcome, run_locked
from finops.jobs.scheduler import JobSpec
from finops.projects import repository as projects
from finops.reports import service
from finops.reports.chargeback import parse_group_by


def run_weekly_job(database_url: str) -> JobOutcome:
    settings = Settings()

    def job() -> tuple[int | None, str | None]:
        week = service.last_full_week(datetime.now(UTC))
        engine = get_engine(database_url)
        with engine.connect() as conn:
            project_ids = projects.project_ids(conn)
        posted = 0
        for project_id in project_ids:
            with engine.begin() as conn:
                name = projects.project_name(conn, project_id)
                report = service.weekly_report(conn, project_id, name, week)
                report_id = service.store(conn, project_id, report)
            with engine.connect() as conn:
                posted += service.announce(conn, project_id, name, report_id, str(report.summary.get("text", "")),
                                           settings.resolved_public_url())  # fmt: skip
        return len(project_ids), f"weekly review {week} for {len(project_ids)} project(s), {posted} post(s)"

    return run_locked(database_url, "weekly-review", job)


def run_chargeback_job(database_url: str) -> JobOutcome:
    group_by = parse_group_by(Settings().chargeback_group_by)

    def job() -> tuple[int | None, str | None]:
        start, end = service.previous_month(datetime.now(UTC))
        engine = get_engine(database_url)
        with engine.connect() as conn:
            project_ids = projects.project_ids(conn)
        for project_id in project_ids:
            with engine.begin() as conn:
                service.store(conn, project_id, service.chargeback_report(conn, project_id, start, end, group_by))
        return len(project_ids), f"chargeback {start:%Y-%m} by {','.join(group_by)} for {len(project_ids)} project(s)"

    return run_locked(database_url, "chargeback", job)


WEEKLY_JOB = JobSpec("weekly-review", CronTrigger(day_of_week="mon", hour=6, timezone="UTC"), run_weekly_job)
CHARGEBACK_JOB = JobSpec("chargeback", CronTrigger(day=1, hour=2, timezone="UTC"), run_chargeback_job)
