"""Span classification, attribution and the non-token call fields, per dialect (pure, no database)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

import pytest

from finops.ingest.dialects import classify_span, output_chars, read_attribution, read_call
from finops.ingest.dialects.attribution import ATTRIBUTION_KEYS
from finops.ingest.records import Attribution, ResourceView, SpanKind, SpanView


def make_span(
    attributes: dict[str, Any],
    *,
    resource: dict[str, Any] | None = None,
    status_code: int = 0,
    exception_type: str | None = None,
) -> SpanView:
    return SpanView(
        trace_id="0" * 31 + "1",
        span_id="0" * 15 + "2",
        parent_span_id=None,
        name="span",
        otel_kind=3,
        start_ns=1_700_000_000_000_000_000,
        end_ns=1_700_000_001_000_000_000,
        status_code=status_code,
        status_message="",
        attributes=attributes,
        resource=ResourceView(attributes=resource or {"service.name": "agent"}, resource_hash=1),
        exception_type=exception_type,
    )


USAGE = {"gen_ai.usage.input_tokens": 5000, "gen_ai.usage.output_tokens": 800}

CLASSIFY_CASES = [
    # OTel GenAI operations
    ("genai chat", {"gen_ai.operation.name": "chat", **USAGE}, SpanKind.LLM),
    ("genai generate_content", {"gen_ai.operation.name": "generate_content"}, SpanKind.LLM),
    ("genai text_completion", {"gen_ai.operation.name": "text_completion"}, SpanKind.LLM),
    ("genai embeddings", {"gen_ai.operation.name": "embeddings"}, SpanKind.LLM),
    ("genai legacy completion", {"gen_ai.operation.name": "completion"}, SpanKind.LLM),
    ("genai operation case", {"gen_ai.operation.name": "Chat"}, SpanKind.LLM),
    ("genai execute_tool", {"gen_ai.operation.name": "execute_tool"}, SpanKind.TOOL),
    ("genai create_agent", {"gen_ai.operation.name": "create_agent"}, SpanKind.AGENT),
    # Double-count guards: aggregates carrying usage summed from their children are not calls.
    ("genai invoke_agent with usage",
     {"gen_ai.operation.name": "invoke_agent", "gen_ai.request.model": "gpt-4o", **USAGE}, SpanKind.AGENT),
    ("genai invoke_workflow with usage", {"gen_ai.operation.name": "invoke_workflow", **USAGE},
     SpanKind.WORKFLOW),
    # OpenInference
    ("oi LLM", {"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o"}, SpanKind.LLM),
    ("oi EMBEDDING", {"openinference.span.kind": "EMBEDDING"}, SpanKind.LLM),
    ("oi AGENT with usage",
     {"openinference.span.kind": "AGENT", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 900,
      "llm.token_count.completion": 90}, SpanKind.AGENT),
    ("oi CHAIN with usage", {"openinference.span.kind": "CHAIN", "llm.token_count.prompt": 900},
     SpanKind.WORKFLOW),
    ("oi TOOL", {"openinference.span.kind": "TOOL"}, SpanKind.TOOL),
    ("oi RETRIEVER with model", {"openinference.span.kind": "RETRIEVER", "embedding.model_name": "e5",
                                 "llm.token_count.prompt": 10}, SpanKind.OTHER),
    # Traceloop
    ("traceloop chat", {"llm.request.type": "chat", "gen_ai.system": "openai"}, SpanKind.LLM),
    ("traceloop rerank", {"llm.request.type": "rerank"}, SpanKind.LLM),
    ("traceloop embedding", {"llm.request.type": "embedding"}, SpanKind.LLM),
    ("traceloop workflow with request type and usage",
     {"traceloop.span.kind": "workflow", "llm.request.type": "chat", "gen_ai.request.model": "gpt-4o",
      **USAGE}, SpanKind.WORKFLOW),
    ("traceloop agent", {"traceloop.span.kind": "agent", "traceloop.entity.name": "planner", **USAGE},
     SpanKind.AGENT),
    ("traceloop tool", {"traceloop.span.kind": "tool"}, SpanKind.TOOL),
    ("traceloop task with request type", {"traceloop.span.kind": "task", "llm.request.type": "chat"},
     SpanKind.OTHER),
    ("traceloop unknown request type", {"llm.request.type": "unknown"}, SpanKind.OTHER),
    # Langfuse
    ("langfuse generation", {"langfuse.observation.type": "generation"}, SpanKind.LLM),
    ("langfuse embedding", {"langfuse.observation.type": "embedding"}, SpanKind.LLM),
    ("langfuse agent with usage", {"langfuse.observation.type": "agent",
                                   "langfuse.observation.usage_details": '{"input": 10}'}, SpanKind.AGENT),
    ("langfuse chain", {"langfuse.observation.type": "chain"}, SpanKind.WORKFLOW),
    ("langfuse tool", {"langfuse.observation.type": "tool"}, SpanKind.TOOL),
    ("langfuse span with model and usage",
     {"langfuse.observation.type": "span", "gen_ai.request.model": "gpt-4o", **USAGE}, SpanKind.OTHER),
    # Mixed dialects: an aggregate signal anywhere wins over an LLM signal elsewhere.
    ("genai chat inside an OI agent", {"gen_ai.operation.name": "chat", "openinference.span.kind": "AGENT"},
     SpanKind.AGENT),
    ("OI LLM and traceloop workflow", {"openinference.span.kind": "LLM", "traceloop.span.kind": "workflow"},
     SpanKind.WORKFLOW),
    ("unknown genai op, langfuse generation", {"gen_ai.operation.name": "retrieve",
                                               "langfuse.observation.type": "generation"}, SpanKind.LLM),
    # Fallback: model + usage with no explicit kind
    ("fallback model and tokens", {"gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 3},
     SpanKind.LLM),
    ("fallback OI names", {"llm.model_name": "claude", "llm.token_count.completion": 3}, SpanKind.LLM),
    ("fallback total only", {"gen_ai.response.model": "gpt-4o", "llm.usage.total_tokens": 30}, SpanKind.LLM),
    ("fallback langfuse usage", {"langfuse.observation.model.name": "gpt-4o",
                                 "langfuse.observation.usage_details": '{"input": 1}'}, SpanKind.LLM),
    ("model without usage", {"gen_ai.request.model": "gpt-4o"}, SpanKind.OTHER),
    ("usage without model", {"gen_ai.usage.input_tokens": 3}, SpanKind.OTHER),
    ("blank model", {"gen_ai.request.model": "  ", "gen_ai.usage.input_tokens": 3}, SpanKind.OTHER),
    ("http span", {"http.request.method": "GET", "url.full": "https://example.com"}, SpanKind.OTHER),
    ("no attributes", {}, SpanKind.OTHER),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [case[1:] for case in CLASSIFY_CASES],
    ids=[case[0] for case in CLASSIFY_CASES],
)
def test_classify_span(attributes: dict[str, Any], expected: SpanKind) -> None:
    assert classify_span(make_span(attributes)) == expected


ATTRIBUTION_CASES = [
    # (id, attributes, field, expected value, expected source key)
    ("finops workflow beats others",
     {"finops.workflow.name": "refund", "gen_ai.workflow.name": "x", "traceloop.workflow.name": "y",
      "langfuse.trace.name": "z"}, "workflow_name", "refund", "finops.workflow.name"),
    ("gen_ai workflow beats traceloop", {"gen_ai.workflow.name": "x", "traceloop.workflow.name": "y"},
     "workflow_name", "x", "gen_ai.workflow.name"),
    ("traceloop workflow beats langfuse", {"traceloop.workflow.name": "y", "langfuse.trace.name": "z"},
     "workflow_name", "y", "traceloop.workflow.name"),
    ("langfuse trace name", {"langfuse.trace.name": "z"}, "workflow_name", "z", "langfuse.trace.name"),
    ("empty string skipped", {"finops.workflow.name": "", "gen_ai.workflow.name": "x"},
     "workflow_name", "x", "gen_ai.workflow.name"),
    ("workflow id as int", {"finops.workflow.id": 4711}, "workflow_id", "4711", "finops.workflow.id"),
    ("finops agent beats gen_ai", {"finops.agent.name": "a", "gen_ai.agent.name": "b", "agent.name": "c"},
     "agent_name", "a", "finops.agent.name"),
    ("gen_ai agent beats OI", {"gen_ai.agent.name": "b", "agent.name": "c"}, "agent_name", "b",
     "gen_ai.agent.name"),
    ("OI agent name", {"agent.name": "c"}, "agent_name", "c", "agent.name"),
    ("traceloop entity on agent span", {"traceloop.span.kind": "agent", "traceloop.entity.name": "planner"},
     "agent_name", "planner", "traceloop.entity.name"),
    ("explicit agent beats traceloop entity",
     {"traceloop.span.kind": "agent", "traceloop.entity.name": "planner", "agent.name": "c"},
     "agent_name", "c", "agent.name"),
    ("finops team beats traceloop", {"finops.team": "payments", "traceloop.association.properties.team": "t"},
     "team", "payments", "finops.team"),
    ("traceloop team beats langfuse",
     {"traceloop.association.properties.team": "t", "langfuse.trace.metadata.team": "l"},
     "team", "t", "traceloop.association.properties.team"),
    ("langfuse team", {"langfuse.trace.metadata.team": "l"}, "team", "l", "langfuse.trace.metadata.team"),
    ("cost center variant", {"traceloop.association.properties.cost_center": "cc-9"}, "cost_center", "cc-9",
     "traceloop.association.properties.cost_center"),
    ("finops cost center", {"finops.cost_center": "cc-1", "langfuse.trace.metadata.cost_center": "cc-2"},
     "cost_center", "cc-1", "finops.cost_center"),
    ("feature variant", {"langfuse.trace.metadata.feature": "search"}, "feature", "search",
     "langfuse.trace.metadata.feature"),
    ("customer", {"finops.customer": "acme", "traceloop.association.properties.customer": "x"},
     "customer", "acme", "finops.customer"),
    ("finops user beats user.id", {"finops.user.id": "u0", "user.id": "u1"}, "user_id", "u0",
     "finops.user.id"),
    ("user.id beats enduser.id", {"user.id": "u1", "enduser.id": "u2", "langfuse.user.id": "u3"},
     "user_id", "u1", "user.id"),
    ("enduser.id beats langfuse", {"enduser.id": "u2", "langfuse.user.id": "u3"}, "user_id", "u2",
     "enduser.id"),
    ("langfuse user beats traceloop",
     {"langfuse.user.id": "u3", "traceloop.association.properties.user_id": "u4"}, "user_id", "u3",
     "langfuse.user.id"),
    ("traceloop user", {"traceloop.association.properties.user_id": 42}, "user_id", "42",
     "traceloop.association.properties.user_id"),
    ("session.id beats conversation", {"session.id": "s1", "gen_ai.conversation.id": "c1"}, "session_id",
     "s1", "session.id"),
    ("conversation beats langfuse", {"gen_ai.conversation.id": "c1", "langfuse.session.id": "s2"},
     "session_id", "c1", "gen_ai.conversation.id"),
    ("traceloop session", {"traceloop.association.properties.session_id": "s3"}, "session_id", "s3",
     "traceloop.association.properties.session_id"),
    ("environment name beats legacy", {"deployment.environment.name": "prod", "deployment.environment": "p"},
     "environment", "prod", "deployment.environment.name"),
    ("legacy environment", {"deployment.environment": "staging", "gen_ai.environment": "x"}, "environment",
     "staging", "deployment.environment"),
    ("openlit environment", {"gen_ai.environment": "dev", "langfuse.environment": "x"}, "environment", "dev",
     "gen_ai.environment"),
    ("langfuse environment", {"langfuse.environment": "qa"}, "environment", "qa", "langfuse.environment"),
    ("service name beats openlit app", {"service.name": "svc", "gen_ai.application_name": "app"},
     "service_name", "svc", "service.name"),
    ("openlit application name", {"gen_ai.application_name": "app"}, "service_name", "app",
     "gen_ai.application_name"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "field", "value", "source"),
    [case[1:] for case in ATTRIBUTION_CASES],
    ids=[case[0] for case in ATTRIBUTION_CASES],
)
def test_read_attribution_precedence(attributes: dict[str, Any], field: str, value: str, source: str) -> None:
    attribution = read_attribution(attributes)
    assert getattr(attribution, field) == value
    assert attribution.sources[field] == source


def test_read_attribution_ignores_what_is_not_attribution() -> None:
    attribution = read_attribution(
        {
            # entity name of a workflow span is the workflow's name, not an agent's
            "traceloop.span.kind": "workflow",
            "traceloop.entity.name": "pipeline",
            "finops.team": "   ",
            "user.id": ["a", "b"],
        }
    )
    assert attribution.agent_name is None
    assert attribution.team is None
    assert attribution.user_id is None
    assert attribution.sources == {}


CALL_FIELD_CASES = [
    # (id, attributes, span kwargs, field, expected)
    ("response model beats request", {"gen_ai.request.model": "gpt-4o",
                                      "gen_ai.response.model": "gpt-4o-2024-08-06"}, {}, "model",
     "gpt-4o-2024-08-06"),
    ("request model kept", {"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06"},
     {}, "request_model", "gpt-4o"),
    ("OI model name", {"llm.model_name": "claude-sonnet-4"}, {}, "model", "claude-sonnet-4"),
    ("OI embedding model", {"embedding.model_name": "text-embedding-3-small"}, {}, "model",
     "text-embedding-3-small"),
    ("genai model beats OI", {"gen_ai.request.model": "a", "llm.model_name": "b"}, {}, "model", "a"),
    ("langfuse model", {"langfuse.observation.model.name": "gpt-4.1"}, {}, "model", "gpt-4.1"),
    ("operation genai", {"gen_ai.operation.name": "chat", "llm.request.type": "completion"}, {}, "operation",
     "chat"),
    ("operation legacy completion", {"gen_ai.operation.name": "completion"}, {}, "operation",
     "text_completion"),
    ("operation traceloop completion", {"llm.request.type": "completion"}, {}, "operation",
     "text_completion"),
    ("operation traceloop embedding", {"llm.request.type": "embedding"}, {}, "operation", "embeddings"),
    ("operation OI embedding", {"openinference.span.kind": "EMBEDDING"}, {}, "operation", "embeddings"),
    ("operation OI llm", {"openinference.span.kind": "LLM"}, {}, "operation", "chat"),
    ("operation langfuse generation", {"langfuse.observation.type": "generation"}, {}, "operation", "chat"),
    ("operation none", {}, {}, "operation", None),
    ("max tokens genai", {"gen_ai.request.max_tokens": 1024}, {}, "max_tokens", 1024),
    ("max tokens traceloop string", {"llm.request.max_tokens": "512"}, {}, "max_tokens", 512),
    ("max tokens OI params",
     {"llm.invocation_parameters": '{"temperature": 0, "max_completion_tokens": 256}'}, {}, "max_tokens",
     256),
    ("max tokens unparsable", {"gen_ai.request.max_tokens": "lots"}, {}, "max_tokens", None),
    ("finish reasons list", {"gen_ai.response.finish_reasons": ["stop", "length"]}, {}, "finish_reasons",
     ["stop", "length"]),
    ("finish reasons single string", {"gen_ai.response.finish_reasons": "stop"}, {}, "finish_reasons",
     ["stop"]),
    ("finish reasons JSON text", {"gen_ai.response.finish_reasons": '["tool_calls"]'}, {}, "finish_reasons",
     ["tool_calls"]),
    ("finish reason traceloop", {"llm.response.finish_reason": "end_turn"}, {}, "finish_reasons",
     ["end_turn"]),
    ("no finish reason", {}, {}, "finish_reasons", None),
    ("error.type first", {"error.type": "RateLimitError"}, {"status_code": 2, "exception_type": "X"},
     "error_type", "RateLimitError"),
    ("exception event", {}, {"status_code": 2, "exception_type": "openai.APITimeoutError"}, "error_type",
     "openai.APITimeoutError"),
    ("error status only", {}, {"status_code": 2}, "error_type", "error"),
    ("ok span", {}, {"status_code": 1}, "error_type", None),
    ("finops batch bool", {"finops.batch": True}, {}, "is_batch", True),
    ("finops batch string", {"finops.batch": "true"}, {}, "is_batch", True),
    ("finops batch false", {"finops.batch": "false"}, {}, "is_batch", False),
    ("openai batch tier", {"openai.request.service_tier": "batch"}, {}, "is_batch", True),
    ("openai default tier", {"gen_ai.openai.request.service_tier": "default"}, {}, "is_batch", False),
    ("finops reported cost wins", {"finops.reported_cost": "0.5", "gen_ai.usage.cost": 0.7}, {},
     "reported_cost", Decimal("0.5")),
    ("malformed cost ignored", {"gen_ai.usage.cost": "n/a"}, {}, "reported_cost", None),
    ("negative cost ignored", {"llm.cost.total": -1.0}, {}, "reported_cost", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "span_kwargs", "field", "expected"),
    [case[1:] for case in CALL_FIELD_CASES],
    ids=[case[0] for case in CALL_FIELD_CASES],
)
def test_read_call_fields(attributes: dict[str, Any], span_kwargs: dict[str, Any], field: str, expected: Any) -> None:
    call = read_call(make_span(attributes, **span_kwargs))
    assert getattr(call, field) == expected


def test_read_call_keeps_usage_raw_and_sources() -> None:
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": "1200",
        "gen_ai.usage.output_tokens": 80.0,
        "gen_ai.usage.total_tokens": 1280,
        "gen_ai.usage.input_audio_tokens": 7,
        "gen_ai.prompt": "not usage",
    }
    call = read_call(make_span(attributes))
    assert call.usage_raw == {
        "gen_ai.usage.input_tokens": "1200",
        "gen_ai.usage.output_tokens": 80.0,
        "gen_ai.usage.total_tokens": 1280,
        "gen_ai.usage.input_audio_tokens": 7,
    }
    assert call.sources == {
        "provider": "gen_ai.provider.name",
        "model": "gen_ai.request.model",
        "operation": "gen_ai.operation.name",
        "input": "gen_ai.usage.input_tokens",
        "output": "gen_ai.usage.output_tokens",
    }
    assert call.dialect == "genai"
    assert call.response_model is None


OUTPUT_CHARS_CASES = [
    ("tool result", {"gen_ai.tool.call.result": "x" * 1500}, 1500),
    ("OI output value", {"output.value": "héllo"}, 5),
    ("genai output messages as list", {"gen_ai.output.messages": [{"role": "assistant"}]},
     len('[{"role":"assistant"}]')),
    ("traceloop entity output", {"traceloop.entity.output": '{"ok": true}'}, 12),
    # one copy only: the tool result is not added to the OI duplicate of it
    ("first key wins", {"gen_ai.tool.call.result": "abc", "output.value": "abc"}, 3),
    # 5 + 4 content chars + 8 argument chars; role and finish_reason are not output text
    ("traceloop completions",
     {"gen_ai.completion.0.content": "hello", "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.1.content": "bye!", "gen_ai.completion.1.tool_calls.0.arguments": '{"q": 1}',
      "gen_ai.completion.1.finish_reason": "stop"}, 5 + 4 + 8),
    ("empty output", {"output.value": ""}, 0),
    ("no output", {"input.value": "question"}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [case[1:] for case in OUTPUT_CHARS_CASES],
    ids=[case[0] for case in OUTPUT_CHARS_CASES],
)
def test_output_chars(attributes: dict[str, Any], expected: int | None) -> None:
    assert output_chars(make_span(attributes)) == expected


def test_every_attribution_field_has_keys() -> None:
    assert set(ATTRIBUTION_KEYS) == {f.name for f in fields(Attribution)} - {"sources"}
