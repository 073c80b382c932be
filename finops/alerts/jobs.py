"""Scheduled jobs: evaluate alert rules every minute, deliver the outbox every 15 seconds."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from finops.alerts.delivery import deliver_due
from finops.alerts.evaluate import evaluate_all
from finops.config import Settings
from finops.jobs.locking import JobOutcome, run_locked
from finops.jobs.scheduler import JobSpec


def run_alerts_job(database_url: str) -> JobOutcome:
    def job() -> tuple[int | None, str | None]:
        report = evaluate_all(database_url)
        detail = (
            f"{report.rules} rules over {report.scopes} scopes: {report.fired} fired, {report.resolved} resolved,"
            f" {report.notifications} notifications queued"
        )
        if report.errors:
            detail += f"; {len(report.errors)} rule(s) skipped: {report.errors[0]}"
        return report.fired + report.resolved, detail

    return run_locked(database_url, "alerts", job)


def run_delivery_job(database_url: str) -> JobOutcome:
    settings = Settings()

    def job() -> tuple[int | None, str | None]:
        report = deliver_due(
            database_url,
            horizon=timedelta(hours=settings.alert_delivery_horizon_hours),
            base_url=settings.resolved_public_url(),
        )
        return report.delivered, f"{report.delivered} delivered, {report.retrying} to retry, {report.failed} failed"

    return run_locked(database_url, "delivery", job)


ALERTS_JOB = JobSpec(name="alerts", trigger=IntervalTrigger(seconds=60), run=run_alerts_job)
DELIVERY_JOB = JobSpec(name="delivery", trigger=IntervalTrigger(seconds=15), run=run_delivery_job)
