"""Stored telemetry: resources, spans of GenAI traces, and one row per LLM call.

Every primary key starts with project_id so the tables can later be partitioned or sharded on it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from finops.db.base import Base

TRACE_ID_CHECK = "trace_id ~ '^[0-9a-f]{32}$'"
SPAN_ID_CHECK = "span_id ~ '^[0-9a-f]{16}$'"


class Resource(Base):
    """OTel resource attributes, stored once per distinct set per project."""

    __tablename__ = "resources"

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    resource_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Span(Base):
    """Every span of a trace with GenAI activity: the skeleton workflows are assembled from."""

    __tablename__ = "spans"
    __table_args__ = (
        CheckConstraint(TRACE_ID_CHECK, name="trace_id_hex"),
        CheckConstraint(SPAN_ID_CHECK, name="span_id_hex"),
        Index("ix_spans_project_id_start_time", "project_id", "start_time"),
        Index("ix_spans_received_at", "received_at", postgresql_using="brin"),
        # Finds the LLM children of a call at ingest, so nested instrumentations count a call once.
        Index(
            "ix_spans_llm_parent",
            "project_id",
            "trace_id",
            "parent_span_id",
            postgresql_where="kind = 'llm'",
        ),
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    span_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # finops SpanKind: llm, agent, tool, workflow, other
    otel_kind: Mapped[int] = mapped_column(SmallInteger)
    status_code: Mapped[int] = mapped_column(SmallInteger)
    status_message: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    service_name: Mapped[str | None] = mapped_column(Text)
    scope_name: Mapped[str | None] = mapped_column(Text)
    resource_hash: Mapped[int] = mapped_column(BigInteger)
    output_chars: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LlmCall(Base):
    """One model call with its tokens in exclusive buckets and its attribution."""

    __tablename__ = "llm_calls"
    __table_args__ = (
        CheckConstraint(
            "input_tokens >= 0 AND cache_read_tokens >= 0 AND cache_write_tokens >= 0"
            " AND cache_write_1h_tokens >= 0 AND output_tokens >= 0 AND reasoning_tokens >= 0",
            name="tokens_non_negative",
        ),
        Index("ix_llm_calls_project_id_start_time", "project_id", "start_time"),
        Index("ix_llm_calls_project_id_model_start_time", "project_id", "model", "start_time"),
        Index("ix_llm_calls_project_id_workflow_name_start_time", "project_id", "workflow_name", "start_time"),
        Index(
            "ix_llm_calls_project_id_workflow_id",
            "project_id",
            "workflow_id",
            postgresql_where="workflow_id IS NOT NULL",
        ),
        Index("ix_llm_calls_received_at", "received_at", postgresql_using="brin"),
        Index("ix_llm_calls_start_time", "start_time", postgresql_using="brin"),
        # Free space on every page lets recosting and assembly update rows in place (HOT updates):
        # none of the columns they change is indexed.
        {"postgresql_with": {"fillfactor": 90}},
    )

    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    span_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    provider: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    request_model: Mapped[str | None] = mapped_column(Text)
    response_model: Mapped[str | None] = mapped_column(Text)
    operation: Mapped[str | None] = mapped_column(Text)

    input_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_read_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_write_1h_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    reasoning_tokens: Mapped[int] = mapped_column(BigInteger)
    usage_raw: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sources: Mapped[dict[str, str]] = mapped_column(JSONB)
    dialect: Mapped[str] = mapped_column(String(32))
    reported_cost: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))

    max_tokens: Mapped[int | None] = mapped_column(BigInteger)
    finish_reasons: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    error_type: Mapped[str | None] = mapped_column(Text)
    is_batch: Mapped[bool] = mapped_column(Boolean)

    workflow_name: Mapped[str | None] = mapped_column(Text)
    workflow_id: Mapped[str | None] = mapped_column(Text)
    agent_name: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    cost_center: Mapped[str | None] = mapped_column(Text)
    feature: Mapped[str | None] = mapped_column(Text)
    customer: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(Text)
    environment: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(Text)

    # Our cost per bucket from the price version in force at start_time; all NULL when no price
    # matched (the call is "unpriced": never counted as zero).
    cost_input: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_cache_read: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_cache_write: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_cache_write_1h: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_output: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_reasoning: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_request_fee: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    cost_total: Mapped[Decimal | None] = mapped_column(Numeric(20, 10))
    currency: Mapped[str | None] = mapped_column(String(3))
    price_version_id: Mapped[int | None] = mapped_column(BigInteger)
    price_tier: Mapped[str | None] = mapped_column(String(16))  # standard or long_context
    # Set by workflow assembly: this call repeats an earlier one of the same step that failed.
    is_retry: Mapped[bool] = mapped_column(Boolean, server_default="false")

    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
