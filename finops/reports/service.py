"""Generating reports (chargeback CSV, FOCUS CSV, weekly HTML), storing them, announcing the weekly one."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import Connection

from finops.alerts import repository as alerts_repository
from finops.alerts.channels import send
from finops.alerts.types import AlertMessage, Scope, Severity
from finops.periods import utc_days
from finops.recommendations import repository as recommendations_repository
from finops.reports import repository
from finops.reports.chargeback import build_chargeback
from finops.reports.chargeback_csv import chargeback_csv
from finops.reports.focus import FocusInputRow, iter_focus_csv, rows_from_rollup

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopRecommendation:
    """What the weekly review shows of an open recommendation."""

    title: str
    estimated_monthly_savings: Decimal


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    kind: str
    variant: str
    period_start: datetime
    period_end: datetime
    content_type: str
    content: str
    summary: dict[str, object]


def chargeback_report(
    conn: Connection, project_id: int, start: datetime, end: datetime, group_by: tuple[str, ...]
) -> GeneratedReport:
    report = build_chargeback(conn, project_id, start, end, group_by)
    summary = {"total": str(report.period_total), "groups": len(report.lines), "currency": report.currency}
    return GeneratedReport("chargeback", ",".join(group_by), start, end, "text/csv", chargeback_csv(report), summary)


@dataclass(slots=True)
class FocusTally:
    """Rows and cost of a FOCUS export, counted as its rows stream past."""

    rows: int = 0
    total: Decimal = Decimal(0)


def focus_report(
    conn: Connection, project_id: int, project_name: str, start: datetime, end: datetime
) -> GeneratedReport:
    tally = FocusTally()
    content = "".join(focus_stream(conn, project_id, project_name, start, end, tally))
    return GeneratedReport(
        "focus", "", start, end, "text/csv", content, {"rows": tally.rows, "total": str(tally.total)}
    )


def focus_stream(
    conn: Connection,
    project_id: int,
    project_name: str,
    start: datetime,
    end: datetime,
    tally: FocusTally | None = None,
) -> Iterator[str]:
    """The FOCUS CSV in pieces (see `iter_focus_csv`), its rows read from the database as the pieces are taken.

    The arguments are checked now; `conn` must stay open until the iterator is exhausted or closed.
    """
    return iter_focus_csv(
        _focus_rows(conn, project_id, start, end, tally if tally is not None else FocusTally()),
        billing_account_id=f"finops-project-{project_id}", billing_account_name=project_name,
        billing_period_start=start, billing_period_end=end,
    )  # fmt: skip


def open_focus_stream(
    database_url: str, project_id: int, project_name: str | None, start: datetime, end: datetime
) -> Iterator[str]:
    """`focus_stream` on a connection of its own, open while the pieces are taken, for a streaming response.

    The header is produced before this returns, so bad arguments raise here rather than mid-response; the
    connection goes back to the pool when the iterator is exhausted or closed. `project_name` None: looked up.
    """
    chunks = _focus_stream_connected(database_url, project_id, project_name, start, end)
    header = next(chunks)

    def pieces() -> Iterator[str]:
        try:
            yield header
            yield from chunks
        finally:
            chunks.close()

    return pieces()


def _focus_stream_connected(
    database_url: str, project_id: int, project_name: str | None, start: datetime, end: datetime
) -> Iterator[str]:
    from finops.db.engine import get_engine
    from finops.projects.repository import project_name as lookup_project_name

    with get_engine(database_url).connect() as conn:
        name = lookup_project_name(conn, project_id) if project_name is None else project_name
        yield from focus_stream(conn, project_id, name, start, end)


def _focus_rows(
    conn: Connection, project_id: int, start: datetime, end: datetime, tally: FocusTally
) -> Iterator[FocusInputRow]:
    first, last = utc_days(start, end)
    for source in repository.focus_source_stream(conn, project_id, first, last):
        attribution = {
            "workflow": source["workflow_name"], "team": source["team"], "customer": source["customer"],
            "agent": source["agent_name"],
        }  # fmt: skip
        for row in rows_from_rollup(source["day"], source["provider"], source["model"], source, attribution,
                                    source["project"], "USD"):  # fmt: skip
            tally.rows += 1
            tally.total += row.cost
            yield row


def weekly_report(conn: Connection, project_id: int, project_name: str, week: str) -> GeneratedReport:
    from finops.reports.weekly import gather_weekly, iso_week_bounds, render_weekly, summary_text

    start, end = iso_week_bounds(week)
    data = gather_weekly(conn, project_id, start)
    top = recommendations_repository.listing(conn, project_id, "open", 5)
    data = replace(data, recommendations=[TopRecommendation(r["title"], r["monthly_savings"]) for r in top])
    html = render_weekly(data, project=project_name, generated_at=datetime.now(UTC))
    return GeneratedReport("weekly", week, start, end, "text/html", html, {"text": summary_text(data)})


def store(conn: Connection, project_id: int, report: GeneratedReport) -> int:
    return repository.store_report(
        conn,
        project_id,
        {
            "kind": report.kind, "variant": report.variant, "period_start": report.period_start,
            "period_end": report.period_end, "content_type": report.content_type, "content": report.content,
            "summary": report.summary,
        },
    )  # fmt: skip


def announce(conn: Connection, project_id: int, project_name: str, report_id: int, text: str, base_url: str) -> int:
    """Post a report's headline numbers to every enabled alert channel; returns how many accepted it."""
    delivered = 0
    now = datetime.now(UTC)
    message = AlertMessage(
        notification_id=str(uuid.uuid4()), alert_id=0, event="report", project=project_name, detector="weekly_review",
        scope=Scope("project"), severity=Severity.INFO, title=text.splitlines()[0] if text else "Weekly cost review",
        observed="", baseline=None, threshold="", hint=text, numbers={"report_id": report_id}, fired_at=now,
        link=f"{base_url}/api/v1/reports/{report_id}",
    )  # fmt: skip
    with httpx.Client(timeout=10.0) as client:
        for channel in alerts_repository.channels(conn, project_id):
            result = send(channel["kind"], channel["url"], channel["secret"], message, client=client, now=now)
            if result.ok:
                delivered += 1
            else:
                log.warning("weekly review not posted to %s: %s", channel["name"], result.error)
    return delivered


def last_full_week(now: datetime) -> str:
    monday = (now - timedelta(days=now.weekday() + 7)).date()
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def previous_month(now: datetime) -> tuple[datetime, datetime]:
    end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end
