"""/api/v1/workflows and /api/v1/metrics: runs, one run's call tree, outcomes, metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from finops.api.auth import require_project
from finops.api.jsonsafe import decimals_as_text
from finops.db.engine import get_engine
from finops.workflows import queries, service
from finops.workflows.metrics import GRANULARITIES, MetricsQuery, MetricsQueryError, metrics

router = APIRouter(prefix="/api/v1", tags=["workflows"])


class OutcomeIn(BaseModel):
    outcome: Literal["success", "failure", "unknown"]
    detail: str | None = Field(default=None, max_length=2000, description="Why, e.g. 'ticket resolved'")


class OutcomeOut(BaseModel):
    run_id: str
    outcome: str
    applied: bool = Field(description="False: recorded, applied when the run's spans arrive")


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise HTTPException(422, f"'{name}' needs a timezone, e.g. 2026-11-01T00:00:00Z")
    return value


@router.get("/workflows", summary="Workflow runs, newest first (or costliest with sort=cost)")
def list_runs(
    request: Request,
    project_id: int = Depends(require_project),
    name: str | None = Query(None, description="Workflow name"),
    outcome: Literal["success", "failure", "unknown"] | None = None,
    status: Literal["open", "closed"] | None = None,
    team: str | None = None,
    customer: str | None = None,
    start: datetime | None = Query(None, alias="from"),
    end: datetime | None = Query(None, alias="to"),
    sort: Literal["started_at", "cost"] = "started_at",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
) -> dict[str, Any]:
    filters = queries.RunFilter(
        project_id, name, outcome, status, team, customer, _aware(start, "from"), _aware(end, "to")
    )
    with get_engine(request.app.state.database_url).connect() as conn:
        runs = queries.list_runs(conn, filters, sort, limit + 1, offset)
    return {"items": runs[:limit], "next_offset": offset + limit if len(runs) > limit else None}


@router.get("/workflows/{run_id}", summary="One run: facts, cost breakdown and its call tree")
def get_run(run_id: str, request: Request, project_id: int = Depends(require_project)) -> dict[str, Any]:
    with get_engine(request.app.state.database_url).connect() as conn:
        run = queries.get_run(conn, project_id, run_id)
        if run is None:
            raise HTTPException(404, f"no workflow run {run_id!r}")
        run["tree"] = queries.span_tree(conn, project_id, run["trace_ids"])
        run["cost_by_model"] = queries.cost_by(conn, project_id, run["trace_ids"], "model")
        run["cost_by_agent"] = queries.cost_by(conn, project_id, run["trace_ids"], "agent_name")
    return run


@router.post(
    "/workflows/{run_id}/outcome",
    response_model=OutcomeOut,
    summary="Set a run's business outcome (beats span attributes and status)",
)
def set_outcome(
    run_id: str, body: OutcomeIn, request: Request, project_id: int = Depends(require_project)
) -> OutcomeOut:
    idle = timedelta(seconds=request.app.state.settings.workflow_idle_seconds)
    with get_engine(request.app.state.database_url).begin() as conn:
        applied = service.post_outcome(conn, project_id, run_id, body.outcome, body.detail, idle)
    return OutcomeOut(run_id=run_id, outcome=body.outcome, applied=applied)


@router.get("/metrics", summary="Metrics by period and any dimensions, from the rollups")
def get_metrics(
    request: Request,
    project_id: int = Depends(require_project),
    start: datetime = Query(..., alias="from", description="ISO 8601 with timezone"),
    end: datetime | None = Query(None, alias="to", description="Default: now"),
    granularity: str = Query("day", description=f"One of {', '.join(GRANULARITIES)}"),
    group_by: str = Query("", description="Comma-separated: workflow, agent, team, model, provider, ..."),
    workflow: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    cost_center: str | None = None,
    customer: str | None = None,
    feature: str | None = None,
    environment: str | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    given = {
        "workflow": workflow, "agent": agent, "team": team, "cost_center": cost_center, "customer": customer,
        "feature": feature, "environment": environment, "provider": provider, "model": model,
    }  # fmt: skip
    query = MetricsQuery(
        project_id=project_id,
        start=_aware(start, "from"),  # type: ignore[arg-type]
        end=_aware(end, "to") or datetime.now(UTC),
        granularity=granularity,
        group_by=tuple(part.strip() for part in group_by.split(",") if part.strip()),
        filters={name: value for name, value in given.items() if value is not None},
    )
    try:
        with get_engine(request.app.state.database_url).connect() as conn:
            rows = metrics(conn, query)
    except MetricsQueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "granularity": granularity,
        "group_by": list(query.group_by),
        "rows": [_json_row(r) for r in rows],
    }


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    out = decimals_as_text(row)
    if out.get("period") is not None:
        out["period"] = out["period"].isoformat()
    return out
