"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import httpx

from tests.conftest import ProjectKey, ServedApp
from tests.otlp_builders import chat_attributes, new_trace_id, request, span


def metric(text: str, name: str) -> float:
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name) and "{" not in line]
    return sum(values)


def test_health_ready_and_metrics(served: ServedApp, project: ProjectKey) -> None:
    assert httpx.get(f"{served.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{served.url}/readyz").json() == {"status": "ok", "database": "ok"}
    before = httpx.get(f"{served.url}/metrics").text
    spans = [span("chat", trace_id=new_trace_id(), attributes=chat_attributes()) for _ in range(3)]
    invalid = span("bad", trace_id=b"\x01", attributes=chat_attributes())
    response = httpx.post(
        f"{served.url}/v1/traces", content=request([*spans, invalid]).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": project.key},
    )  # fmt: skip
    assert response.status_code == 200
    after = httpx.get(f"{served.url}/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    # 4 spans received, 1 rejected, 3 new rows stored
    assert metric(after.text, "finops_spans_received_total") - metric(before, "finops_spans_received_total") == 4
    assert metric(after.text, "finops_spans_rejected_total") - metric(before, "finops_spans_rejected_total") == 1
    assert metric(after.text, "finops_spans_stored_total") - metric(before, "finops_spans_stored_total") == 3
    for name in ("finops_writer_commit_seconds", "finops_writer_pending_spans", "finops_export_requests_total"):
        assert name in after.text
