"""GET /api/v1/calls and `finops calls tail` read back what was stored, per project only."""

from __future__ import annotations

from decimal import Decimal

import httpx
from typer.testing import CliRunner

from finops.cli import app
from tests.conftest import ProjectKey, ServedApp, make_project
from tests.otlp_builders import BASE_NS, chat_attributes, new_trace_id, request, span

SECOND = 10**9


def export(served: ServedApp, key: str, spans: list, resource: dict | None = None) -> None:
    response = httpx.post(
        f"{served.url}/v1/traces",
        content=request(spans, resource).SerializeToString(),
        headers={"content-type": "application/x-protobuf", "x-finops-api-key": key},
    )
    assert response.status_code == 200, response.text


def get_calls(served: ServedApp, key: str, **params: object) -> httpx.Response:
    return httpx.get(f"{served.url}/api/v1/calls", params=params, headers={"authorization": f"Bearer {key}"})


def test_pagination_filters_and_sources(served: ServedApp, project: ProjectKey) -> None:
    trace = new_trace_id()
    spans = [
        span(
            f"chat {i}",
            trace_id=trace,
            start_ns=BASE_NS + i * SECOND,
            attributes=chat_attributes("gpt-4o" if i % 2 else "claude-haiku-4-5", 100 + i, 10),
        )
        for i in range(5)
    ]
    export(served, project.key, spans, {"service.name": "billing-agent", "finops.team": "billing"})

    first = get_calls(served, project.key, limit=2).json()
    second = get_calls(served, project.key, limit=2, cursor=first["next_cursor"]).json()
    third = get_calls(served, project.key, limit=2, cursor=second["next_cursor"]).json()
    # newest first: inputs 104, 103 | 102, 101 | 100
    assert [c["tokens"]["input"] for c in first["items"] + second["items"] + third["items"]] == [
        104,
        103,
        102,
        101,
        100,
    ]
    assert third["next_cursor"] is None

    only_gpt = get_calls(served, project.key, model="gpt-4o").json()["items"]
    assert [c["tokens"]["input"] for c in only_gpt] == [103, 101]
    # BASE_NS + 1s <= start < BASE_NS + 3s -> calls 1 and 2
    window = get_calls(served, project.key, **{"from": "2026-11-18T11:06:41Z", "to": "2026-11-18T11:06:43Z"}).json()
    assert [c["tokens"]["input"] for c in window["items"]] == [102, 101]
    assert len(get_calls(served, project.key, trace_id=trace.hex()).json()["items"]) == 5

    call = first["items"][0]
    assert call["attribution"]["team"] == "billing"
    assert call["sources"]["team"] == "resource:finops.team"
    assert call["sources"]["service_name"] == "resource:service.name"
    assert call["dialect"] == "genai"
    assert call["usage_raw"]["gen_ai.usage.input_tokens"] == 104
    assert call["tokens"]["total"] == 104 + 10
    # claude-haiku-4-5 / gpt-4o are in the shipped catalog: priced, with parts adding up to the total
    cost = call["cost"]
    parts = ("input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning", "request_fee")
    assert Decimal(cost["total"]) == sum(Decimal(cost[name]) for name in parts) > 0
    assert cost["currency"] == "USD" and cost["tier"] == "standard"


def test_bad_parameters(served: ServedApp, project: ProjectKey) -> None:
    assert get_calls(served, project.key, trace_id="xyz").status_code == 422
    assert get_calls(served, project.key, cursor="!!!").status_code == 400
    assert get_calls(served, project.key, limit=0).status_code == 422
    naive = get_calls(served, project.key, **{"from": "2026-11-18T11:06:41"})
    assert naive.status_code == 422 and "timezone" in naive.text
    assert httpx.get(f"{served.url}/api/v1/calls").status_code == 401


def test_projects_never_see_each_other(served: ServedApp, project: ProjectKey) -> None:
    other = make_project(served.app.state.database_url, "other-team")
    shared_trace = new_trace_id()
    export(served, project.key, [span("chat", trace_id=shared_trace, attributes=chat_attributes("gpt-4o", 1, 1))])
    export(served, other.key, [span("chat", trace_id=shared_trace, attributes=chat_attributes("gpt-4o", 2, 2))])
    mine = get_calls(served, project.key).json()["items"]
    theirs = get_calls(served, other.key, trace_id=shared_trace.hex()).json()["items"]
    assert [c["tokens"]["input"] for c in mine] == [1]
    assert [c["tokens"]["input"] for c in theirs] == [2]


def test_calls_tail_prints_latest(served: ServedApp, project: ProjectKey) -> None:
    export(
        served,
        project.key,
        [
            span(
                "chat",
                trace_id=new_trace_id(),
                attributes=chat_attributes("o3-mini", 1500, 40, **{"finops.workflow.name": "nightly-report"}),
            )
        ],
    )
    result = CliRunner().invoke(
        app,
        ["calls", "tail", "--project", project.name, "-n", "5"],
        env={"FINOPS_DATABASE_URL": served.app.state.database_url},
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("START (UTC)")
    assert "o3-mini" in lines[1] and "1500" in lines[1] and "nightly-report" in lines[1]
    missing = CliRunner().invoke(
        app,
        ["calls", "tail", "--project", "nope"],
        env={"FINOPS_DATABASE_URL": served.app.state.database_url},
    )
    assert missing.exit_code == 1 and "no project named 'nope'" in missing.output
