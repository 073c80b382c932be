"""Queries over stored LLM calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from finops.ingest.models import LlmCall


@dataclass(frozen=True, slots=True)
class CallFilter:
    project_id: int
    trace_id: str | None = None
    start: datetime | None = None  # inclusive, on the call's start time
    end: datetime | None = None  # exclusive
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset position: the last call of the previous page (newest first)."""

    start_time: datetime
    trace_id: str
    span_id: str


def list_calls(session: Session, filters: CallFilter, limit: int, after: Cursor | None = None) -> list[LlmCall]:
    query: Select[tuple[LlmCall]] = select(LlmCall).where(LlmCall.project_id == filters.project_id)
    if filters.trace_id:
        query = query.where(LlmCall.trace_id == filters.trace_id)
    if filters.start:
        query = query.where(LlmCall.start_time >= filters.start)
    if filters.end:
        query = query.where(LlmCall.start_time < filters.end)
    if filters.model:
        query = query.where(or_(LlmCall.model == filters.model, LlmCall.request_model == filters.model))
    if after is not None:
        query = query.where(
            or_(
                LlmCall.start_time < after.start_time,
                and_(
                    LlmCall.start_time == after.start_time,
                    or_(
                        LlmCall.trace_id < after.trace_id,
                        and_(LlmCall.trace_id == after.trace_id, LlmCall.span_id < after.span_id),
                    ),
                ),
            )
        )
    query = query.order_by(LlmCall.start_time.desc(), LlmCall.trace_id.desc(), LlmCall.span_id.desc())
    return list(session.scalars(query.limit(limit)))


def latest_received(session: Session, project_id: int, limit: int, since: datetime | None = None) -> list[LlmCall]:
    """Calls in arrival order (newest last); with `since`, only those received at or after it."""
    query = select(LlmCall).where(LlmCall.project_id == project_id)
    if since is not None:
        query = query.where(LlmCall.received_at >= since).order_by(LlmCall.received_at.asc())
        return list(session.scalars(query.limit(limit)))
    query = query.order_by(LlmCall.received_at.desc(), LlmCall.start_time.desc()).limit(limit)
    return list(reversed(list(session.scalars(query))))
