"""The embedded PostgreSQL that `finops serve` runs on when no FINOPS_DATABASE_URL is given."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from psycopg import sql

from finops.db.urls import libpq_url, sqlalchemy_url, with_database

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "finops"


def start_embedded(data_dir: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or attach to) the embedded server in data_dir/postgres and return a URL to `database`.

    pgserver counts the processes using one data directory and stops the server when the last exits.
    """
    import pgserver  # imported here: it is only needed without FINOPS_DATABASE_URL

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
    admin_url = sqlalchemy_url(server.get_uri())
    ensure_database(admin_url, database)
    return with_database(admin_url, database)


def ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            log.info("creating database %s", database)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
