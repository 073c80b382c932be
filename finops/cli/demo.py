"""`finops demo`: send realistic multi-agent traffic to a running finops through the OpenTelemetry SDK."""

from __future__ import annotations

import time

import typer

from finops.cli.common import fail, load_settings


def demo(
    endpoint: str | None = typer.Option(
        None,
        help="finops OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT "
        "[default: FINOPS_PUBLIC_URL or http://FINOPS_HOST:FINOPS_PORT, i.e. http://127.0.0.1:4318].",
    ),
    api_key: str | None = typer.Option(
        None, envvar="FINOPS_DEMO_API_KEY", help="The project's API key (printed by `finops serve` on first start)."
    ),
    days: int = typer.Option(14, min=1, max=30, help="Past days to fill (14 or more gives week-over-week baselines)."),
    workflows_per_day: int = typer.Option(40, min=5, max=2000, help="Mixed workflow runs per day (batch extra)."),
    seed: int = typer.Option(7, help="Same seed (within the same hour): the same traffic, stored only once."),
) -> None:
    """Send two weeks of realistic multi-agent traffic to a running finops.

    Support triage with prompt caching and bulky tool results, a research fan-out with reasoning tokens,
    invoice extraction whose calls fail and are retried, frontier-model classification, contract reviews
    that fail twice then succeed, nightly batch reports, an unpriced self-hosted model, a runaway agent
    loop in the last day and a cost spike in the last complete hour, spread over the past days.
    """
    from finops.demo.runner import NEXT_STEPS, DemoError, run_demo

    settings = load_settings()
    if not api_key:
        raise fail("an API key is needed: --api-key or FINOPS_DEMO_API_KEY (see `finops projects new-key default`)")
    target = endpoint or settings.resolved_public_url()
    typer.echo(f"sending {days} days of demo traffic ({workflows_per_day} mixed workflows a day) to {target}")
    began = time.monotonic()
    try:
        summary = run_demo(target, api_key, days, workflows_per_day, seed, progress=typer.echo)
    except DemoError as exc:
        raise fail(str(exc)) from exc
    typer.echo(
        f"\nsent {summary.spans:,} spans ({summary.calls:,} LLM calls) in {summary.runs:,} workflow runs over "
        f"{summary.days} days in {time.monotonic() - began:.1f}s; finops acknowledged {summary.exported_spans:,} spans"
    )
    typer.echo(f"cost spike: the last complete hour, {summary.spike_hour:%Y-%m-%d %H:00} UTC (support specialist)")
    typer.echo(
        "\nnext: the scheduler assembles, rolls up, alerts and recommends within minutes; to see it now:\n"
        f"  {NEXT_STEPS}\n"
        "then: finops cost --by workflow, finops workflows top, finops alerts list, finops recommendations list"
    )
