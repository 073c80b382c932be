"""OTLP/HTTP wire formats: request decoding, response and status encoding (pure).

Follows open-telemetry/opentelemetry-proto docs/specification.md: binary protobuf or the OTLP JSON
mapping (hex trace/span ids, integer or named enums, int64 as string or number, unknown fields
ignored); the response uses the request's encoding.
"""

from __future__ import annotations

import base64
import zlib
from enum import StrEnum
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from finops.errors import FinopsError


class WireFormat(StrEnum):
    PROTOBUF = "application/x-protobuf"
    JSON = "application/json"


class BadRequest(FinopsError):
    """The body cannot be decoded at all (answered 400 with a google.rpc.Status)."""


class BodyTooLarge(FinopsError):
    """The body, compressed or not, exceeds the configured limit (answered 413)."""


class UnsupportedMediaType(FinopsError):
    """Content type or encoding finops does not speak (answered 415)."""


# google.rpc.Code values used in Status messages
RPC_INVALID_ARGUMENT = 3
RPC_RESOURCE_EXHAUSTED = 8
RPC_UNAUTHENTICATED = 16
RPC_UNAVAILABLE = 14
RPC_INTERNAL = 13


def parse_content_type(header: str | None) -> WireFormat:
    media_type = (header or "").split(";", 1)[0].strip().lower()
    if media_type in ("application/x-protobuf", "application/protobuf"):
        return WireFormat.PROTOBUF
    if media_type == "application/json":
        return WireFormat.JSON
    raise UnsupportedMediaType(
        f"unsupported content type {media_type or '(none)'!r}: send application/x-protobuf or application/json"
    )


def decompress(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo Content-Encoding, refusing to inflate past `limit` bytes (gzip bombs)."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "deflate"):
        raise UnsupportedMediaType(f"unsupported content encoding {encoding!r}: send gzip or none")
    # wbits 47 accepts gzip and zlib headers alike; max_length stops inflation at the limit.
    inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise BadRequest(f"body is not valid {encoding} data: {exc}") from exc
    if len(data) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(f"decompressed body exceeds the limit of {limit} bytes")
    if not inflater.eof:
        raise BadRequest(f"{encoding} body is truncated")
    return data


def decode_request(body: bytes, wire_format: WireFormat) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    if wire_format is WireFormat.PROTOBUF:
        try:
            request.ParseFromString(body)
        except ProtobufDecodeError as exc:
            raise BadRequest(f"body is not a valid ExportTraceServiceRequest protobuf: {exc}") from exc
        return request
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise BadRequest("JSON body must be an object with a resourceSpans array")
    _hex_ids_to_base64(document)
    try:
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise BadRequest(f"JSON body does not follow the OTLP JSON mapping: {exc}") from exc
    return request


_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP JSON carries ids as hex, protobuf's JSON mapping expects base64: convert in place.

    An id that is not valid hex becomes empty, so that span alone is rejected as invalid.
    """
    for resource_spans in _list(document, "resourceSpans", "resource_spans"):
        for scope_spans in _list(resource_spans, "scopeSpans", "scope_spans"):
            for span in _list(scope_spans, "spans"):
                if not isinstance(span, dict):
                    continue
                _convert_ids(span)
                for link in _list(span, "links"):
                    if isinstance(link, dict):
                        _convert_ids(link)


def _list(container: Any, *names: str) -> list[Any]:
    if not isinstance(container, dict):
        return []
    for name in names:
        value = container.get(name)
        if isinstance(value, list):
            return value
    return []


def _convert_ids(obj: dict[str, Any]) -> None:
    for name in _ID_FIELDS:
        value = obj.get(name)
        if isinstance(value, str):
            try:
                raw = bytes.fromhex(value)
            except ValueError:
                raw = b""
            obj[name] = base64.b64encode(raw).decode()


def encode_response(wire_format: WireFormat, rejected_spans: int, error_message: str) -> bytes:
    response = ExportTraceServiceResponse()
    if rejected_spans or error_message:
        response.partial_success.rejected_spans = rejected_spans
        response.partial_success.error_message = error_message
    if wire_format is WireFormat.PROTOBUF:
        return response.SerializeToString()
    if not (rejected_spans or error_message):
        return b"{}"
    # int64 fields go out as JSON numbers here, which the OTLP JSON mapping allows.
    return orjson.dumps({"partialSuccess": {"rejectedSpans": rejected_spans, "errorMessage": error_message}})


def encode_status(wire_format: WireFormat, code: int, message: str) -> bytes:
    status = status_pb2.Status(code=code, message=message)
    if wire_format is WireFormat.PROTOBUF:
        return status.SerializeToString()
    return orjson.dumps({"code": code, "message": message})
