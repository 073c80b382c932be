"""Recommendations and their lifecycle (open, accepted, dismissed, resolved)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, BigInteger, DateTime, Identity, Index, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        Index("ix_recommendations_project_id_status", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(Text)  # rule:scope_kind:scope_value
    rule: Mapped[str] = mapped_column(String(64))
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    monthly_savings: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    confidence: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONB)
    example_trace_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    risk: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16))  # open, accepted, dismissed, resolved
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
