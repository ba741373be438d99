"""Sending broadcasts: one task owned by the application, started in post_init.

Each recipient is claimed (recorded SENDING and committed) right before their message goes
out and recorded right after, so a `kill -9` at any point loses nothing: at the next start the
rows still SENDING are sent again and counted as "in flight" in the report (only those people
may get it twice), and the broadcast carries on with everyone not yet served. The claim reads
the person's consent, /stop and settings again: a message held for the end of quiet hours
reaches nobody who said no meanwhile, and the report counts them by reason.

Bulk messages take a place in the rate limiter's budget only when no answer to a person is
waiting (handlers/ratelimit.py), so nobody who writes during a broadcast waits behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.broadcasts import Recipient, Tally
from bot.broadcasts.models import Broadcast, DeliveryState, SkipReason
from bot.core.i18n import Translator
from bot.core.textlimits import fit_label
from bot.people import people
from handlers.context import VocesApplication
from handlers.ratelimit import BULK

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=30)
MAX_ATTEMPTS = 3


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
    if tally.skipped:
        lines.append(_("Not sent: %(count)s") % {"count": number(tally.skipped)})
        lines += [f"· {skipped_text(i18n, reason, count)}" for reason, count in tally.skipped_because]
    if tally.pending and final is False:
        lines.append(_("Still to go: %(count)s") % {"count": number(tally.pending + tally.sending)})
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
    if reason == SkipReason.UNREACHABLE:
        return ngettext("%(count)s person had blocked the bot before", "%(count)s people had blocked the bot before", count) % values
    # skipped before the reasons were kept apart
    return ngettext("%(count)s person was unreachable, or their settings said no", "%(count)s people were unreachable, or their settings said no",
                    count) % values


class BroadcastSender:
    """Sends due broadcasts, one at a time, with a few requests in flight at once."""

    def __init__(self, application: VocesApplication, *, workers: int = 8, progress_every: float = 5.0,
                 idle_wait: float = 1.0) -> None:
        self.application = application
        self.workers = workers
        self.progress_every = progress_every
        self.idle_wait = idle_wait
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def runtime(self):  # noqa: ANN201 - bot.core.runtime.Runtime
        return self.application.runtime

    async def start(self) -> None:
        async with self.runtime.database.session() as session:
            in_flight = await broadcasts.recover_on_start(session)
        if in_flight:
            log.warning("%d broadcast messages were in flight when the bot stopped; they are sent again", in_flight)
        self._task = asyncio.create_task(self._run(), name="broadcasts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Look for due broadcasts now instead of at the next check."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                busy = await self.send_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sending broadcasts failed; trying again shortly")
                busy = False
            if not busy:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_wait)

    async def send_next(self) -> bool:
        """Send (or go on sending) one due broadcast; False if none was due."""
        runtime = self.runtime
        async with runtime.database.session() as session:
            broadcast = await broadcasts.next_to_send(session, now=runtime.clock.now())
            if broadcast is None:
                return False
            if broadcast.state.value == "scheduled":
                count = await broadcasts.start(session, broadcast_id=broadcast.id, now=runtime.clock.now(),
                                               quiet=runtime.reminders.quiet_hours)
                log.info("broadcast %d started: %d recipients", broadcast.id, count)
                starting = True
            else:
                starting = False
        if starting:
            await self._progress(broadcast, final=False)
        await self._deliver(broadcast)
        return True

    async def _deliver(self, broadcast: Broadcast) -> None:
        runtime = self.runtime
        queue: asyncio.Queue[Recipient | None] = asyncio.Queue(maxsize=self.workers * 4)

        async def produce() -> None:
            after = 0
            while True:
                async with runtime.database.session() as session:
                    page = await broadcasts.due_recipients(session, broadcast_id=broadcast.id, now=runtime.clock.now(),
                                                           limit=500, after=after)
                if not page:
                    break
                for recipient in page:
                    await queue.put(recipient)
                after = page[-1].user_id
            for _worker in range(self.workers):
                await queue.put(None)

        async def work() -> None:
            while (recipient := await queue.get()) is not None:
                await self._send_one(broadcast, recipient)

        async def report_progress() -> None:
            while True:
                await asyncio.sleep(self.progress_every)
                await self._progress(broadcast, final=False)

        reporter = asyncio.create_task(report_progress())
        try:
            await asyncio.gather(produce(), *(work() for _worker in range(self.workers)))
        finally:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter
        async with runtime.database.session() as session:
            finished = await broadcasts.finish_if_done(session, broadcast_id=broadcast.id, now=runtime.clock.now())
            if finished:  # its file is needed no more
                await broadcast_files.let_go(session, store=runtime.files, broadcast_id=broadcast.id)
        if finished:
            log.info("broadcast %d finished", broadcast.id)
            await self._progress(broadcast, final=True)

    async def _send_one(self, broadcast: Broadcast, recipient: Recipient) -> None:
        runtime = self.runtime
        async with runtime.database.session() as session:
            if not await broadcasts.claim(session, broadcast_id=broadcast.id, user_id=recipient.user_id, kind=broadcast.kind):
                return
        state, reason, retry_at = DeliveryState.DELIVERED, None, None
        try:
            await send_broadcast(self.application, broadcast, recipient.telegram_id, recipient.language, bulk=True)
        except Forbidden:
            state, reason = DeliveryState.BLOCKED, "blocked the bot"
            log.info("broadcast %d: user %d blocked the bot; marked unreachable", broadcast.id, recipient.user_id)
        except TimedOut:
            # It may have arrived: not sent again, so nobody gets it twice.
            state, reason = DeliveryState.FAILED, "timed out; it may have arrived"
        except BadRequest as error:
            state, reason = DeliveryState.FAILED, error.message[:200]
        except (RetryAfter, NetworkError) as error:
            attempts = await self._attempts(broadcast.id, recipient.user_id)
            if attempts >= MAX_ATTEMPTS:
                state, reason = DeliveryState.FAILED, f"gave up after {attempts} attempts: {type(error).__name__}"
            else:
                state, reason, retry_at = DeliveryState.PENDING, f"attempt {attempts} failed", runtime.clock.now() + RETRY_DELAY
        async with runtime.database.session() as session:
            await broadcasts.record(session, broadcast_id=broadcast.id, user_id=recipient.user_id, state=state,
                                    reason=reason, now=runtime.clock.now(), retry_at=retry_at)

    async def _attempts(self, broadcast_id: int, user_id: int) -> int:
        async with self.runtime.database.session() as session:
            return await broadcasts.attempts(session, broadcast_id=broadcast_id, user_id=user_id)

    async def _progress(self, broadcast: Broadcast, *, final: bool) -> None:
        """The author's progress message, edited in place; the final report as a new message."""
        runtime = self.runtime
        if broadcast.author_id is None:
            return
        async with runtime.database.session() as session:
            author = await people.get(session, broadcast.author_id)
            current = await broadcasts.get(session, broadcast.id)
            tally = await broadcasts.tally(session, broadcast_id=broadcast.id)
        if author is None or current is None:
            return
        i18n = runtime.translator(author.language)
        text = tally_text(i18n, tally, final=final)
        bot = self.application.bot
        try:
            if current.progress_message_id is not None and not final:
                await bot.edit_message_text(text, chat_id=author.telegram_id, message_id=current.progress_message_id)
                return
            message = await bot.send_message(author.telegram_id, text)
        except TelegramError as error:
            if "not modified" not in str(error):
                log.info("could not update the progress of broadcast %d: %s", broadcast.id, error)
            return
        if not final:
            async with runtime.database.session() as session:
                await broadcasts.set_progress_message(session, broadcast_id=broadcast.id, message_id=message.message_id)
