"""Alert configuration: default rules, validation, and the optional YAML file loaded at start."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from sqlalchemy import Connection

from finops.alerts import repository
from finops.alerts.lifecycle import RuleConfig
from finops.alerts.signing import SignatureError, generate_secret, validate_secret
from finops.alerts.urls import validate_channel_url
from finops.errors import FinopsError

SCOPE_KINDS = ("project", "workflow", "agent", "team", "model", "customer")
CHANNEL_KINDS = ("slack", "webhook")
PERIODS = ("day", "week", "month")

# detector -> scope kinds it can evaluate
DETECTOR_SCOPES: dict[str, tuple[str, ...]] = {
    "cost_spike": ("project", "workflow", "agent", "team", "model"),
    "cost_per_success_drift": ("project", "workflow", "team"),
    "success_rate_drop": ("project", "workflow", "team"),
    "token_efficiency": ("project", "workflow", "agent", "team", "model"),
    "cache_hit_rate_drop": ("project", "workflow", "agent", "team", "model"),
    "model_routing_shift": ("project", "workflow", "agent", "team"),
    "error_rate_rise": ("agent", "project", "workflow", "model"),
    "retry_rate_rise": ("agent", "project", "workflow"),
    "runaway_run": ("project",),
    "unpriced_model": ("project",),
    "delivery_failures": ("project",),
}

PER_PERIOD_DETECTORS = frozenset({"runaway_run", "unpriced_model", "delivery_failures"})

DEFAULT_RULES: tuple[RuleConfig, ...] = (
    RuleConfig("cost-spike", "cost_spike", "project"),
    RuleConfig("agent-cost-spike", "cost_spike", "agent"),
    RuleConfig("workflow-cost-spike", "cost_spike", "workflow"),
    RuleConfig("cost-per-success-drift", "cost_per_success_drift", "workflow"),
    RuleConfig("success-rate-drop", "success_rate_drop", "workflow"),
    RuleConfig("token-efficiency", "token_efficiency", "workflow"),
    RuleConfig("cache-hit-rate-drop", "cache_hit_rate_drop", "project"),
    RuleConfig("model-routing-shift", "model_routing_shift", "project"),
    RuleConfig("agent-error-rate", "error_rate_rise", "agent"),
    RuleConfig("agent-retry-rate", "retry_rate_rise", "agent"),
    RuleConfig("runaway-workflow", "runaway_run", "project", cooldown=timedelta(0), per_period=True),
    RuleConfig("unpriced-model", "unpriced_model", "project", cooldown=timedelta(0), per_period=True),
    RuleConfig("delivery-failures", "delivery_failures", "project", per_period=True),
)


class AlertConfigError(FinopsError):
    """An alert rule, channel or budget that cannot be used; the message says what is wrong."""


def effective_rules(conn: Connection, project_id: int) -> list[RuleConfig]:
    """The defaults, overridden (or switched off) by the project's own rules of the same name."""
    configured = {row["name"]: row for row in repository.rules(conn, project_id)}
    result = [rule for rule in DEFAULT_RULES if rule.name not in configured]
    for row in configured.values():
        if row["enabled"]:
            result.append(
                RuleConfig(
                    name=row["name"], detector=row["detector"], scope_kind=row["scope_kind"],
                    params=row["params"] or {}, channels=tuple(row["channels"] or ()),
                    cooldown=timedelta(minutes=row["cooldown_minutes"]),
                    per_period=row["detector"] in PER_PERIOD_DETECTORS,
                )
            )  # fmt: skip
    return result


def validate_rule(values: dict[str, Any]) -> dict[str, Any]:
    detector, scope = values.get("detector"), values.get("scope_kind", "project")
    if detector not in DETECTOR_SCOPES:
        raise AlertConfigError(f"unknown detector {detector!r}: use one of {', '.join(DETECTOR_SCOPES)}")
    if scope not in DETECTOR_SCOPES[detector]:
        raise AlertConfigError(f"{detector} works per {', '.join(DETECTOR_SCOPES[detector])}, not per {scope!r}")
    if not isinstance(values.get("params") or {}, dict):
        raise AlertConfigError("params must be a mapping")
    return {
        "name": str(values["name"]), "detector": detector, "scope_kind": scope, "params": values.get("params") or {},
        "channels": list(values.get("channels") or []), "cooldown_minutes": int(values.get("cooldown_minutes", 60)),
        "enabled": bool(values.get("enabled", True)), "origin": values.get("origin", "api"),
    }  # fmt: skip


def validate_channel(values: dict[str, Any], *, allow_private: bool) -> dict[str, Any]:
    kind = values.get("kind")
    if kind not in CHANNEL_KINDS:
        raise AlertConfigError(f"channel kind must be one of {', '.join(CHANNEL_KINDS)}")
    try:
        url = validate_channel_url(kind, str(values.get("url", "")), allow_private=allow_private)
    except ValueError as exc:
        raise AlertConfigError(str(exc)) from exc
    secret = values.get("secret")
    if kind == "webhook" and not secret:
        secret = generate_secret()
    elif secret:
        try:
            validate_secret(secret)
        except SignatureError as exc:
            raise AlertConfigError(str(exc)) from exc
    return {
        "name": str(values["name"]), "kind": kind, "url": url, "secret": secret,
        "enabled": bool(values.get("enabled", True)), "origin": values.get("origin", "api"),
    }  # fmt: skip


def validate_budget(values: dict[str, Any]) -> dict[str, Any]:
    scope = values.get("scope_kind", "project")
    if scope not in ("project", "team", "workflow", "customer"):
        raise AlertConfigError("budget scope must be project, team, workflow or customer")
    if scope != "project" and not values.get("scope_value"):
        raise AlertConfigError(f"a {scope} budget needs the {scope}'s name (scope_value)")
    if values.get("period", "month") not in PERIODS:
        raise AlertConfigError(f"period must be one of {', '.join(PERIODS)}")
    try:
        amount = Decimal(str(values["amount"]))
    except (KeyError, InvalidOperation) as exc:
        raise AlertConfigError("amount must be a decimal number") from exc
    if amount <= 0:
        raise AlertConfigError("amount must be positive")
    thresholds = sorted(int(t) for t in values.get("thresholds") or (50, 80, 100))
    if not thresholds or thresholds[0] <= 0:
        raise AlertConfigError("thresholds are percentages above 0")
    return {
        "name": str(values["name"]), "scope_kind": scope, "scope_value": values.get("scope_value"),
        "period": values.get("period", "month"), "amount": amount, "currency": values.get("currency", "USD"),
        "thresholds": thresholds, "channels": list(values.get("channels") or []), "origin": values.get("origin", "api"),
    }  # fmt: skip


def load_file(conn: Connection, text: str, project_ids: dict[str, int], *, allow_private: bool) -> dict[str, int]:
    """Apply a YAML alert configuration (channels, rules, budgets) for one or more projects."""
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise AlertConfigError(f"alert configuration is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise AlertConfigError("alert configuration must be a mapping with channels, rules and budgets")
    counts = {"channels": 0, "rules": 0, "budgets": 0}
    default_project = document.get("project", "default")
    for section, validate, upsert in (
        ("channels", lambda v: validate_channel(v, allow_private=allow_private), repository.upsert_channel),
        ("rules", validate_rule, repository.upsert_rule),
        ("budgets", validate_budget, repository.upsert_budget),
    ):
        for index, entry in enumerate(document.get(section) or [], start=1):
            if not isinstance(entry, dict) or "name" not in entry:
                raise AlertConfigError(f"{section} entry {index}: a mapping with a name is required")
            project = entry.pop("project", default_project)
            if project not in project_ids:
                raise AlertConfigError(f"{section} entry {index}: no project named {project!r}")
            if section == "rules" and "scope" in entry:
                entry["scope_kind"] = entry.pop("scope")
            if section == "budgets" and "scope" in entry:
                entry["scope_kind"] = entry.pop("scope")
                entry["scope_value"] = entry.pop("value", entry.get("scope_value"))
            try:
                values = validate({**entry, "origin": "file"})
            except AlertConfigError as exc:
                raise AlertConfigError(f"{section} entry {index} ({entry['name']}): {exc}") from exc
            upsert(conn, project_ids[project], values)
            counts[section] += 1
    return counts
