"""Server-rendered pages: /login, /logout and /ui/... (overview, workflows, alerts, recommendations, reports).

Thin like the API routes: they read with the domain repositories and query functions and render Jinja
templates. Pages need a session cookie (see `finops.web.auth`); forms that change something carry a
CSRF token. No JavaScript; CSS is inline in the base template and charts are inline SVG.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool

from finops.alerts import repository as alerts_repository
from finops.api.auth import ProjectAuthenticator
from finops.db.engine import get_engine
from finops.errors import AuthError
from finops.projects.keys import hash_key
from finops.recommendations import repository as recommendations_repository
from finops.recommendations.combine import total_savings
from finops.recommendations.service import as_recommendation, baselines
from finops.reports import repository as reports_repository
from finops.reports import service as reports_service
from finops.reports.allocation import AllocationError
from finops.reports.chargeback import ReportError, parse_group_by
from finops.web import auth, queries
from finops.web.auth import WebSession, require_session
from finops.web.charts import daily_spend_svg
from finops.web.formatting import FILTERS
from finops.workflows import queries as workflow_queries
from finops.workflows.metrics import MetricsQuery, metrics

router = APIRouter(include_in_schema=False)

TEMPLATES = Path(__file__).parent / "templates"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PERIODS = {
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "mtd": ("Month to date", 0),
}
OUTCOMES = ("success", "failure", "unknown")
RUN_STATUSES = ("open", "closed")
ALERT_STATUSES = ("firing", "resolved")
REC_STATUSES = ("open", "accepted", "dismissed", "resolved")
PAGE_SIZE = 25
MAX_FORM_BYTES = 64 * 1024
GROUPINGS = (
    "team", "cost_center", "customer", "feature", "workflow", "agent", "model", "provider", "environment",
    "service", "project", "team,customer", "team,model",
)  # fmt: skip
WEEK = re.compile(r"^\d{4}-W\d{2}$")
BUCKETS = (
    ("Uncached input", "input_tokens", "cost_input"),
    ("Cache read", "cache_read_tokens", "cost_cache_read"),
    ("Cache write (5 min)", "cache_write_tokens", "cost_cache_write"),
    ("Cache write (1 h)", "cache_write_1h_tokens", "cost_cache_write_1h"),
    ("Output", "output_tokens", "cost_output"),
    ("Reasoning", "reasoning_tokens", "cost_reasoning"),
    ("Request fees", None, "cost_request_fee"),
)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(FILTERS)
    return environment


_templates = _environment()


def render(
    request: Request, name: str, session: WebSession | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = _templates.get_template(name).render(request=request, session=session, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _engine(request: Request):
    return get_engine(request.app.state.database_url)


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "form too large")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _choice(value: str | None, allowed: tuple[str, ...] | dict[str, Any]) -> str | None:
    return value if value in allowed else None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _zero(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


# ------------------------------------------------------------------------------------------ sign in


@router.get("/")
@router.get("/ui")
@router.get("/ui/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/overview", status_code=303)


def _login_page(
    request: Request, next_url: str, error: str | None = None, status: int = 200, project: str = ""
) -> HTMLResponse:
    token = auth.new_login_token()
    admin_enabled = bool(request.app.state.settings.admin_token)
    response = render(
        request, "login.html.j2", None, status_code=status, error=error, next_url=next_url, login_token=token,
        admin_enabled=admin_enabled, project=project,
    )  # fmt: skip
    auth.set_login_token(request, response, token)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    next_url = auth.safe_next(next)
    if auth.read_session(request) is not None:
        return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    next_url = auth.safe_next(form.get("next"))
    project = form.get("project", "").strip()
    if not auth.login_token_ok(request, form.get("login_token")):
        return _login_page(request, next_url, "The sign-in form expired. Please try again.", 400, project)
    secret = form.get("key", "").strip()
    if not secret:
        return _login_page(request, next_url, "Enter a project API key.", 400, project)
    if auth.is_admin_token(request, secret):
        if not project:
            return _login_page(request, next_url, "With the admin token, also name the project to view.", 400)
        project_id = await run_in_threadpool(auth.project_id_named, request, project)
        if project_id is None:
            return _login_page(request, next_url, f"There is no project named {project!r}.", 400, project)
        credential = auth.ADMIN
    else:
        authenticator: ProjectAuthenticator = request.app.state.authenticator
        try:
            project_id = await authenticator.project_id(secret)
        except AuthError:
            return _login_page(request, next_url, "That API key is not valid.", 401, project)
        key_id = await run_in_threadpool(auth.key_id_for, request, hash_key(secret))
        if key_id is None:
            return _login_page(request, next_url, "That API key is not valid.", 401, project)
        credential = f"key:{key_id}"
    response = RedirectResponse(next_url, status_code=303)
    await run_in_threadpool(auth.issue_session, request, response, project_id, credential)
    response.delete_cookie(auth.LOGIN_COOKIE, path="/login")
    return response


@router.get("/logout")
def logout_link() -> Response:
    response = RedirectResponse("/login", status_code=303)
    auth.clear_session(response)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    session = await run_in_threadpool(auth.read_session, request)
    if session is not None:
        auth.check_csrf(session, form.get("csrf"))
    response = RedirectResponse("/login", status_code=303)
    auth.clear_session(response)
    return response


# ------------------------------------------------------------------------------------------ overview


def _period_bounds(key: str, now: datetime) -> tuple[datetime, datetime, datetime]:
    """(start, end, previous start): whole UTC days up to now; the previous period has the same length."""
    today = datetime.combine(now.date(), time(0), UTC)
    start = today.replace(day=1) if key == "mtd" else today - timedelta(days=PERIODS[key][1] - 1)
    length = today + timedelta(days=1) - start
    return start, now, start - length


SUMMED = (
    "cost", "calls", "errors", "prompt_tokens", "cache_read_tokens", "total_tokens", "runs", "successful_runs",
    "failed_runs", "workflow_cost", "unpriced_calls",
)  # fmt: skip


def _finish(bucket: dict[str, Any]) -> dict[str, Any]:
    bucket["cost_per_success"] = (
        bucket["workflow_cost"] / bucket["successful_runs"] if bucket["successful_runs"] else None
    )
    bucket["success_rate"] = bucket["successful_runs"] / bucket["runs"] if bucket["runs"] else None
    bucket["cache_hit_rate"] = (
        bucket["cache_read_tokens"] / bucket["prompt_tokens"] if bucket["prompt_tokens"] else None
    )
    return bucket


def _aggregate(rows: list[dict[str, Any]], dimension: str | None = None) -> dict[Any, dict[str, Any]]:
    """Sum metric rows (several periods) per value of `dimension`, then derive the rates."""
    totals: dict[Any, dict[str, Any]] = {}
    for row in rows:
        bucket = totals.setdefault(row.get(dimension) if dimension else None, dict.fromkeys(SUMMED, Decimal(0)))
        for name in SUMMED:
            bucket[name] += _zero(row.get(name))
    return {key: _finish(bucket) for key, bucket in totals.items()}


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return _aggregate(rows).get(None) or _finish(dict.fromkeys(SUMMED, Decimal(0)))


def _top(conn: Any, project_id: int, start: datetime, end: datetime, dimension: str) -> list[dict[str, Any]]:
    rows = metrics(conn, MetricsQuery(project_id, start, end, "month", (dimension,)))
    groups = _aggregate(rows, dimension)
    total = sum((g["cost"] for g in groups.values()), Decimal(0))
    ranked = sorted(groups.items(), key=lambda item: (-item[1]["cost"], str(item[0])))
    return [{"name": name, "share": g["cost"] / total if total else None, **g} for name, g in ranked[:5]]


def _overview(request: Request, session: WebSession, period: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    start, end, previous_start = _period_bounds(period, now)
    with _engine(request).connect() as conn:
        daily = metrics(conn, MetricsQuery(session.project_id, start, end, "day"))
        previous = metrics(conn, MetricsQuery(session.project_id, previous_start, start, "month"))
        top = {dim: _top(conn, session.project_id, start, end, dim) for dim in ("workflow", "team", "model")}
        alerts = alerts_repository.list_alerts(conn, session.project_id, "firing", None, 5)
        firing = queries.firing_alert_count(conn, session.project_id)
        open_recs = recommendations_repository.listing(conn, session.project_id, "open", 200)
        savings, _ = total_savings([as_recommendation(r) for r in open_recs], baselines(conn, session.project_id, now))
    totals = _total(daily)
    previous_cost = _total(previous)["cost"]
    by_day = {row["period"]: _zero(row.get("cost")) for row in daily}
    days = [start.date() + timedelta(days=offset) for offset in range((end.date() - start.date()).days + 1)]
    costs = [by_day.get(day, Decimal(0)) for day in days]
    return {
        "period": period, "periods": PERIODS, "start": start, "end": end, "totals": totals,
        "previous_cost": previous_cost,
        "change": (totals["cost"] - previous_cost) / previous_cost if previous_cost else None,
        "chart": daily_spend_svg(days, costs), "top": top, "alerts": alerts, "firing": firing,
        "recommendations": open_recs[:5], "open_recommendations": len(open_recs), "savings": savings,
    }  # fmt: skip


@router.get("/ui/overview")
def overview(request: Request, period: str = "30d", session: WebSession = Depends(require_session)) -> HTMLResponse:
    period = _choice(period, PERIODS) or "30d"
    return render(request, "overview.html.j2", session, nav="overview", **_overview(request, session, period))


# ------------------------------------------------------------------------------------------ workflows


@router.get("/ui/workflows")
def workflows(
    request: Request,
    name: str | None = None,
    outcome: str | None = None,
    status: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    session: WebSession = Depends(require_session),
) -> HTMLResponse:
    filters = {
        "name": name or None, "outcome": _choice(outcome, OUTCOMES), "status": _choice(status, RUN_STATUSES),
        "sort": "cost" if sort == "cost" else "started_at",
    }  # fmt: skip
    number = _int(page, 1, 1, 4000)
    run_filter = workflow_queries.RunFilter(session.project_id, filters["name"], filters["outcome"], filters["status"])
    with _engine(request).connect() as conn:
        runs = workflow_queries.list_runs(conn, run_filter, filters["sort"], PAGE_SIZE + 1, (number - 1) * PAGE_SIZE)
        names = queries.workflow_names(conn, session.project_id)
    query = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "started_at")}

    def page_url(target: int) -> str:
        params = {**query, "page": str(target)}
        return "/ui/workflows?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())

    return render(
        request, "workflows.html.j2", session, nav="workflows", runs=runs[:PAGE_SIZE], names=names, filters=filters,
        outcomes=OUTCOMES, statuses=RUN_STATUSES, page=number, filtered=bool(query),
        previous_url=page_url(number - 1) if number > 1 else None,
        next_url=page_url(number + 1) if len(runs) > PAGE_SIZE else None,
    )  # fmt: skip


def _not_found(request: Request, session: WebSession, what: str) -> HTMLResponse:
    return render(request, "not_found.html.j2", session, status_code=404, nav="", what=what)


@router.get("/ui/workflows/{run_id:path}")
def workflow_run(run_id: str, request: Request, session: WebSession = Depends(require_session)) -> HTMLResponse:
    with _engine(request).connect() as conn:
        run = workflow_queries.get_run(conn, session.project_id, run_id)
        if run is None:
            return _not_found(request, session, f"workflow run {run_id!r}")
        tree = workflow_queries.span_tree(conn, session.project_id, run["trace_ids"])
        by_model = workflow_queries.cost_by(conn, session.project_id, run["trace_ids"], "model")
        by_agent = workflow_queries.cost_by(conn, session.project_id, run["trace_ids"], "agent_name")
    buckets = [
        {"label": label, "tokens": run.get(tokens) if tokens else None, "cost": run.get(cost)}
        for label, tokens, cost in BUCKETS
        if (tokens and run.get(tokens)) or _zero(run.get(cost))
    ]
    return render(
        request, "workflow.html.j2", session, nav="workflows", run=run, tree=tree, by_model=by_model,
        by_agent=by_agent, buckets=buckets,
    )  # fmt: skip


@router.get("/ui/traces/{trace_id}")
def trace(trace_id: str, request: Request, session: WebSession = Depends(require_session)) -> Response:
    with _engine(request).connect() as conn:
        run_id = queries.run_of_trace(conn, session.project_id, trace_id)
    if run_id is None:
        return _not_found(request, session, f"trace {trace_id!r}")
    return RedirectResponse(f"/ui/workflows/{quote(run_id, safe='')}", status_code=303)


# ------------------------------------------------------------------------------------------ alerts


@router.get("/ui/alerts")
def alerts(request: Request, status: str | None = None, session: WebSession = Depends(require_session)) -> HTMLResponse:
    chosen = _choice(status, ALERT_STATUSES)
    with _engine(request).connect() as conn:
        rows = alerts_repository.list_alerts(conn, session.project_id, chosen, None, 200)
    return render(request, "alerts.html.j2", session, nav="alerts", alerts=rows, status=chosen, statuses=ALERT_STATUSES)


@router.post("/ui/alerts/{alert_id}/ack")
async def acknowledge_alert(
    alert_id: int, request: Request, session: WebSession = Depends(require_session)
) -> RedirectResponse:
    form = await _form(request)
    auth.check_csrf(session, form.get("csrf"))
    who = "admin (web)" if session.is_admin else "web"

    def write() -> bool:
        with _engine(request).begin() as conn:
            return alerts_repository.acknowledge(conn, session.project_id, alert_id, who, datetime.now(UTC))

    if not await run_in_threadpool(write):
        raise HTTPException(404, f"no alert {alert_id}")
    return RedirectResponse(auth.safe_next(form.get("back")) if form.get("back") else "/ui/alerts", status_code=303)


# ------------------------------------------------------------------------------------------ recommendations


@router.get("/ui/recommendations")
def recommendations(
    request: Request, status: str | None = "open", session: WebSession = Depends(require_session)
) -> HTMLResponse:
    chosen = _choice(status, REC_STATUSES)
    with _engine(request).connect() as conn:
        rows = recommendations_repository.listing(conn, session.project_id, chosen, 200)
        total, _ = total_savings(
            [as_recommendation(r) for r in rows], baselines(conn, session.project_id, datetime.now(UTC))
        )
    naive = sum((r["monthly_savings"] for r in rows), Decimal(0))
    return render(
        request, "recommendations.html.j2", session, nav="recommendations", recommendations=rows, status=chosen,
        statuses=REC_STATUSES, total=total, naive=naive,
    )  # fmt: skip


@router.post("/ui/recommendations/{rec_id}/{action}")
async def recommendation_status(
    rec_id: int, action: str, request: Request, session: WebSession = Depends(require_session)
) -> RedirectResponse:
    if action not in ("accept", "dismiss"):
        raise HTTPException(404, "unknown action")
    form = await _form(request)
    auth.check_csrf(session, form.get("csrf"))
    status = "accepted" if action == "accept" else "dismissed"
    reason = (form.get("reason") or "").strip()[:2000] or None

    def write() -> bool:
        with _engine(request).begin() as conn:
            return recommendations_repository.set_status(conn, session.project_id, rec_id, status, reason)

    if not await run_in_threadpool(write):
        raise HTTPException(404, f"no recommendation {rec_id}")
    back = _choice(form.get("back"), REC_STATUSES)
    return RedirectResponse(f"/ui/recommendations?status={back or 'open'}", status_code=303)


# ------------------------------------------------------------------------------------------ reports


def _recent_weeks(now: datetime, count: int = 12) -> list[str]:
    weeks = []
    for back in range(count):
        year, week, _ = (now - timedelta(weeks=back)).isocalendar()
        weeks.append(f"{year}-W{week:02d}")
    return weeks


def _reports_page(request: Request, session: WebSession, error: str | None = None, status: int = 200) -> HTMLResponse:
    now = datetime.now(UTC)
    month_start = now.date().replace(day=1)
    previous_start = (month_start - timedelta(days=1)).replace(day=1)
    with _engine(request).connect() as conn:
        stored = reports_repository.list_reports(conn, session.project_id, None, 50)
    return render(
        request, "reports.html.j2", session, status_code=status, nav="reports", error=error, stored=stored,
        default_from=previous_start, default_to=month_start - timedelta(days=1), groupings=GROUPINGS,
        weeks=_recent_weeks(now), default_week=reports_service.last_full_week(now),
    )  # fmt: skip


@router.get("/ui/reports")
def reports(request: Request, session: WebSession = Depends(require_session)) -> HTMLResponse:
    return _reports_page(request, session)


def _period(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """Dates from the form, `to` inclusive, as [start, end) in UTC."""
    try:
        first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
    except ValueError as exc:
        raise ReportError("choose a start and an end date") from exc
    if last < first:
        raise ReportError("the end date is before the start date")
    return datetime.combine(first, time(0), UTC), datetime.combine(last + timedelta(days=1), time(0), UTC)


def _download(content: str, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/ui/reports/chargeback.csv")
def chargeback_csv(
    request: Request,
    start: str | None = None,
    end: str | None = None,
    group_by: str = "team",
    session: WebSession = Depends(require_session),
) -> Response:
    try:
        first, last = _period(start, end)
        groups = parse_group_by(group_by)
        with _engine(request).connect() as conn:
            report = reports_service.chargeback_report(conn, session.project_id, first, last, groups)
    except (ReportError, AllocationError) as exc:
        return _reports_page(request, session, str(exc), 422)
    return _download(report.content, "text/csv", f"chargeback-{first:%Y%m%d}-{last:%Y%m%d}-{'-'.join(groups)}.csv")


@router.get("/ui/reports/focus.csv")
def focus_csv(
    request: Request, start: str | None = None, end: str | None = None, session: WebSession = Depends(require_session)
) -> Response:
    try:
        first, last = _period(start, end)
    except ReportError as exc:
        return _reports_page(request, session, str(exc), 422)
    # Streamed from the database as the browser downloads it (see reports_service.open_focus_stream).
    chunks = reports_service.open_focus_stream(
        request.app.state.database_url, session.project_id, session.project_name, first, last
    )
    headers = {
        "Content-Disposition": f'attachment; filename="focus-{first:%Y%m%d}-{last:%Y%m%d}.csv"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(chunks, media_type="text/csv", headers=headers)


@router.get("/ui/reports/weekly")
def weekly(
    request: Request, week: str | None = None, download: str | None = None,
    session: WebSession = Depends(require_session),
) -> Response:  # fmt: skip
    if not week or not WEEK.match(week):
        return _reports_page(request, session, "choose an ISO week such as 2026-W47", 422)
    try:
        with _engine(request).connect() as conn:
            report = reports_service.weekly_report(conn, session.project_id, session.project_name, week)
    except ValueError as exc:
        return _reports_page(request, session, str(exc), 422)
    if download:
        return _download(report.content, "text/html", f"weekly-{week}.html")
    return HTMLResponse(report.content, headers=SECURITY_HEADERS)


@router.get("/ui/reports/stored/{report_id}")
def stored_report(report_id: int, request: Request, session: WebSession = Depends(require_session)) -> Response:
    with _engine(request).connect() as conn:
        found = reports_repository.get_report(conn, session.project_id, report_id)
    if found is None:
        return _not_found(request, session, f"report {report_id}")
    if found["content_type"] == "text/html":
        return HTMLResponse(found["content"], headers=SECURITY_HEADERS)
    extension = "csv" if found["content_type"] == "text/csv" else "txt"
    name = f"{found['kind']}-{found['period_start']:%Y%m%d}-{found['period_end']:%Y%m%d}.{extension}"
    return _download(found["content"], found["content_type"], name)
