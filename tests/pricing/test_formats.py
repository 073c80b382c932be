"""Reading and writing price catalogs: YAML, LiteLLM JSON, CSV (pure, no database).

Every expected price is computed by hand in the comment beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from finops.errors import FinopsError
from finops.pricing.formats import CatalogFormatError, per_million, tidy_decimal
from finops.pricing.formats_csv import CSV_COLUMNS, dump_csv_catalog, load_csv_catalog
from finops.pricing.formats_litellm import load_litellm_json, otel_provider
from finops.pricing.formats_yaml import dump_yaml_catalog, load_yaml_catalog
from finops.pricing.prices import LongContextTier, PriceVersion, Rates, Tier

SHIPPED = Path(__file__).resolve().parents[2] / "finops" / "pricing" / "data" / "prices.yaml"
AUG_6 = datetime(2024, 8, 6, tzinfo=UTC)


# --- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_token", "expected"),
    [
        (D("2.5e-06"), D("2.5")),  # 2.5e-06 x 1,000,000 = 2.5
        (D("1e-05"), D("10")),  # 1e-05 x 1,000,000 = 10
        (D("1.875e-05"), D("18.75")),  # 1.875e-05 x 1,000,000 = 18.75
        (D("5.46875e-07"), D("0.546875")),  # 5.46875e-07 x 1,000,000 = 0.546875
        (D("3.75e-08"), D("0.0375")),  # 3.75e-08 x 1,000,000 = 0.0375
        (D("0.0"), D("0")),
    ],
)
def test_per_million_is_exact(per_token: D, expected: D) -> None:
    result = per_million(per_token)
    assert result == expected
    assert str(result) == str(expected)  # no exponent notation, no trailing zeros


def test_tidy_decimal_keeps_plain_notation() -> None:
    assert str(tidy_decimal(D("10.000"))) == "10"  # normalize() alone would give 1E+1
    assert str(tidy_decimal(D("2.50"))) == "2.5"
    assert str(tidy_decimal(D("-0.0"))) == "0"


def test_catalog_format_error_is_a_finops_error() -> None:
    assert issubclass(CatalogFormatError, FinopsError)


# --- YAML -------------------------------------------------------------------------------------

YAML_CATALOG = """\
catalog_version: "2026-11-23"
currency: USD
models:
  - provider: openai
    model: GPT-4o
    aliases: [gpt-4o-2024-08-06, GPT-4o-Latest]
    patterns: []
    tier: frontier
    kind: chat
    input: "2.50"
    cache_read: "1.25"
    cache_write: null
    cache_write_1h: null
    output: "10.00"
    reasoning: null
    batch_discount: "0.50"
    request_fee: null
    long_context: null
    open_weight: false
    effective_from: "2024-08-06"
    effective_to: null
    source: "https://openai.com/api/pricing/"
    as_of: "2026-11-01"
  - provider: Anthropic
    model: claude-sonnet-4-5
    patterns: ['claude-sonnet-4-5(-\\d{8})?']
    tier: mid
    input: 3            # YAML numbers are read through str(): 3 -> 3
    cache_read: 0.3     # 0.3 -> "0.3", never the float 0.299999...
    cache_write: "3.75"
    cache_write_1h: "6"
    output: 15.0
    long_context:
      threshold_input_tokens: 200000
      input: "6"
      cache_read: "0.6"
      cache_write: "7.5"
      cache_write_1h: "12"
      output: "22.5"
      reasoning: null
    effective_from: 2025-09-29T10:00:00+02:00
    effective_to: 2026-06-01
    source: https://www.anthropic.com/pricing
    as_of: 2026-11-01
  - provider: null
    model: text-embedding-3-small
    kind: embedding
    tier: embedding
    currency: eur
    input: "0.02"
    output: "0"
    request_fee: "0.0001"
    open_weight: true
    effective_from: "2024-01-25"
"""

YAML_EXPECTED = [
    PriceVersion(
        model="gpt-4o",
        provider="openai",
        aliases=("gpt-4o-2024-08-06", "gpt-4o-latest"),
        tier=Tier.FRONTIER,
        rates=Rates(input=D("2.50"), cache_read=D("1.25"), output=D("10.00")),
        batch_discount=D("0.5"),
        effective_from=AUG_6,  # a date is midnight UTC
        source="https://openai.com/api/pricing/",
        as_of=date(2026, 11, 1),
    ),
    PriceVersion(
        model="claude-sonnet-4-5",
        provider="anthropic",
        patterns=(r"claude-sonnet-4-5(-\d{8})?",),
        tier=Tier.MID,
        rates=Rates(input=D(3), cache_read=D("0.3"), cache_write=D("3.75"), cache_write_1h=D(6), output=D(15)),
        long_context=LongContextTier(
            200_000,
            Rates(input=D(6), cache_read=D("0.6"), cache_write=D("7.5"), cache_write_1h=D(12), output=D("22.5")),
        ),
        effective_from=datetime(2025, 9, 29, 8, tzinfo=UTC),  # 10:00+02:00 = 08:00 UTC
        effective_to=datetime(2026, 6, 1, tzinfo=UTC),
        source="https://www.anthropic.com/pricing",
        as_of=date(2026, 11, 1),
    ),
    PriceVersion(
        model="text-embedding-3-small",
        provider=None,
        kind="embedding",
        tier=Tier.EMBEDDING,
        currency="EUR",  # the entry's currency overrides the catalog's
        rates=Rates(input=D("0.02"), output=D(0)),
        request_fee=D("0.0001"),
        open_weight=True,
        effective_from=datetime(2024, 1, 25, tzinfo=UTC),
    ),
]


def test_yaml_parses_every_field() -> None:
    versions = load_yaml_catalog(YAML_CATALOG)
    assert versions == YAML_EXPECTED
    # exact decimals, not floats on the way: 0.3 is 0.3 and 15.0 is 15
    assert str(versions[1].rates.cache_read) == "0.3"
    assert versions[1].rates.output == D(15)
    assert versions[1].rates.cache_write is not None and versions[0].rates.cache_write is None


def test_yaml_round_trip() -> None:
    text = dump_yaml_catalog(YAML_EXPECTED, catalog_version="2026-11-23")
    assert load_yaml_catalog(text) == YAML_EXPECTED
    assert 'input: "2.50"' in text.replace("'", '"')  # prices written as exact strings, with cents
    assert "catalog_version: '2026-11-23'" in text
    assert "currency: EUR" in text  # only the entry that differs from the catalog's currency


def _yaml_entry(**changes: object) -> str:
    entry: dict[str, object] = {
        "provider": "openai",
        "model": "gpt-4o",
        "input": "2.50",
        "output": "10",
        "effective_from": "2024-08-06",
    }
    entry.update(changes)
    return json.dumps({"currency": "USD", "models": [entry]})  # JSON is YAML


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"input": "abc"}, "entry 1 (gpt-4o): 'input' is not a decimal: 'abc'"),
        ({"cache_read": "-0.5"}, "entry 1 (gpt-4o): 'cache_read' is negative: '-0.5'"),
        ({"output": "NaN"}, "entry 1 (gpt-4o): 'output' is not a decimal: 'NaN'"),
        ({"input": "0.00000000001"}, "entry 1 (gpt-4o): 'input' has more than 10 decimal places"),
        ({"batch_discount": "1.5"}, "entry 1 (gpt-4o): 'batch_discount' must be between 0 and 1: 1.5"),
        ({"batch_discount": -0.1}, "entry 1 (gpt-4o): 'batch_discount' must be between 0 and 1: -0.1"),
        (
            {"long_context": {"threshold_input_tokens": 0, "input": "5", "output": "15"}},
            "entry 1 (gpt-4o): 'long_context.threshold_input_tokens' must be above 0: 0",
        ),
        (
            {"long_context": {"input": "5", "output": "15"}},
            "entry 1 (gpt-4o): 'long_context.input' is set but 'long_context.threshold_input_tokens' is not",
        ),
        (
            {"long_context": {"threshold_input_tokens": "lots", "input": "5", "output": "15"}},
            "entry 1 (gpt-4o): 'long_context.threshold_input_tokens' is not a whole number: 'lots'",
        ),
        (
            {"long_context": {"threshold_input_tokens": 128000, "input": "5"}},
            "entry 1 (gpt-4o): 'long_context.output' is required with a long-context threshold",
        ),
        (
            {"long_context": {"threshold_input_tokens": 128000, "input": "5", "output": "1", "cached": "1"}},
            "entry 1 (gpt-4o) long_context: unknown key(s) 'cached'",
        ),
        ({"patterns": ["gpt-4o(-mini"]}, "entry 1 (gpt-4o): pattern 'gpt-4o(-mini' is not a valid regular"),
        (
            {"effective_to": "2024-08-06"},
            "entry 1 (gpt-4o): 'effective_to' (2024-08-06T00:00:00+00:00) must be after 'effective_from'",
        ),
        ({"effective_from": "6 Aug 2024"}, "entry 1 (gpt-4o): 'effective_from' is not an ISO 8601 date"),
        ({"as_of": "2026-13-01"}, "entry 1 (gpt-4o): 'as_of' is not an ISO 8601 date: '2026-13-01'"),
        ({"tier": "huge"}, "entry 1 (gpt-4o): 'tier' must be one of frontier, mid, small, embedding"),
        ({"kind": "image"}, "entry 1 (gpt-4o): 'kind' must be one of chat, embedding: 'image'"),
        ({"currency": "dollars"}, "entry 1 (gpt-4o): 'currency' is not a 3-letter ISO 4217 code"),
        ({"output": None}, "entry 1 (gpt-4o): 'output' is required"),
        ({"model": None}, "entry 1: 'model' is required"),
        ({"cache_reads": "1"}, "entry 1 (gpt-4o): unknown key(s) 'cache_reads'"),
        ({"open_weight": "maybe"}, "entry 1 (gpt-4o): 'open_weight' is not true or false: 'maybe'"),
    ],
)
def test_yaml_errors_name_entry_and_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogFormatError) as caught:
        load_yaml_catalog(_yaml_entry(**changes))
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "catalog must be a mapping with a 'models' list"),
        ("models: {}", "catalog must be a mapping with a 'models' list"),
        ("models: [1]", "entry 1: must be a mapping"),
        ("models: []\nextra: 1", "catalog: unknown key(s) 'extra'"),
        ("models: [\n", "catalog is not valid YAML"),
    ],
)
def test_yaml_document_errors(text: str, message: str) -> None:
    with pytest.raises(CatalogFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_yaml_catalog(text)


def test_yaml_rejects_duplicate_versions() -> None:
    entry = {
        "provider": "openai",
        "model": "gpt-4o",
        "input": "1",
        "output": "2",
        "effective_from": "2024-08-06",
    }
    text = json.dumps({"models": [entry, {**entry, "model": "GPT-4o", "input": "3"}]})
    with pytest.raises(CatalogFormatError, match=r"entry 2 \(gpt-4o\): same provider, model and effective_from"):
        load_yaml_catalog(text)


# --- LiteLLM ----------------------------------------------------------------------------------

# Hand-written entries shaped like BerriAI/litellm model_prices_and_context_window.json.
LITELLM = {
    "sample_spec": {
        "input_cost_per_token": 0.0,
        "litellm_provider": "one of https://docs.litellm.ai/docs/providers",
        "mode": "one of: chat, embedding, completion, image_generation, audio_transcription, ...",
        "output_cost_per_token": 0.0,
    },
    "claude-sonnet-4-5": {
        "cache_creation_input_token_cost": 3.75e-06,
        "cache_creation_input_token_cost_above_1hr": 6e-06,
        "cache_creation_input_token_cost_above_1hr_above_200k_tokens": 1.2e-05,
        "cache_read_input_token_cost": 3e-07,
        "input_cost_per_token": 3e-06,
        "input_cost_per_token_above_200k_tokens": 6e-06,
        "output_cost_per_token_above_200k_tokens": 2.25e-05,
        "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
        "cache_read_input_token_cost_above_200k_tokens": 6e-07,
        "litellm_provider": "anthropic",
        "max_input_tokens": 200000,
        "max_output_tokens": 64000,
        "mode": "chat",
        "output_cost_per_token": 1.5e-05,
        "search_context_cost_per_query": {"search_context_size_high": 0.01},
        "supports_prompt_caching": True,
    },
    "gpt-4o": {
        "cache_read_input_token_cost": 1.25e-06,
        "input_cost_per_token": 2.5e-06,
        "input_cost_per_token_batches": 1.25e-06,
        "litellm_provider": "openai",
        "max_input_tokens": 128000,
        "mode": "chat",
        "output_cost_per_token": 1e-05,
        "output_cost_per_token_batches": 5e-06,
    },
    "openai/gpt-4o": {  # the same model again under a prefixed key: the first one wins
        "input_cost_per_token": 5e-06,
        "litellm_provider": "openai",
        "mode": "chat",
        "output_cost_per_token": 1.5e-05,
    },
    "o3-mini": {
        "input_cost_per_token": 1.1e-06,
        "litellm_provider": "openai",
        "mode": "responses",
        "output_cost_per_reasoning_token": 4.4e-06,
        "output_cost_per_token": 4.4e-06,
    },
    "gemini/gemini-2.5-pro": {
        "cache_read_input_token_cost": 1.25e-07,
        "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
        "input_cost_per_token": 1.25e-06,
        "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "input_cost_per_token_above_200k_tokens_priority": 4.5e-06,  # another service tier: ignored
        "input_cost_per_token_batches": 6.25e-07,
        "litellm_provider": "gemini",
        "max_input_tokens": 1048576,
        "mode": "chat",
        "output_cost_per_reasoning_token": 1e-05,
        "output_cost_per_token": 1e-05,
        "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "output_cost_per_token_batches": 6e-06,  # 1 - 6/10 = 0.4 but input says 0.5: no discount
    },
    "vertex_ai/gemini-2.5-flash": {
        "cache_read_input_token_cost": 7.5e-08,
        "input_cost_per_token": 3e-07,
        "litellm_provider": "vertex_ai-language-models",
        "mode": "chat",
        "output_cost_per_token": 2.5e-06,
    },
    "bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0": {
        "input_cost_per_token": 8e-07,
        "litellm_provider": "bedrock_converse",
        "mode": "chat",
        "output_cost_per_token": 4e-06,
    },
    "azure/gpt-4o-mini": {
        "input_cost_per_token": 1.65e-07,
        "litellm_provider": "azure",
        "mode": "chat",
        "output_cost_per_token": 6.6e-07,
    },
    "groq/llama-3.3-70b-versatile": {
        "input_cost_per_token": 5.9e-07,
        "litellm_provider": "groq",
        "mode": "chat",
        "output_cost_per_token": 7.9e-07,
    },
    "xai/grok-3": {
        "input_cost_per_token": 3e-06,
        "litellm_provider": "xai",
        "output_cost_per_token": 1.5e-05,
    },
    "command": {
        "input_cost_per_token": 1e-06,
        "litellm_provider": "cohere",
        "mode": "completion",
        "output_cost_per_token": 2e-06,
    },
    "gemini/gemini-1.5-pro-002": {  # two thresholds: the lowest is kept
        "input_cost_per_token": 1.25e-06,
        "input_cost_per_token_above_128k_tokens": 2.5e-06,
        "input_cost_per_token_above_200k_tokens": 5e-06,
        "litellm_provider": "gemini",
        "mode": "chat",
        "output_cost_per_token": 5e-06,
        "output_cost_per_token_above_128k_tokens": 1e-05,
    },
    "text-embedding-3-small": {
        "input_cost_per_token": 2e-08,
        "litellm_provider": "openai",
        "mode": "embedding",
        "output_cost_per_token": 0.0,
        "output_vector_size": 1536,
    },
    "cohere.embed-v4:0": {  # no output price: an embedding has no output tokens
        "input_cost_per_token": 1.2e-07,
        "litellm_provider": "bedrock",
        "mode": "embedding",
    },
    "dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04},
    "azure/whisper-1": {
        "input_cost_per_second": 0.0001,
        "litellm_provider": "azure",
        "mode": "audio_transcription",
        "output_cost_per_second": 0.0001,
    },
    "cohere.rerank-v3-5:0": {
        "input_cost_per_query": 0.002,
        "input_cost_per_token": 0.0,
        "litellm_provider": "bedrock",
        "mode": "rerank",
        "output_cost_per_token": 0.0,
    },
    "codestral/codestral-latest": {
        "input_cost_per_token": 0.0,
        "litellm_provider": "codestral",
        "mode": "chat",
        "output_cost_per_token": 0.0,
    },
    "ft:davinci-002": {"input_cost_per_token": 2e-06, "litellm_provider": "text-completion-openai"},
    "broken/model": {
        "input_cost_per_token": "abc",
        "litellm_provider": "broken",
        "mode": "chat",
        "output_cost_per_token": 1e-06,
    },
    "negative": {
        "input_cost_per_token": -1e-06,
        "litellm_provider": "openai",
        "mode": "chat",
        "output_cost_per_token": 1e-06,
    },
}

LITELLM_START = datetime(2026, 11, 23, tzinfo=UTC)
SOURCE = "litellm model_prices_and_context_window.json"


def _litellm(model: str, provider: str, rates: Rates, **extra: object) -> PriceVersion:
    return PriceVersion(
        model=model,
        provider=provider,
        rates=rates,
        effective_from=LITELLM_START,
        source=SOURCE,
        as_of=date(2026, 11, 23),
        **extra,  # type: ignore[arg-type]
    )


LITELLM_EXPECTED = {
    ("anthropic", "claude-sonnet-4-5"): _litellm(
        "claude-sonnet-4-5",
        "anthropic",
        # 3e-06 x 1M = 3; 1.5e-05 x 1M = 15; 3e-07 x 1M = 0.3; 3.75e-06 x 1M = 3.75; 6e-06 x 1M = 6
        Rates(input=D(3), output=D(15), cache_read=D("0.3"), cache_write=D("3.75"), cache_write_1h=D(6)),
        long_context=LongContextTier(
            200_000,  # "_above_200k_tokens": 200 x 1000
            # 6e-06 -> 6; 2.25e-05 -> 22.5; 6e-07 -> 0.6; 7.5e-06 -> 7.5; 1.2e-05 -> 12
            Rates(input=D(6), output=D("22.5"), cache_read=D("0.6"), cache_write=D("7.5"), cache_write_1h=D(12)),
        ),
    ),
    ("openai", "gpt-4o"): _litellm(
        "gpt-4o",
        "openai",
        # 2.5e-06 -> 2.5; 1e-05 -> 10; 1.25e-06 -> 1.25
        Rates(input=D("2.5"), output=D(10), cache_read=D("1.25")),
        batch_discount=D("0.5"),  # 1 - 1.25/2.5 = 0.5 and 1 - 5/10 = 0.5: consistent
    ),
    ("openai", "o3-mini"): _litellm(
        "o3-mini",
        "openai",
        Rates(input=D("1.1"), output=D("4.4"), reasoning=D("4.4")),  # 1.1e-06 -> 1.1; 4.4e-06 -> 4.4
    ),
    ("gcp.gemini", "gemini-2.5-pro"): _litellm(
        "gemini-2.5-pro",
        "gcp.gemini",
        # 1.25e-06 -> 1.25; 1e-05 -> 10; 1.25e-07 -> 0.125; reasoning 1e-05 -> 10
        Rates(input=D("1.25"), output=D(10), cache_read=D("0.125"), reasoning=D(10)),
        long_context=LongContextTier(
            200_000,
            # 2.5e-06 -> 2.5; 1.5e-05 -> 15; 2.5e-07 -> 0.25; reasoning has no long price: keeps 10
            Rates(input=D("2.5"), output=D(15), cache_read=D("0.25"), reasoning=D(10)),
        ),
    ),
    ("gcp.vertex_ai", "gemini-2.5-flash"): _litellm(
        "gemini-2.5-flash",
        "gcp.vertex_ai",
        Rates(input=D("0.3"), output=D("2.5"), cache_read=D("0.075")),  # 3e-07 -> 0.3; 7.5e-08 -> 0.075
    ),
    ("aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0"): _litellm(
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "aws.bedrock",
        Rates(input=D("0.8"), output=D(4)),  # 8e-07 -> 0.8; 4e-06 -> 4
    ),
    ("azure.ai.openai", "gpt-4o-mini"): _litellm(
        "gpt-4o-mini",
        "azure.ai.openai",
        Rates(input=D("0.165"), output=D("0.66")),  # 1.65e-07 -> 0.165; 6.6e-07 -> 0.66
    ),
    ("groq", "llama-3.3-70b-versatile"): _litellm(
        "llama-3.3-70b-versatile",
        "groq",
        Rates(input=D("0.59"), output=D("0.79")),  # 5.9e-07 -> 0.59; 7.9e-07 -> 0.79
    ),
    ("x_ai", "grok-3"): _litellm("grok-3", "x_ai", Rates(input=D(3), output=D(15))),  # no mode: chat
    ("cohere", "command"): _litellm("command", "cohere", Rates(input=D(1), output=D(2))),  # completion
    ("gcp.gemini", "gemini-1.5-pro-002"): _litellm(
        "gemini-1.5-pro-002",
        "gcp.gemini",
        Rates(input=D("1.25"), output=D(5)),  # 1.25e-06 -> 1.25; 5e-06 -> 5
        long_context=LongContextTier(128_000, Rates(input=D("2.5"), output=D(10))),  # 2.5e-06; 1e-05
    ),
    ("openai", "text-embedding-3-small"): _litellm(
        "text-embedding-3-small",
        "openai",
        Rates(input=D("0.02"), output=D(0)),  # 2e-08 -> 0.02
        kind="embedding",
        tier=Tier.EMBEDDING,
    ),
    ("aws.bedrock", "cohere.embed-v4:0"): _litellm(
        "cohere.embed-v4:0",
        "aws.bedrock",
        Rates(input=D("0.12"), output=D(0)),  # 1.2e-07 -> 0.12
        kind="embedding",
        tier=Tier.EMBEDDING,
    ),
}

LITELLM_NOTES = [
    "sample_spec: skipped, LiteLLM's documentation of the format, not a model",
    "openai/gpt-4o: skipped, same provider and model as 'gpt-4o'",
    "key 'gemini/gemini-2.5-pro': batch prices imply different discounts (input 0.50000, output 0.40000); "
    "batch_discount left empty",
    "key 'gemini/gemini-1.5-pro-002': several long-context thresholds (128000, 200000 tokens); kept 128000",
    "dall-e-3: skipped, mode 'image_generation' is not priced per token",
    "azure/whisper-1: skipped, mode 'audio_transcription' is not priced per token",
    "cohere.rerank-v3-5:0: skipped, mode 'rerank' is not priced per token",
    "codestral/codestral-latest: skipped, input and output prices are both 0 (free tier or unknown price)",
    "ft:davinci-002: skipped, no output_cost_per_token",
    "broken/model: skipped, key 'broken/model': 'input_cost_per_token' is not a decimal: 'abc'",
    "negative: skipped, key 'negative' (negative): 'input' is negative: -1",
]


def test_litellm_import() -> None:
    versions, notes = load_litellm_json(json.dumps(LITELLM), effective_from=LITELLM_START)
    assert {(v.provider, v.model): v for v in versions} == LITELLM_EXPECTED
    assert len(versions) == len(LITELLM_EXPECTED)
    assert notes == LITELLM_NOTES


def test_litellm_reads_numbers_as_written() -> None:
    # 2.1875e-06 x 1M = 2.1875 and 5.46875e-07 x 1M = 0.546875: no float rounding on the way
    text = (
        '{"amazon.nova-2-pro": {"input_cost_per_token": 2.1875e-06, "output_cost_per_token": 1.75e-05, '
        '"cache_read_input_token_cost": 5.46875e-07, '
        '"litellm_provider": "bedrock_converse", "mode": "chat"}}'
    )
    [version], notes = load_litellm_json(
        text, effective_from=datetime(2026, 1, 1), source="litellm@abc123", as_of=date(2025, 12, 31)
    )
    assert notes == []
    assert version.rates == Rates(input=D("2.1875"), output=D("17.5"), cache_read=D("0.546875"))
    assert version.effective_from == datetime(2026, 1, 1, tzinfo=UTC)  # naive is UTC
    assert (version.source, version.as_of) == ("litellm@abc123", date(2025, 12, 31))


@pytest.mark.parametrize(
    ("litellm_provider", "expected"),
    [
        ("openai", "openai"),
        ("text-completion-openai", "openai"),
        ("anthropic", "anthropic"),
        ("vertex_ai-language-models", "gcp.vertex_ai"),
        ("vertex_ai-anthropic_models", "gcp.vertex_ai"),
        ("gemini", "gcp.gemini"),
        ("bedrock", "aws.bedrock"),
        ("bedrock_converse", "aws.bedrock"),
        ("azure", "azure.ai.openai"),
        ("azure_ai", "azure.ai.inference"),
        ("mistral", "mistral_ai"),
        ("xai", "x_ai"),
        ("deepseek", "deepseek"),
        ("together_ai", "together_ai"),
        ("fireworks_ai", "fireworks_ai"),
        ("cohere_chat", "cohere"),
        ("perplexity", "perplexity"),
        ("OpenRouter", "openrouter"),
    ],
)
def test_otel_provider(litellm_provider: str, expected: str) -> None:
    assert otel_provider(litellm_provider) == expected


@pytest.mark.parametrize(("text", "message"), [("[1, 2]", "must be a JSON object"), ("{", "not valid JSON")])
def test_litellm_file_errors(text: str, message: str) -> None:
    with pytest.raises(CatalogFormatError, match=message):
        load_litellm_json(text, effective_from=LITELLM_START)


# --- CSV --------------------------------------------------------------------------------------


def test_csv_minimal() -> None:
    text = (
        "provider,model,input,output,effective_from\n"
        "openai,GPT-4o,2.50,10.00,2024-08-06\n"
        ",llama-3.3-70b,0.59,0.79,2025-01-01T12:00:00\n"
    )
    assert load_csv_catalog(text) == [
        PriceVersion(
            model="gpt-4o", provider="openai", rates=Rates(input=D("2.5"), output=D(10)), effective_from=AUG_6
        ),
        PriceVersion(
            model="llama-3.3-70b",
            provider=None,  # empty provider: any host
            rates=Rates(input=D("0.59"), output=D("0.79")),
            effective_from=datetime(2025, 1, 1, 12, tzinfo=UTC),  # naive datetime is UTC
        ),
    ]


def test_csv_full_row() -> None:
    header = ",".join(CSV_COLUMNS)
    row = (
        "Anthropic,claude-sonnet-4-5,claude-sonnet-4-5-20250929;Claude-Sonnet-4.5,claude-sonnet-4-5@.*,mid,chat,usd,"
        "3.00,0.30,3.75,6.00,15.00,,"
        "0.5,0.001,"
        "200000,6.00,0.60,7.50,12.00,22.50,,"
        "false,2025-09-29T10:00:00+02:00,2026-06-01,https://www.anthropic.com/pricing,2026-11-01"
    )
    [version] = load_csv_catalog(f"\ufeff{header}\r\n{row}\r\n")  # as Excel saves it: BOM and CRLF
    assert version == PriceVersion(
        model="claude-sonnet-4-5",
        provider="anthropic",
        aliases=("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        patterns=("claude-sonnet-4-5@.*",),
        tier=Tier.MID,
        currency="USD",
        rates=Rates(input=D(3), cache_read=D("0.3"), cache_write=D("3.75"), cache_write_1h=D(6), output=D(15)),
        batch_discount=D("0.5"),
        request_fee=D("0.001"),
        long_context=LongContextTier(
            200_000,
            Rates(input=D(6), cache_read=D("0.6"), cache_write=D("7.5"), cache_write_1h=D(12), output=D("22.5")),
        ),
        effective_from=datetime(2025, 9, 29, 8, tzinfo=UTC),  # 10:00+02:00 = 08:00 UTC
        effective_to=datetime(2026, 6, 1, tzinfo=UTC),
        source="https://www.anthropic.com/pricing",
        as_of=date(2026, 11, 1),
    )


def test_csv_round_trip() -> None:
    versions = [*YAML_EXPECTED, *LITELLM_EXPECTED.values()]
    text = dump_csv_catalog(versions)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert load_csv_catalog(text) == versions


def test_csv_and_yaml_agree() -> None:
    assert load_csv_catalog(dump_csv_catalog(load_yaml_catalog(YAML_CATALOG))) == YAML_EXPECTED


MINIMAL_HEADER = "provider,model,input,output,effective_from"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"{MINIMAL_HEADER}\nopenai,gpt-4o,abc,10,2024-08-06\n",
            "line 2 (gpt-4o): 'input' is not a decimal: 'abc'",
        ),
        (
            f"{MINIMAL_HEADER}\nopenai,gpt-4o,2.5,-10,2024-08-06\n",
            "line 2 (gpt-4o): 'output' is negative: '-10'",
        ),
        (
            f"{MINIMAL_HEADER},colour\nopenai,gpt-4o,2.5,10,2024-08-06,red\n",
            "CSV header: unknown column(s) 'colour'; known columns: provider, model,",
        ),
        (
            f"{MINIMAL_HEADER},patterns\nopenai,gpt-4o,2.5,10,2024-08-06,gpt-4o[\n",
            "line 2 (gpt-4o): pattern 'gpt-4o[' is not a valid regular expression",
        ),
        (
            f"{MINIMAL_HEADER}\nopenai,gpt-4o,2.5,10,2024-08-06\nopenai,gpt-4o-mini,0.15,0.6,06/08/2024\n",
            "line 3 (gpt-4o-mini): 'effective_from' is not an ISO 8601 date or datetime: '06/08/2024'",
        ),
        (
            f"{MINIMAL_HEADER},effective_to\nopenai,gpt-4o,2.5,10,2024-08-06,2024-01-01\n",
            "line 2 (gpt-4o): 'effective_to' (2024-01-01T00:00:00+00:00) must be after 'effective_from'",
        ),
        (
            f"{MINIMAL_HEADER},batch_discount\nopenai,gpt-4o,2.5,10,2024-08-06,50%\n",
            "line 2 (gpt-4o): 'batch_discount' is not a decimal: '50%'",
        ),
        (
            f"{MINIMAL_HEADER},long_context_threshold\nopenai,gpt-4o,2.5,10,2024-08-06,128k\n",
            "line 2 (gpt-4o): 'long_context_threshold' is not a whole number: '128k'",
        ),
        (
            f"{MINIMAL_HEADER},long_context_input\nopenai,gpt-4o,2.5,10,2024-08-06,5\n",
            "line 2 (gpt-4o): 'long_context_input' is set but 'long_context_threshold' is not",
        ),
        (
            "provider,model,input,effective_from\nopenai,gpt-4o,2.5,2024-08-06\n",
            "CSV header: missing required column(s) 'output'",
        ),
        ("model,Model,input,output,effective_from\n", "CSV header: column(s) 'model' appear twice"),
        ("", "CSV catalog is empty: a header row is required"),
        (
            f"{MINIMAL_HEADER}\nopenai,gpt-4o,2.5,10,2024-08-06,oops\n",
            "line 2: 6 cells but the header has 5 columns",
        ),
        (f"{MINIMAL_HEADER}\nopenai,gpt-4o,2.5,,2024-08-06\n", "line 2 (gpt-4o): 'output' is required"),
        (
            f"{MINIMAL_HEADER}\nopenai,gpt-4o,2.5,10,2024-08-06\n\nOpenAI,GPT-4o,3,12,2024-08-06\n",
            "line 4 (gpt-4o): same provider, model and effective_from as line 2",
        ),
    ],
)
def test_csv_errors(text: str, message: str) -> None:
    with pytest.raises(CatalogFormatError) as caught:
        load_csv_catalog(text)
    assert str(caught.value).startswith(message), str(caught.value)


def test_csv_dump_refuses_a_semicolon_inside_a_list_value() -> None:
    version = PriceVersion(model="m", patterns=("a;b",), rates=Rates(input=D(1), output=D(1)), effective_from=AUG_6)
    with pytest.raises(CatalogFormatError, match="'patterns' contains ';'"):
        dump_csv_catalog([version])


# --- the shipped catalog ----------------------------------------------------------------------


def test_shipped_catalog_is_valid() -> None:
    if not SHIPPED.exists():
        pytest.skip(f"{SHIPPED} not written yet")
    text = SHIPPED.read_text(encoding="utf-8")
    versions = load_yaml_catalog(text)  # raises on any bad entry
    assert versions
    assert len(versions) == len(yaml.safe_load(text)["models"])  # every entry parsed
    keys = [(v.provider, v.model, v.effective_from) for v in versions]
    assert len(keys) == len(set(keys)), "duplicate (provider, model, effective_from)"
    missing = [f"{v.provider}/{v.model}" for v in versions if not v.source or v.as_of is None]
    assert not missing, f"entries without source or as_of: {missing}"
    assert load_yaml_catalog(dump_yaml_catalog(versions)) == versions
