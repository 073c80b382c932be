"""`finops prices ...`: the versioned price catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import typer

from finops.cli.common import fail, load_settings, prepared_database, project_id_by_name

app = typer.Typer(help="The price catalog: list, show, set, import, export, missing, recost.", no_args_is_help=True)

PROJECT_OPTION = typer.Option(None, "--project", help="A project's custom prices instead of the built-in ones.")


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--{name} must be an ISO date or datetime, e.g. 2026-11-01") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _price(value: Decimal | None) -> str:
    return "-" if value is None else f"{value.normalize():f}"


@app.command("list")
def list_prices(
    model: str | None = typer.Option(None, help="Only this model (name or alias)."),
    project: str | None = PROJECT_OPTION,
) -> None:
    """List price versions (USD per 1M tokens) with their effective dates and sources."""
    from finops.db.engine import session_scope
    from finops.pricing import repository

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project) if project else None
    with session_scope(url) as session:
        rows = repository.list_versions(session, project_id, model)
    if not rows:
        raise fail("no price versions match")
    typer.echo(
        f"{'PROVIDER':<16} {'MODEL':<34} {'INPUT':>8} {'C.READ':>8} {'C.WRITE':>8} {'OUTPUT':>8}"
        f"  {'FROM':<10} {'TO':<10} SCOPE"
    )
    for row in rows:
        typer.echo(
            f"{(row.provider or '*'):<16} {row.model[:34]:<34} {_price(row.input):>8}"
            f" {_price(row.cache_read):>8} {_price(row.cache_write):>8} {_price(row.output):>8}"
            f"  {row.effective_from:%Y-%m-%d}"
            f" {(f'{row.effective_to:%Y-%m-%d}' if row.effective_to else '-'):<10}"
            f" {'builtin' if row.project_id is None else 'project'}"
        )


@app.command("show")
def show(
    model: str = typer.Argument(..., help="Model as your calls report it, e.g. gpt-4o-2024-08-06."),
    provider: str | None = typer.Option(None, help="Provider as reported (gen_ai.provider.name)."),
    at: str | None = typer.Option(None, help="Price in force at this time [default: now]."),
    project: str = typer.Option("default", help="Project whose custom prices apply."),
) -> None:
    """Show which price version a call of MODEL is priced with, and every field of it."""
    from finops.db.engine import session_scope
    from finops.pricing.service import load_book

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    moment = _when(at, "at") or datetime.now(UTC)
    with session_scope(url) as session:
        version = load_book(session).lookup(project_id, provider, model, moment)
    if version is None:
        raise fail(f"no price for {model!r} at {moment:%Y-%m-%d %H:%M}: such calls stay unpriced")
    rates = version.rates
    scope = "builtin" if version.project_id is None else f"project {project}"
    lines = [
        f"model           {version.model} ({version.provider or 'any provider'}, {scope}, version {version.id})",
        f"aliases         {', '.join(version.aliases) or '-'}",
        f"tier            {version.tier or '-'}    kind {version.kind}    open weight {version.open_weight}",
        f"per 1M tokens   input {_price(rates.input)}  cache read {_price(rates.cache_read)}"
        f"  cache write {_price(rates.cache_write)}  1h write {_price(rates.cache_write_1h)}"
        f"  output {_price(rates.output)}  reasoning {_price(rates.reasoning)}  ({version.currency})",
    ]
    if version.long_context:
        tier = version.long_context
        lines.append(
            f"above {tier.threshold_input_tokens} prompt tokens  input {_price(tier.rates.input)}"
            f"  cache read {_price(tier.rates.cache_read)}  output {_price(tier.rates.output)}"
        )
    lines += [
        f"batch discount  {_price(version.batch_discount)}    request fee {_price(version.request_fee)}",
        f"in force        {version.effective_from:%Y-%m-%d} .. "
        f"{f'{version.effective_to:%Y-%m-%d}' if version.effective_to else 'now'}",
        f"source          {version.source or '-'} (as of {version.as_of or '-'})",
    ]
    typer.echo("\n".join(lines))


@app.command("set")
def set_price(
    model: str = typer.Argument(..., help="Canonical model name."),
    input_price: Decimal = typer.Option(..., "--input", help="Uncached input, per 1M tokens."),
    output_price: Decimal = typer.Option(..., "--output", help="Output, per 1M tokens."),
    cache_read: Decimal | None = typer.Option(None, help="Cache read per 1M [default: input price]."),
    cache_write: Decimal | None = typer.Option(None, help="Cache write per 1M [default: input price]."),
    cache_write_1h: Decimal | None = typer.Option(None, help="1-hour cache write [default: cache write]."),
    reasoning: Decimal | None = typer.Option(None, help="Reasoning per 1M [default: output price]."),
    batch_discount: Decimal | None = typer.Option(None, help="Fraction off for batch calls, e.g. 0.5."),
    request_fee: Decimal | None = typer.Option(None, help="Fixed fee per request."),
    provider: str | None = typer.Option(None, help="Only for this provider [default: any]."),
    alias: list[str] = typer.Option([], help="Other names of the model (repeatable)."),
    effective_from: str = typer.Option(None, help="In force from (may be in the past) [default: today]."),
    effective_to: str | None = typer.Option(None, help="In force until (exclusive)."),
    currency: str = typer.Option("USD", help="Currency of the prices."),
    source: str | None = typer.Option(None, help="Where the price comes from (contract, page)."),
    project: str | None = PROJECT_OPTION,
) -> None:
    """Add or change a price version; calls in its window are recosted by the next recost run."""
    from pydantic import ValidationError

    from finops.db.engine import session_scope
    from finops.pricing.schemas import PriceVersionIn
    from finops.pricing.service import apply_versions

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project) if project else None
    start = _when(effective_from, "effective-from") or datetime.now(UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    try:
        body = PriceVersionIn(
            provider=provider,
            model=model,
            aliases=alias,
            input=input_price,
            output=output_price,
            cache_read=cache_read,
            cache_write=cache_write,
            cache_write_1h=cache_write_1h,
            reasoning=reasoning,
            batch_discount=batch_discount,
            request_fee=request_fee,
            effective_from=start,
            effective_to=_when(effective_to, "effective-to"),
            currency=currency,
            source=source or "finops prices set",
        )
    except ValidationError as exc:
        raise fail(str(exc)) from exc
    with session_scope(url) as session:
        result = apply_versions(session, [body.to_version(project_id)], origin="cli")
    state = "added" if result.added else "changed" if result.changed else "unchanged (identical)"
    typer.echo(f"price for {model} from {start:%Y-%m-%d}: {state}")
    if result.touched:
        typer.echo("affected calls are recosted by the next recost run (or now: `finops prices recost`)")


@app.command("import")
def import_prices(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Catalog file."),
    fmt: str = typer.Option("auto", "--format", help="auto, yaml (finops catalog), csv or litellm."),
    effective_from: str | None = typer.Option(None, help="For LiteLLM files, which carry no dates."),
    project: str | None = PROJECT_OPTION,
) -> None:
    """Load a catalog: finops YAML, the documented CSV format, or LiteLLM's model_prices JSON."""
    from finops.db.engine import session_scope
    from finops.pricing.formats import CatalogFormatError
    from finops.pricing.imports import parse_catalog
    from finops.pricing.service import apply_versions

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project) if project else None
    try:
        parsed = parse_catalog(
            file.read_text(encoding="utf-8"),
            None if fmt == "auto" else fmt,
            _when(effective_from, "effective-from"),
        )
        if fmt == "auto" and not parsed.versions:
            raise CatalogFormatError("no price entries found")
    except CatalogFormatError as exc:
        raise fail(f"{file}: {exc}") from exc
    with session_scope(url) as session:
        result = apply_versions(session, parsed.versions, origin=parsed.origin, project_id=project_id)
    typer.echo(
        f"{file}: {len(parsed.versions)} entries read ({parsed.origin}); {result.added} added,"
        f" {result.changed} changed, {result.unchanged} unchanged, {len(parsed.skipped)} skipped"
    )
    for reason in parsed.skipped[:20]:
        typer.echo(f"  skipped: {reason}")
    if len(parsed.skipped) > 20:
        typer.echo(f"  ... and {len(parsed.skipped) - 20} more")


@app.command("update")
def update(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="finops catalog YAML."),
) -> None:
    """Load a newer built-in catalog (same YAML format as the shipped one) without a release."""
    import_prices(file, fmt="yaml", effective_from=None, project=None)


@app.command("export")
def export(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
    project: str | None = PROJECT_OPTION,
) -> None:
    """Export the catalog as CSV (the format `finops prices import` reads)."""
    from finops.db.engine import session_scope
    from finops.pricing import repository
    from finops.pricing.formats_csv import dump_csv_catalog

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project) if project else None
    with session_scope(url) as session:
        versions = [repository.to_version(row) for row in repository.list_versions(session, project_id)]
    text = dump_csv_catalog(versions)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(versions)} price versions written to {output}", err=True)


@app.command("missing")
def missing(
    project: str = typer.Option("default", help="Project name."),
    start: str | None = typer.Option(None, "--from", help="Calls starting at or after."),
    end: str | None = typer.Option(None, "--to", help="Calls starting before."),
) -> None:
    """Models of unpriced calls, with call counts and tokens: their cost is invisible until priced."""
    from finops.db.engine import session_scope
    from finops.pricing import repository

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with session_scope(url) as session:
        found = repository.missing_models(session, project_id, _when(start, "from"), _when(end, "to"))
    if not found:
        typer.echo("every call is priced")
        return
    typer.echo(f"{'PROVIDER':<18} {'MODEL':<36} {'CALLS':>8} {'INPUT TOK':>12} {'OUTPUT TOK':>12}  LAST SEEN")
    for item in found:
        typer.echo(
            f"{(item.provider or '-'):<18} {(item.model or '(no model)')[:36]:<36} {item.calls:>8}"
            f" {item.input_tokens:>12} {item.output_tokens:>12}  {item.last_seen:%Y-%m-%d %H:%M}"
        )
    typer.echo("\nprice them with `finops prices set MODEL --input ... --output ...` (back-date with --effective-from)")


@app.command("recost")
def recost(
    start: str = typer.Option(..., "--from", help="Recost calls starting at or after (ISO date)."),
    end: str | None = typer.Option(None, "--to", help="... and before [default: no end]."),
    model: list[str] = typer.Option([], help="Only calls of this model (repeatable)."),
    project: str | None = typer.Option(None, help="Only this project [default: all]."),
) -> None:
    """Recompute the cost of stored calls with the current catalog, in batches, showing progress."""
    from finops.pricing.service import RecostReport
    from finops.pricing.service import recost as run_recost

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project) if project else None

    def progress(report: RecostReport) -> None:
        typer.echo(f"\r  {report.calls_examined} calls examined, {report.calls_changed} changed", nl=False, err=True)

    report = run_recost(
        url,
        start=_when(start, "from"),
        end=_when(end, "to"),
        models=model or None,
        project_id=project_id,
        trigger="cli",
        progress=progress,
    )
    typer.echo("", err=True)
    typer.echo(
        f"recost run {report.run_id}: {report.calls_examined} calls examined, {report.calls_changed} changed;"
        f" cost of changed calls {report.cost_before:.6f} -> {report.cost_after:.6f}"
    )
