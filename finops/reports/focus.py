"""FOCUS cost-and-usage export: priced LLM usage as a FinOps FOCUS 1.2 CSV (pure: data in, text out).

Spec: FinOps Open Cost and Usage Specification, github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, tag v1.2,
`specification/columns/*.md` and `specification/attributes/*.md`; 1.3 columns from the 1.3 release.

Decisions worth knowing:
- One row per day x model x usage type x attribution; ChargeCategory "Usage", ChargeClass null (no corrections:
  a late span re-rolls its day and the export of that day is regenerated, not corrected).
- BilledCost = EffectiveCost = ContractedCost = ListCost = the priced cost. finops prices each call at the
  catalog version in force when it happened; a project's negotiated prices are its contracted prices, and
  there is no commitment discount or prepayment to amortise, so billed, effective and contracted cost are
  the same amount. ListCost equals it too because the rollup keeps no second, undiscounted price (with
  negotiated prices ListCost therefore shows no savings). ListUnitPrice/ContractedUnitPrice (conditional) are
  left out: one day's bucket can mix catalog versions, long-context tiers and batch discounts, so no single
  unit price times PricingQuantity would reproduce the cost exactly as the spec requires.
- PricingUnit is "1000000 Tokens" (prices are per 1M tokens): the Unit Format attribute wants a whole-number
  unit quantity (`<unit-quantity> <plural-units>`, e.g. "1000 Tokens"), so "1M Tokens" would not conform.
  PricingQuantity = tokens / 1,000,000 exactly; ConsumedQuantity = tokens in "Tokens".
- Per-request fees are exported as usage type "request" (quantity = priced calls, unit "Requests") so the
  export reconciles with the rollup's cost_total.
- Numbers are plain decimals (no exponent, no "+"), money keeps every digit and at least two decimals.
- Project is the FOCUS sub account (SubAccountId/SubAccountName) and is also a tag.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Context, Decimal, InvalidOperation, localcontext

TOKEN_TYPES = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning")
REQUEST = "request"  # per-request fees; `tokens` then holds the number of priced calls
USAGE_TYPES = (*TOKEN_TYPES, REQUEST)

# FOCUS 1.2 columns whose presence is unconditional ("<Column> MUST be present in a FOCUS dataset"), from
# specification/columns/<column>.md at tag v1.2 (BilledCost from billedcost.md, InvoiceIssuerName from
# invoiceissuer.md, ProviderName from provider.md, PublisherName from publisher.md, ...). ChargeFrequency and
# ServiceSubcategory are RECOMMENDED in 1.2 (chargefrequency.md, servicesubcategory.md), not mandatory.
MANDATORY_COLUMNS = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
)
# Mandatory from FOCUS 1.3 (serviceprovidername.md, "introduced as a replacement for ProviderName";
# hostprovidername.md). Emitted now so a 1.3 reader finds them; ProviderName/PublisherName stay for 1.2.
FOCUS_1_3_COLUMNS = ("HostProviderName", "ServiceProviderName")
# Conditional columns whose condition holds for finops (v1.2): ConsumedQuantity/ConsumedUnit ("when the
# provider supports the measurement of usage"), SkuId/SkuPriceId/SkuMeter/SkuPriceDetails ("when the provider
# supports unit pricing concepts and publishes price lists"), SubAccountId/SubAccountName ("when the provider
# supports a sub account construct": projects), Tags ("when the provider supports ... user-defined tags").
CONDITIONAL_COLUMNS = (
    "ConsumedQuantity",
    "ConsumedUnit",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)
RECOMMENDED_COLUMNS = ("ChargeFrequency", "ServiceSubcategory")
# Column handling: FOCUS columns MAY be sorted alphabetically.
COLUMNS = tuple(sorted(MANDATORY_COLUMNS + FOCUS_1_3_COLUMNS + CONDITIONAL_COLUMNS + RECOMMENDED_COLUMNS))

CHARGE_CATEGORIES = frozenset({"Usage", "Purchase", "Tax", "Credit", "Adjustment"})
CHARGE_CLASSES = frozenset({"Correction"})
CHARGE_FREQUENCIES = frozenset({"One-Time", "Recurring", "Usage-Based"})
SERVICE_CATEGORY = "AI and Machine Learning"
SERVICE_SUBCATEGORY = "Generative AI"
SERVICE_CATEGORIES = frozenset(
    {
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools",
        "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration",
        "Mobile", "Multicloud", "Networking", "Security", "Storage", "Web", "Other",
    }
)  # fmt: skip
AI_SUBCATEGORIES = frozenset(
    {"Bots", "Generative AI", "Machine Learning", "Natural Language Processing", "Other (AI and Machine Learning)"}
)
TOKENS_PER_PRICING_UNIT = 1_000_000
PRICING_UNIT = "1000000 Tokens"
CHUNK_ROWS = 1000  # rows per piece of `iter_focus_csv`

_MEASURES = {  # usage type -> (quantity key, cost key) in a rollup row
    "input": ("input_tokens", "cost_input"),
    "cache_read": ("cache_read_tokens", "cost_cache_read"),
    "cache_write": ("cache_write_tokens", "cost_cache_write"),
    "cache_write_1h": ("cache_write_1h_tokens", "cost_cache_write_1h"),
    "output": ("output_tokens", "cost_output"),
    "reasoning": ("reasoning_tokens", "cost_reasoning"),
}
_LABELS = {  # usage type -> (ChargeDescription suffix, SkuMeter)
    "input": ("input tokens", "Input Tokens"),
    "cache_read": ("cache read tokens", "Cache Read Tokens"),
    "cache_write": ("cache write tokens", "Cache Write Tokens"),
    "cache_write_1h": ("cache write (1h) tokens", "Cache Write 1h Tokens"),
    "output": ("output tokens", "Output Tokens"),
    "reasoning": ("reasoning tokens", "Reasoning Tokens"),
    REQUEST: ("request fees", "Requests"),
}


@dataclass(frozen=True, slots=True)
class Provider:
    name: str  # ProviderName, ServiceProviderName, HostProviderName, InvoiceIssuerName
    service: str  # ServiceName


# OTel `gen_ai.provider.name` (as normalised by finops.ingest.dialects.providers) -> who sells and bills.
# Each of these hosts its own service or does not expose the host, so HostProviderName = ServiceProviderName.
PROVIDERS: dict[str, Provider] = {
    "openai": Provider("OpenAI", "OpenAI API"),
    "anthropic": Provider("Anthropic", "Anthropic API"),
    "aws.bedrock": Provider("Amazon Web Services", "Amazon Bedrock"),
    "azure.ai.openai": Provider("Microsoft", "Azure OpenAI"),
    "azure.ai.inference": Provider("Microsoft", "Azure AI Inference"),
    "gcp.vertex_ai": Provider("Google Cloud", "Vertex AI"),
    "gcp.gemini": Provider("Google", "Gemini API"),
    "gcp.gen_ai": Provider("Google", "Google Gen AI"),
    "mistral_ai": Provider("Mistral AI", "Mistral AI API"),
    "x_ai": Provider("xAI", "xAI API"),
    "deepseek": Provider("DeepSeek", "DeepSeek API"),
    "groq": Provider("Groq", "GroqCloud"),
    "together_ai": Provider("Together AI", "Together AI API"),
    "fireworks_ai": Provider("Fireworks AI", "Fireworks AI API"),
    "cohere": Provider("Cohere", "Cohere API"),
    "perplexity": Provider("Perplexity", "Perplexity API"),
    "ibm.watsonx.ai": Provider("IBM", "watsonx.ai"),
    "moonshot_ai": Provider("Moonshot AI", "Moonshot AI API"),
    "openrouter": Provider("OpenRouter", "OpenRouter API"),
}
UNKNOWN = "Unknown"

# Model family -> maker (PublisherName). Matched at the start of the name or after a vendor/region prefix
# ("anthropic.claude-...", "us.meta.llama3-...", "meta-llama/Llama-3...", "publishers/google/models/gemini-...").
_PUBLISHERS: tuple[tuple[str, str], ...] = (
    (r"gpt|o[1-9](?:-|$)|chatgpt|text-embedding|dall-e|whisper|tts-|davinci|babbage|codex", "OpenAI"),
    (r"claude", "Anthropic"),
    (r"gemini|gemma|palm|text-bison|chat-bison", "Google"),
    (r"llama|meta-llama", "Meta"),
    (r"mistral|mixtral|codestral|ministral|magistral|pixtral|devstral|voxtral", "Mistral AI"),
    (r"grok", "xAI"),
    (r"deepseek", "DeepSeek"),
    (r"command|c4ai", "Cohere"),
    (r"qwen|qwq", "Alibaba Cloud"),
    (r"nova|titan", "Amazon"),
    (r"phi-", "Microsoft"),
    (r"kimi|moonshot", "Moonshot AI"),
    (r"jamba", "AI21 Labs"),
)
_PUBLISHER_RE = [(re.compile(rf"(?:^|[/.:])(?:{pattern})"), name) for pattern, name in _PUBLISHERS]


@dataclass(frozen=True, slots=True)
class FocusInputRow:
    day: date
    provider: str | None
    model: str | None
    token_type: str  # one of USAGE_TYPES
    tokens: int  # tokens; for REQUEST the number of priced calls
    cost: Decimal
    workflow: str | None
    team: str | None
    customer: str | None
    agent: str | None
    project: str
    currency: str


def provider_for(provider: str | None) -> Provider:
    """Known providers by their OTel name; an unknown one keeps its name as both provider and service."""
    if provider is None or not provider.strip():
        return Provider(UNKNOWN, UNKNOWN)
    return PROVIDERS.get(provider, Provider(provider, provider))


def publisher_for(model: str | None, provider: str | None) -> str:
    """The model's maker, else the provider (a provider's own or unrecognised model)."""
    name = (model or "").strip().lower()
    for pattern, publisher in _PUBLISHER_RE:
        if pattern.search(name):
            return publisher
    return provider_for(provider).name


def rows_from_rollup(
    day: date,
    provider: str | None,
    model: str | None,
    measures: Mapping[str, object],
    attribution: Mapping[str, str | None],
    project: str,
    currency: str,
) -> list[FocusInputRow]:
    """Split one `rollup_calls_daily` row into one row per usage type, skipping zero tokens with zero cost.

    `measures` holds the rollup's columns (input_tokens/cost_input, ..., calls, unpriced_calls,
    cost_request_fee); `attribution` holds workflow, team, customer, agent (the rollup's workflow_name and
    agent_name are read too).
    """
    workflow = attribution.get("workflow", attribution.get("workflow_name"))
    agent = attribution.get("agent", attribution.get("agent_name"))
    common = {
        "day": day, "provider": provider, "model": model, "workflow": workflow, "team": attribution.get("team"),
        "customer": attribution.get("customer"), "agent": agent, "project": project, "currency": currency,
    }  # fmt: skip
    rows = []
    for token_type, (quantity_key, cost_key) in _MEASURES.items():
        tokens, cost = _count(measures.get(quantity_key)), _money(measures.get(cost_key))
        if tokens or cost:
            rows.append(FocusInputRow(token_type=token_type, tokens=tokens, cost=cost, **common))
    fee = _money(measures.get("cost_request_fee"))
    if fee:
        calls = _count(measures.get("calls")) - _count(measures.get("unpriced_calls"))
        rows.append(FocusInputRow(token_type=REQUEST, tokens=max(calls, 0), cost=fee, **common))
    return rows


def focus_csv(
    rows: Iterable[FocusInputRow],
    *,
    billing_account_id: str,
    billing_account_name: str,
    billing_period_start: datetime,
    billing_period_end: datetime,
) -> str:
    """FOCUS CSV (header + one line per row, in input order; null is an empty field)."""
    return "".join(
        iter_focus_csv(
            rows,
            billing_account_id=billing_account_id,
            billing_account_name=billing_account_name,
            billing_period_start=billing_period_start,
            billing_period_end=billing_period_end,
        )
    )


def iter_focus_csv(
    rows: Iterable[FocusInputRow],
    *,
    billing_account_id: str,
    billing_account_name: str,
    billing_period_start: datetime,
    billing_period_end: datetime,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[str]:
    """`focus_csv` as pieces: the header line, then the lines of every `chunk_rows` rows joined.

    The arguments are checked now; a bad row raises ValueError when its chunk is produced.
    """
    if not billing_account_id.strip():
        raise ValueError("billing_account_id must not be empty")
    period_start, period_end = _utc(billing_period_start), _utc(billing_period_end)
    if period_start >= period_end:
        raise ValueError("billing period start must be before its end")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    return _focus_chunks(rows, billing_account_id, billing_account_name, period_start, period_end, chunk_rows)


def _focus_chunks(
    rows: Iterable[FocusInputRow],
    account_id: str,
    account_name: str,
    period_start: datetime,
    period_end: datetime,
    chunk_rows: int,
) -> Iterator[str]:
    # Each line is assembled from pieces rendered once by the csv module (a field's quoting depends on that field
    # alone), so it is exactly what csv.writer would write for the row; the per-row numbers never need quoting.
    yield _csv_fields(COLUMNS) + "\r\n"
    billing = (account_id, account_name or None)
    period = (_fmt_datetime(period_end), _fmt_datetime(period_start))
    days: dict[date, str] = {}  # day -> "ChargePeriodEnd,ChargePeriodStart", the day checked
    skus: dict[tuple[str | None, str | None, str, str], _Sku] = {}
    attributions: dict[tuple[str | None, ...], str] = {}  # -> "SubAccountId,SubAccountName,Tags"
    lines: list[str] = []
    append = lines.append
    for row in rows:
        day = days.get(row.day)
        if day is None:
            day = days[row.day] = _charge_period(row.day, period_start, period_end)
        key = (row.provider, row.model, row.token_type, row.currency)
        sku = skus.get(key)
        if sku is None:
            sku = skus[key] = _sku(*key, billing, period)
        tokens = row.tokens
        if tokens < 0:
            raise ValueError("tokens must not be negative")
        attribution = (row.agent, row.customer, row.project, row.team, row.workflow)
        tail = attributions.get(attribution)
        if tail is None:
            if len(attributions) >= _ATTRIBUTION_CACHE_SIZE:
                attributions.clear()
            tail = attributions[attribution] = _attribution_fields(attribution)
        cost = _fmt_money(_money(row.cost))
        consumed = str(tokens)
        pricing = consumed if sku.requests else _fmt_tokens(tokens)
        append(
            f"{cost},{sku.head},{day},{consumed},{sku.consumed_unit},{cost},{cost},{sku.issuers},{cost},{pricing},"
            f"{sku.tail},{tail}\r\n"
        )
        if len(lines) >= chunk_rows:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


_ATTRIBUTION_CACHE_SIZE = 65_536  # distinct attributions whose rendered fields are kept


@dataclass(frozen=True, slots=True)
class _Sku:
    """The CSV fields a row's (provider, model, usage type, currency) fixes, rendered (see `_focus_chunks`)."""

    head: str  # BillingAccountId .. ChargeFrequency
    consumed_unit: str  # ConsumedUnit
    issuers: str  # HostProviderName, InvoiceIssuerName
    tail: str  # PricingUnit .. SkuPriceId
    requests: bool  # PricingQuantity = ConsumedQuantity (calls) rather than tokens / 1,000,000


def _sku(
    provider_name: str | None,
    model: str | None,
    token_type: str,
    currency: str,
    billing: tuple[str, str | None],
    period: tuple[str, str],
) -> _Sku:
    if token_type not in _LABELS:
        raise ValueError(f"unknown token type {token_type!r}")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"currency must be an ISO 4217 code, got {currency!r}")
    provider = provider_for(provider_name)
    description, meter = _LABELS[token_type]
    sku_id = f"{provider_name or 'unknown'}/{model or 'unknown'}/{token_type}"
    if token_type == REQUEST:
        pricing_unit, consumed_unit, basis = "Requests", "Requests", "per-request"
    else:
        pricing_unit, consumed_unit, basis = PRICING_UNIT, "Tokens", f"per-{TOKENS_PER_PRICING_UNIT}-tokens"
    return _Sku(
        head=_csv_fields(
            (*billing, currency, *period, "Usage", None, f"{model or 'unknown model'} {description}", "Usage-Based")
        ),
        consumed_unit=_csv_fields((consumed_unit,)),
        issuers=_csv_fields((provider.name, provider.name)),
        tail=_csv_fields(
            (
                pricing_unit,
                provider.name,
                publisher_for(model, provider_name),
                SERVICE_CATEGORY,
                provider.service,
                provider.name,
                SERVICE_SUBCATEGORY,
                sku_id,
                meter,
                None,
                f"{sku_id}/{basis}/{currency}",
            )
        ),
        requests=token_type == REQUEST,
    )


def _charge_period(day: date, period_start: datetime, period_end: datetime) -> str:
    """ "ChargePeriodEnd,ChargePeriodStart" of a day, which must lie in the billing period."""
    charge_start = datetime.combine(day, time(), tzinfo=UTC)
    charge_end = charge_start + timedelta(days=1)
    if charge_start < period_start or charge_end > period_end:
        raise ValueError(f"charge day {day} is outside the billing period")
    return f"{_fmt_datetime(charge_end)},{_fmt_datetime(charge_start)}"


def _attribution_fields(attribution: tuple[str | None, ...]) -> str:
    """ "SubAccountId,SubAccountName,Tags" of (agent, customer, project, team, workflow); Tags leaves nulls out."""
    project = attribution[2]
    if not project:
        raise ValueError("project must not be empty")
    present = {key: value for key, value in zip(_TAG_KEYS, attribution, strict=True) if value is not None}
    return _csv_fields((project, project, json.dumps(present, ensure_ascii=False, separators=(",", ":"))))


_TAG_KEYS = ("agent", "customer", "project", "team", "workflow")


def _csv_fields(fields: Iterable[str | None]) -> str:
    """Fields as csv.writer writes them within a line (None is empty), without the line terminator."""
    out = io.StringIO()
    # A trailing empty field so that a lone empty field is not written as '""' (csv does so for one-field rows).
    csv.writer(out, lineterminator="\r\n").writerow((*fields, ""))  # the same dialect: "\r" is quoted
    return out.getvalue()[:-3]  # the empty field's "," and "\r\n"


# -- validation --------------------------------------------------------------------------------------------

_NOT_NULL = (
    "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
    "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "ProviderName", "PublisherName", "ServiceCategory", "ServiceName", "ServiceProviderName", "ChargeFrequency",
    "ServiceSubcategory",
)  # fmt: skip
_DATETIMES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
_COSTS = ("BilledCost", "ContractedCost", "EffectiveCost", "ListCost")
_QUANTITIES = ("PricingQuantity", "ConsumedQuantity")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DECIMAL_RE = re.compile(r"-?\d+(?:\.\d+)?")


def validate_focus_csv(text: str) -> None:
    """Raise ValueError unless `text` has every FOCUS 1.2 mandatory column and well-typed values."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ValueError("empty FOCUS CSV")
    if len(set(header)) != len(header):
        raise ValueError("duplicate columns in the header")
    missing = [column for column in MANDATORY_COLUMNS if column not in header]
    if missing:
        raise ValueError(f"missing mandatory columns: {', '.join(missing)}")
    for line, fields in enumerate(reader, start=2):
        if len(fields) != len(header):
            raise ValueError(f"line {line}: {len(fields)} fields, header has {len(header)}")
        try:
            _validate_row(dict(zip(header, fields, strict=True)))
        except ValueError as error:
            raise ValueError(f"line {line}: {error}") from None


def _validate_row(row: dict[str, str]) -> None:
    for column in _NOT_NULL:
        if column in row and not row[column].strip():
            raise ValueError(f"{column} must not be null")
    moments = {column: _parse_datetime(column, row[column]) for column in _DATETIMES}
    for prefix in ("BillingPeriod", "ChargePeriod"):
        if moments[f"{prefix}Start"] >= moments[f"{prefix}End"]:
            raise ValueError(f"{prefix}Start must be before {prefix}End")
    category, charge_class = row["ChargeCategory"], row["ChargeClass"]
    if category not in CHARGE_CATEGORIES:
        raise ValueError(f"ChargeCategory {category!r} is not an allowed value")
    if charge_class and charge_class not in CHARGE_CLASSES:
        raise ValueError(f"ChargeClass {charge_class!r} is not an allowed value")
    frequency = row.get("ChargeFrequency")
    if frequency is not None and frequency not in CHARGE_FREQUENCIES:
        raise ValueError(f"ChargeFrequency {frequency!r} is not an allowed value")
    if category == "Purchase" and frequency == "Usage-Based":
        raise ValueError('ChargeFrequency must not be "Usage-Based" for a purchase')
    if row["ServiceCategory"] not in SERVICE_CATEGORIES:
        raise ValueError(f"ServiceCategory {row['ServiceCategory']!r} is not an allowed value")
    subcategory = row.get("ServiceSubcategory")
    if subcategory and row["ServiceCategory"] == SERVICE_CATEGORY and subcategory not in AI_SUBCATEGORIES:
        raise ValueError(f"ServiceSubcategory {subcategory!r} is not an allowed value")
    if not re.fullmatch(r"[A-Z]{3}", row["BillingCurrency"]):
        raise ValueError(f"BillingCurrency {row['BillingCurrency']!r} is not an ISO 4217 code")
    regular_usage = category == "Usage" and not charge_class
    for column in _COSTS + _QUANTITIES:
        if row.get(column):
            value = _parse_decimal(column, row[column])
            if regular_usage and value < 0:
                raise ValueError(f"{column} must not be negative for usage")
    for quantity, unit in (("PricingQuantity", "PricingUnit"), ("ConsumedQuantity", "ConsumedUnit")):
        if quantity not in row:
            continue
        if bool(row[quantity]) != bool(row.get(unit)):
            raise ValueError(f"{quantity} and {unit} must be null together")
        if regular_usage and not row[quantity]:
            raise ValueError(f"{quantity} must not be null for usage")
    if row.get("Tags"):
        _validate_tags(row["Tags"])


def _validate_tags(text: str) -> None:
    try:
        tags = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"Tags is not valid JSON: {error}") from None
    if not isinstance(tags, dict):
        raise ValueError("Tags must be a JSON object")
    for key, value in tags.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"tag {key!r} must have a scalar value")


def _parse_datetime(column: str, text: str) -> datetime:
    if not _DATETIME_RE.fullmatch(text):
        raise ValueError(f"{column} {text!r} is not an ISO 8601 UTC date-time (YYYY-MM-DDTHH:mm:ssZ)")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a valid date-time") from None


def _parse_decimal(column: str, text: str) -> Decimal:
    if not _DECIMAL_RE.fullmatch(text):
        raise ValueError(f"{column} {text!r} is not a plain decimal number")
    return Decimal(text)


# -- formatting --------------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("billing period bounds must be timezone-aware")
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        raise ValueError("billing period bounds must be whole seconds")
    return moment


def _fmt_datetime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_decimal(value: Decimal) -> str:
    """Plain decimal without exponent or trailing zeros: 2.500000 -> "2.5", 1E+1 -> "10"."""
    with localcontext() as context:
        context.prec = 60
        normal = value.normalize()
    return "0" if normal == 0 else format(normal, "f")


def _fmt_money(value: Decimal) -> str:
    """Every significant digit, at least two decimals: 25 -> "25.00", 0.0000125000 -> "0.0000125"."""
    normal = value.normalize(_CONTEXT)
    if not normal:
        return "0.00"
    text = format(normal, "f")  # normalized: no trailing zeros, no point for a whole amount
    point = text.find(".")
    if point < 0:
        return text + ".00"
    return text + "0" if point == len(text) - 2 else text


def _fmt_tokens(tokens: int) -> str:
    """tokens / 1,000,000 as `_fmt_decimal` writes it, in integer arithmetic: 2500000 -> "2.5", 10 -> "0.00001"."""
    if tokens >= _EXACT_TOKENS:
        return _fmt_decimal(Decimal(tokens).scaleb(-6))
    whole, fraction = divmod(tokens, TOKENS_PER_PRICING_UNIT)
    return f"{whole}.{fraction:06d}".rstrip("0") if fraction else str(whole)


_CONTEXT = Context(prec=60)  # enough digits that normalizing never rounds an amount
_EXACT_TOKENS = 10**50  # below this _fmt_decimal's 60 digits never round tokens / 1,000,000


def _money(value: object) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    try:
        money = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not money.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return money


def _count(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"counts must be int, got {value!r}")
    if value < 0:
        raise ValueError(f"counts must not be negative, got {value}")
    return value
