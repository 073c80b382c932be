"""The shipped YAML price catalog (pure): `finops/pricing/data/prices.yaml` and files in its format.

```yaml
catalog_version: "2026-11-23"
currency: USD                   # default for entries without their own `currency`
models:
  - provider: openai            # or null = generic (any host)
    model: gpt-4o
    aliases: [gpt-4o-2024-08-06]
    patterns: []                # anchored regexes, full match on the lowercased model name
    tier: frontier              # frontier | mid | small | embedding  (optional)
    kind: chat                  # chat | embedding (default chat)
    input: "2.50"               # per 1M tokens; a quoted string keeps the exact decimal
    cache_read: "1.25"          # nullable, like every price but input and output
    cache_write: null
    cache_write_1h: null
    output: "10.00"
    reasoning: null
    batch_discount: "0.50"      # fraction off with the batch API, 0..1
    request_fee: null
    long_context: null          # or {threshold_input_tokens: 200000, input:, cache_read:,
                                #     cache_write:, cache_write_1h:, output:, reasoning:}
    open_weight: false
    effective_from: "2024-08-06"   # date (midnight UTC) or datetime (naive = UTC)
    effective_to: null             # exclusive
    source: "https://..."
    as_of: "2026-11-01"
```

Unknown keys are rejected, so a misspelt price (`cache_reads:`) fails loudly instead of silently
falling back to the input price. Two entries for the same (provider, model, effective_from) are
rejected too.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import yaml

from finops.pricing.formats import (
    FIELDS,
    LONG_CONTEXT_FIELDS,
    PRICE_FIELDS,
    CatalogFormatError,
    build_version,
    check_unique,
    format_decimal,
    format_moment,
)
from finops.pricing.prices import PriceVersion

_TOP_KEYS = ("catalog_version", "currency", "models")
# The flat fields, with the long-context ones nested under one `long_context` key.
_ENTRY_KEYS = tuple(
    "long_context" if name == "long_context_threshold" else name for name in FIELDS if name not in LONG_CONTEXT_FIELDS
)
_LONG_CONTEXT_KEYS = ("threshold_input_tokens", *PRICE_FIELDS)
# Messages name long-context fields the way this format nests them.
_SHOWN = {
    "long_context_threshold": "long_context.threshold_input_tokens",
    **{f"long_context_{name}": f"long_context.{name}" for name in PRICE_FIELDS},
}


def _unknown(label: str, mapping: dict[object, object], known: tuple[str, ...]) -> None:
    extra = [str(key) for key in mapping if key not in known]
    if extra:
        raise CatalogFormatError(
            f"{label}: unknown key(s) {', '.join(map(repr, extra))}; known keys: {', '.join(known)}"
        )


def _flatten(where: str, entry: dict[object, object]) -> dict[str, object]:
    model = entry.get("model")
    label = f"{where} ({model.strip().lower()})" if isinstance(model, str) else where
    _unknown(label, entry, _ENTRY_KEYS)
    flat = {str(key): value for key, value in entry.items() if key != "long_context"}
    long_context = entry.get("long_context")
    if long_context is None:
        return flat
    if not isinstance(long_context, dict):
        raise CatalogFormatError(f"{label}: 'long_context' must be a mapping or null: {long_context!r}")
    _unknown(f"{label} long_context", long_context, _LONG_CONTEXT_KEYS)
    flat["long_context_threshold"] = long_context.get("threshold_input_tokens")
    for name in PRICE_FIELDS:
        flat[f"long_context_{name}"] = long_context.get(name)
    return flat


def load_yaml_catalog(text: str) -> list[PriceVersion]:
    """Parse a YAML catalog; raise CatalogFormatError naming the entry (1-based) and field at fault."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogFormatError(f"catalog is not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("models"), list):
        raise CatalogFormatError("catalog must be a mapping with a 'models' list")
    _unknown("catalog", document, _TOP_KEYS)
    currency = document.get("currency") or "USD"
    if not isinstance(currency, str):
        raise CatalogFormatError(f"catalog: 'currency' is not text: {currency!r}")

    labelled: list[tuple[str, PriceVersion]] = []
    for number, entry in enumerate(document["models"], start=1):
        where = f"entry {number}"
        if not isinstance(entry, dict):
            raise CatalogFormatError(f"{where}: must be a mapping, got {entry!r}")
        labelled.append((where, build_version(where, _flatten(where, entry), default_currency=currency, shown=_SHOWN)))
    check_unique(labelled)
    return [version for _, version in labelled]


def _price(value: Decimal | None) -> str | None:
    return format_decimal(value) if value is not None else None


def _entry(version: PriceVersion, currency: str) -> dict[str, object]:
    rates, long_context = version.rates, version.long_context
    entry: dict[str, object] = {
        "provider": version.provider,
        "model": version.model,
        "aliases": list(version.aliases),
        "patterns": list(version.patterns),
        "tier": version.tier.value if version.tier is not None else None,
        "kind": version.kind,
    }
    if version.currency != currency:
        entry["currency"] = version.currency
    entry.update({name: _price(getattr(rates, name)) for name in PRICE_FIELDS})
    entry["batch_discount"] = _price(version.batch_discount)
    entry["request_fee"] = _price(version.request_fee)
    entry["long_context"] = (
        {
            "threshold_input_tokens": long_context.threshold_input_tokens,
            **{name: _price(getattr(long_context.rates, name)) for name in PRICE_FIELDS},
        }
        if long_context is not None
        else None
    )
    entry["open_weight"] = version.open_weight
    entry["effective_from"] = format_moment(version.effective_from)
    entry["effective_to"] = format_moment(version.effective_to) if version.effective_to else None
    entry["source"] = version.source
    entry["as_of"] = version.as_of.isoformat() if version.as_of is not None else None
    return entry


def dump_yaml_catalog(
    versions: Iterable[PriceVersion], *, catalog_version: str | None = None, currency: str = "USD"
) -> str:
    """Write versions in the shipped format; `load_yaml_catalog` reads back equal versions.

    `id` and `project_id` are not part of the format and are not written.
    """
    document: dict[str, object] = {}
    if catalog_version is not None:
        document["catalog_version"] = catalog_version
    document["currency"] = currency
    document["models"] = [_entry(version, currency) for version in versions]
    # Prices and dates are written as strings; safe_dump quotes them, so they stay exact text.
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)
