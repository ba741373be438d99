"""What a leader does around a session they attended, and votes: /checkin (or the button while
check-in is open), /mytrainings with certificates, /verify (public, also by the certificate's
link), the 1–5 rating and comment after a session, and the topic vote's ballot (/topics).

Callback data: tr:here:<session>, tr:cert:<session>, tr:rate:<session>:<1-5>,
vote:pick:<vote>:<topic>; checked on arrival like the rest of the trainings area.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.core.validation import InvalidInput
from bot.trainings import feedback, records, views
from bot.trainings import record_screens as screens
from handlers.common import (
    END,
    answer_button,
    error_text,
    leave,
    remember_step,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.show import replace, say
from handlers.trainings.browse import refuse, session_id_of, sex_of

VERIFY_PREFIX = "verify_"
FEEDBACK_FLOW = "training_feedback"
# Where the feedback flow kept its session in PTB's user data before it was a FeedbackDraft: a
# comment asked for before the upgrade is still read from there once.
LEGACY_SESSION = "feedback_session"


def verify_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={VERIFY_PREFIX}{code}"


# --- check-in, /mytrainings, certificates, /verify ------------------------------------------------


async def checkin(update: Update, context: VocesContext) -> None:
    code = " ".join(context.args or [])
    if not code:
        await say(update, context, screens.checkin_prompt(context.i18n))
        return
    await record_checkin(update, context, code=code)


async def record_checkin(update: Update, context: VocesContext, *, code: str | None = None, session_id: int | None = None) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            if code is None:
                found = await views.check_in_by_button(session, user_id=context.person.id, session_id=session_id or 0, now=runtime.clock.now())  # type: ignore[union-attr]
            else:
                found = await records.check_in(session, user_id=context.person.id, code=code, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    if found is None:
        raise StaleButton(session_id)
    await answer_button(update, context)
    await say(update, context, screens.checked_in(context.i18n, found, sex=sex_of(context)))


async def here(update: Update, context: VocesContext) -> None:
    await record_checkin(update, context, session_id=session_id_of(update.callback_query.data))  # type: ignore[union-attr]




async def my_trainings(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        history = await records.history_of(session, user_id=context.person.id)  # type: ignore[union-attr]
    await say(update, context, screens.my_trainings(context.i18n, history, now=context.runtime.clock.now()))


async def send_certificate(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            certificate, training, topics = await views.certificate(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                                    now=runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    username = context.bot.username
    hint = screens.verify_hint(context.i18n, certificate.code, bot_username=username)
    # Drawing a PDF takes a moment of CPU: off the event loop, so others are answered meanwhile.
    shown = await asyncio.to_thread(screens.certificate, context.i18n, certificate, training, topics,
                                    verify_hint=hint, verify_url=verify_link(username, certificate.code))
    await say(update, context, shown)


async def verify(update: Update, context: VocesContext) -> None:
    """Public: anyone holding a certificate's code can ask whether it is genuine."""
    code = " ".join(context.args or [])
    await answer_verification(update, context, code)


async def verify_from_link(update: Update, context: VocesContext) -> None:
    await answer_verification(update, context, (context.args or [""])[0].removeprefix(VERIFY_PREFIX))


async def answer_verification(update: Update, context: VocesContext, code: str) -> None:
    if not code.strip():
        await say(update, context, screens.verify_prompt(context.i18n))
        return
    async with context.runtime.database.session() as session:
        found = await records.verify(session, code=code)
    if found is None:
        await say(update, context, screens.not_genuine(context.i18n, records.normalize_code(code)))
        return
    await say(update, context, screens.genuine(context.i18n, found))


# --- feedback: a rating, then an optional comment -------------------------------------------------


async def rated(update: Update, context: VocesContext) -> object:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, rating = session_id_of(data), session_id_of(data, 3)
    try:
        async with context.runtime.database.session() as session:
            step = await feedback.rate(session, user_id=context.person.id, session_id=session_id, rating=rating,  # type: ignore[union-attr]
                                       now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return END
    await answer_button(update, context)
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    await remember_step(update, context, FEEDBACK_FLOW, step.name)
    await replace(update, context, screens.rated(context.i18n, rating))
    return step.name


async def feedback_comment(update: Update, context: VocesContext) -> object:
    legacy = (context.user_data or {}).get(LEGACY_SESSION)
    async with context.runtime.database.session() as session:
        step = await feedback.answer(session, user_id=context.person.id, value=update.message.text or "",  # type: ignore[union-attr]
                                     at_session=int(legacy) if legacy else None)
    if step.problem is not None:
        await say(update, context, screens.comment_again(context.i18n, error_text(context, step.problem)))
        return step.name
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    if step.saved:
        await say(update, context, screens.comment_saved(context.i18n))
    return await leave(update, context, FEEDBACK_FLOW)


async def skip_comment(update: Update, context: VocesContext) -> object:
    async with context.runtime.database.session() as session:
        await feedback.skip(session, user_id=context.person.id)  # type: ignore[union-attr]
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    await say(update, context, screens.comment_skipped(context.i18n))
    return await leave(update, context, FEEDBACK_FLOW)


# --- the topic vote's ballot ------------------------------------------------------------------------


async def show_ballot(update: Update, context: VocesContext) -> None:
    async with context.runtime.database.session() as session:
        ballot = await views.ballot(session, user_id=context.person.id)  # type: ignore[union-attr]
    await say(update, context, screens.no_vote(context.i18n) if ballot is None else screens.ballot(context.i18n, ballot))


async def pick_topic(update: Update, context: VocesContext) -> None:
    parts = (update.callback_query.data or "").split(":")  # type: ignore[union-attr]
    if len(parts) != 4:
        raise StaleButton(parts)
    vote_id, code = button_number(parts[2]), parts[3]
    try:
        async with context.runtime.database.session() as session:
            ballot = await views.toggle_choice(session, vote_id=vote_id, user_id=context.person.id, topic=code)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await replace(update, context, screens.ballot(context.i18n, ballot))
