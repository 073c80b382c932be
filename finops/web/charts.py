"""A daily spend bar chart as hand-written inline SVG (pure: numbers in, markup out; no script, no font file)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

from finops.web.formatting import money

WIDTH, HEIGHT = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28


def _nice_step(top: float, ticks: int = 4) -> float:
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _tick_label(value: float) -> str:
    if value >= 1000:
        return f"${value:,.0f}"
    if value >= 1 or value == 0:
        return f"${value:,.2f}".replace(".00", "")
    return f"${value:.4f}".rstrip("0").rstrip(".") if value >= 0.0001 else f"${value:.2g}"


def daily_spend_svg(days: Sequence[date], costs: Sequence[Decimal]) -> Markup | None:
    """Bars per day with dollar gridlines; None when every day is zero (the page shows an empty state)."""
    if not days or not any(costs):
        return None
    top = float(max(costs))
    step = _nice_step(top)
    ceiling = step * math.ceil(top / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(days)
    bar = max(1.0, slot * 0.7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="Daily spend" xmlns="http://www.w3.org/2000/svg">'
    ]
    value = 0.0
    while value <= ceiling + step / 2:
        y = TOP + plot_h - plot_h * value / ceiling
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_tick_label(value)}</text>')
        value += step
    label_every = max(1, math.ceil(len(days) / 10))
    for index, (day, cost) in enumerate(zip(days, costs, strict=True)):
        x = LEFT + index * slot + (slot - bar) / 2
        height = plot_h * float(cost) / ceiling
        y = TOP + plot_h - height
        title = escape(f"{day:%a %d %b %Y}: {money(cost)}")
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" rx="2" class="bar">'
            f"<title>{title}</title></rect>"
        )
        last_fits = index == len(days) - 1 and index % label_every >= (label_every + 1) // 2
        if index % label_every == 0 or last_fits:
            cx = LEFT + index * slot + slot / 2
            parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">{day:%d %b}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
