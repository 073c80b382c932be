"""/api/v1/reports: chargeback and FOCUS CSVs, the weekly review, stored reports, allocation rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from finops.api.auth import require_project
from finops.db.engine import get_engine
from finops.projects.repository import project_name
from finops.reports import repository, service
from finops.reports.allocation import AllocationError
from finops.reports.chargeback import ReportError, parse_group_by

router = APIRouter(prefix="/api/v1", tags=["reports"])


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise HTTPException(422, f"'{name}' needs a timezone, e.g. 2026-11-01T00:00:00Z")
    return value


def _csv(content: str, filename: str) -> Response:
    return Response(
        content, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/reports/chargeback.csv", summary="Chargeback CSV for a period and grouping, shared costs allocated")
def chargeback(
    request: Request,
    project_id: int = Depends(require_project),
    start: datetime = Query(..., alias="from"),
    end: datetime = Query(..., alias="to"),
    group_by: str = Query("team", description="Comma-separated: team, cost_center, customer, feature, ..."),
    store: bool = Query(False, description="Also keep it in the report list"),
) -> Response:
    try:
        groups = parse_group_by(group_by)
        with get_engine(request.app.state.database_url).begin() as conn:
            report = service.chargeback_report(conn, project_id, _aware(start, "from"), _aware(end, "to"), groups)
            if store:
                service.store(conn, project_id, report)
    except (ReportError, AllocationError) as exc:
        raise HTTPException(422, str(exc)) from exc
    return _csv(report.content, f"chargeback-{start:%Y%m%d}-{end:%Y%m%d}-{'-'.join(groups)}.csv")


@router.get("/reports/focus.csv", summary="FinOps FOCUS 1.2 cost and usage CSV")
def focus(
    request: Request,
    project_id: int = Depends(require_project),
    start: datetime = Query(..., alias="from"),
    end: datetime = Query(..., alias="to"),
) -> Response:
    # Streamed: rows are read from the database and written as the client takes them (the connection is held open
    # until then); the header is produced first, so bad arguments still fail before the response starts.
    chunks = service.open_focus_stream(
        request.app.state.database_url, project_id, None, _aware(start, "from"), _aware(end, "to")
    )
    return StreamingResponse(
        chunks,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="focus-{start:%Y%m%d}-{end:%Y%m%d}.csv"'},
    )


@router.get("/reports/weekly", response_class=HTMLResponse, summary="The weekly cost review (self-contained HTML)")
def weekly(
    request: Request,
    project_id: int = Depends(require_project),
    week: str = Query(..., description="ISO week, e.g. 2026-W47", pattern=r"^\d{4}-W\d{2}$"),
) -> HTMLResponse:
    with get_engine(request.app.state.database_url).connect() as conn:
        name = project_name(conn, project_id)
        try:
            report = service.weekly_report(conn, project_id, name, week)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
    return HTMLResponse(report.content)


@router.get("/reports", summary="Stored reports (scheduled and stored on demand)")
def list_reports(
    request: Request,
    project_id: int = Depends(require_project),
    kind: Literal["chargeback", "focus", "weekly"] | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    with get_engine(request.app.state.database_url).connect() as conn:
        return repository.list_reports(conn, project_id, kind, limit)


@router.get("/reports/{report_id}", summary="Download a stored report")
def get_report(report_id: int, request: Request, project_id: int = Depends(require_project)) -> Response:
    with get_engine(request.app.state.database_url).connect() as conn:
        found = repository.get_report(conn, project_id, report_id)
    if found is None:
        raise HTTPException(404, f"no report {report_id}")
    if found["content_type"] == "text/html":
        return HTMLResponse(found["content"])
    return PlainTextResponse(found["content"], media_type=found["content_type"])


class AllocationRuleIn(BaseModel):
    source: Literal["unattributed", "scope", "fixed"]
    selector_field: Literal["agent", "workflow", "service", "model", "provider", "team"] | None = None
    selector_value: str | None = None
    monthly_amount: Decimal | None = Field(default=None, ge=0)
    method: Literal["proportional", "even", "fixed"] = "proportional"
    percentages: dict[str, Decimal] = Field(default={}, description="Group value -> percent, for method fixed")


class MappingIn(BaseModel):
    source_field: Literal["service", "agent", "workflow"]
    source_value: str
    target_field: Literal["team", "cost_center", "feature", "customer"]
    target_value: str


@router.get("/allocation-rules", summary="How spend without an owner is split")
def list_allocation_rules(request: Request, project_id: int = Depends(require_project)) -> list[dict[str, Any]]:
    with get_engine(request.app.state.database_url).connect() as conn:
        return repository.allocation_rules(conn, project_id)


@router.put("/allocation-rules/{name}", summary="Create or replace an allocation rule")
def put_allocation_rule(
    name: str, body: AllocationRuleIn, request: Request, project_id: int = Depends(require_project)
) -> dict[str, Any]:
    if body.source == "scope" and not (body.selector_field and body.selector_value):
        raise HTTPException(422, "a scope rule needs selector_field and selector_value, e.g. agent = router")
    if body.source == "fixed" and body.monthly_amount is None:
        raise HTTPException(422, "a fixed rule needs monthly_amount")
    if body.method == "fixed" and sum(body.percentages.values()) != 100:
        raise HTTPException(422, "fixed percentages must add up to 100")
    values = {"name": name, **body.model_dump(), "percentages": {k: str(v) for k, v in body.percentages.items()}}
    with get_engine(request.app.state.database_url).begin() as conn:
        rule_id = repository.upsert_allocation_rule(conn, project_id, values)
    return {"id": rule_id, "name": name}


@router.put("/attribution-mappings", summary="Map calls lacking attribution, e.g. service checkout-api -> team")
def put_mapping(body: MappingIn, request: Request, project_id: int = Depends(require_project)) -> dict[str, Any]:
    with get_engine(request.app.state.database_url).begin() as conn:
        repository.upsert_mapping(conn, project_id, body.model_dump())
    return body.model_dump()
