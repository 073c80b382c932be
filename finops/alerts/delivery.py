"""The delivery job: sends due outbox notifications, retries with backoff, gives up after a horizon.

Each notification is claimed with a lease and sent on its own worker thread with a timeout, so a
dead or slow channel never holds up the others; a process killed mid-send leaves the lease to
expire and the notification is sent again with the same id (at-least-once; receivers dedupe on
`webhook-id`).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from finops.alerts import repository
from finops.alerts.channels import DeliveryResult, backoff_seconds, send
from finops.alerts.types import AlertMessage, Scope, Severity
from finops.api import metrics
from finops.db.engine import get_engine
from finops.projects import repository as projects

log = logging.getLogger(__name__)

LEASE_SECONDS = 120
SEND_TIMEOUT = 10.0


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def message_for(
    notification: dict[str, Any], alert: dict[str, Any], project: str, base_url: str | None
) -> AlertMessage:
    return AlertMessage(
        notification_id=str(notification["id"]),
        alert_id=alert["id"],
        event=notification["event"],
        project=project,
        detector=alert["detector"],
        scope=Scope(alert["scope_kind"], alert["scope_value"]),
        severity=Severity(alert["severity"]),
        title=alert["title"],
        observed=alert["observed"],
        baseline=alert["baseline"],
        threshold=alert["threshold"],
        hint=alert["hint"],
        numbers=alert["numbers"] or {},
        fired_at=alert["first_fired_at"],
        link=f"{base_url}/api/v1/alerts/{alert['id']}" if base_url else None,
    )


def deliver_due(
    database_url: str,
    *,
    horizon: timedelta,
    base_url: str | None = None,
    now: datetime | None = None,
    limit: int = 200,
    client: httpx.Client | None = None,
) -> DeliveryReport:
    moment = now or datetime.now(UTC)
    engine = get_engine(database_url)
    with engine.begin() as conn:
        claimed = repository.claim_due(conn, moment, LEASE_SECONDS, limit)
        jobs = []
        for notification in claimed:
            alert = repository.get_alert(conn, notification["project_id"], notification["alert_id"])
            channel = repository.channel(conn, notification["channel_id"])
            project = projects.project_name(conn, notification["project_id"])
            jobs.append((notification, alert, channel, project))
    report = DeliveryReport()
    if not jobs:
        return report
    own_client = client is None
    http = client or httpx.Client(timeout=SEND_TIMEOUT, follow_redirects=False)
    try:
        with ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
            results = list(pool.map(lambda job: _send(job, http, moment, base_url), jobs))
    finally:
        if own_client:
            http.close()
    with engine.begin() as conn:
        for (notification, _, _, _), result in zip(jobs, results, strict=True):
            _record(conn, notification, result, moment, horizon, report)
    return report


def _send(job: tuple[Any, ...], http: httpx.Client, now: datetime, base_url: str | None) -> DeliveryResult:
    notification, alert, channel, project = job
    if alert is None or channel is None or not channel["enabled"]:
        return DeliveryResult(ok=False, status=None, error="channel or alert removed", retry_after=None, permanent=True)
    message = message_for(notification, alert, project, base_url)
    return send(channel["kind"], channel["url"], channel["secret"], message, client=http, now=now, timeout=SEND_TIMEOUT)


def _record(
    conn: Any, notification: dict[str, Any], result: DeliveryResult, now: datetime, horizon: timedelta,
    report: DeliveryReport,
) -> None:  # fmt: skip
    notification_id = str(notification["id"])
    if result.ok:
        metrics.NOTIFICATIONS.labels("delivered").inc()
        repository.mark_delivered(conn, notification_id, result.status, now)
        report.delivered += 1
        return
    expired = now - notification["created_at"] >= horizon
    if result.permanent or expired:
        reason = result.error if result.permanent else f"gave up after {horizon}: {result.error}"
        metrics.NOTIFICATIONS.labels("failed").inc()
        repository.mark_failed(conn, notification_id, result.status, reason)
        log.warning("notification %s failed: %s", notification_id, reason)
        report.failed += 1
        return
    metrics.NOTIFICATIONS.labels("retry").inc()
    delay = max(backoff_seconds(notification["attempts"]), result.retry_after or 0)
    repository.mark_retry(conn, notification_id, result.status, result.error, now + timedelta(seconds=delay))
    report.retrying += 1
