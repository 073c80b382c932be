"""Interactive demo workflows: support triage, research fan-out, lead qualification, contract review.

Each scenario builds one run (one trace) from a `Planned` item; token counts, models and shapes are
chosen so that the report and recommendation numbers mean something (see each docstring).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from finops.demo.emit import Sink
from finops.demo.plan import Planned
from finops.demo.world import interactive, pick_customer

Scenario = Callable[[Sink, Planned, random.Random], None]

SONNET_PREFIX = 6_000  # system prompt + tool definitions: the cached prefix of every specialist call


def support_triage(sink: Sink, item: Planned, rng: random.Random) -> None:
    """Router (gpt-4o-mini, one-word label) -> specialist (claude-sonnet-4-5, prompt caching, search_kb
    with 9-16k-character results it reads back) -> summarizer (gpt-4o-mini). Someone waits on it."""
    customer = item.customer or pick_customer(rng)
    context = {"finops.customer": customer, "finops.feature": "ticket-triage", **interactive(rng)}
    run = sink.run("support-bot", "support-triage", item.start, rng, context)
    router = run.agent("router")
    run.chat(router, "openai", "gpt-4o-mini", rng.randint(700, 1400), rng.randint(2, 12), max_tokens=16)
    run.end(router)

    specialist = run.agent("specialist")
    history = rng.randint(400, 1500)
    searches = rng.randint(2, 3)
    for turn in range(searches + 1):
        # The first call of a cold cache writes the prefix; every other call reads it.
        cold = turn == 0 and rng.random() < 0.12
        final = turn == searches
        run.chat(
            specialist, "anthropic", "claude-sonnet-4-5", SONNET_PREFIX + history,
            rng.randint(350, 800) if final else rng.randint(60, 160),
            cache_read=0 if cold else SONNET_PREFIX, cache_write=SONNET_PREFIX if cold else 0,
            max_tokens=2048, finish="stop" if final else "tool_calls",
        )  # fmt: skip
        if not final:
            chars = rng.randint(9_000, 16_000)
            run.tool(specialist, "search_kb", chars)
            history += chars // 4 + 120
    run.end(specialist)

    summarizer = run.agent("summarizer")
    run.chat(summarizer, "openai", "gpt-4o-mini", rng.randint(1500, 3500), rng.randint(120, 300), max_tokens=512)
    run.end(summarizer)
    run.close()


def research_report(sink: Sink, item: Planned, rng: random.Random) -> None:
    """Planner (o3, reasoning tokens) fans out to 3-5 parallel researchers (gemini-2.5-flash, web_search),
    then a writer (gpt-4o) produces a long report under a high max_tokens."""
    context = {"finops.customer": item.customer or pick_customer(rng), "finops.feature": "market-research"}
    run = sink.run("research-agent", "research-report", item.start, rng, {**context, **interactive(rng, 60)})
    planner = run.agent("planner")
    reasoning = rng.randint(1_500, 6_000)
    run.chat(
        planner, "openai", "o3", rng.randint(2_000, 4_000), reasoning + rng.randint(300, 700),
        reasoning=reasoning, max_tokens=25_000,
    )  # fmt: skip
    run.end(planner)

    fan_out = run.t
    ends = []
    for _ in range(rng.randint(3, 5)):
        run.t = fan_out + rng.randint(1, 200) * 1_000_000  # parallel branches start together
        researcher = run.agent("researcher")
        run.tool(researcher, "web_search", rng.randint(3_000, 7_000))
        run.chat(
            researcher, "gcp.gemini", "gemini-2.5-flash", rng.randint(4_000, 9_000), rng.randint(600, 1_400),
            max_tokens=4_096, operation="generate_content",
        )  # fmt: skip
        run.end(researcher)
        ends.append(run.t)
    run.parallel_end(ends)

    writer = run.agent("writer")
    run.chat(writer, "openai", "gpt-4o", rng.randint(8_000, 14_000), rng.randint(2_500, 4_500), max_tokens=16_384)
    run.end(writer)
    run.close()


def lead_qualification(sink: Sink, item: Planned, rng: random.Random) -> None:
    """Three short classification calls (intent, segment, urgency) on a frontier model: labels of a few
    tokens from a 1-3k-token prompt, the shape the model-routing recommendation looks for."""
    run = sink.run("crm-assistant", "lead-qualification", item.start, rng, {"finops.feature": "lead-routing"})
    classifier = run.agent("lead-classifier")
    for task in ("intent", "segment", "urgency"):
        run.chat(
            classifier, "anthropic", "claude-opus-4-5", rng.randint(1_200, 2_800), rng.randint(3, 40),
            max_tokens=64, extra={"finops.task": task},
        )  # fmt: skip
    run.end(classifier)
    run.close()


def contract_review(sink: Sink, item: Planned, rng: random.Random) -> None:
    """Clause extraction and risk review (gpt-4.1, gpt-4o-mini). Tagged "fail": saving the redlines fails
    at the very end, so the failed run's tokens are paid for and the workflow is tried again."""
    failing = item.tag == "fail"
    context = {"finops.customer": item.customer or pick_customer(rng), "finops.feature": "contract-review"}
    run = sink.run("contract-desk", "contract-review", item.start, rng, {**context, **interactive(rng, 25)})
    extractor = run.agent("clause-extractor")
    run.tool(extractor, "fetch_contract", rng.randint(5_000, 9_000))
    run.chat(extractor, "openai", "gpt-4.1", rng.randint(9_000, 16_000), rng.randint(800, 1_600), max_tokens=4_096)
    run.end(extractor)
    reviewer = run.agent("risk-reviewer")
    run.chat(reviewer, "openai", "gpt-4.1", rng.randint(5_000, 9_000), rng.randint(400, 900), max_tokens=2_048)
    run.chat(reviewer, "openai", "gpt-4o-mini", rng.randint(1_000, 2_000), rng.randint(80, 200), max_tokens=512)
    error = "DocumentStoreUnavailable" if failing else None
    run.tool(reviewer, "save_redlines", 0, error=error)
    run.end(reviewer, error)
    run.close(error)
