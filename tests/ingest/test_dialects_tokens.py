"""Token buckets, reported cost and dialect, one table per dialect (pure, no database).

Every expected value is computed by hand in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from finops.ingest.dialects import read_call
from finops.ingest.records import TokenBuckets
from tests.ingest.test_dialects import make_span

OPENLIT = {"telemetry.sdk.name": "openlit", "service.name": "agent"}


def check(
    attributes: dict[str, Any],
    expected: TokenBuckets,
    sources: dict[str, str],
    dialect: str,
    resource: dict[str, Any] | None = None,
) -> None:
    call = read_call(make_span(attributes, resource=resource))
    assert call.tokens == expected
    assert {key: call.sources.get(key) for key in sources} == sources
    assert call.dialect == dialect


GENAI_CASES = [
    ("plain chat",
     {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 200},
     # no cache, no reasoning: buckets are the figures
     TokenBuckets(input=1000, output=200),
     {"input": "gen_ai.usage.input_tokens", "output": "gen_ai.usage.output_tokens",
      "input_convention": None}),
    ("cache read and write inside input",
     {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
      "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.cache_read.input_tokens": 1000,
      "gen_ai.usage.cache_creation.input_tokens": 100, "gen_ai.usage.output_tokens": 50},
     # input 1200 includes 1000 cache read + 100 cache write: 1200 - 1000 - 100 = 100 uncached
     TokenBuckets(input=100, cache_read=1000, cache_write=100, output=50),
     {"cache_read": "gen_ai.usage.cache_read.input_tokens",
      "cache_write": "gen_ai.usage.cache_creation.input_tokens", "input_convention": "includes_cache"}),
    ("reasoning inside output",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 300, "gen_ai.usage.output_tokens": 500,
      "gen_ai.usage.reasoning.output_tokens": 320},
     # output 500 includes 320 reasoning: 500 - 320 = 180 visible output
     TokenBuckets(input=300, output=180, reasoning=320),
     {"reasoning": "gen_ai.usage.reasoning.output_tokens", "output_convention": "includes_reasoning"}),
    ("input reported exclusive of cache (old Anthropic instrumentation)",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 20,
      "gen_ai.usage.cache_read.input_tokens": 1000, "gen_ai.usage.cache_creation.input_tokens": 300,
      "gen_ai.usage.output_tokens": 40},
     # 20 < 1000 + 300, so 20 cannot include the cache: it is the uncached bucket as sent
     TokenBuckets(input=20, cache_read=1000, cache_write=300, output=40),
     {"input_convention": "excludes_cache_inferred"}),
    ("output reported exclusive of reasoning",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.output_tokens": 100,
      "gen_ai.usage.reasoning.output_tokens": 250},
     # 100 < 250 reasoning: output as sent
     TokenBuckets(output=100, reasoning=250),
     {"output_convention": "excludes_reasoning_inferred"}),
    ("input exactly equal to cache",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 1100,
      "gen_ai.usage.cache_read.input_tokens": 1000, "gen_ai.usage.cache_creation.input_tokens": 100},
     # 1100 - 1000 - 100 = 0 uncached
     TokenBuckets(cache_read=1000, cache_write=100),
     {"input_convention": "includes_cache"}),
    ("deprecated prompt/completion names",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.prompt_tokens": 800,
      "gen_ai.usage.completion_tokens": 40, "gen_ai.usage.cache_read.input_tokens": 300},
     # deprecated input 800 includes 300 cache read: 800 - 300 = 500
     TokenBuckets(input=500, cache_read=300, output=40),
     {"input": "gen_ai.usage.prompt_tokens", "output": "gen_ai.usage.completion_tokens"}),
    ("current name beats deprecated",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 900, "gen_ai.usage.prompt_tokens": 1,
      "gen_ai.usage.output_tokens": 9, "gen_ai.usage.completion_tokens": 1},
     TokenBuckets(input=900, output=9),
     {"input": "gen_ai.usage.input_tokens", "output": "gen_ai.usage.output_tokens"}),
    ("numeric strings and integral doubles",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": "1200",
      "gen_ai.usage.cache_read.input_tokens": 200.0, "gen_ai.usage.output_tokens": " 30 "},
     # 1200 - 200 = 1000
     TokenBuckets(input=1000, cache_read=200, output=30),
     {}),
    ("1h cache writes are a subset of cache creation",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 2000,
      "gen_ai.usage.cache_creation.input_tokens": 600, "finops.usage.cache_write_1h_tokens": 400,
      "gen_ai.usage.output_tokens": 10},
     # creation 600 = 200 five-minute + 400 one-hour; input 2000 - 600 = 1400
     TokenBuckets(input=1400, cache_write=200, cache_write_1h=400, output=10),
     {"cache_write_1h": "finops.usage.cache_write_1h_tokens"}),
    ("1h cache writes with no cache creation figure",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 3000,
      "gen_ai.usage.cache_read.input_tokens": 1000, "finops.usage.cache_write_1h_tokens": 500},
     # 500 > 0 reported creation, so reported apart: creation = 500; input 3000 - 1000 - 500 = 1500
     TokenBuckets(input=1500, cache_read=1000, cache_write_1h=500),
     {}),
    ("zero cache read",
     {"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 100,
      "gen_ai.usage.cache_read.input_tokens": 0},
     TokenBuckets(input=100),
     {"cache_read": "gen_ai.usage.cache_read.input_tokens", "input_convention": None}),
    ("embeddings, input only",
     {"gen_ai.operation.name": "embeddings", "gen_ai.usage.input_tokens": 64},
     TokenBuckets(input=64),
     {"output": None}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected", "sources"), [c[1:] for c in GENAI_CASES], ids=[c[0] for c in GENAI_CASES]
)
def test_genai_tokens(attributes: dict[str, Any], expected: TokenBuckets, sources: dict[str, str]) -> None:
    check(attributes, expected, sources, "genai")


OPENINFERENCE_CASES = [
    ("cache and reasoning inside counts",
     {"openinference.span.kind": "LLM", "llm.provider": "openai", "llm.model_name": "o3",
      "llm.token_count.prompt": 1500, "llm.token_count.prompt_details.cache_read": 1000,
      "llm.token_count.prompt_details.cache_write": 200, "llm.token_count.completion": 300,
      "llm.token_count.completion_details.reasoning": 100, "llm.token_count.total": 1800},
     # prompt 1500 - 1000 read - 200 write = 300; completion 300 - 100 reasoning = 200
     TokenBuckets(input=300, cache_read=1000, cache_write=200, output=200, reasoning=100),
     {"input": "llm.token_count.prompt", "cache_write": "llm.token_count.prompt_details.cache_write",
      "reasoning": "llm.token_count.completion_details.reasoning"},
     "openinference"),
    ("embedding span",
     {"openinference.span.kind": "EMBEDDING", "embedding.model_name": "text-embedding-3-small",
      "llm.token_count.prompt": 64},
     TokenBuckets(input=64),
     {"input": "llm.token_count.prompt", "model": "embedding.model_name"},
     "openinference"),
    ("prompt exclusive of cache",
     {"openinference.span.kind": "LLM", "llm.token_count.prompt": 30,
      "llm.token_count.prompt_details.cache_read": 900, "llm.token_count.completion": 5},
     # 30 < 900: taken as the uncached bucket as sent
     TokenBuckets(input=30, cache_read=900, output=5),
     {"input_convention": "excludes_cache_inferred"},
     "openinference"),
    ("genai names beat OpenInference, which fills the gaps",
     {"openinference.span.kind": "LLM", "gen_ai.usage.input_tokens": 1000, "llm.token_count.prompt": 999,
      "llm.token_count.prompt_details.cache_read": 600, "llm.token_count.completion": 50},
     # input from genai: 1000 - 600 cache read (from OpenInference) = 400; output from OpenInference
     TokenBuckets(input=400, cache_read=600, output=50),
     {"input": "gen_ai.usage.input_tokens", "cache_read": "llm.token_count.prompt_details.cache_read",
      "output": "llm.token_count.completion"},
     "genai"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected", "sources", "dialect"),
    [c[1:] for c in OPENINFERENCE_CASES],
    ids=[c[0] for c in OPENINFERENCE_CASES],
)
def test_openinference_tokens(
    attributes: dict[str, Any], expected: TokenBuckets, sources: dict[str, str], dialect: str
) -> None:
    check(attributes, expected, sources, dialect)


TRACELOOP_CASES = [
    ("openai with cache and reasoning",
     {"llm.request.type": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "o4-mini",
      "gen_ai.usage.prompt_tokens": 1500, "gen_ai.usage.completion_tokens": 700,
      "gen_ai.usage.cache_read_input_tokens": 1024, "gen_ai.usage.reasoning_tokens": 512,
      "llm.usage.total_tokens": 2200},
     # 1500 - 1024 = 476 uncached; 700 - 512 = 188 visible output; total kept raw only
     TokenBuckets(input=476, cache_read=1024, output=188, reasoning=512),
     {"cache_read": "gen_ai.usage.cache_read_input_tokens", "reasoning": "gen_ai.usage.reasoning_tokens"}),
    ("anthropic, input including cache",
     {"llm.request.type": "chat", "gen_ai.system": "Anthropic", "gen_ai.usage.input_tokens": 1350,
      "gen_ai.usage.cache_read_input_tokens": 1000, "gen_ai.usage.cache_creation_input_tokens": 300,
      "gen_ai.usage.output_tokens": 75},
     # 1350 = 50 uncached + 1000 read + 300 write: 1350 - 1000 - 300 = 50
     TokenBuckets(input=50, cache_read=1000, cache_write=300, output=75),
     {"cache_write": "gen_ai.usage.cache_creation_input_tokens", "input_convention": "includes_cache"}),
    ("old anthropic, input excluding cache",
     {"llm.request.type": "chat", "gen_ai.system": "Anthropic", "gen_ai.usage.prompt_tokens": 50,
      "gen_ai.usage.cache_read_input_tokens": 1000, "gen_ai.usage.cache_creation_input_tokens": 300,
      "gen_ai.usage.completion_tokens": 75},
     # 50 < 1000 + 300: reported exclusive, kept as sent
     TokenBuckets(input=50, cache_read=1000, cache_write=300, output=75),
     {"input_convention": "excludes_cache_inferred"}),
    ("oldest llm.usage names",
     {"llm.request.type": "completion", "llm.usage.prompt_tokens": 300, "llm.usage.completion_tokens": 20},
     TokenBuckets(input=300, output=20),
     {"input": "llm.usage.prompt_tokens", "output": "llm.usage.completion_tokens"}),
    ("total only is never split",
     {"llm.request.type": "chat", "gen_ai.request.model": "gpt-4o", "llm.usage.total_tokens": 500},
     TokenBuckets(),
     {"input": None, "output": None}),
    ("current cache names beat traceloop ones",
     {"llm.request.type": "chat", "gen_ai.usage.input_tokens": 900,
      "gen_ai.usage.cache_read.input_tokens": 400, "gen_ai.usage.cache_read_input_tokens": 1},
     # 900 - 400 = 500
     TokenBuckets(input=500, cache_read=400),
     {"cache_read": "gen_ai.usage.cache_read.input_tokens"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected", "sources"),
    [c[1:] for c in TRACELOOP_CASES],
    ids=[c[0] for c in TRACELOOP_CASES],
)
def test_traceloop_tokens(attributes: dict[str, Any], expected: TokenBuckets, sources: dict[str, str]) -> None:
    check(attributes, expected, sources, "traceloop")


def test_traceloop_total_tokens_kept_raw() -> None:
    call = read_call(make_span({"llm.request.type": "chat", "llm.usage.total_tokens": 500}))
    assert call.usage_raw == {"llm.usage.total_tokens": 500}
    assert call.tokens.total == 0


OPENLIT_CASES = [
    ("openai, cache inside input, own cost",
     {"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 2000, "gen_ai.usage.cache_read.input_tokens": 1500,
      "gen_ai.usage.output_tokens": 100, "gen_ai.usage.cost": 0.00123},
     # 2000 - 1500 = 500 uncached
     TokenBuckets(input=500, cache_read=1500, output=100),
     Decimal("0.00123")),
    ("anthropic input excludes cache",
     {"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic", "gen_ai.usage.input_tokens": 3000,
      "gen_ai.usage.cache_read_input_tokens": 1000, "gen_ai.usage.cache_creation_input_tokens": 200,
      "gen_ai.usage.output_tokens": 60},
     # OpenLIT Anthropic: 3000 is already uncached (not 3000 - 1000 - 200 = 1800)
     TokenBuckets(input=3000, cache_read=1000, cache_write=200, output=60),
     None),
    ("anthropic via provider name",
     {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.usage.input_tokens": 40,
      "gen_ai.usage.cache_read.input_tokens": 2000, "gen_ai.usage.output_tokens": 5},
     # uncached 40 as sent
     TokenBuckets(input=40, cache_read=2000, output=5),
     None),
    ("older prompt/completion names with reasoning",
     {"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.usage.prompt_tokens": 120,
      "gen_ai.usage.completion_tokens": 400, "gen_ai.usage.reasoning_tokens": 384,
      "gen_ai.usage.cost": "0.002"},
     # 400 - 384 = 16 visible output
     TokenBuckets(input=120, output=16, reasoning=384),
     Decimal("0.002")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected", "cost"), [c[1:] for c in OPENLIT_CASES], ids=[c[0] for c in OPENLIT_CASES]
)
def test_openlit_tokens(attributes: dict[str, Any], expected: TokenBuckets, cost: Decimal | None) -> None:
    call = read_call(make_span(attributes, resource=OPENLIT))
    assert call.tokens == expected
    assert call.reported_cost == cost
    assert call.dialect == "openlit"


def test_anthropic_input_subtracted_without_openlit() -> None:
    # The same attributes as the OpenLIT case, from another SDK: 3000 - 1000 - 200 = 1800
    attributes = dict(OPENLIT_CASES[1][1])
    call = read_call(make_span(attributes))
    assert call.tokens.input == 1800


LANGFUSE_CASES = [
    ("JSON string, input and output",
     {"langfuse.observation.type": "generation", "langfuse.observation.model.name": "gpt-4o",
      "langfuse.observation.usage_details": '{"input": 120, "output": 80, "total": 200}',
      "langfuse.observation.cost_details": '{"input": 0.0012, "output": 0.0024, "total": 0.0036}'},
     # total is ignored (120 + 80 would be counted twice)
     TokenBuckets(input=120, output=80),
     {"input": "langfuse.observation.usage_details.input", "model": "langfuse.observation.model.name"},
     Decimal("0.0036")),
    ("anthropic keys are exclusive",
     {"langfuse.observation.type": "generation",
      "langfuse.observation.usage_details": '{"input": 25, "cache_read_input_tokens": 1800, '
                                            '"cache_creation_input_tokens": 400, "output": 90}'},
     # no subtraction: 25 + 1800 + 400 + 90 = 2315 billed tokens
     TokenBuckets(input=25, cache_read=1800, cache_write=400, output=90),
     {"cache_read": "langfuse.observation.usage_details.cache_read_input_tokens",
      "input_convention": "excludes_cache"},
     None),
    ("openai cached and reasoning keys are exclusive",
     {"langfuse.observation.type": "generation",
      "langfuse.observation.usage_details": '{"input": 500, "input_cached_tokens": 1500, "output": 100, '
                                            '"output_reasoning_tokens": 300}'},
     # input 500 is already uncached; output 100 already excludes the 300 reasoning
     TokenBuckets(input=500, cache_read=1500, output=100, reasoning=300),
     {"reasoning": "langfuse.observation.usage_details.output_reasoning_tokens",
      "output_convention": "excludes_reasoning"},
     None),
    ("kvlist with prompt/completion keys",
     {"langfuse.observation.type": "generation",
      "langfuse.observation.usage_details": {"prompt_tokens": 10, "completion_tokens": 5}},
     TokenBuckets(input=10, output=5),
     {"input": "langfuse.observation.usage_details.prompt_tokens"},
     None),
    ("1h and 5m cache writes, audio input summed",
     {"langfuse.observation.type": "generation",
      "langfuse.observation.usage_details": '{"input": 10, "input_audio": 4, '
                                            '"ephemeral_5m_input_tokens": 100, '
                                            '"ephemeral_1h_input_tokens": 50, "output": 5}'},
     # input 10 + 4 audio = 14; 5m writes 100; 1h writes 50 (exclusive, so not taken out of the 100)
     TokenBuckets(input=14, cache_write=100, cache_write_1h=50, output=5),
     {"input": "langfuse.observation.usage_details.input+langfuse.observation.usage_details.input_audio",
      "cache_write_1h": "langfuse.observation.usage_details.ephemeral_1h_input_tokens"},
     None),
    ("cost without total is summed as Decimal",
     {"langfuse.observation.type": "generation", "langfuse.observation.usage_details": '{"input": 1}',
      "langfuse.observation.cost_details": {"input": 0.1, "output": 0.2}},
     TokenBuckets(input=1),
     {"reported_cost": "langfuse.observation.cost_details"},
     # Decimal("0.1") + Decimal("0.2") = 0.3 exactly (floats would give 0.30000000000000004)
     Decimal("0.3")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "expected", "sources", "cost"),
    [c[1:] for c in LANGFUSE_CASES],
    ids=[c[0] for c in LANGFUSE_CASES],
)
def test_langfuse_tokens(
    attributes: dict[str, Any], expected: TokenBuckets, sources: dict[str, str], cost: Decimal | None
) -> None:
    call = read_call(make_span(attributes))
    assert call.tokens == expected
    assert {key: call.sources.get(key) for key in sources} == sources
    assert call.reported_cost == cost
    assert call.dialect == "langfuse"


COST_CASES = [
    ("OI total", {"llm.cost.total": 0.0123, "llm.cost.prompt": 1.0}, Decimal("0.0123"), "llm.cost.total"),
    # 0.1 + 0.2 summed as Decimal("0.1") + Decimal("0.2") = 0.3
    ("OI prompt + completion", {"llm.cost.prompt": 0.1, "llm.cost.completion": 0.2}, Decimal("0.3"),
     "llm.cost.prompt+llm.cost.completion"),
    ("OI prompt only", {"llm.cost.prompt": "0.004"}, Decimal("0.004"), "llm.cost.prompt"),
    ("finops beats openlit", {"finops.reported_cost": 1, "gen_ai.usage.cost": 2.5}, Decimal("1"),
     "finops.reported_cost"),
    ("openlit beats OI", {"gen_ai.usage.cost": 2.5, "llm.cost.total": 9.0}, Decimal("2.5"),
     "gen_ai.usage.cost"),
    ("OI beats langfuse", {"llm.cost.total": 9.0, "langfuse.observation.cost_details": '{"total": 1}'},
     Decimal("9.0"), "llm.cost.total"),
    ("tiny float keeps its digits", {"gen_ai.usage.cost": 1.5e-05}, Decimal("0.000015"), "gen_ai.usage.cost"),
]  # fmt: skip


@pytest.mark.parametrize(("attributes", "cost", "source"), [c[1:] for c in COST_CASES], ids=[c[0] for c in COST_CASES])
def test_reported_cost(attributes: dict[str, Any], cost: Decimal, source: str) -> None:
    call = read_call(make_span({"gen_ai.operation.name": "chat", **attributes}))
    assert call.reported_cost == cost
    assert call.sources["reported_cost"] == source
