"""`finops alerts ...`: history, acknowledge, silence, channels, rules, budgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import typer

from finops.cli.common import apply_alerts_file, fail, load_settings, prepared_database, project_id_by_name

app = typer.Typer(help="Alerts: history, acknowledge, silence; channels, rules and budgets.", no_args_is_help=True)
channels_app = typer.Typer(help="Where alerts go (Slack incoming webhooks, signed webhooks).", no_args_is_help=True)
rules_app = typer.Typer(help="Which detectors run, per which scope, with which thresholds.", no_args_is_help=True)
budgets_app = typer.Typer(help="Spend budgets with 50/80/100% and forecast alerts.", no_args_is_help=True)
app.add_typer(channels_app, name="channels")
app.add_typer(rules_app, name="rules")
app.add_typer(budgets_app, name="budgets")

PROJECT = typer.Option("default", "--project", help="Project name.")


def _context(project: str) -> tuple[str, int]:
    url = prepared_database(load_settings())
    return url, project_id_by_name(url, project)


@app.command("list")
def list_alerts(
    status: str | None = typer.Option(None, help="firing or resolved."),
    days: int = typer.Option(7, min=1, help="Alerts fired in the last N days."),
    limit: int = typer.Option(50, "-n", min=1, max=1000),
    project: str = PROJECT,
) -> None:
    """Alert history: when, what, the numbers and the baseline."""
    from finops.alerts import repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    since = datetime.now(UTC) - timedelta(days=days)
    with get_engine(url).connect() as conn:
        alerts = repository.list_alerts(conn, project_id, status, since, limit)
    if not alerts:
        typer.echo("no alerts in this window")
        return
    typer.echo(f"{'ID':>6}  {'FIRED (UTC)':<16} {'STATUS':<9} {'ACK':<3} {'RULE':<24} TITLE")
    for alert in alerts:
        acked = "yes" if alert["acknowledged_at"] else ""
        typer.echo(
            f"{alert['id']:>6}  {alert['first_fired_at']:%Y-%m-%d %H:%M} {alert['status']:<9} {acked:<3}"
            f" {alert['rule'][:24]:<24} {alert['title']}"
        )
        typer.echo(f"{'':>8}observed {alert['observed']}, baseline {alert['baseline'] or '-'}; {alert['hint']}")


@app.command("ack")
def ack(alert_id: int, by: str | None = typer.Option(None, help="Who."), project: str = PROJECT) -> None:
    """Acknowledge an alert."""
    from finops.alerts import repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    with get_engine(url).begin() as conn:
        if not repository.acknowledge(conn, project_id, alert_id, by, datetime.now(UTC)):
            raise fail(f"no alert {alert_id}")
    typer.echo(f"alert {alert_id} acknowledged")


@app.command("silence")
def silence(
    rule: str | None = typer.Option(None, help="Rule name [default: every rule]."),
    scope_kind: str | None = typer.Option(None, help="workflow, agent, team, model, customer or project."),
    scope_value: str | None = typer.Option(None, help="e.g. the agent's name."),
    minutes: int = typer.Option(60, min=1, help="How long."),
    reason: str | None = typer.Option(None),
    project: str = PROJECT,
) -> None:
    """Mute notifications (alerts are still recorded)."""
    from finops.alerts import repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    until = datetime.now(UTC) + timedelta(minutes=minutes)
    values = {"rule": rule, "scope_kind": scope_kind, "scope_value": scope_value, "until": until, "reason": reason}
    with get_engine(url).begin() as conn:
        repository.add_silence(conn, project_id, values)
    typer.echo(f"silenced until {until:%Y-%m-%d %H:%M} UTC")


@channels_app.command("add")
def add_channel(
    name: str,
    kind: str = typer.Option(..., help="slack or webhook."),
    url: str = typer.Option(..., help="Slack incoming webhook URL, or your endpoint."),
    secret: str | None = typer.Option(None, help="whsec_... signing secret [default: generated]."),
    project: str = PROJECT,
) -> None:
    """Add or replace a channel; prints a webhook's signing secret once."""
    from finops.alerts import config, repository
    from finops.db.engine import get_engine

    settings = load_settings()
    db, project_id = _context(project)
    try:
        values = config.validate_channel(
            {"name": name, "kind": kind, "url": url, "secret": secret, "origin": "cli"},
            allow_private=settings.alerts_allow_private_urls,
        )
    except config.AlertConfigError as exc:
        raise fail(str(exc)) from exc
    with get_engine(db).begin() as conn:
        repository.upsert_channel(conn, project_id, values)
    typer.echo(f"channel {name} ({kind}) saved")
    if kind == "webhook" and not secret:
        typer.echo(f"signing secret (shown once; verify webhook-signature with it): {values['secret']}")


@channels_app.command("list")
def list_channels(project: str = PROJECT) -> None:
    """Channels with their kind and host (URLs and secrets are not printed in full)."""
    from urllib.parse import urlsplit

    from finops.alerts import repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    with get_engine(url).connect() as conn:
        found = repository.channels(conn, project_id, enabled_only=False)
    for channel in found:
        state = "enabled" if channel["enabled"] else "disabled"
        typer.echo(f"{channel['name']:<24} {channel['kind']:<8} {urlsplit(channel['url']).netloc:<30} {state}")
    if not found:
        typer.echo("no channels: add one with `finops alerts channels add NAME --kind slack --url ...`")


@rules_app.command("list")
def list_rules(project: str = PROJECT) -> None:
    """Effective rules (defaults and the project's own)."""
    from finops.alerts import config
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    with get_engine(url).connect() as conn:
        rules = config.effective_rules(conn, project_id)
    for rule in rules:
        channels = ",".join(rule.channels) or "all"
        typer.echo(
            f"{rule.name:<26} {rule.detector:<24} per {rule.scope_kind:<9} channels {channels:<16} {rule.params}"
        )


@rules_app.command("set")
def set_rule(
    name: str,
    detector: str = typer.Option(..., help="cost_spike, cost_per_success_drift, runaway_run, ..."),
    scope: str = typer.Option("project", help="project, workflow, agent, team, model."),
    param: list[str] = typer.Option([], help="KEY=VALUE detector parameter (repeatable), e.g. threshold=0.8."),
    channel: list[str] = typer.Option([], help="Channel name (repeatable) [default: all]."),
    cooldown_minutes: int = typer.Option(60, min=0),
    disable: bool = typer.Option(False, help="Switch the rule (or the default of that name) off."),
    project: str = PROJECT,
) -> None:
    """Add, change or switch off a rule; a rule named like a default overrides it."""
    from finops.alerts import config, repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    params: dict[str, object] = {}
    for item in param:
        key, _, value = item.partition("=")
        if not key or not value:
            raise fail(f"--param {item!r}: write KEY=VALUE")
        params[key] = _number(value)
    try:
        values = config.validate_rule(
            {"name": name, "detector": detector, "scope_kind": scope, "params": params, "channels": channel,
             "cooldown_minutes": cooldown_minutes, "enabled": not disable, "origin": "cli"}
        )  # fmt: skip
    except config.AlertConfigError as exc:
        raise fail(str(exc)) from exc
    with get_engine(url).begin() as conn:
        repository.upsert_rule(conn, project_id, values)
    typer.echo(f"rule {name} saved" + (" (disabled)" if disable else ""))


def _number(value: str) -> object:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


@budgets_app.command("set")
def set_budget(
    name: str,
    amount: Decimal = typer.Option(..., help="Budget per period, in the currency."),
    scope: str = typer.Option("project", help="project, team, workflow or customer."),
    value: str | None = typer.Option(None, help="The team's / workflow's / customer's name."),
    period: str = typer.Option("month", help="day, week or month."),
    threshold: list[int] = typer.Option([50, 80, 100], help="Percentages that alert (repeatable)."),
    channel: list[str] = typer.Option([], help="Channel name (repeatable) [default: all]."),
    project: str = PROJECT,
) -> None:
    """Add or change a budget; each threshold alerts once per period, plus a forecast alert."""
    from finops.alerts import config, repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    try:
        values = config.validate_budget(
            {"name": name, "amount": amount, "scope_kind": scope, "scope_value": value, "period": period,
             "thresholds": threshold, "channels": channel, "origin": "cli"}
        )  # fmt: skip
    except config.AlertConfigError as exc:
        raise fail(str(exc)) from exc
    with get_engine(url).begin() as conn:
        repository.upsert_budget(conn, project_id, values)
    typer.echo(f"budget {name}: {amount} per {period} for {scope}{' ' + value if value else ''}")


@budgets_app.command("list")
def list_budgets(project: str = PROJECT) -> None:
    """Budgets."""
    from finops.alerts import repository
    from finops.db.engine import get_engine

    url, project_id = _context(project)
    with get_engine(url).connect() as conn:
        found = repository.budgets(conn, project_id)
    for budget in found:
        scope = budget["scope_kind"] + (f" {budget['scope_value']}" if budget["scope_value"] else "")
        typer.echo(
            f"{budget['name']:<24} {budget['amount']:>12} {budget['currency']} per {budget['period']:<6} {scope}"
        )
    if not found:
        typer.echo("no budgets: add one with `finops alerts budgets set NAME --amount 5000`")


@app.command("load")
def load(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="YAML alert configuration.")) -> None:
    """Apply a YAML file of channels, rules and budgets (the format FINOPS_ALERTS_FILE uses)."""
    settings = load_settings()
    settings.alerts_file = file
    apply_alerts_file(settings, prepared_database(settings))
