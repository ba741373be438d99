"""Answering a message on WhatsApp: meet the sender, then first contact (the language, then the
data notice and consent), then the features for people who consented (handlers/whatsapp/router.py).

WhatsApp sends no language, so the first message from someone unknown is answered with the
language question (Spanish first, each option named in its own language), then the data notice
naming WhatsApp (`bot/people/screens.notice(..., channel=WHATSAPP)`), the same screens and
domain calls (`people`, `privacy`) as on Telegram. Until they consent, whatever else a person
sends gets the question again (the consent gate, as on Telegram).

What a message is answering is the screen last shown to that person (bot/messaging/
whatsapp_screens.py), kept with the answer in the same transaction: a tapped button brings its
id, and a typed "2" or a choice's words name one of that screen's choices (render.read_reply),
so answers are routed on ids, after a restart too. The caller commits, then renders and sends
(`Reply.shown`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.screens import Choice, Screen, screen
from bot.messaging import whatsapp_inbox, whatsapp_screens
from bot.messaging.whatsapp_models import WhatsAppInbound
from bot.people import people, privacy
from bot.people import screens as people_screens
from bot.people.labels import LANGUAGE_NAMES
from bot.people.models import Channel
from handlers.whatsapp import leaders, render, router
from handlers.whatsapp.render import Chosen, NextPage, Typed
from handlers.whatsapp.reply import Media, Reply


async def answer(session: DbSession, *, runtime: Runtime, inbound: WhatsAppInbound,
                 download: Callable[[str], Awaitable[bytes]] | None = None) -> Reply:
    """Meet the sender and answer their message; the caller commits before anything is sent."""
    now = runtime.clock.now()
    stored = inbound.payload or {}
    meeting = await people.meet_at(session, channel=Channel.WHATSAPP, wa_id=inbound.wa_id, bsuid=inbound.bsuid,
                                   language=runtime.settings.default_language, now=now)
    person = meeting.person
    await whatsapp_inbox.record_inbound_time(session, user=person, sent_at=inbound.sent_at)
    # Answered at the address they wrote from: a number hidden since is not used.
    reply = Reply(to=inbound.wa_id or inbound.bsuid or person.wa_id or person.bsuid or inbound.sender, person=person,
                  language=person.language, business=stored.get("business"),
                  media=Media.of(stored.get("message") or {}), download=download)
    last = await whatsapp_screens.last_shown(session, user_id=person.id)
    said = render.read_reply(last.screen if last else None, stored.get("message") or {})
    # First contact: nothing they sent was answered yet. Read from the inbox rather than from
    # `meeting.new`, so that a first message answered again after a crash asks the same.
    first = meeting.new or not (person.has_consented or await whatsapp_inbox.answered_before(
        session, sender=inbound.sender, inbound_id=inbound.id))
    await respond(session, runtime=runtime, reply=reply, said=said, last=last, first=first, name=stored.get("name"))
    if reply.person is not None and reply.shown:
        final = reply.shown[-1]
        await whatsapp_screens.remember(session, user_id=reply.person.id, screen=final.screen, flow=reply.flow,
                                        page=final.page, now=now, keep=reply.keep)
    return reply


async def respond(session: DbSession, *, runtime: Runtime, reply: Reply, said: render.Reply,
                  last: whatsapp_screens.Shown | None, first: bool, name: str | None) -> None:
    # An invitation (a wa.me link's prefilled text): joined now, or kept until they consent.
    token = leaders.invite_token(said.text) if isinstance(said, Typed) else None
    if token is not None and await leaders.hold_or_join(session, runtime=runtime, reply=reply, token=token):
        return
    if token is not None and first:  # said in the default language: theirs is asked next
        reply.show(screen(runtime.translator(reply.language).gettext(
            "You were invited to co-lead an organization in Voces. First, please read how Voces looks after your data.")))
    if first:
        reply.show(language_question(runtime))
    elif isinstance(said, NextPage) and last is not None:
        reply.show(last.screen, flow=last.flow, page=said.page, keep=last.keep)
    elif not await consent_step(session, runtime=runtime, reply=reply, said=said, name=name):
        await router.route(session, runtime=runtime, reply=reply, said=said, last=last)


async def consent_step(session: DbSession, *, runtime: Runtime, reply: Reply, said: render.Reply, name: str | None) -> bool:
    """The language and the consent questions' answers, and the gate before consent. False:
    the message is for the features."""
    person = reply.person
    assert person is not None
    now = runtime.clock.now()
    choice = said.id if isinstance(said, Chosen) else None
    i18n = runtime.translator(person.language)
    if choice and choice.startswith(("lang:", "consent:lang:")):
        language = choice.rsplit(":", 1)[-1]
        if language not in SUPPORTED_LANGUAGES:
            return False
        await people.set_language(session, user=person, language=language)
        reply.language = language
        i18n = runtime.translator(language)
        reply.show(notice(i18n) if not person.has_consented else people_screens.language_changed(i18n))
        return True
    if choice == "consent:yes":
        if not person.has_consented:
            await people.give_consent(session, user=person, display_name=name, now=now)
        token = await whatsapp_screens.take_invite(session, user_id=person.id)
        if token is not None:  # invited by a wa.me link: the invitation, not registering
            reply.show(screen(i18n.gettext("✅ Thank you. You accepted the data notice.")))
            await leaders.join(session, runtime=runtime, reply=reply, token=token)
            return True
        reply.show(screen(i18n.gettext("✅ Thank you. You accepted the data notice.") + "\n\n"
                          + i18n.gettext("Your next step: register your organization with /register.")))
        return True
    if choice == "consent:no":
        withdrawal = await privacy.withdraw_consent(session, user_id=person.id, now=now, claim=runtime.settings.training_claim)
        reply.show(people_screens.declined(i18n, withdrawal))
        return True
    if person.has_consented:
        return False
    if choice == "consent:more":
        reply.show(people_screens.full_notice(i18n, channel=Channel.WHATSAPP, other_language=False))
    else:
        reply.show(notice(i18n))
    return True


def notice(i18n) -> Screen:  # noqa: ANN001 - a Translator
    """The data notice naming WhatsApp; the language was asked just before, so no language choice."""
    return people_screens.notice(i18n, greeting=True, channel=Channel.WHATSAPP, other_language=False)


def language_question(runtime: Runtime) -> Screen:
    """Asked before anything else, in every language, the default first."""
    default = runtime.settings.default_language
    order = [default] + [code for code in SUPPORTED_LANGUAGES if code != default]
    body = "\n".join(runtime.translator(code).gettext("Which language do you prefer?") for code in order)
    return screen(body, [[Choice(f"lang:{code}", LANGUAGE_NAMES[code]) for code in order]])
