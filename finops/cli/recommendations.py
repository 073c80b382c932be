"""`finops recommendations ...`"""

from __future__ import annotations

import json

import typer

from finops.cli.common import fail, load_settings, prepared_database, project_id_by_name

app = typer.Typer(help="Optimization recommendations with monthly dollar estimates.", no_args_is_help=True)
PROJECT = typer.Option("default", "--project", help="Project name.")


@app.command("list")
def list_recommendations(
    status: str = typer.Option("open", help="open, accepted, dismissed or resolved."), project: str = PROJECT
) -> None:
    """Recommendations, largest saving first, and the total (no dollar counted twice)."""
    from datetime import UTC, datetime

    from finops.db.engine import get_engine
    from finops.recommendations import repository
    from finops.recommendations.combine import total_savings
    from finops.recommendations.service import as_recommendation, baselines

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).connect() as conn:
        rows = repository.listing(conn, project_id, status, 200)
        total, _ = total_savings([as_recommendation(r) for r in rows], baselines(conn, project_id, datetime.now(UTC)))
    if not rows:
        typer.echo(f"no {status} recommendations (the job runs every 6 hours: `finops jobs run recommendations`)")
        return
    typer.echo(f"{'ID':>5}  {'$/MONTH':>11}  {'CONF':<6} {'RULE':<24} TITLE")
    for row in rows:
        typer.echo(
            f"{row['id']:>5}  {row['monthly_savings']:>11,.2f}  {row['confidence']:<6} {row['rule']:<24} {row['title']}"
        )
    typer.echo(f"\ntogether about ${total:,.2f}/month (overlapping savings on the same tokens counted once)")


@app.command("show")
def show(rec_id: int, project: str = PROJECT) -> None:
    """One recommendation with its evidence, risk and example traces."""
    from finops.db.engine import get_engine
    from finops.recommendations import repository

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).connect() as conn:
        row = repository.get(conn, project_id, rec_id)
    if row is None:
        raise fail(f"no recommendation {rec_id}")
    typer.echo(f"{row['title']}\n")
    typer.echo(f"rule        {row['rule']} ({row['scope_kind']} {row['scope_value'] or ''})")
    typer.echo(f"saves       about ${row['monthly_savings']:,.2f} per month ({row['confidence']} confidence)")
    typer.echo(f"status      {row['status']}" + (f" ({row['status_reason']})" if row["status_reason"] else ""))
    if row["risk"]:
        typer.echo(f"risk        {row['risk']}")
    typer.echo(f"examples    {', '.join(row['example_trace_ids']) or '-'}")
    typer.echo("evidence    " + json.dumps(row["evidence"], indent=2, default=str).replace("\n", "\n            "))


def _set(rec_id: int, status: str, reason: str | None, project: str) -> None:
    from finops.db.engine import get_engine
    from finops.recommendations import repository

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with get_engine(url).begin() as conn:
        if not repository.set_status(conn, project_id, rec_id, status, reason):
            raise fail(f"no recommendation {rec_id}")
    typer.echo(f"recommendation {rec_id} {status}")


@app.command("accept")
def accept(rec_id: int, reason: str | None = typer.Option(None), project: str = PROJECT) -> None:
    """Mark a recommendation as being acted on (it resolves itself once the evidence is gone)."""
    _set(rec_id, "accepted", reason, project)


@app.command("dismiss")
def dismiss(
    rec_id: int, reason: str | None = typer.Option(None, help="Why, for the team."), project: str = PROJECT
) -> None:
    """Dismiss a recommendation (it stays dismissed while its evidence lasts)."""
    _set(rec_id, "dismissed", reason, project)
