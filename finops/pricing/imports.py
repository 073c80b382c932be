"""Recognising which catalog format a file or request body is in (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from finops.pricing.formats import CatalogFormatError
from finops.pricing.formats_csv import load_csv_catalog
from finops.pricing.formats_litellm import load_litellm_json
from finops.pricing.formats_yaml import load_yaml_catalog
from finops.pricing.prices import PriceVersion

FORMATS = ("yaml", "csv", "litellm")


@dataclass(slots=True)
class ParsedCatalog:
    versions: list[PriceVersion]
    origin: str  # the format, recorded on each stored version
    skipped: list[str] = field(default_factory=list)


def detect_format(text: str, hint: str | None = None) -> str:
    """`hint` is a format name, a content type or a file name; otherwise the text is sniffed."""
    lowered = (hint or "").lower()
    for name in FORMATS:
        if lowered == name:
            return name
    if "json" in lowered:
        return "litellm"
    if "csv" in lowered:
        return "csv"
    if "yaml" in lowered or lowered.endswith(".yml"):
        return "yaml"
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "litellm"
    first_line = stripped.split("\n", 1)[0]
    if "," in first_line and "model" in first_line and ":" not in first_line:
        return "csv"
    return "yaml"


def parse_catalog(text: str, hint: str | None = None, effective_from: datetime | None = None) -> ParsedCatalog:
    fmt = detect_format(text, hint)
    if fmt == "litellm":
        # LiteLLM's file carries no dates: its prices are taken as in force from `effective_from`.
        start = effective_from or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        versions, skipped = load_litellm_json(text, effective_from=start)
        return ParsedCatalog(versions, "litellm", skipped)
    if fmt == "csv":
        return ParsedCatalog(load_csv_catalog(text), "csv")
    return ParsedCatalog(load_yaml_catalog(text), "file")


__all__ = ["FORMATS", "CatalogFormatError", "ParsedCatalog", "detect_format", "parse_catalog"]
