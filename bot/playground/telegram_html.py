"""Telegram's HTML parse mode, both ways: HTML to plain text plus entities, and back.

``parse_html`` follows TDLib's parser (td/telegram/MessageEntity.cpp) closely enough to reject
what Telegram rejects, with Telegram's own error wording and UTF-8 byte offsets, and to produce
the same entities (UTF-16 offsets, empty entities dropped, TDLib's sort order).
``to_html`` renders stored text and entities as safe HTML for the browser playground.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

_ENTITY_TYPE_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # the parser only lets <span class="tg-spoiler"> through
}

_LANGUAGE = "_language"  # a <code> tag's language while parsing; never leaves parse_html

_NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# TDLib sorts entities by offset, then longer first, then by this priority (lower first), so
# that an outer blockquote or pre comes before the bold inside it.
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_DEFAULT_PRIORITY = 50

# TDLib treats only ASCII whitespace as space inside tags.
_TAG_SPACES = " \t\n\r\f\v"

SAFE_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")


class HtmlParseError(ValueError):
    """The text is not the HTML that Telegram accepts; ``str(error)`` is Telegram's wording."""


def utf16_length(text: str) -> int:
    """Telegram measures texts and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        entities,
        key=lambda entity: (
            entity["offset"],
            -entity["length"],
            _TYPE_PRIORITY.get(entity["type"], _DEFAULT_PRIORITY),
        ),
    )


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int  # where the tag's content starts in the plain text, for <a> without href


class _HtmlParser:
    def __init__(self, html: str) -> None:
        self.html = html
        self.position = 0
        self.plain: list[str] = []
        self.plain_length = 0  # characters in self.plain, to slice the content of an <a>
        self.utf16_offset = 0
        self.open_tags: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        html = self.html
        while self.position < len(html):
            character = html[self.position]
            if character == "&":
                decoded = self._character_reference()
                if decoded is not None:
                    self._append(decoded)
                    continue
            if character != "<":
                self._append(character)
                self.position += 1
            elif html.startswith("</", self.position):
                self._end_tag()
            else:
                self._start_tag()
        if self.open_tags:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open_tags[-1].name}"'
            )
        return "".join(self.plain), sort_entities(self.entities)

    def _append(self, text: str) -> None:
        self.plain.append(text)
        self.plain_length += len(text)
        self.utf16_offset += utf16_length(text)

    def _byte_offset(self, position: int) -> int:
        return len(self.html[:position].encode("utf-8"))

    def _at_end(self) -> bool:
        return self.position >= len(self.html)

    def _current(self) -> str:
        return "" if self._at_end() else self.html[self.position]

    def _skip_spaces(self) -> None:
        while not self._at_end() and self.html[self.position] in _TAG_SPACES:
            self.position += 1

    def _read_until(self, stops: str) -> str:
        start = self.position
        while not self._at_end() and self.html[self.position] not in stops:
            self.position += 1
        return self.html[start : self.position]

    def _character_reference(self) -> str | None:
        """Decode ``&lt;``, ``&#60;``, ``&#x3c;``… at the cursor, or None to keep a literal '&'."""
        html, start = self.html, self.position
        end = start + 1
        if html.startswith("#", end):
            end += 1
            hexadecimal = html.startswith("x", end)
            digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            end += hexadecimal
            digits_start = end
            while end < len(html) and html[end] in digits:
                end += 1
            number = html[digits_start:end]
            code = int(number, 16 if hexadecimal else 10) if number else 0
            if code == 0 or code >= 0x10FFFF or end - start >= 10:
                return None
            decoded = chr(code)
        else:
            while end < len(html) and html[end].isascii() and html[end].isalpha():
                end += 1
            decoded = _NAMED_CHARACTER_REFERENCES.get(html[start + 1 : end])
            if decoded is None:
                return None
        self.position = end + 1 if html.startswith(";", end) else end
        return decoded

    def _start_tag(self) -> None:
        begin = self.position
        self.position += 1
        name = self._read_until(_TAG_SPACES + ">").lower()
        if self._at_end():
            raise HtmlParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self._byte_offset(begin)}'
            )
        argument = ""
        while True:
            self._skip_spaces()
            if self._at_end():
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {self._byte_offset(begin)}"
                )
            if self._current() == ">":
                break
            attribute = self._read_until(_TAG_SPACES + "=>").lower()
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {self._byte_offset(begin)}'
                )
            self._skip_spaces()
            if self._current() != "=":
                if name == "blockquote" and attribute == "expandable":
                    argument = "expandable"
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {self._byte_offset(begin)}'
                )
            self.position += 1
            self._skip_spaces()
            if self._at_end():
                raise HtmlParseError(
                    f'Unclosed start tag "{name}" at byte offset {self._byte_offset(begin)}'
                )
            value = self._attribute_value()
            if self._at_end():
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {self._byte_offset(begin)}"
                )
            argument = _tag_argument(name, attribute, value) or argument
        self.position += 1  # the '>'
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset(begin)}'
            )
        self.open_tags.append(_OpenTag(name, argument, self.utf16_offset, self.plain_length))

    def _attribute_value(self) -> str:
        quote = self._current()
        if quote not in "'\"":
            # An unquoted name token: letters, digits, periods and hyphens, case-insensitive.
            start = self.position
            while not self._at_end() and (self._current().isalnum() or self._current() in ".-"):
                self.position += 1
            if not self._at_end() and self._current() not in _TAG_SPACES + ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self._byte_offset(start)}"
                )
            return self.html[start : self.position].lower()
        self.position += 1
        value: list[str] = []
        while not self._at_end() and self._current() != quote:
            decoded = self._character_reference() if self._current() == "&" else None
            if decoded is None:
                value.append(self._current())
                self.position += 1
            else:
                value.append(decoded)
        if not self._at_end():
            self.position += 1  # the closing quote
        return "".join(value)

    def _end_tag(self) -> None:
        begin = self.position
        if not self.open_tags:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self._byte_offset(begin)}")
        self.position += 2
        name = self._read_until(_TAG_SPACES + ">").lower()
        self._skip_spaces()
        if self._current() != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self._byte_offset(begin)}")
        self.position += 1
        tag = self.open_tags[-1]
        if name and name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.open_tags.pop()
        if self.utf16_offset > tag.utf16_offset:
            self._close_entity(tag)

    def _close_entity(self, tag: _OpenTag) -> None:
        span = {"offset": tag.utf16_offset, "length": self.utf16_offset - tag.utf16_offset}
        previous = self.entities[-1] if self.entities else {"type": None}
        same_span = all(previous.get(key) == value for key, value in span.items())
        if tag.name in _ENTITY_TYPE_BY_TAG:
            self.entities.append({"type": _ENTITY_TYPE_BY_TAG[tag.name], **span})
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": tag.argument})
        elif tag.name == "a":
            url = tag.argument or "".join(self.plain)[tag.text_index :]
            if url:
                self.entities.append({"type": "text_link", **span, "url": _checked_link(url)})
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument == "expandable" else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag.name == "code" and same_span and previous["type"] == "pre" and tag.argument:
            # <code class="language-x"><pre>…</pre></code>: one pre entity with a language.
            previous["language"] = tag.argument
        elif tag.name == "code":
            # The language is kept aside until we know whether a <pre> around it takes it.
            self.entities.append({"type": "code", **span, _LANGUAGE: tag.argument})
        elif same_span and previous["type"] == "code" and previous[_LANGUAGE]:
            # <pre><code class="language-x">…</code></pre>: one pre entity with a language.
            previous.update(type="pre", language=previous.pop(_LANGUAGE))
        else:
            self.entities.append({"type": "pre", **span})


def _tag_argument(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return None


def _checked_link(url: str) -> str:
    """Telegram completes a bare host like ``example.org`` to an http link."""
    return url if "://" in url or url.startswith(("mailto:", "tg:")) else f"http://{url}"


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    """Split Telegram HTML into plain text and Bot API ``MessageEntity`` dicts.

    Raises HtmlParseError with the text Telegram puts after "can't parse entities: ".
    """
    text, entities = _HtmlParser(html).parse()
    for entity in entities:
        entity.pop(_LANGUAGE, None)
    return text, entities


def _utf16_index(text: str) -> dict[int, int]:
    """Map each UTF-16 offset that starts a character (and the end) to its ``str`` index."""
    index: dict[int, int] = {}
    offset = 0
    for position, character in enumerate(text):
        index[offset] = position
        offset += 2 if ord(character) > 0xFFFF else 1
    index[offset] = len(text)
    return index


def _safe_href(url: str) -> str | None:
    return url if url.lower().startswith(SAFE_LINK_SCHEMES) else None


def _tags(entity: dict[str, Any], text: str) -> tuple[str, str] | None:
    """The opening and closing HTML for one entity, or None to render its text plainly."""
    kind = entity["type"]
    simple = {
        "bold": "b",
        "italic": "i",
        "underline": "u",
        "strikethrough": "s",
        "code": "code",
        "blockquote": "blockquote",
    }
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "spoiler":
        return '<span class="tg-spoiler">', "</span>"
    if kind == "custom_emoji":
        # Browsers show the fallback emoji inside an unknown element, which is what we want.
        return f'<tg-emoji emoji-id="{escape(entity["custom_emoji_id"])}">', "</tg-emoji>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    href = {
        "text_link": entity.get("url", ""),
        "url": text,
        "email": f"mailto:{text}",
    }.get(kind)
    safe = _safe_href(href) if href is not None else None
    if safe is None:
        return None
    return f'<a href="{escape(safe)}">', "</a>"


def to_html(text: str, entities: list[dict[str, Any]] | None = None) -> str:
    """Render Telegram text and entities as HTML that is safe to put into a page.

    Every character of ``text`` is escaped; markup comes only from entities, and links only
    with http(s), tg or mailto targets. Overlapping entities are closed and reopened.
    """
    index = _utf16_index(text)
    spans: list[tuple[int, int, str, str]] = []
    for entity in sort_entities(entities or []):
        start = index.get(entity["offset"])
        end = index.get(entity["offset"] + entity["length"])
        if start is None or end is None or start >= end:
            continue
        tags = _tags(entity, text[start:end])
        if tags is not None:
            spans.append((start, end, *tags))

    html: list[str] = []
    open_spans: list[tuple[int, int, str, str]] = []
    pending = iter(spans)
    upcoming = next(pending, None)
    for position in range(len(text) + 1):
        ending = [i for i, span in enumerate(open_spans) if span[1] <= position]
        if ending:
            closing = open_spans[ending[0] :]
            del open_spans[ending[0] :]
            html.extend(span[3] for span in reversed(closing))
            for span in closing:
                if span[1] > position:
                    html.append(span[2])
                    open_spans.append(span)
        while upcoming is not None and upcoming[0] == position:
            html.append(upcoming[2])
            open_spans.append(upcoming)
            upcoming = next(pending, None)
        if position < len(text):
            html.append(escape(text[position], quote=False))
    return "".join(html)
