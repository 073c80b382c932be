"""Rollup tables: what dashboards, metrics, alerts and reports read instead of raw calls.

Each is rebuilt per (project, day) from raw rows whenever that day is marked dirty, so late data
re-rolls only its own days and re-running is harmless. Dimension columns may be NULL (unattributed).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, Index, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base

MONEY = Numeric(24, 10)


class DirtyDay(Base):
    """A (project, UTC day) whose rollups must be rebuilt."""

    __tablename__ = "rollup_dirty_days"

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class _CallMeasures:
    calls: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)
    retries: Mapped[int] = mapped_column(BigInteger)
    batch_calls: Mapped[int] = mapped_column(BigInteger)
    unpriced_calls: Mapped[int] = mapped_column(BigInteger)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_read_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_1h_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    reasoning_tokens: Mapped[int] = mapped_column(BigInteger)
    max_prompt_tokens: Mapped[int] = mapped_column(BigInteger)
    cost_input: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_read: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_write: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_write_1h: Mapped[Decimal] = mapped_column(MONEY)
    cost_output: Mapped[Decimal] = mapped_column(MONEY)
    cost_reasoning: Mapped[Decimal] = mapped_column(MONEY)
    cost_request_fee: Mapped[Decimal] = mapped_column(MONEY)
    cost_total: Mapped[Decimal] = mapped_column(MONEY)
    reported_cost: Mapped[Decimal | None] = mapped_column(MONEY)


class RollupCallsDaily(_CallMeasures, Base):
    """LLM calls per UTC day and every attribution dimension."""

    __tablename__ = "rollup_calls_daily"
    __table_args__ = (Index("ix_rollup_calls_daily_project_id_day", "project_id", "day"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    provider: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    model_tier: Mapped[str | None] = mapped_column(String(16))
    agent_name: Mapped[str | None] = mapped_column(Text)
    workflow_name: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    cost_center: Mapped[str | None] = mapped_column(Text)
    feature: Mapped[str | None] = mapped_column(Text)
    customer: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(Text)


class RollupCallsHourly(_CallMeasures, Base):
    """LLM calls per UTC hour with the dimensions near-real-time alerting needs."""

    __tablename__ = "rollup_calls_hourly"
    __table_args__ = (Index("ix_rollup_calls_hourly_project_id_hour", "project_id", "hour"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    model_tier: Mapped[str | None] = mapped_column(String(16))
    agent_name: Mapped[str | None] = mapped_column(Text)
    workflow_name: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)


class RollupWorkflowsDaily(Base):
    """Workflow runs per UTC day of their start, with run-level attribution."""

    __tablename__ = "rollup_workflows_daily"
    __table_args__ = (Index("ix_rollup_workflows_daily_project_id_day", "project_id", "day"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    workflow_name: Mapped[str] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    cost_center: Mapped[str | None] = mapped_column(Text)
    feature: Mapped[str | None] = mapped_column(Text)
    customer: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(BigInteger)
    successful_runs: Mapped[int] = mapped_column(BigInteger)
    failed_runs: Mapped[int] = mapped_column(BigInteger)
    unknown_runs: Mapped[int] = mapped_column(BigInteger)
    open_runs: Mapped[int] = mapped_column(BigInteger)
    llm_calls: Mapped[int] = mapped_column(BigInteger)
    steps: Mapped[int] = mapped_column(BigInteger)
    retries: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)
    tool_calls: Mapped[int] = mapped_column(BigInteger)
    tool_output_chars: Mapped[int] = mapped_column(BigInteger)
    total_tokens: Mapped[int] = mapped_column(BigInteger)
    max_context_tokens: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    unpriced_calls: Mapped[int] = mapped_column(BigInteger)
    cost_total: Mapped[Decimal] = mapped_column(MONEY)
    successful_cost: Mapped[Decimal] = mapped_column(MONEY)
