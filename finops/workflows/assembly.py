"""Assembling one workflow run from its spans and calls (pure).

Rules (also in the README):
- A run is one trace, or every trace whose spans carry the same `finops.workflow.id`.
- Name: `finops.workflow.name`, `gen_ai.workflow.name`, `traceloop.workflow.name` (root span first,
  then any span), then the workflow name read for its calls (e.g. `langfuse.trace.name`), else the
  root span's name.
- Outcome, by precedence: an outcome posted through the API; the latest `finops.workflow.outcome`
  attribute on any of its spans; the root span status (ERROR = failure, OK or unset = success: OTel
  leaves successful spans unset; with several traces, the root that ended last); else unknown.
- Open until every trace of the run has its root span and no span arrived for the idle timeout;
  then closed. A late span reopens it.
- Steps are LLM calls plus tool calls. A retry is an LLM or tool call repeating an earlier one of the
  same step (same parent, same model or tool) that failed, or one marked `finops.retry.attempt` >= 1,
  `finops.retry` = true or `http.request.resend_count` >= 1.
- Attribution: the root span's own value; else the value most of its calls carry (ties: the costlier,
  then the alphabetically first); disagreements are recorded in `attribution_conflicts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from finops.ingest.dialects import read_attribution

ERROR_STATUS = 2
TOKEN_FIELDS = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")
COST_FIELDS = (*TOKEN_FIELDS, "request_fee", "total")
RUN_ATTRIBUTION = ("team", "cost_center", "feature", "customer", "user_id", "environment", "service_name")
WORKFLOW_NAME_KEYS = ("finops.workflow.name", "gen_ai.workflow.name", "traceloop.workflow.name")
SUCCESS_WORDS = {"success", "succeeded", "successful", "ok", "true", "pass", "passed", "resolved", "done"}
FAILURE_WORDS = {"failure", "failed", "fail", "error", "false", "unresolved", "aborted", "rejected"}


@dataclass(slots=True)
class SpanFact:
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    status_code: int
    start_time: datetime
    end_time: datetime
    received_at: datetime
    output_chars: int | None
    attributes: dict[str, Any]  # the span's own attributes (those assembly reads)
    service_name: str | None = None


@dataclass(slots=True)
class CallFact:
    trace_id: str
    span_id: str
    parent_span_id: str | None
    model: str | None
    agent_name: str | None
    workflow_name: str | None
    error_type: str | None
    tokens: tuple[int, int, int, int, int, int]  # TOKEN_FIELDS order
    costs: tuple[Decimal, ...] | None  # COST_FIELDS order; None when unpriced
    attribution: dict[str, str | None]  # RUN_ATTRIBUTION fields as resolved at ingest


@dataclass(slots=True)
class RunFacts:
    run_id: str
    name: str
    name_source: str
    status: str
    outcome: str
    outcome_source: str
    trace_ids: list[str]
    root_seen: bool
    started_at: datetime
    ended_at: datetime
    last_received_at: datetime
    llm_calls: int
    unpriced_calls: int
    steps: int
    retries: int
    errors: int
    tool_calls: int
    tool_output_chars: int
    max_context_tokens: int
    agents: list[str]
    models: list[str]
    tokens: dict[str, int]
    costs: dict[str, Decimal]
    attribution: dict[str, str | None]
    attribution_conflicts: dict[str, list[str]]
    retried_call_ids: set[tuple[str, str]] = field(default_factory=set)

    @property
    def duration_ms(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() * 1000)


def normalise_outcome(value: Any) -> str | None:
    if isinstance(value, bool):
        return "success" if value else "failure"
    word = str(value).strip().lower()
    if word in SUCCESS_WORDS:
        return "success"
    if word in FAILURE_WORDS:
        return "failure"
    return "unknown" if word else None


def assemble_run(
    run_id: str,
    spans: list[SpanFact],
    calls: list[CallFact],
    posted_outcome: str | None,
    now: datetime,
    idle_timeout: timedelta,
) -> RunFacts:
    if not spans:
        raise ValueError(f"run {run_id} has no spans")
    spans = sorted(spans, key=lambda s: (s.start_time, s.span_id))
    trace_ids = sorted({s.trace_id for s in spans})
    roots = [s for s in spans if s.parent_span_id is None]
    root_seen = {r.trace_id for r in roots} >= set(trace_ids)
    last_received = max(s.received_at for s in spans)
    status = "closed" if root_seen and now - last_received >= idle_timeout else "open"
    name, name_source = _name(run_id, spans, roots, calls)
    outcome, outcome_source = _outcome(spans, roots, posted_outcome)

    call_by_id = {(c.trace_id, c.span_id): c for c in calls}
    tools = [s for s in spans if s.kind == "tool"]
    retried = _retries(spans, call_by_id)
    error_ids = {(s.trace_id, s.span_id) for s in spans if s.status_code == ERROR_STATUS}
    error_ids |= {(c.trace_id, c.span_id) for c in calls if c.error_type}
    agents = {c.agent_name for c in calls if c.agent_name}
    agents |= {str(s.attributes.get("gen_ai.agent.name") or s.name) for s in spans if s.kind == "agent"}

    tokens = {name: sum(c.tokens[i] for c in calls) for i, name in enumerate(TOKEN_FIELDS)}
    priced = [c.costs for c in calls if c.costs is not None]
    costs = {name: sum((p[i] for p in priced), Decimal(0)) for i, name in enumerate(COST_FIELDS)}
    attribution, conflicts = _attribution(roots, calls)
    return RunFacts(
        run_id=run_id,
        name=name,
        name_source=name_source,
        status=status,
        outcome=outcome,
        outcome_source=outcome_source,
        trace_ids=trace_ids,
        root_seen=root_seen,
        started_at=min(s.start_time for s in spans),
        ended_at=max(s.end_time for s in spans),
        last_received_at=last_received,
        llm_calls=len(calls),
        unpriced_calls=len(calls) - len(priced),
        steps=len(calls) + len(tools),
        retries=len(retried),
        errors=len(error_ids),
        tool_calls=len(tools),
        tool_output_chars=sum(s.output_chars or 0 for s in tools),
        max_context_tokens=max((sum(c.tokens[:4]) for c in calls), default=0),
        agents=sorted(agents),
        models=sorted({c.model for c in calls if c.model}),
        tokens=tokens,
        costs=costs,
        attribution=attribution,
        attribution_conflicts=conflicts,
        retried_call_ids={key for key in retried if key in call_by_id},
    )


def _name(run_id: str, spans: list[SpanFact], roots: list[SpanFact], calls: list[CallFact]) -> tuple[str, str]:
    for candidates in (roots, spans):
        for key in WORKFLOW_NAME_KEYS:
            for span in candidates:
                value = span.attributes.get(key)
                if value:
                    return str(value), key
    for call in calls:
        if call.workflow_name:
            return call.workflow_name, "call"
    if roots:
        return roots[0].name or run_id, "root_span_name"
    return spans[0].name or run_id, "first_span_name"


def _outcome(spans: list[SpanFact], roots: list[SpanFact], posted: str | None) -> tuple[str, str]:
    if posted:
        return posted, "api"
    marked = [s for s in spans if s.attributes.get("finops.workflow.outcome") not in (None, "")]
    if marked:
        latest = max(marked, key=lambda s: (s.end_time, s.span_id))
        outcome = normalise_outcome(latest.attributes["finops.workflow.outcome"])
        if outcome is not None:
            return outcome, "attribute"
    if roots:
        last_root = max(roots, key=lambda s: (s.end_time, s.span_id))
        return ("failure" if last_root.status_code == ERROR_STATUS else "success"), "root_status"
    return "unknown", "none"


def _explicit_retry(span: SpanFact) -> bool:
    attributes = span.attributes
    if str(attributes.get("finops.retry", "")).lower() == "true":
        return True
    for key in ("finops.retry.attempt", "http.request.resend_count"):
        try:
            if int(attributes.get(key) or 0) >= 1:
                return True
        except (TypeError, ValueError):
            continue
    return False


def _retries(spans: Iterable[SpanFact], calls: dict[tuple[str, str], CallFact]) -> set[tuple[str, str]]:
    steps: dict[tuple[Any, ...], list[SpanFact]] = defaultdict(list)
    retried: set[tuple[str, str]] = set()
    for span in spans:
        if span.kind not in ("llm", "tool"):
            continue
        key = (span.trace_id, span.span_id)
        if _explicit_retry(span):
            retried.add(key)
        call = calls.get(key)
        what = call.model if call is not None else span.attributes.get("gen_ai.tool.name") or span.name
        steps[(span.trace_id, span.parent_span_id, span.kind, what)].append(span)
    for attempts in steps.values():
        failed_before = False
        for span in attempts:  # already in start order
            key = (span.trace_id, span.span_id)
            call = calls.get(key)
            if failed_before:
                retried.add(key)
            if span.status_code == ERROR_STATUS or (call is not None and call.error_type):
                failed_before = True
    return retried


def _attribution(roots: list[SpanFact], calls: list[CallFact]) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    root_values: dict[str, str | None] = {}
    for root in roots:
        found = read_attribution(root.attributes)
        for name in RUN_ATTRIBUTION:
            if root_values.get(name) is None:
                root_values[name] = getattr(found, name)
        if root_values.get("service_name") is None and root.service_name:
            root_values["service_name"] = root.service_name
    result: dict[str, str | None] = {}
    conflicts: dict[str, list[str]] = {}
    for name in RUN_ATTRIBUTION:
        counts: Counter[str] = Counter()
        spend: dict[str, Decimal] = defaultdict(Decimal)
        for call in calls:
            value = call.attribution.get(name)
            if value is not None:
                counts[value] += 1
                spend[value] += call.costs[-1] if call.costs is not None else Decimal(0)
        if len(counts) > 1:
            conflicts[name] = sorted(counts)
        if root_values.get(name) is not None:
            result[name] = root_values[name]
        elif counts:
            result[name] = min(counts, key=lambda v: (-counts[v], -spend[v], v))
        else:
            result[name] = None
    return result, conflicts
