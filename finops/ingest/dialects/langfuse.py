"""Langfuse SDK (v3, OTel based) attributes.

`langfuse.observation.usage_details` is a JSON object (sent as a string, or as a kvlist) whose keys
are EXCLUSIVE: Langfuse prices each key on its own and its total is the sum of the keys. So, unlike
OTel GenAI, "input" here is already the uncached input and "output" already excludes reasoning.
"""

from __future__ import annotations

from decimal import Decimal

from finops.ingest.dialects.values import Attributes, decimal_value, json_object, lower, token_count
from finops.ingest.records import SpanKind

TYPE_KEY = "langfuse.observation.type"
MODEL_KEY = "langfuse.observation.model.name"
USAGE_KEY = "langfuse.observation.usage_details"
COST_KEY = "langfuse.observation.cost_details"

_KINDS = {
    "generation": SpanKind.LLM,
    "embedding": SpanKind.LLM,
    "agent": SpanKind.AGENT,
    "tool": SpanKind.TOOL,
    "chain": SpanKind.WORKFLOW,
    # A plain span or event is Langfuse's generic wrapper: explicitly not a model call.
    "span": SpanKind.OTHER,
    "event": SpanKind.OTHER,
    "retriever": SpanKind.OTHER,
    "evaluator": SpanKind.OTHER,
    "guardrail": SpanKind.OTHER,
}
# Langfuse does not say chat vs completion for a generation; chat is by far the common case.
_OPERATIONS = {"generation": "chat", "embedding": "embeddings"}


def span_kind(attributes: Attributes) -> SpanKind | None:
    name = lower(attributes.get(TYPE_KEY))
    return _KINDS.get(name) if name is not None else None


def operation(attributes: Attributes) -> str | None:
    name = lower(attributes.get(TYPE_KEY))
    return _OPERATIONS.get(name) if name is not None else None


def usage_bucket(key: str) -> str | None:
    """The exclusive bucket a usage_details key counts towards; None for totals and unknown units."""
    name = key.lower()
    if "total" in name:
        return None  # the sum of the other keys: counting it would double everything
    # Cache and reasoning keys are checked first because they also contain "input"/"output".
    if "cache_read" in name or "cached" in name:
        return "cache_read"
    if "cache_creation" in name or "cache_write" in name or "ephemeral" in name:
        return "cache_write_1h" if "1h" in name else "cache_write"
    if "reasoning" in name:
        return "reasoning"
    # Other input_*/output_* keys (audio, image) are still billed input/output tokens.
    if name.startswith(("input", "prompt")):
        return "input"
    if name.startswith(("output", "completion")):
        return "output"
    return None


def usage(attributes: Attributes, limit: int) -> dict[str, tuple[int, str]]:
    """Bucket -> (tokens, source) from usage_details; keys sharing a bucket are summed."""
    details = json_object(attributes.get(USAGE_KEY))
    if not details:
        return {}
    totals: dict[str, int] = {}
    sources: dict[str, list[str]] = {}
    for key, value in details.items():
        bucket = usage_bucket(str(key))
        if bucket is None:
            continue
        label = f"{USAGE_KEY}.{key}"
        totals[bucket] = totals.get(bucket, 0) + token_count(value, label, limit)
        sources.setdefault(bucket, []).append(label)
    return {bucket: (totals[bucket], "+".join(sources[bucket])) for bucket in totals}


def reported_cost(attributes: Attributes) -> tuple[Decimal, str] | None:
    details = json_object(attributes.get(COST_KEY))
    if not details:
        return None
    total = decimal_value(details.get("total"))
    if total is not None:
        return total, f"{COST_KEY}.total"
    amounts = [amount for value in details.values() if (amount := decimal_value(value)) is not None]
    if not amounts:
        return None
    return sum(amounts, Decimal(0)), COST_KEY
