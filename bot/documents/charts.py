"""Chart images (/stats, a topic vote's tally): PNG bytes drawn off-screen with matplotlib's Agg canvas.

The Figure is built without pyplot, so no global state or display is involved and two charts
drawn at once (in worker threads) do not share anything.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch


@dataclass(frozen=True)
class Bars:
    title: str
    bars: Sequence[tuple[str, int]]  # (label, value), drawn in this order


@dataclass(frozen=True)
class StackedBars:
    """Bars made of one segment per series (leaders trained per topic, split by sex)."""

    title: str
    series: Sequence[str]  # the legend, in the segments' order
    bars: Sequence[tuple[str, Sequence[int]]]  # (label, a value per series), drawn in this order


SERIES_COLOURS = ("#2f6f9f", "#e08a2c", "#6aa84f", "#9e9e9e")

# Phone first: one chart per image, portrait, drawn for a 390-pixel-wide screen. The image is
# 1080 pixels wide, and a phone shows it about 320 wide: 16-point text at 200 dpi is about
# 13 pixels there, readable without zooming. Each bar has its label on a line of its own above
# it, across the whole width, wrapped rather than cut.
WIDTH_INCHES = 5.4
DPI = 200
PORTRAIT = 1.25  # height to width, at least
LABEL_POINTS, VALUE_POINTS, TITLE_POINTS = 16, 16, 19
LABEL_CHARACTERS = 34  # per line of a bar's label at LABEL_POINTS across the width
TITLE_CHARACTERS = 30
ROW_INCHES = 0.84  # one bar with a one-line label above it; a second line adds LINE_INCHES
LINE_INCHES = 0.27


def phone_charts(panels: Sequence[Bars | StackedBars], *, empty: str) -> list[bytes]:
    """One portrait PNG per panel, in the panels' order; a panel without bars says `empty`."""
    return [phone_chart(panel, empty=empty) for panel in panels]


def phone_chart(panel: Bars | StackedBars, *, empty: str) -> bytes:
    figure = phone_figure(panel, empty=empty)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def phone_figure(panel: Bars | StackedBars, *, empty: str) -> Figure:
    """The chart as a matplotlib Figure (its texts can be read back in tests)."""
    labels = [textwrap.wrap(label, LABEL_CHARACTERS) or [""] for label, _values in panel.bars]
    title = textwrap.fill(panel.title, TITLE_CHARACTERS)
    legend_columns, legend_rows = 1, 0
    if isinstance(panel, StackedBars):  # the legend on one line when it fits the width, else in two columns
        legend_columns = len(panel.series) if sum(len(name) + 5 for name in panel.series) <= 44 else 2
        legend_rows = -(-len(panel.series) // legend_columns)
    title_inches = 0.5 + 0.36 * title.count("\n") + 0.42 * legend_rows
    rows_inches = sum(ROW_INCHES + LINE_INCHES * (len(lines) - 1) for lines in labels) or 1.0
    height = max(WIDTH_INCHES * PORTRAIT, title_inches + rows_inches + 0.35)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.text(0.04, 1 - 0.18 / height, title, fontsize=TITLE_POINTS, fontweight="bold", va="top", ha="left")
    top = 1 - title_inches / height
    axes = figure.add_axes((0.04, 0.3 / height, 0.92, top - 0.3 / height - 0.05 / height))
    axes.set_axis_off()
    if not panel.bars:
        axes.text(0.5, 0.9, empty, ha="center", va="top", transform=axes.transAxes, fontsize=LABEL_POINTS, color="#666666")
        return figure
    # y in inches from the top of the axes, downwards: each row is its label, then its bar.
    area = top * height - 0.35
    axes.set_ylim(area, 0)
    totals = [sum(values) if isinstance(values, Sequence) else values for _label, values in panel.bars]
    widest = max(max(totals), 1)
    axes.set_xlim(0, widest * 1.18)
    y = 0.0
    for (_label, values), lines, total in zip(panel.bars, labels, totals, strict=True):
        axes.text(0, y + 0.05, "\n".join(lines), fontsize=LABEL_POINTS, va="top", ha="left")
        bar_y = y + 0.05 + 0.3 * len(lines) + 0.2
        segments = list(values) if isinstance(values, Sequence) else [values]
        left = 0
        for index, value in enumerate(segments):
            axes.barh(bar_y, value, left=left, height=0.3, color=SERIES_COLOURS[index % len(SERIES_COLOURS)])
            left += value
        axes.text(total + widest * 0.02, bar_y, str(total), fontsize=VALUE_POINTS, va="center", ha="left")
        y += ROW_INCHES + LINE_INCHES * (len(lines) - 1)
    if isinstance(panel, StackedBars):
        handles = [Patch(color=SERIES_COLOURS[index % len(SERIES_COLOURS)], label=name) for index, name in enumerate(panel.series)]
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.03, top + 0.42 * legend_rows / height), ncols=legend_columns,
                      fontsize=LABEL_POINTS - 1, frameon=False, handlelength=1.2, columnspacing=1.0)
    return figure
