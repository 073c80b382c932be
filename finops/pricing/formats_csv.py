"""Price catalogs as CSV (pure): what finance people edit in a spreadsheet and upload.

One row per price version, a header row first. Columns (`CSV_COLUMNS`, in this order when written):

    provider, model, aliases, patterns, tier, kind, currency,
    input, cache_read, cache_write, cache_write_1h, output, reasoning,
    batch_discount, request_fee,
    long_context_threshold, long_context_input, long_context_cache_read, long_context_cache_write,
    long_context_cache_write_1h, long_context_output, long_context_reasoning,
    open_weight, effective_from, effective_to, source, as_of

- Only `model`, `input`, `output` and `effective_from` are required; any other column may be left
  out of the header, and an empty cell is null. `provider,model,input,output,effective_from` is a
  complete file. Column names are case-insensitive; an unknown column is an error.
- Prices are decimals per 1M tokens in the row's `currency` (default USD); `batch_discount` is the
  fraction off with the batch API (0..1); `long_context_threshold` is a whole number of prompt tokens
  and needs `long_context_input` and `long_context_output`.
- `aliases` and `patterns` hold several values separated by `;` (patterns are regexes, full match on
  the lowercased model name). `tier`: frontier, mid, small or embedding; `kind`: chat or embedding.
- `open_weight`: true/false (also yes/no, 1/0; empty = false).
- Dates are ISO 8601: a date (midnight UTC) or a datetime with a timezone (naive = UTC); `as_of` is
  a date. An empty `provider` means any host.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from finops.pricing.formats import (
    FIELDS,
    REQUIRED_FIELDS,
    CatalogFormatError,
    build_version,
    check_unique,
    format_decimal,
    format_moment,
    version_fields,
)
from finops.pricing.prices import PriceVersion

CSV_COLUMNS: tuple[str, ...] = FIELDS


def _header(fieldnames: list[str] | None) -> list[str]:
    if not fieldnames:
        raise CatalogFormatError("CSV catalog is empty: a header row is required")
    columns = [name.strip().lower() for name in fieldnames]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown:
        raise CatalogFormatError(
            f"CSV header: unknown column(s) {', '.join(map(repr, unknown))}; known columns: {', '.join(CSV_COLUMNS)}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise CatalogFormatError(f"CSV header: column(s) {', '.join(map(repr, repeated))} appear twice")
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise CatalogFormatError(f"CSV header: missing required column(s) {', '.join(map(repr, missing))}")
    return columns


def load_csv_catalog(text: str) -> list[PriceVersion]:
    """Parse a CSV catalog; errors name the line (as a spreadsheet numbers it) and the column."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # Excel's UTF-8 export starts with a BOM
    columns = _header(next(reader, None))
    labelled: list[tuple[str, PriceVersion]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {reader.line_num}"
        if len(row) > len(columns):
            raise CatalogFormatError(f"{where}: {len(row)} cells but the header has {len(columns)} columns")
        cells = {name: (cell.strip() or None) for name, cell in zip(columns, row, strict=False)}
        labelled.append((where, build_version(where, cells)))
    check_unique(labelled)
    return [version for _, version in labelled]


def _cell(where: str, name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        if any(";" in item for item in value):
            raise CatalogFormatError(f"{where}: a value in {name!r} contains ';', which CSV uses between values")
        return ";".join(value)
    return str(value)


def dump_csv_catalog(versions: Iterable[PriceVersion]) -> str:
    """Every column, in `CSV_COLUMNS` order; `load_csv_catalog` reads back equal versions.

    `id` and `project_id` are not part of the format and are not written.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, version in enumerate(versions, start=1):
        where = f"version {number} ({version.model})"
        writer.writerow([_cell(where, name, value) for name, value in version_fields(version).items()])
    return out.getvalue()
