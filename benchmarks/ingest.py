"""Ingest throughput of `finops serve`: OTLP/HTTP protobuf batches in, committed Postgres rows out.

Method
  1. Create a fresh database `finops_bench_<random>` on the Postgres server of --database-url (default
     FINOPS_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), run migrations and
     create a project with `finops projects create bench`, then start `finops serve --no-scheduler`
     as a subprocess and wait for GET /healthz. The database is dropped at the end, so runs compare.
  2. Before the clock starts, prebuild the request bodies. Each batch holds --batch-spans spans in
     traces of 8: an HTTP server root span, an invoke_agent span, four chat spans (about 20 attributes
     each: gen_ai.* model/usage/request attributes, finops.* attribution, server.address) and two
     execute_tool spans, so half the spans are LLM calls. The server deduplicates on
     (project, trace_id, span_id), so re-posting a body would store nothing: a few protobuf templates
     are built once, and every body in the pool is a template with fresh random trace ids stamped in
     and re-serialised (about 0.5 ms per body; span ids stay unique within their trace). The pool holds
     enough bodies for --max-rate spans/s over warmup + duration, each posted exactly once: 512-span
     bodies are ~270 KiB (~25 KiB gzipped), so the default pool is ~2,600 bodies, ~700 MiB, ~2 s.
     Should the server outrun that, further bodies are stamped during the run (costing load-generator
     CPU on the same cores) and the report says so: raise --max-rate then.
  3. --connections threads in this process (separate from the server's), one keep-alive httpx
     connection each, post bodies back to back until the deadline. Requests that complete during the
     --warmup seconds are not counted; the measured window is the --duration seconds after it.
  4. Report accepted spans/s (spans in 200 answers minus partialSuccess.rejected_spans) over the window
     and per 5 s slice (does the rate hold as the tables grow?), requests/s, p50/p95/p99 latency,
     non-200 answers by status, server RSS (whole process tree, sampled every second), CPU of the
     server, the load generator and the machine (Postgres runs on the same cores), and check that the
     `spans` and `llm_calls` row counts equal what was acknowledged over the whole run (every trace
     has GenAI spans, so every acknowledged span must be stored: acknowledged means committed).

Run
  .venv/bin/python benchmarks/ingest.py --duration 20
  .venv/bin/python benchmarks/ingest.py --duration 30 --workers 1 --connections 8 --gzip --json
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
import psycopg
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import common

SPANS_PER_TRACE = 8
TEMPLATES = 8
TIMELINE_SECONDS = 5
MODELS = [  # (provider, request model, response model)
    ("openai", "gpt-4o", "gpt-4o-2024-08-06"),
    ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
    ("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
    ("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash"),
]
TEAMS = ["search", "support", "growth", "platform"]
WORKFLOWS = ["answer_ticket", "summarise_thread", "research_company", "triage_alert"]


def _span(name: str, kind: int, span_id: int, parent: int, start: int, ms: int, attrs: dict[str, Any]) -> Span:
    return Span(
        span_id=span_id.to_bytes(8, "big"), parent_span_id=parent.to_bytes(8, "big") if parent else b"",
        name=name, kind=kind, start_time_unix_nano=start, end_time_unix_nano=start + ms * 1_000_000,
        attributes=common.key_values(attrs),
    )  # fmt: skip


def _trace(rng: random.Random, start: int) -> list[Span]:
    team, workflow = rng.choice(TEAMS), rng.choice(WORKFLOWS)
    agent, conversation = f"{workflow}_agent", f"conv-{rng.getrandbits(48):012x}"
    common_attrs = {"gen_ai.agent.name": agent, "gen_ai.conversation.id": conversation,
                    "finops.workflow.name": workflow, "finops.team": team}  # fmt: skip
    spans = [
        _span("POST /api/ask", Span.SPAN_KIND_SERVER, 1, 0, start, 9000,
              {"http.request.method": "POST", "http.route": "/api/ask", "http.response.status_code": 200,
               "url.scheme": "https", "user_agent.original": "python-httpx/0.28"}),
        _span(f"invoke_agent {agent}", Span.SPAN_KIND_INTERNAL, 2, 1, start + 1000, 8000,
              {"gen_ai.operation.name": "invoke_agent", **common_attrs}),
    ]  # fmt: skip
    for index in range(6):
        span_id, begin = 3 + index, start + 2_000_000 + index * 1_200_000_000
        if index in (1, 3):
            tool = rng.choice(["web_search", "sql_query", "read_file"])
            spans.append(_span(f"execute_tool {tool}", Span.SPAN_KIND_INTERNAL, span_id, 2, begin, 300,
                               {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
                                "gen_ai.tool.call.id": f"call_{rng.getrandbits(64):016x}"}))  # fmt: skip
            continue
        provider, model, response_model = rng.choice(MODELS)
        input_tokens = rng.randint(200, 20_000)
        attrs = {
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": provider,
            "gen_ai.request.model": model, "gen_ai.response.model": response_model,
            "gen_ai.response.id": f"resp_{rng.getrandbits(64):016x}",
            "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": rng.randint(20, 2000),
            "gen_ai.usage.cache_read.input_tokens": rng.randint(0, input_tokens // 2),
            "gen_ai.usage.reasoning.output_tokens": rng.choice([0, 0, 128, 512]),
            "gen_ai.request.max_tokens": 4096, "gen_ai.request.temperature": rng.choice([0.0, 0.2, 0.7]),
            "gen_ai.response.finish_reasons": [rng.choice(["stop", "stop", "length", "tool_calls"])],
            **common_attrs, "finops.customer": f"customer-{rng.randint(1, 200)}",
            "finops.feature": "assistant", "server.address": f"api.{provider}.example", "server.port": 443,
        }  # fmt: skip
        spans.append(_span(f"chat {model}", Span.SPAN_KIND_CLIENT, span_id, 2, begin, 1100, attrs))
    return spans


@dataclass
class Template:
    request: ExportTraceServiceRequest
    trace_of_span: list[int]
    traces: int
    llm_spans: int

    def stamp(self) -> bytes:
        """Serialise with fresh random trace ids, so the server stores every span again."""
        ids = os.urandom(16 * self.traces)
        by_trace = [ids[i : i + 16] for i in range(0, len(ids), 16)]
        for span, trace in zip(self.request.resource_spans[0].scope_spans[0].spans, self.trace_of_span,
                               strict=True):  # fmt: skip
            span.trace_id = by_trace[trace]
        return self.request.SerializeToString()


def build_template(seed: int, batch_spans: int) -> Template:
    rng = random.Random(seed)
    start = time.time_ns() - 3600 * 10**9
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource = {"service.name": f"agent-{seed % 4}", "service.version": "1.4.2",
                "deployment.environment.name": "production", "telemetry.sdk.name": "opentelemetry",
                "telemetry.sdk.language": "python", "telemetry.sdk.version": "1.38.0"}  # fmt: skip
    resource_spans.resource.attributes.extend(common.key_values(resource))
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = "opentelemetry.instrumentation.openai_v2"
    trace_of_span: list[int] = []
    traces = math.ceil(batch_spans / SPANS_PER_TRACE)
    for trace in range(traces):
        spans = _trace(rng, start + trace * 10_000_000)[: batch_spans - len(trace_of_span)]
        scope_spans.spans.extend(spans)
        trace_of_span += [trace] * len(spans)
    llm = sum(1 for s in scope_spans.spans if s.name.startswith("chat "))
    return Template(request, trace_of_span, traces, llm)


@dataclass
class Body:
    data: bytes
    spans: int
    llm_spans: int


@dataclass
class Result:
    end: float
    latency: float
    status: str
    accepted: int = 0
    accepted_llm: int = 0


@dataclass
class Load:
    pool: list[Body]
    base_url: str
    headers: dict[str, str]
    deadline: float
    batch_spans: int
    gzip: bool
    cursor: itertools.count[int] = field(default_factory=itertools.count)
    results: list[Result] = field(default_factory=list)
    stamped_live: int = 0  # bodies built during the run because the pool ran out

    def run_connection(self, seed: int) -> None:
        spare = build_template(seed, self.batch_spans)  # only used should the pool run out
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        results: list[Result] = []
        with httpx.Client(base_url=self.base_url, headers=self.headers, limits=limits, timeout=60) as client:
            while time.perf_counter() < self.deadline:
                index = next(self.cursor)
                if index < len(self.pool):
                    body = self.pool[index]
                else:
                    body = make_body(spare, self.gzip)
                    self.stamped_live += 1
                started = time.perf_counter()
                try:
                    response = client.post("/v1/traces", content=body.data)
                except httpx.HTTPError as exc:
                    results.append(Result(time.perf_counter(), 0.0, type(exc).__name__))
                    continue
                ended = time.perf_counter()
                result = Result(ended, ended - started, str(response.status_code))
                if response.status_code == 200:
                    answer = ExportTraceServiceResponse.FromString(response.content)
                    rejected = answer.partial_success.rejected_spans
                    result.accepted = body.spans - rejected
                    result.accepted_llm = body.llm_spans if rejected == 0 else 0
                elif response.status_code == 503:
                    time.sleep(0.1)  # an exporter would back off for Retry-After; keep the pressure on
                results.append(result)
        self.results.extend(results)


def make_body(template: Template, compress: bool) -> Body:
    data = template.stamp()
    data = gzip.compress(data, 6) if compress else data
    return Body(data, len(template.trace_of_span), template.llm_spans)


def prebuild(args: argparse.Namespace) -> tuple[list[Body], dict[str, Any]]:
    started = time.perf_counter()
    templates = [build_template(seed, args.batch_spans) for seed in range(TEMPLATES)]
    wanted = args.distinct_batches or math.ceil(args.max_rate * (args.warmup + args.duration) / args.batch_spans)
    pool = [make_body(templates[index % TEMPLATES], args.gzip) for index in range(wanted)]
    size = sum(len(body.data) for body in pool)
    return pool, {
        "bodies": len(pool),
        "build_seconds": round(time.perf_counter() - started, 2),
        "mib": common.mib(size),
        "body_kib": round(size / len(pool) / 1024, 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "database_url"}}
    with common.scratch_database(args.database_url, "finops_bench") as conninfo:
        report["machine"] = common.machine_info(conninfo)
        database_url = common.sqlalchemy_url(conninfo)
        key = common.create_project(database_url, "bench")
        pool, report["pool"] = prebuild(args)
        headers = {"content-type": "application/x-protobuf", "x-finops-api-key": key}
        if args.gzip:
            headers["content-encoding"] = "gzip"
        with common.finops_server(database_url, args.port or common.free_port(), args.workers) as server:
            sampler = common.RssSampler(server)
            rss_idle = sampler.sample()
            tree, me = [psutil.Process(pid) for pid in server.pids()], psutil.Process()
            window_start = time.perf_counter() + args.warmup
            deadline = window_start + args.duration
            load = Load(pool, server.base_url, headers, deadline, args.batch_spans, args.gzip)
            threads = [
                threading.Thread(target=load.run_connection, args=(TEMPLATES + n,)) for n in range(args.connections)
            ]
            with sampler:
                for thread in threads:
                    thread.start()
                time.sleep(max(0.0, window_start - time.perf_counter()))
                before = common.cpu_seconds(tree), common.cpu_seconds([me]), common.busy_seconds()
                time.sleep(max(0.0, deadline - time.perf_counter()))
                after = common.cpu_seconds(tree), common.cpu_seconds([me]), common.busy_seconds()
                for thread in threads:
                    thread.join()
            rss = {"idle": rss_idle, "peak": max(sampler.samples, default=0), "final": sampler.sample()}
            with psycopg.connect(conninfo) as conn:
                stored = [
                    conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                    for table in ("spans", "llm_calls")
                ]
    window = [r for r in load.results if window_start <= r.end < deadline]
    measured = args.duration
    cpu = [round(100 * (b - a) / measured) for a, b in zip(before, after, strict=True)]
    ok = [r.latency * 1000 for r in window if r.status == "200"]
    slices = [0] * math.ceil(measured / TIMELINE_SECONDS)  # does the rate hold as the tables grow?
    for r in window:
        slices[int((r.end - window_start) // TIMELINE_SECONDS)] += r.accepted
    widths = [min(TIMELINE_SECONDS, measured - i * TIMELINE_SECONDS) for i in range(len(slices))]
    latency = {f"p{q}": round(common.percentile(ok, q / 100), 1) for q in (50, 95, 99)}
    report["results"] = {
        "window_seconds": round(measured, 2),
        "bodies_stamped_during_run": load.stamped_live,
        "accepted_spans_per_s": round(sum(r.accepted for r in window) / measured),
        "accepted_llm_calls_per_s": round(sum(r.accepted_llm for r in window) / measured),
        "requests_per_s": round(len(window) / measured, 1),
        f"spans_per_s_each_{TIMELINE_SECONDS}s": [round(n / w) for n, w in zip(slices, widths, strict=True)],
        "latency_ms": latency | {"max": round(max(ok, default=0), 1)},
        "answers_whole_run": dict(Counter(r.status for r in load.results)),
        "server_rss_mib": {name: common.mib(value) for name, value in rss.items()},
        "cpu_percent": {"server": cpu[0], "load_generator": cpu[1], "machine": cpu[2]},
        "acknowledged_spans": sum(r.accepted for r in load.results),
        "stored_spans": stored[0],
        "acknowledged_llm_calls": sum(r.accepted_llm for r in load.results),
        "stored_llm_calls": stored[1],
    }
    return report


def print_report(report: dict[str, Any]) -> None:
    m, c, p, r = report["machine"], report["config"], report["pool"], report["results"]
    lat, rss, cpu = r["latency_ms"], r["server_rss_mib"], r["cpu_percent"]
    spans_ok = "ok" if r["stored_spans"] == r["acknowledged_spans"] else "MISMATCH"
    calls_ok = "ok" if r["stored_llm_calls"] == r["acknowledged_llm_calls"] else "MISMATCH"
    lines = [
        f"machine  {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_mib']} MiB RAM, "
        f"Python {m['python']}, PostgreSQL {m['postgres']}",
        f"setup    workers={c['workers']} connections={c['connections']} batch={c['batch_spans']} spans "
        f"gzip={c['gzip']} warmup={c['warmup']}s duration={c['duration']}s",
        f"pool     {p['bodies']} bodies, {p['body_kib']} KiB each ({p['mib']} MiB), built in {p['build_seconds']}s",
        f"ingest   {r['accepted_spans_per_s']:,} spans/s accepted "
        f"({r['accepted_llm_calls_per_s']:,} LLM calls/s), {r['requests_per_s']} requests/s "
        f"over {r['window_seconds']}s",
        f"timeline {', '.join(f'{n:,}' for n in r[f'spans_per_s_each_{TIMELINE_SECONDS}s'])} spans/s "
        f"(each {TIMELINE_SECONDS}s of the window)",
        f"latency  p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, max {lat['max']} ms",
        f"answers  {r['answers_whole_run']} (whole run, warmup included)",
        f"server   RSS idle {rss['idle']} MiB, peak {rss['peak']} MiB, final {rss['final']} MiB "
        "(summed over the process tree)",
        f"cpu      server {cpu['server']}%, load generator {cpu['load_generator']}%, all processes "
        f"{cpu['machine']}% of one core (100% = one core busy, {m['cpus']} cores)",
        f"stored   spans {r['stored_spans']:,} of {r['acknowledged_spans']:,} acknowledged ({spans_ok}); "
        f"llm_calls {r['stored_llm_calls']:,} of {r['acknowledged_llm_calls']:,} ({calls_ok})",
    ]
    if r["bodies_stamped_during_run"]:
        lines.append(
            f"note     the pool ran out: {r['bodies_stamped_during_run']} bodies were built during the "
            "run, costing load-generator CPU (raise --max-rate)"
        )
    # Sustained: the whole window and its last slice (the tables are largest then) both reach the goal.
    sustained = min(r["accepted_spans_per_s"], r[f"spans_per_s_each_{TIMELINE_SECONDS}s"][-1])
    verdict = "met" if sustained >= 10_000 else "NOT met"
    lines.append(f"goal     {verdict}: >= 10,000 spans/s sustained, got {sustained:,} (aim 20,000)")
    print("\n".join(lines))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure `finops serve` ingest throughput (see the module docstring for the method).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=common.admin_url_from_env(),
        help="Postgres server to create the scratch database on (FINOPS_BENCH_DATABASE_URL)",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds (at most 600)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="`finops serve --workers`")
    parser.add_argument("--batch-spans", type=int, default=512, help="spans per request")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=40_000,
        help="spans/s the prebuilt pool is sized for (each body is posted once; past it, bodies "
        "are built during the run)",
    )
    parser.add_argument(
        "--distinct-batches",
        type=int,
        default=0,
        help="prebuilt bodies; 0 sizes the pool from --max-rate, warmup and duration",
    )
    parser.add_argument("--gzip", action="store_true", help="send gzip-compressed bodies")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)  # fmt: skip
    if not 0 < args.duration <= 600:
        parser.error("--duration must be in (0, 600] seconds")
    if args.warmup < 0 or args.connections < 1 or args.workers < 1 or args.batch_spans < 1:
        parser.error("--warmup must be >= 0; --connections, --workers and --batch-spans >= 1")
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
