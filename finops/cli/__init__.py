"""The `finops` command. Thin: it parses arguments and calls services."""

from __future__ import annotations

import sys

import typer

from finops import __version__
from finops.cli import alerts, calls, demo, jobs, prices, projects, recommendations, reports, server, workflows
from finops.cli.common import ENV_HELP
from finops.errors import FinopsError

app = typer.Typer(
    help="finops: FinOps for AI agents. Receives OpenTelemetry spans, stores and prices every LLM call.\n\n" + ENV_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command(epilog=ENV_HELP)(server.serve)
app.command(epilog=ENV_HELP)(server.migrate)
app.add_typer(projects.app, name="projects")
app.add_typer(calls.app, name="calls")
app.add_typer(prices.app, name="prices")
app.add_typer(workflows.app, name="workflows")
app.add_typer(jobs.app, name="jobs")
app.add_typer(alerts.app, name="alerts")
app.add_typer(reports.app, name="report")
app.add_typer(recommendations.app, name="recommendations")
app.command(epilog=ENV_HELP)(workflows.cost)
app.command(epilog=ENV_HELP)(jobs.worker)
app.command(epilog=ENV_HELP)(demo.demo)


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version and exit.")) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:
    try:
        app()
    except FinopsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
