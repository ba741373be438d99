"""The scheduled-messages engine: reminders are rows, one periodic job delivers the due ones.

Services call `schedule`, `cancel` and `cancel_prefix` in their own transaction. One
`ReminderEngine` runs `recover_on_start()` once, then `run_due()` every few seconds
(bot/messaging/running.py); a pending reminder costs an index entry, not memory. A notice
(bot/messaging/notices.py) wakes the engine when its transaction commits (`wake_after_commit`).

Delivery is at most once: a reminder is marked SENDING and committed before the deliverer is
called; one found SENDING at start-up, or one the deliverer raised on, may have gone out, so it
becomes UNCERTAIN and is logged, never sent again. One the channel cannot send until the person
writes (WhatsApp's window, no template) is HELD until the channel calls `release` for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.db import Database, after_commit
from bot.messaging.models import Reminder, ReminderState
from bot.people.models import User

logger = logging.getLogger(__name__)

# Rows that were, or may have been, delivered: scheduling their key again leaves them alone.
POSSIBLY_DELIVERED = frozenset({ReminderState.SENT, ReminderState.SENDING, ReminderState.UNCERTAIN})
# Rows still to go out: cancelling a matter cancels these.
WAITING = (ReminderState.PENDING, ReminderState.HELD)
DEFAULT_RETRY_DELAY = timedelta(minutes=1)
# How long an answer waits for a run of the engine under way (see ReminderEngine.settled).
SETTLE_SECONDS = 5.0
MAX_RETRY_DELAY = timedelta(hours=1)
# What was held for a person, claimed when they write (built once: every WhatsApp answer runs it).
_CLAIM_HELD = (update(Reminder).where(Reminder.recipient_id.in_(bindparam("recipients", expanding=True)),
                                      Reminder.state == ReminderState.HELD)
               .values(state=ReminderState.SENDING, attempts=Reminder.attempts + 1, urgent=True)
               .returning(Reminder.id, Reminder.recipient_id).execution_options(synchronize_session=False))


def _label(reminder: Reminder | Row[Any]) -> str:
    """How logs name a reminder: never the payload, which may hold personal data."""
    return f"reminder {reminder.id} ({reminder.kind}, key {reminder.key})"


@dataclass(frozen=True)
class QuietHours:
    """The local hours in which non-urgent reminders wait for the morning.

    The window may cross midnight (21:00–08:00); equal start and end mean no quiet hours.
    """

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> QuietHours:
        return cls(settings.quiet_hours_start, settings.quiet_hours_end, settings.zone)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else the end of its quiet period (in UTC)."""
        if not self.contains(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.zone)
        morning = local.date()
        if self.start > self.end and local.time() >= self.start:
            morning += timedelta(days=1)  # the evening half of a window that crosses midnight
        return datetime.combine(morning, self.end, tzinfo=self.zone).astimezone(UTC)


async def schedule(
    session: AsyncSession,
    *,
    key: str,
    recipient_id: int,
    kind: str,
    due_at: datetime,
    payload: Mapping[str, Any] | None = None,
    urgent: bool = False,
    quiet: QuietHours | None = None,
    replace: bool = False,
    clock: Clock | None = None,
) -> Reminder:
    """Schedule the reminder `key`, or update it if the key exists; returns the row.

    With `quiet`, a non-urgent reminder due in quiet hours is stored for the morning after
    (without it the engine still holds it back when it finds it due in quiet hours).

    An existing key that was sent or may have been sent (SENT, SENDING, UNCERTAIN) is returned
    unchanged, so a service may call this every time something happens without repeating a
    message; `replace=True` schedules it again. Any other existing key (pending, held,
    cancelled, dropped, failed) takes the new values and is pending again.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    if quiet is not None and not urgent:
        due_at = quiet.next_allowed(due_at)
    values: dict[str, Any] = {
        "recipient_id": recipient_id,
        "kind": kind,
        "payload": dict(payload or {}),
        "due_at": due_at,
        "urgent": urgent,
        "state": ReminderState.PENDING,
        "attempts": 0,
        "sent_at": None,
        "last_error": None,
    }
    # Insert-or-nothing first, so two handlers scheduling the same new key at once (a double
    # tap) meet in the unique index instead of one of them failing on it.
    created_at = (clock or SystemClock()).now()
    inserted = await session.scalars(
        _insert_statement(session)
        .values(key=key, created_at=created_at, **values)
        .on_conflict_do_nothing(index_elements=[Reminder.key])
        .returning(Reminder)
    )
    reminder = inserted.one_or_none()
    if reminder is not None:
        logger.debug("scheduled %s for %s", _label(reminder), due_at)
        return reminder

    existing = await session.scalars(
        select(Reminder)
        .where(Reminder.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    reminder = existing.one()
    if reminder.state in POSSIBLY_DELIVERED and not replace:
        logger.debug("%s is %s; left as it is", _label(reminder), reminder.state)
        return reminder
    for name, value in values.items():
        setattr(reminder, name, value)
    logger.debug("rescheduled %s for %s", _label(reminder), due_at)
    return reminder


def _insert_statement(session: AsyncSession) -> Any:
    # ON CONFLICT DO NOTHING is spelled the same on both backends but lives in each dialect.
    dialect = session.get_bind().dialect.name
    return {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect](Reminder)


async def cancel(session: AsyncSession, *, key: str) -> bool:
    """Cancel the pending (or held) reminder `key`; False if none waits (sent, or never scheduled)."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.key == key, Reminder.state.in_(WAITING))
        .values(state=ReminderState.CANCELLED)
        .returning(Reminder.id)
    )
    cancelled = result.scalar_one_or_none() is not None
    if cancelled:
        logger.info("cancelled reminder with key %s", key)
    return cancelled


async def cancel_prefix(session: AsyncSession, *, prefix: str) -> int:
    """Cancel every pending reminder whose key starts with `prefix`; returns how many.

    End the prefix with the separator (``ruos:missing:org42:``) so that org420 stays untouched.
    The match is exact (no LIKE wildcards, case-sensitive) and reads the pending rows, which
    is cheap enough for something done when a matter closes, not on every message.
    """
    if not prefix:
        raise ValueError("an empty prefix would cancel every reminder")
    result = await session.execute(
        update(Reminder)
        .where(
            Reminder.state.in_(WAITING),
            func.substr(Reminder.key, 1, len(prefix)) == prefix,
        )
        .values(state=ReminderState.CANCELLED)
        .returning(Reminder.id)
    )
    count = len(result.all())
    logger.info("cancelled %d reminders with key prefix %s", count, prefix)
    return count


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    # The person blocked the bot or deleted their account (Telegram's 403).
    RECIPIENT_UNREACHABLE = "recipient_unreachable"
    # The message certainly did not go out (network down before sending, flood control 429,
    # a failure while it was being put together): tried again later, a bounded number of times.
    RETRY_LATER = "retry_later"
    # The channel refused this message as it is: sending it again would be refused again.
    REFUSED = "refused"
    # The channel cannot send it until the person writes (WhatsApp's window, no template):
    # kept HELD, neither retried on a timer nor given up, until `ReminderEngine.release`.
    HELD = "held"


Deliver = Callable[[Reminder], Awaitable[DeliveryOutcome]]


@dataclass(frozen=True)
class RecoveryReport:
    uncertain: int
    dropped: int


# The engine that delivers for each database (keyed by its SQLAlchemy engine), so that a
# service which wrote a notice can wake it without knowing it (`wake_after_commit`).
_ENGINES: weakref.WeakKeyDictionary[Any, ReminderEngine] = weakref.WeakKeyDictionary()


def wake_after_commit(session: AsyncSession, *, kind: str) -> None:
    """Once `session`'s work is committed, have the engine deliver the due reminders of
    `kind` at once instead of at its next tick; nothing if the work is rolled back."""
    engine = _ENGINES.get(session.get_bind())
    if engine is not None:
        session.info.setdefault(_WAKES, set()).add(kind)
        after_commit(session, lambda: engine.wake(kind))


async def deliver_woken(session: AsyncSession) -> None:
    """Once `session`'s unit is over and committed, what it woke the engine for goes out. Woken
    again first: the run its first commit woke may have found the row locked by the unit's own
    later transaction (PostgreSQL skips locked rows) and left it for the next tick."""
    if session.info.get(_WAKES) and (engine := _ENGINES.get(session.get_bind())) is not None:
        for kind in sorted(session.info[_WAKES]):
            engine.wake(kind)
        await engine.settled()


_WAKES = "voces_wakes_reminders"


class ReminderEngine:
    """Claims due reminders in batches and hands each to the deliverer, once.

    The deliverer receives the reminder with `recipient` loaded and returns an outcome; it
    must only raise when it cannot tell whether the message went out, because a reminder it
    raised on is never sent again. Several ticks, or several engines on one database, may
    overlap: each reminder is claimed by exactly one of them.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock,
        zone: ZoneInfo,
        quiet_start: time,
        quiet_end: time,
        grace: timedelta,
        deliver: Deliver | None = None,
        batch_size: int = 200,
        max_attempts: int = 5,
        retry_delay: timedelta = DEFAULT_RETRY_DELAY,
        quiet_by_recipient: Collection[str] = (),
    ) -> None:
        self._database = database
        self._clock = clock
        self.quiet_hours = QuietHours(quiet_start, quiet_end, zone)
        self._grace = grace
        self._deliver: Deliver | None = None
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        # Kinds whose quiet hours are the recipient's own, which the deliverer knows (notices):
        # the programme's quiet hours do not hold them back here.
        self._quiet_by_recipient = tuple(quiet_by_recipient)
        self._woken: set[str] = set()  # kinds to deliver at once (`wake`)
        self._waking: asyncio.Task[None] | None = None
        self._runs = 0  # runs of `_run_due` under way (the periodic one, a woken one, a caller's)
        self._no_run = asyncio.Event()
        self._no_run.set()
        if deliver is not None:
            self.set_deliverer(deliver)

    @classmethod
    def from_settings(
        cls, database: Database, settings: Settings, *, clock: Clock, deliver: Deliver | None = None,
        quiet_by_recipient: Collection[str] = (),
    ) -> ReminderEngine:
        return cls(
            database,
            clock=clock,
            zone=settings.zone,
            quiet_start=settings.quiet_hours_start,
            quiet_end=settings.quiet_hours_end,
            grace=timedelta(hours=settings.reminder_grace_hours),
            deliver=deliver,
            quiet_by_recipient=quiet_by_recipient,
        )

    def set_deliverer(self, deliver: Deliver) -> None:
        """Deliver through `deliver` from now on; a notice committed from now on wakes this
        engine (`wake_after_commit`)."""
        self._deliver = deliver
        _ENGINES[self._database.engine.sync_engine] = self

    def wake(self, kind: str) -> None:
        """Deliver the due reminders of `kind` now, in a task of their own (a notice written
        by a service goes out within a moment, not at the next tick)."""
        if self._deliver is None:
            return
        self._woken.add(kind)
        if self._waking is None or self._waking.done():
            self._waking = asyncio.get_running_loop().create_task(self._run_woken(), name="reminders-woken")

    async def _run_woken(self) -> None:
        while self._woken:
            kinds, self._woken = set(self._woken), set()
            try:
                await self._run_due(kinds)
            except Exception:
                logger.exception("delivering woken reminders failed; the periodic run tries again")

    async def settled(self) -> None:
        """Wait until what `wake` started is delivered (an update's consequences go out before
        the update counts as handled). A periodic run may have claimed a woken notice first: a
        run under way is waited for too, up to `SETTLE_SECONDS` (a long run of many reminders
        does not hold an answer back longer)."""
        while self._waking is not None and not self._waking.done():
            await asyncio.shield(self._waking)
        if self._runs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._no_run.wait(), SETTLE_SECONDS)

    async def recover_on_start(self) -> RecoveryReport:
        """Settle what the last run left behind; call once before the first `run_due`.

        Reminders that were being sent become UNCERTAIN (never resent). Pending reminders
        missed by more than the grace period are DROPPED; those missed by less are simply due
        and go out with the next `run_due`.
        """
        now = self._clock.now()
        async with self._database.session() as session:
            uncertain = await self._settle(
                session,
                Reminder.state == ReminderState.SENDING,
                state=ReminderState.UNCERTAIN,
                last_error="interrupted while sending",
            )
            dropped = await self._settle(
                session,
                Reminder.state == ReminderState.PENDING,
                Reminder.due_at < now - self._grace,
                state=ReminderState.DROPPED,
                last_error="missed by more than the grace period",
            )
        for row in uncertain:
            logger.warning(
                "%s was being sent when the bot stopped and may have been delivered; "
                "it is not sent again",
                _label(row),
            )
        for row in dropped:
            logger.warning(
                "%s was due at %s, beyond the grace period; dropped",
                _label(row),
                row.due_at,
            )
        return RecoveryReport(uncertain=len(uncertain), dropped=len(dropped))

    @staticmethod
    async def _settle(
        session: AsyncSession, *criteria: Any, state: ReminderState, last_error: str
    ) -> Sequence[Any]:
        result = await session.execute(
            update(Reminder)
            .where(*criteria)
            .values(state=state, last_error=last_error)
            .returning(Reminder.id, Reminder.kind, Reminder.key, Reminder.due_at)
            .execution_options(synchronize_session=False)
        )
        return result.all()

    async def run_due(self, *, kinds: Collection[str] | None = None) -> int:
        """Deliver every reminder due now (of `kinds`, or all), batch after batch; returns how
        many were sent, once what a woken run (`wake`) was sending meanwhile has gone out too."""
        sent = await self._run_due(kinds)
        if asyncio.current_task() is not self._waking:
            await self.settled()
        return sent

    async def _run_due(self, kinds: Collection[str] | None) -> int:
        if self._deliver is None:
            raise RuntimeError("set a deliverer before running due reminders")
        self._runs += 1
        self._no_run.clear()
        try:
            sent = 0
            while True:
                batch = await self._claim_batch(kinds)
                for reminder in batch:
                    if await self._deliver_one(self._deliver, reminder):
                        sent += 1
                if len(batch) < self._batch_size:
                    return sent
        finally:
            self._runs -= 1
            if not self._runs:
                self._no_run.set()

    async def _claim_batch(self, kinds: Collection[str] | None = None) -> Sequence[Reminder]:
        now = self._clock.now()
        async with self._database.session() as session:
            if self.quiet_hours.contains(now):
                await self._hold_for_morning(session, now)
            # One statement, so overlapping ticks never claim the same row. On PostgreSQL the
            # other tick's rows are locked and skipped, and a row it claimed since this statement
            # began fails FOR UPDATE's `pending` re-check on the newest version. On SQLite the
            # statement holds the write lock, so it reads the latest data. (A second `state =
            # pending` on the outer UPDATE would make SQLite scan every pending row.)
            due = (
                select(Reminder.id)
                .where(Reminder.state == ReminderState.PENDING, Reminder.due_at <= now,
                       *([Reminder.kind.in_(kinds)] if kinds is not None else []))
                .order_by(Reminder.due_at)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            )
            claimed = await session.execute(
                update(Reminder)
                .where(Reminder.id.in_(due))
                .values(state=ReminderState.SENDING, attempts=Reminder.attempts + 1)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            ids = claimed.scalars().all()
            if not ids:
                return []
            reminders = await session.scalars(
                select(Reminder)
                .options(joinedload(Reminder.recipient))
                .where(Reminder.id.in_(ids))
                .order_by(Reminder.due_at)
            )
            return reminders.all()

    async def _hold_for_morning(self, session: AsyncSession, now: datetime) -> None:
        # Due in quiet hours (typically after downtime, or a retry): move, rather than skip, so
        # the stored due time says when the reminder will really go out.
        morning = self.quiet_hours.next_allowed(now)
        moved = await session.execute(
            update(Reminder)
            .where(
                Reminder.state == ReminderState.PENDING,
                Reminder.due_at <= now,
                Reminder.urgent.is_(False),
                *([Reminder.kind.not_in(self._quiet_by_recipient)] if self._quiet_by_recipient else []),
            )
            .values(due_at=morning)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        count = len(moved.all())
        if count:
            logger.info("%d non-urgent reminders due in quiet hours moved to %s", count, morning)

    async def _deliver_one(self, deliver: Deliver, reminder: Reminder) -> bool:
        """Deliver one claimed reminder and record the outcome; True if it was sent."""
        if not reminder.recipient.reachable:
            logger.info(
                "%s not sent: recipient %d is unreachable",
                _label(reminder),
                reminder.recipient_id,
            )
            await self._record(reminder, ReminderState.FAILED, last_error="recipient unreachable")
            return False
        try:
            outcome = await deliver(reminder)
        except Exception as exc:
            logger.exception(
                "the deliverer raised on %s; it may have been delivered, so it is not sent again",
                _label(reminder),
            )
            await self._record(
                reminder,
                ReminderState.UNCERTAIN,
                last_error=f"deliverer raised {type(exc).__name__}",
            )
            return False
        match outcome:
            case DeliveryOutcome.SENT:
                await self._record(reminder, ReminderState.SENT, sent_at=self._clock.now())
                logger.debug("sent %s", _label(reminder))
                return True
            case DeliveryOutcome.RECIPIENT_UNREACHABLE:
                logger.warning(
                    "%s: recipient %d is unreachable; marked so",
                    _label(reminder),
                    reminder.recipient_id,
                )
                await self._record(
                    reminder,
                    ReminderState.FAILED,
                    recipient_unreachable=True,
                    last_error="recipient unreachable",
                )
                # The batch shares one User object per person: their next reminders in it are
                # skipped instead of knocking on a closed door again.
                reminder.recipient.reachable = False
            case DeliveryOutcome.RETRY_LATER:
                await self._retry_or_give_up(reminder)
            case DeliveryOutcome.REFUSED:
                logger.warning("%s was refused by the channel; not sent", _label(reminder))
                await self._record(reminder, ReminderState.FAILED, last_error="refused by the channel")
            case DeliveryOutcome.HELD:
                logger.info("%s is held until recipient %d writes", _label(reminder), reminder.recipient_id)
                await self._record(reminder, ReminderState.HELD, last_error="held until the recipient writes")
        return False

    async def claim_held(self, session: AsyncSession, *, recipient_ids: Collection[int]) -> dict[int, list[int]]:
        """These people wrote, so their channel takes a message again: what was held for them
        (HELD) is claimed (SENDING) in the caller's transaction, in one statement, so two
        messages of theirs at once claim it once; `release` sends it once that committed.
        The claimed ids by recipient."""
        claimed: dict[int, list[int]] = {}
        if self._deliver is None or not recipient_ids:
            return claimed
        for reminder_id, recipient_id in await session.execute(_CLAIM_HELD, {"recipients": list(recipient_ids)}):
            claimed.setdefault(recipient_id, []).append(reminder_id)
        return claimed

    async def release(self, *, recipient_id: int, claimed: Sequence[int]) -> int:
        """Deliver what `claim_held` claimed now, in the order it was due; returns how many went
        out. Quiet hours do not hold these back (the person is awake: they just wrote), /stop
        and /settings still do, and a renderer still finds a reminder that no longer applies."""
        if self._deliver is None or not claimed:
            return 0
        async with self._database.session() as session:
            held = (await session.scalars(
                select(Reminder).options(joinedload(Reminder.recipient)).where(Reminder.id.in_(claimed))
                .order_by(Reminder.due_at, Reminder.id)
            )).all()
        logger.info("releasing %d held reminders of recipient %d", len(held), recipient_id)
        return sum([await self._deliver_one(self._deliver, reminder) for reminder in held])

    async def _retry_or_give_up(self, reminder: Reminder) -> None:
        if reminder.attempts >= self._max_attempts:
            logger.warning("%s failed after %d attempts; giving up", _label(reminder), reminder.attempts)
            await self._record(
                reminder,
                ReminderState.FAILED,
                last_error=f"gave up after {reminder.attempts} attempts",
            )
            return
        delay = min(self._retry_delay * 2 ** (reminder.attempts - 1), MAX_RETRY_DELAY)
        logger.info("%s will be retried in %s (attempt %d of %d)", _label(reminder), delay, reminder.attempts, self._max_attempts)
        await self._record(
            reminder,
            ReminderState.PENDING,
            due_at=self._clock.now() + delay,
            last_error=f"delivery failed on attempt {reminder.attempts}",
        )

    async def _record(
        self,
        reminder: Reminder,
        state: ReminderState,
        *,
        recipient_unreachable: bool = False,
        **values: Any,
    ) -> None:
        """Record the outcome of a claimed reminder, unless it was rescheduled meanwhile."""
        async with self._database.session() as session:
            if recipient_unreachable:
                await session.execute(
                    update(User).where(User.id == reminder.recipient_id).values(reachable=False)
                )
            await session.execute(
                update(Reminder)
                .where(Reminder.id == reminder.id, Reminder.state == ReminderState.SENDING)
                .values(state=state, **values)
                .execution_options(synchronize_session=False)
            )


async def get(session: AsyncSession, reminder_id: int) -> Reminder | None:
    """A reminder or notice with its recipient (a "see the message" button shows it again)."""
    return await session.scalar(select(Reminder).options(joinedload(Reminder.recipient)).where(Reminder.id == reminder_id))
