"""Stored reports, shared-cost allocation rules and attribution mapping rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base


class StoredReport(Base):
    """A generated report; a scheduled job regenerating the same one replaces it (idempotent)."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "period_start", "variant"),
        Index("ix_reports_project_id_created_at", "project_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # chargeback, focus, weekly
    variant: Mapped[str] = mapped_column(Text, server_default="")  # e.g. the chargeback's group_by
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AllocationRule(Base):
    """Spend without an owner and how to split it: unattributed calls, a shared scope, a fixed bill."""

    __tablename__ = "allocation_rules"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16))  # unattributed, scope, fixed
    selector_field: Mapped[str | None] = mapped_column(String(32))  # scope: agent, workflow, service, model
    selector_value: Mapped[str | None] = mapped_column(Text)
    monthly_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))  # fixed: per calendar month
    method: Mapped[str] = mapped_column(String(16), server_default="proportional")
    percentages: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")  # group value -> percent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AttributionMapping(Base):
    """Give calls that lack an attribution one from another field, e.g. service.name -> team."""

    __tablename__ = "attribution_mappings"
    __table_args__ = (UniqueConstraint("project_id", "source_field", "source_value", "target_field"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    source_field: Mapped[str] = mapped_column(String(32))  # service, agent, workflow, environment
    source_value: Mapped[str] = mapped_column(Text)
    target_field: Mapped[str] = mapped_column(String(32))  # team, cost_center, feature, customer
    target_value: Mapped[str] = mapped_column(Text)
