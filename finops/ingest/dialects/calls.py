"""One LLM span, in whatever dialect, read into a `CallRecord`.

Field sources, first present wins:

- provider: gen_ai.provider.name, gen_ai.system, llm.provider, llm.system (normalised, providers.py)
- model: gen_ai.response.model, gen_ai.request.model, llm.model_name, embedding.model_name,
  langfuse.observation.model.name; request_model / response_model only from the gen_ai names
- operation: gen_ai.operation.name, llm.request.type, openinference.span.kind, langfuse.observation.type
- tokens: tokens.py
- reported_cost: finops.reported_cost, gen_ai.usage.cost (OpenLIT), llm.cost.total (else prompt +
  completion), langfuse.observation.cost_details (total, else the sum of its values)
- max_tokens: gen_ai.request.max_tokens, llm.request.max_tokens, llm.invocation_parameters JSON
- finish_reasons: gen_ai.response.finish_reasons, llm.response.finish_reason
- error_type: error.type, the span's exception event type, "error" for an error status
- is_batch: finops.batch, or an OpenAI service tier of "batch"

A cost the SDK reported is informational (we price calls ourselves), so a malformed one is ignored and
stays visible in usage_raw; a malformed token count rejects the span, because it would misprice it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from decimal import Decimal

from finops.ingest.dialects import finops_attrs, genai, langfuse, openinference, openlit, traceloop
from finops.ingest.dialects.classify import MODEL_KEYS, llm_signal_dialect
from finops.ingest.dialects.providers import read_provider
from finops.ingest.dialects.tokens import read_tokens
from finops.ingest.dialects.values import (
    MAX_TOKENS_PER_CALL,
    Attributes,
    first_text,
    lenient_int,
    text,
)
from finops.ingest.records import AttributeValue, CallRecord, SpanView

STATUS_ERROR = 2
_USAGE_PREFIXES = ("gen_ai.usage.", "llm.token_count.", "llm.usage.", "llm.cost.", "finops.usage.")
_USAGE_KEYS = frozenset({langfuse.USAGE_KEY, langfuse.COST_KEY, finops_attrs.REPORTED_COST_KEY})
_MODEL_DIALECTS = {
    "llm.model_name": "openinference",
    "embedding.model_name": "openinference",
    langfuse.MODEL_KEY: "langfuse",
}
_OPERATION_READERS: tuple[tuple[str, Callable[[Attributes], str | None]], ...] = (
    (genai.OPERATION_KEY, genai.operation),
    (traceloop.REQUEST_TYPE_KEY, traceloop.operation),
    (openinference.KIND_KEY, openinference.operation),
    (langfuse.TYPE_KEY, langfuse.operation),
)
_COST_READERS: tuple[Callable[[Attributes], tuple[Decimal, str] | None], ...] = (
    finops_attrs.reported_cost,
    openlit.reported_cost,
    openinference.reported_cost,
    langfuse.reported_cost,
)


def read_call(span: SpanView, *, max_tokens_per_call: int = MAX_TOKENS_PER_CALL) -> CallRecord:
    """Normalise one LLM span; raises InvalidSpan for a token count that would misprice it."""
    attributes = span.attributes
    sources: dict[str, str] = {}

    provider = None
    if (found := read_provider(attributes)) is not None:
        provider, sources["provider"] = found
    is_openlit = openlit.is_openlit(span.resource.attributes)
    reading = read_tokens(
        attributes,
        max_tokens_per_call,
        input_excludes_cache=is_openlit and openlit.input_excludes_cache(provider),
    )
    sources.update(reading.sources)

    model = None
    model_key = None
    if (found := first_text(attributes, MODEL_KEYS)) is not None:
        model, model_key = found
        sources["model"] = model_key
    operation = _operation(attributes, sources)
    reported_cost = _reported_cost(attributes, sources)
    max_tokens = _max_tokens(attributes, sources)
    finish_reasons = _finish_reasons(attributes, sources)
    error_type = _error_type(span, sources)
    batch_key = finops_attrs.batch(attributes)
    if batch_key is not None:
        sources["is_batch"] = batch_key

    base = reading.dialect or _MODEL_DIALECTS.get(model_key or "")
    if base is None:
        base = "genai" if model_key else (llm_signal_dialect(attributes) or "genai")
    return CallRecord(
        provider=provider,
        model=model,
        request_model=text(attributes.get(genai.REQUEST_MODEL_KEY)),
        response_model=text(attributes.get(genai.RESPONSE_MODEL_KEY)),
        operation=operation,
        tokens=reading.buckets,
        usage_raw=usage_raw(attributes),
        sources=sources,
        dialect=_refine_dialect(base, attributes, is_openlit),
        reported_cost=reported_cost,
        max_tokens=max_tokens,
        finish_reasons=finish_reasons,
        error_type=error_type,
        is_batch=batch_key is not None,
    )


def usage_raw(attributes: Attributes) -> dict[str, AttributeValue]:
    """Every usage- or cost-related attribute exactly as sent."""
    return {key: value for key, value in attributes.items() if key.startswith(_USAGE_PREFIXES) or key in _USAGE_KEYS}


def _refine_dialect(base: str, attributes: Attributes, is_openlit: bool) -> str:
    # OpenLIT and OpenLLMetry write the OTel names too; the dialect records who actually sent them.
    if base in {"genai", "traceloop"} and is_openlit:
        return "openlit"
    if base == "genai" and traceloop.is_traceloop(attributes):
        return "traceloop"
    return base


def _operation(attributes: Attributes, sources: dict[str, str]) -> str | None:
    for key, read in _OPERATION_READERS:
        name = read(attributes)
        if name is not None:
            sources["operation"] = key
            return name
    return None


def _reported_cost(attributes: Attributes, sources: dict[str, str]) -> Decimal | None:
    for read in _COST_READERS:
        found = read(attributes)
        if found is not None:
            amount, sources["reported_cost"] = found
            return amount
    return None


def _max_tokens(attributes: Attributes, sources: dict[str, str]) -> int | None:
    for key in (genai.MAX_TOKENS_KEY, traceloop.MAX_TOKENS_KEY):
        value = lenient_int(attributes.get(key))
        if value is not None:
            sources["max_tokens"] = key
            return value
    found = openinference.max_tokens(attributes)
    if found is None:
        return None
    value, sources["max_tokens"] = found
    return value


def _finish_reasons(attributes: Attributes, sources: dict[str, str]) -> list[str] | None:
    for key in (genai.FINISH_REASONS_KEY, traceloop.FINISH_REASON_KEY):
        reasons = _reason_list(attributes.get(key))
        if reasons:
            sources["finish_reasons"] = key
            return reasons
    return None


def _reason_list(value: AttributeValue) -> list[str]:
    if isinstance(value, str) and value.lstrip().startswith("["):
        # Some SDKs flatten the array to its JSON text.
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    items = value if isinstance(value, list) else [value]
    return [reason for item in items if (reason := text(item)) is not None]


def _error_type(span: SpanView, sources: dict[str, str]) -> str | None:
    declared = text(span.attributes.get("error.type"))
    if declared is not None:
        sources["error_type"] = "error.type"
        return declared
    if span.exception_type:
        sources["error_type"] = "exception.type"
        return span.exception_type
    if span.status_code == STATUS_ERROR:
        sources["error_type"] = "status_code"
        return "error"
    return None
