"""SQL for price versions, the catalog revision, unpriced calls and recosting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import any_, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from finops.ingest.models import LlmCall
from finops.pricing.models import PriceVersionRow, PricingRevision, RecostRequest, RecostRun
from finops.pricing.prices import LongContextTier, PriceVersion, Rates, Tier

_PRICE_FIELDS = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")


def to_version(row: PriceVersionRow) -> PriceVersion:
    long_context = None
    if row.long_context_threshold is not None and row.long_context_input is not None:
        long_context = LongContextTier(
            threshold_input_tokens=row.long_context_threshold,
            rates=Rates(
                input=row.long_context_input,
                output=row.long_context_output if row.long_context_output is not None else row.output,
                cache_read=row.long_context_cache_read,
                cache_write=row.long_context_cache_write,
                cache_write_1h=row.long_context_cache_write_1h,
                reasoning=row.long_context_reasoning,
            ),
        )
    return PriceVersion(
        id=row.id,
        project_id=row.project_id,
        provider=row.provider,
        model=row.model,
        aliases=tuple(row.aliases or ()),
        patterns=tuple(row.patterns or ()),
        tier=Tier(row.tier) if row.tier else None,
        kind=row.kind,
        currency=row.currency,
        rates=Rates(**{name: getattr(row, name) for name in _PRICE_FIELDS}),
        long_context=long_context,
        batch_discount=row.batch_discount,
        request_fee=row.request_fee,
        open_weight=row.open_weight,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        source=row.source,
        as_of=row.as_of,
    )


def row_values(version: PriceVersion) -> dict[str, Any]:
    """Column values for a version (everything but id and bookkeeping)."""
    values: dict[str, Any] = {
        "project_id": version.project_id,
        "provider": version.provider,
        "model": version.model,
        "aliases": list(version.aliases),
        "patterns": list(version.patterns),
        "tier": version.tier.value if version.tier else None,
        "kind": version.kind,
        "currency": version.currency,
        "batch_discount": version.batch_discount,
        "request_fee": version.request_fee,
        "open_weight": version.open_weight,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "source": version.source,
        "as_of": version.as_of,
    }
    for name in _PRICE_FIELDS:
        values[name] = getattr(version.rates, name)
    tier = version.long_context
    values["long_context_threshold"] = tier.threshold_input_tokens if tier else None
    for name in _PRICE_FIELDS:
        values[f"long_context_{name}"] = getattr(tier.rates, name) if tier else None
    return values


def all_versions(session: Session) -> list[PriceVersion]:
    return [to_version(row) for row in session.scalars(select(PriceVersionRow))]


def list_versions(
    session: Session, project_id: int | None, model: str | None = None, include_builtin: bool = True
) -> list[PriceVersionRow]:
    query = select(PriceVersionRow)
    scopes = [PriceVersionRow.project_id == project_id] if project_id is not None else []
    if include_builtin:
        scopes.append(PriceVersionRow.project_id.is_(None))
    if scopes:
        query = query.where(or_(*scopes))
    if model:
        query = query.where(
            (PriceVersionRow.model == model.lower()) | (literal(model.lower()) == any_(PriceVersionRow.aliases))
        )
    query = query.order_by(
        PriceVersionRow.provider.nulls_first(), PriceVersionRow.model, PriceVersionRow.effective_from
    )
    return list(session.scalars(query))


def find_same_key(session: Session, version: PriceVersion) -> PriceVersionRow | None:
    return session.scalar(
        select(PriceVersionRow).where(
            PriceVersionRow.project_id.is_not_distinct_from(version.project_id),
            PriceVersionRow.provider.is_not_distinct_from(version.provider),
            PriceVersionRow.model == version.model,
            PriceVersionRow.effective_from == version.effective_from,
        )
    )


def insert_version(session: Session, version: PriceVersion, origin: str) -> int:
    row = PriceVersionRow(**row_values(version), origin=origin)
    session.add(row)
    session.flush()
    return row.id


def update_version(session: Session, row_id: int, version: PriceVersion, origin: str) -> None:
    session.execute(
        update(PriceVersionRow)
        .where(PriceVersionRow.id == row_id)
        .values(**row_values(version), origin=origin, updated_at=func.now())
    )


_CATALOG_LOCK_KEY = 7_366_113_455_002


def lock_catalog(session: Session) -> None:
    """Serialise catalog installs across replicas until the transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CATALOG_LOCK_KEY})


def revision(session: Session) -> int:
    return session.scalar(select(PricingRevision.revision).where(PricingRevision.id == 1)) or 0


def bump_revision(session: Session) -> None:
    statement = insert(PricingRevision).values(id=1, revision=1)
    statement = statement.on_conflict_do_update(
        index_elements=[PricingRevision.id],
        set_={"revision": PricingRevision.revision + 1, "changed_at": func.now()},
    )
    session.execute(statement)


@dataclass(frozen=True, slots=True)
class MissingModel:
    provider: str | None
    model: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    first_seen: datetime
    last_seen: datetime


def missing_models(
    session: Session, project_id: int, start: datetime | None = None, end: datetime | None = None
) -> list[MissingModel]:
    prompt = (
        LlmCall.input_tokens + LlmCall.cache_read_tokens + LlmCall.cache_write_tokens
        + LlmCall.cache_write_1h_tokens
    )  # fmt: skip
    query = (
        select(
            LlmCall.provider,
            LlmCall.model,
            func.count(),
            func.coalesce(func.sum(prompt), 0),
            func.coalesce(func.sum(LlmCall.output_tokens + LlmCall.reasoning_tokens), 0),
            func.min(LlmCall.start_time),
            func.max(LlmCall.start_time),
        )
        .where(LlmCall.project_id == project_id, LlmCall.cost_total.is_(None))
        .group_by(LlmCall.provider, LlmCall.model)
        .order_by(func.count().desc())
    )
    if start:
        query = query.where(LlmCall.start_time >= start)
    if end:
        query = query.where(LlmCall.start_time < end)
    return [MissingModel(*row) for row in session.execute(query)]


def enqueue_recost(
    session: Session,
    project_id: int | None,
    window_start: datetime,
    window_end: datetime | None,
    models: Sequence[str] | None,
    reason: str,
) -> None:
    session.add(
        RecostRequest(
            project_id=project_id,
            window_start=window_start,
            window_end=window_end,
            models=list(models) if models is not None else None,
            reason=reason,
        )
    )


def pending_recosts(session: Session, older_than: datetime) -> list[RecostRequest]:
    return list(
        session.scalars(
            select(RecostRequest)
            .where(RecostRequest.done_at.is_(None), RecostRequest.requested_at <= older_than)
            .order_by(RecostRequest.id)
        )
    )


def mark_recosts_done(session: Session, request_ids: Iterable[int], run_id: int) -> None:
    session.execute(
        update(RecostRequest).where(RecostRequest.id.in_(list(request_ids))).values(done_at=func.now(), run_id=run_id)
    )


def start_run(session: Session, trigger: str, project_id: int | None, start: datetime | None,
              end: datetime | None, models: Sequence[str] | None) -> int:  # fmt: skip
    run = RecostRun(
        status="running", trigger=trigger, project_id=project_id, window_start=start, window_end=end,
        models=list(models) if models else None,
    )  # fmt: skip
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, **values: Any) -> None:
    session.execute(update(RecostRun).where(RecostRun.id == run_id).values(finished_at=func.now(), **values))


def recent_runs(session: Session, limit: int = 20) -> list[RecostRun]:
    return list(session.scalars(select(RecostRun).order_by(RecostRun.id.desc()).limit(limit)))


# --- recosting: plain SQL through the DBAPI connection, for keyset batches and COPY ---

CALL_GROUPS_SQL = """
SELECT DISTINCT project_id, provider, model FROM llm_calls
WHERE start_time >= %(start)s AND (%(end)s::timestamptz IS NULL OR start_time < %(end)s)
  AND (%(project)s::bigint IS NULL OR project_id = %(project)s)
"""

# {model_clause} is "model = %(model)s" or "model IS NULL": plain equality (not IS NOT DISTINCT FROM)
# keeps the (project_id, model, start_time) index usable.
CALL_BATCH_SQL = """
SELECT trace_id, span_id, start_time, input_tokens, cache_read_tokens, cache_write_tokens,
       cache_write_1h_tokens, output_tokens, reasoning_tokens, is_batch, cost_input, cost_cache_read,
       cost_cache_write, cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee, cost_total,
       price_version_id, price_tier, currency
FROM llm_calls
WHERE project_id = %(project)s AND {model_clause}
  AND provider IS NOT DISTINCT FROM %(provider)s
  AND start_time >= %(start)s AND (%(end)s::timestamptz IS NULL OR start_time < %(end)s)
  AND (start_time, trace_id, span_id) > (%(after_time)s, %(after_trace)s, %(after_span)s)
ORDER BY start_time, trace_id, span_id
LIMIT %(limit)s
"""

RECOST_STAGE_DDL = """
CREATE TEMP TABLE IF NOT EXISTS recost_updates (
    project_id bigint, trace_id text, span_id text, cost_input numeric, cost_cache_read numeric,
    cost_cache_write numeric, cost_cache_write_1h numeric, cost_output numeric, cost_reasoning numeric,
    cost_request_fee numeric, cost_total numeric, price_version_id bigint, price_tier text, currency text
) ON COMMIT DELETE ROWS
"""
RECOST_COLUMNS = (
    "project_id", "trace_id", "span_id", "cost_input", "cost_cache_read", "cost_cache_write",
    "cost_cache_write_1h", "cost_output", "cost_reasoning", "cost_request_fee", "cost_total",
    "price_version_id", "price_tier", "currency",
)  # fmt: skip
RECOST_APPLY_SQL = """
UPDATE llm_calls c SET
    cost_input = u.cost_input, cost_cache_read = u.cost_cache_read, cost_cache_write = u.cost_cache_write,
    cost_cache_write_1h = u.cost_cache_write_1h, cost_output = u.cost_output,
    cost_reasoning = u.cost_reasoning, cost_request_fee = u.cost_request_fee, cost_total = u.cost_total,
    price_version_id = u.price_version_id, price_tier = u.price_tier, currency = u.currency
FROM recost_updates u
WHERE c.project_id = u.project_id AND c.trace_id = u.trace_id AND c.span_id = u.span_id;
-- the runs of recosted calls are reassembled (their cost changed), and their days re-rolled
INSERT INTO workflow_dirty_traces (project_id, trace_id)
SELECT DISTINCT project_id, trace_id FROM recost_updates
ON CONFLICT DO NOTHING
"""

# The SDK-reported cost beside ours, for auditing instrumentation cost figures.
COST_DIFFERENCE_SQL = text(
    """
SELECT model, count(*) AS calls, sum(reported_cost) AS reported, sum(cost_total) AS computed,
       sum(reported_cost - cost_total) AS difference
FROM llm_calls
WHERE project_id = :project AND reported_cost IS NOT NULL AND cost_total IS NOT NULL
GROUP BY model ORDER BY abs(sum(reported_cost - cost_total)) DESC
"""
)


@dataclass(frozen=True, slots=True)
class CostDifference:
    model: str | None
    calls: int
    reported: Decimal
    computed: Decimal
    difference: Decimal


def cost_differences(session: Session, project_id: int) -> list[CostDifference]:
    return [CostDifference(*row) for row in session.execute(COST_DIFFERENCE_SQL, {"project": project_id})]
