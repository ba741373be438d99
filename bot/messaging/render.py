"""A notice as the recipient reads it: their language, their plural forms, their dates.

The text keeps the catalogs' small markup (<b>, <i>, links) with everyone's own words escaped,
which Telegram shows as it is and another channel converts; the choices keep their stable ids.
Parts only a channel can write (its help, a card) are asked of the channel (`ChannelParts`).
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from bot.core.i18n import Translator
from bot.ruos.requirements import localized

# name -> writes that part for one recipient (given its args and the recipient's translator)
ChannelParts = Mapping[str, Callable[[Mapping[str, Any], Translator], Awaitable[str]]]


@dataclass(frozen=True)
class Screen:
    text: str
    # rows of (label, choice id), laid out as the notice's choices are
    choices: tuple[tuple[tuple[str, str], ...], ...] = ()


async def render(payload: Mapping[str, Any], i18n: Translator, parts: ChannelParts) -> Screen:
    pieces = []
    for piece in payload["says"]:
        if "part" in piece:
            pieces.append(await parts[piece["part"]](piece.get("args", {}), i18n))
        else:
            pieces.append(written(piece, i18n))
    choices = tuple(
        tuple((i18n.gettext(choice["label"]) if "label" in choice else choice["words"], choice["id"]) for choice in row)
        for row in payload.get("choices", ())
    )
    return Screen("".join(pieces), choices)


def written(piece: Mapping[str, Any], i18n: Translator) -> str:
    if "text" in piece:
        words = html.escape(piece["text"])
        return f"<i>{words}</i>" if piece.get("style") == "italic" else words
    if "plural" in piece:
        template = i18n.ngettext(piece["msgid"], piece["plural"], piece["n"])
    else:
        template = i18n.gettext(piece["msgid"])
    params = piece.get("params") or {}
    return template % {name: value_text(value, i18n) for name, value in params.items()} if params else template


def value_text(value: Any, i18n: Translator) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if not isinstance(value, Mapping):
        return str(value)
    if "label" in value:
        return i18n.gettext(value["label"])
    if "date" in value:
        return i18n.date(date.fromisoformat(value["date"]), value.get("style", "long"))
    if "datetime" in value:
        return i18n.datetime(datetime.fromisoformat(value["datetime"]), value.get("style", "medium"))
    if "number" in value:
        return i18n.number(value["number"])
    if "soles" in value:
        return soles(i18n, value["soles"])
    if "localized" in value:
        texts = value["localized"]
        return html.escape(texts if isinstance(texts, str) else localized(texts, i18n.language))
    if "span" in value:
        starts_at, ends_at = (datetime.fromisoformat(moment) for moment in value["span"])
        return when_text(i18n, starts_at, ends_at)
    if "message" in value:
        return written(value["message"], i18n)
    raise ValueError(f"a notice parameter of no known form: {sorted(value)}")


def when_text(i18n: Translator, starts_at: datetime, ends_at: datetime) -> str:
    """The day once and both times when a session fits in one local day, as nearly all do."""
    if starts_at.astimezone(i18n.zone).date() != ends_at.astimezone(i18n.zone).date():
        return i18n.gettext("%(start)s to %(end)s") % {
            "start": i18n.datetime(starts_at, "short"), "end": i18n.datetime(ends_at, "short"),
        }
    return i18n.gettext("%(day)s, %(start)s to %(end)s") % {
        "day": i18n.date(starts_at, "full"), "start": i18n.time(starts_at), "end": i18n.time(ends_at),
    }


def soles(i18n: Translator, cents: int | None) -> str:
    if cents is None:
        return "—"
    # Soles are written as in Peru in Spanish too (S/ 2,500.00), not with Spain's separators.
    locale = "es_PE" if i18n.language == "es" else i18n.locale
    return "S/ " + format_decimal(Decimal(cents) / 100, format="#,##0.00", locale=locale)
