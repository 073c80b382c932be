"""Building one workflow run's spans with the OpenTelemetry SDK, at explicit (past) times.

A `Run` keeps a time cursor in nanoseconds: every call or tool advances it by a plausible latency, so
spans nest and follow each other the way a real agent's would, and parents end after their children.
Attributes follow the OTel GenAI semantic conventions as finops reads them (see README, Attribute
conventions): `gen_ai.usage.input_tokens` includes cache reads and writes, output includes reasoning.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

NS = 1_000_000_000
MS = 1_000_000

# Output tokens per second, so latencies (and run durations) look like each model's.
_SPEED = {
    "gpt-4o-mini": 110, "gemini-2.5-flash": 200, "gpt-4o": 80, "gpt-4.1": 80, "claude-sonnet-4-5": 70,
    "o3": 60, "claude-opus-4-5": 50, "gpt-5.5": 60, "acme-internal-7b": 150,
}  # fmt: skip
_FILLER = (
    "Article KB-{n}: If the customer reports that invoices are not syncing, check the webhook delivery log, "
    "verify the OAuth token has the billing scope and re-run the export. Known issue since v{n}.2; "
)


@dataclass(slots=True)
class Counts:
    """What the demo created; shared by every run, guarded for the exporter threads' readers."""

    spans: int = 0
    calls: int = 0
    runs: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, spans: int = 0, calls: int = 0, runs: int = 0) -> None:
        with self.lock:
            self.spans += spans
            self.calls += calls
            self.runs += runs


def to_ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000


def tool_output(rng: random.Random, chars: int) -> str:
    """A bulky, KB-like tool result of about `chars` characters (its size is what finops measures)."""
    parts: list[str] = []
    size = 0
    while size < chars:
        part = _FILLER.format(n=rng.randint(100, 999))
        parts.append(part)
        size += len(part)
    return "".join(parts)[:chars]


def latency_ns(rng: random.Random, model: str, prompt: int, output: int) -> int:
    seconds = 0.25 + prompt / 20_000 + output / _SPEED.get(model, 80)
    return int(seconds * rng.uniform(0.8, 1.3) * NS)


class Run:
    """One workflow run (one trace): a root span, agents, LLM calls and tools at a moving time cursor."""

    def __init__(
        self,
        tracer: Tracer,
        counts: Counts,
        rng: random.Random,
        workflow: str,
        start: datetime,
        context: Mapping[str, AttributeValue] | None = None,
    ) -> None:
        self.tracer, self.counts, self.rng = tracer, counts, rng
        # Per-run attribution (customer, feature, user, session) goes on every span, as an app's span
        # processor or baggage would put it: calls exported before their root still carry it.
        self.context = dict(context or {})
        self.t = to_ns(start)
        self.root = self._start(workflow, None, {"finops.workflow.name": workflow}, SpanKind.SERVER)
        self.t += rng.randint(5, 40) * MS
        counts.add(runs=1)

    def _start(self, name: str, parent: Span | None, attributes: Mapping[str, AttributeValue], kind: SpanKind) -> Span:
        ctx = trace.set_span_in_context(parent) if parent is not None else Context()
        self.counts.add(spans=1)
        return self.tracer.start_span(
            name, context=ctx, kind=kind, attributes={**self.context, **attributes}, start_time=self.t
        )

    def _end(self, span: Span, error: str | None, end_ns: int | None = None) -> None:
        if error:
            span.set_attribute("error.type", error)
            span.set_status(Status(StatusCode.ERROR, error))
        span.end(end_time=end_ns if end_ns is not None else self.t)

    def agent(self, name: str, parent: Span | None = None) -> Span:
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name}
        return self._start(f"invoke_agent {name}", parent or self.root, attributes, SpanKind.INTERNAL)

    def end(self, span: Span, error: str | None = None) -> None:
        self.t += self.rng.randint(1, 15) * MS
        self._end(span, error)

    def chat(
        self,
        parent: Span,
        provider: str,
        model: str,
        prompt: int,
        output: int,
        *,
        cache_read: int = 0,
        cache_write: int = 0,
        reasoning: int = 0,
        max_tokens: int | None = None,
        finish: str = "stop",
        error: str | None = None,
        operation: str = "chat",
        response_model: str | None = None,
        extra: Mapping[str, AttributeValue] | None = None,
    ) -> None:
        """One LLM call. `prompt` is the whole prompt (uncached + cache read + cache write), `output`
        includes `reasoning`, exactly as the GenAI conventions count them."""
        attributes: dict[str, AttributeValue] = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": provider,
            "gen_ai.request.model": model,
            "gen_ai.response.model": response_model or model,
            "gen_ai.usage.input_tokens": prompt,
            "gen_ai.usage.output_tokens": output,
            "gen_ai.response.finish_reasons": [finish],
        }
        if cache_read:
            attributes["gen_ai.usage.cache_read.input_tokens"] = cache_read
        if cache_write:
            attributes["gen_ai.usage.cache_creation.input_tokens"] = cache_write
        if reasoning:
            attributes["gen_ai.usage.reasoning.output_tokens"] = reasoning
        if max_tokens is not None:
            attributes["gen_ai.request.max_tokens"] = max_tokens
        attributes.update(extra or {})
        span = self._start(f"{operation} {model}", parent, attributes, SpanKind.CLIENT)
        self.counts.add(calls=1)
        self.t += latency_ns(self.rng, model, prompt, output)
        self._end(span, error)
        self.t += self.rng.randint(5, 60) * MS

    def tool(self, parent: Span, name: str, result_chars: int, error: str | None = None) -> None:
        attributes: dict[str, AttributeValue] = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name}
        if result_chars:
            attributes["gen_ai.tool.call.result"] = tool_output(self.rng, result_chars)
        span = self._start(f"execute_tool {name}", parent, attributes, SpanKind.INTERNAL)
        self.t += int(self.rng.uniform(0.05, 0.9) * NS)
        self._end(span, error)
        self.t += self.rng.randint(2, 20) * MS

    def wait(self, seconds: float) -> None:
        self.t += int(seconds * NS)

    def parallel_end(self, ends: Sequence[int]) -> None:
        """After a fan-out whose branches each restarted the cursor, continue after the slowest."""
        self.t = max(ends)

    def close(self, error: str | None = None, outcome: str | None = None) -> None:
        if outcome:
            self.root.set_attribute("finops.workflow.outcome", outcome)
        self.t += self.rng.randint(2, 30) * MS
        self._end(self.root, error)


@dataclass(slots=True)
class Sink:
    """Where runs are built: one SDK tracer per service (each with its own resource) and the counters."""

    tracers: Mapping[str, Tracer]
    counts: Counts

    def run(
        self,
        service: str,
        workflow: str,
        start: datetime,
        rng: random.Random,
        context: Mapping[str, AttributeValue] | None = None,
    ) -> Run:
        return Run(self.tracers[service], self.counts, rng, workflow, start, context)
