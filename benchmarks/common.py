"""Helpers shared by the benchmarks: a throwaway database, a `finops serve` subprocess, machine facts."""

from __future__ import annotations

import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from psycopg import sql

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url_from_env() -> str:
    return os.environ.get("FINOPS_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL)


def with_dbname(url: str, dbname: str) -> str:
    """`url` pointing at database `dbname` (libpq URL or key=value string)."""
    params = psycopg.conninfo.conninfo_to_dict(url)
    params["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """Create a fresh database `<prefix>_<random>`, yield its conninfo, drop it afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_dbname(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def sqlalchemy_url(conninfo: str) -> str:
    """FINOPS_DATABASE_URL spelling of a libpq conninfo."""
    p = psycopg.conninfo.conninfo_to_dict(conninfo)
    auth = str(p.get("user", "postgres")) + (f":{p['password']}" if p.get("password") else "")
    host = f"{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}"
    return f"postgresql+psycopg://{auth}@{host}/{p['dbname']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def finops_command() -> list[str]:
    beside = Path(sys.executable).parent / "finops"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("finops")
    return [found] if found else [sys.executable, "-m", "finops"]


def create_project(database_url: str, name: str) -> str:
    """Run `finops projects create` (it migrates first) and return the API key it prints."""
    env = {**os.environ, "FINOPS_DATABASE_URL": database_url, "FINOPS_LOG_LEVEL": "warning"}
    done = subprocess.run(
        [*finops_command(), "projects", "create", name], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise RuntimeError(f"`finops projects create` failed:\n{tail}")
    return done.stdout.strip().splitlines()[-1].strip()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def pids(self) -> list[int]:
        try:
            root = psutil.Process(self.process.pid)
            return [root.pid, *(child.pid for child in root.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []


@contextmanager
def finops_server(database_url: str, port: int, workers: int, timeout: float = 60.0) -> Iterator[Server]:
    """`finops serve` in a subprocess; ready once /healthz answers; SIGINT (then kill) on exit."""
    log_dir = Path(tempfile.mkdtemp(prefix="finops-bench-"))
    log_path = log_dir / "server.log"
    env = {**os.environ, "FINOPS_DATABASE_URL": database_url, "FINOPS_LOG_LEVEL": "warning"}
    command = [*finops_command(), "serve", "--port", str(port), "--workers", str(workers), "--no-scheduler"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"finops serve exited with {process.returncode}:\n{server.log_tail()}")
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"finops serve not ready after {timeout:.0f}s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for pid in reversed(server.pids()):
                    with suppress(psutil.NoSuchProcess):
                        psutil.Process(pid).kill()
                process.wait(timeout=5)
        shutil.rmtree(log_dir, ignore_errors=True)


@dataclass
class RssSampler:
    """Samples the summed RSS of a process tree every `interval` seconds in a background thread."""

    server: Server
    interval: float = 1.0
    samples: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def sample(self) -> int:
        total = 0
        for pid in self.server.pids():
            with suppress(psutil.NoSuchProcess):
                total += psutil.Process(pid).memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(self.interval)


def machine_info(conninfo: str) -> dict[str, str | int]:
    cpu_model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "cpus": os.cpu_count() or 0,
        "cpu_model": cpu_model,
        "memory_mib": psutil.virtual_memory().total // 2**20,
        "python": platform.python_version(),
        "postgres": str(row[0]) if row else "unknown",
    }


def any_value(value: Any) -> AnyValue:
    """An OTLP AnyValue for a Python value (as tests/otlp_builders.py does)."""
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, list):
        result = AnyValue()
        result.array_value.values.extend(any_value(item) for item in value)
        return result
    return AnyValue(string_value=str(value))


def key_values(attributes: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=key, value=any_value(value)) for key, value in attributes.items()]


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 1000) - 1]


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def mib(value: int) -> float:
    return round(value / 2**20, 1)


def busy_seconds() -> float:
    """CPU seconds all processes of the machine spent busy (summed over cores)."""
    times = psutil.cpu_times()._asdict()
    return sum(v for k, v in times.items() if k not in ("idle", "iowait", "guest", "guest_nice"))


def prepared_project(conninfo: str, name: str = "bench") -> tuple[str, int, float]:
    """Migrate the scratch database, load the shipped catalog and create a project:
    (SQLAlchemy URL, project id, seconds it took)."""
    from finops.bootstrap import prepare_database
    from finops.db.engine import session_scope
    from finops.projects.service import create_project

    database_url = sqlalchemy_url(conninfo)
    started = time.perf_counter()
    prepare_database(database_url)
    with session_scope(database_url) as session:
        project_id = create_project(session, name).project_id
    return database_url, project_id, round(time.perf_counter() - started, 2)
