"""Data of the weekly cost review: what changed this week, what it costs per success, where it is heading.

Everything is read from the rollups (`rollup_calls_daily`, `rollup_workflows_daily`) through
`finops.workflows.metrics` or plain SQL, plus the `alerts` table and the unpriced-model query of the
price catalog. Weeks are ISO weeks, Monday 00:00 UTC, half-open `[start, end)`. Money stays Decimal;
rounding happens when the report is rendered.

Two views of cost appear, and the report says which is which:
- **spend** is the cost of the LLM calls made in the week (`rollup_calls_daily`), split by team,
  workflow and model for the movers and the model mix;
- **workflow cost** is the cost of the runs *started* in the week (`rollup_workflows_daily`), the basis
  of cost per successful workflow (cost of all runs / successful runs, failed attempts included).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from finops.pricing.repository import MissingModel, missing_models
from finops.workflows.metrics import MetricsQuery, metrics

ZERO = Decimal(0)
MOVERS_PER_DIRECTION = 5
MOVER_DIMENSIONS = ("team", "workflow", "model")
PROJECTION_WEEKS = (4, 8)
_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")


# ---------------------------------------------------------------------------------------------- weeks


def iso_week_bounds(week: str) -> tuple[datetime, datetime]:
    """`"2026-W47"` -> (Monday 00:00 UTC, next Monday 00:00 UTC), half-open."""
    match = _WEEK_KEY.fullmatch(week.strip()) if isinstance(week, str) else None
    if not match:
        raise ValueError(f"invalid ISO week {week!r}: expected YYYY-Www, e.g. 2026-W47")
    year, number = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(
            f"invalid ISO week {week!r}: {year} has weeks 01 to {date(year, 12, 28).isocalendar()[1]}"
        ) from None
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    return start, start + timedelta(weeks=1)


def week_key(moment: date | datetime) -> str:
    """ISO week of a date or moment (in UTC), e.g. `2026-W47`."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_of(moment: str | date | datetime) -> tuple[datetime, datetime]:
    """Bounds of the ISO week named by a key, or holding a date or moment (naive datetimes are UTC)."""
    if isinstance(moment, str):
        return iso_week_bounds(moment)
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso_week_bounds(week_key(moment))


def previous_week(week: str | date | datetime) -> tuple[datetime, datetime]:
    """Bounds of the week before the given one (`previous_week(now)` is the last complete week)."""
    start, _ = week_of(week)
    return start - timedelta(weeks=1), start


# ----------------------------------------------------------------------------------------- arithmetic


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Relative change as a fraction (0.14 is +14%); None when there is nothing to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def project(weekly: Decimal, growth: Decimal | None, weeks: int) -> Decimal | None:
    """Weekly amount `weeks` ahead if the week-over-week growth compounds: weekly × (1 + g)^weeks."""
    if growth is None:
        return None
    return weekly * (1 + growth) ** weeks


def doubling_weeks(growth: Decimal | None) -> float | None:
    """Weeks until a weekly amount doubles at this growth: ln 2 / ln(1 + g); None unless growing."""
    if growth is None or growth <= 0:
        return None
    return math.log(2) / math.log1p(float(growth))


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


# ----------------------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Projection:
    weekly: Decimal  # this week's amount
    growth: Decimal | None  # week-over-week, as a fraction
    in_4_weeks: Decimal | None
    in_8_weeks: Decimal | None
    doubling_weeks: float | None

    @classmethod
    def of(cls, weekly: Decimal, previous: Decimal) -> Projection:
        growth = change(weekly, previous)
        return cls(weekly, growth, project(weekly, growth, 4), project(weekly, growth, 8), doubling_weeks(growth))


@dataclass(frozen=True, slots=True)
class DailySpend:
    day: date  # this week's day
    cost: Decimal
    previous_cost: Decimal  # the same weekday last week


@dataclass(frozen=True, slots=True)
class WorkflowWeek:
    name: str
    cost: Decimal  # runs started this week
    previous_cost: Decimal
    runs: int
    successful_runs: int
    previous_runs: int
    previous_successful_runs: int
    cost_per_success: Decimal | None
    previous_cost_per_success: Decimal | None
    projection: Projection

    @property
    def cost_change(self) -> Decimal | None:
        return change(self.cost, self.previous_cost)

    @property
    def cost_per_success_change(self) -> Decimal | None:
        return change(self.cost_per_success, self.previous_cost_per_success)

    @property
    def success_rate(self) -> Decimal | None:
        return share(self.successful_runs, self.runs)


@dataclass(frozen=True, slots=True)
class Mover:
    dimension: str  # team, workflow, model
    name: str | None  # None: calls without that attribute
    cost: Decimal
    previous_cost: Decimal

    @property
    def delta(self) -> Decimal:
        return self.cost - self.previous_cost

    @property
    def change(self) -> Decimal | None:
        return change(self.cost, self.previous_cost)


@dataclass(frozen=True, slots=True)
class Movers:
    dimension: str
    up: list[Mover]  # biggest increases first
    down: list[Mover]  # biggest decreases first


@dataclass(frozen=True, slots=True)
class MixRow:
    name: str | None  # a model or a tier; None: unknown
    cost: Decimal
    calls: int
    cost_share: Decimal | None
    calls_share: Decimal | None
    previous_cost_share: Decimal | None
    previous_calls_share: Decimal | None


@dataclass(frozen=True, slots=True)
class AlertLine:
    rule: str
    severity: str
    status: str
    scope_kind: str
    scope_value: str | None
    title: str
    observed: str
    first_fired_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class WeeklyData:
    project_id: int
    week: str  # 2026-W47
    start: datetime
    end: datetime
    previous_start: datetime
    spend: Decimal
    previous_spend: Decimal
    calls: int
    previous_calls: int
    workflow_cost: Decimal  # runs started in the week
    previous_workflow_cost: Decimal
    runs: int
    successful_runs: int
    previous_runs: int
    previous_successful_runs: int
    cache_hit_rate: float | None
    previous_cache_hit_rate: float | None
    daily: list[DailySpend]
    workflows: list[WorkflowWeek]
    movers: list[Movers]
    model_mix: list[MixRow]
    tier_mix: list[MixRow]
    alerts: list[AlertLine]
    unpriced: list[MissingModel]
    recommendations: list[Any] = field(default_factory=list)  # supplied by the recommendations component

    @property
    def spend_change(self) -> Decimal | None:
        return change(self.spend, self.previous_spend)

    @property
    def projection(self) -> Projection:
        return Projection.of(self.spend, self.previous_spend)

    @property
    def cost_per_success(self) -> Decimal | None:
        return self.workflow_cost / self.successful_runs if self.successful_runs else None

    @property
    def previous_cost_per_success(self) -> Decimal | None:
        return self.previous_workflow_cost / self.previous_successful_runs if self.previous_successful_runs else None

    @property
    def cost_per_success_change(self) -> Decimal | None:
        return change(self.cost_per_success, self.previous_cost_per_success)

    @property
    def workflow_cost_change(self) -> Decimal | None:
        return change(self.workflow_cost, self.previous_workflow_cost)

    @property
    def success_rate(self) -> Decimal | None:
        return share(self.successful_runs, self.runs)

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


# ------------------------------------------------------------------------------------------ gathering


def _money(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value)


def _week_rows(conn: Connection, project_id: int, start: datetime, group_by: tuple[str, ...]) -> dict[Any, dict]:
    """Metrics of one week keyed by the group value (or None without grouping)."""
    query = MetricsQuery(project_id, start, start + timedelta(weeks=1), granularity="week", group_by=group_by)
    rows = metrics(conn, query)
    return {(row[group_by[0]] if group_by else None): row for row in rows}


def _movers(dimension: str, current: dict[Any, dict], previous: dict[Any, dict]) -> Movers:
    movers = [
        Mover(dimension, name, _money(current.get(name, {}).get("cost")), _money(previous.get(name, {}).get("cost")))
        for name in current.keys() | previous.keys()
    ]
    up = sorted((m for m in movers if m.delta > 0), key=lambda m: (-m.delta, str(m.name)))
    down = sorted((m for m in movers if m.delta < 0), key=lambda m: (m.delta, str(m.name)))
    return Movers(dimension, up[:MOVERS_PER_DIRECTION], down[:MOVERS_PER_DIRECTION])


def _mix(current: dict[Any, dict], previous: dict[Any, dict]) -> list[MixRow]:
    def cost(row: dict) -> Decimal:
        return _money(row.get("cost"))

    def calls(row: dict) -> int:
        return row.get("calls") or 0

    total_cost, total_calls = sum(map(cost, current.values()), ZERO), sum(map(calls, current.values()))
    previous_cost, previous_calls = sum(map(cost, previous.values()), ZERO), sum(map(calls, previous.values()))
    result = []
    for name in current.keys() | previous.keys():
        now, before = current.get(name, {}), previous.get(name, {})
        result.append(
            MixRow(
                name=name,
                cost=cost(now),
                calls=calls(now),
                cost_share=share(cost(now), total_cost),
                calls_share=share(calls(now), total_calls),
                previous_cost_share=share(cost(before), previous_cost),
                previous_calls_share=share(calls(before), previous_calls),
            )
        )
    return sorted(result, key=lambda r: (-r.cost, -(r.previous_cost_share or 0), str(r.name)))


def _workflows(current: dict[Any, dict], previous: dict[Any, dict]) -> list[WorkflowWeek]:
    result = []
    for name in current.keys() | previous.keys():
        now, before = current.get(name, {}), previous.get(name, {})
        if name is None or not (now.get("runs") or before.get("runs")):
            continue  # calls outside any workflow: they count in spend, not here
        cost, previous_cost = _money(now.get("workflow_cost")), _money(before.get("workflow_cost"))
        result.append(
            WorkflowWeek(
                name=name,
                cost=cost,
                previous_cost=previous_cost,
                runs=now.get("runs") or 0,
                successful_runs=now.get("successful_runs") or 0,
                previous_runs=before.get("runs") or 0,
                previous_successful_runs=before.get("successful_runs") or 0,
                cost_per_success=now.get("cost_per_successful_workflow"),
                previous_cost_per_success=before.get("cost_per_successful_workflow"),
                projection=Projection.of(cost, previous_cost),
            )
        )
    return sorted(result, key=lambda w: (-w.cost, -w.previous_cost, w.name))


def _daily(conn: Connection, project_id: int, start: datetime) -> list[DailySpend]:
    rows = conn.execute(
        text("""
            SELECT day, sum(cost_total) AS cost FROM rollup_calls_daily
            WHERE project_id = :project AND day >= :start AND day < :end
            GROUP BY day
        """),
        {
            "project": project_id,
            "start": (start - timedelta(weeks=1)).date(),
            "end": (start + timedelta(weeks=1)).date(),
        },
    )
    by_day = {row.day: _money(row.cost) for row in rows}
    days = [start.date() + timedelta(days=offset) for offset in range(7)]
    return [DailySpend(day, by_day.get(day, ZERO), by_day.get(day - timedelta(weeks=1), ZERO)) for day in days]


def _alerts(conn: Connection, project_id: int, start: datetime, end: datetime) -> list[AlertLine]:
    """Alerts that fired during the week: first fired before its end and still firing at or after its start."""
    rows = conn.execute(
        text("""
            SELECT rule, severity, status, scope_kind, scope_value, title, observed, first_fired_at, resolved_at
            FROM alerts
            WHERE project_id = :project AND first_fired_at < :end AND last_fired_at >= :start
            ORDER BY first_fired_at, id
        """),
        {"project": project_id, "start": start, "end": end},
    )
    return [AlertLine(**row._mapping) for row in rows]


def gather_weekly(conn: Connection | Session, project_id: int, week_start: str | date | datetime) -> WeeklyData:
    """Everything the weekly review shows, for the ISO week starting at (or named by) `week_start`.

    `week_start` is a week key (`2026-W47`), or the Monday (date, or datetime at 00:00 UTC) it starts on.
    """
    if isinstance(week_start, str):
        start, end = iso_week_bounds(week_start)
    else:
        start, end = week_of(week_start)
        given = week_start if isinstance(week_start, datetime) else datetime.combine(week_start, time(0), UTC)
        if given.tzinfo is None:
            given = given.replace(tzinfo=UTC)
        if given != start:
            raise ValueError(f"a week starts on Monday 00:00 UTC: {week_start!r} is not {start.isoformat()}")
    session = conn if isinstance(conn, Session) else None
    connection = session.connection() if session is not None else conn
    assert isinstance(connection, Connection)
    previous_start = start - timedelta(weeks=1)

    def both(group_by: tuple[str, ...]) -> tuple[dict[Any, dict], dict[Any, dict]]:
        return _week_rows(connection, project_id, start, group_by), _week_rows(
            connection, project_id, previous_start, group_by
        )

    total, previous_total = (rows.get(None, {}) for rows in both(()))
    by_workflow = both(("workflow",))
    by_model = both(("model",))
    movers = [_movers("team", *both(("team",))), _movers("workflow", *by_workflow), _movers("model", *by_model)]
    if session is not None:
        unpriced = missing_models(session, project_id, start, end)
    else:
        with Session(bind=connection) as own:
            unpriced = missing_models(own, project_id, start, end)
    return WeeklyData(
        project_id=project_id,
        week=week_key(start),
        start=start,
        end=end,
        previous_start=previous_start,
        spend=_money(total.get("cost")),
        previous_spend=_money(previous_total.get("cost")),
        calls=total.get("calls") or 0,
        previous_calls=previous_total.get("calls") or 0,
        workflow_cost=_money(total.get("workflow_cost")),
        previous_workflow_cost=_money(previous_total.get("workflow_cost")),
        runs=total.get("runs") or 0,
        successful_runs=total.get("successful_runs") or 0,
        previous_runs=previous_total.get("runs") or 0,
        previous_successful_runs=previous_total.get("successful_runs") or 0,
        cache_hit_rate=total.get("cache_hit_rate"),
        previous_cache_hit_rate=previous_total.get("cache_hit_rate"),
        daily=_daily(connection, project_id, start),
        workflows=_workflows(*by_workflow),
        movers=movers,
        model_mix=_mix(*by_model),
        tier_mix=_mix(*both(("tier",))),
        alerts=_alerts(connection, project_id, start, end),
        unpriced=unpriced,
    )
