"""What fits in one chat message, and cutting what does not into several that do.

Telegram counts a message's length after the HTML is parsed (tags gone, ``&amp;`` one
character) in UTF-16 code units, and refuses anything over 4096 with "message is too long".
Cards that grow with the data (a board of thirty, a long checklist, staff's lists) are split
here at line boundaries into several messages, each with its HTML balanced, so no card ever
fails for being long. Nothing here knows Telegram's API: any channel with a length limit and
HTML-ish formatting can use it.

Lists of buttons are cut into pages (`Page`): Telegram allows at most 100 buttons on one
inline keyboard and 64 bytes of data behind each button.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

MESSAGE_LIMIT = 4096
BUTTONS_LIMIT = 100
CALLBACK_DATA_LIMIT = 64

_TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")
# The atoms a line too long for one message is cut between: tags and character references
# are never cut, words only when a single word is longer than a message.
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|[^\s<&]+|[<&]")

Item = TypeVar("Item")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str) -> str:
    """What an HTML message shows: tags stripped, references unescaped ("&lt;3" → "<3")."""
    return html.unescape(_TAG.sub("", text))


def visible_length(text: str) -> int:
    """The length Telegram counts for an HTML message: tags stripped, references unescaped."""
    return utf16_length(visible_text(text))


@dataclass(frozen=True)
class _Segment:
    text: str
    length: int
    separator: str  # what joins it to the segment before it in the same message


def split_message(text: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The text as one message, or cut into several of at most `limit` visible characters.

    Cuts fall between lines; a line longer than a whole message is cut between words (a word
    longer than that, between characters). Tags open at a cut are closed at the end of one
    message and opened again at the start of the next, so every message parses on its own.
    """
    if visible_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    parts: list[str] = []
    length = 0
    for segment in _segments(text, limit):
        extra = utf16_length(segment.separator) + segment.length
        if parts and length + extra > limit:
            chunks.append("".join(parts))
            parts, length = [], 0
        if not parts:
            if not segment.text.strip():
                continue  # a blank line or a space at the top of a message
            parts, length = [segment.text], segment.length
        else:
            parts += [segment.separator, segment.text]
            length += extra
    if parts:
        chunks.append("".join(parts))
    return _balanced(chunks)


def _segments(text: str, limit: int) -> list[_Segment]:
    segments: list[_Segment] = []
    for number, line in enumerate(text.split("\n")):
        separator = "\n" if number else ""
        length = visible_length(line)
        if length <= limit:
            segments.append(_Segment(line, length, separator))
            continue
        for token in _TOKEN.findall(line):
            token_length = visible_length(token)
            pieces = [token] if token_length <= limit or token.startswith("<") else list(token)
            for piece in pieces:  # a word longer than a message goes character by character
                segments.append(_Segment(piece, visible_length(piece), separator))
                separator = ""
    return segments


def _balanced(chunks: list[str]) -> list[str]:
    """Close the tags each message leaves open, and open them again in the next one."""
    balanced: list[str] = []
    still_open: list[tuple[str, str]] = []  # (name, the opening tag as written)
    for chunk in chunks:
        prefix = "".join(tag for _name, tag in still_open)
        for match in _TAG_NAME.finditer(chunk):
            closing, name = match.group(1) == "/", match.group(2).lower()
            if not closing:
                still_open.append((name, match.group(0)))
            elif still_open and still_open[-1][0] == name:
                still_open.pop()
        suffix = "".join(f"</{name}>" for name, _tag in reversed(still_open))
        balanced.append(prefix + chunk + suffix)
    return balanced


# ---------------------------------------------------------------------------------------------
# Pages of buttons


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list: its items, which page it is (from 1), and how many there are."""

    items: Sequence[Item]
    number: int
    count: int
    first_index: int  # the position of items[0] in the whole list, from 0

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_of(items: Sequence[Item], number: int, *, size: int) -> Page[Item]:
    """Page `number` (from 1) of `items`, `size` to a page; a page past the end is the last."""
    count = max(1, -(-len(items) // size))
    number = min(max(1, number), count)
    start = (number - 1) * size
    return Page(items[start : start + size], number, count, start)


def shorten(text: str, limit: int) -> str:
    """A label cut on purpose: at a word boundary when there is one, ending in "…".

    Button labels have little room on a phone; a name cut mid-word ("pendiente de revis")
    reads as a bug, so every label that may be long goes through here.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    rest = text[limit - 1 :]
    if not _LINKED.match(cut[space + 1 :]) and (rest[0] == " " or (rest[0] in _WORD_END and rest[1:2] in ("", " "))):
        pass  # the cut falls right after a whole word
    elif space >= limit // 2:  # a word boundary not too far back; else cut the long word itself
        cut = cut[:space]
    elif _LINKED.match(cut[space + 1 :]):
        # Half a /command, @name or link would still be tappable, and wrong: "/c" answers
        # "unknown command". Leave the word out rather than cut it.
        cut = cut[: max(space, 0)]
    return cut.rstrip(" ,.;:—-·…") + "…"


_WORD_END = frozenset(",.;:!?)")
# Words Telegram turns into something to tap: commands, mentions, hashtags, links.
_LINKED = re.compile(r"[/@#]|\S*(://|www\.|t\.me/)", re.IGNORECASE)


def excerpt(html_text: str, limit: int) -> str:
    """The first words of an HTML text as plain text (tags gone), cut at a word boundary and
    never inside a /command or a link: a card or a list showing what a message says."""
    plain = " ".join(html.unescape(_TAG.sub("", html_text)).split())
    return shorten(plain, limit)


# ---------------------------------------------------------------------------------------------
# Buttons at a phone's width

# Telegram gives the buttons of a row equal widths. On a 390-pixel phone a row holds about 32
# characters of a label's font, less about 2 per button for its padding: in a row of k
# buttons a label longer than 32/k − 2 characters is cut, mid-word, by the app. Emoji take
# about two characters' room.
PHONE_ROW_CHARACTERS = 32
BUTTON_PADDING = 2


def label_width(label: str) -> int:
    """How many characters' room a button label takes: emoji count double, joiners nothing."""
    width = 0
    for character in label:
        code = ord(character)
        if code in (0x200D, 0xFE0E, 0xFE0F) or 0x1F3FB <= code <= 0x1F3FF:
            continue  # joiners, variation selectors and skin tones join the emoji before them
        wide = code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF or 0x2190 <= code <= 0x21FF
        width += 2 if wide else 1
    return width


def label_room(buttons_in_row: int) -> int:
    """The widest label that shows whole in a row of that many buttons."""
    return PHONE_ROW_CHARACTERS // max(1, buttons_in_row) - BUTTON_PADDING


def row_fits(labels: Sequence[str]) -> bool:
    return all(label_width(label) <= label_room(len(labels)) for label in labels)


def fit_rows(rows: Sequence[Sequence[Item]], label: Callable[[Item], str] = str) -> list[list[Item]]:
    """Rows of buttons laid out again so that each label shows whole on a phone.

    A row whose labels fit stays as it is; one that does not is cut into consecutive rows,
    each holding as many of its buttons as fit. A label too long for a row of its own is left
    to `fit_label`: write a short one where that happens.
    """
    laid: list[list[Item]] = []
    for row in rows:
        current: list[Item] = []
        for item in row:
            if current and not row_fits([label(other) for other in [*current, item]]):
                laid.append(current)
                current = []
            current.append(item)
        if current:
            laid.append(current)
    return laid


def fit_label(text: str, buttons_in_row: int = 1) -> str:
    """A label shortened at a word boundary to the room of its row, never cut by the app."""
    room = label_room(buttons_in_row)
    if label_width(text) <= room:
        return text
    extra = label_width(text) - len(text)  # the room emoji take beyond one character each
    return shorten(text, max(4, room - extra))


def cut_labels(rows: Sequence[Sequence[str]]) -> list[str]:
    """The labels of a keyboard a phone would cut: each with the number of buttons in its row."""
    return [f"{label!r} in a row of {len(row)}" for row in rows for label in row if label_width(label) > label_room(len(row))]
