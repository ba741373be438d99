"""The gate every message the bot starts passes on its way out (reminders, notices, broadcasts).

WhatsApp delivers a free-form message only within 24 hours of the person's last message to the
bot; outside that window only a template Meta approved, and a free-form send out of it is
accepted at first and refused later (status 131047). So, before sending anything the person did
not just ask for:

- Telegram: send it.
- WhatsApp, inside the window: send it as usual.
- WhatsApp, outside it: send the template for that kind of message in the person's language,
  whose button (``wa:show:<ref>``) reopens the window when tapped and has the whole message shown;
  with no template for that kind and language, hold the message until the person writes.

Pure: the caller says when the person last wrote and what time it is. The templates are data,
one file per language in ``bot/data/whatsapp_templates/`` (the names to register with Meta),
read and checked by `load_templates`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
CHANNELS = frozenset({TELEGRAM, WHATSAPP})

WINDOW = timedelta(hours=24)
# A message sent a moment before the window closes may reach WhatsApp after it has: a message
# that close to the end goes as a template.
MARGIN = timedelta(minutes=5)
# The button of every template: its id names the held message, which a tap shows whole.
SHOW_PREFIX = "wa:show:"

TEMPLATES_FOLDER = "data/whatsapp_templates"
CATEGORIES = frozenset({"utility", "marketing"})
BODY_MAX = 1024
BUTTON_TEXT_MAX = 20
PARAMETER_MAX = 100  # what is put into a parameter: one short line
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


class OutboundKind(StrEnum):
    """The kinds of message the bot starts, each with its template."""

    REMINDER = "reminder"
    NOTICE = "notice"
    BROADCAST = "broadcast"


class TemplateError(ValueError):
    """A template file Meta would refuse, or that the bot could not fill."""


@dataclass(frozen=True)
class Template:
    kind: OutboundKind
    language: str
    name: str
    category: str
    body: str
    parameters: tuple[str, ...]  # what {{1}}, {{2}}… are, in order
    examples: tuple[str, ...]
    button_text: str


# --- what to do with one message --------------------------------------------------------------------


@dataclass(frozen=True)
class SendNow:
    """Send the message as it is."""


@dataclass(frozen=True)
class SendTemplate:
    """Send this template instead; the message waits for the button (`button_id`)."""

    name: str
    language: str
    category: str  # "marketing" counts against Meta's marketing limits and the daily reach
    parameters: tuple[str, ...]
    button_id: str


@dataclass(frozen=True)
class Hold:
    """Keep the message until the person writes (no template fits)."""

    reason: str


Decision = SendNow | SendTemplate | Hold


def window_open(last_inbound: datetime | None, now: datetime, *, margin: timedelta = MARGIN) -> bool:
    """Whether WhatsApp takes a free-form message now: the person wrote within 24 hours."""
    return last_inbound is not None and now - last_inbound < WINDOW - margin


def gate(
    *,
    channel: str,
    last_inbound: datetime | None,
    now: datetime,
    kind: OutboundKind,
    language: str,
    parameters: Mapping[str, str],
    message_ref: str,
    templates: Mapping[tuple[str, OutboundKind], Template] | None = None,
) -> Decision:
    """What to do with a message the bot starts for a person (see the module's docstring).

    `parameters` fill the template by name ({"name": …, "summary": …}); `message_ref` names the
    held message (an outbox row's id) for the template's button.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if channel == TELEGRAM or window_open(last_inbound, now):
        return SendNow()
    book = load_templates() if templates is None else templates
    template = book.get((language, OutboundKind(kind)))
    if template is None:
        return Hold(f"no {kind} template in {language}")
    missing = [name for name in template.parameters if not str(parameters.get(name, "")).strip()]
    if missing:
        return Hold(f"nothing to put in {', '.join(missing)}")
    return SendTemplate(
        name=template.name, language=template.language, category=template.category,
        parameters=tuple(_parameter(parameters[name]) for name in template.parameters),
        button_id=f"{SHOW_PREFIX}{message_ref}",
    )


def _parameter(value: str) -> str:
    """One line, as Meta requires of a parameter (no newlines, tabs or runs of spaces), short."""
    line = " ".join(str(value).split())
    return line if len(line) <= PARAMETER_MAX else line[: PARAMETER_MAX - 1].rstrip() + "…"


# --- the templates' files ---------------------------------------------------------------------------


@cache
def load_templates(folder: Path | None = None) -> dict[tuple[str, OutboundKind], Template]:
    """Every template, by (language, kind), from one JSON file per language, checked: each
    file has a template for every kind, with the same name in every language."""
    directory = folder or Path(str(resources.files("bot").joinpath(TEMPLATES_FOLDER)))
    book: dict[tuple[str, OutboundKind], Template] = {}
    names: dict[OutboundKind, str] = {}
    files = sorted(directory.glob("*.json"))
    if not files:
        raise TemplateError(f"no template files in {directory}")
    for path in files:
        for template in _read(path):
            if names.setdefault(template.kind, template.name) != template.name:
                raise TemplateError(f"{path.name}: {template.kind} is {template.name!r}, "
                                    f"elsewhere {names[template.kind]!r} (one name, a version per language)")
            book[(template.language, template.kind)] = template
    return book


def _read(path: Path) -> list[Template]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise TemplateError(f"{path.name}: {error}") from None
    language = data.get("language")
    if language != path.stem:
        raise TemplateError(f"{path.name}: says language {language!r}")
    entries = data.get("templates") or {}
    unknown = set(entries) - set(OutboundKind)
    missing = set(OutboundKind) - set(entries)
    if unknown or missing:
        raise TemplateError(f"{path.name}: kinds {sorted(unknown)} unknown, {sorted(missing)} missing")
    return [_template(path.name, language, OutboundKind(kind), entry) for kind, entry in entries.items()]


def _template(where: str, language: str, kind: OutboundKind, entry: dict) -> Template:
    where = f"{where}: {kind}"
    expected = {"name", "category", "body", "parameters", "examples", "button"}
    if set(entry) != expected:
        raise TemplateError(f"{where}: fields {sorted(set(entry) ^ expected)} wrong")
    name, category, body = entry["name"], entry["category"], entry["body"]
    parameters, examples, button = entry["parameters"], entry["examples"], entry["button"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise TemplateError(f"{where}: a name is lowercase letters, digits and _")
    if category not in CATEGORIES:
        raise TemplateError(f"{where}: category {category!r} is not one of {sorted(CATEGORIES)}")
    if not isinstance(body, str) or not body.strip() or len(body) > BODY_MAX:
        raise TemplateError(f"{where}: a body is 1 to {BODY_MAX} characters")
    numbers = [int(n) for n in _PLACEHOLDER.findall(body)]
    if numbers != list(range(1, len(numbers) + 1)) or len(numbers) != len(parameters):
        raise TemplateError(f"{where}: the body's {{{{1}}}}, {{{{2}}}}… must be in order, one per parameter")
    if _PLACEHOLDER.match(body.strip()) or re.search(r"\{\{\d+\}\}\W*$", body.strip()):
        raise TemplateError(f"{where}: Meta refuses a body that starts or ends with a parameter")
    if not isinstance(examples, list) or len(examples) != len(parameters) or not all(
            isinstance(e, str) and e.strip() for e in examples):
        raise TemplateError(f"{where}: one example per parameter (Meta asks for them)")
    if not isinstance(button, dict) or button.get("type") != "quick_reply" or not isinstance(button.get("text"), str) \
            or not 0 < len(button["text"]) <= BUTTON_TEXT_MAX:
        raise TemplateError(f"{where}: the button is a quick_reply with a text of 1 to {BUTTON_TEXT_MAX} characters")
    return Template(kind=kind, language=language, name=name, category=category, body=body,
                    parameters=tuple(parameters), examples=tuple(examples), button_text=button["text"])


def template_text(template: Template, parameters: tuple[str, ...]) -> str:
    """The body as the person reads it (the stand-in shows it; tests read it)."""
    return _PLACEHOLDER.sub(lambda match: parameters[int(match.group(1)) - 1], template.body)
