"""Provider normalisation and rejection of token counts that would misprice a call (pure)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from finops.ingest.dialects import MAX_TOKENS_PER_CALL, normalise_provider, read_call
from finops.ingest.records import InvalidSpan
from tests.ingest.test_dialects import make_span

PROVIDER_CASES = [
    ("az.ai.openai", "azure.ai.openai"),
    ("azure_openai", "azure.ai.openai"),
    ("Azure OpenAI", "azure.ai.openai"),
    ("azure", "azure.ai.openai"),
    ("az.ai.inference", "azure.ai.inference"),
    ("vertex_ai", "gcp.vertex_ai"),
    ("vertexai", "gcp.vertex_ai"),
    ("gemini", "gcp.gemini"),
    ("google_genai", "gcp.gemini"),
    ("Google", "gcp.gemini"),
    ("gcp.gen_ai", "gcp.gen_ai"),
    ("bedrock", "aws.bedrock"),
    ("aws_bedrock", "aws.bedrock"),
    ("aws-bedrock", "aws.bedrock"),
    ("aws", "aws.bedrock"),
    ("aws.bedrock", "aws.bedrock"),
    ("mistralai", "mistral_ai"),
    ("mistral", "mistral_ai"),
    ("xai", "x_ai"),
    ("grok", "x_ai"),
    ("OpenAI", "openai"),
    ("Anthropic", "anthropic"),
    ("cohere", "cohere"),
    ("Groq", "groq"),
    ("deepseek", "deepseek"),
    ("perplexity", "perplexity"),
    ("ibm watsonx", "ibm.watsonx.ai"),
    ("watsonx", "ibm.watsonx.ai"),
    ("ibm.watsonx.ai", "ibm.watsonx.ai"),
    ("moonshot", "moonshot_ai"),
    ("MoonshotAI", "moonshot_ai"),
    ("Ollama", "ollama"),  # unknown: lowercased and kept
    (" together ", "together"),
]


@pytest.mark.parametrize(("sent", "expected"), PROVIDER_CASES, ids=[case[0] for case in PROVIDER_CASES])
def test_normalise_provider(sent: str, expected: str) -> None:
    assert normalise_provider(sent) == expected


PROVIDER_KEY_CASES = [
    ("provider.name beats system", {"gen_ai.provider.name": "aws.bedrock", "gen_ai.system": "anthropic"},
     "aws.bedrock", "gen_ai.provider.name"),
    ("deprecated system", {"gen_ai.system": "az.ai.openai"}, "azure.ai.openai", "gen_ai.system"),
    # OpenInference: llm.provider is who hosts the model (and bills), llm.system the model family
    ("OI provider beats system", {"llm.provider": "azure", "llm.system": "openai"}, "azure.ai.openai",
     "llm.provider"),
    ("OI system", {"llm.system": "vertexai"}, "gcp.vertex_ai", "llm.system"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "provider", "source"),
    [case[1:] for case in PROVIDER_KEY_CASES],
    ids=[case[0] for case in PROVIDER_KEY_CASES],
)
def test_provider_attribute_precedence(attributes: dict[str, Any], provider: str, source: str) -> None:
    call = read_call(make_span({"gen_ai.operation.name": "chat", **attributes}))
    assert call.provider == provider
    assert call.sources["provider"] == source


INVALID_CASES = [
    ("negative", "gen_ai.usage.input_tokens", -1, "negative"),
    ("not a number", "gen_ai.usage.output_tokens", "abc", "not a whole number"),
    ("fractional double", "gen_ai.usage.input_tokens", 12.5, "not a whole number"),
    ("fractional string", "llm.token_count.prompt", "12.5", "not a whole number"),
    ("bool", "gen_ai.usage.cache_read.input_tokens", True, "not a whole number"),
    ("NaN", "gen_ai.usage.output_tokens", float("nan"), "not a whole number"),
    ("list", "gen_ai.usage.input_tokens", [1, 2], "not a whole number"),
    ("absurd", "gen_ai.usage.input_tokens", MAX_TOKENS_PER_CALL + 1, "above the limit"),
    ("absurd string", "llm.usage.prompt_tokens", "1000000000", "above the limit"),
    # a losing candidate is validated too: the span is broken whichever dialect wins
    ("invalid lower-precedence name", "gen_ai.usage.prompt_tokens", -5, "negative"),
    ("negative reasoning", "gen_ai.usage.reasoning_tokens", -3, "negative"),
    ("negative 1h writes", "finops.usage.cache_write_1h_tokens", -3, "negative"),
]


@pytest.mark.parametrize(
    ("key", "value", "reason"), [case[1:] for case in INVALID_CASES], ids=[case[0] for case in INVALID_CASES]
)
def test_invalid_token_count_rejects_span(key: str, value: Any, reason: str) -> None:
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 10, key: value}
    with pytest.raises(InvalidSpan, match=re.escape(key)) as raised:
        read_call(make_span(attributes))
    assert reason in str(raised.value)


def test_invalid_langfuse_usage_names_the_key() -> None:
    attributes = {
        "langfuse.observation.type": "generation",
        "langfuse.observation.usage_details": '{"input": 10, "output": -2}',
    }
    with pytest.raises(InvalidSpan, match=re.escape("langfuse.observation.usage_details.output")):
        read_call(make_span(attributes))


@pytest.mark.parametrize(
    ("limit", "count", "accepted"),
    [(1000, 1000, True), (1000, 1001, False)],
    ids=["at the limit", "over the limit"],
)
def test_limit_is_configurable(limit: int, count: int, accepted: bool) -> None:
    span = make_span({"gen_ai.operation.name": "chat", "gen_ai.usage.output_tokens": count})
    if accepted:
        assert read_call(span, max_tokens_per_call=limit).tokens.output == count
    else:
        with pytest.raises(InvalidSpan, match=re.escape("gen_ai.usage.output_tokens")):
            read_call(span, max_tokens_per_call=limit)


VALID_SPELLINGS = [
    ("int", 120),
    ("numeric string", "120"),
    ("integral double", 120.0),
    ("integral decimal string", "120.0"),
    ("padded string", " 120 "),
]


@pytest.mark.parametrize("value", [case[1] for case in VALID_SPELLINGS], ids=[c[0] for c in VALID_SPELLINGS])
def test_tolerated_spellings(value: Any) -> None:
    call = read_call(make_span({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": value}))
    assert call.tokens.input == 120


def test_malformed_usage_details_json_is_ignored_not_rejected() -> None:
    # Not a JSON object at all: nothing to count; the text stays in usage_raw for inspection.
    attributes = {"langfuse.observation.type": "generation", "langfuse.observation.usage_details": "{oops"}
    call = read_call(make_span(attributes))
    assert call.tokens.total == 0
    assert call.usage_raw == {"langfuse.observation.usage_details": "{oops"}


def test_error_message_is_bounded() -> None:
    span = make_span({"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": "x" * 10_000})
    with pytest.raises(InvalidSpan) as raised:
        read_call(span)
    assert len(str(raised.value)) < 200
