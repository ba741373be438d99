"""What the bot shows a person, whatever the channel: a screen of text, choices and files.

The domain says *what* to show; each channel (handlers/screens.py for Telegram,
handlers/whatsapp/render.py for WhatsApp) says *how*, with its own widgets. A choice's `id` is
the stable code a press brings back: on Telegram it is the button's callback data exactly as
before screens existed, so buttons already sitting in people's chats keep working.

The text's markup is a small, closed subset of HTML that both channels can render:

- ``<b>bold</b>``, ``<i>italic</i>``, ``<a href="https://…">a link</a>``, and ``<code>text to
  copy</code>`` (a format a coordinator types, shown monospace);
- ``&amp;``, ``&lt;``, ``&gt;``, ``&quot;`` and ``&#x27;`` for those characters;
- nothing else (no other tag, no attribute but ``href``).

It was chosen over a list of spans because the catalogs' strings already use it ("how many are
<b>Peruvian</b>?"): a translated string is a screen's text as it is, and Telegram's HTML shows
it byte for byte as before. Whatever a person typed goes in through `escape`, so a name with
``<`` or ``*`` or ``_`` in it stays text on every channel (WhatsApp's renderer turns only tags
into its ``*bold*`` / ``_italic_``, never a character that was typed).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.core.textlimits import CALLBACK_DATA_LIMIT, Page, page_of

escape = html.escape  # typed text into markup (quotes too, so it is safe inside href="…")

# The tags a screen's text may hold, and everything else it may hold between them.
MARKUP_TAGS = frozenset({"b", "i", "a", "code"})
_TAG = re.compile(r"<(/?)([a-zA-Z]+)((?:\s+[^<>]*)?)>")
_HREF = re.compile(r"""^\s+href="([^"<>]*)"\s*$""")
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27|#39);")


class MarkupError(ValueError):
    """A screen's text uses markup that not every channel can render."""


def bold(text: str) -> str:
    """Markup already escaped, in bold (pass typed text through `escape` first)."""
    return f"<b>{text}</b>"


def italic(text: str) -> str:
    return f"<i>{text}</i>"


def link(text: str, url: str) -> str:
    return f'<a href="{escape(url)}">{text}</a>'


def check_markup(text: str) -> str:
    """The text, if it keeps to the screens' markup (balanced b / i / a / code tags, escaped `&` and
    `<`); else MarkupError naming what is wrong. Returns the text, to use inline."""
    still_open: list[str] = []
    for match in _TAG.finditer(text):
        closing, name, attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if name not in MARKUP_TAGS:
            raise MarkupError(f"<{name}> is not screen markup")
        if closing:
            if not still_open or still_open.pop() != name:
                raise MarkupError(f"</{name}> closes nothing")
        else:
            if (name == "a") != bool(attributes.strip()) or (name == "a" and not _HREF.match(attributes)):
                raise MarkupError(f"<{name}{attributes}> has attributes screens cannot render")
            still_open.append(name)
    if still_open:
        raise MarkupError(f"<{still_open[-1]}> is never closed")
    rest = _ENTITY.sub("", _TAG.sub("", text))
    if "<" in rest or ">" in rest or "&" in rest:
        raise MarkupError("a bare <, > or & (escape typed text)")
    return text


@dataclass(frozen=True)
class Choice:
    """Something to press: `id` is what comes back (Telegram's callback data, as today);
    `label` is short (a button on a phone); `description` is the longer wording where a channel
    has room for it (a WhatsApp list row); `url` makes it a link instead of a choice."""

    id: str
    label: str
    description: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if self.url:
            if not self.url.startswith(("https://", "http://", "tg://")):
                raise ValueError(f"a link choice needs a web address, not {self.url!r}")
        elif not self.id or len(self.id.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"a choice id must be 1 to {CALLBACK_DATA_LIMIT} bytes: {self.id!r}")

    @property
    def is_link(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class File:
    """A file that goes with a screen: its bytes, or a reference to one the bot stored
    (`stored`, the stored file's id), with the name and type the person sees."""

    name: str
    mime: str
    data: bytes | None = field(default=None, repr=False)
    stored: str | None = None
    caption: str = ""  # screen markup

    def __post_init__(self) -> None:
        if (self.data is None) == (self.stored is None):
            raise ValueError("a file carries either its bytes or a stored file's reference")


Row = tuple[Choice, ...]


@dataclass(frozen=True)
class Screen:
    """One thing to show: text (screen markup), choices laid out in rows as a phone shows them,
    files. `contact_label`, when set, is a "share my phone number" button where the channel has
    one (Telegram); elsewhere the person types the number."""

    text: str
    rows: tuple[Row, ...] = ()
    files: tuple[File, ...] = ()
    contact_label: str = ""

    @property
    def choices(self) -> tuple[Choice, ...]:
        """Every choice, row after row: the order numbers typed on WhatsApp count in."""
        return tuple(choice for row in self.rows for choice in row)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id and not c.is_link), None)

    def warned(self, problem: str) -> Screen:
        """The same screen after a problem with the last answer (problem: screen markup)."""
        return replace(self, text=f"⚠️ {problem}\n\n{self.text}")


def screen(
    text: str,
    rows: Sequence[Sequence[Choice]] = (),
    *,
    files: Sequence[File] = (),
    contact_label: str = "",
) -> Screen:
    """A Screen from lists (the dataclass keeps tuples, so a screen is hashable)."""
    return Screen(text=text, rows=tuple(tuple(row) for row in rows if row), files=tuple(files),
                  contact_label=contact_label)


def one_per_row(choices: Sequence[Choice]) -> list[list[Choice]]:
    return [[choice] for choice in choices]


def paged(
    gettext: Callable[[str], str], rows: Sequence[Sequence[Choice]], *, page: int, id_prefix: str, size: int = 10
) -> list[Sequence[Choice]]:
    """One page of rows that list records, with ◀️ / ▶️ to the pages around it (the page's
    choices carry ``{id_prefix}{number}``), as handlers.common.paged_rows lays them out."""
    shown: Page[Sequence[Choice]] = page_of(rows, page, size=size)
    if shown.count == 1:
        return list(shown.items)
    navigation = []
    if shown.previous is not None:
        navigation.append(Choice(f"{id_prefix}{shown.previous}", "◀️"))
    navigation.append(Choice(f"{id_prefix}{shown.number}",
                             gettext("Page %(page)s of %(count)s") % {"page": shown.number, "count": shown.count}))
    if shown.next is not None:
        navigation.append(Choice(f"{id_prefix}{shown.next}", "▶️"))
    return [*shown.items, navigation]
