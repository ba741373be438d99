"""Sending a requirement's files (a PDF, or a photo of each page) and taking them back.

Albums: Telegram delivers an album as one message per page, which this bot handles one after
the other for the same person. The first page's receipt is sent and remembered (its message
id, in the person's chat data); the album's later pages edit that receipt instead of adding
a message each.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import ruos
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.ruos import Step
from bot.ruos.models import ChecklistDraft
from bot.ruos.requirements import PageCount, Procedure, Requirement, localized
from handlers.common import END, ask, edit_or_reply, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.checklist import item_of, open_item, show_checklist
from handlers.ruos.common import ALBUM, FLOW, callback, current_person, finish, integer

# --- taking pages back ----------------------------------------------------------------------------


async def ask_to_withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    """Taking pages back cannot be undone: say how many, and ask."""
    _ = context.gettext
    _checklist, view = await item_of(context, args)
    organization_id, procedure_code, item_code = args[0], args[1], args[2]
    text = context.i18n.ngettext(
        "Take back the page sent for “%(item)s”? Then send it again from the first page.",
        "Take back the %(count)s pages sent for “%(item)s”? Then send it again from the first page.",
        view.pages,
    ) % {
        "count": view.pages, "item": escape(localized(view.requirement.title, context.i18n.language))}
    await edit_or_reply(update, context, text, reply_markup=keyboard([
        [(_("🗑 Yes, take them back"), callback("xy", organization_id, procedure_code, item_code))],
        [(_("No, keep them"), callback("i", organization_id, procedure_code, item_code))],
    ]))
    return await finish(update, context)


async def withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        await ruos.withdraw_pages(
            session, catalogue=runtime.requirements, user=person, organization=organization, procedure_code=procedure_code,
            item_code=item_code, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        )
    return await open_item(update, context, args)


# --- the upload step ------------------------------------------------------------------------------


def done_keyboard(context: VocesContext) -> InlineKeyboardMarkup:
    return keyboard([[(context.gettext("✅ Done"), callback("done"))]])


def upload_prompt(context: VocesContext, requirement: Requirement) -> str:
    _ = context.gettext
    title = escape(localized(requirement.title, context.i18n.language))
    if requirement.pages is PageCount.ONE:
        return _("Send “%(item)s” now: one PDF file or one photo. Then tap Done.") % {"item": title}
    return _("Send “%(item)s” now: a PDF file, or a photo of each page (you can send several photos at once). When you have sent everything, tap Done.") % {"item": title}


async def start_upload(update: Update, context: VocesContext, args: list[str]) -> str:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        _draft, requirement = await ruos.start_upload(
            session, user=person, catalogue=runtime.requirements, organization=organization,
            procedure_code=procedure_code, item_code=item_code, now=runtime.clock.now(),
        )
    context.user_data.pop(ALBUM, None)  # type: ignore[union-attr]
    return await ask(update, context, flow=FLOW, step=Step.UPLOAD.value, text=upload_prompt(context, requirement), reply_markup=done_keyboard(context))


async def finish_upload(update: Update, context: VocesContext, args: list[str]) -> int:
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    await finish(update, context)
    if draft is None or draft.step != Step.UPLOAD:
        await reply(update, context, context.gettext("This button is no longer active."))
        return END
    await show_checklist(update, context, draft.organization_id, draft.procedure_code, edit=False)
    return END


# --- receiving files --------------------------------------------------------------------------------


async def upload_target(context: VocesContext) -> tuple[ChecklistDraft, Procedure, Requirement] | None:
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    if draft is None or draft.step != Step.UPLOAD or draft.procedure_code is None or draft.item_code is None:
        return None
    procedure = context.runtime.requirements.procedure(draft.procedure_code)
    return draft, procedure, ruos.requirement_of(procedure, draft.item_code)


async def on_file(update: Update, context: VocesContext) -> object:
    """A document or a photo (one page, or one page of an album) for the item being uploaded."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    try:
        target = await upload_target(context)
    except (KeyError, InvalidInput):
        target = None
    if target is None:
        context.voces.dispatch_again(update)  # the general answer about files outside /ruos
        return await finish(update, context)
    draft, procedure, requirement = target
    # What the phone says a document is decides nothing: the bytes do (bot/core/uploads.py).
    file = message.photo[-1] if message.photo else message.document  # a photo's largest size
    assert file is not None
    file_id, size = file.file_id, file.file_size
    name = message.document.file_name if message.document else None
    runtime = context.runtime
    try:
        ruos.check_announced_file(requirement, size=size)
        try:
            telegram_file = await context.bot.get_file(file_id)
            content = bytes(await telegram_file.download_as_bytearray())
        except BadRequest as error:
            if "too big" in error.message.lower():
                raise ruos.too_large(size) from None
            raise
        async with runtime.database.session() as session:
            receipt = await ruos.record_upload(
                session, store=runtime.files, organization_id=draft.organization_id, procedure=procedure,
                requirement=requirement,
                upload=ruos.Upload(content, name, file_id, message.media_group_id),
                uploader=await current_person(session, context), now=runtime.clock.now(),
            )
    except NotAllowed as error:  # removed from the organization since the upload step began
        await finish(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error), reply_markup=done_keyboard(context))
        return None
    title = escape(localized(requirement.title, context.i18n.language))
    if receipt.duplicate:
        await reply(update, context, _("You had already sent this same file for “%(item)s”: I kept it once.") % {"item": title}, reply_markup=done_keyboard(context))
        return None
    if requirement.pages is PageCount.ONE:
        text = _("📎 “%(item)s” received. Another file would replace it. Tap Done when you are finished.") % {"item": title}
    else:
        text = _("📎 “%(item)s”: pages received: %(count)s. Send more pages, or tap Done.") % {"item": title, "count": receipt.pages}
    await acknowledge(update, context, text, message.media_group_id)
    return None


async def acknowledge(update: Update, context: VocesContext, text: str, media_group_id: str | None) -> None:
    """One receipt per file, except that an album's pages update the receipt of its first page."""
    album = context.user_data.get(ALBUM) if media_group_id else None  # type: ignore[union-attr]
    if album and album["group"] == media_group_id:
        assert update.effective_chat is not None
        await context.bot.edit_message_text(
            text, chat_id=update.effective_chat.id, message_id=album["message_id"], reply_markup=done_keyboard(context)
        )
        return
    sent = await reply(update, context, text, reply_markup=done_keyboard(context))
    if media_group_id:
        context.user_data[ALBUM] = {"group": media_group_id, "message_id": sent.message_id}  # type: ignore[index]
