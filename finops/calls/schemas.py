"""JSON shapes of /api/v1/calls."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from finops.ingest.models import LlmCall


class TokensOut(BaseModel):
    input: int = Field(description="Uncached input tokens")
    cache_read: int
    cache_write: int = Field(description="Cache writes with the default (5-minute) TTL")
    cache_write_1h: int = Field(description="Cache writes with a 1-hour TTL")
    output: int = Field(description="Output tokens that are not reasoning")
    reasoning: int
    total: int


class CostOut(BaseModel):
    """Our cost of the call per bucket, from the price version in force at its start."""

    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal
    output: Decimal
    reasoning: Decimal
    request_fee: Decimal
    total: Decimal
    currency: str | None
    price_version_id: int | None
    tier: str | None = Field(description="'standard' or 'long_context'")


class AttributionOut(BaseModel):
    workflow_name: str | None
    workflow_id: str | None
    agent_name: str | None
    team: str | None
    cost_center: str | None
    feature: str | None
    customer: str | None
    user_id: str | None
    session_id: str | None
    environment: str | None
    service_name: str | None


class CallOut(BaseModel):
    trace_id: str
    span_id: str
    parent_span_id: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    provider: str | None
    model: str | None
    request_model: str | None
    response_model: str | None
    operation: str | None
    tokens: TokensOut
    attribution: AttributionOut
    dialect: str = Field(description="Instrumentation dialect the token counts were read in")
    sources: dict[str, str] = Field(
        description="Attribute each value was read from; 'span:', 'ancestor:' or 'resource:' for attribution"
    )
    usage_raw: dict[str, Any] = Field(description="Usage and cost attributes exactly as sent")
    cost: CostOut | None = Field(description="Null when no price matched: the call is unpriced, not free")
    reported_cost: Decimal | None = Field(description="Cost the instrumentation reported, if any")
    max_tokens: int | None
    finish_reasons: list[str] | None
    error_type: str | None
    is_batch: bool

    @classmethod
    def from_row(cls, call: LlmCall) -> CallOut:
        tokens = TokensOut(
            input=call.input_tokens,
            cache_read=call.cache_read_tokens,
            cache_write=call.cache_write_tokens,
            cache_write_1h=call.cache_write_1h_tokens,
            output=call.output_tokens,
            reasoning=call.reasoning_tokens,
            total=call.input_tokens
            + call.cache_read_tokens
            + call.cache_write_tokens
            + call.cache_write_1h_tokens
            + call.output_tokens
            + call.reasoning_tokens,
        )
        attribution = AttributionOut.model_validate(call, from_attributes=True)
        cost = None
        if call.cost_total is not None:
            cost = CostOut(
                input=call.cost_input, cache_read=call.cost_cache_read, cache_write=call.cost_cache_write,
                cache_write_1h=call.cost_cache_write_1h, output=call.cost_output, reasoning=call.cost_reasoning,
                request_fee=call.cost_request_fee, total=call.cost_total, currency=call.currency,
                price_version_id=call.price_version_id, tier=call.price_tier,
            )  # fmt: skip
        return cls(
            trace_id=call.trace_id,
            span_id=call.span_id,
            parent_span_id=call.parent_span_id,
            start_time=call.start_time,
            end_time=call.end_time,
            duration_ms=(call.end_time - call.start_time).total_seconds() * 1000,
            provider=call.provider,
            model=call.model,
            request_model=call.request_model,
            response_model=call.response_model,
            operation=call.operation,
            tokens=tokens,
            attribution=attribution,
            dialect=call.dialect,
            sources=call.sources,
            usage_raw=call.usage_raw,
            cost=cost,
            reported_cost=call.reported_cost,
            max_tokens=call.max_tokens,
            finish_reasons=call.finish_reasons,
            error_type=call.error_type,
            is_batch=call.is_batch,
        )


class CallsPage(BaseModel):
    items: list[CallOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= to get the next (older) page")
