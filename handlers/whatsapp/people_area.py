"""The people area on WhatsApp: /language, /settings, /mydata (its files sent as documents),
/deletedata, and /stop (/pausar) with /start resuming, from the domain's screens (bot/people/screens.py, rights_screens.py) and calls
(`people`, `notifications`, `privacy`), the choices' ids the same as on Telegram."""

from __future__ import annotations

import logging

from bot.broadcasts.models import MessageKind
from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.uploads import FILE_AREA_WORDS, FILE_NAME_CONTEXT
from bot.people import notifications, privacy
from bot.people import rights_screens as rights
from bot.people import screens as people_screens
from bot.people.models import Channel
from bot.people.screens import QUIET_CHOICES
from handlers.whatsapp.reply import Reply

log = logging.getLogger(__name__)


async def command(session: DbSession, *, runtime: Runtime, reply: Reply, name: str) -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    if name == "language":
        reply.show(people_screens.language_picker(i18n))
    elif name == "settings":
        await show_settings(session, runtime=runtime, reply=reply)
    elif name == "mydata":
        words = {area: i18n.pgettext(FILE_NAME_CONTEXT, word) for area, word in FILE_AREA_WORDS.items()}
        summary = await privacy.summarize_person(session, user_id=person.id, file_words=words)
        records = await privacy.records_of(session, user_id=person.id, mask=runtime.cipher.masked)
        reply.show(rights.my_data(i18n, summary, records, mask=runtime.cipher.masked, now=runtime.clock.now()))
    elif name == "deletedata":
        reply.show(rights.ask_to_delete(i18n))
    elif name == "stop":
        newly = await notifications.pause(session, user_id=person.id, now=runtime.clock.now())
        reply.show(people_screens.paused(i18n, newly=newly))


async def resume(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    """/start after /stop: messages again, said so (announcements stay off if switched off in
    /settings); nothing said when nothing was paused."""
    person = reply.person
    assert person is not None
    if await notifications.resume(session, user_id=person.id, now=runtime.clock.now()):
        announcements = await notifications.wants(session, user_id=person.id, kind=MessageKind.ANNOUNCEMENTS)
        reply.show(people_screens.resumed(runtime.translator(person.language), announcements=announcements))


async def show_settings(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    person = reply.person
    assert person is not None
    row = await notifications.settings_of(session, user_id=person.id)
    settings = runtime.settings
    reply.show(people_screens.settings(runtime.translator(person.language), row, language=person.language,
                                       programme=(settings.quiet_hours_start, settings.quiet_hours_end)))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The people area's choices; False for a choice that is not one of them."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    settings = runtime.settings
    if choice.startswith("set:kind:"):
        kind = choice.removeprefix("set:kind:")
        if kind not in {k.value for k in MessageKind}:
            return False
        await notifications.toggle_kind(session, user_id=person.id, kind=MessageKind(kind), now=now)
    elif choice == "set:lang":
        reply.show(people_screens.language_picker(i18n, back=True))
        return True
    elif choice == "set:quiet":
        reply.show(people_screens.quiet_menu(i18n, programme=(settings.quiet_hours_start, settings.quiet_hours_end)))
        return True
    elif choice.startswith("set:quiet:"):
        code = choice.removeprefix("set:quiet:")
        if code not in QUIET_CHOICES:
            return False
        hours = QUIET_CHOICES[code]
        await notifications.set_quiet_hours(session, user_id=person.id, start=hours[0] if hours else None,
                                            end=hours[1] if hours else None, now=now)
    elif choice == "set:pause":
        newly = await notifications.pause(session, user_id=person.id, now=now)
        reply.show(people_screens.paused(i18n, newly=newly))
    elif choice == "set:resume":
        await notifications.resume(session, user_id=person.id, now=now)
    elif choice != "set:back":
        return await _privacy(session, runtime=runtime, reply=reply, choice=choice)
    await show_settings(session, runtime=runtime, reply=reply)
    return True


async def _privacy(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    if choice == "privacy:withdraw":
        reply.show(rights.ask_to_withdraw(i18n))
    elif choice == "privacy:stay":
        reply.show(rights.consent_stays(i18n))
    elif choice == "privacy:keep":
        reply.show(rights.nothing_erased(i18n))
    elif choice == "privacy:erase":
        settings = runtime.settings
        person_id = person.id
        erasure = await privacy.erase_person(session, user_id=person_id, now=runtime.clock.now(), zone=settings.zone,
                                             claim=settings.training_claim)
        reply.person = None

        async def remove_files() -> None:  # once the rows that refer to them are gone for good
            async with runtime.database.session() as later:
                removable = await privacy.unreferenced(later, erasure.files)
            for path in removable:
                runtime.files.delete(path)

        reply.after_commit.append(remove_files)
        log.info("erased user %s on WhatsApp: %d organizations", person_id, len(erasure.organizations_erased))
        keep_days = settings.backup_keep_days if settings.backup_dir is not None else None
        reply.show(rights.erased(i18n, backup_keep_days=keep_days, channel=Channel.WHATSAPP))
    else:
        return False
    return True
