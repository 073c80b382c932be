"""Which price version a call gets: names, aliases, hosts, scopes and effective dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from finops.pricing.matching import PriceBook, name_candidates
from finops.pricing.prices import PriceVersion, Rates


def version(model: str, price: str, *, provider: str | None = None, start: str = "2025-01-01",
            end: str | None = None, project: int | None = None, aliases: tuple[str, ...] = (),
            patterns: tuple[str, ...] = ()) -> PriceVersion:  # fmt: skip
    return PriceVersion(
        model=model, provider=provider, project_id=project, aliases=aliases, patterns=patterns,
        rates=Rates(input=D(price), output=D(price)),
        effective_from=datetime.fromisoformat(start).replace(tzinfo=UTC),
        effective_to=datetime.fromisoformat(end).replace(tzinfo=UTC) if end else None,
    )  # fmt: skip


BOOK = PriceBook(
    [
        version("gpt-4o", "2.50", provider="openai", aliases=("chatgpt-4o-latest",)),
        version("gpt-4o", "5.00", provider="openai", start="2024-05-13", end="2025-01-01"),
        version("gpt-4o", "2.75", provider="azure.ai.openai"),
        version("claude-sonnet-4-5", "3.00"),  # generic: any host
        version("claude-sonnet-4-5", "3.30", provider="aws.bedrock"),
        version("llama-3.3-70b", "0.59", provider="groq", patterns=(r"^llama-3\.3-70b(-versatile|-specdec)?$",)),
        version("llama-3.3-70b", "0.88", provider="together_ai"),
        version("gpt-4o", "1.00", project=7),  # project 7's negotiated price
        version("acme-internal", "0.10", project=7, start="2026-11-01", end="2026-12-01"),
    ]
)
AT = datetime(2026, 6, 1, tzinfo=UTC)


def price_of(model: str, provider: str | None = None, project: int | None = 1, at: datetime = AT) -> str | None:
    found = BOOK.lookup(project, provider, model, at)
    return None if found is None else str(found.rates.input)


@pytest.mark.parametrize(
    ("model", "provider", "expected"),
    [
        ("gpt-4o", "openai", "2.50"),  # exact
        ("gpt-4o-2024-08-06", "openai", "2.50"),  # dated snapshot
        ("chatgpt-4o-latest", "openai", "2.50"),  # explicit alias
        ("openai/gpt-4o", "openai", "2.50"),  # router-style prefix
        ("GPT-4o", "openai", "2.50"),  # case
        ("gpt-4o", "azure.ai.openai", "2.75"),  # provider-specific entry beats the others
        ("gpt-4o", "gcp.vertex_ai", "2.50"),  # no entry for that host: another provider's list price
        ("claude-sonnet-4-5", "anthropic", "3.00"),  # generic entry
        ("claude-sonnet-4-5-20250929", "anthropic", "3.00"),
        ("anthropic/claude-sonnet-4-5", None, "3.00"),
        ("claude-sonnet-4-5@20250929", "gcp.vertex_ai", "3.00"),  # Vertex spelling
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock", "3.30"),  # Bedrock id + Bedrock price
        ("llama-3.3-70b-versatile", "groq", "0.59"),  # anchored pattern
        ("llama-3.3-70b", "together_ai", "0.88"),
        ("mystery-model-9000", "openai", None),  # unpriced, never zero
    ],
)
def test_name_and_host_matching(model: str, provider: str | None, expected: str | None) -> None:
    assert price_of(model, provider) == expected


def test_project_custom_price_beats_builtin_even_for_snapshots() -> None:
    assert price_of("gpt-4o", "openai", project=7) == "1.00"
    assert price_of("gpt-4o-2024-11-20", "openai", project=7) == "1.00"
    assert price_of("gpt-4o", "openai", project=8) == "2.50"


def test_effective_date_boundaries() -> None:
    boundary = datetime(2025, 1, 1, tzinfo=UTC)
    # one second before the 2025 price took effect the 2024 price applies, at the boundary the new one
    assert price_of("gpt-4o", "openai", at=boundary - timedelta(seconds=1)) == "5.00"
    assert price_of("gpt-4o", "openai", at=boundary) == "2.50"
    assert price_of("gpt-4o", "openai", at=datetime(2024, 5, 12, tzinfo=UTC)) is None
    # effective_to is exclusive
    end = datetime(2026, 12, 1, tzinfo=UTC)
    assert price_of("acme-internal", project=7, at=end - timedelta(seconds=1)) == "0.10"
    assert price_of("acme-internal", project=7, at=end) is None


def test_name_candidates() -> None:
    assert name_candidates("us.anthropic.claude-3-5-sonnet-20240620-v1:0") == [
        "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "claude-3-5-sonnet-20240620",
        "claude-3-5-sonnet",
    ]
    assert name_candidates("models/gemini-2.5-pro") == ["models/gemini-2.5-pro", "gemini-2.5-pro"]
    assert name_candidates("gemini-1.5-pro-002")[-1] == "gemini-1.5-pro"
