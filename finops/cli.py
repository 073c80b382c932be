"""The `finops` command. Thin: it parses arguments and calls services."""

from __future__ import annotations

import logging
import os
import sys
import time

import typer

from finops import __version__
from finops.config import Settings, settings_help
from finops.errors import FinopsError

ENV_HELP = "Configuration comes from environment variables:\n\n" + settings_help().replace("\n", "\n\n")

app = typer.Typer(
    help="finops: FinOps for AI agents. Receives OpenTelemetry spans, stores and prices every LLM call.\n\n"
    + ENV_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
projects_app = typer.Typer(help="Create and list projects and their API keys.", no_args_is_help=True)
calls_app = typer.Typer(help="Look at stored LLM calls.", no_args_is_help=True)
app.add_typer(projects_app, name="projects")
app.add_typer(calls_app, name="calls")


def _settings() -> Settings:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return settings


def _database(settings: Settings) -> str:
    from finops.db.migrate import upgrade
    from finops.db.resolve import database_url

    url = database_url(settings)
    upgrade(url)
    return url


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command(epilog=ENV_HELP)
def serve(
    host: str | None = typer.Option(None, help="Listen address [default: FINOPS_HOST or 127.0.0.1]."),
    port: int | None = typer.Option(None, help="Listen port [default: FINOPS_PORT or 4318]."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each has its own writer)."),
    scheduler: bool = typer.Option(True, help="Run scheduled jobs in this process."),
) -> None:
    """Start the HTTP service: OTLP/HTTP receiver at /v1/traces and the API under /api/v1.

    Without FINOPS_DATABASE_URL it starts an embedded PostgreSQL in FINOPS_DATA_DIR.
    """
    import uvicorn

    from finops.db.engine import session_scope
    from finops.projects import repository, service

    settings = _settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    try:
        url = _database(settings)
        with session_scope(url) as session:
            issued = (
                service.create_project(session, "default")
                if repository.count_projects(session) == 0
                else None
            )
    except FinopsError as exc:
        raise _fail(str(exc)) from exc
    if issued is not None:
        _print_first_start(settings, issued.key)
    # Worker processes read their configuration from the environment.
    os.environ["FINOPS_DATABASE_URL"] = url
    os.environ["FINOPS_SCHEDULER_ENABLED"] = "true" if scheduler else "false"
    typer.echo(f"finops {__version__} listening on http://{settings.host}:{settings.port}", err=True)
    uvicorn.run(
        "finops.api.main:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_keep_alive=30,
    )


def _print_first_start(settings: Settings, key: str) -> None:
    endpoint = settings.resolved_public_url()
    typer.echo(
        "\nCreated project 'default'. Its API key is shown only this once:\n\n"
        f"    {key}\n\n"
        "Point an agent's OpenTelemetry exporter at finops with:\n\n"
        f"    OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}\n"
        "    OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"
        f"    OTEL_EXPORTER_OTLP_HEADERS=x-finops-api-key={key}\n"
    )


@app.command(epilog=ENV_HELP)
def migrate() -> None:
    """Apply database migrations (safe to run from several replicas at once)."""
    from finops.db.migrate import current_revision

    settings = _settings()
    try:
        url = _database(settings)
    except FinopsError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"database at revision {current_revision(url)}")


@projects_app.command("create")
def projects_create(name: str = typer.Argument(..., help="Project name (letters, digits, _ . -).")) -> None:
    """Create a project and print its API key (shown only once)."""
    from finops.db.engine import session_scope
    from finops.projects import service

    url = _database(_settings())
    try:
        with session_scope(url) as session:
            issued = service.create_project(session, name)
    except (FinopsError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Created project {issued.project_name!r}. API key (shown only once):\n{issued.key}")


@projects_app.command("new-key")
def projects_new_key(name: str = typer.Argument(..., help="Existing project name.")) -> None:
    """Issue another API key for a project (the old keys keep working)."""
    from finops.db.engine import session_scope
    from finops.projects import service

    url = _database(_settings())
    try:
        with session_scope(url) as session:
            issued = service.issue_key(session, name)
    except FinopsError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"New API key for {issued.project_name!r} (shown only once):\n{issued.key}")


@projects_app.command("list")
def projects_list() -> None:
    """List projects with their number of active keys."""
    from finops.db.engine import session_scope
    from finops.projects import repository

    url = _database(_settings())
    with session_scope(url) as session:
        projects = repository.list_projects(session)
    if not projects:
        typer.echo("no projects yet: create one with `finops projects create NAME`")
        return
    typer.echo(f"{'ID':>4}  {'NAME':<30} {'KEYS':>4}  CREATED")
    for project in projects:
        created = project.created_at.strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{project.id:>4}  {project.name:<30} {project.active_keys:>4}  {created}")


@calls_app.command("tail")
def calls_tail(
    project: str = typer.Option("default", help="Project name."),
    lines: int = typer.Option(20, "-n", "--lines", min=1, max=1000, help="How many of the latest calls."),
    follow: bool = typer.Option(False, "-f", "--follow", help="Keep printing new calls as they arrive."),
    interval: float = typer.Option(2.0, help="Seconds between polls with --follow."),
) -> None:
    """Print the latest stored LLM calls: time, model, tokens by bucket, attribution."""
    from finops.calls.repository import latest_received
    from finops.calls.table import format_call, header
    from finops.db.engine import session_scope
    from finops.projects import repository

    url = _database(_settings())
    with session_scope(url) as session:
        found = repository.get_by_name(session, project)
        if found is None:
            raise _fail(f"no project named {project!r}")
        project_id = found.id
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


def main() -> None:
    try:
        app()
    except FinopsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
