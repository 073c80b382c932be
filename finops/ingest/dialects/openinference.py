"""OpenInference (Arize Phoenix) attributes.

`llm.token_count.prompt` includes cached tokens and `llm.token_count.completion` includes reasoning,
as in OTel GenAI. Cost may be reported by the SDK under `llm.cost.*`.
"""

from __future__ import annotations

from decimal import Decimal

from finops.ingest.dialects.values import Attributes, decimal_value, json_object, lenient_int, text
from finops.ingest.records import SpanKind

KIND_KEY = "openinference.span.kind"
MODEL_KEYS = ("llm.model_name", "embedding.model_name")
INVOCATION_PARAMETERS_KEY = "llm.invocation_parameters"

TOKEN_KEYS: dict[str, tuple[str, ...]] = {
    "input": ("llm.token_count.prompt",),
    "output": ("llm.token_count.completion",),
    "cache_read": ("llm.token_count.prompt_details.cache_read",),
    "cache_write": ("llm.token_count.prompt_details.cache_write",),
    "reasoning": ("llm.token_count.completion_details.reasoning",),
}

_KINDS = {
    "LLM": SpanKind.LLM,
    "EMBEDDING": SpanKind.LLM,
    "AGENT": SpanKind.AGENT,
    "CHAIN": SpanKind.WORKFLOW,
    "TOOL": SpanKind.TOOL,
    # Explicitly not a priced call: retrieval, reranking, guardrails, evaluators, prompt templates.
    "RETRIEVER": SpanKind.OTHER,
    "RERANKER": SpanKind.OTHER,
    "GUARDRAIL": SpanKind.OTHER,
    "EVALUATOR": SpanKind.OTHER,
    "PROMPT": SpanKind.OTHER,
}
# OpenInference does not say chat vs completion; nearly every LLM span today is a chat call.
_OPERATIONS = {"LLM": "chat", "EMBEDDING": "embeddings"}


def _kind_name(attributes: Attributes) -> str | None:
    name = text(attributes.get(KIND_KEY))
    return name.upper() if name is not None else None


def span_kind(attributes: Attributes) -> SpanKind | None:
    name = _kind_name(attributes)
    return _KINDS.get(name) if name is not None else None


def operation(attributes: Attributes) -> str | None:
    name = _kind_name(attributes)
    return _OPERATIONS.get(name) if name is not None else None


def reported_cost(attributes: Attributes) -> tuple[Decimal, str] | None:
    total = decimal_value(attributes.get("llm.cost.total"))
    if total is not None:
        return total, "llm.cost.total"
    parts = [
        (amount, key)
        for key in ("llm.cost.prompt", "llm.cost.completion")
        if (amount := decimal_value(attributes.get(key))) is not None
    ]
    if not parts:
        return None
    return sum((amount for amount, _ in parts), Decimal(0)), "+".join(key for _, key in parts)


def max_tokens(attributes: Attributes) -> tuple[int, str] | None:
    params = json_object(attributes.get(INVOCATION_PARAMETERS_KEY))
    if params is None:
        return None
    for name in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
        value = lenient_int(params.get(name))
        if value is not None:
            return value, f"{INVOCATION_PARAMETERS_KEY}.{name}"
    return None
