"""Keeping workflow runs current: assemble what changed, close what went idle, record outcomes."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from finops.db.engine import get_engine
from finops.workflows import repository
from finops.workflows.assembly import assemble_run

log = logging.getLogger(__name__)

ASSEMBLY_BATCH = 500  # dirty traces per transaction
OUTCOMES = ("success", "failure", "unknown")


@dataclass(slots=True)
class AssemblyReport:
    traces: int = 0
    runs: int = 0
    closed: int = 0
    calls_updated: int = 0


def assemble_dirty(database_url: str, idle_timeout: timedelta, now: datetime | None = None) -> AssemblyReport:
    """Assemble every run with new spans (or new costs), batch by batch, then close idle runs."""
    report = AssemblyReport()
    engine = get_engine(database_url)
    while True:
        with engine.begin() as conn:
            claimed = repository.claim_dirty_traces(conn, ASSEMBLY_BATCH)
            if not claimed:
                break
            by_project: dict[int, list[str]] = defaultdict(list)
            for project_id, trace_id in claimed:
                by_project[project_id].append(trace_id)
            for project_id, trace_ids in by_project.items():
                _assemble_traces(conn, project_id, trace_ids, idle_timeout, now or datetime.now(UTC), report)
            report.traces += len(claimed)
    with engine.begin() as conn:
        closed = repository.close_idle_runs(conn, (now or datetime.now(UTC)) - idle_timeout)
        repository.mark_day_list_dirty(conn, closed)
        report.closed = len(closed)
    return report


def _assemble_traces(
    conn: Connection,
    project_id: int,
    trace_ids: list[str],
    idle_timeout: timedelta,
    now: datetime,
    report: AssemblyReport,
) -> None:
    declared = repository.declared_run_ids(conn, project_id, trace_ids)
    previous = repository.mapped_run_ids(conn, project_id, trace_ids)
    mapping = {trace: declared.get(trace, trace) for trace in trace_ids}
    repository.map_traces(conn, project_id, mapping)
    # A trace that joined a declared workflow leaves the run it had on its own.
    moved_from = sorted({old for trace, old in previous.items() if old != mapping[trace]})
    run_ids = sorted(set(mapping.values()) | set(moved_from))
    old_days = repository.run_start_days(conn, project_id, run_ids)
    traces_of = repository.run_trace_ids(conn, project_id, run_ids)
    outcomes = repository.posted_outcomes(conn, project_id, run_ids)
    empty = [run_id for run_id in run_ids if not traces_of.get(run_id)]
    repository.delete_runs(conn, project_id, empty)
    all_traces: list[str] = []
    for run_id, run_traces in traces_of.items():
        spans = repository.span_facts(conn, project_id, run_traces)
        if not spans:
            repository.delete_runs(conn, project_id, [run_id])
            continue
        calls = repository.call_facts(conn, project_id, run_traces)
        run = assemble_run(run_id, spans, calls, outcomes.get(run_id), now, idle_timeout)
        repository.upsert_run(conn, project_id, run, now)
        report.calls_updated += repository.fill_call_attribution(conn, project_id, run)
        report.calls_updated += repository.set_retry_flags(conn, project_id, run)
        report.runs += 1
        all_traces.extend(run_traces)
    new_days = repository.run_start_days(conn, project_id, run_ids)
    repository.mark_days_dirty(conn, project_id, all_traces, sorted(set(old_days) | set(new_days)))


def post_outcome(
    conn: Connection, project_id: int, run_id: str, outcome: str, detail: str | None, idle_timeout: timedelta
) -> bool:
    """Record a business outcome decided after the fact. True when the run exists and was reassembled
    with it at once; False when it will apply as soon as the run's spans arrive."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    repository.upsert_outcome(conn, project_id, run_id, outcome, detail)
    traces = repository.run_trace_ids(conn, project_id, [run_id]).get(run_id, [])
    if traces:
        _assemble_traces(conn, project_id, traces, idle_timeout, datetime.now(UTC), AssemblyReport())
    return bool(traces)
