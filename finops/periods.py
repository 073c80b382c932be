"""Periods over the daily rollups (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def utc_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The whole UTC days covering [start, end), as [first day, day after the last): daily rollups can
    only answer whole days, so a range ending mid-day includes that day."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    last = end.date() if end.time() == time(0) else end.date() + timedelta(days=1)
    return start.date(), last
