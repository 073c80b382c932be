"""Traceloop / OpenLLMetry attributes.

OpenLLMetry writes its counts under `gen_ai.usage.*` (current and deprecated OTel names, read by
`genai.py`) plus a few names of its own: underscore cache names, `gen_ai.usage.reasoning_tokens`, and
in old releases `llm.usage.prompt_tokens` / `llm.usage.completion_tokens`. `llm.usage.total_tokens` is
kept raw only: a total cannot be split into buckets without inventing the split.
"""

from __future__ import annotations

from finops.ingest.dialects.values import Attributes, lower
from finops.ingest.records import SpanKind

SPAN_KIND_KEY = "traceloop.span.kind"
REQUEST_TYPE_KEY = "llm.request.type"
MAX_TOKENS_KEY = "llm.request.max_tokens"
FINISH_REASON_KEY = "llm.response.finish_reason"
_OWN_PREFIXES = ("traceloop.", "llm.usage.")

TOKEN_KEYS: dict[str, tuple[str, ...]] = {
    "input": ("llm.usage.prompt_tokens",),
    "output": ("llm.usage.completion_tokens",),
    "cache_read": ("gen_ai.usage.cache_read_input_tokens",),
    "cache_write": ("gen_ai.usage.cache_creation_input_tokens",),
    "reasoning": ("gen_ai.usage.reasoning_tokens",),
}

_SPAN_KINDS = {
    "workflow": SpanKind.WORKFLOW,
    "agent": SpanKind.AGENT,
    "tool": SpanKind.TOOL,
    # A task is a step inside a workflow: not a workflow run of its own (it would inflate workflow
    # counts) and not a model call, even when it carries usage copied from its children.
    "task": SpanKind.OTHER,
}
_REQUEST_TYPES = {
    "chat": "chat",
    "completion": "text_completion",
    "embedding": "embeddings",
    "rerank": "rerank",
}


def span_kind(attributes: Attributes) -> SpanKind | None:
    # The decorator's kind wins over llm.request.type: a workflow span may carry a request type
    # copied from its LLM child, and must not be counted as a second call.
    decorated = lower(attributes.get(SPAN_KIND_KEY))
    if decorated in _SPAN_KINDS:
        return _SPAN_KINDS[decorated]
    if lower(attributes.get(REQUEST_TYPE_KEY)) in _REQUEST_TYPES:
        return SpanKind.LLM
    return None


def operation(attributes: Attributes) -> str | None:
    request_type = lower(attributes.get(REQUEST_TYPE_KEY))
    return _REQUEST_TYPES.get(request_type) if request_type is not None else None


def is_traceloop(attributes: Attributes) -> bool:
    """Whether the span was written by OpenLLMetry (which shares the `gen_ai.usage.*` names)."""
    if REQUEST_TYPE_KEY in attributes:
        return True
    # A plain loop: a generator inside any() costs more than the test on every (genai) LLM span.
    for key in attributes:  # noqa: SIM110
        if key.startswith(_OWN_PREFIXES):
            return True
    return False
