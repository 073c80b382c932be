"""Query latency over two months of data, and the cost of keeping the rollups fresh.

Goals (from the issue): with 5,000,000 LLM calls (~500,000 workflow runs over 60 days) loaded,
  - cost per successful workflow by workflow name over 30 days,
  - cost by team per day over 30 days,
  - the top 20 costliest runs of the last 30 days
each answer in under 300 ms (from the rollups), and the scheduled jobs absorb one hour of new data
(assembly of its runs, then the rebuild of the rollup days it touched) in under 10 s.

Method
  1. Create a fresh database `finops_query_<random>` on the Postgres server of --database-url
     (default FINOPS_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), run
     `prepare_database` (migrations + the shipped price catalog) and create a project. The database
     is dropped at the end, so runs compare.
  2. Bulk-load --calls LLM calls by COPY (text format, every index in place, as ingest leaves them):
     `spans` and `llm_calls` are streamed side by side on two connections, rows rendered in Python
     from a seeded generator (--seed). The calls form traces of ~10 calls (varied per workflow and
     per trace), so ~calls/10 traces, in start-time order over the 60 days ending an hour before the
     load starts. Each trace is one workflow run: a root span (kind 'other', no parent, ERROR
     status for ~15% of traces = a failed run, `finops.team`/`finops.customer` attributes) plus one
     'llm' span per call, calls back to back. There are 12 workflow names, each owned by one of 8
     teams (10% of runs are made for another team), ~30 agents (2-3 per workflow, each with a
     preferred and an occasional model), 8 models of the shipped catalog and 200 customers (skewed:
     a few large ones). Tokens are random per call (prompt sizes up to 60k, cache reads, Anthropic
     cache writes, some reasoning); the cost columns are filled at load with list prices per
     million tokens, computed in exact integer arithmetic (no float rounding), price_version_id NULL.
  3. Build the historical state in bulk SQL rather than through the Python assembly (far too slow
     for 500k runs): `workflow_traces` (run = trace) and `workflow_runs` by one INSERT ... SELECT
     that aggregates each trace's calls and joins its root span, filling every column the way
     assembly would for such traces (name from the calls, outcome from the root status, closed).
     VACUUM ANALYZE, as autovacuum would after such a load. Then mark every day dirty and time
     `process_dirty_days` (the "full rollup build": every day rebuilt from raw rows), then VACUUM
     ANALYZE the rollups.
  4. Time the queries through the functions the API calls, each --repeat times on a pooled
     connection (warm cache: the data was just loaded and the queries run back to back), reporting
     min and median:
       (a) `metrics` grouped by workflow over the last 30 days, granularity month and day: call
           metrics from rollup_calls_daily + workflow metrics (cost per successful workflow) from
           rollup_workflows_daily;
       (b) `metrics` grouped by team, granularity day, over the last 30 days;
       (c) `list_runs` sorted by cost, 20 rows, runs started in the last 30 days (workflow_runs).
  5. Incremental job: COPY one hour's worth of new data (calls/1440 calls in new traces over the
     hour ending now; spans received a second after they end), mark the traces dirty as ingestion
     does (`workflow_dirty_traces`), then time the jobs as the scheduler runs them:
     `assemble_dirty(url, 5 minutes)` followed by `process_dirty_days(url)`. Checks: every new trace
     has its run, and the hourly rollup of the new hours holds exactly the raw calls of those hours.
     The slowest SQL statements of each job are reported (timed client-side).
  6. Report machine facts, table sizes and the verdict against the goals.

Run
  .venv/bin/python benchmarks/query.py                       # 5,000,000 calls, several minutes
  .venv/bin/python benchmarks/query.py --calls 200000 --json
  .venv/bin/python benchmarks/query.py --explain             # also EXPLAIN ANALYZE each query
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, event

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import common
from finops.db.engine import get_engine
from finops.workflows.metrics import MetricsQuery, metrics
from finops.workflows.queries import RunFilter, list_runs
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty

DEFAULT_CALLS = 5_000_000
MAX_CALLS = 10_000_000
HISTORY = timedelta(days=60)
QUERY_WINDOW = timedelta(days=30)
IDLE_TIMEOUT = timedelta(minutes=5)
TRACES_PER_CHUNK = 2_000
QUERY_GOAL_MS = 300.0
INCREMENTAL_GOAL_S = 10.0
FAILURE_SHARE = 0.15
OTHER_TEAM_SHARE = 0.10

# (provider, stored model, request model, per 1M tokens in units of $0.0001:
#  input, cache read, cache write 5m, cache write 1h, output (reasoning billed as output))
MODELS = [
    ("openai", "gpt-4o-2024-08-06", "gpt-4o", (25_000, 12_500, 0, 0, 100_000)),
    ("openai", "gpt-4o-mini", "gpt-4o-mini", (1_500, 750, 0, 0, 6_000)),
    ("openai", "gpt-4.1", "gpt-4.1", (20_000, 5_000, 0, 0, 80_000)),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", (30_000, 3_000, 37_500, 60_000, 150_000)),
    ("anthropic", "claude-haiku-4-5", "claude-haiku-4-5", (10_000, 1_000, 12_500, 20_000, 50_000)),
    ("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash", (3_000, 750, 0, 0, 25_000)),
    ("gcp.gemini", "gemini-2.5-pro", "gemini-2.5-pro", (12_500, 3_125, 0, 0, 100_000)),
    ("deepseek", "deepseek-chat", "deepseek-chat", (2_700, 700, 0, 0, 11_000)),
]
TEAMS = ["support", "search", "growth", "platform", "finance", "devtools", "content", "sales"]
# workflow name -> (owning team, typical calls per run)
WORKFLOWS = {
    "answer_ticket": ("support", 8), "triage_ticket": ("support", 4), "research_company": ("sales", 18),
    "qualify_lead": ("sales", 6), "summarise_thread": ("search", 5), "deep_search": ("search", 16),
    "draft_campaign": ("growth", 12), "extract_invoice": ("finance", 7), "review_pull_request": ("devtools", 14),
    "triage_alert": ("platform", 9), "translate_content": ("content", 6), "generate_report": ("content", 15),
}  # fmt: skip
AGENT_ROLES = ["planner", "researcher", "writer", "reviewer", "extractor", "router"]
CUSTOMERS = 200
PROMPT_SIZES = [(200, 2_000), (2_000, 12_000), (12_000, 60_000)]
SCALE = 10**10  # cost columns are numeric(20, 10)

SPAN_COLUMNS = (
    "project_id", "trace_id", "span_id", "parent_span_id", "name", "kind", "otel_kind", "status_code",
    "start_time", "end_time", "service_name", "scope_name", "resource_hash", "attributes", "received_at",
)  # fmt: skip
CALL_COLUMNS = (
    "project_id", "trace_id", "span_id", "parent_span_id", "start_time", "end_time", "provider", "model",
    "request_model", "response_model", "operation", "input_tokens", "cache_read_tokens", "cache_write_tokens",
    "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "usage_raw", "sources", "dialect", "is_batch",
    "workflow_name", "agent_name", "team", "customer", "environment", "service_name", "cost_input",
    "cost_cache_read", "cost_cache_write", "cost_cache_write_1h", "cost_output", "cost_reasoning",
    "cost_request_fee", "cost_total", "currency", "received_at",
)  # fmt: skip


# --- synthetic traces ---


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    team: str
    service: str
    typical_calls: int
    weight: float
    agents: tuple[tuple[str, int, int], ...]  # (agent name, preferred model, occasional model)


def build_universe(seed: int) -> list[Workflow]:
    rng = random.Random(seed)
    workflows = []
    for name, (team, typical) in WORKFLOWS.items():
        roles = rng.sample(AGENT_ROLES, 2 if typical < 8 else 3)
        agents = tuple((f"{name}.{role}", *rng.sample(range(len(MODELS)), 2)) for role in roles)
        workflows.append(Workflow(name, team, f"{team}-agents", typical, rng.uniform(0.3, 1.0), agents))
    return workflows


class Timestamps:
    """COPY text for epoch seconds, formatting each distinct second once."""

    def __init__(self) -> None:
        self._seconds: dict[int, str] = {}

    def __call__(self, value: float) -> str:
        second = int(value)
        prefix = self._seconds.get(second)
        if prefix is None:
            if len(self._seconds) > 100_000:
                self._seconds.clear()
            prefix = self._seconds[second] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))
        return f"{prefix}.{int((value - second) * 1_000_000):06d}+00"


def _money(scaled: int) -> str:
    return f"{scaled // SCALE}.{scaled % SCALE:010d}"


@dataclass
class Chunk:
    spans: str
    calls: str
    n_spans: int
    n_calls: int
    trace_ids: list[str]


def generate(
    project_id: int, calls: int, first: datetime, seconds: float, seed: int, received_cap: float | None = None
) -> Iterator[Chunk]:
    """`calls` LLM calls in traces starting in [first, first + seconds), in start order, by chunks."""
    rng = random.Random(seed)
    universe = build_universe(0)  # the same names and owners whatever the seed of the rows
    weights = [w.weight for w in universe]
    ts = Timestamps()
    project = str(project_id)
    base = first.timestamp()
    cap = received_cap if received_cap is not None else float("inf")
    done = 0
    while done < calls:
        spans_out, calls_out = io.StringIO(), io.StringIO()
        n_spans = n_calls = 0
        trace_ids: list[str] = []
        for _ in range(TRACES_PER_CHUNK):
            if done >= calls:
                break
            wf = rng.choices(universe, weights)[0]
            count = min(calls - done, max(1, round(rng.gauss(wf.typical_calls, wf.typical_calls / 3))))
            start = base + (done + rng.random()) * seconds / calls
            done += count
            trace_id = f"{rng.getrandbits(128):032x}"
            trace_ids.append(trace_id)
            root_id = f"{rng.getrandbits(64):016x}"
            team = wf.team if rng.random() >= OTHER_TEAM_SHARE else rng.choice(TEAMS)
            customer = f"customer-{int(CUSTOMERS * rng.random() ** 2.5):03d}"
            failed = rng.random() < FAILURE_SHARE
            received = ""
            clock = start + rng.uniform(0.005, 0.2)
            for _ in range(count):
                agent, preferred, occasional = rng.choice(wf.agents)
                provider, model, request_model, rates = MODELS[preferred if rng.random() < 0.85 else occasional]
                began = clock
                clock += rng.uniform(0.4, 12.0)
                span_id = f"{rng.getrandbits(64):016x}"
                t_start, t_end = ts(began), ts(clock)
                received = ts(min(clock + 1.0, cap))
                tokens = _tokens(rng, provider)
                costs = [tokens[i] * rates[i] for i in range(4)]
                costs.append(tokens[4] * rates[4])
                costs.append(tokens[5] * rates[4])
                spans_out.write(
                    f"{project}\t{trace_id}\t{span_id}\t{root_id}\tchat {request_model}\tllm\t3\t0\t{t_start}\t"
                    f"{t_end}\t{wf.service}\topentelemetry.instrumentation.genai\t0\t{{}}\t{received}\n"
                )
                row = (
                    project, trace_id, span_id, root_id, t_start, t_end, provider, model, request_model, model,
                    "chat", *map(str, tokens), "{}", "{}", "genai", "f", wf.name, agent, team, customer,
                    "production", wf.service, *map(_money, costs), "0.0000000000", _money(sum(costs)), "USD",
                    received,
                )  # fmt: skip
                calls_out.write("\t".join(row))
                calls_out.write("\n")
            clock += rng.uniform(0.01, 0.3)
            attributes = json.dumps(
                {"http.route": f"/workflows/{wf.name}", "finops.team": team, "finops.customer": customer}
            )
            spans_out.write(
                f"{project}\t{trace_id}\t{root_id}\t\\N\t{wf.name}\tother\t2\t{2 if failed else 0}\t{ts(start)}\t"
                f"{ts(clock)}\t{wf.service}\topentelemetry.instrumentation.fastapi\t0\t{attributes}\t"
                f"{ts(min(clock + 1.0, cap))}\n"
            )
            n_spans += count + 1
            n_calls += count
        yield Chunk(spans_out.getvalue(), calls_out.getvalue(), n_spans, n_calls, trace_ids)


def _tokens(rng: random.Random, provider: str) -> tuple[int, int, int, int, int, int]:
    """Exclusive buckets: input, cache_read, cache_write, cache_write_1h, output, reasoning."""
    prompt = rng.randint(*rng.choice(PROMPT_SIZES))
    cache_read = cache_write = cache_write_1h = 0
    if rng.random() < 0.4:
        cache_read = rng.randint(0, prompt // 2)
    if provider == "anthropic" and rng.random() < 0.2:
        cache_write = rng.randint(0, (prompt - cache_read) // 4)
        if rng.random() < 0.25:
            cache_write_1h, cache_write = cache_write, 0
    uncached = prompt - cache_read - cache_write - cache_write_1h
    return uncached, cache_read, cache_write, cache_write_1h, rng.randint(20, 1_500), rng.choice((0, 0, 0, 256, 1_024))


def copy_traces(conninfo: str, chunks: Iterator[Chunk], progress: Callable[[int], None] | None = None) -> Chunk:
    """Stream the chunks into spans and llm_calls (two connections, one COPY each); totals back."""
    total = Chunk("", "", 0, 0, [])
    with psycopg.connect(conninfo) as spans_conn, psycopg.connect(conninfo) as calls_conn:
        with (
            spans_conn.cursor() as spans_cursor,
            calls_conn.cursor() as calls_cursor,
            spans_cursor.copy(f"COPY spans ({', '.join(SPAN_COLUMNS)}) FROM STDIN") as spans_copy,
            calls_cursor.copy(f"COPY llm_calls ({', '.join(CALL_COLUMNS)}) FROM STDIN") as calls_copy,
        ):
            for chunk in chunks:
                spans_copy.write(chunk.spans)
                calls_copy.write(chunk.calls)
                total.n_spans += chunk.n_spans
                total.n_calls += chunk.n_calls
                total.trace_ids.extend(chunk.trace_ids)
                if progress is not None:
                    progress(total.n_calls)
        spans_conn.commit()
        calls_conn.commit()
    return total


# --- historical state in bulk SQL ---

BUILD_TRACES = """
INSERT INTO workflow_traces (project_id, trace_id, run_id)
SELECT project_id, trace_id, trace_id FROM spans WHERE project_id = %(p)s AND parent_span_id IS NULL
"""
# What assembly computes for a one-trace run whose calls all carry workflow name and attribution,
# with no tool spans and no failed calls (so no retries; the only error is a failed root).
BUILD_RUNS = """
INSERT INTO workflow_runs (
    project_id, run_id, name, name_source, status, outcome, outcome_source, trace_ids, root_seen, started_at,
    ended_at, duration_ms, last_received_at, closed_at, llm_calls, unpriced_calls, steps, retries, errors,
    tool_calls, tool_output_chars, max_context_tokens, agents, models, input_tokens, cache_read_tokens,
    cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_input, cost_cache_read,
    cost_cache_write, cost_cache_write_1h, cost_output, cost_reasoning, cost_request_fee, cost_total, team,
    cost_center, feature, customer, user_id, environment, service_name, attribution_conflicts
)
SELECT r.project_id, r.trace_id, c.workflow_name, 'call', 'closed',
       CASE WHEN r.status_code = 2 THEN 'failure' ELSE 'success' END, 'root_status', ARRAY[r.trace_id::text], true,
       least(r.start_time, c.started_at), greatest(r.end_time, c.ended_at),
       (extract(epoch FROM greatest(r.end_time, c.ended_at) - least(r.start_time, c.started_at)) * 1000)::bigint,
       greatest(r.received_at, c.received_at), greatest(r.received_at, c.received_at) + interval '5 minutes',
       c.calls, c.unpriced, c.calls, 0, (r.status_code = 2)::int, 0, 0, c.max_context, c.agents, c.models,
       c.input_tokens, c.cache_read_tokens, c.cache_write_tokens, c.cache_write_1h_tokens, c.output_tokens,
       c.reasoning_tokens, c.cost_input, c.cost_cache_read, c.cost_cache_write, c.cost_cache_write_1h,
       c.cost_output, c.cost_reasoning, c.cost_request_fee, c.cost_total, c.team, c.cost_center, c.feature,
       c.customer, c.user_id, c.environment, coalesce(r.service_name, c.service_name), '{}'::jsonb
FROM spans r
JOIN (
    SELECT project_id, trace_id, count(*) AS calls, count(*) FILTER (WHERE cost_total IS NULL) AS unpriced,
           min(start_time) AS started_at, max(end_time) AS ended_at, max(received_at) AS received_at,
           max(workflow_name) AS workflow_name,
           max(input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens) AS max_context,
           array_agg(DISTINCT agent_name COLLATE "C" ORDER BY agent_name COLLATE "C")
               FILTER (WHERE agent_name IS NOT NULL) AS agents,
           array_agg(DISTINCT model COLLATE "C" ORDER BY model COLLATE "C") FILTER (WHERE model IS NOT NULL) AS models,
           sum(input_tokens) AS input_tokens, sum(cache_read_tokens) AS cache_read_tokens,
           sum(cache_write_tokens) AS cache_write_tokens, sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
           sum(output_tokens) AS output_tokens, sum(reasoning_tokens) AS reasoning_tokens,
           coalesce(sum(cost_input), 0) AS cost_input, coalesce(sum(cost_cache_read), 0) AS cost_cache_read,
           coalesce(sum(cost_cache_write), 0) AS cost_cache_write,
           coalesce(sum(cost_cache_write_1h), 0) AS cost_cache_write_1h,
           coalesce(sum(cost_output), 0) AS cost_output, coalesce(sum(cost_reasoning), 0) AS cost_reasoning,
           coalesce(sum(cost_request_fee), 0) AS cost_request_fee, coalesce(sum(cost_total), 0) AS cost_total,
           max(team) AS team, max(cost_center) AS cost_center, max(feature) AS feature, max(customer) AS customer,
           max(user_id) AS user_id, max(environment) AS environment, max(service_name) AS service_name
    FROM llm_calls WHERE project_id = %(p)s GROUP BY project_id, trace_id
) c ON c.project_id = r.project_id AND c.trace_id = r.trace_id
WHERE r.project_id = %(p)s AND r.parent_span_id IS NULL
"""
MAIN_TABLES = (
    "spans", "llm_calls", "workflow_traces", "workflow_runs", "rollup_calls_daily", "rollup_calls_hourly",
    "rollup_workflows_daily",
)  # fmt: skip


def _execute(conninfo: str, statement: str, params: dict[str, Any] | None = None, autocommit: bool = False) -> int:
    with psycopg.connect(conninfo, autocommit=autocommit) as conn:
        if not autocommit:
            conn.execute("SET LOCAL work_mem = '256MB'")
        cursor = conn.execute(statement, params)  # type: ignore[arg-type]
        return cursor.rowcount


def _scalar(conninfo: str, query: str, params: dict[str, Any] | None = None) -> Any:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None


def vacuum_analyze(conninfo: str, tables: tuple[str, ...]) -> float:
    started = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table in tables:
            conn.execute(f"VACUUM (ANALYZE) {table}")
    return round(time.perf_counter() - started, 2)


# --- statement timing (client side, through SQLAlchemy events) ---


@dataclass
class StatementTimer:
    """Wall time per distinct SQL statement run through `engine` while active; optionally captured."""

    engine: Engine
    capture: bool = False
    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    captured: list[tuple[str, Any]] = field(default_factory=list)

    def __enter__(self) -> StatementTimer:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        key = " ".join(statement.split())[:90]
        self.totals[key] += elapsed
        self.counts[key] += 1
        if self.capture:
            self.captured.append((statement, parameters))

    def top(self, n: int = 6) -> list[dict[str, Any]]:
        ranked = sorted(self.totals.items(), key=lambda item: -item[1])[:n]
        return [{"statement": k, "calls": self.counts[k], "seconds": round(v, 3)} for k, v in ranked]


# --- the phases ---


def load(conninfo: str, project_id: int, calls: int, first: datetime, seed: int) -> dict[str, Any]:
    seconds = (HISTORY - timedelta(hours=1)).total_seconds()
    started = last = time.perf_counter()

    def progress(done: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= 10.0:
            last = now
            rate = done / (now - started)
            print(f"  {now - started:6.1f}s  {done:>10,} calls ({rate:,.0f} calls/s)", file=sys.stderr, flush=True)

    total = copy_traces(conninfo, generate(project_id, calls, first, seconds, seed), progress)
    copied = time.perf_counter()
    vacuum_raw = vacuum_analyze(conninfo, ("spans", "llm_calls"))
    return {
        "calls": total.n_calls,
        "spans": total.n_spans,
        "traces": len(total.trace_ids),
        "copy_seconds": round(copied - started, 2),
        "copy_calls_per_s": round(total.n_calls / (copied - started)),
        "copy_spans_per_s": round(total.n_spans / (copied - started)),
        "vacuum_analyze_seconds": vacuum_raw,
    }


def build_history(conninfo: str, database_url: str, project_id: int, first: datetime) -> dict[str, Any]:
    params = {"p": project_id}
    started = time.perf_counter()
    traces = _execute(conninfo, BUILD_TRACES, params)
    runs = _execute(conninfo, BUILD_RUNS, params)
    built = time.perf_counter()
    vacuum_runs = vacuum_analyze(conninfo, ("workflow_traces", "workflow_runs"))
    last_day = _scalar(conninfo, "SELECT max(start_time AT TIME ZONE 'UTC')::date FROM llm_calls")
    dirty = _execute(
        conninfo,
        "INSERT INTO rollup_dirty_days (project_id, day)"
        " SELECT %(p)s, d::date FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d",
        {"p": project_id, "first": first.date(), "last": last_day},
    )
    print(f"  runs built; rebuilding {dirty} rollup days ...", file=sys.stderr, flush=True)
    with StatementTimer(get_engine(database_url)) as timer:
        rolled = time.perf_counter()
        report = process_dirty_days(database_url)
        rollup_seconds = time.perf_counter() - rolled
    vacuum_rollups = vacuum_analyze(conninfo, ("rollup_calls_daily", "rollup_calls_hourly", "rollup_workflows_daily"))
    return {
        "workflow_traces": traces,
        "workflow_runs": runs,
        "build_runs_seconds": round(built - started, 2),
        "vacuum_analyze_runs_seconds": vacuum_runs,
        "rollup_days": report.days,
        "rollup_build_seconds": round(rollup_seconds, 2),
        "rollup_seconds_per_day": round(rollup_seconds / max(report.days, 1), 3),
        "rollup_statements": timer.top(4),
        "vacuum_analyze_rollups_seconds": vacuum_rollups,
    }


def query_cases(project_id: int, now: datetime) -> dict[str, Callable[[Any], list[dict[str, Any]]]]:
    start = now - QUERY_WINDOW

    def by_workflow(granularity: str) -> Callable[[Any], list[dict[str, Any]]]:
        return lambda conn: metrics(
            conn, MetricsQuery(project_id, start=start, end=now, granularity=granularity, group_by=("workflow",))
        )

    return {
        "cost_per_successful_workflow_by_name_month": by_workflow("month"),
        "cost_per_successful_workflow_by_name_day": by_workflow("day"),
        "cost_by_team_per_day": lambda conn: metrics(
            conn, MetricsQuery(project_id, start=start, end=now, granularity="day", group_by=("team",))
        ),
        "top_20_costliest_runs": lambda conn: list_runs(
            conn, RunFilter(project_id, start=start, end=now), "cost", 20, 0
        ),
    }


def time_queries(database_url: str, project_id: int, repeat: int, explain: bool) -> dict[str, Any]:
    engine = get_engine(database_url)
    results: dict[str, Any] = {}
    for name, run_query in query_cases(project_id, datetime.now(UTC)).items():
        timings: list[float] = []
        rows: list[dict[str, Any]] = []
        for _ in range(repeat):
            started = time.perf_counter()
            with engine.connect() as conn:
                rows = run_query(conn)
            timings.append((time.perf_counter() - started) * 1000)
        result: dict[str, Any] = {
            "rows": len(rows),
            "ms": [round(t, 1) for t in timings],
            "min_ms": round(min(timings), 1),
            "median_ms": round(statistics.median(timings), 1),
            "sample": _sample(name, rows),
        }
        if explain:
            result["explain"] = _explain(engine, run_query)
        results[name] = result
    return results


def _sample(name: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no rows"
    if name == "top_20_costliest_runs":
        top = rows[0]
        return f"costliest {top['name']} ${float(top['cost_total']):.2f} ({top['llm_calls']} calls)"
    if name == "cost_per_successful_workflow_by_name_month":
        priced = [r for r in rows if r.get("cost_per_successful_workflow") is not None]
        if priced:
            best = max(priced, key=lambda r: r["cost_per_successful_workflow"])
            return (
                f"highest cost/successful run: {best['workflow']} ${float(best['cost_per_successful_workflow']):.3f}"
                f" (success rate {best['success_rate']:.0%})"
            )
    if name == "cost_by_team_per_day":
        total = sum(float(r["cost"]) for r in rows if r.get("cost") is not None)
        return f"${total:,.0f} over {len({r['period'] for r in rows})} days"
    return f"{len(rows)} rows"


def _explain(engine: Engine, run_query: Callable[[Any], list[dict[str, Any]]]) -> list[str]:
    with StatementTimer(engine, capture=True) as timer, engine.connect() as conn:
        run_query(conn)
    captured = list(timer.captured)
    plans: list[str] = []
    with engine.connect() as conn:
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith("SELECT") or " FROM " not in statement.upper():
                continue
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            plans.append("\n".join(str(row[0]) for row in rows))
    return plans


def incremental(conninfo: str, database_url: str, project_id: int, calls: int, seed: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    first = now - timedelta(hours=1)
    # Traces start over the hour ending 3 minutes ago, so (at ~1 minute each) most have ended by now.
    seconds = (timedelta(hours=1) - timedelta(minutes=3)).total_seconds()
    started = time.perf_counter()
    total = copy_traces(conninfo, generate(project_id, calls, first, seconds, seed, now.timestamp()))
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "INSERT INTO workflow_dirty_traces (project_id, trace_id)"
            " SELECT %(p)s, unnest(%(t)s::text[]) ON CONFLICT DO NOTHING",
            {"p": project_id, "t": total.trace_ids},
        )
    loaded = time.perf_counter() - started
    engine = get_engine(database_url)
    with StatementTimer(engine) as assembly_timer:
        t0 = time.perf_counter()
        assembly = assemble_dirty(database_url, IDLE_TIMEOUT)
        t1 = time.perf_counter()
    with StatementTimer(engine) as rollup_timer:
        rollups = process_dirty_days(database_url)
        t2 = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        runs = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'closed') FROM workflow_runs"
            " WHERE project_id = %(p)s AND run_id = ANY(%(t)s::text[])",
            {"p": project_id, "t": total.trace_ids},
        ).fetchone()
        bounds = {"p": project_id, "h": first.replace(minute=0, second=0, microsecond=0)}
        hourly = conn.execute(
            "SELECT count(DISTINCT hour), coalesce(sum(calls), 0) FROM rollup_calls_hourly"
            " WHERE project_id = %(p)s AND hour >= %(h)s",
            bounds,
        ).fetchone()
        raw = conn.execute(
            "SELECT count(*) FROM llm_calls WHERE project_id = %(p)s AND start_time >= %(h)s", bounds
        ).fetchone()
    assert runs is not None and hourly is not None and raw is not None
    return {
        "calls": total.n_calls,
        "spans": total.n_spans,
        "traces": len(total.trace_ids),
        "load_seconds": round(loaded, 2),
        "assembly_seconds": round(t1 - t0, 2),
        "assembly": {"traces": assembly.traces, "runs": assembly.runs, "closed": assembly.closed},
        "rollup_seconds": round(t2 - t1, 2),
        "rollup_days": rollups.days,
        "total_seconds": round(t2 - t0, 2),
        "assembly_statements": assembly_timer.top(6),
        "rollup_statements": rollup_timer.top(6),
        "checks": {
            "runs_for_new_traces": int(runs[0]),
            "closed_runs": int(runs[1]),
            "hours_in_rollup": int(hourly[0]),
            "calls_in_hourly_rollup": int(hourly[1]),
            "raw_calls_in_those_hours": int(raw[0]),
            "ok": int(runs[0]) == len(total.trace_ids) and int(hourly[1]) == int(raw[0]) and int(hourly[0]) > 0,
        },
    }


def table_sizes(conninfo: str) -> dict[str, dict[str, Any]]:
    sizes = {}
    with psycopg.connect(conninfo) as conn:
        for table in MAIN_TABLES:
            row = conn.execute(
                f"SELECT pg_total_relation_size('{table}'), pg_relation_size('{table}'), (SELECT count(*) FROM {table})"
            ).fetchone()
            assert row is not None
            sizes[table] = {
                "rows": int(row[2]),
                "total_mib": common.mib(int(row[0])),
                "heap_mib": common.mib(int(row[1])),
            }
    return sizes


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "database_url"}}
    with common.scratch_database(args.database_url, "finops_query") as conninfo:
        report["machine"] = common.machine_info(conninfo)
        database_url, project_id, report["setup_seconds"] = common.prepared_project(conninfo, "bench")

        first = datetime.now(UTC).replace(microsecond=0) - HISTORY
        print(f"loading {args.calls:,} calls ...", file=sys.stderr, flush=True)
        report["load"] = load(conninfo, project_id, args.calls, first, args.seed)
        print(f"  loaded in {report['load']['copy_seconds']}s; building runs ...", file=sys.stderr, flush=True)
        report["build"] = build_history(conninfo, database_url, project_id, first)
        print(f"  rollups built in {report['build']['rollup_build_seconds']}s", file=sys.stderr, flush=True)

        print("timing queries ...", file=sys.stderr, flush=True)
        report["queries"] = time_queries(database_url, project_id, args.repeat, args.explain)

        hour_calls = max(1, args.calls // (60 * 24))
        print(f"incremental: {hour_calls:,} new calls, then the jobs ...", file=sys.stderr, flush=True)
        report["incremental"] = incremental(conninfo, database_url, project_id, hour_calls, args.seed + 1)
        report["sizes"] = table_sizes(conninfo)
        get_engine(database_url).dispose()
    report["goals"] = {
        "queries_under_300ms": all(q["median_ms"] < QUERY_GOAL_MS for q in report["queries"].values()),
        "incremental_under_10s": report["incremental"]["total_seconds"] < INCREMENTAL_GOAL_S,
    }
    return report


def print_report(report: dict[str, Any]) -> None:
    m, load_, build, inc = report["machine"], report["load"], report["build"], report["incremental"]
    lines = [
        f"machine      {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_mib']} MiB RAM, "
        f"Python {m['python']}, PostgreSQL {m['postgres']}",
        f"setup        migrations + shipped catalog + project in {report['setup_seconds']}s",
        f"load         {load_['calls']:,} calls + {load_['spans']:,} spans in {load_['traces']:,} traces by COPY "
        f"in {load_['copy_seconds']}s ({load_['copy_calls_per_s']:,} calls/s), "
        f"VACUUM ANALYZE {load_['vacuum_analyze_seconds']}s",
        f"runs         {build['workflow_runs']:,} workflow_runs + {build['workflow_traces']:,} workflow_traces "
        f"by INSERT ... SELECT in {build['build_runs_seconds']}s, "
        f"VACUUM ANALYZE {build['vacuum_analyze_runs_seconds']}s",
        f"rollups      full build: {build['rollup_days']} days by process_dirty_days "
        f"in {build['rollup_build_seconds']}s "
        f"({build['rollup_seconds_per_day']}s/day), VACUUM ANALYZE {build['vacuum_analyze_rollups_seconds']}s",
    ]
    for statement in build["rollup_statements"]:
        lines.append(
            f"               {statement['seconds']:>8.2f}s  {statement['calls']:>4}x  {statement['statement']}"
        )
    lines.append(f"queries      {report['config']['repeat']} runs each, warm cache, through the API's functions:")
    for name, q in report["queries"].items():
        verdict = "ok" if q["median_ms"] < QUERY_GOAL_MS else "SLOW"
        lines.append(
            f"  {name:<44} min {q['min_ms']:>7.1f} ms  median {q['median_ms']:>7.1f} ms  {verdict:<4}  "
            f"{q['rows']:>4} rows; {q['sample']}"
        )
        lines.append(f"  {'':<44} all: {', '.join(f'{t:.1f}' for t in q['ms'])} ms")
        for plan in q.get("explain", []):
            lines.extend("      " + line for line in plan.splitlines())
    checks = inc["checks"]
    lines += [
        f"incremental  {inc['calls']:,} calls + {inc['spans']:,} spans in {inc['traces']:,} new traces over the last "
        f"hour, COPY + dirty marks in {inc['load_seconds']}s",
        f"  assemble_dirty      {inc['assembly_seconds']:>6.2f}s  ({inc['assembly']['traces']} traces, "
        f"{inc['assembly']['runs']} runs assembled, {checks['closed_runs']} of them closed at once, "
        f"{inc['assembly']['closed']} closed by the idle sweep)",
    ]
    for statement in inc["assembly_statements"]:
        lines.append(f"      {statement['seconds']:>7.3f}s  {statement['calls']:>5}x  {statement['statement']}")
    lines.append(f"  process_dirty_days  {inc['rollup_seconds']:>6.2f}s  ({inc['rollup_days']} days rebuilt)")
    for statement in inc["rollup_statements"]:
        lines.append(f"      {statement['seconds']:>7.3f}s  {statement['calls']:>5}x  {statement['statement']}")
    lines += [
        f"  total               {inc['total_seconds']:>6.2f}s",
        f"  checks {'ok' if checks['ok'] else 'FAILED'}: {checks['runs_for_new_traces']:,} runs for "
        f"{inc['traces']:,} new traces ({checks['closed_runs']:,} closed); hourly rollup covers "
        f"{checks['hours_in_rollup']} hours with {checks['calls_in_hourly_rollup']:,} calls = "
        f"{checks['raw_calls_in_those_hours']:,} raw calls",
        "sizes        table: rows, total with indexes (heap)",
    ]
    for table, size in report["sizes"].items():
        lines.append(f"  {table:<24} {size['rows']:>11,}  {size['total_mib']:>9,.1f} MiB ({size['heap_mib']:,.1f})")
    goals = report["goals"]
    slowest = max(report["queries"].items(), key=lambda item: item[1]["median_ms"])
    lines += [
        f"goal         {'met' if goals['queries_under_300ms'] else 'NOT met'}: every query under "
        f"{QUERY_GOAL_MS:.0f} ms (median); slowest {slowest[0]} {slowest[1]['median_ms']} ms",
        f"goal         {'met' if goals['incremental_under_10s'] else 'NOT met'}: one hour of new data absorbed in "
        f"under {INCREMENTAL_GOAL_S:.0f}s; assembly + rollups took {inc['total_seconds']}s",
    ]
    print("\n".join(lines))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the metrics and run-list queries over 60 days of synthetic data, and the incremental "
        "rollup jobs for one hour of new data (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=common.admin_url_from_env(),
        help="Postgres server to create the scratch database on (FINOPS_BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--calls", type=int, default=DEFAULT_CALLS, help=f"LLM calls to load over 60 days (at most {MAX_CALLS:,})"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument("--explain", action="store_true", help="also EXPLAIN ANALYZE the SQL of each query")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.calls > MAX_CALLS:
        parser.error(f"--calls must be at most {MAX_CALLS:,}")
    if args.calls < 1440:
        parser.error("--calls must be at least 1,440 (one call per hour of the two months)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
