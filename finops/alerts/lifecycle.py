"""Turning detector findings into alerts: fire once, keep firing quietly, resolve, notify.

- A finding for a (rule, scope) with an alert already firing updates that alert's numbers: no new
  notification however long the condition lasts. Rules whose findings are per period (budget
  thresholds, runaway runs, unpriced models) keep one alert per (scope, period) instead.
- Otherwise a new alert is created, unless one with the same dedup key (rule, scope, period) exists:
  a budget threshold or a runaway run alerts once per period or run, even after it resolved.
- A firing alert whose (rule, scope) produced no finding in an evaluation resolves, with a resolve
  notification.
- Notifications are written to the outbox in the same transaction as the alert, to every enabled
  channel the rule names (all channels when it names none); none while a silence matches, and none for
  a new alert within the rule's cooldown after the previous one for that scope resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from finops.alerts import repository
from finops.alerts.types import Finding, Scope


@dataclass(frozen=True, slots=True)
class RuleConfig:
    name: str
    detector: str
    scope_kind: str
    params: dict[str, Any] = field(default_factory=dict)
    channels: tuple[str, ...] = ()  # channel names; empty: every enabled channel
    cooldown: timedelta = timedelta(minutes=60)
    # One alert per period key (each budget threshold, each runaway run, each unpriced model), rather
    # than one per scope whatever the period (a spike that lasts three hours is one alert).
    per_period: bool = False


@dataclass(slots=True)
class LifecycleReport:
    fired: int = 0
    updated: int = 0
    resolved: int = 0
    suppressed: int = 0
    notifications: int = 0


def dedup_key(rule: str, scope: Scope, period_key: str) -> str:
    return f"{rule}:{scope.kind}:{scope.value or '*'}:{period_key}"


def _text(value: Decimal | float | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return f"{value:.6g}"


def apply_findings(
    conn: Connection, project_id: int, rule: RuleConfig, findings: list[Finding], now: datetime
) -> LifecycleReport:
    report = LifecycleReport()
    channel_ids = _channel_ids(conn, project_id, rule.channels)

    def identity(kind: str, value: str | None, period_key: str) -> tuple[str, str | None, str]:
        return (kind, value, period_key if rule.per_period else "")

    firing = {
        identity(a["scope_kind"], a["scope_value"], a["period_key"]): a
        for a in repository.firing_alerts(conn, project_id, rule.name)
    }
    seen: set[tuple[str, str | None, str]] = set()
    for finding in findings:
        scope_key = identity(finding.scope.kind, finding.scope.value, finding.period_key)
        seen.add(scope_key)
        values = {
            "severity": finding.severity.value,
            "title": finding.title,
            "observed": _text(finding.observed) or "",
            "baseline": _text(finding.baseline),
            "threshold": finding.threshold,
            "hint": finding.hint,
            "numbers": finding.numbers,
        }
        current = firing.get(scope_key)
        if current is not None:
            repository.refresh_alert(conn, current["id"], values)
            report.updated += 1
            continue
        key = dedup_key(rule.name, finding.scope, finding.period_key)
        if repository.alert_exists(conn, project_id, key):
            continue  # this period's alert was already raised (and resolved)
        alert_id = repository.insert_alert(
            conn,
            {
                **values,
                "project_id": project_id,
                "dedup_key": key,
                "rule": rule.name,
                "detector": finding.detector,
                "scope_kind": finding.scope.kind,
                "scope_value": finding.scope.value,
                "period_key": finding.period_key,
                "status": "firing",
                "channels": list(rule.channels),
            },
        )
        report.fired += 1
        if _muted(conn, project_id, rule, finding.scope, now):
            report.suppressed += 1
            continue
        report.notifications += len(repository.enqueue(conn, project_id, alert_id, channel_ids, "firing", now))
    for scope_key, alert in firing.items():
        if scope_key in seen:
            continue
        repository.resolve_alert(conn, alert["id"], now)
        report.resolved += 1
        scope = Scope(alert["scope_kind"], alert["scope_value"])
        if not repository.is_silenced(conn, project_id, rule.name, scope.kind, scope.value, now):
            report.notifications += len(repository.enqueue(conn, project_id, alert["id"], channel_ids, "resolved", now))
    return report


def _muted(conn: Connection, project_id: int, rule: RuleConfig, scope: Scope, now: datetime) -> bool:
    if repository.is_silenced(conn, project_id, rule.name, scope.kind, scope.value, now):
        return True
    previous = repository.last_resolved_at(conn, project_id, rule.name, scope.kind, scope.value)
    return previous is not None and now - previous < rule.cooldown


def _channel_ids(conn: Connection, project_id: int, names: tuple[str, ...]) -> list[int]:
    enabled = repository.channels(conn, project_id)
    return [c["id"] for c in enabled if not names or c["name"] in names]
