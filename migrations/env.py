"""Alembic environment: uses the connection finops hands over, or FINOPS_DATABASE_URL from the CLI."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

from finops.db.base import Base, import_all_models
from finops.db.urls import sqlalchemy_url

import_all_models()
target_metadata = Base.metadata
config = context.config


def run_with(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("FINOPS_DATABASE_URL")
    if not url:
        raise SystemExit("set FINOPS_DATABASE_URL to the database to migrate")
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_with(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `finops migrate`")
run_migrations_online()
