"""Back-office demo workflows: invoice extraction with retries, nightly batch reports, a runaway loop."""

from __future__ import annotations

import random

from finops.demo.emit import Sink
from finops.demo.plan import Planned
from finops.demo.world import pick_customer

GIVE_UP_SHARE = 0.15  # of the retrying invoice runs, those where every attempt fails


def invoice_extraction(sink: Sink, item: Planned, rng: random.Random) -> None:
    """OCR cleanup on a self-hosted model with no price (acme-internal-7b), then an extractor on
    claude-sonnet-4-5. Tagged "flaky": its call fails (invalid JSON or a timeout, after output was paid
    for) and is retried 2-3 times in the same step: same agent span, same model."""
    context = {"finops.customer": item.customer or pick_customer(rng), "finops.feature": "ap-automation"}
    run = sink.run("billing-pipeline", "invoice-extraction", item.start, rng, context)
    ocr = run.agent("ocr-cleanup")
    run.chat(
        ocr, "acme", "acme-internal-7b", rng.randint(2_500, 5_000), rng.randint(1_500, 3_000),
        max_tokens=4_096, operation="text_completion",
    )  # fmt: skip
    run.end(ocr)

    extractor = run.agent("extractor")
    flaky = item.tag == "flaky"
    attempts = rng.randint(3, 4) if flaky else 1  # 2-3 retries
    give_up = flaky and rng.random() < GIVE_UP_SHARE
    prompt = rng.randint(6_000, 12_000)
    for attempt in range(attempts):
        fails = flaky and (attempt < attempts - 1 or give_up)
        error = rng.choice(("invalid_json", "timeout")) if fails else None
        output = rng.randint(300, 700) if error == "timeout" else rng.randint(700, 1_400)
        run.chat(extractor, "anthropic", "claude-sonnet-4-5", prompt, output, max_tokens=4_096, error=error)
        if fails and attempt < attempts - 1:
            run.wait(rng.uniform(1, 2) * 2**attempt)  # backoff before the next attempt
    error = "ExtractionFailed" if give_up else None
    run.end(extractor, error)
    if not give_up:
        validator = run.agent("validator")
        run.chat(validator, "openai", "gpt-4o-mini", rng.randint(1_500, 2_500), rng.randint(20, 60), max_tokens=128)
        run.end(validator)
    run.close(error)


def nightly_report(sink: Sink, item: Planned, rng: random.Random) -> None:
    """A scheduled report (no user, environment "batch") written by a frontier model: long programmatic
    outputs far under a generous max_tokens, nobody waiting: batch-eligible and output-length material."""
    run = sink.run("reporting-batch", "nightly-report", item.start, rng, {"finops.feature": item.tag})
    writer = run.agent("report-writer")
    run.tool(writer, "warehouse_query", rng.randint(2_000, 5_000))
    run.chat(
        writer, "openai", "gpt-5.5", rng.randint(6_000, 10_000), rng.randint(1_500, 3_200), max_tokens=16_384,
        finish="length" if rng.random() < 0.03 else "stop",
    )  # fmt: skip
    run.end(writer)
    run.close()


def code_fix_loop(sink: Sink, item: Planned, rng: random.Random) -> None:
    """Two agents handing a patch back and forth with no stop condition: 62-70 calls (over the 50-step
    cap), ~40 minutes (over the 30-minute cap), the context growing every turn."""
    run = sink.run("devbot", "code-fix-loop", item.start, rng, {"finops.feature": "auto-fix"})
    context = 4_000
    for turn in range(rng.randint(62, 70)):
        name, provider, model = ("coder", "openai", "gpt-4o") if turn % 2 == 0 else (
            "reviewer", "anthropic", "claude-sonnet-4-5")  # fmt: skip
        agent = run.agent(name)
        run.chat(agent, provider, model, context, rng.randint(300, 600), max_tokens=4_096)
        run.end(agent)
        context += rng.randint(350, 550)
        run.wait(rng.uniform(15, 25))  # CI runs between turns
    run.close("MaxTurnsExceeded", outcome="failure")
