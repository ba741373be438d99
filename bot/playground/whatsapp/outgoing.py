"""What the business sends: each ``POST /messages`` body checked against WhatsApp's limits and
recorded as a ``BusinessMessage`` a person receives (its type and interactive structure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.playground.whatsapp import meta
from bot.playground.whatsapp.meta import JsonDict, bad, missing

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class Choice:
    """A reply button, a list row or a template's quick-reply button, as the person sees it."""

    id: str
    title: str
    description: str = ""
    section: str = ""


@dataclass(frozen=True)
class Template:
    """A template registered (approved) for the number, by name and language."""

    name: str
    language: str
    body: str
    category: str = "UTILITY"
    quick_replies: tuple[str, ...] = ()  # button texts; the payload comes with each send

    @property
    def body_parameters(self) -> int:
        return len(set(_PLACEHOLDER.findall(self.body)))


@dataclass
class BusinessMessage:
    """One message the business sent, as accepted by the messages endpoint."""

    id: str  # the wamid the send answered with
    to: str  # the wa_id or BSUID it was addressed to
    type: str  # text | interactive | image | document | template | audio | video | sticker
    kind: str  # text | button | list | cta_url | image | document | template | …
    payload: JsonDict  # the request body, as sent
    sent_at: datetime
    text: str = ""  # body, caption, or the template's body with its parameters filled in
    header: str = ""
    footer: str = ""
    choices: list[Choice] = field(default_factory=list)
    list_button: str = ""
    url: str = ""  # a cta_url's link
    url_label: str = ""
    media_id: str | None = None
    media_link: str | None = None
    file_name: str | None = None
    template: Template | None = None
    reply_to: str | None = None  # context.message_id
    statuses: list[str] = field(default_factory=list)  # sent, delivered, read, failed
    error_code: int | None = None  # of a failed status

    @property
    def delivered(self) -> bool:
        return "failed" not in self.statuses


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise missing(f"{what} is required")
    return value


def _within(value: str, limit: int, what: str, *, minimum: int = 1) -> str:
    if not minimum <= len(value) <= limit:
        raise bad(f"{what} length invalid. Min length: {minimum}, Max length: {limit}")
    return value


def _object(payload: JsonDict, key: str) -> JsonDict:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise missing(f"The parameter {key} is required.")
    return value


def check_message(payload: JsonDict, templates: dict[tuple[str, str], Template]) -> BusinessMessage:
    """The message this body describes, or the ``GraphApiError`` Meta answers it with.

    ``id``, ``to`` and ``sent_at`` are placeholders here: the server fills them in.
    """
    if payload.get("messaging_product") != "whatsapp":
        raise meta.GraphApiError(meta.INVALID_PARAMETER, "messaging_product must be whatsapp")
    kind = payload.get("type", "text")
    message = BusinessMessage(id="", to="", type=str(kind), kind=str(kind), payload=payload, sent_at=datetime.min)
    context = payload.get("context")
    if isinstance(context, dict) and context.get("message_id"):
        message.reply_to = str(context["message_id"])
    if kind == "text":
        text = _object(payload, "text")
        message.text = _within(_text(text.get("body"), "Text body"), meta.MAX_TEXT, "Text body")
    elif kind == "interactive":
        _check_interactive(_object(payload, "interactive"), message)
    elif kind in meta.MEDIA_LIMITS:
        _check_media(_object(payload, kind), kind, message)
    elif kind == "template":
        _check_template(_object(payload, "template"), templates, message)
    else:
        raise meta.GraphApiError(meta.INVALID_PARAMETER, f"Unknown message type {kind!r}")
    return message


def _check_interactive(interactive: JsonDict, message: BusinessMessage) -> None:
    kind = interactive.get("type")
    body = interactive.get("body")
    if not isinstance(body, dict):
        raise missing("interactive.body is required")
    message.text = _within(_text(body.get("text"), "Body text"), meta.MAX_INTERACTIVE_BODY, "Body text")
    header = interactive.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        message.header = _within(_text(header.get("text"), "Header text"), meta.MAX_HEADER_TEXT, "Header text")
    footer = interactive.get("footer")
    if isinstance(footer, dict):
        message.footer = _within(_text(footer.get("text"), "Footer text"), meta.MAX_FOOTER, "Footer text")
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise missing("interactive.action is required")
    if kind == "button":
        message.kind = "button"
        message.choices = _reply_buttons(action)
    elif kind == "list":
        if isinstance(header, dict) and header.get("type") not in (None, "text"):
            raise bad("A list message header must be text")
        message.kind = "list"
        message.list_button = _within(_text(action.get("button"), "Button label"), meta.MAX_LIST_BUTTON, "Button label")
        message.choices = _list_rows(action)
    elif kind == "cta_url":
        message.kind = "cta_url"
        parameters = action.get("parameters")
        if action.get("name") != "cta_url" or not isinstance(parameters, dict):
            raise missing("action.name cta_url and action.parameters are required")
        message.url_label = _within(_text(parameters.get("display_text"), "Display text"), meta.MAX_CTA_DISPLAY_TEXT, "Display text")
        url = _text(parameters.get("url"), "URL")
        if not re.match(r"^https?://\S+$", url):
            raise bad("The URL is not valid")
        message.url = url
    else:
        raise bad(f"Interactive type {kind!r} is not supported")


def _reply_buttons(action: JsonDict) -> list[Choice]:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= meta.MAX_REPLY_BUTTONS:
        raise bad(f"Number of buttons invalid. Min: 1, Max: {meta.MAX_REPLY_BUTTONS}")
    choices: list[Choice] = []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict) or button.get("type") != "reply":
            raise missing("Each button needs type reply and a reply object")
        title = _within(_text(reply.get("title"), "Button title"), meta.MAX_BUTTON_TITLE, "Button title")
        choice_id = _within(_text(reply.get("id"), "Button id"), meta.MAX_BUTTON_ID, "Button id")
        choices.append(Choice(choice_id, title))
    if len({choice.title for choice in choices}) < len(choices):
        raise bad("Button title must be unique")
    if len({choice.id for choice in choices}) < len(choices):
        raise bad("Button id must be unique")
    return choices


def _list_rows(action: JsonDict) -> list[Choice]:
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= meta.MAX_LIST_SECTIONS:
        raise bad(f"Number of sections invalid. Min: 1, Max: {meta.MAX_LIST_SECTIONS}")
    choices: list[Choice] = []
    for section in sections:
        rows = section.get("rows") if isinstance(section, dict) else None
        if not isinstance(rows, list) or not rows:
            raise missing("Each section needs rows")
        title = section.get("title", "")
        if len(sections) > 1 and not title:
            raise missing("Section title is required when there is more than one section")
        if title:
            _within(str(title), meta.MAX_SECTION_TITLE, "Section title")
        for row in rows:
            if not isinstance(row, dict):
                raise missing("A row must be an object")
            choices.append(
                Choice(
                    _within(_text(row.get("id"), "Row id"), meta.MAX_ROW_ID, "Row id"),
                    _within(_text(row.get("title"), "Row title"), meta.MAX_ROW_TITLE, "Row title"),
                    _within(str(row.get("description", "")), meta.MAX_ROW_DESCRIPTION, "Row description", minimum=0),
                    str(title),
                )
            )
    if len(choices) > meta.MAX_LIST_ROWS:
        raise bad(f"Total row count exceed max allowed count: {meta.MAX_LIST_ROWS}")
    if len({choice.id for choice in choices}) < len(choices):
        raise bad("Row ids must be unique")
    return choices


def _check_media(media: JsonDict, kind: str, message: BusinessMessage) -> None:
    media_id, link = media.get("id"), media.get("link")
    if bool(media_id) == bool(link):
        raise missing(f"{kind} needs exactly one of id and link")
    message.media_id = str(media_id) if media_id else None
    message.media_link = str(link) if link else None
    caption = media.get("caption")
    if caption is not None:
        if kind not in ("image", "document", "video"):
            raise bad(f"A caption is not allowed on {kind}")
        message.text = _within(str(caption), meta.MAX_CAPTION, "Caption", minimum=0)
    if kind == "document" and media.get("filename"):
        message.file_name = str(media["filename"])


def _check_template(template: JsonDict, templates: dict[tuple[str, str], Template], message: BusinessMessage) -> None:
    name = _text(template.get("name"), "template.name")
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str):
        raise missing("template.language.code is required")
    registered = templates.get((name, code))
    if registered is None:
        raise meta.GraphApiError(meta.NO_TEMPLATE, f"template name ({name}) does not exist in {code}")
    body_values: list[str] = []
    payloads: dict[int, str] = {}
    for component in template.get("components") or []:
        parameters = component.get("parameters") or []
        if component.get("type") == "body":
            body_values = [str(p.get("text", "")) for p in parameters]
        elif component.get("type") == "button" and component.get("sub_type") == "quick_reply":
            payloads[int(component.get("index", 0))] = str(parameters[0].get("payload", "")) if parameters else ""
    if len(body_values) != registered.body_parameters:
        raise meta.GraphApiError(
            meta.TEMPLATE_PARAMETERS,
            f"body: number of localizable_params ({len(body_values)}) does not match the expected "
            f"number of params ({registered.body_parameters})",
        )
    names = list(dict.fromkeys(_PLACEHOLDER.findall(registered.body)))
    values = dict(zip(names, body_values, strict=True))
    message.kind = "template"
    message.template = registered
    message.text = _PLACEHOLDER.sub(lambda match: values[match.group(1)], registered.body)
    message.choices = [
        Choice(payloads.get(index, text), text) for index, text in enumerate(registered.quick_replies)
    ]
