"""Plain data passed between the decoding, normalising and writing stages of ingestion.

Nothing here does I/O: the receiver turns OTLP into `SpanView`s, the dialects turn each view into a
`SpanRecord` (and a `CallRecord` for an LLM call), and the writer copies those rows into Postgres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

AttributeValue = str | bool | int | float | bytes | list[Any] | dict[str, Any] | None


class SpanKind(StrEnum):
    """What a span is to finops (not the OTel SpanKind, which says client/server)."""

    LLM = "llm"  # one priced model call (chat, completion, embeddings, ...)
    AGENT = "agent"  # an agent invocation; may carry usage aggregated from its LLM children
    TOOL = "tool"  # a tool execution
    WORKFLOW = "workflow"  # an explicit workflow/chain span; may carry aggregated usage too
    OTHER = "other"  # anything else (HTTP, DB, ...), kept when its trace has GenAI activity


@dataclass(slots=True, frozen=True)
class ResourceView:
    attributes: dict[str, AttributeValue]
    # Stable 63-bit hash of the attributes, so identical resources are stored once per project.
    resource_hash: int


@dataclass(slots=True)
class SpanView:
    """One decoded OTLP span with its attributes already turned into Python values."""

    trace_id: str  # lowercase hex, 32 chars when valid
    span_id: str  # lowercase hex, 16 chars when valid
    parent_span_id: str | None  # None for a root span
    name: str
    otel_kind: int  # OTLP SpanKind enum value
    start_ns: int
    end_ns: int
    status_code: int  # OTLP StatusCode: 0 unset, 1 ok, 2 error
    status_message: str
    attributes: dict[str, AttributeValue]
    resource: ResourceView
    scope_name: str = ""
    # exception.type of the first "exception" event, when the span recorded one
    exception_type: str | None = None


@dataclass(slots=True)
class TokenBuckets:
    """Exclusive token buckets: their sum is every token the provider billed for the call.

    input:           uncached input tokens (neither read from nor written to a prompt cache)
    cache_read:      input tokens served from the provider's prompt cache
    cache_write:     input tokens written to the cache (5-minute / default TTL)
    cache_write_1h:  input tokens written to the cache with a 1-hour TTL
    output:          output tokens that are not reasoning tokens
    reasoning:       reasoning / thinking output tokens
    """

    input: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0
    output: int = 0
    reasoning: int = 0

    @property
    def total(self) -> int:
        return self.input + self.cache_read + self.cache_write + self.cache_write_1h + self.output + self.reasoning


@dataclass(slots=True)
class Attribution:
    """Who and what a call belongs to; `sources` names the attribute each value was read from."""

    workflow_name: str | None = None
    workflow_id: str | None = None
    agent_name: str | None = None
    team: str | None = None
    cost_center: str | None = None
    feature: str | None = None
    customer: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    environment: str | None = None
    service_name: str | None = None
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CallRecord:
    """One LLM call, normalised from whatever dialect its span spoke."""

    provider: str | None
    model: str | None  # response model when reported, else request model
    request_model: str | None
    response_model: str | None
    operation: str | None
    tokens: TokenBuckets
    # Usage attributes exactly as sent (attribute key -> value), so nothing is lost by normalising.
    usage_raw: dict[str, AttributeValue]
    # Field -> attribute key it came from, e.g. {"cache_read": "gen_ai.usage.cache_read.input_tokens"}.
    sources: dict[str, str]
    dialect: str  # "genai", "openinference", "traceloop", "openlit", "langfuse" or "finops"
    reported_cost: Decimal | None = None  # cost the SDK computed, kept beside ours
    max_tokens: int | None = None
    finish_reasons: list[str] | None = None
    error_type: str | None = None
    is_batch: bool = False


class InvalidSpan(ValueError):
    """A span that cannot be stored; it is rejected alone and the rest of its request is kept."""
