"""Chart images for /stats: PNG bytes drawn off-screen with matplotlib's Agg canvas.

The Figure is built without pyplot, so no global state or display is involved and two charts
drawn at once (in worker threads) do not share anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


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


def bar_charts(panels: Sequence[Bars | StackedBars], *, title: str, empty: str) -> bytes:
    """Horizontal bar charts, one panel per series, stacked; a panel without bars says `empty`."""
    heights = [max(1.6, 0.38 * max(len(panel.bars), 1) + 1.0 + (0.6 if isinstance(panel, StackedBars) else 0))
               for panel in panels]
    total = sum(heights) + 0.8  # inches; the title keeps 0.75 of them at the top, however tall
    figure = Figure(figsize=(7.0, total), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=13, fontweight="bold", y=1 - 0.12 / total, va="top")
    grid = figure.add_gridspec(len(panels), 1, height_ratios=heights, hspace=0.55)
    for index, panel in enumerate(panels):
        axes = figure.add_subplot(grid[index])
        axes.set_title(panel.title, fontsize=11, loc="left")
        if not panel.bars:
            axes.text(0.5, 0.5, empty, ha="center", va="center", transform=axes.transAxes, color="#666666")
            axes.set_axis_off()
            continue
        if isinstance(panel, StackedBars):
            _draw_stacked(axes, panel)
            continue
        labels = [label for label, _value in panel.bars][::-1]
        values = [value for _label, value in panel.bars][::-1]
        drawn = axes.barh(labels, values, color="#2f6f9f")
        axes.bar_label(drawn, padding=3, fontsize=9)
        axes.set_xlim(0, max(values) * 1.15 + 1)
        axes.tick_params(axis="y", labelsize=9)
        axes.tick_params(axis="x", labelsize=8)
        axes.xaxis.get_major_locator().set_params(integer=True)  # people and organizations come whole
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.subplots_adjust(left=0.38, right=0.95, top=1 - 0.75 / total, bottom=0.3 / total)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw_stacked(axes, panel: StackedBars) -> None:  # noqa: ANN001 - matplotlib's Axes
    labels = [label for label, _values in panel.bars][::-1]
    left = [0] * len(labels)
    for index, name in enumerate(panel.series):
        values = [values[index] for _label, values in panel.bars][::-1]
        axes.barh(labels, values, left=left, color=SERIES_COLOURS[index % len(SERIES_COLOURS)], label=name)
        left = [start + value for start, value in zip(left, values, strict=True)]
    for position, total in enumerate(left):
        axes.text(total, position, f" {total}", va="center", fontsize=9)
    axes.set_xlim(0, max(left) * 1.15 + 1)
    axes.tick_params(axis="y", labelsize=9)
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=len(panel.series), fontsize=8, frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
