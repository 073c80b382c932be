"""What a span is to finops: one priced LLM call, an aggregate (agent, workflow, tool) or other.

Every dialect gives at most one explicit signal (precedence genai > openinference > traceloop > langfuse):

| attribute                       | value                                        | kind                    |
|---------------------------------|----------------------------------------------|-------------------------|
| gen_ai.operation.name           | chat, generate_content, text_completion,     | LLM                     |
|                                 | embeddings (legacy: completion, embedding)   |                         |
|                                 | invoke_agent, create_agent                   | AGENT                   |
|                                 | invoke_workflow                              | WORKFLOW                |
|                                 | execute_tool                                 | TOOL                    |
| openinference.span.kind         | LLM, EMBEDDING                               | LLM                     |
|                                 | AGENT / CHAIN / TOOL                         | AGENT / WORKFLOW / TOOL |
|                                 | RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR,   | OTHER                   |
|                                 | PROMPT                                       |                         |
| traceloop.span.kind             | agent / workflow / tool                      | AGENT / WORKFLOW / TOOL |
|                                 | task (a workflow step, not a run of its own) | OTHER                   |
| llm.request.type (Traceloop),   | chat, completion, embedding, rerank          | LLM                     |
| unless traceloop.span.kind set  |                                              |                         |
| langfuse.observation.type       | generation, embedding                        | LLM                     |
|                                 | agent / chain / tool                         | AGENT / WORKFLOW / TOOL |
|                                 | span, event, retriever, evaluator, guardrail | OTHER                   |

Resolution: an aggregate signal from any dialect wins (the first by precedence when several), because
agent and workflow spans often carry usage summed from their children and pricing them would count
those tokens twice. Otherwise an LLM signal wins, then an explicit OTHER. With no signal at all, a span
with a model attribute and a token count is taken as an LLM call (instrumentations that set neither
operation nor kind); anything else is OTHER.
"""

from __future__ import annotations

from collections.abc import Callable

from finops.ingest.dialects import genai, langfuse, openinference, traceloop
from finops.ingest.dialects.tokens import TOKEN_ATTRIBUTE_KEYS
from finops.ingest.dialects.values import Attributes, text
from finops.ingest.records import SpanKind, SpanView

MODEL_KEYS = (
    genai.RESPONSE_MODEL_KEY,
    genai.REQUEST_MODEL_KEY,
    *openinference.MODEL_KEYS,
    langfuse.MODEL_KEY,
)
_TOTAL_KEYS = ("gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total")
_AGGREGATES = frozenset({SpanKind.AGENT, SpanKind.WORKFLOW, SpanKind.TOOL})

DIALECT_SIGNALS: tuple[tuple[str, Callable[[Attributes], SpanKind | None]], ...] = (
    ("genai", genai.span_kind),
    ("openinference", openinference.span_kind),
    ("traceloop", traceloop.span_kind),
    ("langfuse", langfuse.span_kind),
)


def classify_span(span: SpanView) -> SpanKind:
    attributes = span.attributes
    signals = [kind for _, read in DIALECT_SIGNALS if (kind := read(attributes)) is not None]
    for kind in signals:
        if kind in _AGGREGATES:
            return kind
    if SpanKind.LLM in signals:
        return SpanKind.LLM
    if signals:
        return SpanKind.OTHER
    if _has_model(attributes) and _has_usage(attributes):
        return SpanKind.LLM
    return SpanKind.OTHER


def llm_signal_dialect(attributes: Attributes) -> str | None:
    """The first dialect that marks the span as an LLM call explicitly."""
    for dialect, read in DIALECT_SIGNALS:
        if read(attributes) == SpanKind.LLM:
            return dialect
    return None


def _has_model(attributes: Attributes) -> bool:
    return any(text(attributes.get(key)) is not None for key in MODEL_KEYS)


def _has_usage(attributes: Attributes) -> bool:
    if any(attributes.get(key) is not None for key in TOKEN_ATTRIBUTE_KEYS):
        return True
    if any(attributes.get(key) is not None for key in _TOTAL_KEYS):
        return True
    return bool(attributes.get(langfuse.USAGE_KEY))
