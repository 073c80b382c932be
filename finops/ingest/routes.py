"""POST /v1/traces: the OTLP/HTTP trace receiver."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from finops.api import metrics
from finops.api.auth import presented_key
from finops.errors import AuthError, DatabaseUnavailable, WriterSaturated
from finops.ingest import otlp
from finops.ingest.normalise import IngestLimits, NormalisedBatch, normalise_request
from finops.ingest.otlp import BadRequest, BodyTooLarge, UnsupportedMediaType, WireFormat
from finops.pricing.matching import PriceBook

log = logging.getLogger(__name__)
router = APIRouter()

# Above this size decoding runs in a worker thread so the event loop keeps answering other requests.
_THREAD_DECODE_BYTES = 1024 * 1024


@router.post(
    "/v1/traces",
    summary="OTLP/HTTP trace export (protobuf or JSON, optionally gzip)",
    response_class=Response,
    tags=["ingest"],
)
async def export_traces(request: Request) -> Response:
    state = request.app.state
    settings = state.settings
    try:
        wire_format = otlp.parse_content_type(request.headers.get("content-type"))
    except UnsupportedMediaType as exc:
        return _status(WireFormat.JSON, 415, otlp.RPC_INVALID_ARGUMENT, str(exc))
    try:
        project_id = await state.authenticator.project_id(presented_key(request.headers))
        body = await _read_body(request, settings.max_body_bytes)
        body = otlp.decompress(body, request.headers.get("content-encoding"), settings.max_body_bytes)
        limits = IngestLimits(settings.max_tokens_per_call, settings.max_attribute_chars)
        prices = state.prices.book
        if len(body) > _THREAD_DECODE_BYTES:
            batch = await run_in_threadpool(_decode, body, wire_format, project_id, limits, prices)
        else:
            batch = _decode(body, wire_format, project_id, limits, prices)
    except AuthError as exc:
        return _status(wire_format, 401, otlp.RPC_UNAUTHENTICATED, str(exc), {"WWW-Authenticate": "Bearer"})
    except UnsupportedMediaType as exc:
        return _status(wire_format, 415, otlp.RPC_INVALID_ARGUMENT, str(exc))
    except BodyTooLarge as exc:
        return _status(wire_format, 413, otlp.RPC_INVALID_ARGUMENT, str(exc))
    except BadRequest as exc:
        return _status(wire_format, 400, otlp.RPC_INVALID_ARGUMENT, str(exc))
    except DatabaseUnavailable as exc:
        return _unavailable(wire_format, str(exc), settings.retry_after_seconds)

    try:
        await state.writer.write(project_id, batch)
    except (WriterSaturated, DatabaseUnavailable) as exc:
        return _unavailable(wire_format, str(exc), settings.retry_after_seconds)
    metrics.EXPORT_REQUESTS.labels("200").inc()
    metrics.SPANS_RECEIVED.inc(batch.received_spans)
    metrics.SPANS_REJECTED.inc(batch.rejected_spans)
    if batch.rejected_spans:
        log.info("project %s: %s", project_id, batch.error_message())
    body = otlp.encode_response(wire_format, batch.rejected_spans, batch.error_message())
    return Response(body, status_code=200, media_type=wire_format.value)


def _decode(
    body: bytes, wire_format: WireFormat, project_id: int, limits: IngestLimits, prices: PriceBook
) -> NormalisedBatch:
    return normalise_request(otlp.decode_request(body, wire_format), project_id, limits, prices)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"body of {declared} bytes exceeds the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _status(
    wire_format: WireFormat, http_status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    metrics.EXPORT_REQUESTS.labels(str(http_status)).inc()
    return Response(
        otlp.encode_status(wire_format, code, message),
        status_code=http_status,
        media_type=wire_format.value,
        headers=headers,
    )


def _unavailable(wire_format: WireFormat, reason: str, retry_after: int) -> Response:
    # 503 + Retry-After is what OTLP exporters treat as "keep the data and retry".
    message = f"{reason}; retry later"
    return _status(wire_format, 503, otlp.RPC_UNAVAILABLE, message, {"Retry-After": str(retry_after)})
