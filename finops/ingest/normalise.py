"""Turn one decoded export request into rows for the writer (pure: no I/O).

Per request: validate each span (an invalid one is rejected alone), classify it, resolve its
attribution (the span, then its nearest ancestors in the same request, then its resource), read
LLM calls into exclusive token buckets, and shape rows in the column order the writer copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from finops.ingest.dialects import classify_span, output_chars, read_attribution, read_call
from finops.ingest.records import AttributeValue, Attribution, InvalidSpan, SpanKind, SpanView
from finops.ingest.spans import iter_spans
from finops.pricing.cost import price_call
from finops.pricing.matching import PriceBook

SPAN_COLUMNS = (
    "project_id", "trace_id", "span_id", "parent_span_id", "name", "kind", "otel_kind", "status_code",
    "status_message", "start_time", "end_time", "service_name", "scope_name", "resource_hash",
    "output_chars", "attributes",
)  # fmt: skip
CALL_COLUMNS = (
    "project_id", "trace_id", "span_id", "parent_span_id", "start_time", "end_time", "provider", "model",
    "request_model", "response_model", "operation", "input_tokens", "cache_read_tokens",
    "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "usage_raw",
    "sources", "dialect", "reported_cost", "max_tokens", "finish_reasons", "error_type", "is_batch",
    "workflow_name", "workflow_id", "agent_name", "team", "cost_center", "feature", "customer",
    "user_id", "session_id", "environment", "service_name", "cost_input", "cost_cache_read",
    "cost_cache_write", "cost_cache_write_1h", "cost_output", "cost_reasoning", "cost_request_fee",
    "cost_total", "currency", "price_version_id", "price_tier",
)  # fmt: skip
ATTRIBUTION_FIELDS = (
    "workflow_name", "workflow_id", "agent_name", "team", "cost_center", "feature", "customer",
    "user_id", "session_id", "environment", "service_name",
)  # fmt: skip

MAX_ERROR_MESSAGES = 10
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_COST = Decimal(10) ** 10  # numeric(20, 10) holds less than this
_MAX_BIGINT = 2**63 - 1
_UNPRICED: tuple[None, ...] = (None,) * 11  # cost columns of a call no price matched


@dataclass(slots=True, frozen=True)
class IngestLimits:
    max_tokens_per_call: int = 100_000_000
    max_attribute_chars: int = 4096


@dataclass(slots=True)
class NormalisedBatch:
    """Rows of one request; `span_has_genai[i]` says whether spans[i]'s trace had GenAI spans here."""

    resources: dict[int, bytes] = field(default_factory=dict)  # resource_hash -> attributes JSON
    spans: list[tuple[Any, ...]] = field(default_factory=list)
    span_has_genai: list[bool] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    received_spans: int = 0
    rejected_spans: int = 0
    errors: list[str] = field(default_factory=list)

    def reject(self, message: str) -> None:
        self.rejected_spans += 1
        if len(self.errors) < MAX_ERROR_MESSAGES:
            self.errors.append(message)

    def error_message(self) -> str:
        if not self.rejected_spans:
            return ""
        more = self.rejected_spans - len(self.errors)
        suffix = f" (and {more} more)" if more > 0 else ""
        return f"{self.rejected_spans} span(s) rejected: " + "; ".join(self.errors) + suffix


def normalise_request(
    request: ExportTraceServiceRequest, project_id: int, limits: IngestLimits, prices: PriceBook | None = None
) -> NormalisedBatch:
    """Rows for one request; calls are priced with `prices` (unpriced, cost NULL, without one)."""
    batch = NormalisedBatch()
    views: list[SpanView] = []
    for item in iter_spans(request):
        batch.received_spans += 1
        if isinstance(item, InvalidSpan):
            batch.reject(str(item))
        else:
            views.append(item)

    kinds = [classify_span(view) for view in views]
    genai_traces = {view.trace_id for view, kind in zip(views, kinds, strict=True) if kind != SpanKind.OTHER}
    resolver = AttributionResolver(views)

    for view, kind in zip(views, kinds, strict=True):
        call_row = None
        if kind == SpanKind.LLM:
            try:
                call_row = _call_row(project_id, view, resolver.resolve(view), limits, prices)
            except InvalidSpan as exc:
                batch.reject(f"span {view.name!r}: {exc}")
                continue
            batch.calls.append(call_row)
        resource = view.resource
        if resource.resource_hash not in batch.resources:
            batch.resources[resource.resource_hash] = _attributes_json(resource.attributes, limits)
        batch.spans.append(_span_row(project_id, view, kind, limits))
        batch.span_has_genai.append(view.trace_id in genai_traces)
    return batch


class AttributionResolver:
    """Attribution of a span: its own attributes, then the nearest ancestor's, then its resource's."""

    def __init__(self, views: list[SpanView]) -> None:
        self._by_id = {(view.trace_id, view.span_id): view for view in views}
        self._resolved: dict[tuple[str, str], Attribution] = {}
        self._resources: dict[int, Attribution] = {}

    def resolve(self, view: SpanView) -> Attribution:
        # Walk up to the first already-resolved ancestor (or the top), then resolve downwards;
        # iterative so deep traces cannot exhaust the stack, and cycle-safe against bad parent ids.
        chain: list[SpanView] = []
        seen: set[tuple[str, str]] = set()
        current: SpanView | None = view
        base: Attribution | None = None
        while current is not None:
            key = (current.trace_id, current.span_id)
            if key in self._resolved:
                base = self._resolved[key]
                break
            if key in seen:
                break
            seen.add(key)
            chain.append(current)
            parent_id = current.parent_span_id
            current = self._by_id.get((current.trace_id, parent_id)) if parent_id else None
        for position, span in enumerate(reversed(chain)):
            own = read_attribution(span.attributes)
            inherited = base if base is not None else self._resource(span)
            is_top = position == 0 and base is None
            base = _merge(own, inherited, inherited_prefix=None if is_top else "ancestor")
            self._resolved[(span.trace_id, span.span_id)] = base
        assert base is not None
        return base

    def _resource(self, view: SpanView) -> Attribution:
        cached = self._resources.get(view.resource.resource_hash)
        if cached is None:
            found = read_attribution(view.resource.attributes)
            found.sources = {name: f"resource:{key}" for name, key in found.sources.items()}
            cached = self._resources[view.resource.resource_hash] = found
        return cached


def _merge(own: Attribution, inherited: Attribution, inherited_prefix: str | None) -> Attribution:
    merged = Attribution()
    sources: dict[str, str] = {}
    own_sources, inherited_sources = own.sources, inherited.sources
    for name in ATTRIBUTION_FIELDS:
        value = getattr(own, name)
        if value is not None:
            sources[name] = f"span:{own_sources.get(name, name)}"
        else:
            value = getattr(inherited, name)
            if value is None:
                continue  # a new Attribution already holds None
            source = inherited_sources.get(name, name)
            if inherited_prefix and source.startswith("span:"):
                source = f"{inherited_prefix}:{source[5:]}"
            sources[name] = source
        setattr(merged, name, value)
    merged.sources = sources
    return merged


def to_datetime(unix_nanos: int) -> datetime:
    return _EPOCH + timedelta(microseconds=unix_nanos // 1000)


def clean_text(value: str | None) -> str | None:
    """Postgres text cannot hold NUL characters."""
    if value is None:
        return None
    return value.replace("\x00", "") if "\x00" in value else value


def _truncate(value: AttributeValue, limit: int) -> AttributeValue:
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        if len(value) > limit:
            return f"{value[:limit]}…[truncated {len(value) - limit} chars]"
        return value
    if isinstance(value, list | dict):
        encoded = orjson.dumps(value)
        if len(encoded) > limit or b"\\u0000" in encoded:
            text = encoded.decode().replace("\\u0000", "")
            return _truncate(text, limit)
    return value


def _attributes_json(attributes: dict[str, AttributeValue], limits: IngestLimits) -> bytes:
    limit = limits.max_attribute_chars
    # Fast path for the usual small, NUL-free dict. If the whole document fits in `limit`, so does
    # every string and every list/dict value's JSON (both are substrings of it), and a NUL anywhere
    # in a key or value shows as \u0000: then _truncate and clean_text change nothing and the
    # document is exactly what the general path would produce. Anything else (including a value
    # orjson refuses) takes the general path, which behaves as it always has.
    try:
        encoded = orjson.dumps(attributes)
    except orjson.JSONEncodeError:
        pass
    else:
        if len(encoded) <= limit and b"\\u0000" not in encoded:
            return encoded
    trimmed = {clean_text(key) or "": _truncate(value, limit) for key, value in attributes.items()}
    return orjson.dumps(trimmed)


def _span_row(project_id: int, view: SpanView, kind: SpanKind, limits: IngestLimits) -> tuple[Any, ...]:
    service = view.resource.attributes.get("service.name")
    chars = output_chars(view)
    return (
        project_id,
        view.trace_id,
        view.span_id,
        view.parent_span_id,
        clean_text(view.name),
        kind.value,
        view.otel_kind,
        view.status_code,
        clean_text(view.status_message) or None,
        to_datetime(view.start_ns),
        to_datetime(view.end_ns),
        clean_text(str(service)) if service is not None else None,
        clean_text(view.scope_name) or None,
        view.resource.resource_hash,
        min(chars, 2**31 - 1) if chars is not None else None,
        _attributes_json(view.attributes, limits),
    )


def _call_row(
    project_id: int, view: SpanView, attribution: Attribution, limits: IngestLimits, prices: PriceBook | None
) -> tuple[Any, ...]:
    call = read_call(view, max_tokens_per_call=limits.max_tokens_per_call)
    start = to_datetime(view.start_ns)
    version = prices.lookup(project_id, call.provider, call.model, start) if prices is not None else None
    if version is not None:
        cost = price_call(call.tokens, version, is_batch=call.is_batch)
        costs: tuple[Any, ...] = (
            cost.input, cost.cache_read, cost.cache_write, cost.cache_write_1h, cost.output, cost.reasoning,
            cost.request_fee, cost.total, version.currency, version.id, cost.tier,
        )  # fmt: skip
    else:
        costs = _UNPRICED
    tokens = call.tokens
    cost = call.reported_cost
    if cost is not None and (not cost.is_finite() or abs(cost) >= _MAX_COST):
        cost = None
    max_tokens = call.max_tokens if call.max_tokens is not None and 0 <= call.max_tokens <= _MAX_BIGINT else None
    sources = dict(call.sources)
    sources.update(attribution.sources)
    return (
        project_id,
        view.trace_id,
        view.span_id,
        view.parent_span_id,
        start,
        to_datetime(view.end_ns),
        clean_text(call.provider),
        clean_text(call.model),
        clean_text(call.request_model),
        clean_text(call.response_model),
        clean_text(call.operation),
        tokens.input,
        tokens.cache_read,
        tokens.cache_write,
        tokens.cache_write_1h,
        tokens.output,
        tokens.reasoning,
        _attributes_json(call.usage_raw, limits),
        orjson.dumps(sources),
        call.dialect,
        cost,
        max_tokens,
        [clean_text(reason) or "" for reason in call.finish_reasons] if call.finish_reasons else None,
        clean_text(call.error_type),
        call.is_batch,
        *[clean_text(getattr(attribution, name)) for name in ATTRIBUTION_FIELDS],
        *costs,
    )
