"""The typed Application and CallbackContext every handler receives."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any
from weakref import WeakValueDictionary

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext, ExtBot
from telegram.request import BaseRequest

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.sendbudget import answering_since
from bot.messaging import reminders
from bot.messaging.broadcasting import Broadcaster
from bot.people.models import User

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


class VocesApplication(Application):  # type: ignore[type-arg]
    """PTB's Application plus the runtime, and re-dispatch for updates a flow handed back.

    When someone inside one flow sends the command of another, the flow ends itself and asks
    for the update to be dispatched again, so that the command reaches its own handler instead
    of being swallowed by (or left dangling in) the flow they were in.
    """

    runtime: Runtime
    requests: Sequence[BaseRequest] = ()  # the bot's connections to the Bot API
    broadcasts: Broadcaster | None = None  # the runtime's, once started (post_init)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handed_back: set[int] = set()
        self.personal_menus_set: set[int] = set()  # chats given their role's menu since start

    async def initialize(self) -> None:
        try:
            await super().initialize()
        except BaseException:
            # A start that fails (a refused token, no network) leaves the connections the bot
            # opened: PTB shuts down only what started, and aiohttp complains of open sessions.
            for request in self.requests:
                await request.shutdown()
            raise

    def dispatch_again(self, update: Update) -> None:
        self._handed_back.add(update.update_id)

    async def process_update(self, update: object) -> None:
        # One database session for everything the update does (see Database.unit_of_work).
        # The press this update is: the update processor's (OnePersonAtATime), or one of its own.
        press = _press.get()
        query = update.callback_query if isinstance(update, Update) else None
        token = _press.set(Press(query)) if press is None and query is not None else None
        press = _press.get()
        try:
            async with self.runtime.database.unit_of_work() as unit:
                await super().process_update(update)
                while isinstance(update, Update) and update.update_id in self._handed_back:
                    self._handed_back.discard(update.update_id)
                    await super().process_update(update)
                if query is not None and press is not None and not press.answered:
                    # No part of the bot answered this press: stop its spinner all the same.
                    press.answered = True
                    try:
                        await query.answer()
                    except TelegramError:
                        log.info("could not answer a button press nobody answered")
        finally:
            if token is not None:
                _press.reset(token)
        # What the update told others (notices its commit woke the engine for) goes out before
        # the update counts as handled: an approver hears of a broadcast within a moment.
        await reminders.deliver_woken(unit)


class VocesContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Per-update context: who is talking (set by the gatekeeper) and in which language."""

    def __init__(self, application: VocesApplication, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: User | None = None
        self.i18n: Translator = application.runtime.translator(None)
        self._button_answered = False

    @property
    def button_answered(self) -> bool:
        """Whether the press this update is has been answered (Telegram takes one answer):
        by this update's handlers, or, when they were slow to, by the update processor. A
        handler that finds it answered says what it would have shown in an alert in the chat."""
        press = _press.get()
        return self._button_answered or (press is not None and press.answered)

    @button_answered.setter
    def button_answered(self, answered: bool) -> None:
        self._button_answered = answered
        press = _press.get()
        if answered and press is not None:
            press.answered = True

    @property
    def runtime(self) -> Runtime:
        return self.application.runtime  # type: ignore[attr-defined, no-any-return]

    @property
    def voces(self) -> VocesApplication:
        return self.application  # type: ignore[return-value]

    def gettext(self, message: str) -> str:
        return self.i18n.gettext(message)

    def addressed(self, message: str) -> str:
        """A message that speaks to the person, agreeing with the sex they declared in /correct
        where the language has a word that must (bot.core.i18n.Translator.addressed)."""
        return self.i18n.addressed(message, self.person.sex if self.person is not None else None)


_leave_line: ContextVar[Callable[[], None] | None] = ContextVar("voces_leave_line", default=None)


def step_out_of_line() -> None:
    """The update in a line has done what the line orders (its seat is committed, say): the
    next in line may go while this one is still answering, so a slow answer to one person (a
    patchy connection, a retry) holds up no one behind them. Outside a line it does nothing."""
    leave = _leave_line.get()
    if leave is not None:
        leave()


class Press:
    """A button press being handled. Telegram shows a spinner on the button until the press is
    answered, and takes one answer per press: `answered` says a handler has answered it or is
    about to (it sets the flag first, then sends its alert), `sent` that an answer went out."""

    __slots__ = ("answered", "query", "sent", "timer")

    def __init__(self, query: CallbackQuery) -> None:
        self.query = query
        self.answered = False
        self.sent = False
        self.timer: asyncio.Handle | None = None  # when it is acknowledged if still unanswered


# PTB gives the error handler a context of its own, but runs it in the same task as the
# handlers of the update: what the handlers, the consent gate, the error handler and the update
# processor know about the press lives here, once per update.
_press: ContextVar[Press | None] = ContextVar("voces_press", default=None)


def current_press() -> Press | None:
    """The press the running update is, if it is one."""
    return _press.get()


class _Slots:
    """How many updates are worked on at once. An update that waits for something outside its
    own work (a place in the send budget) lends its slot meanwhile, and comes back ahead of
    updates that have not started, which it arrived before."""

    def __init__(self, count: int) -> None:
        self._free = count
        self._new: deque[asyncio.Future[None]] = deque()
        self._returning: deque[asyncio.Future[None]] = deque()

    async def take(self, *, returning: bool = False) -> None:
        if self._free > 0 and not self._returning and (returning or not self._new):
            self._free -= 1
            return
        slot = asyncio.get_running_loop().create_future()
        (self._returning if returning else self._new).append(slot)
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():  # handed over just as it was cancelled
                self.give_back()
            raise

    def give_back(self) -> None:
        for waiting in (self._returning, self._new):
            while waiting:
                slot = waiting.popleft()
                if not slot.done():  # else its update was cancelled while waiting
                    slot.set_result(None)
                    return
        self._free += 1


class _Held:
    """The slot one update holds, or has lent while it waits."""

    __slots__ = ("held", "slots")

    def __init__(self, slots: _Slots) -> None:
        self.slots = slots
        self.held = False

    async def take(self, *, returning: bool = False) -> None:
        await self.slots.take(returning=returning)
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self.slots.give_back()


_slot: ContextVar[_Held | None] = ContextVar("voces_slot", default=None)


@asynccontextmanager
async def slot_lent() -> AsyncIterator[None]:
    """While the update waits for something outside its own work (its message's place in the
    send budget), the next update is worked on in its slot. Outside an update it does nothing."""
    slot = _slot.get()
    if slot is None or not slot.held:
        yield
        return
    slot.give_back()
    yield  # the update ending here (an error, a cancel) has no slot to take back
    await slot.take(returning=True)


class OnePersonAtATime(BaseUpdateProcessor):
    """Different people are served concurrently; one person's updates run in order.

    A conversation must see a person's messages one after the other (an album arrives as
    several updates at once), while a slow reply to one leader must not hold up the others.

    Some updates from different people must also be served in the order Telegram delivered
    them: 200 leaders pressing "Enroll" on one session stand in line in the order they pressed.
    `lines` name them (an update → a line, or None); each line is served one at a time, in
    delivery order. A handler leaves its line early with `step_out_of_line()` once the ordered
    part is done, else the line moves when it finishes.

    An update takes its places in this order: its person's turn, its line, then one of the
    `max_concurrent_updates` slots. The turn and the line are taken before the first await,
    while updates still start in the order they were fetched; the slot last, so neither a
    long line nor a person's queued messages hold slots everyone else is served in. An update
    waiting for the send budget lends its slot meanwhile (`slot_lent`).

    A button press is answered by its handler, with an alert when the button is old or
    refused. In a crowd, though, a press would wait its turn behind hundreds of updates (for a
    slot, the database, the processor) and the spinner on the button keeps turning; Telegram
    refuses an answer that comes too late. So while the bot is crowded (`crowded()`: answers
    queue for Telegram's flood limit, or more than `crowd` updates are in hand) a press is
    acknowledged without text as it arrives; and a press still unanswered
    `answer_presses_within` seconds after it arrived is acknowledged once the bot is crowded.
    The handler's alert, if any, then goes to the chat instead (`VocesContext.button_answered`
    says the press was answered). Uncrowded, the handler is just working, and its own answer
    (an alert, maybe) comes as soon as it is done.
    """

    def __init__(
        self,
        # Updates worked on at once. Their work is the processor's and the database's, which
        # two cores and one SQLite connection do no faster for more of them at once, and a
        # request to Telegram in flight (say 16 at 150 ms: 100 a second, over three times the
        # flood limit); an update waiting for the send budget lends its slot.
        max_concurrent_updates: int = 16,
        *,
        lines: Sequence[Callable[[object], Hashable | None]] = (),
        answer_presses_within: float = 0.6,
        answers_queued: Callable[[], bool] = lambda: False,
        crowd: int = 32,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._lines = tuple(lines)
        self._locks: WeakValueDictionary[Hashable, asyncio.Lock] = WeakValueDictionary()
        self._slots = _Slots(max_concurrent_updates)
        self.answer_presses_within = answer_presses_within
        self.answers_queued = answers_queued
        self.crowd = crowd
        self._in_hand = 0  # updates arrived and not yet done
        self._presses: dict[str, Press] = {}  # by callback query id, while being handled
        self._acknowledging: set[asyncio.Task[Any]] = set()

    def _lock(self, key: Hashable) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def first_answer(self, callback_query_id: str) -> bool:
        """Whether an answer to this press may go out: the first does, and marks it answered
        (no await between the check and the mark, so two answers cannot both pass)."""
        press = self._presses.get(callback_query_id)
        if press is None:
            return True
        if press.sent:
            return False
        press.sent = press.answered = True
        return True

    def crowded(self) -> bool:
        return self._in_hand > self.crowd or self.answers_queued()

    def _acknowledge(self, press: Press) -> None:
        if press.answered or press.sent:
            return
        if not self.crowded():  # look again in a moment: a crowd may come meanwhile
            press.timer = asyncio.get_running_loop().call_later(0.2, self._acknowledge, press)
            return
        task = asyncio.get_running_loop().create_task(self._answer(press))
        self._acknowledging.add(task)
        task.add_done_callback(self._acknowledging.discard)

    @staticmethod
    async def _answer(press: Press) -> None:
        try:
            await press.query.answer()
        except TelegramError as error:  # too old by now, or the network: the handler goes on
            log.info("could not acknowledge a button press in time: %s", error)

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        query = update.callback_query if isinstance(update, Update) else None
        press = press_token = None
        self._in_hand += 1
        answering_since.set(time.monotonic())  # this task's own context: it ends with the update
        if query is not None:
            press = Press(query)
            self._presses[query.id] = press
            press_token = _press.set(press)
            loop = asyncio.get_running_loop()
            press.timer = loop.call_soon(self._acknowledge, press) if self.crowded() else \
                loop.call_later(self.answer_presses_within, self._acknowledge, press)
        try:
            user = update.effective_user if isinstance(update, Update) else None
            turn = self._lock(("person", user.id)) if user is not None else None
            line = next((key for key in (line_of(update) for line_of in self._lines) if key is not None), None)
            if turn is None:
                await self._in_line(update, line, coroutine)
                return
            async with turn:  # asyncio.Lock hands itself on first come, first served
                await self._in_line(update, line, coroutine)
        finally:
            self._in_hand -= 1
            if query is not None:
                assert press is not None and press.timer is not None and press_token is not None
                press.timer.cancel()
                self._presses.pop(query.id, None)
                _press.reset(press_token)

    async def _in_line(self, update: object, line: Hashable | None, coroutine: Awaitable[Any]) -> None:
        if line is None:
            await self._in_a_slot(update, coroutine)
            return
        lock = self._lock(("line", line))
        await lock.acquire()
        left = False

        def leave() -> None:
            nonlocal left
            if not left:
                left = True
                lock.release()

        token = _leave_line.set(leave)
        try:
            await self._in_a_slot(update, coroutine)
        finally:
            _leave_line.reset(token)
            leave()

    async def _in_a_slot(self, update: object, coroutine: Awaitable[Any]) -> None:
        slot = _Held(self._slots)
        await slot.take()
        token = _slot.set(slot)
        try:
            await self.do_process_update(update, coroutine)
        finally:
            _slot.reset(token)
            slot.give_back()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
