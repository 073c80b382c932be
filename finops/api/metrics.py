"""Prometheus metrics about finops itself, served at /metrics.

Each process keeps its own registry: with `finops serve --workers N` a scrape sees one worker, so in
Kubernetes run one worker per pod (the API scales by replicas) and scrape every pod.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

EXPORT_REQUESTS = Counter("finops_export_requests_total", "OTLP export requests by HTTP status answered", ["status"])
SPANS_RECEIVED = Counter("finops_spans_received_total", "Spans received in OTLP export requests")
SPANS_REJECTED = Counter("finops_spans_rejected_total", "Spans rejected as individually invalid")
SPANS_STORED = Counter("finops_spans_stored_total", "New span rows committed (retried duplicates excluded)")
CALLS_STORED = Counter("finops_llm_calls_stored_total", "New LLM call rows committed")
WRITER_GROUP_SPANS = Histogram(
    "finops_writer_group_spans", "Spans written per group commit",
    buckets=(64, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768),
)  # fmt: skip
WRITER_GROUP_REQUESTS = Histogram(
    "finops_writer_group_requests", "Export requests sharing one group commit", buckets=(1, 2, 4, 8, 16, 32, 64)
)
WRITER_COMMIT_SECONDS = Histogram(
    "finops_writer_commit_seconds", "Time to COPY and commit one group",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
WRITER_PENDING_SPANS = Gauge("finops_writer_pending_spans", "Spans waiting to be written (queue depth)")
WRITER_FAILURES = Counter("finops_writer_failures_total", "Group commits that failed", ["reason"])
JOB_SECONDS = Histogram(
    "finops_job_duration_seconds", "Scheduled job run time", ["job", "status"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900),
)  # fmt: skip
NOTIFICATIONS = Counter("finops_notifications_total", "Alert notification delivery attempts", ["outcome"])


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
