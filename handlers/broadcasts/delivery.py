"""Sending broadcasts through Telegram: a broadcast as a recipient sees it (the preview sends it
the same way), the author's progress report, and Telegram's side of the sending task, whose
claims, records and retries are the domain's (bot/messaging/broadcasting.py).

Bulk messages take a place in the rate limiter's budget only when no answer to a person is
waiting (handlers/ratelimit.py), so nobody who writes during a broadcast waits behind it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.broadcasts import Recipient, Tally
from bot.broadcasts.models import Broadcast, SkipReason
from bot.core.i18n import Translator
from bot.core.textlimits import fit_label
from bot.messaging.broadcasting import Sent
from bot.messaging.reminders import DeliveryOutcome
from bot.people.models import User
from handlers.context import VocesApplication
from handlers.ratelimit import BULK

log = logging.getLogger(__name__)

def markup_of(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if not broadcast.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(fit_label(label), url=url)] for label, url in broadcast.buttons])


async def send_broadcast(
    application: VocesApplication, broadcast: Broadcast, chat_id: int, language: str, *, bulk: bool
) -> Message:
    """The message exactly as a recipient sees it (the preview sends it the same way)."""
    default = application.runtime.settings.default_language
    text = broadcasts.text_for(broadcast, language, default)
    extra: dict[str, Any] = {"reply_markup": markup_of(broadcast)}
    if bulk:
        extra["rate_limit_args"] = BULK
    bot = application.bot
    if broadcast.attachment_kind is None:
        return await bot.send_message(chat_id, text, **extra)
    if broadcast.attachment_path is not None and broadcast.attachment_file_id is None:
        # The first send uploads the cleaned copy; the other workers wait, then send Telegram's copy.
        async with _UPLOADING.setdefault(broadcast.id, asyncio.Lock()):
            if broadcast.attachment_file_id is None:
                sent = await _upload(application, broadcast, chat_id, text, extra)
                _UPLOADING.pop(broadcast.id, None)
                return sent
    return await _send_file(application, broadcast.attachment_kind, broadcast.attachment_file_id, chat_id, text, extra)


_UPLOADING: dict[int, asyncio.Lock] = {}


async def _send_file(application: VocesApplication, kind: str, file: str | InputFile | None, chat_id: int, text: str,
                     extra: dict[str, Any]) -> Message:
    if kind == "photo":
        return await application.bot.send_photo(chat_id, file, caption=text, **extra)
    return await application.bot.send_document(chat_id, file, caption=text, **extra)


async def _upload(application: VocesApplication, broadcast: Broadcast, chat_id: int, text: str, extra: dict[str, Any]) -> Message:
    """Send the file from the store under the bot's name (bot/broadcasts/files.py) and
    keep Telegram's id for the copy, so the next recipients get the same one."""
    attached = broadcast_files.cleaned_copy(broadcast, application.runtime.files)
    assert attached is not None and broadcast.attachment_path is not None
    sent = await _send_file(application, attached.kind, InputFile(attached.content, filename=attached.file_name), chat_id, text, extra)
    uploaded = sent.photo[-1] if sent.photo else sent.document
    if uploaded is not None:
        broadcast.attachment_file_id = uploaded.file_id
        async with application.runtime.database.session() as session:
            await broadcast_files.remember_upload(session, broadcast_id=broadcast.id, path=broadcast.attachment_path, file_id=uploaded.file_id)
    return sent


def tally_text(i18n: Translator, tally: Tally, *, final: bool) -> str:
    _ = i18n.gettext
    number = i18n.number
    if final:
        lines = [_("✅ <b>Broadcast finished.</b>")]
    else:
        lines = [_("📣 Sending… %(done)s of %(total)s") % {"done": number(tally.done), "total": number(tally.total)}]
    lines.append(_("Delivered: %(count)s") % {"count": number(tally.delivered)})
    if tally.blocked:
        lines.append(_("Blocked the bot: %(count)s (they are skipped from now on)") % {"count": number(tally.blocked)})
    if tally.failed:
        lines.append(_("Failed: %(count)s") % {"count": number(tally.failed)})
        if tally.marketing_capped:
            lines.append("· " + i18n.ngettext(
                "%(count)s person on WhatsApp had reached Meta's limit of announcements for now (not tried again today)",
                "%(count)s people on WhatsApp had reached Meta's limit of announcements for now (not tried again today)",
                tally.marketing_capped) % {"count": number(tally.marketing_capped)})
    if tally.skipped:
        lines.append(_("Not sent: %(count)s") % {"count": number(tally.skipped)})
        lines += [f"· {skipped_text(i18n, reason, count)}" for reason, count in tally.skipped_because]
    if tally.pending and final is False:
        lines.append(_("Still to go: %(count)s") % {"count": number(tally.pending + tally.sending)})
        if tally.waiting_for_daily_limit:
            lines.append("· " + i18n.ngettext(
                "%(count)s person on WhatsApp waits for the daily limit of people reached outside their 24 hours to free up",
                "%(count)s people on WhatsApp wait for the daily limit of people reached outside their 24 hours to free up",
                tally.waiting_for_daily_limit) % {"count": number(tally.waiting_for_daily_limit)})
    if tally.in_flight_at_restart:
        lines.append(_("In flight when the bot restarted, sent again: %(count)s (these people may have it twice)") % {
            "count": number(tally.in_flight_at_restart)})
    return "\n".join(lines)


def skipped_text(i18n: Translator, reason: str, count: int) -> str:
    """Why `count` people did not get it (read when their delivery came up, not only at the start)."""
    ngettext, values = i18n.ngettext, {"count": i18n.number(count)}
    if reason == SkipReason.PAUSED:
        return ngettext("%(count)s person had paused messages with /stop", "%(count)s people had paused messages with /stop", count) % values
    if reason == SkipReason.SWITCHED_OFF:
        return ngettext("%(count)s person had switched this kind of message off", "%(count)s people had switched this kind of message off",
                        count) % values
    if reason == SkipReason.NO_CONSENT:
        return ngettext("%(count)s person had withdrawn their consent", "%(count)s people had withdrawn their consent", count) % values
    if reason == SkipReason.NO_WHATSAPP_OPT_IN:
        return ngettext("%(count)s person on WhatsApp, quiet for over 24 hours, has announcements switched off",
                        "%(count)s people on WhatsApp, quiet for over 24 hours, have announcements switched off", count) % values
    if reason == SkipReason.UNREACHABLE:
        return ngettext("%(count)s person had blocked the bot before", "%(count)s people had blocked the bot before", count) % values
    # skipped before the reasons were kept apart
    return ngettext("%(count)s person was unreachable, or their settings said no", "%(count)s people were unreachable, or their settings said no",
                    count) % values


class TelegramBroadcasts:
    """Telegram's side of broadcasts (bot.messaging.broadcasting.BroadcastChannel)."""

    def __init__(self, application: VocesApplication) -> None:
        self.application = application

    async def send(self, broadcast: Broadcast, recipient: Recipient) -> Sent:
        try:
            await send_broadcast(self.application, broadcast, recipient.telegram_id, recipient.language, bulk=True)
        except Forbidden:
            return Sent(DeliveryOutcome.RECIPIENT_UNREACHABLE)
        except TimedOut:
            # It may have arrived: not sent again, so nobody gets it twice.
            return Sent(DeliveryOutcome.REFUSED, "timed out; it may have arrived")
        except BadRequest as error:
            return Sent(DeliveryOutcome.REFUSED, error.message)
        except (RetryAfter, NetworkError) as error:
            return Sent(DeliveryOutcome.RETRY_LATER, type(error).__name__)
        return Sent(DeliveryOutcome.SENT)

    async def report(self, author: User, tally: Tally, *, final: bool, replacing: int | None) -> int | None:
        text = tally_text(self.application.runtime.translator(author.language), tally, final=final)
        bot = self.application.bot
        try:
            if replacing is not None:
                await bot.edit_message_text(text, chat_id=author.telegram_id, message_id=replacing)
                return None
            message = await bot.send_message(author.telegram_id, text)
        except TelegramError as error:
            if "not modified" not in str(error):
                log.info("could not update the progress of a broadcast for its author: %s", error)
            return None
        return message.message_id
