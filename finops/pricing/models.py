"""Stored price versions, the catalog revision counter and recost run records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base

PRICE = Numeric(20, 10)


class PriceVersionRow(Base):
    """One model's prices per 1M tokens from effective_from (until effective_to, exclusive)."""

    __tablename__ = "price_versions"
    __table_args__ = (
        # NULLS NOT DISTINCT: a built-in (project NULL) or generic (provider NULL) entry is unique too.
        UniqueConstraint("project_id", "provider", "model", "effective_from", postgresql_nulls_not_distinct=True),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="effective_window"),
        CheckConstraint(
            "input >= 0 AND output >= 0 AND coalesce(cache_read, 0) >= 0 AND coalesce(cache_write, 0) >= 0"
            " AND coalesce(cache_write_1h, 0) >= 0 AND coalesce(reasoning, 0) >= 0",
            name="prices_non_negative",
        ),
        CheckConstraint("batch_discount IS NULL OR batch_discount BETWEEN 0 AND 1", name="batch_discount_fraction"),
        Index("ix_price_versions_model", "model"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int | None] = mapped_column(BigInteger)  # NULL: built-in catalog
    provider: Mapped[str | None] = mapped_column(Text)  # NULL: any host
    model: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    patterns: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    tier: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), server_default="chat")
    currency: Mapped[str] = mapped_column(String(3), server_default="USD")

    input: Mapped[Decimal] = mapped_column(PRICE)
    cache_read: Mapped[Decimal | None] = mapped_column(PRICE)
    cache_write: Mapped[Decimal | None] = mapped_column(PRICE)
    cache_write_1h: Mapped[Decimal | None] = mapped_column(PRICE)
    output: Mapped[Decimal] = mapped_column(PRICE)
    reasoning: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_threshold: Mapped[int | None] = mapped_column(BigInteger)
    long_context_input: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_cache_read: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_cache_write: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_cache_write_1h: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_output: Mapped[Decimal | None] = mapped_column(PRICE)
    long_context_reasoning: Mapped[Decimal | None] = mapped_column(PRICE)
    batch_discount: Mapped[Decimal | None] = mapped_column(Numeric(6, 5))
    request_fee: Mapped[Decimal | None] = mapped_column(PRICE)
    open_weight: Mapped[bool] = mapped_column(Boolean, server_default="false")

    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(32))  # shipped, file, litellm, csv, api, cli
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PricingRevision(Base):
    """A single counter bumped with every catalog change, so each process knows to reload."""

    __tablename__ = "pricing_revision"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecostRequest(Base):
    """A window of calls whose cost must be recomputed because a price changed there."""

    __tablename__ = "recost_requests"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    project_id: Mapped[int | None] = mapped_column(BigInteger)  # NULL: every project
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    models: Mapped[list[str] | None] = mapped_column(ARRAY(Text))  # NULL: every model
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(BigInteger)


class RecostRun(Base):
    """What one recost pass examined and changed."""

    __tablename__ = "recost_runs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # running, succeeded, failed
    trigger: Mapped[str] = mapped_column(Text)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    models: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    calls_examined: Mapped[int] = mapped_column(BigInteger, server_default="0")
    calls_changed: Mapped[int] = mapped_column(BigInteger, server_default="0")
    cost_before: Mapped[Decimal | None] = mapped_column(Numeric(24, 10))
    cost_after: Mapped[Decimal | None] = mapped_column(Numeric(24, 10))
    # per model: {"gpt-4o": {"changed": 12, "before": "1.2", "after": "1.5"}}
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
