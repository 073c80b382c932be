"""/api/v1/alerts, alert channels, rules, silences and budgets (project key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from finops.alerts import config, repository
from finops.api.auth import require_project
from finops.api.jsonsafe import decimals_as_text
from finops.db.engine import get_engine

router = APIRouter(prefix="/api/v1", tags=["alerts"])


def _masked(channel: dict[str, Any]) -> dict[str, Any]:
    out = decimals_as_text(channel)
    out["secret"] = "whsec_…" if channel.get("secret") else None  # shown once, at creation
    return out


class AckIn(BaseModel):
    by: str | None = Field(default=None, max_length=200, description="Who acknowledges")


class SilenceIn(BaseModel):
    rule: str | None = Field(default=None, description="Rule name; null: every rule")
    scope_kind: str | None = None
    scope_value: str | None = None
    minutes: int = Field(default=60, ge=1, le=60 * 24 * 90)
    reason: str | None = None


class ChannelIn(BaseModel):
    kind: Literal["slack", "webhook"]
    url: str
    secret: str | None = Field(default=None, description="whsec_... ; generated for webhooks when omitted")
    enabled: bool = True


class RuleIn(BaseModel):
    detector: str
    scope_kind: str = "project"
    params: dict[str, Any] = {}
    channels: list[str] = []
    cooldown_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    enabled: bool = True


class BudgetIn(BaseModel):
    scope_kind: Literal["project", "team", "workflow", "customer"] = "project"
    scope_value: str | None = None
    period: Literal["day", "week", "month"] = "month"
    amount: Decimal = Field(gt=0)
    currency: str = "USD"
    thresholds: list[int] = [50, 80, 100]
    channels: list[str] = []


def _engine(request: Request):
    return get_engine(request.app.state.database_url)


@router.get("/alerts", summary="Alert history, newest first")
def list_alerts(
    request: Request,
    project_id: int = Depends(require_project),
    status: Literal["firing", "resolved"] | None = None,
    since: datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    with _engine(request).connect() as conn:
        return [decimals_as_text(a) for a in repository.list_alerts(conn, project_id, status, since, limit)]


@router.get("/alerts/{alert_id}", summary="One alert with its numbers, baseline and hint")
def get_alert(alert_id: int, request: Request, project_id: int = Depends(require_project)) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        alert = repository.get_alert(conn, project_id, alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return decimals_as_text(alert)


@router.post("/alerts/{alert_id}/ack", summary="Acknowledge an alert")
def acknowledge(
    alert_id: int, body: AckIn, request: Request, project_id: int = Depends(require_project)
) -> dict[str, Any]:
    with _engine(request).begin() as conn:
        if not repository.acknowledge(conn, project_id, alert_id, body.by, datetime.now(UTC)):
            raise HTTPException(404, f"no alert {alert_id}")
    return {"id": alert_id, "acknowledged": True}


@router.post("/alerts/silences", status_code=201, summary="Mute notifications for a rule and/or scope")
def silence(body: SilenceIn, request: Request, project_id: int = Depends(require_project)) -> dict[str, Any]:
    until = datetime.now(UTC) + timedelta(minutes=body.minutes)
    values = body.model_dump(exclude={"minutes"}) | {"until": until}
    with _engine(request).begin() as conn:
        silence_id = repository.add_silence(conn, project_id, values)
    return {"id": silence_id, "until": until}


@router.get("/alert-channels", summary="Alert channels (secrets masked)")
def list_channels(request: Request, project_id: int = Depends(require_project)) -> list[dict[str, Any]]:
    with _engine(request).connect() as conn:
        return [_masked(c) for c in repository.channels(conn, project_id, enabled_only=False)]


@router.put("/alert-channels/{name}", summary="Create or replace a channel; a webhook's secret is shown once")
def put_channel(name: str, body: ChannelIn, request: Request, project_id: int = Depends(require_project)) -> dict:
    allow_private = request.app.state.settings.alerts_allow_private_urls
    try:
        values = config.validate_channel({"name": name, **body.model_dump()}, allow_private=allow_private)
    except config.AlertConfigError as exc:
        raise HTTPException(422, str(exc)) from exc
    with _engine(request).begin() as conn:
        channel_id = repository.upsert_channel(conn, project_id, values)
    return {"id": channel_id, "name": name, "kind": values["kind"], "secret": values["secret"]}


@router.delete("/alert-channels/{name}", status_code=204, summary="Remove a channel")
def delete_channel(name: str, request: Request, project_id: int = Depends(require_project)) -> None:
    with _engine(request).begin() as conn:
        if not repository.delete_channel(conn, project_id, name):
            raise HTTPException(404, f"no channel {name!r}")


@router.get("/alert-rules", summary="Effective rules: defaults and the project's own")
def list_rules(request: Request, project_id: int = Depends(require_project)) -> list[dict[str, Any]]:
    with _engine(request).connect() as conn:
        rules = config.effective_rules(conn, project_id)
    return [
        {"name": r.name, "detector": r.detector, "scope_kind": r.scope_kind, "params": r.params,
         "channels": list(r.channels), "cooldown_minutes": int(r.cooldown.total_seconds() // 60)}
        for r in rules
    ]  # fmt: skip


@router.put("/alert-rules/{name}", summary="Create or replace a rule (same name as a default overrides it)")
def put_rule(name: str, body: RuleIn, request: Request, project_id: int = Depends(require_project)) -> dict:
    try:
        values = config.validate_rule({"name": name, **body.model_dump()})
    except config.AlertConfigError as exc:
        raise HTTPException(422, str(exc)) from exc
    with _engine(request).begin() as conn:
        rule_id = repository.upsert_rule(conn, project_id, values)
    return {"id": rule_id, **values}


@router.get("/budgets", summary="Budgets")
def list_budgets(request: Request, project_id: int = Depends(require_project)) -> list[dict[str, Any]]:
    with _engine(request).connect() as conn:
        return [decimals_as_text(b) for b in repository.budgets(conn, project_id)]


@router.put("/budgets/{name}", summary="Create or replace a budget")
def put_budget(name: str, body: BudgetIn, request: Request, project_id: int = Depends(require_project)) -> dict:
    try:
        values = config.validate_budget({"name": name, **body.model_dump()})
    except config.AlertConfigError as exc:
        raise HTTPException(422, str(exc)) from exc
    with _engine(request).begin() as conn:
        budget_id = repository.upsert_budget(conn, project_id, values)
    return decimals_as_text({"id": budget_id, **values})
