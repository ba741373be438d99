"""Programme staff: /review (the documents waiting, the longest first), opening one with its
pages, verifying it or asking for changes; and /reload_requirements.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.people.models import Role
from bot.ruos import conversation as flow
from bot.ruos import review_screens as shown
from bot.ruos import screens as ruos_screens
from bot.ruos.requirements import CatalogueError
from handlers.common import error_text, page_number
from handlers.context import VocesContext
from handlers.ruos import inscription
from handlers.ruos.common import ask_screen, at, finish, integer, question, user_id
from handlers.show import replace, say
from handlers.stored_files import send_stored_file

log = logging.getLogger(__name__)

# /review pages through this many, ten at a time, the longest waiting first.
REVIEW_SHOWN = 500


# --- staff: /review, verify, reject ------------------------------------------------------------------------


def require_staff(context: VocesContext) -> bool:
    return context.person is not None and context.person.role is Role.STAFF


async def list_waiting(update: Update, context: VocesContext) -> None:
    await show_waiting(update, context, page=1)


async def waiting_page(update: Update, context: VocesContext, args: list[str]) -> None:
    await show_waiting(update, context, page=page_number(args[0]))


async def show_waiting(update: Update, context: VocesContext, *, page: int) -> None:
    """/review's list, a page at a time: Telegram takes at most 100 buttons on one message."""
    if not require_staff(context):
        await say(update, context, shown.staff_only(context.i18n))
        return
    async with context.runtime.database.session() as session:
        waiting = await flow.waiting(session, user_id=user_id(context), catalogue=context.runtime.requirements, limit=REVIEW_SHOWN)
    listed = shown.waiting(context.i18n, waiting, page=page)
    await (replace if waiting else say)(update, context, listed)


async def open_for_review(update: Update, context: VocesContext, args: list[str]) -> None:
    """Send staff the item's pages from the bot's own store, then the verify and reject buttons."""
    item_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await flow.open_for_review(session, user_id=user_id(context), item_id=item_id, at=at(context))
    assert update.effective_chat is not None
    for stored in review.files:
        await send_stored_file(context, update.effective_chat.id, stored, organization=review.organization.name)
    await say(update, context, shown.review_card(context.i18n, review))


async def verify(update: Update, context: VocesContext, args: list[str]) -> int:
    item_id, revision = integer(args[0]), integer(args[1])
    async with context.runtime.database.session() as session:
        turn = await flow.verify(session, user_id=user_id(context), item_id=item_id, revision=revision, at=at(context))
    outcome = turn.review
    assert outcome is not None
    await replace(update, context, shown.verified(context.i18n, outcome.organization.name))
    if turn.inscription_next:
        await inscription.offer(update, context, outcome.organization.id, outcome.organization.name)
    return await finish(update, context)


async def ask_reason(update: Update, context: VocesContext, args: list[str]) -> str:
    item_id, revision = integer(args[0]), integer(args[1])
    async with context.runtime.database.session() as session:
        turn = await flow.ask_reason(session, user_id=user_id(context), item_id=item_id, revision=revision, at=at(context))
    assert turn.asks is not None
    return await ask_screen(update, context, turn.asks, question(context, turn))


async def render_reason(update: Update, context: VocesContext, turn: flow.Turn) -> object:
    """After the reason was typed: asked again, refused, or the leaders told."""
    if turn.asks is not None:
        return await ask_screen(update, context, turn.asks, question(context, turn))
    if turn.ended is not None:  # nothing to ask again: nobody is told
        await say(update, context, ruos_screens.refused(error_text(context, turn.ended)))
        return await finish(update, context)
    assert turn.review is not None
    await say(update, context, shown.changes_asked(context.i18n, turn.review.organization.name))
    return await finish(update, context)


# --- staff: /reload_requirements ------------------------------------------------------------------------


async def reload_requirements(update: Update, context: VocesContext) -> None:
    if not require_staff(context):
        await say(update, context, shown.staff_only(context.i18n))
        return
    try:
        catalogue = context.runtime.reload_requirements()
    except CatalogueError as error:
        log.warning("requirement files not reloaded: %s", error)
        await say(update, context, shown.reload_failed(context.i18n, error))
        return
    await say(update, context, shown.reloaded(context.i18n, catalogue))
