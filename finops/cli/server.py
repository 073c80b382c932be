"""`finops serve` and `finops migrate`."""

from __future__ import annotations

import os

import typer

from finops import __version__
from finops.cli.common import apply_alerts_file, fail, load_settings, prepared_database
from finops.config import Settings
from finops.errors import FinopsError


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

    settings = load_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    try:
        url = prepared_database(settings)
        with session_scope(url) as session:
            first_start = repository.count_projects(session) == 0
            issued = service.create_project(session, "default") if first_start else None
    except FinopsError as exc:
        raise fail(str(exc)) from exc
    if issued is not None:
        _print_first_start(settings, issued.key)
    apply_alerts_file(settings, url)
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


def migrate() -> None:
    """Apply database migrations and load the shipped price catalog (safe from several replicas)."""
    from finops.db.migrate import current_revision

    try:
        url = prepared_database(load_settings())
    except FinopsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"database at revision {current_revision(url)}")
