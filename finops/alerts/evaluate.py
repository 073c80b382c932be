"""The alert evaluation job: read series from the rollups, run each rule's detector per scope, apply
the findings to the alert lifecycle (which writes the outbox), for every project."""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from finops.alerts import detectors, inputs, repository, series
from finops.alerts.baseline import aligned_window
from finops.alerts.budgets import Budget, budget_findings, period_bounds
from finops.alerts.config import effective_rules
from finops.alerts.inputs import HourlyPoint, RunSnapshot, WeeklyWorkflowStats
from finops.alerts.lifecycle import LifecycleReport, RuleConfig, apply_findings
from finops.alerts.types import Finding, Scope, Severity
from finops.db.engine import get_engine
from finops.projects.repository import project_ids

log = logging.getLogger(__name__)

SPIKE_LOOKBACK = timedelta(days=36)  # four weeks of same-hour history plus the fallback week
RECENT_LOOKBACK = timedelta(days=9)  # a 1-day window aligned to yesterday plus its 7-day baseline
WEEKLY_LOOKBACK = timedelta(days=21)

HOURLY_DETECTORS: dict[str, tuple[Callable[..., Finding | None], type]] = {
    "cache_hit_rate_drop": (detectors.cache_hit_rate_drop, inputs.CacheHitParams),
    "model_routing_shift": (detectors.model_routing_shift, inputs.RoutingShiftParams),
    "error_rate_rise": (detectors.error_rate_rise, inputs.RateRiseParams),
    "retry_rate_rise": (detectors.retry_rate_rise, inputs.RateRiseParams),
}
WEEKLY_DETECTORS: dict[str, tuple[Callable[..., Finding | None], type]] = {
    "cost_per_success_drift": (detectors.cost_per_success_drift, inputs.CostPerSuccessParams),
    "success_rate_drop": (detectors.success_rate_drop, inputs.SuccessRateParams),
}


def params_for(cls: type, overrides: dict[str, Any]) -> Any:
    """The detector's params dataclass with a rule's overrides, converted to the fields' types."""
    base = cls()
    known = {f.name: getattr(base, f.name) for f in dataclasses.fields(cls)}
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in known:
            raise ValueError(f"unknown parameter {name!r} for {cls.__name__}: use {', '.join(known)}")
        default = known[name]
        if isinstance(default, Decimal):
            changes[name] = Decimal(str(value))
        elif isinstance(default, timedelta):
            changes[name] = timedelta(minutes=float(value))
        elif isinstance(default, bool):
            changes[name] = bool(value)
        elif isinstance(default, int | float | str):
            changes[name] = type(default)(value)
        else:
            changes[name] = value
    return dataclasses.replace(base, **changes)


@dataclasses.dataclass(slots=True)
class EvaluationReport:
    projects: int = 0
    rules: int = 0
    scopes: int = 0
    fired: int = 0
    resolved: int = 0
    notifications: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)

    def add(self, lifecycle: LifecycleReport) -> None:
        self.fired += lifecycle.fired
        self.resolved += lifecycle.resolved
        self.notifications += lifecycle.notifications


class _Series:
    """Series per scope kind, read once per evaluation."""

    def __init__(self, conn: Connection, project_id: int, now: datetime) -> None:
        self.conn, self.project_id, self.now = conn, project_id, now
        self._hourly: dict[str, dict[str | None, list[HourlyPoint]]] = {}
        self._weekly: dict[str, dict[str | None, list[WeeklyWorkflowStats]]] = {}

    def hourly(self, kind: str) -> dict[str | None, list[HourlyPoint]]:
        """Every hour of the recent days per scope (what the rate, cache and routing detectors read)."""
        if kind not in self._hourly:
            rows = series.hourly(self.conn, self.project_id, kind, self.now - RECENT_LOOKBACK)
            self._hourly[kind] = _points_by_scope(rows)
        return self._hourly[kind]

    def spike(
        self, kind: str, params: inputs.CostSpikeParams
    ) -> tuple[dict[str | None, list[HourlyPoint]], dict[str | None, datetime]]:
        """Only the hours a cost spike compares (its window, the same hours 1..N weeks and 1..N days
        before), and where each scope's history starts."""
        start, _ = aligned_window(self.now, params.window_hours)
        hours: set[datetime] = set()
        for offset in range(params.window_hours):
            hour = start + timedelta(hours=offset)
            hours.add(hour)
            hours.update(hour - timedelta(weeks=k) for k in range(1, params.weeks + 1))
            hours.update(hour - timedelta(days=k) for k in range(1, params.fallback_days + 1))
        since = self.now - SPIKE_LOOKBACK
        rows = series.hourly(self.conn, self.project_id, kind, since, sorted(hours))
        return _points_by_scope(rows), series.first_hours(self.conn, self.project_id, kind, since)

    def weekly(self, kind: str) -> dict[str | None, list[WeeklyWorkflowStats]]:
        if kind not in self._weekly:
            grouped: dict[str | None, list[WeeklyWorkflowStats]] = defaultdict(list)
            for row in series.weekly_workflows(self.conn, self.project_id, kind, self.now - WEEKLY_LOOKBACK):
                scope = row.pop("scope")
                grouped[scope].append(WeeklyWorkflowStats(**row))
            self._weekly[kind] = grouped
        return self._weekly[kind]


def _points_by_scope(rows: list[Any]) -> dict[str | None, list[HourlyPoint]]:
    grouped: dict[str | None, list[HourlyPoint]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(HourlyPoint(*row[1:]))
    return grouped


def _scope(kind: str, value: str | None) -> Scope:
    return Scope("project") if kind == "project" else Scope(kind, value)


def run_rule(data: _Series, rule: RuleConfig) -> tuple[list[Finding], int]:
    """Findings of one rule over every scope it covers, and how many scopes were evaluated."""
    now = data.now
    findings: list[Finding] = []
    if rule.detector == "cost_spike":
        spike_params = params_for(inputs.CostSpikeParams, rule.params)
        points_by_scope, starts = data.spike(rule.scope_kind, spike_params)
        for value, points in points_by_scope.items():
            found = detectors.cost_spike(
                _scope(rule.scope_kind, value), points, now, spike_params, history_start=starts.get(value)
            )
            if found is not None:
                findings.append(found)
        return findings, len(points_by_scope)
    if rule.detector in HOURLY_DETECTORS:
        detect, params_cls = HOURLY_DETECTORS[rule.detector]
        params = params_for(params_cls, rule.params)
        by_scope = data.hourly(rule.scope_kind)
        for value, points in by_scope.items():
            found = detect(_scope(rule.scope_kind, value), points, now, params)
            if found is not None:
                findings.append(found)
        return findings, len(by_scope)
    if rule.detector == "token_efficiency":
        params = params_for(inputs.TokenEfficiencyParams, {"per": "call", **rule.params})
        by_scope = data.hourly(rule.scope_kind)
        for value, points in by_scope.items():
            token_points = inputs.token_points_from_hourly(points)
            found = detectors.token_efficiency(_scope(rule.scope_kind, value), token_points, now, params)
            if found is not None:
                findings.append(found)
        return findings, len(by_scope)
    if rule.detector in WEEKLY_DETECTORS:
        detect, params_cls = WEEKLY_DETECTORS[rule.detector]
        params = params_for(params_cls, rule.params)
        weekly = data.weekly(rule.scope_kind)
        for value, weeks in weekly.items():
            found = detect(_scope(rule.scope_kind, value), weeks, params)
            if found is not None:
                findings.append(found)
        return findings, len(weekly)
    if rule.detector == "runaway_run":
        caps = params_for(inputs.RunCaps, rule.params)
        rows = series.runaway_candidates(
            data.conn, data.project_id, now - timedelta(hours=1), caps.max_steps, caps.max_cost,
            caps.max_duration.total_seconds(),
        )  # fmt: skip
        for row in rows:
            snapshot = RunSnapshot(
                run_id=row["run_id"], name=row["name"], status=row["status"], steps=row["steps"],
                llm_calls=row["llm_calls"], cost=row["cost_total"], started_at=row["started_at"],
                # span times, not arrival: spans exported late must not make a run look long
                last_seen_at=row["ended_at"], agents=tuple(row["agents"]),
            )  # fmt: skip
            found = detectors.runaway_run(snapshot, now, caps)
            if found is not None:
                findings.append(found)
        return findings, len(rows)
    if rule.detector == "unpriced_model":
        params = params_for(inputs.UnpricedParams, rule.params)
        rows = series.unpriced_models(data.conn, data.project_id, now - timedelta(days=2))
        for row in rows:
            found = detectors.unpriced_model(
                Scope("project"), row["model"] or "(no model)", row["first_seen"], row["calls"], row["tokens"], params
            )
            if found is not None:
                findings.append(found)
        return findings, len(rows)
    if rule.detector == "delivery_failures":
        # notifications are retried for up to a day before they fail: look back far enough to see them
        failed = repository.failed_notifications(data.conn, data.project_id, now - timedelta(days=2))
        for row in failed:
            findings.append(
                Finding(
                    detector="delivery_failures", scope=Scope("project"), severity=Severity.WARNING,
                    title=f"Alert channel {row['channel']}: {row['failed']} notification(s) could not be delivered",
                    observed=row["failed"], baseline=0, threshold="any notification given up in the last 24 hours",
                    hint="Check the channel's URL and that the receiver is up; see `finops alerts channels list`.",
                    period_key=now.strftime("%Y-%m-%d"), numbers={"channel": row["channel"],
                                                                  "last_error": row["last_error"]},
                )
            )  # fmt: skip
        return findings, 1
    raise ValueError(f"unknown detector {rule.detector!r}")


def evaluate_budgets(conn: Connection, project_id: int, now: datetime) -> EvaluationReport:
    report = EvaluationReport()
    for row in repository.budgets(conn, project_id):
        budget = Budget(
            name=row["name"], scope=_scope(row["scope_kind"], row["scope_value"]), amount=row["amount"],
            period=row["period"], thresholds=tuple(row["thresholds"]),
        )  # fmt: skip
        start, end = period_bounds(budget.period, now)
        spend_rows = series.daily_spend(
            conn, project_id, row["scope_kind"], row["scope_value"], min(start, now - timedelta(days=7)), end
        )
        in_period = [r["cost"] for r in spend_rows if r["day"] >= start.date()]
        last_week = [r["cost"] for r in spend_rows if r["day"] >= (now - timedelta(days=7)).date()]
        findings = budget_findings(budget, sum(in_period, Decimal(0)), now, last_week)
        rule = RuleConfig(
            name=f"budget:{budget.name}", detector="budget", scope_kind=row["scope_kind"],
            channels=tuple(row["channels"] or ()), cooldown=timedelta(0), per_period=True,
        )  # fmt: skip
        report.add(apply_findings(conn, project_id, rule, findings, now))
        report.scopes += 1
    return report


def evaluate_all(database_url: str, now: datetime | None = None, only: set[str] | None = None) -> EvaluationReport:
    """Every project, every effective rule (or only the detectors in `only`), and budgets."""
    moment = now or datetime.now(UTC)
    report = EvaluationReport()
    engine = get_engine(database_url)
    with engine.connect() as conn:
        projects = project_ids(conn)
    for project_id in projects:
        report.projects += 1
        with engine.begin() as conn:
            data = _Series(conn, project_id, moment)
            for rule in effective_rules(conn, project_id):
                if only is not None and rule.detector not in only:
                    continue
                try:
                    findings, scopes = run_rule(data, rule)
                except (ValueError, TypeError) as exc:
                    report.errors.append(f"project {project_id} rule {rule.name}: {exc}")
                    log.warning("alert rule %s of project %s skipped: %s", rule.name, project_id, exc)
                    continue
                report.rules += 1
                report.scopes += scopes
                report.add(apply_findings(conn, project_id, rule, findings, moment))
            if only is None or "budget" in only:
                budgets = evaluate_budgets(conn, project_id, moment)
                report.scopes += budgets.scopes
                report.fired += budgets.fired
                report.resolved += budgets.resolved
                report.notifications += budgets.notifications
    return report
