"""Sending the demo: the real OpenTelemetry SDK (a TracerProvider per service, BatchSpanProcessor,
OTLP/HTTP protobuf exporter with the project's key) to a running finops, one day at a time."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import IdGenerator

from finops.demo import scenarios, scenarios_ops
from finops.demo.emit import Counts, Sink
from finops.demo.plan import Plan, build_plan
from finops.demo.scenarios import Scenario
from finops.demo.world import SERVICES
from finops.errors import FinopsError

SCENARIOS: dict[str, Scenario] = {
    "support-triage": scenarios.support_triage,
    "research-report": scenarios.research_report,
    "lead-qualification": scenarios.lead_qualification,
    "contract-review": scenarios.contract_review,
    "invoice-extraction": scenarios_ops.invoice_extraction,
    "nightly-report": scenarios_ops.nightly_report,
    "code-fix-loop": scenarios_ops.code_fix_loop,
}
# The models each workflow calls (what a reader of the demo data should find in `finops calls tail`).
SCENARIO_MODELS: dict[str, frozenset[str]] = {
    "support-triage": frozenset({"gpt-4o-mini", "claude-sonnet-4-5"}),
    "research-report": frozenset({"o3", "gemini-2.5-flash", "gpt-4o"}),
    "lead-qualification": frozenset({"claude-opus-4-5"}),
    "contract-review": frozenset({"gpt-4.1", "gpt-4o-mini"}),
    "invoice-extraction": frozenset({"acme-internal-7b", "claude-sonnet-4-5", "gpt-4o-mini"}),
    "nightly-report": frozenset({"gpt-5.5"}),
    "code-fix-loop": frozenset({"gpt-4o", "claude-sonnet-4-5"}),
}
NEXT_STEPS = " && ".join(f"finops jobs run {job}" for job in ("workflows", "rollups", "alerts", "recommendations"))


class DemoError(FinopsError):
    """The demo cannot send: finops unreachable, the key refused, or exports failed."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    days: int
    runs: int
    spans: int
    calls: int
    exported_spans: int
    failed_spans: int
    spike_hour: datetime


class _SeededIds(IdGenerator):
    """Trace and span ids from the seed: re-sending the same demo within the same hour stores nothing
    twice (finops dedupes on trace and span id), so a retried demo never doubles its costs."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def generate_span_id(self) -> int:
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self._rng.getrandbits(128) or 1


class _CountingExporter(SpanExporter):
    """The OTLP exporter, counting what finops acknowledged: the BatchSpanProcessor only logs failures."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.exported = 0
        self.failed = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = self._inner.export(spans)
        with self._lock:
            if result is SpanExportResult.SUCCESS:
                self.exported += len(spans)
            else:
                self.failed += len(spans)
        return result

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT style base URL (or the full /v1/traces URL) -> the traces URL."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def check_endpoint(url: str, api_key: str) -> None:
    """An empty export first: a wrong URL or key is one clear error, not thousands of exporter warnings."""
    headers = {"content-type": "application/x-protobuf", "x-finops-api-key": api_key}
    try:
        answer = httpx.post(url, content=b"", headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise DemoError(f"cannot reach finops at {url} ({exc}); is `finops serve` running?") from exc
    if answer.status_code == 401:
        raise DemoError(f"{url} refused the API key (401); create one with `finops projects new-key default`")
    if answer.status_code != 200:
        raise DemoError(f"{url} answered {answer.status_code} to an empty export: {answer.text[:200]}")


def run_demo(
    endpoint: str,
    api_key: str,
    days: int = 14,
    workflows_per_day: int = 40,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[str], None] = print,
) -> DemoSummary:
    """Send the demo traffic for the `days` before `now` and return what was sent and acknowledged."""
    url = traces_url(endpoint)
    check_endpoint(url, api_key)
    plan = build_plan(now or datetime.now(UTC), days, workflows_per_day, seed)
    counts = Counts()
    exporters: dict[str, _CountingExporter] = {}
    providers = _providers(url, api_key, seed, plan, exporters)
    sink = Sink({name: provider.get_tracer("finops.demo") for name, provider in providers.items()}, counts)
    try:
        _send(plan, sink, seed, providers, progress)
    finally:
        for provider in providers.values():
            provider.shutdown()
    summary = DemoSummary(
        days=days, runs=counts.runs, spans=counts.spans, calls=counts.calls,
        exported_spans=sum(e.exported for e in exporters.values()),
        failed_spans=sum(e.failed for e in exporters.values()), spike_hour=plan.spike_hour,
    )  # fmt: skip
    if summary.failed_spans:
        raise DemoError(f"{summary.failed_spans} of {summary.spans} spans were not accepted by {url}; see the log")
    return summary


def _providers(
    url: str, api_key: str, seed: int, plan: Plan, exporters: dict[str, _CountingExporter]
) -> dict[str, TracerProvider]:
    """One provider per service (its own resource), each with its own exporter: as separate processes would."""
    ids = random.Random(f"{seed}:ids:{plan.spike_hour.isoformat()}")
    providers = {}
    for service, attributes in SERVICES.items():
        otlp = OTLPSpanExporter(endpoint=url, headers={"x-finops-api-key": api_key}, compression=Compression.Gzip)
        exporter = exporters[service] = _CountingExporter(otlp)
        resource = Resource.create({"service.name": service, **attributes})
        provider = TracerProvider(resource=resource, id_generator=_SeededIds(ids), shutdown_on_exit=False)
        # A queue large enough for a whole day: spans are made far faster than sent and must not be dropped.
        processor = BatchSpanProcessor(
            exporter, max_queue_size=200_000, max_export_batch_size=512, schedule_delay_millis=200
        )
        provider.add_span_processor(processor)
        providers[service] = provider
    return providers


def _send(
    plan: Plan, sink: Sink, seed: int, providers: dict[str, TracerProvider], progress: Callable[[str], None]
) -> None:
    for position, day in enumerate(plan.days, start=1):
        before = (sink.counts.runs, sink.counts.spans, sink.counts.calls)
        for item in day.items:
            SCENARIOS[item.scenario](sink, item, random.Random(f"{seed}:{item.key}"))
        for provider in providers.values():
            if not provider.force_flush(timeout_millis=120_000):
                raise DemoError("the exporter did not finish sending within 2 minutes")
        after = (sink.counts.runs, sink.counts.spans, sink.counts.calls)
        runs, spans, calls = (a - b for a, b in zip(after, before, strict=True))
        progress(
            f"day {position:>2}/{len(plan.days)} {day.start:%Y-%m-%d %H:%M}Z: "
            f"{runs:>4} workflow runs, {calls:>5} LLM calls, {spans:>6} spans"
        )
