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


def apply_alerts_file(settings: Settings, url: str) -> None:
    """Apply FINOPS_ALERTS_FILE (channels, rules, budgets), if set: at every start of serve and worker."""
    if settings.alerts_file is None:
        return
    from sqlalchemy.orm import Session

    from finops.alerts import config
    from finops.db.engine import get_engine
    from finops.projects import repository

    with get_engine(url).begin() as conn:
        with Session(bind=conn) as session:
            names = {project.name: project.id for project in repository.list_projects(session)}
        try:
            counts = config.load_file(
                conn, settings.alerts_file.read_text(encoding="utf-8"), names,
                allow_private=settings.alerts_allow_private_urls,
            )  # fmt: skip
        except (OSError, config.AlertConfigError) as exc:
            raise fail(f"{settings.alerts_file}: {exc}") from exc
    typer.echo(f"alert configuration {settings.alerts_file}: {counts}", err=True)
