"""The weekly cost review: gather a week from the rollups, render it as self-contained HTML or a summary.

    with engine.connect() as conn:
        data = gather_weekly(conn, project_id, "2026-W47")   # or the Monday it starts on
    html = render_weekly(data, project="acme", generated_at=datetime.now(UTC))
    text = summary_text(data)                                # for Slack / webhooks

Data gathering lives in `weekly_data` (SQL and metrics), rendering in `weekly_render` (pure).
"""

from __future__ import annotations

from finops.reports.weekly_data import (
    AlertLine,
    DailySpend,
    MixRow,
    Mover,
    Movers,
    Projection,
    WeeklyData,
    WorkflowWeek,
    change,
    doubling_weeks,
    gather_weekly,
    iso_week_bounds,
    previous_week,
    project,
    week_key,
    week_of,
)
from finops.reports.weekly_render import render_weekly, sentences, summary_text

__all__ = [
    "AlertLine",
    "DailySpend",
    "MixRow",
    "Mover",
    "Movers",
    "Projection",
    "WeeklyData",
    "WorkflowWeek",
    "change",
    "doubling_weeks",
    "gather_weekly",
    "iso_week_bounds",
    "previous_week",
    "project",
    "render_weekly",
    "sentences",
    "summary_text",
    "week_key",
    "week_of",
]
