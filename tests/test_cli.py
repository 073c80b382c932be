"""The `finops` command, run for real: subprocesses for `serve`, the Typer runner for the rest."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from finops.cli import app
from finops.db.urls import libpq_url
from tests.conftest import free_port
from tests.otlp_builders import chat_attributes, new_trace_id, request, span

runner = CliRunner()


def cli(db: str, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"FINOPS_DATABASE_URL": db})
    assert result.exit_code == 0, result.output
    return result.output


def test_help_names_environment_variables() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("FINOPS_DATABASE_URL", "FINOPS_DATA_DIR", "FINOPS_MAX_BODY_BYTES"):
        assert name in result.output
    for command in ("serve", "migrate", "projects", "calls"):
        assert command in result.output
    serve_help = runner.invoke(app, ["serve", "--help"])
    assert "--port" in serve_help.output and "FINOPS_PORT" in serve_help.output


def test_projects_create_list_and_new_key(db: str) -> None:
    output = cli(db, "projects", "create", "checkout")
    key = output.strip().splitlines()[-1]
    assert key.startswith("fo_") and len(key) > 40
    cli(db, "projects", "new-key", "checkout")
    listing = cli(db, "projects", "list")
    assert re.search(r"checkout\s+2\s", listing), listing
    duplicate = runner.invoke(app, ["projects", "create", "checkout"], env={"FINOPS_DATABASE_URL": db})
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    bad_name = runner.invoke(app, ["projects", "create", "no spaces"], env={"FINOPS_DATABASE_URL": db})
    assert bad_name.exit_code == 1 and "project names" in bad_name.output
    # the key is stored hashed, never in clear
    with psycopg.connect(libpq_url(db)) as conn:
        stored = conn.execute("SELECT key_hash, key_prefix FROM api_keys").fetchall()
    assert all(key not in row for row in stored)
    assert len(stored) == 2


def test_migrate_reports_revision(db: str) -> None:
    from finops.db.migrate import head_revision

    assert f"database at revision {head_revision()}" in cli(db, "migrate")


@pytest.fixture()
def serve_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="finops-embedded-"))
    os.chmod(data_dir, 0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    env.update({"FINOPS_DATA_DIR": str(data_dir), "FINOPS_PORT": str(port)})
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "finops", "serve", "--no-scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        yield process, port, log_path
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_serve_on_embedded_postgres_first_start(
    serve_process: tuple[subprocess.Popen[str], int, Path],
) -> None:
    process, port, log_path = serve_process
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, log_path.read_text()
        time.sleep(0.3)
    output = log_path.read_text()
    assert "Created project 'default'" in output, output
    endpoint = re.search(r"OTEL_EXPORTER_OTLP_ENDPOINT=(\S+)", output).group(1)
    headers = re.search(r"OTEL_EXPORTER_OTLP_HEADERS=x-finops-api-key=(\S+)", output).group(1)
    assert "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf" in output
    assert endpoint == f"http://127.0.0.1:{port}"

    body = request([span("chat", trace_id=new_trace_id(), attributes=chat_attributes("gpt-4o", 42, 7))])
    response = httpx.post(
        f"{endpoint}/v1/traces",
        content=body.SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": headers},
    )
    assert response.status_code == 200
    calls = httpx.get(f"{endpoint}/api/v1/calls", headers={"authorization": f"Bearer {headers}"}).json()
    assert [(c["model"], c["tokens"]["input"], c["tokens"]["output"]) for c in calls["items"]] == [("gpt-4o", 42, 7)]
