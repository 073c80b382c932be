"""Flatten an ExportTraceServiceRequest into SpanViews with plain Python attribute values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from finops.ingest.records import AttributeValue, InvalidSpan, ResourceView, SpanView

TRACE_ID_BYTES = 16
SPAN_ID_BYTES = 8
# Timestamps past this (2200-01-01) are clock bugs, not telemetry.
MAX_UNIX_NANOS = 7_258_118_400 * 10**9


# Oneof members whose Python value is used as is; the common case, so read them without dispatch.
_SCALAR_FIELDS = frozenset({"string_value", "int_value", "double_value", "bool_value"})


def any_value(value: AnyValue) -> AttributeValue:
    which = value.WhichOneof("value")
    if which in _SCALAR_FIELDS:
        return getattr(value, which)
    if which == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    if which == "bytes_value":
        return value.bytes_value.hex()  # JSON has no bytes; hex keeps them readable and exact
    return None


def attributes_dict(key_values: Any) -> dict[str, AttributeValue]:
    # any_value inlined for scalars: this runs for every attribute of every span.
    result: dict[str, AttributeValue] = {}
    for kv in key_values:
        value = kv.value
        which = value.WhichOneof("value")
        result[kv.key] = getattr(value, which) if which in _SCALAR_FIELDS else any_value(value)
    return result


def resource_hash(attributes: dict[str, AttributeValue]) -> int:
    digest = hashlib.blake2b(orjson.dumps(attributes, option=orjson.OPT_SORT_KEYS), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def iter_spans(request: ExportTraceServiceRequest) -> Iterator[SpanView | InvalidSpan]:
    """Yield every span as a SpanView, or an InvalidSpan error for one that cannot be stored."""
    for resource_spans in request.resource_spans:
        attributes = attributes_dict(resource_spans.resource.attributes)
        resource = ResourceView(attributes=attributes, resource_hash=resource_hash(attributes))
        for scope_spans in resource_spans.scope_spans:
            scope_name = scope_spans.scope.name
            for span in scope_spans.spans:
                try:
                    yield _span_view(span, resource, scope_name)
                except InvalidSpan as exc:
                    yield exc


def _span_view(span: Any, resource: ResourceView, scope_name: str) -> SpanView:
    # Each protobuf field read builds a new Python object, so every field is read once.
    span_name = span.name
    trace_id, span_id = span.trace_id, span.span_id
    name = span_name or "(unnamed)"
    if len(trace_id) != TRACE_ID_BYTES or not any(trace_id):
        raise InvalidSpan(f"span {name!r}: invalid trace_id, expected 16 non-zero bytes (32 hex characters)")
    if len(span_id) != SPAN_ID_BYTES or not any(span_id):
        raise InvalidSpan(f"span {name!r}: invalid span_id, expected 8 non-zero bytes (16 hex characters)")
    parent = span.parent_span_id
    if parent and (len(parent) != SPAN_ID_BYTES or not any(parent)):
        raise InvalidSpan(f"span {name!r}: invalid parent_span_id, expected 8 bytes or none")
    start, end = span.start_time_unix_nano, span.end_time_unix_nano
    if start == 0:
        raise InvalidSpan(f"span {name!r}: missing start_time_unix_nano")
    if end < start:
        raise InvalidSpan(f"span {name!r}: end_time_unix_nano is before start_time_unix_nano")
    if end > MAX_UNIX_NANOS:
        raise InvalidSpan(f"span {name!r}: timestamp beyond the year 2200")
    exception_type = None
    for event in span.events:
        if event.name == "exception":
            for kv in event.attributes:
                if kv.key == "exception.type":
                    exception_type = kv.value.string_value or None
            break
    status = span.status
    return SpanView(
        trace_id=trace_id.hex(),
        span_id=span_id.hex(),
        parent_span_id=parent.hex() if parent else None,
        name=span_name,
        otel_kind=span.kind,
        start_ns=start,
        end_ns=end,
        status_code=status.code,
        status_message=status.message,
        attributes=attributes_dict(span.attributes),
        resource=resource,
        scope_name=scope_name,
        exception_type=exception_type,
    )
