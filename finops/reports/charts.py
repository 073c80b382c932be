"""Charts for HTML reports, as inline SVG made with matplotlib (pure: data in, markup out).

Figures are built with the object API on an Agg canvas (no pyplot, no global backend switch, safe in
threads) and saved as SVG with glyphs drawn as paths, so the markup needs no font and no other resource.
The XML prologue and DOCTYPE are stripped, element ids are prefixed per chart (several charts share one
HTML document), and the size follows the page (width 100%, height from the viewBox).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

THIS_WEEK = "#2563eb"
LAST_WEEK = "#b6bcc6"
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#9ca3af")
_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#9ca3af",
    "axes.labelcolor": "#374151",
    "xtick.color": "#374151",
    "ytick.color": "#374151",
    "svg.fonttype": "path",
}
Number = Decimal | float | int


def _money_tick(value: float, _position: object = None) -> str:
    if abs(value) >= 1000:
        return f"${value:,.0f}"
    return f"${value:,.2f}" if value % 1 else f"${value:,.0f}"


def _value_label(value: Number | None) -> str:
    """A bar's value: cents, or four decimals under a dollar (unit costs)."""
    if value is None:
        return "n/a"
    number = float(value)
    return f"${number:,.4f}" if 0 < abs(number) < 1 else f"${number:,.2f}"


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def to_svg(figure: Figure, name: str) -> str:
    """The figure as inline SVG markup: no prologue, ids unique to `name`, scaled to its container."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if ids:
        pattern = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        svg = re.sub(rf'(\bid="|#)({pattern})(?=["\)])', rf"\g<1>{name}-\g<2>", svg)
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        rf'<svg\1 width="100%" role="img" class="chart" aria-label="{name}"',
        svg,
        count=1,
    )
    return svg.strip()


def daily_spend_chart(days: Sequence[str], this_week: Sequence[Number], last_week: Sequence[Number]) -> str | None:
    """Bars per day: last week's same weekday (grey) next to this week's (blue)."""
    if not any(this_week) and not any(last_week):
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(10, 3.2)
        axes = figure.add_subplot()
        positions = range(len(days))
        axes.bar([p - 0.2 for p in positions], [float(v) for v in last_week], 0.4, label="Last week", color=LAST_WEEK)
        axes.bar([p + 0.2 for p in positions], [float(v) for v in this_week], 0.4, label="This week", color=THIS_WEEK)
        axes.set_xticks(list(positions), list(days))
        axes.yaxis.set_major_formatter(FuncFormatter(_money_tick))
        axes.grid(axis="y", color="#e5e7eb", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2)
        return to_svg(figure, "daily-spend")


def paired_bars_chart(
    name: str, labels: Sequence[str], this_week: Sequence[Number | None], last_week: Sequence[Number | None]
) -> str | None:
    """Horizontal bars per label, this week over last week, each with its value in dollars."""
    if not labels:
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(10, 1.0 + 0.5 * len(labels))
        axes = figure.add_subplot()
        rows = list(range(len(labels)))[::-1]  # first label on top
        for offset, values, color, label in ((0.2, this_week, THIS_WEEK, "This week"),
                                             (-0.2, last_week, LAST_WEEK, "Last week")):  # fmt: skip
            numbers = [float(v) if v is not None else 0.0 for v in values]
            bars = axes.barh([r + offset for r in rows], numbers, 0.4, color=color, label=label)
            axes.bar_label(
                bars, labels=[_value_label(v) for v in values],
                padding=3, fontsize=8, color="#374151",
            )  # fmt: skip
        axes.set_yticks(rows, list(labels))
        axes.xaxis.set_major_formatter(FuncFormatter(_money_tick))
        axes.margins(x=0.15)
        axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncols=2, reverse=True)
        return to_svg(figure, name)


def mix_chart(
    names: Sequence[str], this_week: Sequence[Number | None], last_week: Sequence[Number | None]
) -> str | None:
    """Two 100% stacked bars (last week, this week) of each name's share, e.g. of cost per model."""
    if not names or (not any(this_week) and not any(last_week)):
        return None
    with matplotlib.rc_context(_STYLE):
        figure = _figure(10, 1.9)
        axes = figure.add_subplot()
        lefts = [0.0, 0.0]
        for index, name in enumerate(names):
            widths = [float(last_week[index] or 0), float(this_week[index] or 0)]
            color = PALETTE[index % len(PALETTE)]
            axes.barh([0, 1], widths, 0.6, left=lefts, color=color, label=name, edgecolor="white", linewidth=0.8)
            for row, (left, width) in enumerate(zip(lefts, widths, strict=True)):
                if width >= 0.07:
                    axes.text(
                        left + width / 2, row, f"{width:.0%}", ha="center", va="center", color="white", fontsize=8
                    )
            lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
        axes.set_yticks([0, 1], ["Last week", "This week"])
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(1.0))
        axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=min(len(names), 5))
        return to_svg(figure, "model-mix")
