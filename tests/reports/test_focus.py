"""FOCUS export: mandatory columns, typed values, hand-computed rows, rollup splitting, provider mapping."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from finops.reports.focus import (
    COLUMNS,
    FOCUS_1_3_COLUMNS,
    MANDATORY_COLUMNS,
    REQUEST,
    FocusInputRow,
    focus_csv,
    iter_focus_csv,
    provider_for,
    publisher_for,
    rows_from_rollup,
    validate_focus_csv,
)

NOV_START = datetime(2026, 11, 1, tzinfo=UTC)
NOV_END = datetime(2026, 12, 1, tzinfo=UTC)


def row(**overrides: object) -> FocusInputRow:
    values: dict[str, object] = {
        "day": date(2026, 11, 3), "provider": "openai", "model": "gpt-4o", "token_type": "output",
        "tokens": 2_500_000, "cost": Decimal("25.00"), "workflow": "triage", "team": "support",
        "customer": None, "agent": "router", "project": "acme", "currency": "USD",
    }  # fmt: skip
    values.update(overrides)
    return FocusInputRow(**values)  # type: ignore[arg-type]


def export(*rows: FocusInputRow) -> str:
    return focus_csv(
        rows,
        billing_account_id="finops-prod",
        billing_account_name="ACME AI spend",
        billing_period_start=NOV_START,
        billing_period_end=NOV_END,
    )


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_has_every_mandatory_column_and_the_1_3_provider_columns() -> None:
    header = next(csv.reader(io.StringIO(export())))
    assert set(MANDATORY_COLUMNS) <= set(header)
    assert set(FOCUS_1_3_COLUMNS) <= set(header)
    assert header == list(COLUMNS) == sorted(header)
    assert len(MANDATORY_COLUMNS) == 21  # FOCUS 1.2: every column with an unconditional "MUST be present"
    assert "ChargeFrequency" not in MANDATORY_COLUMNS  # RECOMMENDED in 1.2, emitted anyway


def test_hand_computed_gpt_4o_output_row() -> None:
    # 2,500,000 output tokens at $10.00 per 1M = 2.5 x 10.00 = $25.00
    (line,) = parse(export(row()))
    assert line["PricingQuantity"] == "2.5"  # 2,500,000 / 1,000,000
    assert line["PricingUnit"] == "1000000 Tokens"
    assert line["ConsumedQuantity"] == "2500000"
    assert line["ConsumedUnit"] == "Tokens"
    for column in ("BilledCost", "EffectiveCost", "ContractedCost", "ListCost"):
        assert line[column] == "25.00"
    assert line["BillingCurrency"] == "USD"
    assert line["BillingAccountId"] == "finops-prod"
    assert line["BillingAccountName"] == "ACME AI spend"
    assert line["BillingPeriodStart"] == "2026-11-01T00:00:00Z"
    assert line["BillingPeriodEnd"] == "2026-12-01T00:00:00Z"
    assert line["ChargePeriodStart"] == "2026-11-03T00:00:00Z"
    assert line["ChargePeriodEnd"] == "2026-11-04T00:00:00Z"  # half-open day
    assert line["ChargeCategory"] == "Usage"
    assert line["ChargeClass"] == ""
    assert line["ChargeFrequency"] == "Usage-Based"
    assert line["ChargeDescription"] == "gpt-4o output tokens"
    assert line["ProviderName"] == line["ServiceProviderName"] == line["HostProviderName"] == "OpenAI"
    assert line["InvoiceIssuerName"] == "OpenAI"
    assert line["PublisherName"] == "OpenAI"
    assert line["ServiceName"] == "OpenAI API"
    assert line["ServiceCategory"] == "AI and Machine Learning"
    assert line["ServiceSubcategory"] == "Generative AI"
    assert line["SkuId"] == "openai/gpt-4o/output"
    assert line["SkuPriceId"] == "openai/gpt-4o/output/per-1000000-tokens/USD"
    assert line["SkuMeter"] == "Output Tokens"
    assert line["SubAccountId"] == line["SubAccountName"] == "acme"
    assert json.loads(line["Tags"]) == {"workflow": "triage", "team": "support", "agent": "router", "project": "acme"}
    validate_focus_csv(export(row()))


def test_pricing_quantity_is_exact_and_costs_keep_every_digit() -> None:
    cases = [
        # tokens, cost, PricingQuantity (= tokens / 1e6), cost as written
        (1, Decimal("0.0000025000"), "0.000001", "0.0000025"),  # 1 token at $2.50 per 1M
        (10_000_000, Decimal("100.0000000000"), "10", "100.00"),  # 10 x $10.00
        (123_456, Decimal("0.30864"), "0.123456", "0.30864"),  # 0.123456 x $2.50
        (0, Decimal("0"), "0", "0.00"),
        (7, Decimal("1E-10"), "0.000007", "0.0000000001"),  # no exponent in the output
    ]
    rows = [row(tokens=tokens, cost=cost) for tokens, cost, _, _ in cases]
    lines = parse(export(*rows))
    for line, (tokens, _, quantity, cost) in zip(lines, cases, strict=True):
        assert line["PricingQuantity"] == quantity
        assert Decimal(line["PricingQuantity"]) * 1_000_000 == tokens
        assert line["BilledCost"] == cost
        assert "E" not in line["BilledCost"] + line["PricingQuantity"]


def test_typed_values_in_every_row() -> None:
    rows = [
        row(),
        row(provider="aws.bedrock", model="us.anthropic.claude-sonnet-4-20250514-v1:0", token_type="cache_read",
            tokens=40_000, cost=Decimal("0.012"), workflow=None, team=None, agent=None, currency="EUR"),
        row(provider=None, model=None, token_type="input", tokens=3, cost=Decimal("0"), day=date(2026, 11, 30)),
        row(token_type=REQUEST, tokens=12, cost=Decimal("0.12")),
    ]  # fmt: skip
    text = export(*rows)
    validate_focus_csv(text)
    lines = parse(text)
    assert len(lines) == 4
    for line in lines:
        for column in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"):
            assert line[column].endswith("Z")
            moment = datetime.fromisoformat(line[column])
            assert moment.utcoffset() == timedelta(0)
            assert moment.strftime("%Y-%m-%dT%H:%M:%SZ") == line[column]
        start, end = (datetime.fromisoformat(line[c]) for c in ("ChargePeriodStart", "ChargePeriodEnd"))
        assert end - start == timedelta(days=1)
        for column in ("BilledCost", "EffectiveCost", "ContractedCost", "ListCost", "PricingQuantity"):
            assert Decimal(line[column]) >= 0
        assert Decimal(line["ConsumedQuantity"]) >= 0
        assert line["ChargeCategory"] in {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
        assert line["ChargeClass"] in {"", "Correction"}
        assert line["ServiceCategory"] == "AI and Machine Learning"
        assert len(line["BillingCurrency"]) == 3 and line["BillingCurrency"].isupper()
        assert isinstance(json.loads(line["Tags"]), dict)
        for column in ("ProviderName", "PublisherName", "ServiceName", "InvoiceIssuerName", "ServiceProviderName"):
            assert line[column]
    bedrock, unknown, request = lines[1], lines[2], lines[3]
    assert (bedrock["ProviderName"], bedrock["PublisherName"]) == ("Amazon Web Services", "Anthropic")
    assert bedrock["ServiceName"] == "Amazon Bedrock"
    assert json.loads(bedrock["Tags"]) == {"project": "acme"}  # nulls omitted
    assert (unknown["ProviderName"], unknown["PublisherName"], unknown["SkuId"]) == (
        "Unknown", "Unknown", "unknown/unknown/input",
    )  # fmt: skip
    assert unknown["ChargePeriodEnd"] == "2026-12-01T00:00:00Z"  # last day ends with the billing period
    assert (request["PricingQuantity"], request["PricingUnit"]) == ("12", "Requests")
    assert (request["ConsumedQuantity"], request["ConsumedUnit"]) == ("12", "Requests")
    assert request["ChargeDescription"] == "gpt-4o request fees"


def test_totals_reconcile_with_the_rollup_cost_total() -> None:
    measures = {
        "input_tokens": 1_000_000, "cost_input": Decimal("2.5000000000"),
        "cache_read_tokens": 2_000_000, "cost_cache_read": Decimal("2.5000000000"),
        "cache_write_tokens": 0, "cost_cache_write": Decimal("0E-10"),
        "cache_write_1h_tokens": 0, "cost_cache_write_1h": Decimal("0"),
        "output_tokens": 500_000, "cost_output": Decimal("5.0000000000"),
        "reasoning_tokens": 100_000, "cost_reasoning": Decimal("1.0000000000"),
        "calls": 40, "unpriced_calls": 0, "cost_request_fee": Decimal("0.4000000000"),
        "cost_total": Decimal("11.4000000000"),  # 2.5 + 2.5 + 5 + 1 + 0.4
    }  # fmt: skip
    rows = rows_from_rollup(date(2026, 11, 3), "openai", "o3", measures, {"team": "a"}, "acme", "USD")
    lines = parse(export(*rows))
    assert sum(Decimal(line["BilledCost"]) for line in lines) == measures["cost_total"]


def test_rows_from_rollup_splits_buckets_and_skips_empty_ones() -> None:
    measures = {
        "calls": 10, "unpriced_calls": 2,
        "input_tokens": 1_200, "cost_input": Decimal("0.0030000000"),
        "cache_read_tokens": 0, "cost_cache_read": Decimal("0"),
        "cache_write_tokens": 300, "cost_cache_write": Decimal("0.0011250000"),
        "cache_write_1h_tokens": 0, "cost_cache_write_1h": Decimal("0"),
        "output_tokens": 0, "cost_output": Decimal("0.0001"),  # zero tokens but a cost: kept
        "reasoning_tokens": 50, "cost_reasoning": Decimal("0"),  # tokens but no cost (unpriced): kept
        "cost_request_fee": Decimal("0.08"),
    }  # fmt: skip
    attribution = {"workflow_name": "triage", "team": "support", "customer": None, "agent_name": "router"}
    rows = rows_from_rollup(date(2026, 11, 3), "anthropic", "claude-sonnet-4", measures, attribution, "acme", "USD")
    assert [(r.token_type, r.tokens, r.cost) for r in rows] == [
        ("input", 1_200, Decimal("0.0030000000")),
        ("cache_write", 300, Decimal("0.0011250000")),
        ("output", 0, Decimal("0.0001")),
        ("reasoning", 50, Decimal("0")),
        (REQUEST, 8, Decimal("0.08")),  # 10 calls - 2 unpriced
    ]
    first = rows[0]
    assert (first.day, first.provider, first.model, first.project, first.currency) == (
        date(2026, 11, 3), "anthropic", "claude-sonnet-4", "acme", "USD",
    )  # fmt: skip
    assert (first.workflow, first.team, first.customer, first.agent) == ("triage", "support", None, "router")


def test_rows_from_rollup_with_nothing_gives_no_rows_and_rejects_floats() -> None:
    assert rows_from_rollup(date(2026, 11, 3), "openai", "gpt-4o", {}, {}, "acme", "USD") == []
    with pytest.raises(TypeError):
        rows_from_rollup(date(2026, 11, 3), "openai", "gpt-4o", {"cost_input": 0.1}, {}, "acme", "USD")


@pytest.mark.parametrize(
    ("provider", "name", "service"),
    [
        ("openai", "OpenAI", "OpenAI API"),
        ("anthropic", "Anthropic", "Anthropic API"),
        ("aws.bedrock", "Amazon Web Services", "Amazon Bedrock"),
        ("azure.ai.openai", "Microsoft", "Azure OpenAI"),
        ("gcp.vertex_ai", "Google Cloud", "Vertex AI"),
        ("gcp.gemini", "Google", "Gemini API"),
        ("mistral_ai", "Mistral AI", "Mistral AI API"),
        ("x_ai", "xAI", "xAI API"),
        ("deepseek", "DeepSeek", "DeepSeek API"),
        ("groq", "Groq", "GroqCloud"),
        ("together_ai", "Together AI", "Together AI API"),
        ("acme_llm", "acme_llm", "acme_llm"),  # unknown: kept as sent
        (None, "Unknown", "Unknown"),
    ],
)
def test_service_mapping(provider: str | None, name: str, service: str) -> None:
    assert (provider_for(provider).name, provider_for(provider).service) == (name, service)


@pytest.mark.parametrize(
    ("model", "provider", "publisher"),
    [
        ("gpt-4o", "openai", "OpenAI"),
        ("gpt-4o-2024-08-06", "azure.ai.openai", "OpenAI"),
        ("o3-mini", "openai", "OpenAI"),
        ("claude-sonnet-4-20250514", "anthropic", "Anthropic"),
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "aws.bedrock", "Anthropic"),
        ("gemini-2.5-pro", "gcp.vertex_ai", "Google"),
        ("publishers/google/models/gemini-1.5-flash", "gcp.vertex_ai", "Google"),
        ("llama-3.3-70b-versatile", "groq", "Meta"),
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", "together_ai", "Meta"),
        ("meta.llama3-1-70b-instruct-v1:0", "aws.bedrock", "Meta"),
        ("mistral-large-latest", "mistral_ai", "Mistral AI"),
        ("codestral-latest", "mistral_ai", "Mistral AI"),
        ("grok-4", "x_ai", "xAI"),
        ("deepseek-chat", "deepseek", "DeepSeek"),
        ("amazon.nova-pro-v1:0", "aws.bedrock", "Amazon"),
        ("in-house-7b", "together_ai", "Together AI"),  # unknown model: the provider
        ("mystery", "acme_llm", "acme_llm"),
        (None, None, "Unknown"),
    ],
)
def test_publisher_mapping(model: str | None, provider: str | None, publisher: str) -> None:
    assert publisher_for(model, provider) == publisher


def test_focus_csv_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="outside the billing period"):
        export(row(day=date(2026, 12, 1)))
    with pytest.raises(ValueError, match="ISO 4217"):
        export(row(currency="usd"))
    with pytest.raises(ValueError, match="token type"):
        export(row(token_type="audio"))
    with pytest.raises(ValueError, match="timezone-aware"):
        focus_csv([], billing_account_id="a", billing_account_name="", billing_period_start=datetime(2026, 11, 1),
                  billing_period_end=NOV_END)  # fmt: skip


def test_billing_period_bounds_are_converted_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    text = focus_csv(
        [row()],
        billing_account_id="a",
        billing_account_name="A",
        billing_period_start=datetime(2026, 11, 1, 1, tzinfo=paris),
        billing_period_end=datetime(2026, 12, 1, 1, tzinfo=paris),
    )
    (line,) = parse(text)
    assert (line["BillingPeriodStart"], line["BillingPeriodEnd"]) == ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")


def _replace(text: str, column: str, value: str) -> str:
    lines = parse(text)
    lines[0][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(lines[0]))
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue()


def _drop(text: str, column: str) -> str:
    lines = parse(text)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c for c in lines[0] if c != column], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ChargeCategory", "Refund", "ChargeCategory"),
        ("ChargeClass", "Fix", "ChargeClass"),
        ("ChargeFrequency", "Daily", "ChargeFrequency"),
        ("ServiceCategory", "AI", "ServiceCategory"),
        ("ServiceSubcategory", "Chatbots", "ServiceSubcategory"),
        ("BillingCurrency", "US", "BillingCurrency"),
        ("BilledCost", "2.5E+1", "BilledCost"),
        ("BilledCost", "+25.00", "BilledCost"),
        ("BilledCost", "1,000.00", "BilledCost"),
        ("EffectiveCost", "-1.00", "EffectiveCost"),
        ("PricingQuantity", "", "PricingQuantity"),
        ("ConsumedUnit", "", "ConsumedQuantity and ConsumedUnit"),
        ("ChargePeriodStart", "2026-11-03T00:00:00", "ChargePeriodStart"),
        ("ChargePeriodStart", "2026-11-03 00:00:00Z", "ChargePeriodStart"),
        ("ChargePeriodStart", "2026-11-04T00:00:00Z", "ChargePeriodStart must be before"),
        ("BillingPeriodEnd", "2026-13-01T00:00:00Z", "BillingPeriodEnd"),
        ("ProviderName", "", "ProviderName must not be null"),
        ("Tags", "{not json", "Tags"),
        ("Tags", '["a"]', "Tags must be a JSON object"),
    ],
)
def test_validator_rejects_bad_values(column: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_focus_csv(_replace(export(row()), column, value))


@pytest.mark.parametrize("column", MANDATORY_COLUMNS)
def test_validator_requires_every_mandatory_column(column: str) -> None:
    with pytest.raises(ValueError, match=f"missing mandatory columns: {column}"):
        validate_focus_csv(_drop(export(row()), column))


def test_validator_accepts_a_credit_and_a_header_only_file() -> None:
    validate_focus_csv(export())
    credit = _replace(_replace(export(row()), "ChargeCategory", "Credit"), "BilledCost", "-5.00")
    validate_focus_csv(credit)
    with pytest.raises(ValueError, match="empty"):
        validate_focus_csv("")


def test_iter_focus_csv_yields_the_header_then_chunks_of_focus_csv() -> None:
    rows = [
        row(day=date(2026, 11, 1 + i % 30), tokens=i, token_type=("input", "output", REQUEST)[i % 3]) for i in range(25)
    ]
    arguments = {
        "billing_account_id": "finops-prod", "billing_account_name": "ACME AI spend",
        "billing_period_start": NOV_START, "billing_period_end": NOV_END,
    }  # fmt: skip
    chunks = list(iter_focus_csv(rows, chunk_rows=10, **arguments))
    assert chunks[0] == ",".join(COLUMNS) + "\r\n"
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 10, 10, 5]
    assert "".join(chunks) == focus_csv(rows, **arguments) == export(*rows)
    assert list(iter_focus_csv([], **arguments)) == [chunks[0]]
    with pytest.raises(ValueError, match="before its end"):  # checked when called, not when iterated
        iter_focus_csv(rows, **{**arguments, "billing_period_end": NOV_START})


def test_awkward_text_is_quoted_like_csv_writer() -> None:
    awkward = 'a,b "c"\r\nd\re\nü'
    text = export(row(model=awkward, provider=awkward, team=awkward, project=awkward), row(project="p", team=""))
    first, second = parse(text)
    assert first["ChargeDescription"] == f"{awkward} output tokens"
    assert first["ProviderName"] == first["ServiceName"] == first["HostProviderName"] == awkward
    assert first["SubAccountId"] == first["SubAccountName"] == awkward
    assert json.loads(first["Tags"])["team"] == awkward
    assert first["SkuPriceId"] == f"{awkward}/{awkward}/output/per-1000000-tokens/USD"
    assert json.loads(second["Tags"])["team"] == ""
    assert (first["ChargeClass"], first["SkuPriceDetails"]) == ("", "")
    validate_focus_csv(text)


@pytest.mark.parametrize(
    ("tokens", "quantity"),
    [(0, "0"), (1, "0.000001"), (10, "0.00001"), (999_999, "0.999999"), (1_000_000, "1"), (2_500_000, "2.5"),
     (10**18 + 7, "1000000000000.000007")],
)  # fmt: skip
def test_pricing_quantity_is_exact(tokens: int, quantity: str) -> None:
    (line,) = parse(export(row(tokens=tokens)))
    assert (line["PricingQuantity"], line["ConsumedQuantity"]) == (quantity, str(tokens))


@pytest.mark.parametrize(
    ("cost", "text"),
    [(Decimal("25"), "25.00"), (Decimal("1E+1"), "10.00"), (Decimal("5.1"), "5.10"), (Decimal("-1.5"), "-1.50"),
     (Decimal("0.0000125000"), "0.0000125"), (Decimal("-0"), "0.00"), (Decimal("0E-9"), "0.00"), (3, "3.00"),
     (Decimal("123456789012345678901234567890.123456789"), "123456789012345678901234567890.123456789")],
)  # fmt: skip
def test_money_keeps_every_digit_and_two_decimals(cost: Decimal, text: str) -> None:
    (line,) = parse(export(row(cost=cost)))
    assert line["BilledCost"] == line["ListCost"] == line["EffectiveCost"] == line["ContractedCost"] == text
