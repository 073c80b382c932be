"""/api/v1/recommendations: what to change, with the evidence and the monthly dollars at stake."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from finops.api.auth import require_project
from finops.api.jsonsafe import decimals_as_text
from finops.db.engine import get_engine
from finops.recommendations import repository
from finops.recommendations.combine import total_savings
from finops.recommendations.service import as_recommendation, baselines

router = APIRouter(prefix="/api/v1", tags=["recommendations"])


class StatusIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


@router.get(
    "/recommendations", summary="Recommendations by estimated monthly savings, with a total that counts no dollar twice"
)
def list_recommendations(
    request: Request,
    project_id: int = Depends(require_project),
    status: Literal["open", "accepted", "dismissed", "resolved"] | None = "open",
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    from datetime import UTC, datetime

    with get_engine(request.app.state.database_url).connect() as conn:
        rows = repository.listing(conn, project_id, status, limit)
        total, breakdown = total_savings(
            [as_recommendation(r) for r in rows], baselines(conn, project_id, datetime.now(UTC))
        )
    return {
        "items": [decimals_as_text(r, drop=("project_id",)) for r in rows],
        "total_monthly_savings": str(total),
        "total_breakdown": breakdown,
    }


@router.get("/recommendations/{rec_id}", summary="One recommendation with its evidence")
def get_recommendation(rec_id: int, request: Request, project_id: int = Depends(require_project)) -> dict[str, Any]:
    with get_engine(request.app.state.database_url).connect() as conn:
        found = repository.get(conn, project_id, rec_id)
    if found is None:
        raise HTTPException(404, f"no recommendation {rec_id}")
    return decimals_as_text(found, drop=("project_id",))


@router.post("/recommendations/{rec_id}/{action}", summary="Accept or dismiss a recommendation")
def set_status(
    rec_id: int, action: Literal["accept", "dismiss"], body: StatusIn, request: Request,
    project_id: int = Depends(require_project),
) -> dict[str, Any]:  # fmt: skip
    status = "accepted" if action == "accept" else "dismissed"
    with get_engine(request.app.state.database_url).begin() as conn:
        if not repository.set_status(conn, project_id, rec_id, status, body.reason):
            raise HTTPException(404, f"no recommendation {rec_id}")
    return {"id": rec_id, "status": status}
