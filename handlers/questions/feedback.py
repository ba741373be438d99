"""/opinion: anyone sends a suggestion or a complaint, with their name or anonymously (told
first what anonymous means: nothing kept says who sent it, so nobody can answer). /complaints
(/quejas): the people staff designated read complaints (each reading is in the audit log),
staff read suggestions; either answers the sender who left a way back, and closes it. What each
shows is the domain's: bot/questions/screens.py (the sender's), staff_screens.py (who reads)."""

from __future__ import annotations

from telegram import Update

from bot.core.screens import Screen
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people import people
from bot.people.models import Role
from bot.questions import feedback
from bot.questions import screens as sender_screens
from bot.questions import staff_screens as shown
from bot.questions.models import FeedbackKind
from handlers.common import (
    answer_button,
    ask,
    error_text,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.questions.common import FLOW, TARGET, TYPING, person
from handlers.screens import render
from handlers.show import say

CHOSEN = "opinion"  # user_data: "<kind>:<anonymous 0|1>" until the text arrives


async def _ask(update: Update, context: VocesContext, screen: Screen) -> object:
    text, markup = render(screen)
    return await ask(update, context, flow=FLOW, step=TYPING, text=text, reply_markup=markup)


def _stale(update: Update) -> StaleButton:
    return StaleButton(update.callback_query.data if update.callback_query and update.callback_query.data else "")


async def start(update: Update, context: VocesContext) -> None:
    await remember(update, context, **{CHOSEN: None})
    await say(update, context, sender_screens.opinion_start(context.i18n))


async def choose_kind(update: Update, context: VocesContext, args: list[str]) -> None:
    kind = {"s": "s", "c": "c"}.get(args[0])
    if kind is None:
        raise _stale(update)
    await answer_button(update, context)
    await remember(update, context, **{CHOSEN: kind})
    await say(update, context, sender_screens.anonymity(context.i18n), edit=True)


async def choose_anonymity(update: Update, context: VocesContext, args: list[str]) -> object:
    chosen = (context.user_data or {}).get(CHOSEN)
    if args[0] not in ("0", "1") or chosen not in ("s", "c"):
        raise _stale(update)
    await answer_button(update, context)
    await remember(update, context, **{CHOSEN: f"{chosen}:{args[0]}", TARGET: "feedback"})
    return await _ask(update, context, sender_screens.write_opinion(context.i18n))


async def on_text(update: Update, context: VocesContext, text: str) -> object:
    runtime = context.runtime
    chosen = str((context.user_data or {}).get(CHOSEN) or "")
    kind_code, _sep, anonymous = chosen.partition(":")
    if kind_code not in ("s", "c") or anonymous not in ("0", "1"):
        await remember(update, context, **{TARGET: None, CHOSEN: None})
        return await leave(update, context, FLOW)
    kind = FeedbackKind.SUGGESTION if kind_code == "s" else FeedbackKind.COMPLAINT
    try:
        async with runtime.database.session() as session:
            await feedback.send(session, user=person(context), kind=kind, anonymous=anonymous == "1", text=text,
                                       now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return TYPING
    await remember(update, context, **{TARGET: None, CHOSEN: None})
    await say(update, context, sender_screens.opinion_sent(context.i18n, anonymous=anonymous == "1"))
    return await leave(update, context, FLOW)


async def listing(update: Update, context: VocesContext, args: list[str] | None = None) -> None:
    try:
        async with context.runtime.database.session() as session:
            found = await feedback.listing(session, user_id=person(context).id)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    await say(update, context, shown.complaints(context.i18n, found, staff=person(context).role is Role.STAFF), edit=True)


async def who_handles(update: Update, context: VocesContext, args: list[str]) -> None:
    """Staff choose who reads complaints: nobody else does, staff included."""
    try:
        async with context.runtime.database.session() as session:
            team = await feedback.who_may_handle(session, staff_id=person(context).id)
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    await answer_button(update, context)
    await say(update, context, shown.who_reads(context.i18n, team), edit=True)


async def set_handler(update: Update, context: VocesContext, args: list[str]) -> None:
    if args[1] not in ("0", "1"):
        raise _stale(update)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            await feedback.designate(session, staff_id=person(context).id, user_id=button_number(args[0]), handles=args[1] == "1",
                                     now=runtime.clock.now())
    except AlreadyDone:
        pass  # a second tap: the list below shows how things stand
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    await who_handles(update, context, args)


async def open_one(update: Update, context: VocesContext, args: list[str]) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            found = await feedback.read(session, user_id=person(context).id, feedback_id=button_number(args[0]), now=runtime.clock.now())
            sender = await people.get(session, found.sender_id) if found.sender_id else None
    except LookupError:
        raise _stale(update) from None
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    await answer_button(update, context)
    await say(update, context, shown.feedback(context.i18n, found, sender=sender), edit=True)


async def start_answer(update: Update, context: VocesContext, args: list[str]) -> object:
    feedback_id = button_number(args[0])
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"fanswer:{feedback_id}"})
    return await _ask(update, context, shown.write_feedback_answer(context.i18n))


async def on_answer(update: Update, context: VocesContext, feedback_id: int, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            found = await feedback.answer(session, user_id=person(context).id, feedback_id=feedback_id, text=text, now=runtime.clock.now())
            await people.get(session, found.sender_id) if found.sender_id else None
    except LookupError:
        await remember(update, context, **{TARGET: None})
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return TYPING
    await remember(update, context, **{TARGET: None})
    await say(update, context, shown.feedback_answered(context.i18n))
    return await leave(update, context, FLOW)


async def close(update: Update, context: VocesContext, args: list[str]) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            await feedback.close(session, user_id=person(context).id, feedback_id=button_number(args[0]), now=runtime.clock.now())
    except LookupError:
        raise _stale(update) from None
    await answer_button(update, context)
    await say(update, context, shown.feedback_closed(context.i18n), edit=True)
