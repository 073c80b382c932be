"""Recost throughput: how long `finops.pricing.service.recost` takes over a month of LLM calls.

Goal (from the issue): recosting 1,000,000 calls takes under a minute on this machine.

Method
  1. Create a fresh database `finops_recost_<random>` on the Postgres server of --database-url
     (default FINOPS_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), run
     `prepare_database` (migrations + the shipped price catalog) and create a project. The database
     is dropped at the end, so runs compare.
  2. Bulk-load --calls synthetic `llm_calls` rows with one COPY (text format, all indexes in place,
     as ingest would leave them), then VACUUM ANALYZE as autovacuum would after such a load. Calls are
     spread evenly over the last 30 days in start-time order (as ingest writes them), in traces of 4
     (unique trace_id/span_id), over 8 models of the shipped catalog with equal weight (so each is
     ~1/8 of the calls), some under a dated response-model spelling, with random token buckets
     (cache reads/writes, reasoning, ~1% of long prompts past the long-context threshold of the
     models that have one, ~2% batch calls). The cost columns are left NULL: every call is unpriced.
     Rows come from a seeded random generator (--seed), so runs load the same data.
  3. Time three recost passes, each `recost(url, start=<30 days ago>, end=None)` with progress
     reported every few seconds through the progress callback:
       full      every call is examined and priced for the first time: all rows change (the upper
                 bound: every batch is fetched, priced in Python, COPYed to the stage table and
                 UPDATEd);
       one-model a back-dated project price for gpt-4o (effective from before the window, applied
                 with `apply_versions`), then a recost restricted to `models=["gpt-4o"]`: the
                 realistic "a price changed" case, ~1/8 of the calls examined and changed;
       no-op     the full window again with nothing to change: the cost of fetching and pricing
                 without writing (what a too-wide recost request costs).
     Each pass reports calls examined, calls changed, wall seconds and calls/s.
  4. Check the results: no call unpriced after the full pass, the one-model pass changed exactly
     the gpt-4o calls, the no-op pass changed nothing.

Run
  .venv/bin/python benchmarks/recost.py                      # 1,000,000 calls
  .venv/bin/python benchmarks/recost.py --calls 100000 --json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import common
from finops.db.engine import session_scope
from finops.pricing.prices import PriceVersion, Rates
from finops.pricing.service import RecostReport, apply_versions, recost

DEFAULT_CALLS = 1_000_000
MAX_CALLS = 5_000_000
WINDOW = timedelta(days=30)
CALLS_PER_TRACE = 4
COPY_CHUNK_ROWS = 20_000
PROGRESS_SECONDS = 5.0
GOAL_SECONDS = 60.0
CHANGED_MODEL = "gpt-4o"

# (provider, stored model, request model, long-context threshold or 0): all in the shipped catalog.
MODELS = [
    ("openai", "gpt-4o-2024-08-06", "gpt-4o", 0),
    ("openai", "gpt-4o-mini", "gpt-4o-mini", 0),
    ("openai", "gpt-4.1", "gpt-4.1", 0),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", 200_000),
    ("anthropic", "claude-haiku-4-5", "claude-haiku-4-5", 0),
    ("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash", 0),
    ("gcp.gemini", "gemini-2.5-pro", "gemini-2.5-pro", 200_000),
    ("deepseek", "deepseek-chat", "deepseek-chat", 0),
]
PROMPT_SIZES = [(100, 2_000), (2_000, 20_000), (20_000, 60_000)]  # equally likely ranges
TEAMS = ["search", "support", "growth", "platform"]
WORKFLOWS = ["answer_ticket", "summarise_thread", "research_company", "triage_alert"]
COPY_COLUMNS = (
    "project_id", "trace_id", "span_id", "start_time", "end_time", "provider", "model", "request_model",
    "response_model", "operation", "input_tokens", "cache_read_tokens", "cache_write_tokens",
    "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "usage_raw", "sources", "dialect",
    "is_batch", "workflow_name", "agent_name", "team", "customer", "service_name", "environment",
)  # fmt: skip


# --- synthetic calls ---


def _tokens(rng: random.Random, provider: str, long_context: int) -> tuple[int, int, int, int, int, int]:
    """Exclusive buckets: input, cache_read, cache_write, cache_write_1h, output, reasoning."""
    if long_context and rng.random() < 0.01:
        prompt = rng.randint(long_context + 1, long_context + 100_000)
    else:
        prompt = rng.randint(*rng.choice(PROMPT_SIZES))
    cache_read = cache_write = cache_write_1h = 0
    if rng.random() < 0.4:
        cache_read = rng.randint(0, prompt // 2)
    if provider == "anthropic" and rng.random() < 0.2:
        cache_write = rng.randint(0, (prompt - cache_read) // 4)
        if rng.random() < 0.25:
            cache_write_1h, cache_write = cache_write, 0
    uncached = prompt - cache_read - cache_write - cache_write_1h
    output = rng.randint(20, 2_000)
    reasoning = rng.choice((0, 0, 0, 128, 512, 2_048))
    return uncached, cache_read, cache_write, cache_write_1h, output, reasoning


def _copy_lines(project_id: int, calls: int, first: datetime, seed: int) -> Callable[[int, int], str]:
    """A function rendering rows [begin, end) as COPY text lines, in start-time order."""
    rng = random.Random(seed)
    step = (WINDOW - timedelta(minutes=2)).total_seconds() / calls
    base = first.timestamp()
    project = str(project_id)

    def render(begin: int, end: int) -> str:
        out = io.StringIO()
        trace_prefix = ""
        for index in range(begin, end):
            if index % CALLS_PER_TRACE == 0 or not trace_prefix:
                trace_prefix = f"{rng.getrandbits(64):016x}{index // CALLS_PER_TRACE:016x}"
                team, workflow = rng.choice(TEAMS), rng.choice(WORKFLOWS)
                customer = f"customer-{rng.randint(1, 500)}"
            provider, model, request_model, long_context = rng.choice(MODELS)
            start = base + (index + rng.random()) * step
            started = datetime.fromtimestamp(start, UTC)
            ended = datetime.fromtimestamp(start + rng.uniform(0.3, 20.0), UTC)
            tokens = _tokens(rng, provider, long_context)
            row = (
                project, trace_prefix, f"{rng.getrandbits(48):012x}{index % CALLS_PER_TRACE:04x}",
                started.isoformat(), ended.isoformat(), provider, model, request_model, model, "chat",
                *map(str, tokens), "{}", "{}", "genai", "t" if rng.random() < 0.02 else "f",
                workflow, f"{workflow}_agent", team, customer, f"agent-{team}", "production",
            )  # fmt: skip
            out.write("\t".join(row))
            out.write("\n")
        return out.getvalue()

    return render


def load_calls(conninfo: str, project_id: int, calls: int, first: datetime, seed: int) -> dict[str, Any]:
    render = _copy_lines(project_id, calls, first, seed)
    columns = ", ".join(COPY_COLUMNS)
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cursor, cursor.copy(f"COPY llm_calls ({columns}) FROM STDIN") as copy:
            for begin in range(0, calls, COPY_CHUNK_ROWS):
                copy.write(render(begin, min(calls, begin + COPY_CHUNK_ROWS)))
        conn.commit()
    loaded = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) llm_calls")
        size = conn.execute("SELECT pg_total_relation_size('llm_calls')").fetchone()
    vacuumed = time.perf_counter()
    return {
        "calls": calls,
        "copy_seconds": round(loaded - started, 2),
        "copy_calls_per_s": round(calls / (loaded - started)),
        "vacuum_analyze_seconds": round(vacuumed - loaded, 2),
        "table_mib": common.mib(int(size[0])) if size else 0.0,
    }


# --- recost passes ---


@dataclass
class Progress:
    """The recost progress callback: one line on stderr every PROGRESS_SECONDS."""

    label: str
    started: float = 0.0
    last: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def __call__(self, report: RecostReport) -> None:
        now = time.perf_counter()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        elapsed = now - self.started
        print(
            f"  {self.label:<9} {elapsed:6.1f}s  examined {report.calls_examined:>9,}  "
            f"changed {report.calls_changed:>9,}  ({report.calls_examined / elapsed:,.0f} calls/s)",
            file=sys.stderr,
            flush=True,
        )


def timed_recost(database_url: str, label: str, start: datetime, models: list[str] | None) -> dict[str, Any]:
    progress = Progress(label)
    report = recost(database_url, start=start, end=None, models=models, trigger=f"benchmark {label}",
                    progress=progress)  # fmt: skip
    seconds = time.perf_counter() - progress.started
    return {
        "models": models,
        "groups": report.groups,
        "calls_examined": report.calls_examined,
        "calls_changed": report.calls_changed,
        "seconds": round(seconds, 2),
        "calls_per_s": round(report.calls_examined / seconds) if seconds > 0 else 0,
        "cost_before": str(report.cost_before.quantize(Decimal("0.01"))),
        "cost_after": str(report.cost_after.quantize(Decimal("0.01"))),
    }


def change_price(database_url: str, project_id: int, effective_from: datetime) -> None:
    """A back-dated project price for CHANGED_MODEL: 2.00 in, 1.00 cached, 8.00 out per 1M tokens."""
    version = PriceVersion(
        model=CHANGED_MODEL, provider="openai", effective_from=effective_from, source="benchmark",
        rates=Rates(input=Decimal("2.00"), cache_read=Decimal("1.00"), output=Decimal("8.00")),
    )  # fmt: skip
    with session_scope(database_url) as session:
        apply_versions(session, [version], origin="custom", project_id=project_id)


def _scalar(conninfo: str, query: str, params: dict[str, Any] | None = None) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row and row[0] is not None else 0


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "database_url"}}
    with common.scratch_database(args.database_url, "finops_recost") as conninfo:
        report["machine"] = common.machine_info(conninfo)
        database_url, project_id, report["setup_seconds"] = common.prepared_project(conninfo, "bench")

        window_start = datetime.now(UTC).replace(microsecond=0) - WINDOW
        print(f"loading {args.calls:,} calls ...", file=sys.stderr, flush=True)
        report["load"] = load_calls(conninfo, project_id, args.calls, window_start + timedelta(minutes=1),
                                    args.seed)  # fmt: skip
        print(f"  loaded in {report['load']['copy_seconds']}s", file=sys.stderr, flush=True)
        changed_calls = _scalar(conninfo, "SELECT count(*) FROM llm_calls WHERE model = %(m)s",
                                {"m": "gpt-4o-2024-08-06"})  # fmt: skip

        passes: dict[str, Any] = {}
        print("recost full (every call priced for the first time) ...", file=sys.stderr, flush=True)
        passes["full"] = timed_recost(database_url, "full", window_start, None)
        unpriced = _scalar(conninfo, "SELECT count(*) FROM llm_calls WHERE cost_total IS NULL")

        change_price(database_url, project_id, window_start - timedelta(days=1))
        print(f"recost one-model ({CHANGED_MODEL} price changed) ...", file=sys.stderr, flush=True)
        passes["one_model"] = timed_recost(database_url, "one-model", window_start, [CHANGED_MODEL])

        print("recost no-op (full window, nothing to change) ...", file=sys.stderr, flush=True)
        passes["no_op"] = timed_recost(database_url, "no-op", window_start, None)
        report["passes"] = passes
        report["checks"] = {
            "unpriced_after_full": unpriced,
            "changed_model_calls": changed_calls,
            "ok": unpriced == 0
            and passes["full"]["calls_changed"] == args.calls
            and passes["one_model"]["calls_changed"] == changed_calls
            and passes["no_op"]["calls_changed"] == 0,
        }
    return report


def print_report(report: dict[str, Any]) -> None:
    m, load, passes, checks = report["machine"], report["load"], report["passes"], report["checks"]
    lines = [
        f"machine   {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_mib']} MiB RAM, "
        f"Python {m['python']}, PostgreSQL {m['postgres']}",
        f"setup     migrations + shipped catalog + project in {report['setup_seconds']}s",
        f"load      {load['calls']:,} calls by COPY in {load['copy_seconds']}s "
        f"({load['copy_calls_per_s']:,} calls/s), VACUUM ANALYZE {load['vacuum_analyze_seconds']}s, "
        f"llm_calls {load['table_mib']} MiB with indexes",
    ]
    for name, label in (("full", "full"), ("one_model", "one-model"), ("no_op", "no-op")):
        p = passes[name]
        lines.append(
            f"{label:<9} examined {p['calls_examined']:>9,}  changed {p['calls_changed']:>9,}  "
            f"in {p['seconds']:>7.2f}s = {p['calls_per_s']:>7,} calls/s  "
            f"({p['groups']} groups; cost {p['cost_before']} -> {p['cost_after']})"
        )
    verdict = "ok" if checks["ok"] else "FAILED"
    lines.append(
        f"checks    {verdict}: unpriced after full pass {checks['unpriced_after_full']}, "
        f"{CHANGED_MODEL} calls {checks['changed_model_calls']:,} = one-model changed "
        f"{passes['one_model']['calls_changed']:,}, no-op changed {passes['no_op']['calls_changed']:,}"
    )
    full = passes["full"]
    per_million = full["seconds"] * 1_000_000 / max(full["calls_examined"], 1)
    goal = "met" if per_million < GOAL_SECONDS else "NOT met"
    lines.append(
        f"goal      {goal}: recosting 1,000,000 calls in under {GOAL_SECONDS:.0f}s; the full pass "
        f"(every call changes) takes {per_million:.1f}s per 1,000,000 calls"
    )
    print("\n".join(lines))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure `recost` over a month of synthetic LLM calls (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=common.admin_url_from_env(),
        help="Postgres server to create the scratch database on (FINOPS_BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--calls", type=int, default=DEFAULT_CALLS, help=f"llm_calls rows to load (at most {MAX_CALLS:,})"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 0 < args.calls <= MAX_CALLS:
        parser.error(f"--calls must be in [1, {MAX_CALLS:,}]")
    return args


def main() -> None:
    args = parse_args()
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
