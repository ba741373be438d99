"""Programme staff: /review (the documents waiting, the longest first), opening one with its
pages, verifying it or asking for changes; and /reload_requirements.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.core.textlimits import page_of
from bot.people.models import Role
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from bot.ruos.models import ItemStatus
from bot.ruos.requirements import CatalogueError, localized
from bot.ruos.screens import STATUS
from handlers.common import (
    ROWS_PER_PAGE,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
)
from handlers.context import VocesContext
from handlers.ruos import inscription
from handlers.ruos.common import ask_screen, at, callback, finish, integer, question, user_id
from handlers.stored_files import send_stored_file
from handlers.trainings.show import say

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
    _ = context.gettext
    if not require_staff(context):
        await reply(update, context, _("Only programme staff can do that."))
        return
    async with context.runtime.database.session() as session:
        waiting = await flow.waiting(session, user_id=user_id(context), catalogue=context.runtime.requirements, limit=REVIEW_SHOWN)
    if not waiting:
        await reply(update, context, _("No documents are waiting for review."))
        return
    language = context.i18n.language
    lines = [_("<b>Documents waiting for review</b>"), ""]
    rows = []
    shown = page_of(waiting, page, size=ROWS_PER_PAGE)
    for number, entry in enumerate(shown.items, start=shown.first_index + 1):
        title = localized(entry.requirement.title, language) if entry.requirement else entry.item.item_code
        sent = context.i18n.date(entry.item.uploaded_at) if entry.item.uploaded_at else ""
        lines.append(f"{number}. {escape(entry.organization_name)} — {escape(title)} ({sent})")
        rows.append([(f"{number}. {title}", callback("rv", entry.item.id))])  # the organization is on the line above
    rows += page_navigation(context, shown, callback_prefix=callback("review", "p"))
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))



async def open_for_review(update: Update, context: VocesContext, args: list[str]) -> None:
    """Send staff the item's pages from the bot's own store, then the verify and reject buttons."""
    _ = context.gettext
    item_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await flow.open_for_review(session, user_id=user_id(context), item_id=item_id, at=at(context))
    item, language = review.item, context.i18n.language
    assert update.effective_chat is not None
    for stored in review.files:
        await send_stored_file(context, update.effective_chat.id, stored, organization=review.organization.name)
    title = localized(review.requirement.title, language) if review.requirement else item.item_code
    lines = [
        f"<b>{escape(review.organization.name)}</b> — {escape(title)}",
        _("Status: %(status)s") % {"status": _(STATUS[item.status])},
        _("Pages: %(count)s") % {"count": len(review.files)},
    ]
    if review.requirement:
        lines += ["", escape(localized(review.requirement.explanation, language).strip())]
    rows = []
    if item.status is ItemStatus.UPLOADED:
        rows.append([(_("✅ Verify"), callback("ok", item.id, item.revision)), (_("✏️ Ask for changes"), callback("no", item.id, item.revision))])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)


async def verify(update: Update, context: VocesContext, args: list[str]) -> int:
    item_id, revision = integer(args[0]), integer(args[1])
    async with context.runtime.database.session() as session:
        turn = await flow.verify(session, user_id=user_id(context), item_id=item_id, revision=revision, at=at(context))
    outcome = turn.review
    assert outcome is not None
    await edit_or_reply(update, context, context.gettext("✅ Verified. I told the leaders of %(organization)s.") % {"organization": escape(outcome.organization.name)})
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
        await say(update, context, shown.refused(error_text(context, turn.ended)))
        return await finish(update, context)
    assert turn.review is not None
    await reply(update, context, context.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {"organization": escape(turn.review.organization.name)})
    return await finish(update, context)


# --- staff: /reload_requirements ------------------------------------------------------------------------


async def reload_requirements(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    if not require_staff(context):
        await reply(update, context, _("Only programme staff can do that."))
        return
    runtime = context.runtime
    try:
        catalogue = runtime.reload_requirements()
    except CatalogueError as error:
        log.warning("requirement files not reloaded: %s", error)
        if error.line is None:
            where = _("In the folder %(folder)s: %(problem)s") % {"folder": escape(str(error.path)), "problem": escape(error.problem)}
        else:
            where = _("In %(file)s, line %(line)s: %(problem)s") % {"file": escape(error.path.name), "line": error.line, "problem": escape(error.problem)}
        await reply(update, context, _("⚠️ The requirement files were not reloaded, and the lists in use stay as they were. Correct this and send /reload_requirements again:") + "\n\n" + where)
        return
    await reply(update, context, context.i18n.ngettext(
        "✅ Requirement lists reloaded from %(folder)s: %(count)s list.", "✅ Requirement lists reloaded from %(folder)s: %(count)s lists.",
        len(catalogue.procedures)) % {"folder": escape(str(catalogue.directory)), "count": len(catalogue.procedures)})
