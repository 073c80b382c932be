"""Importing LiteLLM's `model_prices_and_context_window.json` (pure): JSON text in, versions out.

What is read from each entry (LiteLLM prices are per token; ours per 1M, multiplied exactly):

- `input_cost_per_token`, `output_cost_per_token` (both required; an embedding without an output
  price gets 0), `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
  `cache_creation_input_token_cost_above_1hr` (1-hour cache write), `output_cost_per_reasoning_token`;
- the same keys ending in `_above_<N>k_tokens` (or `_above_<N>m_tokens`): the long-context tier,
  threshold N*1000 prompt tokens. A bucket without its own long-context price keeps its standard
  price. With several thresholds the lowest is kept and the others are reported;
- `input_cost_per_token_batches` / `output_cost_per_token_batches`: batch_discount =
  1 - batch/standard, rounded to 5 places, kept only when input and output agree.

Skipped, each with a reason: `sample_spec`, modes other than chat/completion/responses/embedding,
entries without a per-token input or output price, entries whose input and output prices are both
0 (LiteLLM writes 0 for free tiers and for unknown prices alike, and a zero price would hide real
spend), entries with invalid values, and a second entry for the same (provider, model).

The provider is LiteLLM's `litellm_provider` mapped to the OTel `gen_ai.provider.name` value; the
model is the key without a leading "<provider>/" segment, lowercased.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal

from finops.pricing.formats import (
    DISCOUNT_PLACES,
    PRICE_FIELDS,
    CatalogFormatError,
    build_version,
    parse_decimal,
    parse_moment,
    per_million,
    tidy_decimal,
)
from finops.pricing.prices import PriceVersion, Tier

DEFAULT_SOURCE = "litellm model_prices_and_context_window.json"

_KINDS = {"chat": "chat", "completion": "chat", "responses": "chat", "embedding": "embedding"}

# litellm_provider -> OTel gen_ai.provider.name; anything else is kept as LiteLLM spells it.
_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "vertex_ai": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "mistral": "mistral_ai",
    "codestral": "mistral_ai",
    "text-completion-codestral": "mistral_ai",
    "xai": "x_ai",
    "deepseek": "deepseek",
    "groq": "groq",
    "together_ai": "together_ai",
    "fireworks_ai": "fireworks_ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "perplexity": "perplexity",
    "watsonx": "ibm.watsonx.ai",
}

# Our bucket -> LiteLLM's per-token key.
_KEYS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
    "reasoning": "output_cost_per_reasoning_token",
}
_BUCKET_BY_KEY = {key: bucket for bucket, key in _KEYS.items()}
# Anchored at both ends so that e.g. `..._above_200k_tokens_priority` (another service tier) is ignored.
_ABOVE = re.compile(
    r"^(?P<key>" + "|".join(sorted(map(re.escape, _KEYS.values()), key=len, reverse=True)) + r")"
    r"_above_(?P<count>\d+)(?P<unit>[km])_tokens$"
)
_UNITS = {"k": 1_000, "m": 1_000_000}
_DISCOUNT_QUANTUM = Decimal(1).scaleb(-DISCOUNT_PLACES)


def otel_provider(litellm_provider: str) -> str:
    """`vertex_ai-language-models` -> `gcp.vertex_ai`, `xai` -> `x_ai`, unknown -> lowercased as is."""
    name = litellm_provider.strip().lower()
    if name in _PROVIDERS:
        return _PROVIDERS[name]
    family = name.split("-", 1)[0]  # vertex_ai-anthropic_models, fireworks_ai-embedding-models
    return _PROVIDERS.get(family, name)


def _model_name(key: str, litellm_provider: str, provider: str) -> str:
    first, slash, rest = key.partition("/")
    if slash and rest and (first.lower() == litellm_provider.lower() or otel_provider(first) == provider):
        return rest.lower()
    return key.lower()


def _per_million(label: str, entry: dict[str, object], key: str) -> Decimal | None:
    value = parse_decimal(label, key, entry.get(key))
    return per_million(value) if value is not None else None


def _long_context(
    label: str, entry: dict[str, object], base: dict[str, Decimal | None], notes: list[str]
) -> dict[str, object]:
    tiers: dict[int, dict[str, Decimal]] = {}
    for key in entry:
        match = _ABOVE.match(key)
        price = _per_million(label, entry, key) if match else None
        if match and price is not None:
            threshold = int(match["count"]) * _UNITS[match["unit"]]
            tiers.setdefault(threshold, {})[_BUCKET_BY_KEY[match["key"]]] = price
    usable = sorted(threshold for threshold, prices in tiers.items() if {"input", "output"} & prices.keys())
    if not usable:
        return {}
    threshold = usable[0]
    if len(usable) > 1:
        notes.append(
            f"{label}: several long-context thresholds ({', '.join(map(str, usable))} tokens); kept {threshold}"
        )
    prices = tiers[threshold]
    fields: dict[str, object] = {"long_context_threshold": threshold}
    for bucket in PRICE_FIELDS:
        fields[f"long_context_{bucket}"] = prices.get(bucket, base[bucket])
    return fields


def _batch_discount(
    label: str, entry: dict[str, object], base: dict[str, Decimal | None], notes: list[str]
) -> Decimal | None:
    discounts: dict[str, Decimal] = {}
    for bucket in ("input", "output"):
        batch = _per_million(label, entry, f"{_KEYS[bucket]}_batches")
        standard = base[bucket]
        if batch is not None and standard:  # a 0 standard price says nothing about a discount
            discounts[bucket] = (1 - batch / standard).quantize(_DISCOUNT_QUANTUM)
    if not discounts:
        return None
    values = set(discounts.values())
    if len(values) > 1:
        shown = ", ".join(f"{bucket} {value}" for bucket, value in discounts.items())
        notes.append(f"{label}: batch prices imply different discounts ({shown}); batch_discount left empty")
        return None
    discount = tidy_decimal(values.pop())
    if not 0 <= discount <= 1:
        notes.append(f"{label}: batch prices imply a discount outside 0..1 ({discount}); left empty")
        return None
    return discount


def _convert(
    key: str,
    entry: dict[str, object],
    *,
    effective_from: datetime,
    source: str,
    as_of: date,
    notes: list[str],
) -> PriceVersion | None:
    mode = entry.get("mode") or "chat"  # LiteLLM treats an entry without a mode as a chat model
    kind = _KINDS.get(mode) if isinstance(mode, str) else None
    if kind is None:
        notes.append(f"{key}: skipped, mode {mode!r} is not priced per token")
        return None
    litellm_provider = entry.get("litellm_provider")
    if not isinstance(litellm_provider, str) or not litellm_provider.strip():
        notes.append(f"{key}: skipped, no litellm_provider")
        return None
    provider = otel_provider(litellm_provider)
    model = _model_name(key, litellm_provider, provider)
    label = f"key {key!r}"

    base = {bucket: _per_million(label, entry, litellm_key) for bucket, litellm_key in _KEYS.items()}
    if base["output"] is None and kind == "embedding":
        base["output"] = Decimal(0)  # an embedding produces no output tokens
    for bucket in ("input", "output"):
        if base[bucket] is None:
            notes.append(f"{key}: skipped, no {_KEYS[bucket]}")
            return None
    if base["input"] == 0 and base["output"] == 0:
        notes.append(f"{key}: skipped, input and output prices are both 0 (free tier or unknown price)")
        return None

    fields: dict[str, object] = {
        "provider": provider,
        "model": model,
        "tier": Tier.EMBEDDING.value if kind == "embedding" else None,
        "kind": kind,
        **base,
        **_long_context(label, entry, base, notes),
        "batch_discount": _batch_discount(label, entry, base, notes),
        "effective_from": effective_from,
        "source": source,
        "as_of": as_of,
    }
    return build_version(label, fields)


def load_litellm_json(
    text: str,
    *,
    effective_from: datetime,
    source: str = DEFAULT_SOURCE,
    as_of: date | None = None,
) -> tuple[list[PriceVersion], list[str]]:
    """Versions from LiteLLM's price file, plus one human-readable note per entry skipped or trimmed.

    Every version starts at `effective_from` (naive = UTC); `as_of` defaults to its UTC date.
    Only a file that is not a JSON object raises CatalogFormatError; a bad entry is skipped with
    a note, so one odd entry among thousands does not stop an import.
    """
    try:
        # parse_float=Decimal keeps every price exactly as written in the file.
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CatalogFormatError(f"LiteLLM price file is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise CatalogFormatError("LiteLLM price file must be a JSON object of model name -> prices")
    start = parse_moment("LiteLLM import", "effective_from", effective_from)
    assert start is not None
    checked = as_of if as_of is not None else start.date()

    versions: list[PriceVersion] = []
    notes: list[str] = []
    seen: dict[tuple[str | None, str], str] = {}
    for key, entry in document.items():
        if key == "sample_spec":
            notes.append("sample_spec: skipped, LiteLLM's documentation of the format, not a model")
            continue
        if not isinstance(entry, dict):
            notes.append(f"{key}: skipped, not a JSON object")
            continue
        try:
            version = _convert(key, entry, effective_from=start, source=source, as_of=checked, notes=notes)
        except CatalogFormatError as exc:
            notes.append(f"{key}: skipped, {exc}")
            continue
        if version is None:
            continue
        identity = (version.provider, version.model)
        if identity in seen:
            notes.append(f"{key}: skipped, same provider and model as {seen[identity]!r}")
            continue
        seen[identity] = key
        versions.append(version)
    return versions, notes
