"""Alembic migrations, run under a Postgres advisory lock so replicas starting together are safe."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from finops.db.engine import get_engine
from finops.db.urls import sqlalchemy_url

log = logging.getLogger(__name__)

# An arbitrary constant: every finops process agrees on it, nothing else in the database uses it.
MIGRATION_LOCK_KEY = 7_366_113_455_001


def migrations_dir() -> Path:
    package_dir = Path(__file__).resolve().parent.parent
    packaged = package_dir / "_migrations"  # where a wheel install puts them
    return packaged if packaged.is_dir() else package_dir.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()


def current_revision(url: str) -> str | None:
    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to `revision`; concurrent callers wait for each other and then no-op."""
    config = alembic_config(url)
    with get_engine(url).connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        conn.commit()
        try:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            conn.commit()
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
    log.info("database at revision %s", current_revision(url))
