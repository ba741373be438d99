"""WhatsApp's inbox: messages kept from the moment the webhook receives them until they are
answered, and what Meta reports later about the messages the bot sent.

The webhook stores and acknowledges; a worker answers each sender's messages in the order
they arrived and marks each processed only once its answer went out (handlers/whatsapp/).
Nothing here knows HTTP or Meta's JSON beyond the few fields it keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging import whatsapp_failures
from bot.messaging.whatsapp_models import WhatsAppInbound, WhatsAppStatus
from bot.people.models import Channel, User

# A message that failed this often is set aside (logged), so one bad message never blocks
# its sender's line for good.
MAX_ATTEMPTS = 3
# Meta retries a delivery it thinks failed for up to a few days: ids are remembered this long.
REMEMBER_IDS = timedelta(days=7)

# Stages of what Meta reports about a sent message; reports arrive in any order, and a later
# stage never goes back. A failure is final.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
OUTSIDE_WINDOW = 131047  # a free-form message outside the 24-hour window: send a template
UNREACHABLE = 131026  # not on WhatsApp, an old app, terms not accepted: do not retry


@dataclass(frozen=True)
class Incoming:
    """One inbound message as the webhook read it."""

    message_id: str
    wa_id: str | None
    bsuid: str | None
    kind: str
    payload: dict[str, Any]
    sent_at: datetime

    @property
    def sender(self) -> str:
        return self.wa_id or self.bsuid or ""


@dataclass(frozen=True)
class StatusReport:
    message_id: str
    recipient: str  # wa_id, or the BSUID when the message went to one
    status: str
    at: datetime
    error_code: int | None = None
    error_title: str | None = None
    wa_id: str | None = None
    bsuid: str | None = None


# The statements a WhatsApp step runs every time are built once per process (per dialect for
# the upserts): building one anew costs more processor than SQLite takes to run it, and a
# statement built once keeps its cache key, so SQLAlchemy finds its compiled form at once.
_INBOUND = WhatsAppInbound.__table__
_STATUSES = WhatsAppStatus.__table__
_built: dict[tuple[str, str], Any] = {}


def _once(session: AsyncSession, name: str, build: Callable[[Any], Any]) -> Any:
    """The statement `build` makes with this session's dialect's `insert`, built once."""
    dialect = session.get_bind().dialect.name
    statement = _built.get((name, dialect))
    if statement is None:
        statement = _built[name, dialect] = build(postgresql.insert if dialect == "postgresql" else sqlite.insert)
    return statement


def _store_statement(insert: Any) -> Any:
    return insert(_INBOUND).on_conflict_do_nothing(index_elements=["message_id"])


async def store(session: AsyncSession, *, messages: Sequence[Incoming], now: datetime) -> list[str]:
    """Keep what has not been seen before; a message id already stored is skipped (Meta's
    retries). Returns the senders of the new ones, each once."""
    new: list[str] = []
    statement = _once(session, "store", _store_statement)
    for message in messages:
        if not message.sender:
            continue
        done = await session.execute(statement, {
            "message_id": message.message_id, "sender": message.sender, "wa_id": message.wa_id, "bsuid": message.bsuid,
            "kind": message.kind, "payload": message.payload, "sent_at": message.sent_at, "received_at": now,
            "attempts": 0,
        })
        if done.rowcount and message.sender not in new:  # type: ignore[attr-defined]
            new.append(message.sender)
    return new


async def senders_waiting(session: AsyncSession) -> list[str]:
    """Senders with messages not yet processed, the one waiting longest first."""
    first = func.min(WhatsAppInbound.id)
    chosen = (select(WhatsAppInbound.sender).where(WhatsAppInbound.processed_at.is_(None))
              .group_by(WhatsAppInbound.sender).order_by(first))
    return list(await session.scalars(chosen))


# The sender's two oldest messages not yet processed.
_OLDEST_TWO = (select(WhatsAppInbound)
               .where(WhatsAppInbound.sender == bindparam("sender"), WhatsAppInbound.processed_at.is_(None))
               .order_by(WhatsAppInbound.id).limit(2))


async def oldest_of(session: AsyncSession, *, sender: str) -> list[WhatsAppInbound]:
    """The sender's oldest message not yet processed and the one after it, if any (the worker
    answers the first and knows whether to look again)."""
    return list(await session.scalars(_OLDEST_TWO, {"sender": sender}))


async def answered_before(session: AsyncSession, *, sender: str, inbound_id: int) -> bool:
    """Was anything this sender sent before this message answered (within REMEMBER_IDS)? One set
    aside after failing MAX_ATTEMPTS times was not: they never got the language question."""
    earlier = select(WhatsAppInbound.id).where(WhatsAppInbound.sender == sender, WhatsAppInbound.id < inbound_id,
                                               WhatsAppInbound.processed_at.is_not(None),
                                               WhatsAppInbound.outcome.is_distinct_from("failed")).limit(1)
    return await session.scalar(earlier) is not None


_MARK_PROCESSED = (update(_INBOUND).where(_INBOUND.c.id == bindparam("inbound_id"))
                   .values(processed_at=bindparam("now"), outcome=bindparam("ending"), payload=None))


async def mark_processed(session: AsyncSession, *, inbound_ids: Sequence[int], now: datetime,
                         outcome: str = "answered") -> None:
    """Done: their content is dropped (what matters of it lives in the domain now); the ids stay
    to recognise a late retry. Several in one call (an executemany)."""
    await session.execute(_MARK_PROCESSED, [{"inbound_id": inbound_id, "now": now, "ending": outcome}
                                            for inbound_id in inbound_ids])


async def attempt_failed(session: AsyncSession, *, inbound_id: int, now: datetime) -> bool:
    """Count a failed attempt; past MAX_ATTEMPTS the message is set aside. True if set aside."""
    row = await session.get(WhatsAppInbound, inbound_id)
    if row is None:
        return True
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        row.processed_at, row.outcome, row.payload = now, "failed", None
        return True
    return False


async def record_inbound_time(session: AsyncSession, *, user: User, sent_at: datetime) -> None:
    """The person wrote: WhatsApp's 24-hour window runs from their latest message."""
    if user.last_inbound_at is None or sent_at > user.last_inbound_at:
        user.last_inbound_at = sent_at


async def record_statuses(session: AsyncSession, *, reports: Sequence[StatusReport]) -> None:
    """Keep the latest stage of each sent message, and its error if it failed. A person
    WhatsApp says cannot be reached (131026) is marked unreachable, as Telegram's 403 does; a
    broadcast's message that failed so is no longer counted delivered (bot.messaging.whatsapp_failures)."""
    known = [report for report in reports if report.status in STATUS_RANK]
    if known:  # all of them in one call (an executemany: each row its own upsert, in order)
        await session.execute(_once(session, "status", _status_statement), [{
            "message_id": report.message_id, "recipient": report.recipient, "status": report.status,
            "error_code": report.error_code, "error_title": report.error_title, "reported_at": report.at,
        } for report in known])
    for report in known:
        if report.status == "failed":  # a broadcast's message counted as delivered is corrected
            await whatsapp_failures.reported_failed(session, message_id=report.message_id, code=report.error_code)
        if report.status == "failed" and report.error_code == UNREACHABLE:
            keys = [column == value for column, value in ((User.wa_id, report.wa_id), (User.bsuid, report.bsuid)) if value]
            if keys:
                await session.execute(update(User).where(User.channel == Channel.WHATSAPP, or_(*keys))
                                      .values(reachable=False))


def _status_statement(insert: Any) -> Any:
    """One statement per report: the first report of a message adds its row, a later stage
    replaces an earlier one, and an earlier stage arriving late changes nothing."""
    statement = insert(_STATUSES)
    arrived = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["message_id"],
        set_={"status": arrived.status, "error_code": arrived.error_code, "error_title": arrived.error_title,
              "reported_at": arrived.reported_at},
        where=_rank(_STATUSES.c.status) < _rank(arrived.status))


def _rank(status: Any) -> Any:
    return case(STATUS_RANK, value=status, else_=0)


async def failures(session: AsyncSession, *, recipient: str, since: datetime | None = None) -> list[WhatsAppStatus]:
    """What failed for this recipient (wa_id or BSUID), newest first: the delivery side reads
    131047 here to send a template instead."""
    chosen = select(WhatsAppStatus).where(WhatsAppStatus.recipient == recipient, WhatsAppStatus.status == "failed")
    if since is not None:
        chosen = chosen.where(WhatsAppStatus.reported_at >= since)
    return list(await session.scalars(chosen.order_by(WhatsAppStatus.reported_at.desc())))


def inside_window(user: User, *, now: datetime, hours: float = 24) -> bool:
    """May the bot send this person a free-form WhatsApp message now?"""
    return user.last_inbound_at is not None and now - user.last_inbound_at < timedelta(hours=hours)


async def forget_person(session: AsyncSession, *, wa_id: str | None, bsuid: str | None) -> None:
    """Erasure: what they sent and what was reported about messages to them."""
    for value in (wa_id, bsuid):
        if value:
            await session.execute(delete(WhatsAppInbound).where(or_(WhatsAppInbound.wa_id == value, WhatsAppInbound.bsuid == value)))
            await session.execute(delete(WhatsAppStatus).where(WhatsAppStatus.recipient == value))


async def forget_answered(session: AsyncSession, *, now: datetime) -> int:
    """Processed messages past the time Meta might still retry them, and their statuses."""
    limit = now - REMEMBER_IDS
    done = await session.execute(delete(WhatsAppInbound).where(WhatsAppInbound.processed_at < limit))
    await session.execute(delete(WhatsAppStatus).where(WhatsAppStatus.reported_at < limit))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
