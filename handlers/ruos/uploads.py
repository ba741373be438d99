"""Sending a requirement's files (a PDF, or a photo of each page) and taking them back. What
comes next is the conversation's (bot/ruos/conversation.py); this module downloads and renders.

Albums: Telegram delivers an album as one message per page, which this bot handles one after
the other for the same person. The first page's receipt is sent and its message id kept with
the upload's draft (bot.ruos.conversation.remember_album_receipt); the album's later pages edit
that receipt instead of adding a message each.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import ruos
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.ruos import Step
from bot.ruos import conversation as flow
from bot.ruos.requirements import PageCount, Requirement, localized
from handlers.common import END, ask, edit_or_reply, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.ruos.checklist import item_of, open_item, show_checklist
from handlers.ruos.common import FLOW, at, callback, finish, integer, user_id

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
    async with context.runtime.database.session() as session:
        await flow.withdraw(session, user_id=user_id(context), organization_id=organization_id, procedure_code=procedure_code,
                            item_code=item_code, at=at(context))
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
    async with context.runtime.database.session() as session:
        turn = await flow.begin_upload(session, user_id=user_id(context), organization_id=organization_id,
                                       procedure_code=procedure_code, item_code=item_code, at=at(context))
    assert turn.requirement is not None
    return await ask(update, context, flow=FLOW, step=Step.UPLOAD.value, text=upload_prompt(context, turn.requirement), reply_markup=done_keyboard(context))


async def finish_upload(update: Update, context: VocesContext, args: list[str]) -> int:
    async with context.runtime.database.session() as session:
        turn = await flow.done_uploading(session, user_id=user_id(context))
    await finish(update, context)
    if turn.done_uploading is None:
        assert turn.ended is not None
        await reply(update, context, error_text(context, turn.ended))
        return END
    organization_id, procedure_code = turn.done_uploading
    await show_checklist(update, context, organization_id, procedure_code, edit=False)
    return END


def waiting_for_text(context: VocesContext, requirement: Requirement | None) -> str:
    """Text, a sticker or a voice note while a file is awaited."""
    title = escape(localized(requirement.title, context.i18n.language)) if requirement else ""
    return context.gettext("I am waiting for “%(item)s”: send it as a PDF file or as photos, or tap Done.") % {"item": title}


# --- receiving files --------------------------------------------------------------------------------


async def on_file(update: Update, context: VocesContext) -> object:
    """A document or a photo (one page, or one page of an album) for the item being uploaded."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        target = await flow.upload_target(session, user_id=user_id(context), catalogue=runtime.requirements)
    if target is None:
        context.voces.dispatch_again(update)  # the general answer about files outside /ruos
        return await finish(update, context)
    requirement = target[2]
    # What the phone says a document is decides nothing: the bytes do (bot/core/uploads.py).
    file = message.photo[-1] if message.photo else message.document  # a photo's largest size
    assert file is not None
    file_id, size = file.file_id, file.file_size
    name = message.document.file_name if message.document else None
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
            received = await flow.receive_file(session, user_id=user_id(context), store=runtime.files, at=at(context),
                                               upload=ruos.Upload(content, name, file_id, message.media_group_id))
    except NotAllowed as error:  # removed from the organization since the upload step began
        await finish(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error), reply_markup=done_keyboard(context))
        return None
    if received is None:  # the upload ended meanwhile
        context.voces.dispatch_again(update)
        return await finish(update, context)
    receipt, requirement = received.receipt, received.requirement
    title = escape(localized(requirement.title, context.i18n.language))
    if receipt.duplicate:
        await reply(update, context, _("You had already sent this same file for “%(item)s”: I kept it once.") % {"item": title}, reply_markup=done_keyboard(context))
        return None
    if requirement.pages is PageCount.ONE:
        text = _("📎 “%(item)s” received. Another file would replace it. Tap Done when you are finished.") % {"item": title}
    else:
        text = _("📎 “%(item)s”: pages received: %(count)s. Send more pages, or tap Done.") % {"item": title, "count": receipt.pages}
    await acknowledge(update, context, text, message.media_group_id, received.album_receipt)
    return None


async def acknowledge(update: Update, context: VocesContext, text: str, media_group_id: str | None, album_receipt: object) -> None:
    """One receipt per file, except that an album's pages update the receipt of its first page."""
    if media_group_id and isinstance(album_receipt, int):
        assert update.effective_chat is not None
        await context.bot.edit_message_text(
            text, chat_id=update.effective_chat.id, message_id=album_receipt, reply_markup=done_keyboard(context)
        )
        return
    sent = await reply(update, context, text, reply_markup=done_keyboard(context))
    if media_group_id:
        async with context.runtime.database.session() as session:
            await flow.remember_album_receipt(session, user_id=user_id(context), media_group_id=media_group_id, receipt=sent.message_id)
