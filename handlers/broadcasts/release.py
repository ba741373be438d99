"""/broadcast, second half: opening one not yet sent (from /pending or the list), the preview,
sending now or at a time, the second person's approval above the threshold, and cancelling.
What may be done, and what follows, is the domain's (bot/broadcasts/composing.py); this module
says it. (The card, the texts and the audience are in handlers/broadcasts/compose.py, which
registers these too.)"""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.broadcasts import composing
from bot.broadcasts import screens as shown
from bot.broadcasts.models import BroadcastState
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from handlers.broadcasts.card import show_card
from handlers.broadcasts.delivery import send_broadcast
from handlers.broadcasts.flow import (
    apply_change,
    button_broadcast_id,
    data_parts,
    load,
    person_id,
    problem_text,
)
from handlers.common import (
    answer_button,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.show import say

# --- open, preview, send, schedule, approve, cancel --------------------------------------------------


async def show(update: Update, context: VocesContext) -> None:
    """One broadcast, opened from /pending or the list of those not yet sent: its card, with
    Approve / Send back for whoever may give the second pair of eyes; or how its sending goes."""
    await answer_button(update, context)
    broadcast_id = button_broadcast_id(update)
    try:
        async with context.runtime.database.session() as session:
            looked = await composing.look(session, user_id=person_id(context), broadcast_id=broadcast_id, language=context.i18n.language)
    except InvalidInput as refused:  # AlreadyDone, NotAllowed: said, and nothing shown
        await say_already_done(update, context, refused)
        raise ApplicationHandlerStop from None
    if looked is None:
        raise StaleButton(broadcast_id)
    if looked.card is None:
        assert looked.tally is not None
        await say(update, context, shown.tally(context.i18n, looked.tally, final=looked.broadcast.state is BroadcastState.DONE))
        return
    await show_card(update, context, looked.broadcast, edit=False, card=looked.card, with_decision=looked.card.may_approve)


async def preview(update: Update, context: VocesContext) -> None:
    """The message as each language's recipients will see it, sent here the same way."""
    await answer_button(update, context)
    broadcast = await load(update, context)
    assert update.effective_chat is not None
    if not broadcast.texts:
        await say(update, context, shown.no_text(context.i18n))
        return
    for language in SUPPORTED_LANGUAGES:
        await reply(update, context, shown.preview_heading(context.i18n, language))
        await send_broadcast(context.voces, broadcast, update.effective_chat.id, language, bulk=False)


async def send_now(update: Update, context: VocesContext) -> None:
    await _submit(update, context, button_broadcast_id(update), context.runtime.clock.now())


async def _submit(update: Update, context: VocesContext, broadcast_id: int, send_at: datetime) -> None:
    runtime = context.runtime
    settings = runtime.settings
    try:
        async with runtime.database.session() as session:
            submission = await composing.submit(
                session, user_id=person_id(context), broadcast_id=broadcast_id, send_at=send_at, now=runtime.clock.now(),
                default_language=settings.default_language, approval_threshold=settings.broadcast_approval_threshold,
                quiet=runtime.reminders.quiet_hours)
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, problem_text(context, error))
        return
    await answer_button(update, context)
    await tell_submitted(update, context, submission)


async def tell_submitted(update: Update, context: VocesContext, submission: composing.Submission) -> None:
    """What happens now: waiting for approval (whoever may approve is asked), held for the end
    of quiet hours, going out now, or scheduled."""
    await say(update, context, shown.submitted(context.i18n, submission,
                                                       approval_threshold=context.runtime.settings.broadcast_approval_threshold), edit=True)
    if not submission.needs_approval and (submission.held_until is not None or submission.now):
        _wake(context)


def _wake(context: VocesContext) -> None:
    sender = getattr(context.voces, "broadcasts", None)
    if sender is not None:
        sender.wake()


async def approve(update: Update, context: VocesContext) -> None:
    await _decide(update, context, True)
    _wake(context)


async def reject(update: Update, context: VocesContext) -> None:
    await _decide(update, context, False)


async def _decide(update: Update, context: VocesContext, approving: bool) -> None:
    """The second pair of eyes approves or sends back the version its button was made for; the
    author hears it once (bot/broadcasts/approval.py tells them through the outbox)."""
    broadcast_id, version = button_broadcast_id(update), int(data_parts(update)[3])  # the pattern has checked both are numbers
    runtime = context.runtime
    decided = await apply_change(update, context, lambda session: composing.decide(
        session, user_id=person_id(context), broadcast_id=broadcast_id, version=version, approve=approving, now=runtime.clock.now()))
    if decided is None:
        return
    await answer_button(update, context)
    await say(update, context, shown.decided(context.i18n, approved=approving), edit=True)


async def cancel(update: Update, context: VocesContext) -> None:
    broadcast_id = button_broadcast_id(update)

    async def cancelled(session) -> bool:  # noqa: ANN001 - the update's session, for the domain
        await composing.cancel(session, user_id=person_id(context), broadcast_id=broadcast_id, store=context.runtime.files,
                               now=context.runtime.clock.now())
        return True

    if await apply_change(update, context, cancelled) is None:
        return
    await answer_button(update, context)
    await say(update, context, shown.cancelled(context.i18n), edit=True)
