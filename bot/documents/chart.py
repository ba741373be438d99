"""A topic vote's tally as a horizontal bar chart (PNG, matplotlib without a display)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend


def tally_chart(title: str, bars: Sequence[tuple[str, int]], *, axis_label: str) -> bytes:
    """Bars from the most voted (top) down; labels as given (already translated)."""
    figure = Figure(figsize=(8, 0.6 * max(len(bars), 3) + 1.5), dpi=100)
    axes = figure.add_subplot()
    labels = [label for label, _count in bars][::-1]
    counts = [count for _label, count in bars][::-1]
    drawn = axes.barh(labels, counts, color="#2b6ca3")
    axes.bar_label(drawn, padding=3)
    axes.set_title(title)
    axes.set_xlabel(axis_label)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
