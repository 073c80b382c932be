"""OTel GenAI semantic conventions (current names, plus the deprecated ones still in the wild).

In this convention `gen_ai.usage.input_tokens` includes cache reads and cache writes and
`gen_ai.usage.output_tokens` includes reasoning tokens; `tokens.py` turns that into exclusive buckets.
"""

from __future__ import annotations

from finops.ingest.dialects.values import Attributes, lower
from finops.ingest.records import SpanKind

OPERATION_KEY = "gen_ai.operation.name"

TOKEN_KEYS: dict[str, tuple[str, ...]] = {
    "input": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    "output": ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    "cache_read": ("gen_ai.usage.cache_read.input_tokens",),
    "cache_write": ("gen_ai.usage.cache_creation.input_tokens",),
    "reasoning": ("gen_ai.usage.reasoning.output_tokens",),
}

REQUEST_MODEL_KEY = "gen_ai.request.model"
RESPONSE_MODEL_KEY = "gen_ai.response.model"
MAX_TOKENS_KEY = "gen_ai.request.max_tokens"
FINISH_REASONS_KEY = "gen_ai.response.finish_reasons"

# Spellings of one operation collapse onto the current name, so reports group them together.
_OPERATION_ALIASES = {"completion": "text_completion", "embedding": "embeddings"}
LLM_OPERATIONS = frozenset({"chat", "generate_content", "text_completion", "embeddings"})
_AGGREGATE_OPERATIONS = {
    "invoke_agent": SpanKind.AGENT,
    "create_agent": SpanKind.AGENT,
    "invoke_workflow": SpanKind.WORKFLOW,
    "execute_tool": SpanKind.TOOL,
}


def operation(attributes: Attributes) -> str | None:
    name = lower(attributes.get(OPERATION_KEY))
    if name is None:
        return None
    return _OPERATION_ALIASES.get(name, name)


def span_kind(attributes: Attributes) -> SpanKind | None:
    name = operation(attributes)
    if name is None:
        return None
    if name in LLM_OPERATIONS:
        return SpanKind.LLM
    # Unknown operations give no signal: other dialects or the usage fallback decide.
    return _AGGREGATE_OPERATIONS.get(name)
