"""Workflow runs assembled from spans, outcomes posted later, and the queues that keep them fresh."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Boolean, DateTime, Index, Integer, Numeric, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base

MONEY = Numeric(20, 10)


class DirtyTrace(Base):
    """A trace whose run must be (re)assembled: written by ingestion and recosting, consumed by the job."""

    __tablename__ = "workflow_dirty_traces"

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WorkflowTrace(Base):
    """Which run a trace belongs to: its own, or the one named by finops.workflow.id."""

    __tablename__ = "workflow_traces"
    __table_args__ = (Index("ix_workflow_traces_project_id_run_id", "project_id", "run_id"),)

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(Text)


class WorkflowOutcome(Base):
    """A business outcome posted through the API; beats every outcome read from spans."""

    __tablename__ = "workflow_outcomes"

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[str] = mapped_column(Text, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WorkflowRun(Base):
    __tablename__ = "workflow_runs"
    __table_args__ = (
        Index("ix_workflow_runs_project_id_started_at", "project_id", "started_at"),
        Index("ix_workflow_runs_project_id_name_started_at", "project_id", "name", "started_at"),
        Index("ix_workflow_runs_open", "project_id", "last_received_at", postgresql_where="status = 'open'"),
        # "top N costliest runs": an index walk in cost order that stops after N
        Index("ix_workflow_runs_project_id_cost_total", "project_id", text("cost_total DESC"), "run_id"),
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[str] = mapped_column(Text, primary_key=True)  # finops.workflow.id, else the trace id
    name: Mapped[str] = mapped_column(Text)
    name_source: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))  # open, closed
    outcome: Mapped[str] = mapped_column(String(8))  # success, failure, unknown
    outcome_source: Mapped[str] = mapped_column(String(32))  # api, attribute, root_status, none
    trace_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    root_seen: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    last_received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    llm_calls: Mapped[int] = mapped_column(Integer)
    unpriced_calls: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    retries: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    tool_calls: Mapped[int] = mapped_column(Integer)
    tool_output_chars: Mapped[int] = mapped_column(BigInteger)
    max_context_tokens: Mapped[int] = mapped_column(BigInteger)
    agents: Mapped[list[str]] = mapped_column(ARRAY(Text))
    models: Mapped[list[str]] = mapped_column(ARRAY(Text))

    input_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_read_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_1h_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    reasoning_tokens: Mapped[int] = mapped_column(BigInteger)
    cost_input: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_read: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_write: Mapped[Decimal] = mapped_column(MONEY)
    cost_cache_write_1h: Mapped[Decimal] = mapped_column(MONEY)
    cost_output: Mapped[Decimal] = mapped_column(MONEY)
    cost_reasoning: Mapped[Decimal] = mapped_column(MONEY)
    cost_request_fee: Mapped[Decimal] = mapped_column(MONEY)
    cost_total: Mapped[Decimal] = mapped_column(MONEY)

    team: Mapped[str | None] = mapped_column(Text)
    cost_center: Mapped[str | None] = mapped_column(Text)
    feature: Mapped[str | None] = mapped_column(Text)
    customer: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(Text)
    # field -> every distinct value the run's calls carried, when they disagreed
    attribution_conflicts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    assembled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
