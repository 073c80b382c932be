"""`finops calls ...`"""

from __future__ import annotations

import time

import typer

from finops.cli.common import load_settings, prepared_database, project_id_by_name

app = typer.Typer(help="Look at stored LLM calls.", no_args_is_help=True)


@app.command("tail")
def tail(
    project: str = typer.Option("default", help="Project name."),
    lines: int = typer.Option(20, "-n", "--lines", min=1, max=1000, help="How many of the latest calls."),
    follow: bool = typer.Option(False, "-f", "--follow", help="Keep printing new calls as they arrive."),
    interval: float = typer.Option(2.0, help="Seconds between polls with --follow."),
) -> None:
    """Print the latest stored LLM calls: time, model, tokens by bucket, cost, attribution."""
    from finops.calls.repository import latest_received
    from finops.calls.table import format_call, header
    from finops.db.engine import session_scope

    url = prepared_database(load_settings())
    project_id = project_id_by_name(url, project)
    with session_scope(url) as session:
        calls = latest_received(session, project_id, lines)
    typer.echo(header())
    for call in calls:
        typer.echo(format_call(call))
    seen = {(c.trace_id, c.span_id) for c in calls}
    since = calls[-1].received_at if calls else None
    try:
        while follow:
            time.sleep(interval)
            with session_scope(url) as session:
                fresh = latest_received(session, project_id, 1000, since)
            for call in fresh:
                if (call.trace_id, call.span_id) not in seen:
                    typer.echo(format_call(call))
                    seen.add((call.trace_id, call.span_id))
            if fresh:
                since = fresh[-1].received_at
    except KeyboardInterrupt:
        pass
