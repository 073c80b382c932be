"""Report generation over a month of 5,000,000 LLM calls: chargeback, FOCUS export, weekly review.

Goals (from the issue): with a month of 5,000,000 calls loaded, the chargeback report of that month is
built in under 10 s and the weekly cost review in under 30 s.

Method
  1. Create a fresh database `finops_reports_<random>` on the Postgres server of --database-url
     (default FINOPS_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), run
     `prepare_database` (migrations + the shipped price catalog) and create a project. The database is
     dropped at the end.
  2. Load --calls LLM calls with the loader of `benchmarks/query.py` (`generate` + `copy_traces`: COPY into
     spans and llm_calls with every index in place, traces of ~10 calls, 12 workflows, 8 teams, ~30 agents,
     8 models, 200 customers, costs at list prices), spread over the --days days (default 30) that end at
     today 00:00 UTC (the last hour left empty so that no trace runs past midnight). The measured period
     is the 30 whole UTC days ending today 00:00, so with the defaults every loaded call falls in it.
     A share of the traces (--unattributed, default 2%, chosen by trace id) then loses its team and
     customer (UPDATE llm_calls), so that the chargeback has unattributed spend to allocate.
     VACUUM ANALYZE; then `query.build_history` builds workflow_traces / workflow_runs by bulk SQL and the
     rollups by `process_dirty_days` over every loaded day (as the scheduler would), VACUUM ANALYZE.
  3. Time each report through the functions the API routes and the scheduled jobs call, --repeat times
     (default 5) on a pooled engine, back to back (warm cache), reporting min and median. Each run opens
     its connection as the route does (`engine.begin()` for chargeback, `engine.connect()` otherwise):
       - `finops.reports.service.chargeback_report` for the period grouped by ("team",) and by
         ("team", "customer"), first without allocation rules (the unattributed spend is then split in
         proportion to direct cost), then again after `upsert_allocation_rule` has added an unattributed
         rule (method even), a scope rule agent=<the costliest agent> (a shared "router"-like agent, split
         proportionally) and a fixed monthly bill of $12,000 (prorated to the period by day);
       - `finops.reports.service.focus_report` for the same period (FOCUS 1.2 CSV rows produced);
       - `finops.reports.service.weekly_report` for `last_full_week(now)` (the HTML's size).
     One more, instrumented run of each case sums the client-side time of its SQL statements (the rest is
     Python: allocation, CSV/HTML rendering), and lists its slowest statements.
  4. Checks against the raw rows (llm_calls in the period, exact Decimal sums):
       - chargeback period total = round(sum(cost_total), 2) + the fixed bill rounded to the cent. The
         report rounds each part separately (direct costs, unattributed spend, each scope and fixed
         cost; half to even, see finops/reports/allocation.py), so it may differ from that by at most a
         cent per rounded part; the total is also checked exactly against that documented rule;
       - the lines add up to the period total;
       - the FOCUS rows' cost adds up to sum(cost_total) exactly.
  5. Print machine facts and the verdict against the goals.

Run
  .venv/bin/python benchmarks/reports.py                      # 5,000,000 calls over 30 days, several minutes
  .venv/bin/python benchmarks/reports.py --calls 200000 --json
  .venv/bin/python benchmarks/reports.py --days 60            # the same calls over two months (fewer per month)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import common, query
from finops.db.engine import get_engine
from finops.periods import utc_days
from finops.reports import repository
from finops.reports.chargeback import prorated_monthly
from finops.reports.service import GeneratedReport, chargeback_report, focus_report, last_full_week, weekly_report

DEFAULT_CALLS = 5_000_000
MAX_CALLS = 10_000_000
PERIOD_DAYS = 30
CHARGEBACK_GOAL_S = 10.0
WEEKLY_GOAL_S = 30.0
FIXED_MONTHLY = Decimal("12000.00")
PROJECT_NAME = "bench"
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- loading ---


def load(conninfo: str, project_id: int, calls: int, days: int, end: datetime, seed: int, share: float) -> dict:
    first = end - timedelta(days=days)
    seconds = (timedelta(days=days) - timedelta(hours=1)).total_seconds()
    started = last = time.perf_counter()

    def progress(done: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= 15.0:
            last = now
            rate = done / (now - started)
            print(f"  {now - started:6.1f}s  {done:>10,} calls ({rate:,.0f} calls/s)", file=sys.stderr, flush=True)

    total = query.copy_traces(conninfo, query.generate(project_id, calls, first, seconds, seed), progress)
    copied = time.perf_counter()
    # Unattributed spend: whole traces (chosen by trace id) lose team and customer.
    threshold = round(share * 65536)
    unattributed = query._execute(
        conninfo,
        "UPDATE llm_calls SET team = NULL, customer = NULL"
        " WHERE project_id = %(p)s AND ('x' || substr(trace_id, 1, 4))::bit(16)::int < %(t)s",
        {"p": project_id, "t": threshold},
    )
    updated = time.perf_counter()
    vacuum = query.vacuum_analyze(conninfo, ("spans", "llm_calls"))
    return {
        "first": first.isoformat(),
        "calls": total.n_calls,
        "spans": total.n_spans,
        "traces": len(total.trace_ids),
        "copy_seconds": round(copied - started, 2),
        "copy_calls_per_s": round(total.n_calls / (copied - started)),
        "unattributed_calls": unattributed,
        "unattributed_update_seconds": round(updated - copied, 2),
        "vacuum_analyze_seconds": vacuum,
    }


def raw_sums(conninfo: str, project_id: int, start: datetime, end: datetime, agent: str) -> dict[str, Any]:
    """Exact sums of the llm_calls of [start, end) (by start time, as the rollups bucket them)."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            """
            SELECT count(*), coalesce(sum(cost_total), 0), count(*) FILTER (WHERE team IS NULL),
                   coalesce(sum(cost_total) FILTER (WHERE team IS NULL), 0),
                   coalesce(sum(cost_total) FILTER (WHERE team IS NULL AND agent_name IS DISTINCT FROM %(a)s), 0),
                   coalesce(sum(cost_total) FILTER (WHERE agent_name = %(a)s), 0)
            FROM llm_calls WHERE project_id = %(p)s AND start_time >= %(s)s AND start_time < %(e)s
            """,
            {"p": project_id, "s": start, "e": end, "a": agent},
        ).fetchone()
    assert row is not None
    return {
        "calls": int(row[0]),
        "cost": Decimal(row[1]),
        "unattributed_calls": int(row[2]),
        "unattributed_cost": Decimal(row[3]),  # calls without team (nor customer)
        "unattributed_cost_outside_scope": Decimal(row[4]),  # the same, the scope agent's calls left out
        "scope_cost": Decimal(row[5]),  # the scope agent's calls
    }


def costliest_agent(conninfo: str, project_id: int) -> str:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT agent_name FROM rollup_calls_daily WHERE project_id = %(p)s AND agent_name IS NOT NULL"
            " GROUP BY agent_name ORDER BY sum(cost_total) DESC LIMIT 1",
            {"p": project_id},
        ).fetchone()
    assert row is not None
    return str(row[0])


def add_rules(database_url: str, project_id: int, agent: str) -> None:
    """An unattributed rule (split evenly), a shared agent (proportionally) and a fixed monthly bill."""
    rules = [
        {"name": "unattributed-even", "source": "unattributed", "selector_field": None, "selector_value": None,
         "monthly_amount": None, "method": "even", "percentages": {}},
        {"name": "shared-agent", "source": "scope", "selector_field": "agent", "selector_value": agent,
         "monthly_amount": None, "method": "proportional", "percentages": {}},
        {"name": "self-hosting", "source": "fixed", "selector_field": None, "selector_value": None,
         "monthly_amount": FIXED_MONTHLY, "method": "proportional", "percentages": {}},
    ]  # fmt: skip
    with get_engine(database_url).begin() as conn:
        for rule in rules:
            repository.upsert_allocation_rule(conn, project_id, rule)


# --- timing and checks ---


def time_case(
    database_url: str, run_report: Callable[[Any], GeneratedReport], repeat: int, transaction: bool
) -> tuple[dict[str, Any], GeneratedReport]:
    """`repeat` timed runs, then one run with its SQL statements timed (client side)."""
    engine = get_engine(database_url)
    timings: list[float] = []
    report: GeneratedReport | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        with engine.begin() if transaction else engine.connect() as conn:
            report = run_report(conn)
        timings.append(time.perf_counter() - started)
    assert report is not None
    with query.StatementTimer(engine) as timer:
        started = time.perf_counter()
        with engine.begin() if transaction else engine.connect() as conn:
            run_report(conn)
        instrumented = time.perf_counter() - started
    sql_seconds = sum(timer.totals.values())
    result = {
        "seconds": [round(t, 3) for t in timings],
        "min_s": round(min(timings), 3),
        "median_s": round(statistics.median(timings), 3),
        "instrumented_s": round(instrumented, 3),
        "sql_s": round(sql_seconds, 3),
        "python_s": round(instrumented - sql_seconds, 3),
        "statements": timer.top(3),
        "kib": round(len(report.content.encode()) / 1024, 1),
    }
    return result, report


def check_chargeback(report: GeneratedReport, raw: dict[str, Any], fixed: Decimal, rules: bool) -> dict[str, Any]:
    """The period total against round(sum of the raw calls' cost_total) + the fixed bill, and the CSV lines."""
    total = Decimal(str(report.summary["total"]))
    # The documented rounding: the cost of every call in the period rounded once, plus each fixed bill.
    naive = cents(raw["cost"]) + cents(fixed)
    rows = list(csv.DictReader(io.StringIO(report.content)))
    lines_total = sum((Decimal(row["total_cost"]) for row in rows), Decimal(0))
    unattributed_lines = sum(1 for row in rows if "(unattributed)" in row.values())
    return {
        "total": str(total),
        "expected": str(naive),
        "ok": total == naive,
        "diff": str(total - naive),
        "lines": len(rows),
        "lines_total": str(lines_total),
        "lines_ok": lines_total == total and unattributed_lines == 0,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "database_url"}}
    now = datetime.now(UTC)
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=PERIOD_DAYS)
    week = last_full_week(now)
    report["period"] = {"start": start.isoformat(), "end": end.isoformat(), "week": week}
    with common.scratch_database(args.database_url, "finops_reports") as conninfo:
        report["machine"] = common.machine_info(conninfo)
        database_url, project_id, report["setup_seconds"] = common.prepared_project(conninfo, PROJECT_NAME)

        print(f"loading {args.calls:,} calls over {args.days} days ...", file=sys.stderr, flush=True)
        report["load"] = load(conninfo, project_id, args.calls, args.days, end, args.seed, args.unattributed)
        print(f"  loaded in {report['load']['copy_seconds']}s; building runs + rollups ...", file=sys.stderr)
        first = datetime.fromisoformat(report["load"]["first"])
        report["build"] = query.build_history(conninfo, database_url, project_id, first)
        print(f"  rollups built in {report['build']['rollup_build_seconds']}s", file=sys.stderr, flush=True)

        agent = costliest_agent(conninfo, project_id)
        raw = raw_sums(conninfo, project_id, start, end, agent)
        first_day, last_day = utc_days(start, end)
        fixed = prorated_monthly(FIXED_MONTHLY, first_day, last_day)
        report["raw"] = {
            **{k: str(v) if isinstance(v, Decimal) else v for k, v in raw.items()},
            "scope_agent": agent,
            "fixed_prorated": str(fixed),
        }

        def chargeback(group_by: tuple[str, ...]) -> Callable[[Any], GeneratedReport]:
            return lambda conn: chargeback_report(conn, project_id, start, end, group_by)

        cases: dict[str, Any] = {}
        print("timing reports ...", file=sys.stderr, flush=True)
        for rules in (False, True):
            if rules:
                add_rules(database_url, project_id, agent)
            for group_by in (("team",), ("team", "customer")):
                name = f"chargeback_{'_'.join(group_by)}{'_with_rules' if rules else ''}"
                cases[name], generated = time_case(database_url, chargeback(group_by), args.repeat, True)
                cases[name]["groups"] = generated.summary["groups"]
                cases[name]["check"] = check_chargeback(generated, raw, fixed if rules else Decimal(0), rules)
                print(f"  {name}: median {cases[name]['median_s']}s", file=sys.stderr, flush=True)

        def focus(conn: Any) -> GeneratedReport:
            return focus_report(conn, project_id, PROJECT_NAME, start, end)

        cases["focus_export"], generated = time_case(database_url, focus, args.repeat, False)
        focus_total = Decimal(str(generated.summary["total"]))
        cases["focus_export"]["rows"] = generated.summary["rows"]
        cases["focus_export"]["check"] = {"total": str(focus_total), "ok": focus_total == raw["cost"]}
        print(f"  focus_export: median {cases['focus_export']['median_s']}s", file=sys.stderr, flush=True)

        def weekly(conn: Any) -> GeneratedReport:
            return weekly_report(conn, project_id, PROJECT_NAME, week)

        cases["weekly_report"], generated = time_case(database_url, weekly, args.repeat, False)
        text = str(generated.summary.get("text") or "")
        cases["weekly_report"]["headline"] = text.splitlines()[0] if text else ""
        report["cases"] = cases
        report["sizes"] = query.table_sizes(conninfo)
        get_engine(database_url).dispose()

    chargeback_medians = [c["median_s"] for n, c in cases.items() if n.startswith("chargeback")]
    report["goals"] = {
        "chargeback_under_10s": max(chargeback_medians) < CHARGEBACK_GOAL_S,
        "weekly_under_30s": cases["weekly_report"]["median_s"] < WEEKLY_GOAL_S,
    }
    return report


def print_report(report: dict[str, Any]) -> None:
    m, load_, build, raw, period = report["machine"], report["load"], report["build"], report["raw"], report["period"]
    cases = report["cases"]
    lines = [
        f"machine      {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_mib']} MiB RAM, "
        f"Python {m['python']}, PostgreSQL {m['postgres']}",
        f"setup        migrations + shipped catalog + project in {report['setup_seconds']}s",
        f"load         {load_['calls']:,} calls + {load_['spans']:,} spans in {load_['traces']:,} traces by COPY "
        f"over {report['config']['days']} days from {load_['first'][:10]} in {load_['copy_seconds']}s "
        f"({load_['copy_calls_per_s']:,} calls/s); {load_['unattributed_calls']:,} calls made unattributed "
        f"in {load_['unattributed_update_seconds']}s; VACUUM ANALYZE {load_['vacuum_analyze_seconds']}s",
        f"runs         {build['workflow_runs']:,} workflow_runs by INSERT ... SELECT in {build['build_runs_seconds']}s",
        f"rollups      {build['rollup_days']} days by process_dirty_days in {build['rollup_build_seconds']}s",
        f"period       [{period['start'][:10]}, {period['end'][:10]}) = {PERIOD_DAYS} days: {raw['calls']:,} calls, "
        f"cost_total ${Decimal(raw['cost']):,.2f} ({raw['unattributed_calls']:,} calls / "
        f"${Decimal(raw['unattributed_cost']):,.2f} unattributed); week {period['week']}",
        f"rules        unattributed split evenly; scope agent={raw['scope_agent']} "
        f"(${Decimal(raw['scope_cost']):,.2f}) split proportionally; fixed ${FIXED_MONTHLY:,}/month "
        f"-> ${cents(Decimal(raw['fixed_prorated'])):,} for the period",
        f"reports      {report['config']['repeat']} runs each, warm cache, through finops.reports.service:",
    ]
    for name, case in cases.items():
        if name.startswith("chargeback"):
            what = f"{case['groups']} groups, {case['kib']} KiB CSV"
        elif name == "focus_export":
            what = f"{case['rows']:,} FOCUS rows, {case['kib']:,} KiB CSV"
        else:
            what = f"{case['kib']} KiB HTML"
        lines.append(f"  {name:<36} min {case['min_s']:>7.3f} s  median {case['median_s']:>7.3f} s  {what}")
        lines.append(
            f"  {'':<36} all: {', '.join(f'{t:.3f}' for t in case['seconds'])} s; instrumented run "
            f"{case['instrumented_s']:.3f} s = SQL {case['sql_s']:.3f} s + Python {case['python_s']:.3f} s"
        )
        for statement in case["statements"]:
            lines.append(f"  {'':<38}{statement['seconds']:>7.3f}s {statement['calls']:>3}x  {statement['statement']}")
        check = case.get("check")
        if check and name.startswith("chargeback"):
            lines.append(
                f"  {'':<36} check {'ok' if check['ok'] else 'MISMATCH'}: total ${check['total']} vs"
                f" round(sum cost_total) + fixed ${check['expected']} (diff {check['diff']});"
                f" lines add up {'ok' if check['lines_ok'] else 'MISMATCH'}"
            )
        elif check:
            lines.append(
                f"  {'':<36} check {'ok' if check['ok'] else 'MISMATCH'}: FOCUS cost ${check['total']} "
                f"vs sum(cost_total) ${raw['cost']}"
            )
        if case.get("headline"):
            lines.append(f'  {"":<36} "{case["headline"]}"')
    lines.append("sizes        table: rows, total with indexes (heap)")
    for table, size in report["sizes"].items():
        lines.append(f"  {table:<24} {size['rows']:>11,}  {size['total_mib']:>9,.1f} MiB ({size['heap_mib']:,.1f})")
    goals = report["goals"]
    slowest = max((c for n, c in cases.items() if n.startswith("chargeback")), key=lambda c: c["median_s"])
    lines += [
        f"goal         {'met' if goals['chargeback_under_10s'] else 'NOT met'}: chargeback of a month under "
        f"{CHARGEBACK_GOAL_S:.0f} s (median); slowest variant {slowest['median_s']} s",
        f"goal         {'met' if goals['weekly_under_30s'] else 'NOT met'}: weekly report under "
        f"{WEEKLY_GOAL_S:.0f} s (median); took {cases['weekly_report']['median_s']} s",
    ]
    print("\n".join(lines))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the chargeback, FOCUS and weekly reports over a month of synthetic calls "
        "(see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=common.admin_url_from_env(),
        help="Postgres server to create the scratch database on (FINOPS_BENCH_DATABASE_URL)",
    )
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS, help=f"LLM calls to load (at most {MAX_CALLS:,})")
    parser.add_argument(
        "--days", type=int, default=PERIOD_DAYS, help="days the calls are spread over, ending today 00:00 UTC"
    )
    parser.add_argument("--unattributed", type=float, default=0.02, help="share of traces without team/customer")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each report")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 1_000 <= args.calls <= MAX_CALLS:
        parser.error(f"--calls must be between 1,000 and {MAX_CALLS:,}")
    if not 21 <= args.days <= 120:
        parser.error("--days must be between 21 (the weekly report compares two weeks) and 120")
    if not 0 <= args.unattributed < 1:
        parser.error("--unattributed must be in [0, 1)")
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
