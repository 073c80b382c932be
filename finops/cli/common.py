"""Shared plumbing of the `finops` subcommands."""

from __future__ import annotations

import logging

import typer

from finops.config import Settings, settings_help

ENV_HELP = "Configuration comes from environment variables:\n\n" + settings_help().replace("\n", "\n\n")


def load_settings() -> Settings:
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return settings


def prepared_database(settings: Settings) -> str:
    """The database URL (starting the embedded server if needed), migrated and with the catalog loaded."""
    from finops.bootstrap import prepare_database
    from finops.db.resolve import database_url

    url = database_url(settings)
    prepare_database(url)
    return url


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def project_id_by_name(url: str, name: str) -> int:
    from finops.db.engine import session_scope
    from finops.projects import repository

    with session_scope(url) as session:
        found = repository.get_by_name(session, name)
    if found is None:
        raise fail(f"no project named {name!r}")
    return found.id
