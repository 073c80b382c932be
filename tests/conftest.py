"""Shared fixtures: a real Postgres (FINOPS_TEST_DATABASE_URL or an embedded one), migrated by
Alembic, and the real finops app served by uvicorn on a free loopback port."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import uvicorn
from psycopg import sql
from sqlalchemy import text

from finops.api.app import create_app
from finops.bootstrap import prepare_database
from finops.config import Settings
from finops.db.engine import get_engine, session_scope
from finops.db.urls import libpq_url, sqlalchemy_url, with_database
from finops.pricing.repository import bump_revision
from finops.pricing.service import install_shipped_catalog
from finops.projects import service

DATA_TABLES = (
    "llm_calls", "spans", "resources", "api_keys", "projects", "recost_requests", "recost_runs", "job_runs",
    "workflow_dirty_traces", "workflow_traces", "workflow_outcomes", "workflow_runs", "rollup_dirty_days",
    "rollup_calls_daily", "rollup_calls_hourly", "rollup_workflows_daily", "alerts", "alert_notifications",
    "alert_channels", "alert_rules", "alert_silences", "budgets", "reports", "allocation_rules",
    "attribution_mappings", "recommendations",
)  # fmt: skip


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a Postgres server the tests may create databases on."""
    configured = os.environ.get("FINOPS_TEST_DATABASE_URL")
    if configured:
        yield sqlalchemy_url(configured)
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="finops-test-pg-") as directory:
        os.chmod(directory, 0o755)  # the embedded server may run as another user when we are root
        server = pgserver.get_server(Path(directory) / "pg", cleanup_mode="delete")
        try:
            yield sqlalchemy_url(server.get_uri())
        finally:
            server.cleanup()


@pytest.fixture(scope="session")
def migrated_url(server_url: str) -> Iterator[str]:
    """A fresh database for this test session, brought to head by `alembic upgrade`."""
    name = f"finops_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(server_url, name)
    prepare_database(url)
    yield url
    get_engine(url).dispose()
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture()
def db(migrated_url: str) -> str:
    """The migrated database, emptied of data before the test."""
    with psycopg.connect(libpq_url(migrated_url), autocommit=True) as conn:
        conn.execute("TRUNCATE " + ", ".join(DATA_TABLES) + " CASCADE")
        # Keep the shipped catalog; drop prices a test added or changed.
        changed = conn.execute("DELETE FROM price_versions WHERE origin <> 'shipped'").rowcount
    if changed:
        with session_scope(migrated_url) as session:
            install_shipped_catalog(session)
            bump_revision(session)
            session.execute(text("DELETE FROM recost_requests"))
    return migrated_url


@dataclass(frozen=True)
class ProjectKey:
    id: int
    name: str
    key: str


def make_project(database_url: str, name: str) -> ProjectKey:
    with session_scope(database_url) as session:
        issued = service.create_project(session, name)
    return ProjectKey(issued.project_id, issued.project_name, issued.key)


@pytest.fixture()
def project(db: str) -> ProjectKey:
    return make_project(db, "test-project")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedApp:
    """The real app under uvicorn in a background thread."""

    def __init__(self, database_url: str, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(settings, database_url, run_scheduler=False)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.app = app
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("finops test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"scheduler_enabled": False, "auth_cache_seconds": 0.0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def served(migrated_url: str) -> Iterator[ServedApp]:
    with ServedApp(migrated_url, make_settings()) as app:
        yield app
