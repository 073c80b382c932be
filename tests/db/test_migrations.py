"""The schema comes from Alembic; the models must describe exactly that schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from finops.db.base import Base, import_all_models
from finops.db.engine import get_engine
from finops.db.migrate import current_revision, head_revision, upgrade


def test_models_match_migrations(migrated_url: str) -> None:
    import_all_models()
    with get_engine(migrated_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent_and_at_head(migrated_url: str) -> None:
    upgrade(migrated_url)  # a second replica starting later finds nothing to do
    assert current_revision(migrated_url) == head_revision()


def test_constraint_names_follow_postgres_style(migrated_url: str) -> None:
    with get_engine(migrated_url).connect() as conn:
        names = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                " WHERE n.nspname = 'public'"
            )
        }
    assert {"llm_calls_pkey", "spans_pkey", "projects_name_key", "api_keys_project_id_fkey"} <= names


def test_replicas_migrating_together_are_safe(server_url: str) -> None:
    """Two processes starting at once: the advisory lock serialises them, both end at head."""
    import secrets
    import subprocess
    import sys

    import psycopg
    from psycopg import sql

    from finops.db.urls import libpq_url, with_database

    name = f"finops_race_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(server_url, name)
    try:
        script = "import sys; from finops.db.migrate import upgrade; upgrade(sys.argv[1])"
        replicas = [subprocess.Popen([sys.executable, "-c", script, url]) for _ in range(3)]
        assert [replica.wait(timeout=120) for replica in replicas] == [0, 0, 0]
        assert current_revision(url) == head_revision()
    finally:
        get_engine(url).dispose()
        with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
