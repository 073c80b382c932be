"""Postgres stopped mid-run: exporters get 503 + Retry-After, then everything lands exactly once."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pgserver
import psycopg
import pytest
from google.rpc import status_pb2
from pgserver._commands import pg_ctl

from finops.db.embedded import ensure_database
from finops.db.migrate import upgrade
from finops.db.urls import libpq_url, sqlalchemy_url, with_database
from tests.conftest import ServedApp, make_project, make_settings
from tests.otlp_builders import chat_attributes, new_trace_id, request, span


@pytest.fixture()
def own_postgres() -> Iterator[pgserver.PostgresServer]:
    """A Postgres of this test's own, so stopping it disturbs nothing else."""
    with tempfile.TemporaryDirectory(prefix="finops-outage-") as directory:
        os.chmod(directory, 0o755)
        server = pgserver.get_server(Path(directory) / "pg", cleanup_mode="delete")
        try:
            yield server
        finally:
            server.ensure_postgres_running()
            server.cleanup()


def body(calls: int, input_tokens: int) -> bytes:
    trace = new_trace_id()
    spans = [
        span(f"chat {i}", trace_id=trace, attributes=chat_attributes("gpt-4o", input_tokens, 1)) for i in range(calls)
    ]
    return request(spans).SerializeToString()


def test_database_stopped_then_back(own_postgres: pgserver.PostgresServer) -> None:
    admin_url = sqlalchemy_url(own_postgres.get_uri())
    ensure_database(admin_url, "finops")
    url = with_database(admin_url, "finops")
    upgrade(url)
    key = make_project(url, "outage").key
    headers = {"content-type": "application/x-protobuf", "x-finops-api-key": key}
    before, during = body(3, 100), body(4, 1000)

    with ServedApp(url, make_settings(auth_cache_seconds=60.0, retry_after_seconds=2)) as served:
        endpoint = f"{served.url}/v1/traces"
        assert httpx.post(endpoint, content=before, headers=headers).status_code == 200

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=own_postgres.pgdata, user=own_postgres.system_user)
        refused = httpx.post(endpoint, content=during, headers=headers, timeout=30)
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "2"
        assert "unreachable" in status_pb2.Status.FromString(refused.content).message
        assert httpx.get(f"{served.url}/readyz", timeout=30).status_code == 503  # readiness tells the balancer

        own_postgres.ensure_postgres_running()
        time.sleep(int(refused.headers["retry-after"]))  # as an exporter honouring Retry-After does
        # The exporter retries the refused batch, and (say) re-sends the first one too.
        assert httpx.post(endpoint, content=during, headers=headers, timeout=30).status_code == 200
        assert httpx.post(endpoint, content=before, headers=headers, timeout=30).status_code == 200

    with psycopg.connect(libpq_url(url)) as conn:
        count, tokens = conn.execute("SELECT count(*), sum(input_tokens) FROM llm_calls").fetchone()
    # 3 calls x 100 + 4 calls x 1000 input tokens, each stored once
    assert (count, tokens) == (7, 3 * 100 + 4 * 1000)
