"""`finops cost` and `finops workflows ...`: tables from the rollups and runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import typer

from finops.cli.common import fail, load_settings, prepared_database, project_id_by_name

app = typer.Typer(help="Workflow runs: the costliest, the latest.", no_args_is_help=True)

MONEY_COLUMNS = (
    "cost",
    "cost_per_call",
    "workflow_cost",
    "cost_per_workflow",
    "cost_per_successful_workflow",
)


def parse_when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--{name} must be an ISO date or datetime, e.g. 2026-11-01") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def print_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        typer.echo("no data in this range (rollups refresh every minute)")
        return
    with pd.option_context("display.max_rows", 500, "display.max_columns", 30, "display.width", 200):
        typer.echo(frame.to_string(index=False))


def cost(
    by: str = typer.Option("team", help="Dimensions, comma-separated: workflow, agent, team, model, customer, ..."),
    start: str | None = typer.Option(None, "--from", help="Start (ISO date) [default: 30 days ago]."),
    end: str | None = typer.Option(None, "--to", help="End, exclusive [default: now]."),
    granularity: str = typer.Option("month", help="hour, day, week or month."),
    project: str = typer.Option("default", help="Project name."),
) -> None:
    """Spend by any dimensions, with cost per successful workflow where it applies."""
    from finops.db.engine import get_engine
    from finops.workflows.metrics import MetricsQuery, MetricsQueryError, metrics

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    until = parse_when(end, "to") or datetime.now(UTC)
    query = MetricsQuery(
        project_id=project_id,
        start=parse_when(start, "from") or until - timedelta(days=30),
        end=until,
        granularity=granularity,
        group_by=tuple(part.strip() for part in by.split(",") if part.strip()),
    )
    try:
        with get_engine(url).connect() as conn:
            rows = metrics(conn, query)
    except MetricsQueryError as exc:
        raise fail(str(exc)) from exc
    columns = ["period", *query.group_by, "calls", "total_tokens", "cost", "cache_hit_rate", "error_rate"]
    if query.has_workflow_metrics:
        columns += ["runs", "successful_runs", "cost_per_successful_workflow"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in MONEY_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(lambda v: "-" if v is None or pd.isna(v) else f"{float(v):,.4f}")
    for column in ("cache_hit_rate", "error_rate"):
        frame[column] = frame[column].map(lambda v: "-" if v is None or pd.isna(v) else f"{v:.1%}")
    print_table(frame)


@app.command("top")
def top(
    start: str | None = typer.Option(None, "--from", help="Runs started at or after [default: 7 days ago]."),
    end: str | None = typer.Option(None, "--to", help="Runs started before [default: now]."),
    name: str | None = typer.Option(None, help="Only this workflow name."),
    limit: int = typer.Option(20, "-n", min=1, max=500, help="How many runs."),
    project: str = typer.Option("default", help="Project name."),
) -> None:
    """The costliest workflow runs, with outcome, calls, retries and models."""
    from finops.db.engine import get_engine
    from finops.workflows.queries import RunFilter, list_runs

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    until = parse_when(end, "to") or datetime.now(UTC)
    since = parse_when(start, "from") or until - timedelta(days=7)
    with get_engine(url).connect() as conn:
        runs = list_runs(conn, RunFilter(project_id, name=name, start=since, end=until), "cost", limit, 0)
    frame = pd.DataFrame(
        runs,
        columns=["run_id", "name", "outcome", "started_at", "llm_calls", "retries", "cost_total", "models"],
    )
    frame["started_at"] = frame["started_at"].map(lambda v: v.strftime("%Y-%m-%d %H:%M"))
    frame["models"] = frame["models"].map(lambda v: ",".join(v))
    print_table(frame)
