"""Grafana dashboards: well-formed JSON and provisioning, and every panel's SQL — expanded the way Grafana's
Postgres datasource expands it — runs against a migrated database with demo-like data and returns rows."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml

from finops.alerts.evaluate import evaluate_all
from finops.db.urls import libpq_url
from finops.workflows.rollups import process_dirty_days
from finops.workflows.service import assemble_dirty
from tests.conftest import ProjectKey, ServedApp
from tests.otlp_builders import chat_attributes, new_span_id, new_trace_id, request, span

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
DASHBOARD_FILES = sorted(DASHBOARDS.glob("*.json"))
DATASOURCE_UID = "finops-pg"
RAW_TABLES = re.compile(r"\b(?:from|join)\s+(?:public\.)?(?:llm_calls|spans)\b", re.IGNORECASE)
SECOND = 10**9
DAYS = 6

# ---------------------------------------------------------------------------------------------------------------
# Grafana's expansion: the frontend interpolates template variables ($__interval is one), then the backend's
# Postgres macro engine expands $__timeFilter & co. (pkg/tsdb/grafana-postgresql-datasource/macros.go).
# ---------------------------------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)\]\]")
_MACRO = re.compile(r"\$(__\w+)\(")
_INTERVAL_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def rfc3339(moment: datetime) -> str:
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, 'Z' for UTC."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def interval_seconds(value: str) -> float:
    match = re.fullmatch(r"\s*['\"]?(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)['\"]?\s*", value)
    assert match, f"bad interval {value!r}"
    return float(match.group(1)) * _INTERVAL_UNITS[match.group(2)]


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def interpolate_variables(sql: str, values: dict[str, str]) -> str:
    """Replace $name, ${name}, ${name:fmt} and [[name]] with already formatted values; macros stay."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3) or match.group(4)
        if name in values:
            return values[name]
        if name.startswith("__"):
            return match.group(0)  # a macro or a built-in Grafana leaves for the backend
        raise AssertionError(f"unknown template variable ${name}")

    return _VARIABLE.sub(replace, sql)


def _split_args(sql: str, start: int) -> tuple[list[str], int]:
    """Arguments of the call whose '(' is at sql[start - 1]; returns them and the index after ')'."""
    depth, args, current, i = 0, [], "", start
    while i < len(sql):
        char = sql[i]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                args.append(current.strip())
                return [a for a in args if a != ""], i + 1
            depth -= 1
        elif char == "," and depth == 0:
            args.append(current.strip())
            current, i = "", i + 1
            continue
        current += char
        i += 1
    raise AssertionError(f"unbalanced macro call in {sql!r}")


def expand_macros(sql: str, start: datetime, end: datetime) -> str:
    def macro(name: str, args: list[str]) -> str:
        if name == "__timeFilter":
            return f"{args[0]} BETWEEN '{rfc3339(start)}' AND '{rfc3339(end)}'"
        if name == "__timeFrom":
            return f"'{rfc3339(start)}'"
        if name == "__timeTo":
            return f"'{rfc3339(end)}'"
        if name in ("__timeGroup", "__timeGroupAlias"):
            assert len(args) >= 2, f"{name} needs a column and an interval"
            seconds = _number(interval_seconds(args[1]))
            expression = f"floor(extract(epoch from {args[0]})/{seconds})*{seconds}"
            return expression + (' AS "time"' if name == "__timeGroupAlias" else "")
        if name == "__unixEpochFilter":
            return f"{args[0]} >= {int(start.timestamp())} AND {args[0]} <= {int(end.timestamp())}"
        raise AssertionError(f"macro ${name} is not supported by this test")

    out, position = [], 0
    for match in _MACRO.finditer(sql):
        if match.start() < position:
            continue
        args, after = _split_args(sql, match.end())
        out.append(sql[position : match.start()])
        out.append(macro(match.group(1), args))
        position = after
    out.append(sql[position:])
    return "".join(out)


def expand(sql: str, values: dict[str, str], start: datetime, end: datetime) -> str:
    return expand_macros(interpolate_variables(sql, {"__interval": "1d", **values}), start, end)


# ---------------------------------------------------------------------------------------------------------------
# Reading the dashboards
# ---------------------------------------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every non-row panel, including those inside (collapsed) rows."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from (inner for inner in panel.get("panels", []) if inner.get("type") != "row")
        else:
            yield panel


def all_panels() -> list[tuple[str, dict[str, Any]]]:
    return [(path.stem, panel) for path in DASHBOARD_FILES for panel in panels(load(path))]


def test_dashboards_are_valid_with_unique_uids() -> None:
    assert len(DASHBOARD_FILES) == 5
    uids = []
    for path in DASHBOARD_FILES:
        dashboard = load(path)
        uids.append(dashboard["uid"])
        assert dashboard["title"]
        assert "finops" in dashboard["tags"]
        assert dashboard["time"] == {"from": "now-30d", "to": "now"}
        assert dashboard["schemaVersion"] >= 39
        panel_ids = [p["id"] for p in panels(dashboard)] + [p["id"] for p in dashboard["panels"] if p["type"] == "row"]
        assert len(panel_ids) == len(set(panel_ids)), f"{path.name}: duplicate panel ids"
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        assert variables["project"]["query"] == "SELECT name AS __text, id AS __value FROM projects ORDER BY name"
        for name in ("team", "workflow"):
            if name in variables:
                variable = variables[name]
                assert variable["multi"] and variable["includeAll"] and variable["allValue"] == "'__all'"
    assert len(uids) == len(set(uids)), uids


@pytest.mark.parametrize(("dashboard", "panel"), all_panels(), ids=lambda v: v if isinstance(v, str) else v["title"])
def test_panel_uses_finops_datasource_and_rollups(dashboard: str, panel: dict[str, Any]) -> None:
    assert panel["datasource"]["uid"] == DATASOURCE_UID
    targets = [t for t in panel.get("targets", []) if t.get("rawSql", "").strip()]
    assert targets, f"{dashboard}/{panel['title']}: no target with rawSql"
    for target in targets:
        assert target.get("datasource", {"uid": DATASOURCE_UID})["uid"] == DATASOURCE_UID
        assert target["rawQuery"] is True
        assert not RAW_TABLES.search(target["rawSql"]), f"{panel['title']} reads a raw table"


def test_provisioning_files() -> None:
    datasources = yaml.safe_load((DASHBOARDS / "provisioning/datasources/finops.yaml").read_text())
    [source] = datasources["datasources"]
    assert (source["name"], source["uid"]) == ("finops", DATASOURCE_UID)
    assert source["url"] == "${FINOPS_DB_HOST}" and source["user"] == "${FINOPS_DB_USER}"
    assert source["jsonData"]["database"] == "${FINOPS_DB_NAME}"
    assert source["jsonData"]["sslmode"] == "disable"
    assert source["secureJsonData"]["password"] == "${FINOPS_DB_PASSWORD}"
    providers = yaml.safe_load((DASHBOARDS / "provisioning/dashboards/finops.yaml").read_text())
    [provider] = providers["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"
    datasource_types = {p["datasource"]["type"] for _, p in all_panels()}
    assert datasource_types == {source["type"]}


def test_macro_expansion_matches_grafana() -> None:
    start, end = datetime(2026, 10, 24, 15, 0, tzinfo=UTC), datetime(2026, 11, 23, 15, 0, 0, 500000, tzinfo=UTC)
    sql = (
        "SELECT $__timeGroupAlias(hour, $__interval), $__timeGroup(coalesce(a, b), '5m') FROM t"
        " WHERE project_id = $project AND $__timeFilter(hour) AND day >= $__timeFrom() AND ('__all' IN ($team))"
        " AND x < $__timeTo()"
    )
    assert expand(sql, {"project": "7", "team": "'__all'"}, start, end) == (
        'SELECT floor(extract(epoch from hour)/86400)*86400 AS "time",'
        " floor(extract(epoch from coalesce(a, b))/300)*300 FROM t WHERE project_id = 7"
        " AND hour BETWEEN '2026-10-24T15:00:00Z' AND '2026-11-23T15:00:00.5Z'"
        " AND day >= '2026-10-24T15:00:00Z' AND ('__all' IN ('__all')) AND x < '2026-11-23T15:00:00.5Z'"
    )


# ---------------------------------------------------------------------------------------------------------------
# Demo-like data: a week of two workflows for two teams, through /v1/traces and the jobs
# ---------------------------------------------------------------------------------------------------------------


def export(served: ServedApp, key: str, spans: list) -> None:
    resource = {"service.name": "demo-agent", "deployment.environment.name": "prod"}
    response = httpx.post(
        f"{served.url}/v1/traces",
        content=request(spans, resource).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": key},
    )
    assert response.status_code == 200, response.text


def run(served: ServedApp, key: str, start: datetime, workflow: dict[str, Any], *, failed: bool, retry: bool) -> None:
    trace, root, agent = new_trace_id(), new_span_id(), new_span_id()
    start_ns = int(start.timestamp()) * SECOND
    model, tokens = workflow["model"], workflow["tokens"]
    chat = chat_attributes(model, tokens, tokens // 5, **{"gen_ai.usage.cache_read.input_tokens": tokens // 2})
    spans = [
        span(f"POST /{workflow['name']}", trace_id=trace, span_id=root, start_ns=start_ns, duration_ns=30 * SECOND,
             error=failed, attributes={"finops.workflow.name": workflow["name"], "finops.team": workflow["team"],
                                       "finops.cost_center": workflow["cost_center"],
                                       "finops.customer": workflow["customer"]}),
        span("invoke_agent", trace_id=trace, span_id=agent, parent=root, start_ns=start_ns + SECOND,
             duration_ns=25 * SECOND, attributes={"gen_ai.operation.name": "invoke_agent",
                                                  "gen_ai.agent.name": f"{workflow['name']}-agent"}),
        span("chat", trace_id=trace, parent=agent, start_ns=start_ns + 2 * SECOND, attributes=chat),
        span("execute_tool search", trace_id=trace, parent=agent, start_ns=start_ns + 4 * SECOND,
             attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"}),
        span("chat", trace_id=trace, parent=agent, start_ns=start_ns + 6 * SECOND,
             attributes=chat_attributes("gpt-4o-mini", tokens // 4, 100)),
    ]  # fmt: skip
    if retry:
        spans.append(span("chat", trace_id=trace, parent=agent, start_ns=start_ns + 8 * SECOND,
                          attributes={**chat, "finops.retry": True}))  # fmt: skip
    export(served, key, spans)


def sql(db: str, statement: str, *params: object) -> list[tuple]:
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture()
def seeded(served: ServedApp, project: ProjectKey) -> tuple[str, datetime]:
    db = served.app.state.database_url
    now = datetime.now(UTC).replace(microsecond=0)
    workflows = [
        {"name": "refund", "team": "payments", "cost_center": "cc-100", "customer": "acme", "model": "gpt-4o",
         "tokens": 4000},
        {"name": "research", "team": "search", "cost_center": "cc-200", "customer": "globex",
         "model": "gpt-4o-mini", "tokens": 20000},
    ]  # fmt: skip
    for days_ago in range(DAYS):
        for index, workflow in enumerate(workflows):
            start = now - timedelta(days=days_ago, hours=3 + index)
            run(served, project.key, start, workflow, failed=True, retry=True)
            run(served, project.key, start + timedelta(minutes=10), workflow, failed=False, retry=False)
    later = now + timedelta(hours=1)
    assemble_dirty(db, timedelta(minutes=5), now=later)
    process_dirty_days(db)
    evaluate_all(db, now=now)
    # Small data fires no detector and the recommendation job needs weeks of traffic: add one of each.
    [(channel,)] = sql(
        db,
        "INSERT INTO alert_channels (project_id, name, kind, url, origin) VALUES (%s, 'ops', 'webhook',"
        " 'https://hooks.example.com/finops', 'api') RETURNING id",
        project.id,
    )
    for rule, status, fired in (("cost-spike", "firing", now - timedelta(hours=2)),
                                ("budget", "resolved", now - timedelta(days=3))):  # fmt: skip
        [(alert,)] = sql(
            db,
            "INSERT INTO alerts (project_id, dedup_key, rule, detector, scope_kind, scope_value, period_key, severity,"
            " status, title, observed, baseline, threshold, hint, numbers, channels, first_fired_at, last_fired_at)"
            " VALUES (%s, %s, %s, 'cost_spike', 'workflow', 'refund', %s, 'critical', %s, 'refund spend spiked',"
            " '$10.00/h', '$2.00/h', '3x baseline', 'check the refund agent', '{}', '{ops}', %s, %s) RETURNING id",
            project.id, f"{rule}:workflow:refund:{fired:%Y-%m-%dT%H}", rule, f"{fired:%Y-%m-%dT%H}", status,
            fired, fired,
        )  # fmt: skip
        sql(
            db,
            "INSERT INTO alert_notifications (id, project_id, alert_id, channel_id, event, status, attempts,"
            " next_attempt_at, last_status, created_at, delivered_at) VALUES (%s, %s, %s, %s, 'firing', %s, 1, %s,"
            " %s, %s, %s)",
            str(uuid.uuid4()), project.id, alert, channel, "delivered" if status == "firing" else "failed", fired,
            200 if status == "firing" else 500, fired, fired if status == "firing" else None,
        )  # fmt: skip
    sql(
        db,
        "INSERT INTO recommendations (project_id, key, rule, scope_kind, scope_value, title, monthly_savings,"
        " confidence, evidence, example_trace_ids, risk, claims, status) VALUES (%s, 'model_downgrade:workflow:refund',"
        " 'model_downgrade', 'workflow', 'refund', 'Route refund to gpt-4o-mini', 123.45, 'high', '{}', '{}',"
        " 'quality on long refunds', '{}', 'open')",
        project.id,
    )
    return db, now


def panel_queries() -> list[tuple[str, str, str]]:
    return [
        (path.stem, panel["title"], target["rawSql"])
        for path in DASHBOARD_FILES
        for panel in panels(load(path))
        for target in panel["targets"]
    ]


def variable_queries() -> list[tuple[str, str, str]]:
    return [
        (path.stem, f"${variable['name']}", variable["query"])
        for path in DASHBOARD_FILES
        for variable in load(path)["templating"]["list"]
        if variable["type"] == "query"
    ]


def test_every_panel_returns_rows_on_demo_data(seeded: tuple[str, datetime], project: ProjectKey) -> None:
    db, now = seeded
    start, end = now - timedelta(days=30), now
    everything = {"project": str(project.id), "team": "'__all'", "workflow": "'__all'"}
    selected = {"project": str(project.id), "team": "'payments','search'", "workflow": "'refund'"}
    queries = panel_queries() + variable_queries()
    assert len(queries) > 40
    failures: list[str] = []
    with psycopg.connect(libpq_url(db), autocommit=True) as conn:
        for dashboard, title, raw in queries:
            for values, needs_rows in ((everything, True), (selected, False)):
                query = expand(raw, values, start, end)
                assert "$" not in query, query
                try:
                    rows = conn.execute(query).fetchall()  # type: ignore[arg-type]
                except psycopg.Error as error:
                    failures.append(f"{dashboard} / {title}: {error}\n  {query}")
                    continue
                if needs_rows and not rows:
                    failures.append(f"{dashboard} / {title}: no rows\n  {query}")
    assert not failures, "\n".join(failures)


def test_variables_list_the_seeded_values(seeded: tuple[str, datetime], project: ProjectKey) -> None:
    db, now = seeded
    everything = {"project": str(project.id), "team": "'__all'", "workflow": "'__all'"}
    [(_, _, team_query)] = [q for q in variable_queries() if q[0] == "overview" and q[1] == "$team"]
    [(_, _, workflow_query)] = [q for q in variable_queries() if q[0] == "overview" and q[1] == "$workflow"]
    [(_, _, project_query)] = [q for q in variable_queries() if q[0] == "overview" and q[1] == "$project"]
    window = (now - timedelta(days=30), now)
    assert sql(db, expand(team_query, everything, *window)) == [("payments",), ("search",)]
    assert sql(db, expand(workflow_query, everything, *window)) == [("refund",), ("research",)]
    assert sql(db, expand(workflow_query, {**everything, "team": "'search'"}, *window)) == [("research",)]
    assert (project.name, project.id) in sql(db, expand(project_query, everything, *window))
    # a selection filters: only the refund workflow's spend
    spend = "SELECT coalesce(workflow_name, '?'), count(*) FROM rollup_calls_daily WHERE {} GROUP BY 1"
    [dashboard] = [load(p) for p in DASHBOARD_FILES if p.stem == "overview"]
    top = next(p for p in panels(dashboard) if p["title"] == "Top workflows by spend")["targets"][0]["rawSql"]
    where = top.split(" WHERE ", 1)[1].split(" GROUP BY ")[0]
    selected = {**everything, "workflow": "'refund'"}
    assert [name for name, _ in sql(db, expand(spend.format(where), selected, *window))] == ["refund"]
