"""Rendering of the weekly cost review (pure: WeeklyData in, text out).

`render_weekly` gives one self-contained HTML file (inline CSS and SVG charts, no script, no link to
anything; a Content-Security-Policy forbids fetching anything, so it reads the same offline and in a
mail attachment). `summary_text` gives the headline in three lines for Slack or a webhook. Amounts are
rounded here, once: cents for totals, four decimals for unit costs under a dollar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from finops.reports import charts
from finops.reports.weekly_data import Mover, WeeklyData

TEMPLATES = Path(__file__).parent / "templates"
CHART_WORKFLOWS = 10  # workflows in the cost-per-success chart
CHART_MODELS = 6  # models in the mix chart before "other"
UNATTRIBUTED = "(unattributed)"


# ------------------------------------------------------------------------------------------- formats


def money(value: Decimal | None, places: int = 2) -> str:
    """$1,234.56; -$12.00; n/a for None."""
    if value is None:
        return "n/a"
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"${abs(rounded):,.{places}f}"
    return f"-{text}" if rounded < 0 else text


def unit_money(value: Decimal | None) -> str:
    """A unit cost: four decimals under a dollar ($0.0425), cents above."""
    if value is None:
        return "n/a"
    return money(value, 4 if 0 < abs(value) < 1 else 2)


def signed_money(value: Decimal | None) -> str:
    """+$12.34 / -$12.34."""
    if value is None:
        return "n/a"
    text = money(value)
    return text if text.startswith("-") else f"+{text}"


def percent(fraction: Decimal | float | None, signed: bool = True) -> str:
    """A fraction as a percentage with one decimal: 0.14 -> +14.0%."""
    if fraction is None:
        return "n/a"
    value = (Decimal(str(fraction)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:+,.1f}%" if signed else f"{value:,.1f}%"


def points(current: float | None, previous: float | None) -> str:
    """Difference of two rates in percentage points: +3.2 pts."""
    if current is None or previous is None:
        return "n/a"
    value = ((Decimal(str(current)) - Decimal(str(previous))) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value:+.1f} pts"


def label(name: str | None) -> str:
    return UNATTRIBUTED if name is None else name


def about_weeks(weeks: float) -> str:
    count = max(1, round(weeks))
    return "about a week" if count == 1 else f"about {count} weeks"


def week_label(data: WeeklyData) -> str:
    first, last = data.start.date(), data.last_day
    return f"{data.week} (Mon {first:%-d %b} to Sun {last:%-d %b %Y}, UTC)"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


# ----------------------------------------------------------------------------------------- sentences


def spend_sentence(data: WeeklyData) -> str:
    spend, previous, growth = data.spend, data.previous_spend, data.spend_change
    if spend == 0 and previous == 0:
        return "No LLM spend was recorded this week or the week before."
    if growth is None:
        return f"Spend was {money(spend)} this week; none was recorded the week before."
    if growth == 0:
        return f"Spend was flat at {money(spend)}."
    direction = "rose" if growth > 0 else "fell"
    sentence = f"Spend {direction} {percent(abs(growth), signed=False)} to {money(spend)} (last week {money(previous)})"
    doubling = data.projection.doubling_weeks
    if doubling is not None:
        sentence += f"; at this rate it doubles in {about_weeks(doubling)}"
    return sentence + "."


def projection_sentence(data: WeeklyData) -> str | None:
    projection = data.projection
    if projection.growth is None or projection.growth == 0 or data.spend == 0:
        return None
    return (
        f"If that week-over-week change of {percent(projection.growth)} holds, weekly spend will be "
        f"{money(projection.in_4_weeks)} in 4 weeks and {money(projection.in_8_weeks)} in 8 weeks."
    )


def cost_per_success_sentence(data: WeeklyData) -> str | None:
    if data.runs == 0:
        return None
    if data.cost_per_success is None:
        return f"None of this week's {_plural(data.runs, 'workflow run')} succeeded."
    sentence = (
        f"One successful workflow cost {unit_money(data.cost_per_success)} on average, failed attempts included "
        f"({data.successful_runs:,} of {_plural(data.runs, 'run')} succeeded)"
    )
    trend = data.cost_per_success_change
    if trend is not None and trend != 0:
        direction = "up" if trend > 0 else "down"
        sentence += (
            f", {direction} {percent(abs(trend), signed=False)} from {unit_money(data.previous_cost_per_success)}"
        )
    return sentence + "."


def movers_sentence(data: WeeklyData) -> str | None:
    parts = [f"{m.dimension} {label(m.name)} {signed_money(m.delta)}" for m in (g.up[0] for g in data.movers if g.up)]
    return f"Biggest increases: {', '.join(parts)}." if parts else None


def cache_sentence(data: WeeklyData) -> str | None:
    if data.cache_hit_rate is None:
        return None
    sentence = f"{percent(data.cache_hit_rate, signed=False)} of prompt tokens were read from cache"
    if data.previous_cache_hit_rate is not None:
        sentence += f" ({percent(data.previous_cache_hit_rate, signed=False)} last week)"
    return sentence + "."


def alerts_sentence(data: WeeklyData) -> str:
    if not data.alerts:
        return "No alerts fired this week."
    firing = sum(1 for alert in data.alerts if alert.status == "firing")
    tail = f" ({firing} still firing)" if firing else ""
    return f"{_plural(len(data.alerts), 'alert')} fired this week{tail}."


def unpriced_sentence(data: WeeklyData) -> str | None:
    if not data.unpriced:
        return None
    calls = sum(model.calls for model in data.unpriced)
    return (
        f"{_plural(len(data.unpriced), 'model')} had {_plural(calls, 'call')} with no price: their cost is missing "
        "from these totals until prices are added."
    )


def sentences(data: WeeklyData) -> list[str]:
    found: Iterable[str | None] = (
        spend_sentence(data), projection_sentence(data), cost_per_success_sentence(data), movers_sentence(data),
        cache_sentence(data), alerts_sentence(data), unpriced_sentence(data),
    )  # fmt: skip
    return [sentence for sentence in found if sentence]


# -------------------------------------------------------------------------------------------- charts


def build_charts(data: WeeklyData) -> dict[str, Markup | None]:
    days = [f"{d.day:%a} {d.day.day}" for d in data.daily]
    workflows = [w for w in data.workflows if w.cost_per_success is not None or w.previous_cost_per_success is not None]
    workflows = workflows[:CHART_WORKFLOWS]
    models, other = data.model_mix[:CHART_MODELS], data.model_mix[CHART_MODELS:]
    names = [label(row.name) for row in models]
    this_shares = [row.cost_share for row in models]
    last_shares = [row.previous_cost_share for row in models]
    if other:
        names.append("other")
        this_shares.append(sum((row.cost_share or Decimal(0) for row in other), Decimal(0)))
        last_shares.append(sum((row.previous_cost_share or Decimal(0) for row in other), Decimal(0)))
    made = {
        "daily": charts.daily_spend_chart(days, [d.cost for d in data.daily], [d.previous_cost for d in data.daily]),
        "cost_per_success": charts.paired_bars_chart(
            "cost-per-success", [w.name for w in workflows],
            [w.cost_per_success for w in workflows], [w.previous_cost_per_success for w in workflows],
        ),
        "model_mix": charts.mix_chart(names, this_shares, last_shares),
    }  # fmt: skip
    # Our own matplotlib output, ids rewritten by charts.to_svg: trusted markup.
    return {key: Markup(svg) if svg else None for key, svg in made.items()}


# -------------------------------------------------------------------------------------------- output


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        money=money, unit_money=unit_money, signed_money=signed_money, percent=percent, label=label
    )
    environment.globals.update(points=points)
    return environment


def render_weekly(data: WeeklyData, *, project: str, generated_at: datetime) -> str:
    """The weekly review as one self-contained HTML document."""
    template = _environment().get_template("weekly.html.j2")
    return template.render(
        data=data,
        project=project,
        generated_at=generated_at,
        week_label=week_label(data),
        sentences=sentences(data),
        charts=build_charts(data),
        movers_by_dimension={group.dimension: group for group in data.movers},
        top_mover=_top_mover(data),
    )


def _top_mover(data: WeeklyData) -> Mover | None:
    ups = [group.up[0] for group in data.movers if group.up]
    return max(ups, key=lambda m: m.delta) if ups else None


def summary_text(data: WeeklyData) -> str:
    """The headline in two or three lines, for Slack or a webhook."""
    growth = data.spend_change
    trend = f"{percent(growth)} week over week" if growth is not None else "no spend the week before"
    doubling = data.projection.doubling_weeks
    if doubling is not None:
        trend += f"; at this rate it doubles in {about_weeks(doubling)}"
    lines = [f"Weekly AI cost review {data.week}: spend {money(data.spend)} ({trend})."]
    if data.runs:
        cps_trend = data.cost_per_success_change
        lines.append(
            f"Cost per successful workflow {unit_money(data.cost_per_success)}"
            + (f" ({percent(cps_trend)})" if cps_trend is not None else "")
            + f"; {data.successful_runs:,} of {_plural(data.runs, 'run')} succeeded."
        )
    extras = [alerts_sentence(data).rstrip(".")]
    mover = _top_mover(data)
    if mover is not None:
        extras.insert(0, f"biggest increase {mover.dimension} {label(mover.name)} {signed_money(mover.delta)}")
    if data.unpriced:
        extras.append(f"{_plural(len(data.unpriced), 'unpriced model')}")
    text = "; ".join(extras)
    lines.append(text[0].upper() + text[1:] + ".")
    return "\n".join(lines)
