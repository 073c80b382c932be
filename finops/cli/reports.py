"""`finops report ...`: chargeback, FOCUS, weekly review; allocation rules and attribution mappings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import typer

from finops.cli.common import fail, load_settings, prepared_database, project_id_by_name
from finops.cli.workflows import parse_when

app = typer.Typer(help="Reports: chargeback CSV, FOCUS export, weekly cost review.", no_args_is_help=True)
PROJECT = typer.Option("default", "--project", help="Project name.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")


def _write(content: str, output: Path | None, what: str) -> None:
    if output is None:
        typer.echo(content, nl=False)
    else:
        output.write_text(content, encoding="utf-8")
        typer.echo(f"{what} written to {output}", err=True)


def _period(start: str, end: str) -> tuple[datetime, datetime]:
    since, until = parse_when(start, "from"), parse_when(end, "to")
    assert since is not None and until is not None
    if until <= since:
        raise fail("--to must be after --from")
    return since, until


@app.command("chargeback")
def chargeback(
    start: str = typer.Option(..., "--from", help="Period start (ISO date), e.g. 2026-11-01."),
    end: str = typer.Option(..., "--to", help="Period end, exclusive, e.g. 2026-12-01."),
    group_by: str = typer.Option("team", help="team, cost_center, customer, feature, project, environment, ..."),
    store: bool = typer.Option(False, help="Also keep it in the report list."),
    output: Path | None = OUTPUT,
    project: str = PROJECT,
) -> None:
    """Chargeback CSV: per group, usage, direct cost, allocated shared cost and total (to the cent)."""
    from finops.db.engine import get_engine
    from finops.reports import service
    from finops.reports.allocation import AllocationError
    from finops.reports.chargeback import ReportError, parse_group_by

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    since, until = _period(start, end)
    try:
        groups = parse_group_by(group_by)
        with get_engine(url).begin() as conn:
            report = service.chargeback_report(conn, project_id, since, until, groups)
            if store:
                service.store(conn, project_id, report)
    except (ReportError, AllocationError) as exc:
        raise fail(str(exc)) from exc
    _write(report.content, output, f"chargeback ({report.summary['groups']} groups, total {report.summary['total']})")


@app.command("focus")
def focus(
    start: str = typer.Option(..., "--from", help="Period start (ISO date)."),
    end: str = typer.Option(..., "--to", help="Period end, exclusive."),
    output: Path | None = OUTPUT,
    project: str = PROJECT,
) -> None:
    """FinOps FOCUS 1.2 cost-and-usage CSV: one row per day, model, token type and attribution."""
    from finops.db.engine import get_engine
    from finops.projects.repository import project_name
    from finops.reports import service

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    since, until = _period(start, end)
    tally = service.FocusTally()
    with get_engine(url).connect() as conn:
        chunks = service.focus_stream(conn, project_id, project_name(conn, project_id), since, until, tally)
        if output is None:
            for chunk in chunks:
                typer.echo(chunk, nl=False)
            return
        with output.open("w", encoding="utf-8") as file:  # as Path.write_text did
            for chunk in chunks:
                file.write(chunk)
    typer.echo(f"FOCUS export ({tally.rows} rows) written to {output}", err=True)


@app.command("weekly")
def weekly(
    week: str | None = typer.Option(None, help="ISO week, e.g. 2026-W47 [default: last full week]."),
    output: Path | None = OUTPUT,
    store: bool = typer.Option(False, help="Also keep it in the report list."),
    project: str = PROJECT,
) -> None:
    """The weekly cost review as a self-contained HTML file (opens offline)."""
    from finops.db.engine import get_engine
    from finops.projects.repository import project_name
    from finops.reports import service

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    chosen = week or service.last_full_week(datetime.now(UTC))
    try:
        with get_engine(url).begin() as conn:
            report = service.weekly_report(conn, project_id, project_name(conn, project_id), chosen)
            if store:
                service.store(conn, project_id, report)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    _write(report.content, output, f"weekly review {chosen}")


@app.command("list")
def list_reports(project: str = PROJECT) -> None:
    """Stored reports (the scheduler's and those stored on demand)."""
    from finops.db.engine import get_engine
    from finops.reports import repository

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).connect() as conn:
        found = repository.list_reports(conn, project_id, None, 100)
    for item in found:
        typer.echo(
            f"{item['id']:>5}  {item['kind']:<10} {item['variant']:<14} {item['period_start']:%Y-%m-%d}"
            f" .. {item['period_end']:%Y-%m-%d}  created {item['created_at']:%Y-%m-%d %H:%M}"
        )
    if not found:
        typer.echo("no stored reports yet")


@app.command("allocate")
def allocate_rule(
    name: str,
    source: str = typer.Option(..., help="unattributed, scope (e.g. a router agent) or fixed (a monthly bill)."),
    selector: str | None = typer.Option(None, help="For scope: FIELD=VALUE, e.g. agent=router."),
    monthly_amount: Decimal | None = typer.Option(None, help="For fixed: the amount per calendar month."),
    method: str = typer.Option("proportional", help="proportional, even or fixed."),
    share: list[str] = typer.Option([], help="For method fixed: GROUP=PERCENT (repeatable)."),
    project: str = PROJECT,
) -> None:
    """Add or change an allocation rule for spend without an owner."""
    from finops.db.engine import get_engine
    from finops.reports import repository

    if source not in ("unattributed", "scope", "fixed") or method not in ("proportional", "even", "fixed"):
        raise fail("--source is unattributed, scope or fixed; --method is proportional, even or fixed")
    field, _, value = (selector or "").partition("=")
    if source == "scope" and not (field and value):
        raise fail("a scope rule needs --selector FIELD=VALUE, e.g. agent=router")
    if source == "fixed" and monthly_amount is None:
        raise fail("a fixed rule needs --monthly-amount")
    percentages = {}
    for item in share:
        group, _, percent = item.rpartition("=")
        percentages[group] = percent
    if method == "fixed" and sum(Decimal(p) for p in percentages.values()) != 100:
        raise fail("--share percentages must add up to 100")
    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).begin() as conn:
        repository.upsert_allocation_rule(
            conn, project_id,
            {"name": name, "source": source, "selector_field": field or None, "selector_value": value or None,
             "monthly_amount": monthly_amount, "method": method, "percentages": percentages},
        )  # fmt: skip
    typer.echo(f"allocation rule {name} saved")


@app.command("map")
def map_attribution(
    source: str = typer.Argument(..., help="FIELD=VALUE the calls have, e.g. service=checkout-api."),
    target: str = typer.Argument(..., help="FIELD=VALUE to give them, e.g. team=payments."),
    project: str = PROJECT,
) -> None:
    """Attribute calls that lack a team (cost center, feature, customer) from their service, agent or workflow."""
    from finops.db.engine import get_engine
    from finops.reports import repository

    source_field, _, source_value = source.partition("=")
    target_field, _, target_value = target.partition("=")
    if source_field not in repository.MAPPING_SOURCES or target_field not in repository.MAPPABLE:
        raise fail(
            f"map from {', '.join(repository.MAPPING_SOURCES)} to {', '.join(repository.MAPPABLE)},"
            " e.g. `finops report map service=checkout-api team=payments`"
        )
    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).begin() as conn:
        repository.upsert_mapping(conn, project_id, {
            "source_field": source_field, "source_value": source_value, "target_field": target_field,
            "target_value": target_value,
        })  # fmt: skip
    typer.echo(f"calls with {source} and no {target_field} are now charged to {target}")
