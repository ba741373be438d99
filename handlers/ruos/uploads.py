"""Sending a requirement's files (a PDF, or a photo of each page) and taking them back. What
comes next is the conversation's (bot/ruos/conversation.py); this module downloads and renders.

Albums: Telegram delivers an album as one message per page, which this bot handles one after
the other for the same person. The first page's receipt is sent and its message id kept with
the upload's draft (bot.ruos.conversation.remember_album_receipt); the album's later pages edit
that receipt instead of adding a message each.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot import ruos
from bot.core.screens import Screen, screen
from bot.core.validation import InvalidInput
from bot.people.authority import NotAllowed
from bot.ruos import Step
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from handlers import screens
from handlers.common import END, error_text, reply
from handlers.context import VocesContext
from handlers.ruos.checklist import item_of, open_item, show_checklist
from handlers.ruos.common import ask_screen, at, finish, integer, user_id
from handlers.show import replace, say

# --- taking pages back ----------------------------------------------------------------------------


async def ask_to_withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    """Taking pages back cannot be undone: say how many, and ask."""
    checklist, view = await item_of(context, args)
    await replace(update, context, shown.take_back(context.i18n, checklist, view))
    return await finish(update, context)


async def withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    async with context.runtime.database.session() as session:
        await flow.withdraw(session, user_id=user_id(context), organization_id=organization_id, procedure_code=procedure_code,
                            item_code=item_code, at=at(context))
    return await open_item(update, context, args)


# --- the upload step ------------------------------------------------------------------------------


async def start_upload(update: Update, context: VocesContext, args: list[str]) -> str:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    async with context.runtime.database.session() as session:
        turn = await flow.begin_upload(session, user_id=user_id(context), organization_id=organization_id,
                                       procedure_code=procedure_code, item_code=item_code, at=at(context))
    assert turn.requirement is not None
    return await ask_screen(update, context, Step.UPLOAD, shown.upload_prompt(context.i18n, turn.requirement))


async def finish_upload(update: Update, context: VocesContext, args: list[str]) -> int:
    async with context.runtime.database.session() as session:
        turn = await flow.done_uploading(session, user_id=user_id(context))
    await finish(update, context)
    if turn.done_uploading is None:
        assert turn.ended is not None
        await say(update, context, screen(error_text(context, turn.ended)))  # as it always read: no ⚠️
        return END
    organization_id, procedure_code = turn.done_uploading
    await show_checklist(update, context, organization_id, procedure_code, edit=False)
    return END


# --- receiving files --------------------------------------------------------------------------------


async def on_file(update: Update, context: VocesContext) -> object:
    """A document or a photo (one page, or one page of an album) for the item being uploaded."""
    message = update.effective_message
    assert message is not None
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
        await say(update, context, shown.refused(error_text(context, error)))
        return END
    except InvalidInput as error:
        await say(update, context, shown.file_refused(context.i18n, error_text(context, error)))
        return None
    if received is None:  # the upload ended meanwhile
        context.voces.dispatch_again(update)
        return await finish(update, context)
    receipt = shown.file_received(context.i18n, received.requirement, received.receipt)
    if received.receipt.duplicate:
        await say(update, context, receipt)
        return None
    await acknowledge(update, context, receipt, message.media_group_id, received.album_receipt)
    return None


async def acknowledge(update: Update, context: VocesContext, receipt: Screen, media_group_id: str | None, album_receipt: object) -> None:
    """One receipt per file, except that an album's pages update the receipt of its first page."""
    text, markup = screens.render(receipt)
    if media_group_id and isinstance(album_receipt, int):
        assert update.effective_chat is not None
        await context.bot.edit_message_text(
            text, chat_id=update.effective_chat.id, message_id=album_receipt, reply_markup=markup
        )
        return
    sent = await reply(update, context, text, reply_markup=markup)
    if media_group_id:
        async with context.runtime.database.session() as session:
            await flow.remember_album_receipt(session, user_id=user_id(context), media_group_id=media_group_id, receipt=sent.message_id)
