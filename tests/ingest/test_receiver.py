"""/v1/traces end to end: real server, real Postgres, real OpenTelemetry SDK exporter."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
from google.rpc import status_pb2
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from finops.db.urls import libpq_url
from tests.conftest import ProjectKey, ServedApp
from tests.otlp_builders import chat_attributes, new_span_id, new_trace_id, request, span

PROTOBUF = {"content-type": "application/x-protobuf"}


def rows(database_url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_url(database_url)) as conn:
        return conn.execute(query, params).fetchall()


def post(served: ServedApp, key: str | None, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    all_headers = dict(PROTOBUF)
    if key:
        all_headers["authorization"] = f"Bearer {key}"
    all_headers.update(headers or {})
    return httpx.post(f"{served.url}/v1/traces", content=body, headers=all_headers, timeout=30)


def sdk_provider(served: ServedApp, key: str, batch: bool = False, **exporter_args: object) -> TracerProvider:
    exporter = OTLPSpanExporter(endpoint=f"{served.url}/v1/traces", headers={"x-finops-api-key": key}, **exporter_args)
    provider = TracerProvider(resource=Resource.create({"service.name": "support-bot", "finops.team": "support"}))
    provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    return provider


def test_sdk_exporter_stores_calls_with_buckets_and_attribution(served: ServedApp, project: ProjectKey) -> None:
    # One batch, as the SDK's batch processor sends a short workflow: ancestors travel with the call.
    provider = sdk_provider(served, project.key, batch=True)
    tracer = provider.get_tracer("agent")
    agent_attributes = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "triager",
        # usage aggregated from the child call: must not be counted again
        "gen_ai.usage.input_tokens": 1200,
        "gen_ai.usage.output_tokens": 300,
    }
    call_attributes = chat_attributes(
        "gpt-4o",
        1200,
        300,
        **{
            "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.usage.cache_read.input_tokens": 1000,
            "gen_ai.usage.reasoning.output_tokens": 100,
            "finops.customer": "acme",
        },
    )
    with (
        tracer.start_as_current_span("handle-ticket", attributes={"finops.workflow.name": "ticket-triage"}),
        tracer.start_as_current_span("invoke_agent triager", attributes=agent_attributes),
        tracer.start_as_current_span("chat gpt-4o", attributes=call_attributes),
    ):
        pass
    # A trace with no GenAI activity at all is not kept.
    with tracer.start_as_current_span("GET /health"):
        pass
    provider.shutdown()

    calls = rows(
        project_db(served),
        "SELECT model, request_model, provider, input_tokens, cache_read_tokens, cache_write_tokens,"
        " output_tokens, reasoning_tokens, workflow_name, agent_name, team, customer, service_name,"
        " sources->>'team', sources->>'workflow_name', dialect FROM llm_calls WHERE project_id = %s",
        project.id,
    )
    # input 1200 includes 1000 cache reads: 1200 - 1000 = 200 uncached; output 300 includes 100 reasoning.
    assert calls == [
        (
            "gpt-4o-2024-08-06", "gpt-4o", "openai", 200, 1000, 0, 200, 100, "ticket-triage",
            "triager", "support", "acme", "support-bot", "resource:finops.team",
            "ancestor:finops.workflow.name", "genai",
        )
    ]  # fmt: skip
    kinds = rows(project_db(served), "SELECT name, kind FROM spans WHERE project_id = %s ORDER BY name", project.id)
    assert kinds == [("chat gpt-4o", "llm"), ("handle-ticket", "other"), ("invoke_agent triager", "agent")]


def project_db(served: ServedApp) -> str:
    return served.app.state.database_url


def test_gzip_export_from_sdk(served: ServedApp, project: ProjectKey) -> None:
    provider = sdk_provider(served, project.key, compression=Compression.Gzip)
    with provider.get_tracer("agent").start_as_current_span("chat", attributes=chat_attributes("gpt-4o-mini", 50, 5)):
        pass
    provider.shutdown()
    assert rows(project_db(served), "SELECT model, input_tokens, output_tokens FROM llm_calls") == [
        ("gpt-4o-mini", 50, 5)
    ]


def test_sdk_error_status_and_exception_are_recorded(served: ServedApp, project: ProjectKey) -> None:
    provider = sdk_provider(served, project.key)
    span_ = provider.get_tracer("agent").start_span("chat", attributes=chat_attributes("gpt-4o", 10, 0))
    span_.record_exception(TimeoutError("upstream timed out"))
    span_.set_status(Status(StatusCode.ERROR, "timeout"))
    span_.end()
    provider.shutdown()
    assert rows(project_db(served), "SELECT error_type FROM llm_calls") == [("TimeoutError",)]
    assert rows(project_db(served), "SELECT status_code, status_message FROM spans") == [(2, "timeout")]


JSON_EXAMPLE = """{
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeSpans": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "x"}}]},
      "spans": [{
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "parentSpanId": "EEE19B7EC3C1B173",
        "name": "chat claude-sonnet-4-5",
        "startTimeUnixNano": "1544712660000000000",
        "endTimeUnixNano": 1544712661000000000,
        "kind": 3,
        "status": {"code": 1},
        "someFutureField": {"ignored": true},
        "attributes": [
          {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
          {"key": "gen_ai.provider.name", "value": {"stringValue": "anthropic"}},
          {"key": "gen_ai.request.model", "value": {"stringValue": "claude-sonnet-4-5"}},
          {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "5000"}},
          {"key": "gen_ai.usage.cache_creation.input_tokens", "value": {"intValue": 4000}},
          {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "250"}}
        ]
      }]
    }]
  }]
}"""


def test_json_mapping_example(served: ServedApp, project: ProjectKey) -> None:
    response = post(served, project.key, JSON_EXAMPLE.encode(), {"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    stored = rows(
        project_db(served),
        "SELECT trace_id, span_id, parent_span_id, input_tokens, cache_write_tokens, output_tokens,"
        " start_time = to_timestamp(1544712660) FROM llm_calls",
    )
    # 5000 input includes 4000 cache writes: 5000 - 4000 = 1000 uncached.
    assert stored == [
        ("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "eee19b7ec3c1b173", 1000, 4000, 250, True)
    ]


def test_json_with_gzip_encoding(served: ServedApp, project: ProjectKey) -> None:
    body = gzip.compress(JSON_EXAMPLE.encode())
    response = post(served, project.key, body, {"content-type": "application/json", "content-encoding": "gzip"})
    assert response.status_code == 200, response.text
    assert rows(project_db(served), "SELECT count(*) FROM llm_calls") == [(1,)]


def test_retried_export_is_stored_once(served: ServedApp, project: ProjectKey) -> None:
    trace = new_trace_id()
    body = request(
        [span("chat", trace_id=trace, attributes=chat_attributes("gpt-4o", 100, 10)) for _ in range(3)]
    ).SerializeToString()
    for _ in range(3):
        assert post(served, project.key, body).status_code == 200
    assert rows(
        project_db(served),
        "SELECT count(*), sum(input_tokens) FROM spans JOIN llm_calls USING (project_id, trace_id, span_id)",
    ) == [(3, 300)]


def test_concurrent_requests_all_durable(served: ServedApp, project: ProjectKey) -> None:
    bodies = [
        request(
            [span("chat", trace_id=new_trace_id(), attributes=chat_attributes("gpt-4o", 10, 1)) for _ in range(50)]
        ).SerializeToString()
        for _ in range(20)
    ]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda body: post(served, project.key, body).status_code, bodies))
    assert statuses == [200] * 20
    # 20 requests x 50 calls, each of 10 input tokens
    assert rows(project_db(served), "SELECT count(*), sum(input_tokens) FROM llm_calls") == [(1000, 10_000)]


def test_late_plain_root_span_is_kept_for_a_genai_trace(served: ServedApp, project: ProjectKey) -> None:
    trace, root = new_trace_id(), new_span_id()
    child = span("chat", trace_id=trace, parent=root, attributes=chat_attributes())
    assert post(served, project.key, request([child]).SerializeToString()).status_code == 200
    late_root = span("POST /tickets", trace_id=trace, span_id=root)
    unrelated = span("GET /", trace_id=new_trace_id())
    assert post(served, project.key, request([late_root, unrelated]).SerializeToString()).status_code == 200
    assert rows(project_db(served), "SELECT name FROM spans ORDER BY name") == [("POST /tickets",), ("chat",)]


def test_nested_llm_spans_count_once(served: ServedApp, project: ProjectKey) -> None:
    # A framework's LLM span wrapping the client library's span of the same model call.
    trace, outer = new_trace_id(), new_span_id()
    outer_span = span("ChatOpenAI", trace_id=trace, span_id=outer, attributes=chat_attributes("gpt-4o", 500, 50))
    inner_span = span("chat gpt-4o", trace_id=trace, parent=outer, attributes=chat_attributes("gpt-4o", 500, 50))
    # inner first, outer in a later request (how batch exporters deliver them)...
    post(served, project.key, request([inner_span]).SerializeToString())
    post(served, project.key, request([outer_span]).SerializeToString())
    # ...and the other way round in a second trace
    trace2, outer2 = new_trace_id(), new_span_id()
    post(
        served,
        project.key,
        request(
            [span("ChatOpenAI", trace_id=trace2, span_id=outer2, attributes=chat_attributes("gpt-4o", 7, 1))]
        ).SerializeToString(),
    )
    post(
        served,
        project.key,
        request(
            [span("chat", trace_id=trace2, parent=outer2, attributes=chat_attributes("gpt-4o", 7, 1))]
        ).SerializeToString(),
    )
    counted = "SELECT name, input_tokens FROM llm_calls JOIN spans USING (project_id, trace_id, span_id)"
    assert rows(project_db(served), counted + " ORDER BY input_tokens") == [
        ("chat", 7), ("chat gpt-4o", 500)
    ]  # fmt: skip


def test_invalid_spans_rejected_alone(served: ServedApp, project: ProjectKey) -> None:
    trace = new_trace_id()
    good = span("chat ok", trace_id=trace, attributes=chat_attributes("gpt-4o", 10, 1))
    bad_trace_id = span("bad trace", trace_id=b"\x01" * 5, attributes=chat_attributes())
    bad_span_id = span("bad span id", trace_id=trace, span_id=b"\x02" * 3, attributes=chat_attributes())
    backwards = span("backwards", trace_id=trace, start_ns=2_000, duration_ns=0, attributes=chat_attributes())
    backwards.end_time_unix_nano = 1_000
    negative = span("negative", trace_id=trace, attributes=chat_attributes("gpt-4o", -5, 1))
    absurd = span("absurd", trace_id=trace, attributes=chat_attributes("gpt-4o", 10**12, 1))
    not_numeric = span(
        "nan",
        trace_id=trace,
        attributes=chat_attributes("gpt-4o", 10, 1, **{"gen_ai.usage.output_tokens": "lots"}),
    )
    body = request([good, bad_trace_id, bad_span_id, backwards, negative, absurd, not_numeric]).SerializeToString()
    response = post(served, project.key, body)
    assert response.status_code == 200
    result = ExportTraceServiceResponse.FromString(response.content)
    assert result.partial_success.rejected_spans == 6
    message = result.partial_success.error_message
    for fragment in ("trace_id", "span_id", "before", "negative", "gen_ai.usage.output_tokens"):
        assert fragment in message, (fragment, message)
    assert rows(project_db(served), "SELECT name FROM spans") == [("chat ok",)]


def test_invalid_hex_id_in_json_is_rejected_alone(served: ServedApp, project: ProjectKey) -> None:
    document = json.loads(JSON_EXAMPLE)
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    bad = dict(spans[0], traceId="not-hex-at-all", spanId="EEE19B7EC3C1B175")
    spans.append(bad)
    response = post(served, project.key, json.dumps(document).encode(), {"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] == 1
    assert "trace_id" in response.json()["partialSuccess"]["errorMessage"]
    assert rows(project_db(served), "SELECT count(*) FROM spans") == [(1,)]


def test_truncated_protobuf_is_400_with_status(served: ServedApp, project: ProjectKey) -> None:
    body = request([span("chat", trace_id=new_trace_id(), attributes=chat_attributes())]).SerializeToString()
    response = post(served, project.key, body[: len(body) // 2])
    assert response.status_code == 400
    status = status_pb2.Status.FromString(response.content)
    assert status.code == 3 and "protobuf" in status.message


def test_malformed_json_is_400(served: ServedApp, project: ProjectKey) -> None:
    response = post(served, project.key, b'{"resourceSpans": [', {"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]


def test_wrong_content_type_is_415(served: ServedApp, project: ProjectKey) -> None:
    response = post(served, project.key, b"hello", {"content-type": "text/plain"})
    assert response.status_code == 415
    assert "text/plain" in response.json()["message"]


def test_unknown_content_encoding_is_415(served: ServedApp, project: ProjectKey) -> None:
    response = post(served, project.key, b"xx", {"content-encoding": "br"})
    assert response.status_code == 415


def test_missing_or_invalid_key_is_401(served: ServedApp, project: ProjectKey) -> None:
    body = request([span("chat", trace_id=new_trace_id(), attributes=chat_attributes())]).SerializeToString()
    missing = post(served, None, body)
    assert missing.status_code == 401
    assert "missing API key" in status_pb2.Status.FromString(missing.content).message
    assert post(served, "fo_not-a-real-key", body).status_code == 401
    assert post(served, None, body, {"x-finops-api-key": project.key}).status_code == 200
    assert rows(project_db(served), "SELECT count(*) FROM spans") == [(1,)]


def test_body_limits(migrated_url: str, db: str) -> None:
    from tests.conftest import make_project, make_settings

    key = make_project(db, "limits").key
    with ServedApp(db, make_settings(max_body_bytes=20_000)) as small:
        big = request(
            [span("chat", trace_id=new_trace_id(), attributes=chat_attributes(**{"pad": "x" * 30_000}))]
        ).SerializeToString()
        assert post(small, key, big).status_code == 413
        # A gzip bomb: 10 MB of zeros compress to about 10 KB but must not be inflated past the limit.
        bomb = gzip.compress(b"\x00" * 10_000_000)
        assert len(bomb) < 20_000
        response = post(small, key, bomb, {"content-encoding": "gzip"})
        assert response.status_code == 413
        assert "decompressed" in status_pb2.Status.FromString(response.content).message
        truncated_gzip = gzip.compress(b"abc" * 1000)[:-20]
        assert post(small, key, truncated_gzip, {"content-encoding": "gzip"}).status_code == 400
