"""/broadcast, second half: opening one not yet sent (from /pending or the list), the preview,
sending now or at a time, the second person's approval above the threshold, and cancelling.
(The card, the texts and the audience are in handlers/broadcasts/compose.py, which registers these too.)"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.broadcasts import approval as broadcast_approval
from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.models import Broadcast, BroadcastState
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_
from bot.core.labels import LANGUAGE_IN_A_SENTENCE
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_date, parse_text
from handlers.broadcasts.card import show_card
from handlers.broadcasts.delivery import send_broadcast, tally_text
from handlers.broadcasts.flow import (
    FLOW,
    WHEN,
    apply_change,
    ask_typed,
    asked_about,
    button_broadcast_id,
    data_parts,
    load,
    person_id,
    read_typed,
)
from handlers.common import (
    END,
    answer_button,
    edit_or_reply,
    error_text,
    leave,
    reply,
    say_already_done,
)
from handlers.context import VocesContext

# --- open, preview, send, schedule, approve, cancel --------------------------------------------------


def decision_row(gettext, broadcast: Broadcast) -> list[tuple[str, str]]:  # noqa: ANN001 - a gettext
    """Approve / Send back, for the version shown: a button for a version changed since is refused."""
    b, version = broadcast.id, broadcast.version
    return [(gettext("✅ Approve"), f"bc:approve:{b}:{version}"), (gettext("↩️ Send back"), f"bc:reject:{b}:{version}")]


async def show(update: Update, context: VocesContext) -> None:
    """One broadcast, opened from /pending or the list of those not yet sent: its card, with
    Approve / Send back for whoever may give the second pair of eyes; or how its sending goes."""
    await answer_button(update, context)
    broadcast = await load(update, context)
    if broadcast.state is BroadcastState.SENDING or broadcast.state is BroadcastState.DONE:
        async with context.runtime.database.session() as session:
            tally = await broadcasts.tally(session, broadcast_id=broadcast.id)
        await reply(update, context, tally_text(context.i18n, tally, final=broadcast.state is BroadcastState.DONE))
        return
    async with context.runtime.database.session() as session:
        may_approve = await broadcast_approval.may_approve(session, broadcast=broadcast, user_id=person_id(context))
    await show_card(update, context, broadcast, edit=False, above=[decision_row(context.gettext, broadcast)] if may_approve else ())


async def preview(update: Update, context: VocesContext) -> None:
    """The message as each language's recipients will see it, sent here the same way."""
    await answer_button(update, context)
    broadcast = await load(update, context)
    assert update.effective_chat is not None
    _ = context.gettext
    if not broadcast.texts:
        await reply(update, context, _("Write the text first."))
        return
    for language in SUPPORTED_LANGUAGES:
        await reply(update, context, _("👁 As people who speak %(language)s will see it:") % {"language": _(LANGUAGE_IN_A_SENTENCE[language])})
        await send_broadcast(context.voces, broadcast, update.effective_chat.id, language, bulk=False)


async def send_now(update: Update, context: VocesContext) -> None:
    await _submit(update, context, button_broadcast_id(update), context.runtime.clock.now())


async def ask_when(update: Update, context: VocesContext) -> str:
    return await ask_typed(update, context, WHEN, context.gettext(
        "When should it go out? Write the day and the time, Lima time, for example: 15/12/2026 18:30"))


SCHEDULED_AHEAD_MAX = timedelta(days=90)


def parse_when(text: str, zone, now: datetime) -> datetime:  # noqa: ANN001 - a ZoneInfo
    day_part, _sep, time_part = text.strip().rpartition(" ")
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", time_part)
    if not day_part or match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(N_("I could not read that. Write the day and the time, for example: 15/12/2026 18:30"))
    when = datetime.combine(parse_date(day_part), time(int(match[1]), int(match[2])), tzinfo=zone)
    if when > now + SCHEDULED_AHEAD_MAX:
        raise InvalidInput(N_("A broadcast is scheduled at most 90 days ahead. Write a day before %(latest)s."),
                           latest=f"{(now + SCHEDULED_AHEAD_MAX).astimezone(zone):%d/%m/%Y}")
    return when


async def when_typed(update: Update, context: VocesContext) -> str | int:
    broadcast_id = asked_about(context)
    if broadcast_id is None:
        return await leave(update, context, FLOW)
    send_at = await read_typed(update, context, lambda typed: parse_when(parse_text(typed, field_max=40), context.runtime.settings.zone,
                                                                      context.runtime.clock.now()))
    if send_at is None:
        return WHEN
    await leave(update, context, FLOW)
    await _submit(update, context, broadcast_id, send_at)
    return END


async def _submit(update: Update, context: VocesContext, broadcast_id: int, send_at: datetime) -> None:
    runtime = context.runtime
    _ = context.gettext
    i18n = context.i18n
    try:
        async with runtime.database.session() as session:
            submitted = await broadcast_approval.submit(
                session, broadcast_id=broadcast_id, user_id=person_id(context), send_at=send_at, now=runtime.clock.now(),
                default_language=runtime.settings.default_language,
                approval_threshold=runtime.settings.broadcast_approval_threshold,
            )
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except InvalidInput as error:
        await answer_button(update, context)
        if "%(language)s" in (error.message or ""):
            error.params = {"language": _(LANGUAGE_IN_A_SENTENCE[runtime.settings.default_language])}
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    count = i18n.number(submitted.reach.receiving)
    if submitted.needs_approval:
        await edit_or_reply(update, context, _(
            "⏳ It will reach %(count)s people, more than %(threshold)s: a second coordinator or staff member must approve it before it goes out. I have asked them; you will hear from me.")
            % {"count": count, "threshold": i18n.number(runtime.settings.broadcast_approval_threshold)})
        return
    now, quiet = runtime.clock.now(), runtime.reminders.quiet_hours
    if send_at <= now and quiet.contains(now):  # "Send now" at night: say when it really goes out
        await edit_or_reply(update, context, i18n.ngettext(
            "🌙 It is quiet hours: it goes out to %(count)s person at %(time)s, when they end (or when their own quiet hours end). I will keep you posted here.",
            "🌙 It is quiet hours: it goes out to %(count)s people at %(time)s, when they end (to those with quiet hours of their own, when theirs end). I will keep you posted here.",
            submitted.reach.receiving) % {"count": count, "time": i18n.time(quiet.next_allowed(now))})
        _wake(context)
    elif send_at <= now:
        await edit_or_reply(update, context, i18n.ngettext(
            "🚀 Sending it now to %(count)s person. I will keep you posted here.",
            "🚀 Sending it now to %(count)s people. I will keep you posted here.", submitted.reach.receiving) % {"count": count})
        _wake(context)
    else:
        await edit_or_reply(update, context, i18n.ngettext(
            "🕒 Scheduled for %(when)s, to %(count)s person. Until then you can change or cancel it with /broadcast.",
            "🕒 Scheduled for %(when)s, to %(count)s people. Until then you can change or cancel it with /broadcast.",
            submitted.reach.receiving) % {"when": i18n.datetime(send_at, "short"), "count": count})


def _wake(context: VocesContext) -> None:
    context.runtime.broadcasts.wake()


async def approve(update: Update, context: VocesContext) -> None:
    await _decide(update, context, broadcast_approval.approve, N_("✅ Approved. It goes out at its time."))
    _wake(context)


async def reject(update: Update, context: VocesContext) -> None:
    await _decide(update, context, broadcast_approval.reject, N_("↩️ Sent back to its author as a draft."))


async def _decide(update: Update, context: VocesContext, decision, done: str) -> None:  # noqa: ANN001
    """The second pair of eyes approves or sends back the version its button was made for; the
    author hears it once (the decision tells them)."""
    broadcast_id, version = button_broadcast_id(update), int(data_parts(update)[3])  # the pattern has checked both are numbers
    runtime = context.runtime

    async def decide(session: AsyncSession) -> Broadcast:
        return await decision(session, broadcast_id=broadcast_id, user_id=person_id(context), version=version, now=runtime.clock.now())

    if await apply_change(update, context, decide) is None:
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext(done))


async def cancel(update: Update, context: VocesContext) -> None:
    broadcast_id = button_broadcast_id(update)

    async def cancelled(session: AsyncSession) -> bool:
        await broadcasts.cancel(session, broadcast_id=broadcast_id, user_id=person_id(context), now=context.runtime.clock.now())
        await broadcast_files.let_go(session, store=context.runtime.files, broadcast_id=broadcast_id)  # its file goes too
        return True

    if await apply_change(update, context, cancelled) is None:
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("🗑 Cancelled: it will not go out."))
