"""GET /api/v1/calls: stored LLM calls, newest first, with how each value was read."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from finops.api.auth import require_project
from finops.calls.repository import CallFilter, Cursor, list_calls
from finops.calls.schemas import CallOut, CallsPage
from finops.db.engine import session_scope

router = APIRouter(prefix="/api/v1", tags=["calls"])


@router.get("/calls", response_model=CallsPage, summary="List stored LLM calls of the key's project")
def get_calls(
    request: Request,
    project_id: int = Depends(require_project),
    trace_id: str | None = Query(None, description="32 hex characters", pattern="^[0-9a-fA-F]{32}$"),
    start: datetime | None = Query(None, alias="from", description="Calls starting at or after (ISO 8601)"),
    end: datetime | None = Query(None, alias="to", description="Calls starting before (ISO 8601)"),
    model: str | None = Query(None, description="Model as reported (response or request model)"),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
) -> CallsPage:
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, f"'{name}' needs a timezone, e.g. 2026-11-01T00:00:00Z")
    filters = CallFilter(project_id, trace_id.lower() if trace_id else None, start, end, model)
    with session_scope(request.app.state.database_url) as session:
        rows = list_calls(session, filters, limit + 1, _decode_cursor(cursor) if cursor else None)
        items = [CallOut.from_row(row) for row in rows[:limit]]
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return CallsPage(items=items, next_cursor=next_cursor)


def _encode_cursor(call: object) -> str:
    text = f"{call.start_time.isoformat()}|{call.trace_id}|{call.span_id}"  # type: ignore[attr-defined]
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_cursor(token: str) -> Cursor:
    try:
        start, trace_id, span_id = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        return Cursor(datetime.fromisoformat(start), trace_id, span_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "invalid cursor") from exc
