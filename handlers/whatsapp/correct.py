"""/correct (/corregir) on WhatsApp: the person's name typed again (flow `correct`), and the
optional sex and nationality questions, from the domain's screens (bot/people/rights_screens.py)
with the ids Telegram's buttons carry (`me:name`, `me:sex:female` …)."""

from __future__ import annotations

from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.validation import InvalidInput
from bot.people import people, privacy
from bot.people import rights_screens as rights
from bot.people.models import Nationality, Sex
from handlers.whatsapp.reply import Reply

FLOW = "correct"
PREFIX = "me:"


async def start(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    assert reply.person is not None
    person = await people.get(session, reply.person.id)
    reply.show(rights.correct_card(runtime.translator(person.language), person))


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> None:
    """The name, as the person wants it kept; refused, the question again."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    try:
        name = await privacy.correct_name(session, user_id=reply.person.id, text=text)
    except InvalidInput as error:
        message = i18n.gettext(error.message)
        reply.show(rights.name_question(i18n).warned(message % error.params if error.params else message), flow=FLOW)
        return
    reply.show(rights.name_kept(i18n, name))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The /correct card's choices; False for one that is not (a forged code)."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    if choice == "me:name":
        reply.show(rights.name_question(i18n), flow=FLOW)
    elif choice == "me:about":
        reply.show(rights.sex_question(i18n))
    elif choice == "me:skip":
        reply.show(rights.about_me_skipped(i18n))
    elif choice.startswith("me:sex:") and choice.removeprefix("me:sex:") in {s.value for s in Sex}:
        await privacy.declare_about_me(session, user_id=person.id, now=now, sex=Sex(choice.removeprefix("me:sex:")))
        reply.show(rights.nationality_question(i18n))
    elif choice.startswith("me:nat:") and choice.removeprefix("me:nat:") in {n.value for n in Nationality}:
        declared = await privacy.declare_about_me(session, user_id=person.id, now=now,
                                                  nationality=Nationality(choice.removeprefix("me:nat:")))
        reply.show(rights.about_me_saved(i18n, declared))
    else:
        return False
    return True
