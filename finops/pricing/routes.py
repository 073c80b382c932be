"""/api/v1/prices: read with any project key; changes also need the admin token."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from finops.api.auth import require_project
from finops.db.engine import session_scope
from finops.pricing import repository, service
from finops.pricing.formats import CatalogFormatError
from finops.pricing.formats_csv import dump_csv_catalog
from finops.pricing.imports import parse_catalog
from finops.pricing.schemas import (
    ApplyOut,
    CostDifferenceOut,
    MissingModelOut,
    PriceVersionIn,
    PriceVersionOut,
    RecostIn,
)

router = APIRouter(prefix="/api/v1/prices", tags=["prices"])
ADMIN_HEADER = "x-finops-admin-token"


def require_admin(request: Request) -> None:
    configured = request.app.state.settings.admin_token
    presented = request.headers.get(ADMIN_HEADER, "")
    if not configured:
        raise HTTPException(403, "price changes through the API are disabled: set FINOPS_ADMIN_TOKEN")
    if not hmac.compare_digest(presented.encode(), configured.encode()):
        raise HTTPException(403, f"price changes need the admin token in the {ADMIN_HEADER} header")


@router.get("", response_model=list[PriceVersionOut], summary="Price versions (built-in and the project's)")
def list_prices(
    request: Request,
    project_id: int = Depends(require_project),
    model: str | None = Query(None, description="Canonical model name or alias"),
) -> list[PriceVersionOut]:
    with session_scope(request.app.state.database_url) as session:
        rows = repository.list_versions(session, project_id, model)
        return [PriceVersionOut.from_row(row) for row in rows]


@router.get("/resolve", summary="The price version a call would be priced with")
def resolve_price(
    request: Request,
    model: str,
    provider: str | None = None,
    at: datetime | None = Query(None, description="Call start time; default now"),
    project_id: int = Depends(require_project),
) -> dict[str, object]:
    moment = at or datetime.now(UTC)
    version = request.app.state.prices.book.lookup(project_id, provider, model, moment)
    if version is None:
        raise HTTPException(404, f"no price for model {model!r} at {moment.isoformat()}: calls stay unpriced")
    return {"price_version_id": version.id, "model": version.model, "provider": version.provider,
            "scope": "builtin" if version.project_id is None else "project"}  # fmt: skip


@router.get("/missing", response_model=list[MissingModelOut], summary="Models of unpriced calls")
def missing_prices(
    request: Request,
    project_id: int = Depends(require_project),
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
) -> list[MissingModelOut]:
    with session_scope(request.app.state.database_url) as session:
        found = repository.missing_models(session, project_id, start, end)
    return [MissingModelOut.model_validate(item, from_attributes=True) for item in found]


@router.get("/differences", response_model=list[CostDifferenceOut], summary="SDK-reported cost against ours, by model")
def cost_differences(request: Request, project_id: int = Depends(require_project)) -> list[CostDifferenceOut]:
    with session_scope(request.app.state.database_url) as session:
        found = repository.cost_differences(session, project_id)
    return [CostDifferenceOut.model_validate(item, from_attributes=True) for item in found]


@router.get("/export.csv", response_class=PlainTextResponse, summary="The catalog as CSV")
def export_prices(request: Request, project_id: int = Depends(require_project)) -> PlainTextResponse:
    with session_scope(request.app.state.database_url) as session:
        versions = [repository.to_version(row) for row in repository.list_versions(session, project_id)]
    return PlainTextResponse(dump_csv_catalog(versions), media_type="text/csv")


@router.post(
    "",
    response_model=ApplyOut,
    dependencies=[Depends(require_admin)],
    summary="Add or change a price version",
)
def set_price(body: PriceVersionIn, request: Request, project_id: int = Depends(require_project)) -> ApplyOut:
    version = body.to_version(None if body.builtin else project_id)
    with session_scope(request.app.state.database_url) as session:
        result = service.apply_versions(session, [version], origin="api")
    return ApplyOut(added=result.added, changed=result.changed, unchanged=result.unchanged,
                    recost_queued=result.touched > 0)  # fmt: skip


@router.post(
    "/import",
    response_model=ApplyOut,
    dependencies=[Depends(require_admin)],
    summary="Import a catalog: finops YAML, CSV, or LiteLLM's model_prices JSON (by content type)",
)
async def import_prices(
    request: Request,
    project_id: int = Depends(require_project),
    builtin: bool = Query(False, description="Load into the built-in catalog instead of the project's"),
    effective_from: datetime | None = Query(None, description="For LiteLLM files, which carry no dates"),
) -> ApplyOut:
    text = (await request.body()).decode("utf-8", errors="strict")
    try:
        parsed = parse_catalog(text, request.headers.get("content-type"), effective_from)
    except CatalogFormatError as exc:
        raise HTTPException(400, str(exc)) from exc
    with session_scope(request.app.state.database_url) as session:
        result = service.apply_versions(
            session, parsed.versions, origin=parsed.origin, project_id=None if builtin else project_id
        )
    return ApplyOut(added=result.added, changed=result.changed, unchanged=result.unchanged,
                    recost_queued=result.touched > 0, skipped=parsed.skipped[:100])  # fmt: skip


@router.post("/recost", status_code=202, dependencies=[Depends(require_admin)], summary="Queue a recost")
def queue_recost(body: RecostIn, request: Request, project_id: int = Depends(require_project)) -> dict[str, str]:
    with session_scope(request.app.state.database_url) as session:
        repository.enqueue_recost(
            session, project_id, body.start, body.end, [body.model] if body.model else None, "api request"
        )
    return {"status": "queued", "detail": "the recost job recomputes these calls within a minute"}
