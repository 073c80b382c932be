"""Price catalog formats, the shared part (pure): one flat set of fields, checked one way.

Each format turns an entry into a flat mapping of the fields in `FIELDS` and hands it to
`build_version`, so a price is validated identically whether it came from the shipped YAML
(`formats_yaml`), a CSV upload (`formats_csv`) or a LiteLLM import (`formats_litellm`).
Every error is a `CatalogFormatError` naming the entry and the field at fault.

Prices are Decimal per 1M tokens, built from text (a float is first turned into its shortest
repr), never through float arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from finops.errors import FinopsError
from finops.pricing.prices import LongContextTier, PriceVersion, Rates, Tier

# The order is the CSV column order and the order entries are documented in.
PRICE_FIELDS = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")
LONG_CONTEXT_FIELDS = tuple(f"long_context_{name}" for name in PRICE_FIELDS)
FIELDS = (
    "provider",
    "model",
    "aliases",
    "patterns",
    "tier",
    "kind",
    "currency",
    *PRICE_FIELDS,
    "batch_discount",
    "request_fee",
    "long_context_threshold",
    *LONG_CONTEXT_FIELDS,
    "open_weight",
    "effective_from",
    "effective_to",
    "source",
    "as_of",
)
REQUIRED_FIELDS = ("model", "input", "output", "effective_from")
KINDS = ("chat", "embedding")

# The database stores prices as Numeric(20, 10) and discounts as Numeric(6, 5): a finer value
# would be rounded silently on the way in, so the file and the stored catalog would disagree.
PRICE_PLACES = 10
DISCOUNT_PLACES = 5

_PER_MILLION = Decimal(1_000_000)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


class CatalogFormatError(FinopsError):
    """A price catalog (YAML, CSV or LiteLLM JSON) cannot be read; the message names entry and field."""


def tidy_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 2.5000000 -> 2.5, 1E+1 -> 10."""
    if value == 0:
        return Decimal(0)  # also turns -0 into 0
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def per_million(per_token: Decimal) -> Decimal:
    """Per-token price -> per-1M price, exact: 2.5E-6 -> 2.5."""
    return tidy_decimal(per_token * _PER_MILLION)


def show(value: object) -> str:
    """How a bad value is quoted in a message: text in quotes, numbers as written."""
    return repr(value) if isinstance(value, str) else str(value)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_decimal(label: str, field: str, value: object) -> Decimal | None:
    """A finite Decimal from a str, int, Decimal or float (via its repr); None for null/empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise CatalogFormatError(f"{label}: {field!r} is not a decimal: {show(value)}") from None
    else:
        raise CatalogFormatError(f"{label}: {field!r} is not a decimal: {show(value)}")
    if not number.is_finite():
        raise CatalogFormatError(f"{label}: {field!r} is not a decimal: {show(value)}")
    return tidy_decimal(number)


def _price(label: str, field: str, value: object) -> Decimal | None:
    number = parse_decimal(label, field, value)
    if number is None:
        return None
    if number < 0:
        raise CatalogFormatError(f"{label}: {field!r} is negative: {show(value)}")
    if _places(number) > PRICE_PLACES:
        raise CatalogFormatError(f"{label}: {field!r} has more than {PRICE_PLACES} decimal places: {show(value)}")
    return number


def parse_moment(label: str, field: str, value: object) -> datetime | None:
    """An aware UTC datetime: a date is midnight UTC, a naive datetime is taken as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CatalogFormatError(f"{label}: {field!r} is not an ISO 8601 date or datetime: {show(value)}") from None
    else:
        raise CatalogFormatError(f"{label}: {field!r} is not an ISO 8601 date or datetime: {show(value)}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_day(label: str, field: str, value: object) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CatalogFormatError(f"{label}: {field!r} is not an ISO 8601 date: {show(value)}")


def _flag(label: str, field: str, value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise CatalogFormatError(f"{label}: {field!r} is not true or false: {show(value)}")


def _text(label: str, field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CatalogFormatError(f"{label}: {field!r} is not text: {show(value)}")
    return value.strip() or None


def _names(label: str, field: str, value: object) -> list[str]:
    """A list of names, or (CSV) one string with `;` between names."""
    if value is None:
        return []
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise CatalogFormatError(f"{label}: {field!r} is not a list of names: {show(value)}")
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def _threshold(label: str, field: str, value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None:
        raise CatalogFormatError(f"{label}: {field!r} is not a whole number: {show(value)}")
    if number <= 0:
        raise CatalogFormatError(f"{label}: {field!r} must be above 0: {show(value)}")
    return number


def _long_context(label: str, fields: Mapping[str, object], shown: Mapping[str, str]) -> LongContextTier | None:
    def name_of(field: str) -> str:
        return shown.get(field, field)

    threshold_field = name_of("long_context_threshold")
    threshold = _threshold(label, threshold_field, fields.get("long_context_threshold"))
    prices = {
        name: _price(label, name_of(f"long_context_{name}"), fields.get(f"long_context_{name}"))
        for name in PRICE_FIELDS
    }
    if threshold is None:
        given = [name_of(f"long_context_{name}") for name, price in prices.items() if price is not None]
        if given:
            raise CatalogFormatError(f"{label}: {given[0]!r} is set but {threshold_field!r} is not")
        return None
    long_input, long_output = prices.pop("input"), prices.pop("output")
    if long_input is None or long_output is None:
        missing = name_of("long_context_input" if long_input is None else "long_context_output")
        raise CatalogFormatError(f"{label}: {missing!r} is required with a long-context threshold")
    return LongContextTier(threshold, Rates(input=long_input, output=long_output, **prices))


def build_version(
    where: str,
    fields: Mapping[str, object],
    *,
    default_currency: str = "USD",
    shown: Mapping[str, str] | None = None,
) -> PriceVersion:
    """Validate one entry given as flat `FIELDS` (absent keys are null) and build its PriceVersion.

    `where` names the entry ("entry 12", "line 4"); the model name is added to every message.
    `shown` renames long-context fields in messages as the format spells them.
    """
    model = _text(where, "model", fields.get("model"))
    if model is None:
        raise CatalogFormatError(f"{where}: 'model' is required")
    model = model.lower()
    label = f"{where} ({model})"
    for name in REQUIRED_FIELDS:
        value = fields.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise CatalogFormatError(f"{label}: {name!r} is required")

    provider = _text(label, "provider", fields.get("provider"))
    patterns = _names(label, "patterns", fields.get("patterns"))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogFormatError(f"{label}: pattern {pattern!r} is not a valid regular expression: {exc}") from None

    tier_text = _text(label, "tier", fields.get("tier"))
    try:
        tier = Tier(tier_text.lower()) if tier_text is not None else None
    except ValueError:
        choices = ", ".join(t.value for t in Tier)
        raise CatalogFormatError(f"{label}: 'tier' must be one of {choices}: {tier_text!r}") from None
    kind = (_text(label, "kind", fields.get("kind")) or "chat").lower()
    if kind not in KINDS:
        raise CatalogFormatError(f"{label}: 'kind' must be one of {', '.join(KINDS)}: {kind!r}")
    currency = (_text(label, "currency", fields.get("currency")) or default_currency).upper()
    if not _CURRENCY.match(currency):
        raise CatalogFormatError(f"{label}: 'currency' is not a 3-letter ISO 4217 code: {currency!r}")

    prices = {name: _price(label, name, fields.get(name)) for name in PRICE_FIELDS}
    base_input, base_output = prices.pop("input"), prices.pop("output")
    assert base_input is not None and base_output is not None  # required above

    batch_discount = parse_decimal(label, "batch_discount", fields.get("batch_discount"))
    if batch_discount is not None and not Decimal(0) <= batch_discount <= Decimal(1):
        raise CatalogFormatError(f"{label}: 'batch_discount' must be between 0 and 1: {batch_discount}")
    if batch_discount is not None and _places(batch_discount) > DISCOUNT_PLACES:
        raise CatalogFormatError(
            f"{label}: 'batch_discount' has more than {DISCOUNT_PLACES} decimal places: {batch_discount}"
        )

    effective_from = parse_moment(label, "effective_from", fields.get("effective_from"))
    assert effective_from is not None  # required above
    effective_to = parse_moment(label, "effective_to", fields.get("effective_to"))
    if effective_to is not None and effective_to <= effective_from:
        raise CatalogFormatError(
            f"{label}: 'effective_to' ({effective_to.isoformat()}) must be after "
            f"'effective_from' ({effective_from.isoformat()})"
        )

    return PriceVersion(
        model=model,
        rates=Rates(input=base_input, output=base_output, **prices),
        effective_from=effective_from,
        provider=provider.lower() if provider is not None else None,
        effective_to=effective_to,
        aliases=tuple(dict.fromkeys(a.lower() for a in _names(label, "aliases", fields.get("aliases")))),
        patterns=tuple(patterns),
        tier=tier,
        kind=kind,
        currency=currency,
        long_context=_long_context(label, fields, shown or {}),
        batch_discount=batch_discount,
        request_fee=_price(label, "request_fee", fields.get("request_fee")),
        open_weight=_flag(label, "open_weight", fields.get("open_weight")),
        source=_text(label, "source", fields.get("source")),
        as_of=parse_day(label, "as_of", fields.get("as_of")),
    )


def version_fields(version: PriceVersion) -> dict[str, object]:
    """The flat `FIELDS` of a version, as Python values (the inverse of `build_version`)."""
    rates, long_context = version.rates, version.long_context
    flat: dict[str, object] = {
        "provider": version.provider,
        "model": version.model,
        "aliases": list(version.aliases),
        "patterns": list(version.patterns),
        "tier": version.tier.value if version.tier is not None else None,
        "kind": version.kind,
        "currency": version.currency,
        "batch_discount": version.batch_discount,
        "request_fee": version.request_fee,
        "long_context_threshold": long_context.threshold_input_tokens if long_context else None,
        "open_weight": version.open_weight,
        "effective_from": version.effective_from,
        "effective_to": version.effective_to,
        "source": version.source,
        "as_of": version.as_of,
    }
    for name in PRICE_FIELDS:
        flat[name] = getattr(rates, name)
        flat[f"long_context_{name}"] = getattr(long_context.rates, name) if long_context else None
    return {name: flat[name] for name in FIELDS}


def format_decimal(value: Decimal) -> str:
    """Plain notation with at least cents, as people write prices: 10 -> "10.00", 0.075 -> "0.075"."""
    tidy = tidy_decimal(value)
    return format(tidy.quantize(Decimal("0.01")) if _places(tidy) < 2 else tidy, "f")


def format_moment(moment: datetime) -> str:
    """A date alone when the moment is midnight UTC (how catalogs are written), else full ISO 8601."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.date().isoformat() if utc.time() == time(0) else utc.isoformat()


def check_unique(labelled: Iterable[tuple[str, PriceVersion]]) -> None:
    """Two entries for the same (provider, model, effective_from) would make the price ambiguous."""
    seen: dict[tuple[str | None, str, datetime], str] = {}
    for where, version in labelled:
        key = (version.provider, version.model, version.effective_from)
        if key in seen:
            raise CatalogFormatError(
                f"{where} ({version.model}): same provider, model and effective_from as {seen[key]}"
            )
        seen[key] = where
