"""Assembling one run from hand-built spans and calls (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from finops.workflows.assembly import CallFact, SpanFact, assemble_run, normalise_outcome

T0 = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
IDLE = timedelta(minutes=5)


def span(span_id: str, parent: str | None = None, *, kind: str = "other", name: str = "", status: int = 0,
         at: int = 0, length: int = 1, received: int = 0, trace: str = "t1", output_chars: int | None = None,
         **attributes: Any) -> SpanFact:  # fmt: skip
    return SpanFact(
        trace_id=trace, span_id=span_id, parent_span_id=parent, name=name or span_id, kind=kind, status_code=status,
        start_time=T0 + timedelta(seconds=at), end_time=T0 + timedelta(seconds=at + length),
        received_at=T0 + timedelta(seconds=received), output_chars=output_chars,
        attributes={k.replace("__", "."): v for k, v in attributes.items()},
    )  # fmt: skip


def call(span_id: str, parent: str | None = "agent", *, model: str = "gpt-4o", cost: str | None = "0.01",
         tokens: tuple[int, ...] = (100, 0, 0, 0, 10, 0), error: str | None = None, trace: str = "t1",
         **attribution: str) -> CallFact:  # fmt: skip
    costs = None if cost is None else (D(cost), D(0), D(0), D(0), D(0), D(0), D(0), D(cost))
    return CallFact(trace, span_id, parent, model, "triager", None, error, tokens, costs, attribution)  # type: ignore[arg-type]


def llm(span_id: str, parent: str = "agent", **kwargs: Any) -> SpanFact:
    return span(span_id, parent, kind="llm", **kwargs)


BASE_SPANS = [span("root", name="POST /tickets", length=30), span("agent", "root", kind="agent", at=1)]


@pytest.mark.parametrize(
    ("spans", "posted", "expected"),
    [
        # the API's word beats everything
        ([span("root", status=2, finops__workflow__outcome="success")], "failure", ("failure", "api")),
        # an explicit attribute beats the root status; the latest one counts
        ([span("root", status=2, length=10, finops__workflow__outcome="resolved"),
          span("a", "root", at=1, finops__workflow__outcome="failed")], None, ("success", "attribute")),
        ([span("root", status=2)], None, ("failure", "root_status")),
        ([span("root", status=1)], None, ("success", "root_status")),
        ([span("root", status=0)], None, ("success", "root_status")),  # unset = OK in OTel
        ([span("child", "missing-root", status=0)], None, ("unknown", "none")),  # root not here yet
    ],
)  # fmt: skip
def test_outcome_precedence(spans: list[SpanFact], posted: str | None, expected: tuple[str, str]) -> None:
    run = assemble_run("t1", spans, [], posted, NOW, IDLE)
    assert (run.outcome, run.outcome_source) == expected


def test_outcome_words() -> None:
    assert [normalise_outcome(v) for v in ("OK", "Failed", True, False, "maybe", "")] == [
        "success", "failure", "success", "failure", "unknown", None,
    ]  # fmt: skip


def test_open_until_root_and_idle_then_closed() -> None:
    child_only = [llm("c1", "root", received=0)]
    assert assemble_run("t1", child_only, [], None, NOW, IDLE).status == "open"  # no root yet
    with_root = [*child_only, span("root", received=3000)]  # root arrived 50 min after T0
    assert assemble_run("t1", with_root, [], None, T0 + timedelta(seconds=3000 + 299), IDLE).status == "open"
    assert assemble_run("t1", with_root, [], None, T0 + timedelta(seconds=3000 + 300), IDLE).status == "closed"


def test_retries_steps_errors_and_tools() -> None:
    spans = [
        *BASE_SPANS,
        llm("c1", at=2, status=2),  # fails
        llm("c2", at=4),  # same step (parent agent, model gpt-4o) after a failure: retry
        llm("c3", at=6),  # still after the failure: retry (the loop kept going)
        llm("other", "root", at=7),  # another step: not a retry
        span("tool1", "agent", kind="tool", at=8, status=2, output_chars=1200, gen_ai__tool__name="search"),
        span("tool2", "agent", kind="tool", at=9, output_chars=300, gen_ai__tool__name="search"),  # retry
        span("tool3", "agent", kind="tool", at=10, output_chars=50, gen_ai__tool__name="lookup"),
        llm("explicit", "root", at=11, finops__retry__attempt=2),  # marked by the agent itself
    ]
    calls = [call("c1", error="RateLimitError"), call("c2"), call("c3"), call("other", "root"),
             call("explicit", "root")]  # fmt: skip
    run = assemble_run("t1", spans, calls, None, NOW, IDLE)
    # retries: c2, c3, tool2, explicit
    assert run.retries == 4
    assert run.retried_call_ids == {("t1", "c2"), ("t1", "c3"), ("t1", "explicit")}
    # steps: 5 LLM calls + 3 tool calls
    assert (run.steps, run.llm_calls, run.tool_calls) == (8, 5, 3)
    # errors: c1 (status and error type, counted once) and tool1
    assert run.errors == 2
    assert run.tool_output_chars == 1200 + 300 + 50


def test_costs_tokens_context_and_unpriced() -> None:
    spans = [*BASE_SPANS, llm("a", at=2), llm("b", at=3), llm("c", at=4)]
    calls = [
        call("a", tokens=(100, 900, 0, 0, 50, 10), cost="0.004"),
        call("b", tokens=(2000, 0, 500, 0, 100, 0), cost="0.0125", model="claude-sonnet-4-5"),
        call("c", tokens=(10, 0, 0, 0, 1, 0), cost=None, model="acme-7b"),
    ]
    run = assemble_run("t1", spans, calls, None, NOW, IDLE)
    # 0.004 + 0.0125 = 0.0165; the unpriced call adds nothing and is counted
    assert run.costs["total"] == D("0.0165") and run.unpriced_calls == 1
    assert run.tokens == {"input": 2110, "cache_read": 900, "cache_write": 500, "cache_write_1h": 0,
                          "output": 151, "reasoning": 10}  # fmt: skip
    # largest prompt: 2000 + 500 = 2500 (call a: 100 + 900 = 1000)
    assert run.max_context_tokens == 2500
    assert run.models == ["acme-7b", "claude-sonnet-4-5", "gpt-4o"]
    assert run.agents == ["agent", "triager"]
    assert run.duration_ms == 30_000


def test_name_precedence() -> None:
    named_root = [span("root", name="POST /x", traceloop__workflow__name="loop-name",
                       finops__workflow__name="finops-name"), llm("c", "root")]  # fmt: skip
    assert assemble_run("t1", named_root, [], None, NOW, IDLE).name == "finops-name"
    from_child = [span("root", name="POST /x"), llm("c", "root", gen_ai__workflow__name="child-name")]
    assert assemble_run("t1", from_child, [], None, NOW, IDLE).name == "child-name"
    from_call = [span("root", name="POST /x"), llm("c", "root")]
    named_call = CallFact("t1", "c", "root", "m", None, "langfuse-trace", None, (1, 0, 0, 0, 1, 0), None, {})
    assert assemble_run("t1", from_call, [named_call], None, NOW, IDLE).name == "langfuse-trace"
    assert assemble_run("t1", from_call, [], None, NOW, IDLE).name == "POST /x"


def test_attribution_root_first_then_majority_with_conflicts() -> None:
    spans = [span("root", finops__team="search"), llm("a", "root"), llm("b", "root"), llm("c", "root")]
    calls = [
        call("a", "root", team="billing", customer="acme", cost="0.01"),
        call("b", "root", team="support", customer="globex", cost="0.05"),
        call("c", "root", customer="globex", cost="0.01"),
    ]
    run = assemble_run("t1", spans, calls, None, NOW, IDLE)
    assert run.attribution["team"] == "search"  # the root's own value
    assert run.attribution["customer"] == "globex"  # 2 calls of 3
    assert run.attribution_conflicts == {"team": ["billing", "support"], "customer": ["acme", "globex"]}
    tie = assemble_run("t1", spans[1:3], calls[:2], None, NOW, IDLE)
    assert tie.attribution["customer"] == "globex"  # one call each: the costlier (0.05 > 0.01)
