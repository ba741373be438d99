"""A topic vote's tally as a bar chart for a phone (see bot/documents/charts.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.documents.charts import Bars, phone_chart


def tally_chart(title: str, bars: Sequence[tuple[str, int]], *, axis_label: str) -> bytes:
    """Bars from the most voted (top) down; labels as given (already translated).

    `axis_label` names what is counted ("Votes"): it goes in the title, as a phone has no
    room for an axis."""
    return phone_chart(Bars(f"{title} ({axis_label.lower()})", list(bars)), empty="—")
