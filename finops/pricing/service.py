"""Changing the catalog, and recosting the calls a change affects."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from finops.db.engine import session_scope
from finops.db.urls import libpq_url
from finops.ingest.records import TokenBuckets
from finops.pricing import repository
from finops.pricing.cost import price_call
from finops.pricing.formats_yaml import load_yaml_catalog
from finops.pricing.matching import PriceBook, version_matches_name
from finops.pricing.prices import PriceVersion

log = logging.getLogger(__name__)

RECOST_BATCH = 10_000
# Processes reload the catalog every few seconds; recosting waits longer than that so calls
# written with the previous catalog are recosted too.
RECOST_DELAY = timedelta(seconds=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class ApplyResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def touched(self) -> int:
        return self.added + self.changed


def apply_versions(
    session: Session, versions: Iterable[PriceVersion], origin: str, project_id: int | None = None
) -> ApplyResult:
    """Insert new versions, update changed ones (same project, provider, model, effective_from) and
    queue a recost of each changed window. Idempotent: applying the same catalog twice changes nothing."""
    result = ApplyResult()
    for version in versions:
        if project_id is not None:
            version = _with_project(version, project_id)
        existing = repository.find_same_key(session, version)
        if existing is not None and origin == "shipped" and existing.origin != "shipped":
            # A price someone set by hand is never overwritten by a newer release's catalog.
            result.unchanged += 1
            continue
        if existing is None:
            repository.insert_version(session, version, origin)
            result.added += 1
            window_start, window_end = version.effective_from, version.effective_to
        elif repository.to_version(existing) == _with_id(version, existing.id):
            result.unchanged += 1
            continue
        else:
            old = repository.to_version(existing)
            repository.update_version(session, existing.id, version, origin)
            result.changed += 1
            window_start = min(old.effective_from, version.effective_from)
            window_end = (
                None
                if old.effective_to is None or version.effective_to is None
                else max(old.effective_to, version.effective_to)
            )
        names = sorted({version.model, *version.aliases})
        repository.enqueue_recost(
            session, version.project_id, window_start, window_end,
            None if version.patterns else names, f"{origin}: {version.provider or '*'}/{version.model}",
        )  # fmt: skip
    if result.touched:
        repository.bump_revision(session)
    return result


def _with_project(version: PriceVersion, project_id: int) -> PriceVersion:
    return replace(version, project_id=project_id)


def _with_id(version: PriceVersion, row_id: int) -> PriceVersion:
    return replace(version, id=row_id)


def shipped_catalog() -> list[PriceVersion]:
    text = resources.files("finops.pricing").joinpath("data/prices.yaml").read_text(encoding="utf-8")
    return load_yaml_catalog(text)


def install_shipped_catalog(session: Session) -> ApplyResult:
    return apply_versions(session, shipped_catalog(), origin="shipped")


def load_book(session: Session) -> PriceBook:
    return PriceBook(repository.all_versions(session), revision=repository.revision(session))


# --- recosting ---


@dataclass(slots=True)
class RecostReport:
    run_id: int = 0
    groups: int = 0
    calls_examined: int = 0
    calls_changed: int = 0
    cost_before: Decimal = Decimal(0)
    cost_after: Decimal = Decimal(0)
    by_model: dict[str, dict[str, Any]] = field(default_factory=dict)


ProgressCallback = Callable[[RecostReport], None]


def recost(
    database_url: str,
    *,
    start: datetime | None,
    end: datetime | None,
    models: Iterable[str] | None = None,
    project_id: int | None = None,
    trigger: str = "manual",
    progress: ProgressCallback | None = None,
) -> RecostReport:
    """Recompute the cost of calls starting in [start, end) (for `models`, if given) with the current
    catalog, in keyset batches, updating only calls whose cost changed. Each batch commits on its
    own, so a long recost shows progress and an interrupted one is simply finished by the next run."""
    model_names = sorted({m.lower() for m in models}) if models is not None else None
    report = RecostReport()
    with session_scope(database_url) as session:
        book = load_book(session)
        report.run_id = repository.start_run(session, trigger, project_id, start, end, model_names)
    try:
        with psycopg.connect(libpq_url(database_url)) as conn:
            _recost_groups(conn, book, start or _EPOCH, end, model_names, project_id, report, progress)
    except Exception as exc:
        with session_scope(database_url) as session:
            repository.finish_run(session, report.run_id, status="failed", error=str(exc)[:2000], **_totals(report))
        raise
    with session_scope(database_url) as session:
        repository.finish_run(session, report.run_id, status="succeeded", **_totals(report))
    return report


def _totals(report: RecostReport) -> dict[str, Any]:
    return {
        "calls_examined": report.calls_examined,
        "calls_changed": report.calls_changed,
        "cost_before": report.cost_before,
        "cost_after": report.cost_after,
        "changes": report.by_model,
    }


def _recost_groups(
    conn: psycopg.Connection[Any],
    book: PriceBook,
    start: datetime,
    end: datetime | None,
    model_names: list[str] | None,
    project_id: int | None,
    report: RecostReport,
    progress: ProgressCallback | None,
) -> None:
    conn.execute(repository.RECOST_STAGE_DDL)
    groups = conn.execute(repository.CALL_GROUPS_SQL, {"start": start, "end": end, "project": project_id}).fetchall()
    conn.commit()
    columns = ", ".join(repository.RECOST_COLUMNS)
    for group_project, provider, model in groups:
        if model_names is not None and not any(version_matches_name(name, model or "") for name in model_names):
            continue
        report.groups += 1
        after: tuple[datetime, str, str] = (_EPOCH - timedelta(days=1), "", "")
        while True:
            model_clause = "model IS NULL" if model is None else "model = %(model)s"
            rows = conn.execute(
                repository.CALL_BATCH_SQL.format(model_clause=model_clause),  # type: ignore[arg-type]
                {
                    "project": group_project, "model": model, "provider": provider, "start": start,
                    "end": end, "after_time": after[0], "after_trace": after[1], "after_span": after[2],
                    "limit": RECOST_BATCH,
                },
            ).fetchall()  # fmt: skip
            if not rows:
                break
            updates = [_recosted(book, group_project, provider, model, row, report) for row in rows]
            changed = [update for update in updates if update is not None]
            if changed:
                with conn.cursor() as cursor:
                    with cursor.copy(f"COPY recost_updates ({columns}) FROM STDIN") as copy:
                        for update in changed:
                            copy.write_row(update)
                    cursor.execute(repository.RECOST_APPLY_SQL)
            conn.commit()
            report.calls_examined += len(rows)
            report.calls_changed += len(changed)
            last = rows[-1]
            after = (last[2], last[0], last[1])
            if progress is not None:
                progress(report)


_COSTS = slice(10, 18)


def _recosted(
    book: PriceBook, project_id: int, provider: str | None, model: str | None, row: tuple[Any, ...],
    report: RecostReport,
) -> tuple[Any, ...] | None:  # fmt: skip
    """The update row for one call, or None when its cost is unchanged."""
    trace_id, span_id, start_time = row[0], row[1], row[2]
    tokens = TokenBuckets(*row[3:9])
    version = book.lookup(project_id, provider, model, start_time)
    if version is None:
        new: tuple[Any, ...] = (None,) * 8 + (None, None, None)
    else:
        cost = price_call(tokens, version, is_batch=row[9])
        new = (
            cost.input, cost.cache_read, cost.cache_write, cost.cache_write_1h, cost.output, cost.reasoning,
            cost.request_fee, cost.total, version.id, cost.tier, version.currency,
        )  # fmt: skip
    old = (*row[_COSTS], row[18], row[19], row[20])
    if old == new:
        return None
    before, after = row[17] or Decimal(0), new[7] or Decimal(0)
    report.cost_before += before
    report.cost_after += after
    entry = report.by_model.setdefault(model or "(none)", {"changed": 0, "before": "0", "after": "0"})
    entry["changed"] += 1
    entry["before"] = str(Decimal(entry["before"]) + before)
    entry["after"] = str(Decimal(entry["after"]) + after)
    return (project_id, trace_id, span_id, *new)


def process_recost_requests(database_url: str, progress: ProgressCallback | None = None) -> RecostReport | None:
    """The scheduled job: run every queued recost request that is old enough, as one merged pass."""
    with session_scope(database_url) as session:
        pending = repository.pending_recosts(session, older_than=datetime.now(UTC) - RECOST_DELAY)
        requests = [(r.id, r.window_start, r.window_end, r.models, r.project_id) for r in pending]
    if not requests:
        return None
    start = min(window_start for _, window_start, _, _, _ in requests)
    ends = [window_end for _, _, window_end, _, _ in requests]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    names: set[str] | None = set()
    for _, _, _, models, _ in requests:
        if models is None or names is None:
            names = None
        else:
            names.update(models)
    projects = {project for _, _, _, _, project in requests}
    project_id = projects.pop() if len(projects) == 1 else None
    ids = [request_id for request_id, *_ in requests]
    report = recost(
        database_url, start=start, end=end, models=names, project_id=project_id,
        trigger=f"price change ({len(ids)} request(s))", progress=progress,
    )  # fmt: skip
    with session_scope(database_url) as session:
        repository.mark_recosts_done(session, ids, report.run_id)
    return report
