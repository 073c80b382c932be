"""Plain data shared by detectors, the alert lifecycle and the channels (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Scope:
    """What an alert is about: the whole project, or one workflow / agent / team / model / customer."""

    kind: str  # project, workflow, agent, team, model, customer
    value: str | None = None  # None for the project scope

    def label(self) -> str:
        return "project" if self.kind == "project" else f"{self.kind} {self.value}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A detector's verdict that something is wrong now, with the numbers that show it."""

    detector: str  # e.g. "cost_spike"
    scope: Scope
    severity: Severity
    title: str  # one line, e.g. "Cost spike: agent triager +180% in the last hour"
    observed: Decimal | float  # the value that triggered
    baseline: Decimal | float | None  # what it was compared with
    threshold: str  # the rule, readable: "+50% over the 4-week median for this hour of the week"
    hint: str  # what to look at first
    period_key: str  # dedup period, e.g. "2026-11-23T14" (hourly) or "2026-W47" or "2026-11"
    numbers: dict[str, Any] = field(default_factory=dict)  # everything else worth showing


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One notification about an alert, as channels render it."""

    notification_id: str  # stable across retries: receivers dedupe on it
    alert_id: int
    event: str  # firing or resolved
    project: str
    detector: str
    scope: Scope
    severity: Severity
    title: str
    observed: str
    baseline: str | None
    threshold: str
    hint: str
    numbers: dict[str, Any]
    fired_at: datetime
    link: str | None = None  # the alert in the finops UI/API
