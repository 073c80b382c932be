"""Alert rules, channels, budgets, alerts and the notification outbox."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    DateTime,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base


class AlertChannel(Base):
    """Where alerts go: a Slack incoming webhook or a signed generic webhook."""

    __tablename__ = "alert_channels"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # slack, webhook
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)  # webhook signing secret (whsec_...)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")
    origin: Mapped[str] = mapped_column(String(16), server_default="api")  # api, cli, file
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlertRule(Base):
    """A detector switched on for a scope kind, with its parameters and channels."""

    __tablename__ = "alert_rules"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    detector: Mapped[str] = mapped_column(String(64))
    scope_kind: Mapped[str] = mapped_column(String(16))  # project, workflow, agent, team, model
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    channels: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")  # channel names; empty: all
    cooldown_minutes: Mapped[int] = mapped_column(Integer, server_default="60")
    enabled: Mapped[bool] = mapped_column(Boolean, server_default="true")
    origin: Mapped[str] = mapped_column(String(16), server_default="api")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BudgetRow(Base):
    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16))  # project, team, workflow, customer
    scope_value: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(8))  # day, week, month
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    currency: Mapped[str] = mapped_column(String(3), server_default="USD")
    thresholds: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{50,80,100}")
    channels: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    origin: Mapped[str] = mapped_column(String(16), server_default="api")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Alert(Base):
    """One alert: fires once per (rule, scope, period), resolves when its condition clears."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("project_id", "dedup_key"),
        Index("ix_alerts_project_id_status_last_fired_at", "project_id", "status", "last_fired_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    dedup_key: Mapped[str] = mapped_column(Text)  # rule:scope_kind:scope_value:period
    rule: Mapped[str] = mapped_column(String(100))
    detector: Mapped[str] = mapped_column(String(64))
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(Text)
    period_key: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # firing, resolved
    title: Mapped[str] = mapped_column(Text)
    observed: Mapped[str] = mapped_column(Text)
    baseline: Mapped[str | None] = mapped_column(Text)
    threshold: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text)
    numbers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    channels: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    first_fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(Text)
    silenced_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Silence(Base):
    """Mutes notifications for a rule and/or scope until a time (alerts are still recorded)."""

    __tablename__ = "alert_silences"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    rule: Mapped[str | None] = mapped_column(String(100))
    scope_kind: Mapped[str | None] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(Text)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Notification(Base):
    """The outbox: written with the alert, sent by the delivery job, retried until delivered or expired."""

    __tablename__ = "alert_notifications"
    __table_args__ = (Index("ix_alert_notifications_due", "next_attempt_at", postgresql_where="status = 'pending'"),)

    id: Mapped[str] = mapped_column(UUID(as_uuid=False), primary_key=True)  # the webhook-id receivers dedupe on
    project_id: Mapped[int] = mapped_column(BigInteger)
    alert_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    event: Mapped[str] = mapped_column(String(16))  # firing, resolved
    status: Mapped[str] = mapped_column(String(16))  # pending, sending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
