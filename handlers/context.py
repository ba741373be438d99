"""The typed Application and CallbackContext every handler receives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from typing import Any
from weakref import WeakValueDictionary

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseUpdateProcessor, CallbackContext, ExtBot

from bot.i18n import Translator
from bot.models.people import User
from bot.runtime import Runtime

log = logging.getLogger(__name__)


class VocesApplication(Application):  # type: ignore[type-arg]
    """PTB's Application plus the runtime, and re-dispatch for updates a flow handed back.

    When someone inside one flow sends the command of another, the flow ends itself and asks
    for the update to be dispatched again, so that the command reaches its own handler instead
    of being swallowed by (or left dangling in) the flow they were in.
    """

    runtime: Runtime

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handed_back: set[int] = set()
        self.personal_menus_set: set[int] = set()  # chats given their role's menu since start

    def dispatch_again(self, update: Update) -> None:
        self._handed_back.add(update.update_id)

    async def process_update(self, update: object) -> None:
        # One database session for everything the update does (see Database.unit_of_work).
        press = _Press()
        token = _press.set(press)
        try:
            async with self.runtime.database.unit_of_work():
                await super().process_update(update)
                while isinstance(update, Update) and update.update_id in self._handed_back:
                    self._handed_back.discard(update.update_id)
                    await super().process_update(update)
                if isinstance(update, Update) and update.callback_query is not None and not press.answered:
                    # No part of the bot answered this press: stop its spinner all the same.
                    press.answered = True
                    try:
                        await update.callback_query.answer()
                    except TelegramError:
                        log.info("could not answer a button press nobody answered")
        finally:
            _press.reset(token)


class _Press:
    """Whether the button press an update carries was answered: Telegram takes one answer per
    press and refuses a second ("query is too old")."""

    answered = False


# PTB gives the error handler a context of its own, but runs it in the same task as the
# handlers of the update: what the handlers, the consent gate and the error handler know about
# the press lives here, once per update.
_press: ContextVar[_Press | None] = ContextVar("voces_press", default=None)


class VocesContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Per-update context: who is talking (set by the gatekeeper) and in which language."""

    def __init__(self, application: VocesApplication, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: User | None = None
        self.i18n: Translator = application.runtime.translator(None)
        self._press = _press.get() or _Press()  # outside an update (a job): its own

    @property
    def button_answered(self) -> bool:
        """Whether this update's button press was answered, by whichever part of the bot."""
        return self._press.answered

    @button_answered.setter
    def button_answered(self, answered: bool) -> None:
        self._press.answered = answered

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
        where the language has a word that must (bot.i18n.Translator.addressed)."""
        return self.i18n.addressed(message, self.person.sex if self.person is not None else None)


_leave_line: ContextVar[Callable[[], None] | None] = ContextVar("voces_leave_line", default=None)


def step_out_of_line() -> None:
    """The update in a line has done what the line orders (its seat is committed, say): the
    next in line may go while this one is still answering, so a slow answer to one person (a
    patchy connection, a retry) holds up no one behind them. Outside a line it does nothing."""
    leave = _leave_line.get()
    if leave is not None:
        leave()


class OnePersonAtATime(BaseUpdateProcessor):
    """Different people are served concurrently; one person's updates run in order.

    A conversation must see a person's messages one after the other (an album arrives as
    several updates at once), while a slow reply to one leader must not hold up the others.

    Some updates from different people must also be served in the order Telegram delivered
    them: 200 leaders pressing "Enroll" on one session stand in line in the order they pressed.
    `lines` name them (an update → a line, or None); each line is served one at a time, in
    delivery order. Its place is taken before the first await, while updates still start in
    the order they were fetched, and before the concurrency limit, so a long line does not
    hold the slots everyone else is served in. A handler leaves its line early with
    `step_out_of_line()` once the ordered part is done, else the line moves when it finishes.
    """

    def __init__(self, max_concurrent_updates: int = 64, *, lines: Sequence[Callable[[object], Hashable | None]] = ()) -> None:
        super().__init__(max_concurrent_updates)
        self._lines = tuple(lines)
        self._locks: WeakValueDictionary[Hashable, asyncio.Lock] = WeakValueDictionary()

    def _lock(self, key: Hashable) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        line = next((key for key in (line_of(update) for line_of in self._lines) if key is not None), None)
        if line is None:
            await super().process_update(update, coroutine)
            return
        lock = self._lock(("line", line))
        await lock.acquire()  # asyncio.Lock hands itself on first come, first served
        left = False

        def leave() -> None:
            nonlocal left
            if not left:
                left = True
                lock.release()

        token = _leave_line.set(leave)
        try:
            await super().process_update(update, coroutine)
        finally:
            _leave_line.reset(token)
            leave()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        async with self._lock(("person", user.id)):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
