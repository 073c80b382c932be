"""Size of a span's output content, the raw material of "tool output size" findings.

Large tool results end up in the next prompt and are paid for again on every later turn, so their
size is worth keeping even when the content itself is not.
"""

from __future__ import annotations

import json

from finops.ingest.dialects.values import Attributes
from finops.ingest.records import AttributeValue, SpanView

# One dialect's copy is enough: several SDKs record the same output under two names, and adding
# them would double the size.
OUTPUT_KEYS = (
    "gen_ai.tool.call.result",
    "gen_ai.output.messages",
    "output.value",
    "traceloop.entity.output",
)
_COMPLETION_PREFIX = "gen_ai.completion."
# Traceloop flattens each choice into gen_ai.completion.<i>.content / .role / .finish_reason /
# .tool_calls.<j>.arguments: only the content and the arguments are output text.
_COMPLETION_SUFFIXES = (".content", ".arguments")


def output_chars(span: SpanView) -> int | None:
    """Characters of the span's output content; None when the span recorded none."""
    attributes = span.attributes
    for key in OUTPUT_KEYS:
        value = attributes.get(key)
        if value is not None:
            return _chars(value)
    return _completion_chars(attributes)


def _completion_chars(attributes: Attributes) -> int | None:
    sizes = [
        _chars(value)
        for key, value in attributes.items()
        if key.startswith(_COMPLETION_PREFIX) and key.endswith(_COMPLETION_SUFFIXES) and value is not None
    ]
    return sum(sizes) if sizes else None


def _chars(value: AttributeValue) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bytes):
        return len(value.decode("utf-8", errors="replace"))
    if isinstance(value, list | dict):
        # Structured content (kvlist / array) is measured as the JSON an SDK would have sent.
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
    return len(str(value))
