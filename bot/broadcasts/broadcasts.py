"""Broadcasts: composing one (texts per language, audience, buttons, a file), scheduling, and
the bookkeeping of delivering it. Approval by a second person above a threshold is in
bot/broadcasts/approval.py; who it reaches (the audience's filters, within its author's
districts) is bot/broadcasts/audience.py.

Delivery is recorded per recipient before and after each send (`claim` → `record`), so a run
killed at any moment leaves rows that say exactly who got it: DELIVERED, FAILED, BLOCKED or
SKIPPED people are never sent it again; a row found SENDING at start-up may or may not have
arrived, so it is sent again and counted (`Broadcast.in_flight_at_restart`) for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.audience import (
    AUDIENCE_FILTERS,
    Reach,
    audience_condition,
    reach,
    recipients_condition,
    require_in_scope,
)
from bot.broadcasts.audience import switched_off as _switched_off
from bot.broadcasts.models import (
    EDITABLE,
    MARKETING_CAP,
    WAITING_FOR_DAILY_LIMIT,
    Broadcast,
    BroadcastContributor,
    BroadcastDelivery,
    BroadcastState,
    DeliveryState,
    MessageKind,
    NotificationSettings,
    SkipReason,
)
from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import InvalidInput
from bot.messaging.reminders import QuietHours
from bot.people import authority, notifications
from bot.people.models import User

NOT_EDITABLE = N_("This broadcast has already started or was cancelled, so it can no longer be changed.")
NEEDS_DEFAULT_TEXT = N_("Write the text in %(language)s first: people whose language has no version of their own get that one.")
NEEDS_AUDIENCE = N_("Choose who receives it first.")
NOBODY = N_("Nobody matches this audience.")
SEND_AT_PAST = N_("That time has already passed. Write a time that is still to come.")


# --- composing ------------------------------------------------------------------------------


async def draft_of(session: AsyncSession, *, user_id: int, now: datetime) -> Broadcast:
    """The person's broadcast in the making, or a new one."""
    await authority.require_coordinator(session, user_id=user_id)
    draft = await session.scalar(
        select(Broadcast).where(Broadcast.author_id == user_id, Broadcast.state == BroadcastState.DRAFT).order_by(Broadcast.id.desc()).limit(1)
    )
    if draft is None:
        draft = Broadcast(author_id=user_id, state=BroadcastState.DRAFT, kind=MessageKind.ANNOUNCEMENTS,
                          texts={}, audience={}, buttons=[], created_at=now)
        session.add(draft)
        await session.flush()
    return draft


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id, populate_existing=True)


async def upcoming(session: AsyncSession, *, user_id: int) -> Sequence[Broadcast]:
    """What the person can still change (their own; staff: everyone's): scheduled, waiting for
    approval, or sending now."""
    who = await authority.coordinator(session, user_id=user_id)
    found = await session.scalars(
        select(Broadcast)
        .where(Broadcast.state.in_([BroadcastState.AWAITING_APPROVAL, BroadcastState.SCHEDULED, BroadcastState.SENDING]),
               true() if who.is_staff else Broadcast.author_id == user_id)
        .order_by(Broadcast.send_at, Broadcast.id)
    )
    return found.all()


async def require_author_or_staff(session: AsyncSession, *, broadcast_id: int, user_id: int) -> authority.Viewer:
    """A broadcast is changed, sent or cancelled by its author and by staff only."""
    who = await authority.coordinator(session, user_id=user_id)
    found = await get(session, broadcast_id)
    if found is not None:
        who.require_may_change(found.author_id)
    return who


async def may_change(session: AsyncSession, *, broadcast: Broadcast, user_id: int) -> bool:
    """Whether to offer the person the buttons that change it: its author and staff, while it
    has not started (the changes themselves check again, `require_author_or_staff`)."""
    if broadcast.state not in EDITABLE:
        return False
    try:
        who = await authority.coordinator(session, user_id=user_id)
    except authority.NotAllowed:
        return False
    return who.may_change(broadcast.author_id)


async def editable(session: AsyncSession, *, broadcast_id: int, user_id: int) -> Broadcast:
    """The broadcast, to be changed now. A change after approval, or to a scheduled one, takes
    it back to a draft: what was approved is what goes out. It is a new version, and whoever
    changed it may no longer approve it."""
    await require_author_or_staff(session, broadcast_id=broadcast_id, user_id=user_id)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": EDITABLE},
                     values={"state": BroadcastState.DRAFT, "approved_by_id": None, "version": Broadcast.version + 1},
                     already=AlreadyDone(NOT_EDITABLE))
    await remember_who_shaped(session, broadcast_id=broadcast_id, user_id=user_id)
    broadcast = await get(session, broadcast_id)
    assert broadcast is not None
    return broadcast


async def set_text(session: AsyncSession, *, broadcast_id: int, user_id: int, language: str, text: str | None) -> Broadcast:
    broadcast = await editable(session, broadcast_id=broadcast_id, user_id=user_id)
    texts = dict(broadcast.texts)
    if text is None:
        texts.pop(language, None)
    else:
        texts[language] = text
    broadcast.texts = texts
    return broadcast


async def toggle_audience(session: AsyncSession, *, broadcast_id: int, user_id: int, name: str, value: str) -> Broadcast:
    """Add a value to a filter, or take it off. A district, or a session, the person does not
    follow is refused (taking one off is always allowed)."""
    if name not in AUDIENCE_FILTERS:
        raise InvalidInput(NEEDS_AUDIENCE)  # the filters: bot/broadcasts/audience.py
    current = await get(session, broadcast_id)
    adding = current is not None and value not in current.audience.get(name, [])
    if adding:
        await require_in_scope(session, user_id=user_id, name=name, value=value)
    broadcast = await editable(session, broadcast_id=broadcast_id, user_id=user_id)
    audience = {key: list(values) for key, values in broadcast.audience.items()}
    values = audience.setdefault(name, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    broadcast.audience = {key: values for key, values in audience.items() if values}
    return broadcast


async def clear_audience(session: AsyncSession, *, broadcast_id: int, user_id: int, name: str) -> Broadcast:
    broadcast = await editable(session, broadcast_id=broadcast_id, user_id=user_id)
    broadcast.audience = {key: list(values) for key, values in broadcast.audience.items() if key != name}
    return broadcast


async def set_kind(session: AsyncSession, *, broadcast_id: int, user_id: int, kind: MessageKind) -> Broadcast:
    broadcast = await editable(session, broadcast_id=broadcast_id, user_id=user_id)
    broadcast.kind = kind
    return broadcast


async def set_buttons(session: AsyncSession, *, broadcast_id: int, user_id: int, buttons: list[list[str]]) -> Broadcast:
    broadcast = await editable(session, broadcast_id=broadcast_id, user_id=user_id)
    broadcast.buttons = buttons
    return broadcast


@dataclass(frozen=True)
class Submitted:
    broadcast: Broadcast
    reach: Reach
    needs_approval: bool


async def submit(
    session: AsyncSession, *, broadcast_id: int, user_id: int, send_at: datetime, now: datetime,
    default_language: str, approval_threshold: int,
) -> Submitted:
    """Send at `send_at` (now, or later): scheduled, or waiting for a second person's approval
    when it would reach more than `approval_threshold` people."""
    await require_author_or_staff(session, broadcast_id=broadcast_id, user_id=user_id)
    broadcast = await get(session, broadcast_id)
    if broadcast is None or broadcast.state is not BroadcastState.DRAFT:
        raise AlreadyDone(NOT_EDITABLE)
    if default_language not in broadcast.texts:
        raise InvalidInput(NEEDS_DEFAULT_TEXT, language=default_language)
    if audience_condition(broadcast.audience) is None:
        raise InvalidInput(NEEDS_AUDIENCE)
    if send_at < now.replace(second=0, microsecond=0):
        raise InvalidInput(SEND_AT_PAST)
    counted = await reach(session, broadcast)
    if counted.receiving == 0:
        raise InvalidInput(NOBODY)
    needs_approval = counted.receiving > approval_threshold
    state = BroadcastState.AWAITING_APPROVAL if needs_approval else BroadcastState.SCHEDULED
    # Each submission is a version of its own: buttons made for an earlier one are refused.
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.DRAFT},
                     values={"state": state, "send_at": send_at, "version": Broadcast.version + 1}, already=AlreadyDone(NOT_EDITABLE))
    await remember_who_shaped(session, broadcast_id=broadcast_id, user_id=user_id)
    audit.record(session, user_id, "broadcast.submit", now=now, detail=f"broadcast {broadcast_id} to {counted.receiving}")
    submitted = await get(session, broadcast_id)
    assert submitted is not None
    return Submitted(submitted, counted, needs_approval)


async def remember_who_shaped(session: AsyncSession, *, broadcast_id: int, user_id: int) -> None:
    """Remember who changed or submitted it: none of them may approve it
    (bot/broadcasts/approval.py). Called after the transition that moved it, whose
    UPDATE holds the broadcast's row until commit, so two changes never insert the same pair."""
    known = await session.scalar(select(BroadcastContributor.user_id).where(
        BroadcastContributor.broadcast_id == broadcast_id, BroadcastContributor.user_id == user_id))
    if known is None:
        session.add(BroadcastContributor(broadcast_id=broadcast_id, user_id=user_id))
        await session.flush()


def shapers(broadcast_id: int) -> Select[tuple[int]]:
    return select(BroadcastContributor.user_id).where(BroadcastContributor.broadcast_id == broadcast_id)


async def cancel(session: AsyncSession, *, broadcast_id: int, user_id: int, now: datetime) -> None:
    await require_author_or_staff(session, broadcast_id=broadcast_id, user_id=user_id)
    await transition(session, Broadcast, where={"id": broadcast_id, "state": EDITABLE},
                     values={"state": BroadcastState.CANCELLED}, already=AlreadyDone(NOT_EDITABLE))
    audit.record(session, user_id, "broadcast.cancel", now=now, detail=f"broadcast {broadcast_id}")


def text_for(broadcast: Broadcast, language: str, default_language: str) -> str:
    """The version in the person's language, else the default language's."""
    return broadcast.texts.get(language) or broadcast.texts.get(default_language) or next(iter(broadcast.texts.values()), "")


# --- delivering -------------------------------------------------------------------------------


async def recover_on_start(session: AsyncSession) -> int:
    """Rows left SENDING by a run that died: sent again, and counted. Returns how many."""
    found = await session.execute(
        select(BroadcastDelivery.broadcast_id, func.count())
        .where(BroadcastDelivery.state == DeliveryState.SENDING)
        .group_by(BroadcastDelivery.broadcast_id)
    )
    total = 0
    for broadcast_id, count in found.all():
        await session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id)
            .values(in_flight_at_restart=Broadcast.in_flight_at_restart + count)
        )
        total += count
    if total:
        await session.execute(
            update(BroadcastDelivery).where(BroadcastDelivery.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, reason="in flight when the bot stopped")
        )
    return total


async def next_to_send(session: AsyncSession, *, now: datetime) -> Broadcast | None:
    """A broadcast being sent with recipients due, or a scheduled one whose time has come."""
    sending = await session.scalar(
        select(Broadcast).where(
            Broadcast.state == BroadcastState.SENDING,
            Broadcast.id.in_(select(BroadcastDelivery.broadcast_id).where(*_due(now))),
        ).order_by(Broadcast.started_at).limit(1)
    )
    if sending is not None:
        return sending
    return await session.scalar(
        select(Broadcast).where(Broadcast.state == BroadcastState.SCHEDULED, Broadcast.send_at <= now)
        .order_by(Broadcast.send_at).limit(1)
    )


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [BroadcastDelivery.state == DeliveryState.PENDING,
            or_(BroadcastDelivery.not_before.is_(None), BroadcastDelivery.not_before <= now)]


async def start(session: AsyncSession, *, broadcast_id: int, now: datetime, quiet: QuietHours) -> int:
    """SCHEDULED → SENDING, with one row per recipient; returns how many will get it.

    The audience is read now, not when it was composed: who joined or left since counts.
    """
    await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.SCHEDULED},
                     values={"state": BroadcastState.SENDING, "started_at": now})
    broadcast = await get(session, broadcast_id)
    assert broadcast is not None
    condition = await recipients_condition(session, broadcast)
    if condition is None:
        return 0
    await session.execute(
        insert(BroadcastDelivery).from_select(
            ["broadcast_id", "user_id", "state", "attempts"],
            select(literal(broadcast_id, Integer), User.id, literal(DeliveryState.PENDING.value, String), literal(0, Integer))
            .where(condition),
        )
    )
    mine = BroadcastDelivery.broadcast_id == broadcast_id
    # Each is checked again when a delivery is claimed: a held one may wait all night.
    for reason, who in (
        (SkipReason.UNREACHABLE, select(User.id).where(User.reachable.is_(False))),
        (SkipReason.PAUSED, select(NotificationSettings.user_id).where(NotificationSettings.paused_at.is_not(None))),
        (SkipReason.SWITCHED_OFF, select(NotificationSettings.user_id).where(_switched_off(broadcast.kind))),
    ):
        await session.execute(
            update(BroadcastDelivery).where(mine, BroadcastDelivery.state == DeliveryState.PENDING, BroadcastDelivery.user_id.in_(who))
            .values(state=DeliveryState.SKIPPED, reason=reason.value)
        )
    await _hold_for_quiet_hours(session, broadcast_id=broadcast_id, now=now, quiet=quiet)
    return await session.scalar(
        select(func.count()).select_from(BroadcastDelivery).where(mine, BroadcastDelivery.state == DeliveryState.PENDING)
    ) or 0


async def _hold_for_quiet_hours(session: AsyncSession, *, broadcast_id: int, now: datetime, quiet: QuietHours) -> None:
    mine = and_(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.state == DeliveryState.PENDING)
    own = select(NotificationSettings.user_id).where(NotificationSettings.quiet_start.is_not(None))
    if quiet.contains(now):
        await session.execute(
            update(BroadcastDelivery).where(mine, BroadcastDelivery.user_id.not_in(own))
            .values(not_before=quiet.next_allowed(now))
        )
    rows = await session.scalars(
        select(NotificationSettings).where(
            NotificationSettings.quiet_start.is_not(None),
            NotificationSettings.user_id.in_(select(BroadcastDelivery.user_id).where(mine)),
        )
    )
    for row in rows.all():
        theirs = notifications.quiet_hours_for(row, quiet)
        if theirs.contains(now):
            await session.execute(
                update(BroadcastDelivery).where(mine, BroadcastDelivery.user_id == row.user_id)
                .values(not_before=theirs.next_allowed(now))
            )


@dataclass(frozen=True)
class Recipient:
    user_id: int
    telegram_id: int
    language: str
    channel: str = "telegram"
    # What the channel's rules decided in the claim's transaction (bot.messaging.marketing for
    # WhatsApp), for its sender: None where a channel has no rules.
    plan: Any = None


async def due_recipients(session: AsyncSession, *, broadcast_id: int, now: datetime, limit: int, after: int = 0,
                         channel: str | None = None) -> list[Recipient]:
    """The next recipients still to be sent to, in order of their id, after the id `after`
    (only those on `channel`, when given: each channel is sent to at its own pace)."""
    found = await session.execute(
        select(User.id, User.telegram_id, User.language, User.channel)
        .join(BroadcastDelivery, BroadcastDelivery.user_id == User.id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, User.id > after, *_due(now),
               true() if channel is None else User.channel == channel)
        .order_by(User.id)
        .limit(limit)
    )
    return [Recipient(*row) for row in found.all()]


async def claim(session: AsyncSession, *, broadcast_id: int, user_id: int, kind: MessageKind) -> bool:
    """Recorded before the send: PENDING → SENDING (False: someone else has it, or cancelled).

    The person's consent, /stop and /settings are read again now, not when the broadcast
    started: one held for the end of quiet hours may have waited all night. Who no longer
    wants it is SKIPPED, with the reason, and False is returned.
    """
    reason = await _reason_to_skip(session, user_id=user_id, kind=kind)
    if reason is not None:
        await session.execute(
            update(BroadcastDelivery)
            .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.user_id == user_id,
                   BroadcastDelivery.state == DeliveryState.PENDING)
            .values(state=DeliveryState.SKIPPED, reason=reason.value)
            .execution_options(synchronize_session=False)
        )
        return False
    claimed = await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.user_id == user_id,
               BroadcastDelivery.state == DeliveryState.PENDING,
               BroadcastDelivery.broadcast_id.in_(select(Broadcast.id).where(Broadcast.state == BroadcastState.SENDING)))
        .values(state=DeliveryState.SENDING, attempts=BroadcastDelivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)


async def _reason_to_skip(session: AsyncSession, *, user_id: int, kind: MessageKind) -> SkipReason | None:
    found = (await session.execute(
        select(User.consent_at, User.consent_withdrawn_at, User.reachable, NotificationSettings.paused_at, NotificationSettings.muted)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(User.id == user_id)
    )).first()
    if found is None or found.consent_at is None or found.consent_withdrawn_at is not None:
        return SkipReason.NO_CONSENT
    if not found.reachable:
        return SkipReason.UNREACHABLE
    if found.paused_at is not None:
        return SkipReason.PAUSED
    if kind.value in (found.muted or []):
        return SkipReason.SWITCHED_OFF
    return None


async def record(
    session: AsyncSession, *, broadcast_id: int, user_id: int, state: DeliveryState, now: datetime,
    reason: str | None = None, retry_at: datetime | None = None, not_an_attempt: bool = False, message_id: str | None = None,
) -> None:
    """Recorded after the send. PENDING with `retry_at` tries it again later; `not_an_attempt`
    when nothing was tried (a limit said wait), so it does not count towards giving up."""
    values: dict[str, Any] = {"state": state, "reason": reason}
    if not_an_attempt:
        values["attempts"] = BroadcastDelivery.attempts - 1
    if state is DeliveryState.DELIVERED:
        values["sent_at"] = now
        if message_id is not None:
            values["message_id"] = message_id
    if retry_at is not None:
        values["not_before"] = retry_at
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.user_id == user_id,
               BroadcastDelivery.state == DeliveryState.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if state is DeliveryState.BLOCKED:
        await session.execute(update(User).where(User.id == user_id).values(reachable=False))


async def attempts(session: AsyncSession, *, broadcast_id: int, user_id: int) -> int:
    return await session.scalar(
        select(BroadcastDelivery.attempts).where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.user_id == user_id)
    ) or 0


@dataclass(frozen=True)
class Tally:
    delivered: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    pending: int = 0  # still to go, including those waiting for the end of quiet hours
    sending: int = 0
    in_flight_at_restart: int = 0
    # (reason, how many) of the skipped, the most first: a SkipReason value, or a reason
    # kept before they were (counted apart by the report)
    skipped_because: tuple[tuple[str, int], ...] = ()
    waiting_for_daily_limit: int = 0  # of the pending: WhatsApp's daily limit is full
    marketing_capped: int = 0  # of the failed: Meta's per-person marketing cap (131049)

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.blocked + self.skipped + self.pending + self.sending

    @property
    def done(self) -> int:
        return self.total - self.pending - self.sending


async def tally(session: AsyncSession, *, broadcast_id: int) -> Tally:
    found = await session.execute(
        select(BroadcastDelivery.state, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.state)
    )
    counts = {DeliveryState(state).value: count for state, count in found.all()}
    in_flight = await session.scalar(select(Broadcast.in_flight_at_restart).where(Broadcast.id == broadcast_id)) or 0
    skipped = await session.execute(
        select(BroadcastDelivery.reason, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.state == DeliveryState.SKIPPED)
        .group_by(BroadcastDelivery.reason)
        .order_by(func.count().desc(), BroadcastDelivery.reason)
    )
    reasons = dict((await session.execute(
        select(BroadcastDelivery.reason, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.reason.in_([WAITING_FOR_DAILY_LIMIT, MARKETING_CAP]),
               BroadcastDelivery.state.in_([DeliveryState.PENDING, DeliveryState.FAILED]))
        .group_by(BroadcastDelivery.reason)
    )).all())
    return Tally(**counts, in_flight_at_restart=in_flight,
                 skipped_because=tuple((reason or "", count) for reason, count in skipped.all()),
                 waiting_for_daily_limit=reasons.get(WAITING_FOR_DAILY_LIMIT, 0), marketing_capped=reasons.get(MARKETING_CAP, 0))


async def failures(session: AsyncSession, *, broadcast_id: int) -> list[tuple[DeliveryState, str | None, int]]:
    """Why people did not get it: (state, reason, how many)."""
    found = await session.execute(
        select(BroadcastDelivery.state, BroadcastDelivery.reason, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id,
               BroadcastDelivery.state.in_([DeliveryState.FAILED, DeliveryState.BLOCKED, DeliveryState.SKIPPED]))
        .group_by(BroadcastDelivery.state, BroadcastDelivery.reason)
        .order_by(func.count().desc())
    )
    return [(DeliveryState(state), reason, count) for state, reason, count in found.all()]


async def finish_if_done(session: AsyncSession, *, broadcast_id: int, now: datetime) -> bool:
    """SENDING → DONE once nobody is left to send to; True if this call finished it."""
    left = await session.scalar(
        select(func.count()).select_from(BroadcastDelivery).where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]),
        )
    )
    if left:
        return False
    try:
        await transition(session, Broadcast, where={"id": broadcast_id, "state": BroadcastState.SENDING},
                         values={"state": BroadcastState.DONE, "finished_at": now})
    except AlreadyDone:
        return False
    return True


async def set_progress_message(session: AsyncSession, *, broadcast_id: int, message_id: int) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_message_id=message_id))


async def sent_to(session: AsyncSession, *, broadcast_id: int, user_id: int) -> Broadcast | None:
    """The broadcast, if it is one this person was to receive (a "see the message" button from
    its template may show it; nobody else's)."""
    return await session.scalar(select(Broadcast).join(BroadcastDelivery, BroadcastDelivery.broadcast_id == Broadcast.id).where(
        BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.user_id == user_id).limit(1))
