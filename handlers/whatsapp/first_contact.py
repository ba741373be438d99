"""First contact on WhatsApp: the language, then the data notice and consent.

WhatsApp sends no language, so the first message from someone unknown is answered with the
language question (Spanish by default, each option named in its own language), then the same
consent question Telegram's onboarding asks, from the same catalog lines
(`bot/people/consent_notice.py`) and the same domain calls (`people`, `privacy`). The answers are
reply buttons with stable ids (`lang:<code>`, `consent:yes|no|more`); the buttons' words typed
are accepted too. Until they consent, whatever else a person sends gets the question again
(the consent gate, as on Telegram). What people who consented send goes to the features
(`Reply.handled` False) once the WhatsApp areas exist.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.messaging import whatsapp_inbox
from bot.messaging.whatsapp_models import WhatsAppInbound
from bot.people import consent_notice, people, privacy
from bot.people.labels import LANGUAGE_NAMES
from bot.people.models import Channel, User

BODY_LIMIT = 1024  # an interactive message's body
TEXT_LIMIT = 4096


@dataclass
class Reply:
    """What to send back, to whom: the person's address on WhatsApp, and the messages."""

    to: str
    person: User
    payloads: list[dict[str, Any]] = field(default_factory=list)
    handled: bool = True


async def answer(session: AsyncSession, *, runtime: Runtime, inbound: WhatsAppInbound) -> Reply:
    """Meet the sender and answer what first contact and consent need; the caller commits
    before anything is sent."""
    now = runtime.clock.now()
    stored = inbound.payload or {}
    meeting = await people.meet_at(session, channel=Channel.WHATSAPP, wa_id=inbound.wa_id, bsuid=inbound.bsuid,
                                   language=runtime.settings.default_language, now=now)
    person = meeting.person
    await whatsapp_inbox.record_inbound_time(session, user=person, sent_at=inbound.sent_at)
    # Answered at the address they wrote from: a number hidden since is not used.
    reply = Reply(to=inbound.wa_id or inbound.bsuid or person.wa_id or person.bsuid or inbound.sender, person=person)
    # First contact: nothing they sent was answered yet. Read from the inbox rather than from
    # `meeting.new`, so that a first message answered again after a crash asks the same.
    first = meeting.new or not (person.has_consented or await whatsapp_inbox.answered_before(
        session, sender=inbound.sender, inbound_id=inbound.id))
    if first:
        reply.payloads.append(language_question(runtime))
        return reply
    choice, typed = read_message(stored.get("message") or {})
    i18n = runtime.translator(person.language)
    choice = choice or typed_choice(typed, runtime)
    if choice and choice.startswith("lang:"):
        language = choice.removeprefix("lang:")
        if language in SUPPORTED_LANGUAGES:
            await people.set_language(session, user=person, language=language)
            i18n = runtime.translator(language)
            reply.payloads += consent_question(i18n) if not person.has_consented else [
                text_message(i18n.gettext("Done: I will speak English with you."))]
            return reply
    if choice == "consent:yes":
        if not person.has_consented:
            await people.give_consent(session, user=person, display_name=stored.get("name"), now=now)
        reply.payloads.append(text_message("\n\n".join((
            i18n.gettext("✅ Thank you. You accepted the data notice."),
            i18n.gettext("Your next step: register your organization with /register."),
        ))))
        return reply
    if choice == "consent:no":
        withdrawal = await privacy.withdraw_consent(session, user_id=person.id, now=now, claim=runtime.settings.training_claim)
        reply.payloads.append(text_message(declined_text(i18n, had_consented=withdrawal.had_consented)))
        return reply
    if choice == "consent:more" and not person.has_consented:
        lines = consent_notice.full_notice_lines(i18n.gettext, channel=Channel.WHATSAPP)
        reply.payloads += [text_message("\n".join(lines)), consent_buttons(i18n, i18n.gettext("Do you accept?"), more=False)]
        return reply
    if not person.has_consented:
        reply.payloads += consent_question(i18n)
        return reply
    reply.handled = False
    return reply


# --- what is shown -----------------------------------------------------------------------------


def language_question(runtime: Runtime) -> dict[str, Any]:
    """Asked before anything else, in every language, the default first."""
    default = runtime.settings.default_language
    order = [default] + [code for code in SUPPORTED_LANGUAGES if code != default]
    body = "\n".join(runtime.translator(code).gettext("Which language do you prefer?") for code in order)
    return buttons_message(body, [(f"lang:{code}", LANGUAGE_NAMES[code]) for code in order])


def consent_question(i18n: Translator) -> list[dict[str, Any]]:
    lines = consent_notice.notice_lines(i18n.gettext, channel=Channel.WHATSAPP, greeting=True)
    body = "\n".join(lines)
    if len(whatsapp_markup(body)) <= BODY_LIMIT:
        return [consent_buttons(i18n, body)]
    # Too long for a body with buttons: the notice as text, the question with the buttons.
    return [text_message("\n".join(lines[:-1]).rstrip()), consent_buttons(i18n, lines[-1])]


def consent_buttons(i18n: Translator, body: str, *, more: bool = True) -> dict[str, Any]:
    choices = [("consent:yes", i18n.gettext("✅ I accept")), ("consent:no", i18n.gettext("I do not accept"))]
    if more:
        choices.append(("consent:more", i18n.gettext("Read more")))
    return buttons_message(body, choices)


def declined_text(i18n: Translator, *, had_consented: bool) -> str:
    if had_consented:
        return "\n".join((
            i18n.gettext("You withdrew your consent. I stopped whatever you were doing and discarded what you had not finished."),
            i18n.gettext("What you registered before stays with the programme; see it with /mydata and erase it with /deletedata."),
            i18n.gettext("Send /start whenever you change your mind."),
        ))
    return "\n".join((
        i18n.gettext("Understood. I have not kept your name or anything you would register."),
        i18n.gettext("Without accepting you can still read /help and change the /language."),
        i18n.gettext("Registering an organization, uploading documents and signing up for trainings need your consent. Send /start whenever you change your mind."),
    ))


def text_message(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": whatsapp_markup(body)[:TEXT_LIMIT]}}


def buttons_message(body: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    """Up to three reply buttons; each answer comes back as its id, never its title."""
    assert len(choices) <= 3
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": whatsapp_markup(body)[:BODY_LIMIT]},
            "action": {"buttons": [{"type": "reply", "reply": {"id": choice_id, "title": title[:20]}}
                                   for choice_id, title in choices]},
        },
    }


_MARKUP = ((re.compile(r"</?b>"), "*"), (re.compile(r"</?i>"), "_"), (re.compile(r"<[^>]+>"), ""))


def whatsapp_markup(catalog_text: str) -> str:
    """The catalogs' small HTML as WhatsApp writes it: *bold*, _italic_, no tags."""
    for pattern, replacement in _MARKUP:
        catalog_text = pattern.sub(replacement, catalog_text)
    return html.unescape(catalog_text)


# --- what came in ------------------------------------------------------------------------------


def read_message(message: dict[str, Any]) -> tuple[str | None, str]:
    """The id of the choice pressed (reply button, list row, template button), and the text typed."""
    kind = message.get("type")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        for key in ("button_reply", "list_reply"):
            chosen = interactive.get(key)
            if isinstance(chosen, dict) and isinstance(chosen.get("id"), str):
                return chosen["id"], ""
    if kind == "button":
        payload = (message.get("button") or {}).get("payload")
        if isinstance(payload, str):
            return payload, ""
    if kind == "text":
        body = (message.get("text") or {}).get("body")
        return None, body if isinstance(body, str) else ""
    return None, ""


def typed_choice(typed: str, runtime: Runtime) -> str | None:
    """A choice typed in words: a language's name or code, or a consent button's words."""
    said = _plain(typed)
    if not said:
        return None
    for code in SUPPORTED_LANGUAGES:
        if said in (_plain(LANGUAGE_NAMES[code]), code):
            return f"lang:{code}"
    for code in SUPPORTED_LANGUAGES:
        gettext = runtime.translator(code).gettext
        for choice_id, words in (("consent:yes", "✅ I accept"), ("consent:no", "I do not accept"), ("consent:more", "Read more")):
            if said == _plain(gettext(words)):
                return choice_id
    return None


def _plain(words: str) -> str:
    decomposed = unicodedata.normalize("NFKD", words.casefold())
    kept = "".join(c for c in decomposed if c.isalnum() or c.isspace())
    return " ".join(kept.split())
