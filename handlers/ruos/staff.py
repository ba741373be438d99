"""Programme staff: /review (the documents waiting, the longest first), opening one with its
pages, verifying it or asking for changes; and /reload_requirements.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot import ruos
from bot.core.textlimits import page_of
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.people.models import Role
from bot.ruos import Step, public_registry
from bot.ruos.models import ChecklistDraft, ItemStatus
from bot.ruos.requirements import CatalogueError, localized
from handlers.common import (
    ROWS_PER_PAGE,
    ask,
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
from handlers.ruos.common import FLOW, QUESTION, STATUS, callback, current_person, finish, integer
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
    _ = context.gettext
    if not require_staff(context):
        await reply(update, context, _("Only programme staff can do that."))
        return
    async with context.runtime.database.session() as session:
        waiting = await ruos.waiting_for_review(
            session, catalogue=context.runtime.requirements, staff=await current_person(session, context), limit=REVIEW_SHOWN)
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
        review = await ruos.item_for_review(session, catalogue=runtime.requirements, staff=await current_person(session, context), item_id=item_id,
                                           now=runtime.clock.now())
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
    runtime = context.runtime
    async with runtime.database.session() as session:
        outcome = await ruos.review(
            session, catalogue=runtime.requirements, staff=await current_person(session, context), item_id=item_id,
            revision=revision, verified=True, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        )
        inscription_next = await public_registry.waits_for_inscription(
            session, catalogue=runtime.requirements, organization_id=outcome.organization.id, procedure_code=outcome.procedure_code)
    await edit_or_reply(update, context, context.gettext("✅ Verified. I told the leaders of %(organization)s.") % {"organization": escape(outcome.organization.name)})
    if inscription_next:
        await inscription.offer(update, context, outcome.organization.id, outcome.organization.name)
    return await finish(update, context)


async def ask_reason(update: Update, context: VocesContext, args: list[str]) -> str:
    item_id, revision = integer(args[0]), integer(args[1])
    runtime = context.runtime
    async with runtime.database.session() as session:
        draft = await ruos.start_rejection(session, staff=await current_person(session, context), item_id=item_id, revision=revision, now=runtime.clock.now())
    return await ask(update, context, flow=FLOW, step=draft.step, text=context.gettext(QUESTION[Step.REASON]))


async def reject_with_reason(update: Update, context: VocesContext, draft: ChecklistDraft, reason: str) -> object:
    runtime = context.runtime
    assert draft.checklist_item_id is not None and draft.checklist_item_revision is not None
    try:
        async with runtime.database.session() as session:
            outcome = await ruos.review(
                session, catalogue=runtime.requirements, staff=await current_person(session, context),
                item_id=draft.checklist_item_id, revision=draft.checklist_item_revision, verified=False,
                reason=reason, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except (ruos.RuosError, AlreadyDone, NotAllowed) as error:  # nothing to ask again: nobody is told
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await finish(update, context)
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step=Step.REASON.value, text=f"⚠️ {error_text(context, error)}\n\n{context.gettext(QUESTION[Step.REASON])}")
    await reply(update, context, context.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {"organization": escape(outcome.organization.name)})
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
