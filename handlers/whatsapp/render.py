"""Screens (bot/core/screens.py) on WhatsApp: the Cloud API messages that show one, and the choice a
person's answer names.

`render` turns a screen into the JSON bodies to POST to ``/{phone-number-id}/messages``, in
order, each within WhatsApp's limits (../shared/reference/whatsapp.md):

- up to 3 choices: reply buttons (title ≤ 20, unique); a label that had to be cut, or titles
  that had to be numbered to stay apart, are written out in full in the body;
- 4 to 10: a list (row title ≤ 24, description ≤ 72, its button ≤ 20);
- more than 10: pages of 9 rows and a "More" row (id ``wa:more:<page>``) that shows the next;
- a link choice: a URL button message of its own (``cta_url``);
- text ≤ 4 096 a message, an interactive body ≤ 1 024 (what comes before goes as text messages
  first), a caption ≤ 1 024; markup as WhatsApp's ``*bold*`` and ``_italic_``, no HTML;
- files as image (JPEG, PNG) or document messages, by media id (uploaded first).

`read_reply` goes the other way: a tapped button or list row brings its id; a typed number
("2") or the choice's words ("asociación civil", any case, any accents) name a choice of the
screen; anything else is typed text. Answers are routed on ids, never on titles, which change
with the language and with cutting.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.i18n import N_
from bot.core.screens import Choice, File, Screen
from bot.core.textlimits import shorten
from bot.core.validation import fold_text
from bot.messaging.window import SendTemplate

Gettext = Callable[[str], str]
Payload = dict[str, Any]

TEXT_MAX = 4096
BODY_MAX = 1024
CAPTION_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
LIST_BUTTON_MAX = 20
CTA_TEXT_MAX = 20
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
IMAGE_MAX_BYTES = 5 * 1024 * 1024

# The row that shows the next page of a long list: its id names the page.
MORE_PREFIX = "wa:more:"

OPTIONS = N_("Options")
MORE = N_("More")
MORE_DESCRIPTION = N_("Options %(first)s to %(last)s of %(count)s")
CHOOSE = N_("Choose an option")
CHOOSE_ON_PAGE = N_("Choose an option (page %(page)s of %(count)s)")


# --- markup ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<(/?)(b|i|a|code)((?:\s[^<>]*)?)>", re.IGNORECASE)
_HREF = re.compile(r'href="([^"]*)"')
_URL = re.compile(r"(https?://\S+)")
# A character a person typed that WhatsApp would read as markup is shown as its look-alike,
# since WhatsApp has no escape: "Ana_María" must not turn italic. Links keep theirs.
_NEUTRAL = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def whatsapp_text(markup: str) -> str:
    """Screen markup as WhatsApp text: <b> → *…*, <i> → _…_, <code> → ```…```, a link as
    "words (address)", references unescaped, and typed `*` `_` `~` and backticks never
    becoming markup."""
    root: list[Any] = []
    stack: list[tuple[str, str, list[Any]]] = [("", "", root)]
    position = 0
    for match in _TOKEN.finditer(markup):
        _text_into(stack[-1][2], markup[position : match.start()])
        position = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if not closing:
            href = _HREF.search(match.group(3))
            stack.append((name, html.unescape(href.group(1)) if href else "", []))
        elif any(open_name == name for open_name, _href, _children in stack[1:]):
            while True:  # close it, and whatever was left open inside it
                open_name, href, children = stack.pop()
                stack[-1][2].append((open_name, href, children))
                if open_name == name:
                    break
    _text_into(stack[-1][2], markup[position:])
    while len(stack) > 1:  # never closed: what it holds still shows
        open_name, href, children = stack.pop()
        stack[-1][2].append((open_name, href, children))
    return _join(root)


def plain(text: str) -> str:
    """Plain text (a label, a description) as WhatsApp text: never markup."""
    return whatsapp_text(html.escape(text))


def _text_into(children: list[Any], text: str) -> None:
    if text:
        parts = _URL.split(html.unescape(text))
        children.append("".join(part if number % 2 else part.translate(_NEUTRAL) for number, part in enumerate(parts)))


def _join(nodes: list[Any]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        name, href, children = node
        inner = _join(children)
        if name == "a":
            out.append(href if not inner.strip() or inner.strip() == href else f"{inner} ({href})" if href else inner)
        elif name == "code":
            out.append(f"```{inner}```" if inner.strip() else inner)
        else:
            out.append(_marked(inner, "*" if name == "b" else "_"))
    return "".join(out)


def _marked(text: str, mark: str) -> str:
    """WhatsApp marks only words: its markers go inside the spaces, around each line."""
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            lines.append(line)
            continue
        start = line.index(core)
        lines.append(f"{line[:start]}{mark}{core}{mark}{line[start + len(core):]}")
    return "\n".join(lines)


# --- cutting ---------------------------------------------------------------------------------------


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """The text in messages of at most `limit` characters, cut between lines, else between
    words, else anywhere (a word longer than a message)."""
    text = text.strip()
    parts = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*parts, text] if text else parts


def _head_and_tail(text: str, limit: int) -> tuple[str, str]:
    """The text as (what goes before, the last part of at most `limit`), cut between lines
    where it can: the tail is what an interactive message's body holds."""
    text = text.strip()
    if len(text) <= limit:
        return "", text
    start = len(text) - limit
    for separator in ("\n", " "):
        cut = text.find(separator, start - 1)
        if cut != -1 and text[cut + 1 :].strip():
            return text[:cut].rstrip(), text[cut + 1 :].strip()
    return text[:start], text[start:]


def _title(text: str, limit: int) -> str:
    return shorten(text, limit)


# --- the messages -------------------------------------------------------------------------------------


def _message(to: str, kind: str, content: Payload) -> Payload:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind, kind: content}


def _texts(to: str, text: str) -> list[Payload]:
    return [_message(to, "text", {"body": part}) for part in split_text(text)]


def _interactive(to: str, kind: str, body: str, action: Payload) -> Payload:
    return _message(to, "interactive", {"type": kind, "body": {"text": body}, "action": action})


@dataclass(frozen=True)
class Page:
    """The choices one list message shows, numbered in the whole screen from `first`."""

    choices: tuple[Choice, ...]
    first: int
    number: int
    count: int


def pages(screen: Screen) -> list[Page]:
    """A long list in pages: 9 rows and "More" while more than 10 remain, then the rest."""
    choices = [c for c in screen.choices if not c.is_link]
    cuts = []
    start = 0
    while len(choices) - start > ROWS_MAX:
        cuts.append((start, start + ROWS_MAX - 1))
        start += ROWS_MAX - 1
    cuts.append((start, len(choices)))
    return [Page(tuple(choices[a:b]), a + 1, number, len(cuts)) for number, (a, b) in enumerate(cuts, start=1)]


def _unique_titles(choices: Sequence[Choice], first: int, limit: int) -> tuple[list[str], bool]:
    """Titles within `limit`, told apart: numbered ("2. …", the number a person may type) when
    two would read the same. Also says whether any title lost words."""
    titles = [_title(c.label, limit) for c in choices]
    cut = any(title != " ".join(c.label.split()) for title, c in zip(titles, choices, strict=True))
    if len({fold_text(t) for t in titles}) < len(titles):
        titles = [_title(f"{first + n}. {c.label}", limit) for n, c in enumerate(choices)]
        cut = True
    return titles, cut


def render(screen: Screen, *, to: str, gettext: Gettext, page: int = 1,
           media_ids: Sequence[str] = ()) -> list[Payload]:
    """The messages that show `screen` (page `page` of a long list) to `to`, in order.

    Files must have been uploaded first: `media_ids` are their ids, in the screen's order.
    """
    if len(media_ids) != len(screen.files):
        raise ValueError("upload the screen's files first: one media id per file")
    text = whatsapp_text(screen.text)
    every_page = pages(screen)
    index = min(max(page, 1), len(every_page)) - 1
    shown, following = every_page[index], every_page[index + 1] if index + 1 < len(every_page) else None
    total = sum(len(p.choices) for p in every_page)
    files = [m for file, media_id in zip(screen.files, media_ids, strict=True)
             for m in _file_messages(to, file, media_id)]
    links = [c for c in screen.choices if c.is_link]
    if shown.number > 1:  # the next page of a long list: its rows, not the text and files again
        text = gettext(CHOOSE_ON_PAGE) % {"page": shown.number, "count": shown.count}
        files, links = [], []
    if not shown.choices and not links:
        return [*_texts(to, text), *files]
    messages: list[Payload] = []
    if shown.choices:
        head, body = _head_and_tail(_with_legend(text, shown), BODY_MAX)
        messages += [*_texts(to, head), *files, _choices_message(to, body or gettext(CHOOSE), shown, following, total, gettext)]
        bodies = [plain(c.description or c.label) for c in links]
    else:
        head, body = _head_and_tail(text, BODY_MAX)
        messages += [*_texts(to, head), *files]
        bodies = [body or plain(links[0].description or links[0].label),
                  *(plain(c.description or c.label) for c in links[1:])]
    for choice, body in zip(links, bodies, strict=True):
        messages.append(_interactive(to, "cta_url", body[:BODY_MAX], {
            "name": "cta_url", "parameters": {"display_text": _title(choice.label, CTA_TEXT_MAX), "url": choice.url}}))
    return messages


def _with_legend(text: str, shown: Page) -> str:
    """Reply buttons whose titles lost words, or choices with a longer wording that a button
    cannot show: the body says each choice in full."""
    if len(shown.choices) > BUTTONS_MAX or shown.count > 1:
        return text
    _titles, cut = _unique_titles(shown.choices, shown.first, BUTTON_TITLE_MAX)
    if not cut and not any(c.description for c in shown.choices):
        return text
    legend = "\n".join(f"{shown.first + n}. {plain(c.label)}" + (f": {plain(c.description)}" if c.description else "")
                       for n, c in enumerate(shown.choices))
    return f"{text}\n\n{legend}" if text else legend


def _choices_message(to: str, body: str, shown: Page, following: Page | None, total: int, gettext: Gettext) -> Payload:
    if len(shown.choices) <= BUTTONS_MAX and shown.count == 1:
        titles, _cut = _unique_titles(shown.choices, shown.first, BUTTON_TITLE_MAX)
        return _interactive(to, "button", body, {"buttons": [
            {"type": "reply", "reply": {"id": c.id, "title": title}} for c, title in zip(shown.choices, titles, strict=True)]})
    titles, _cut = _unique_titles(shown.choices, shown.first, ROW_TITLE_MAX)
    rows = []
    for choice, title in zip(shown.choices, titles, strict=True):
        row = {"id": choice.id, "title": title}
        longer = choice.description or (choice.label if title != choice.label else "")
        if longer:
            row["description"] = _title(longer, ROW_DESCRIPTION_MAX)
        rows.append(row)
    if following is not None:
        rows.append({"id": f"{MORE_PREFIX}{following.number}", "title": _title(gettext(MORE), ROW_TITLE_MAX),
                     "description": _title(gettext(MORE_DESCRIPTION) % {
                         "first": following.first, "last": following.first + len(following.choices) - 1,
                         "count": total}, ROW_DESCRIPTION_MAX)})
    return _interactive(to, "list", body, {"button": _title(gettext(OPTIONS), LIST_BUTTON_MAX), "sections": [{"rows": rows}]})


def _file_messages(to: str, file: File, media_id: str) -> list[Payload]:
    caption = whatsapp_text(file.caption).strip()
    before = []
    if len(caption) > CAPTION_MAX:
        before, caption = _texts(to, caption), ""
    small = file.data is None or len(file.data) <= IMAGE_MAX_BYTES
    if file.mime in IMAGE_TYPES and small:
        content: Payload = {"id": media_id}
        kind = "image"
    else:
        content = {"id": media_id, "filename": file.name}
        kind = "document"
    if caption:
        content["caption"] = caption
    return [*before, _message(to, kind, content)]


def template_message(to: str, template: SendTemplate) -> Payload:
    """A template the window gate chose (bot/messaging/window.py), as the message to send:
    its parameters in order, and its quick-reply button carrying the held message's id."""
    return _message(to, "template", {
        "name": template.name,
        "language": {"code": template.language},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": value} for value in template.parameters]},
            {"type": "button", "sub_type": "quick_reply", "index": "0",
             "parameters": [{"type": "payload", "payload": template.button_id}]},
        ],
    })


# --- what came back ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    """A choice's id: a tapped button or row (of this screen or an older message: the flow
    checks it, as on Telegram), or typed words or a number that name one of this screen's."""

    id: str


@dataclass(frozen=True)
class NextPage:
    """The "More" row of a long list: show that page of the same screen."""

    page: int


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Sent:
    """A file sent: an image or a document, by the media id to fetch it with (at once: its URL
    lives minutes), with the name the phone gave a document."""

    kind: str  # "image" or "document"
    media_id: str
    name: str | None = None


Reply = Chosen | NextPage | Typed | Sent | None


def read_reply(screen: Screen | None, message: Payload) -> Reply:
    """What an inbound message (a webhook's ``messages[]`` item) answers to `screen`, the last
    one shown to this person; None for what is no answer (a location, a sticker…)."""
    kind = message.get("type")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        tapped = interactive.get(interactive.get("type", ""), {}) or {}
        return _chosen(str(tapped.get("id", "")))
    if kind in ("image", "document"):
        media = message.get(kind) or {}
        return Sent(kind, str(media.get("id", "")), media.get("filename")) if media.get("id") else None
    if kind == "button":  # a template's quick-reply button
        return _chosen(str((message.get("button") or {}).get("payload", "")))
    if kind == "text":
        typed = str((message.get("text") or {}).get("body", ""))
        choice_id = choice_for_text(screen, typed) if screen is not None else None
        return Chosen(choice_id) if choice_id is not None else Typed(typed)
    return None


def _chosen(choice_id: str) -> Reply:
    if choice_id.startswith(MORE_PREFIX):
        page = choice_id.removeprefix(MORE_PREFIX)
        return NextPage(int(page)) if page.isdigit() else None
    return Chosen(choice_id) if choice_id else None


_NUMBER = re.compile(r"^\s*#?(\d{1,3})\s*[.)]?\s*$")


def _words(text: str) -> str:
    """Words only, lowercase, without accents: emoji and punctuation never decide a match."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", fold_text(text)).split())


def choice_for_text(screen: Screen, typed: str) -> str | None:
    """The id of the choice a typed answer names: its number on the screen ("2", "2."), or its
    words (label, or longer description) in any case and with or without accents. None when
    it names none, or more than one: then it is typed text for the flow."""
    choices = [c for c in screen.choices if not c.is_link]
    number = _NUMBER.match(typed)
    if number:
        index = int(number.group(1))
        return choices[index - 1].id if 1 <= index <= len(choices) else None
    words = _words(typed)
    if not words:
        return None
    named = {c.id for c in choices if words in {_words(c.label), _words(c.description)} - {""}}
    return named.pop() if len(named) == 1 else None
