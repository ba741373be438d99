"""Composing a broadcast: /broadcast's step machine.

Everything on a broadcast is saved as it is made (bot/broadcasts/broadcasts.py); what this
module keeps is where the person is in its few typed answers: a button asks for one (a text in a
language, a file, link buttons, a district, the time to send it), `ask` records which broadcast
and which question in the person's `BroadcastComposing` row, and `answer` checks what they
typed, saves it and says what comes next as a `Step`. The channel only renders it.

A question is one of TEXT, FILE, BUTTONS, DISTRICT, WHEN; after an answer the Step is one of
CARD (the card again, below the answer), AUDIENCE (the audience picker again), WHICH (several
districts match: choose one), SUBMITTED (the time typed: it is submitted) or LEFT (the flow ends
with nothing to show but its problem, if any).

People halfway through when this arrived had their step only in the chat layer's conversation
state and the broadcast and language in its user data: `answer` takes those as `at` and
`asked` when the person has no row.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts import approval as broadcast_approval
from bot.broadcasts import broadcasts
from bot.broadcasts import files as broadcast_files
from bot.broadcasts.audience import Reach, districts_in_scope, names_of
from bot.broadcasts.models import EDITABLE, Broadcast, BroadcastComposing, BroadcastState
from bot.core import uploads
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.districts import District, district_by_ubigeo, find_districts
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.textlimits import shorten, visible_length
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_date, parse_text
from bot.messaging.reminders import QuietHours
from bot.people import authority, people
from bot.people.models import User

TEXT, DISTRICT, FILE, BUTTONS, WHEN = "text", "district", "file", "buttons", "when"
QUESTIONS = (TEXT, DISTRICT, FILE, BUTTONS, WHEN)
CARD, AUDIENCE, WHICH, SUBMITTED, LEFT = "card", "audience", "which", "submitted", "left"

CAPTION_LIMIT = 1024  # Telegram's longest caption under a photo or a document
TEXT_TOO_LONG = N_("With a photo or a document the text can be at most 1024 characters. Write it shorter, please.")
SHORTEN_FIRST = N_("With a photo or a document the text can be at most 1024 characters. Shorten the text first.")
ONE_FILE = N_("Send one photo or one document, or a single dash (-).")
TOO_LARGE = N_("That file is too large: the limit is 20 MB.")
UNKNOWN_DISTRICT = N_("I do not know that district in Lima or Callao. Write its name again.")
BUTTON_LINE = re.compile(r"^(?P<label>.{1,40}?)\s*[|—–-]\s*(?P<url>(https?|tg)://\S+)$")
SCHEDULED_AHEAD_MAX = timedelta(days=90)


@dataclass(frozen=True)
class Submission:
    """A broadcast submitted: waiting for `approvers`, or going out at its time (`held_until`:
    later than asked, at the end of quiet hours; `now`: at once)."""

    broadcast: Broadcast
    reach: Reach
    needs_approval: bool
    approvers: Sequence[User] = ()
    now: bool = False
    held_until: datetime | None = None


@dataclass(frozen=True)
class Step:
    """What to show next: the question `name` (see the module's docstring), or what follows an
    answer. `problem`: the last answer could not be used, said alone, or above the question
    asked again when `repeat`."""

    name: str
    broadcast: Broadcast | None = None
    language: str | None = None  # TEXT: the version being written
    problem: InvalidInput | None = None
    repeat: bool = False
    districts: tuple[District, ...] = ()  # WHICH
    submission: Submission | None = None  # SUBMITTED


@dataclass(frozen=True)
class Asked:
    """What the chat layer remembered of the question before the domain kept it."""

    broadcast_id: int | None
    language: str | None = None


@dataclass(frozen=True)
class Sent:
    """A file sent as an answer: its announced size, and how to fetch its bytes (only once the
    rules that need no bytes let it through)."""

    size: int | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Opened:
    draft: Broadcast  # the person's broadcast in the making
    waiting: Sequence[Broadcast]  # not yet sent, or being sent, that they may still change


@dataclass(frozen=True)
class Card:
    """What a broadcast's card and its audience screens show, read for the person looking."""

    broadcast: Broadcast
    reach: Reach
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (filter, value) → a session's title, a topic's name
    changeable: bool = False  # its author or staff, while it has not started
    may_approve: bool = False


# --- who may look, who may change --------------------------------------------------------------


async def viewable(session: AsyncSession, *, user_id: int, broadcast_id: int, to_change: bool = False) -> Broadcast | None:
    """The broadcast a button names, for a coordinator or staff member who may see it (its
    author, staff, a coordinator of every district it reaches); `to_change`: for its author or
    staff only. None: it is gone, or the person is no coordinator (an old or forged button).
    Raises AlreadyDone (it has started) or NotAllowed: said, and nothing is asked."""
    if not await authority.is_coordinator(session, user_id=user_id):
        return None
    broadcast = await broadcasts.get(session, broadcast_id)
    if broadcast is None:
        return None
    if to_change and not await broadcasts.may_change(session, broadcast=broadcast, user_id=user_id):
        if broadcast.state not in EDITABLE:
            raise AlreadyDone(broadcasts.NOT_EDITABLE)
        raise authority.NotAllowed(authority.ONLY_AUTHOR)
    if not await broadcast_approval.may_see(session, broadcast=broadcast, user_id=user_id):
        raise authority.NotAllowed(broadcast_approval.NOT_IN_YOUR_DISTRICTS)
    return broadcast


async def card(session: AsyncSession, *, broadcast: Broadcast, user_id: int, language: str,
               approving: bool = False) -> Card:
    """The card's figures for the person looking (`approving`: whether to offer Approve /
    Send back, read only where the card is opened to decide)."""
    return Card(
        broadcast,
        await broadcasts.reach(session, broadcast),
        await names_of(session, audience=broadcast.audience, language=language),
        await broadcasts.may_change(session, broadcast=broadcast, user_id=user_id),
        approving and await broadcast_approval.may_approve(session, broadcast=broadcast, user_id=user_id),
    )


# --- the flow ----------------------------------------------------------------------------------


async def open_composer(session: AsyncSession, *, user_id: int, now: datetime) -> Opened:
    """/broadcast: the person's draft (a new one if none) and what they may still change; any
    question left unanswered is forgotten. Raises NotAllowed for who is no coordinator."""
    draft = await broadcasts.draft_of(session, user_id=user_id, now=now)
    waiting = await broadcasts.upcoming(session, user_id=user_id)
    await discard(session, user_id=user_id)
    return Opened(draft, waiting)


async def ask(session: AsyncSession, *, user_id: int, broadcast_id: int, question: str, now: datetime,
              language: str | None = None) -> Step | None:
    """A button that asks for one typed answer about its broadcast (for TEXT, in `language`).
    None: an old or forged button. Raises AlreadyDone / NotAllowed as `viewable`."""
    if question not in QUESTIONS or (question == TEXT) != (language in SUPPORTED_LANGUAGES):
        return None
    broadcast = await viewable(session, user_id=user_id, broadcast_id=broadcast_id, to_change=True)
    if broadcast is None:
        return None
    row = await session.get(BroadcastComposing, user_id)
    if row is None:
        session.add(BroadcastComposing(user_id=user_id, broadcast_id=broadcast.id, step=question, language=language, updated_at=now))
    else:
        row.broadcast_id, row.step, row.language, row.updated_at = broadcast.id, question, language, now
    return Step(question, broadcast, language)


async def answer(session: AsyncSession, *, user_id: int, value: str, now: datetime, zone: ZoneInfo, store: FileStore,
                 default_language: str, approval_threshold: int, quiet: QuietHours, formatted: str | None = None,
                 sent: Sent | None = None, at: str | None = None, asked: Asked | None = None) -> Step:
    """What the person typed (`value`; `formatted`: the same with its formatting, kept for a
    text) or `sent` (a file), for the question they were asked. An answer that cannot be used
    saves nothing and says why (the question stays); one that can is saved and the question
    is over. `at` and `asked`: what the chat layer remembered, for people asked before the
    domain kept the question."""
    row = await session.get(BroadcastComposing, user_id)
    step, broadcast_id, language = (row.step, row.broadcast_id, row.language) if row is not None else (
        at, asked.broadcast_id if asked else None, asked.language if asked else None)
    if step not in QUESTIONS or broadcast_id is None or (step == TEXT and language is None):
        await discard(session, user_id=user_id)
        return Step(LEFT)
    try:
        if step == TEXT:
            return await _text(session, user_id, broadcast_id, language or "", value, formatted)
        if step == FILE:
            return await _file(session, user_id, broadcast_id, value, sent, store)
        if step == BUTTONS:
            buttons = parse_buttons(parse_text(value, field_max=1000, multiline=True))
            return await _saved(session, user_id, lambda: broadcasts.set_buttons(
                session, broadcast_id=broadcast_id, user_id=user_id, buttons=buttons))
        if step == DISTRICT:
            return await _district(session, user_id, broadcast_id, value)
        send_at = parse_when(parse_text(value, field_max=40), zone, now)
    except InvalidInput as error:  # the same question, after saying why
        return Step(step, problem=error)
    await discard(session, user_id=user_id)
    try:
        submission = await submit(session, user_id=user_id, broadcast_id=broadcast_id, send_at=send_at, now=now,
                                  default_language=default_language, approval_threshold=approval_threshold, quiet=quiet)
    except InvalidInput as error:  # AlreadyDone and NotAllowed too: nothing was changed
        return Step(LEFT, problem=error)
    return Step(SUBMITTED, submission.broadcast, submission=submission)


async def _saved(session: AsyncSession, user_id: int, change: Callable[[], Awaitable[Broadcast]]) -> Step:
    """The answer saved (the question is over): the card again, or why it could not be."""
    await discard(session, user_id=user_id)
    try:
        return Step(CARD, await change())
    except InvalidInput as error:
        return Step(LEFT, problem=error)


async def _text(session: AsyncSession, user_id: int, broadcast_id: int, language: str, value: str, formatted: str | None) -> Step:
    parse_text(value, field_max=4000, multiline=True)  # refuses what is only invisible characters
    text = None if value.strip() == "-" else formatted if formatted is not None else value
    current = await broadcasts.get(session, broadcast_id)
    if text is not None and current is not None and current.attachment_kind and visible_length(text) > CAPTION_LIMIT:
        raise InvalidInput(TEXT_TOO_LONG)
    return await _saved(session, user_id, lambda: broadcasts.set_text(
        session, broadcast_id=broadcast_id, user_id=user_id, language=language, text=text))


async def _file(session: AsyncSession, user_id: int, broadcast_id: int, value: str, sent: Sent | None, store: FileStore) -> Step:
    """A file is judged by its bytes (bot/broadcasts/files.py): one the bot does not send is
    refused, saying why, and asked for again; a dash sends the broadcast without one."""
    if sent is None and value.strip() != "-":
        raise InvalidInput(ONE_FILE)
    accepted = None
    if sent is not None:
        current = await broadcasts.get(session, broadcast_id)
        if current is not None and any(visible_length(text) > CAPTION_LIMIT for text in current.texts.values()):
            await discard(session, user_id=user_id)
            return Step(LEFT, problem=InvalidInput(SHORTEN_FIRST))
        try:
            if (sent.size or 0) > uploads.UPLOAD_LIMIT_BYTES:
                raise uploads.UploadRefused(TOO_LARGE)
            accepted = await broadcast_files.judged(await sent.fetch())
        except InvalidInput as error:
            return Step(FILE, problem=error, repeat=True)
    return await _saved(session, user_id, lambda: broadcast_files.attach(
        session, store=store, broadcast_id=broadcast_id, user_id=user_id, accepted=accepted))


async def _district(session: AsyncSession, user_id: int, broadcast_id: int, value: str) -> Step:
    """A district's name: only those the person follows; another is refused, and asked again."""
    found = find_districts(parse_text(value, field_max=80))
    if not found:
        raise InvalidInput(UNKNOWN_DISTRICT)
    try:
        allowed = await districts_in_scope(session, user_id=user_id, districts=[d.ubigeo for d in found])
    except InvalidInput as error:
        return Step(DISTRICT, problem=error, repeat=True)
    found = [district for district in found if district.ubigeo in allowed]
    await discard(session, user_id=user_id)
    if len(found) == 1:
        return await choose_district(session, user_id=user_id, broadcast_id=broadcast_id, ubigeo=found[0].ubigeo)
    return Step(WHICH, await broadcasts.get(session, broadcast_id), districts=tuple(found))


async def choose_district(session: AsyncSession, *, user_id: int, broadcast_id: int, ubigeo: str) -> Step:
    """The district added to the audience (kept if it is there already), then the picker again.
    LEFT with nothing: the broadcast is gone; with a problem: it may not be changed."""
    if district_by_ubigeo(ubigeo) is None:
        return Step(LEFT)
    current = await broadcasts.get(session, broadcast_id)
    if current is None:
        return Step(LEFT)
    if ubigeo in current.audience.get("district", []):
        return Step(AUDIENCE, current)
    try:
        return Step(AUDIENCE, await broadcasts.toggle_audience(
            session, broadcast_id=broadcast_id, user_id=user_id, name="district", value=ubigeo))
    except InvalidInput as error:
        return Step(LEFT, problem=error)


async def discard(session: AsyncSession, *, user_id: int) -> None:
    """The question is over (answered, cancelled, or another command): the broadcast stays."""
    await session.execute(delete(BroadcastComposing).where(BroadcastComposing.user_id == user_id))


# --- what is typed ------------------------------------------------------------------------------


def parse_buttons(text: str) -> list[list[str]]:
    """One link button a line, `label | https://…`; a dash for none; five at most."""
    if text.strip() == "-":
        return []
    found = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        match = BUTTON_LINE.match(line)
        if match is None:
            raise InvalidInput(N_("I could not read this line: %(line)s. Write the label, a bar (|) and a link that starts with https://."), line=shorten(line, 60))
        found.append([match["label"].strip(), match["url"]])
    if len(found) > 5:
        raise InvalidInput(N_("At most five buttons, please."))
    return found


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A day and a time, Lima time, at most 90 days ahead."""
    day_part, _sep, time_part = text.strip().rpartition(" ")
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", time_part)
    if not day_part or match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(N_("I could not read that. Write the day and the time, for example: 15/12/2026 18:30"))
    when = datetime.combine(parse_date(day_part), time(int(match[1]), int(match[2])), tzinfo=zone)
    if when > now + SCHEDULED_AHEAD_MAX:
        raise InvalidInput(N_("A broadcast is scheduled at most 90 days ahead. Write a day before %(latest)s."),
                           latest=f"{(now + SCHEDULED_AHEAD_MAX).astimezone(zone):%d/%m/%Y}")
    return when


# --- sending it, and after ----------------------------------------------------------------------


async def submit(session: AsyncSession, *, user_id: int, broadcast_id: int, send_at: datetime, now: datetime,
                 default_language: str, approval_threshold: int, quiet: QuietHours) -> Submission:
    """"Send now" or a time: scheduled, or waiting for a second person's approval above the
    threshold (with whom to ask). Raises AlreadyDone or InvalidInput: nothing changed."""
    submitted = await broadcast_approval.submit(session, broadcast_id=broadcast_id, user_id=user_id, send_at=send_at, now=now,
                                                default_language=default_language, approval_threshold=approval_threshold)
    if submitted.needs_approval:  # the approvers were told (bot/broadcasts/approval.py)
        approvers = await broadcast_approval.approvers(session, broadcast=submitted.broadcast)
        return Submission(submitted.broadcast, submitted.reach, True, approvers)
    due = send_at <= now
    held = quiet.next_allowed(now) if due and quiet.contains(now) else None  # "Send now" at night
    return Submission(submitted.broadcast, submitted.reach, False, now=due, held_until=held)


@dataclass(frozen=True)
class Look:
    """One broadcast opened from a list: how its sending goes, or its card."""

    broadcast: Broadcast
    tally: broadcasts.Tally | None = None  # sending or sent
    card: Card | None = None


async def look(session: AsyncSession, *, user_id: int, broadcast_id: int, language: str) -> Look | None:
    """From /pending or the list of those not yet sent (None: an old or forged button; raises
    NotAllowed as `viewable`): its card, with Approve / Send back for whoever may give the
    second pair of eyes, or how its sending goes."""
    broadcast = await viewable(session, user_id=user_id, broadcast_id=broadcast_id)
    if broadcast is None:
        return None
    if broadcast.state in (BroadcastState.SENDING, BroadcastState.DONE):
        return Look(broadcast, tally=await broadcasts.tally(session, broadcast_id=broadcast.id))
    return Look(broadcast, card=await card(session, broadcast=broadcast, user_id=user_id, language=language, approving=True))


async def decide(session: AsyncSession, *, user_id: int, broadcast_id: int, version: int, approve: bool,
                 now: datetime) -> tuple[Broadcast, User | None]:
    """The second pair of eyes approves or sends back the version its button was made for:
    the broadcast and its author (to be told). Raises AlreadyDone or NotAllowed."""
    decision = broadcast_approval.approve if approve else broadcast_approval.reject
    broadcast = await decision(session, broadcast_id=broadcast_id, user_id=user_id, version=version, now=now)
    return broadcast, (await people.get(session, broadcast.author_id) if broadcast.author_id else None)


async def cancel(session: AsyncSession, *, user_id: int, broadcast_id: int, store: FileStore, now: datetime) -> None:
    """Discarded, or cancelled before it starts; its file goes too. Raises AlreadyDone / NotAllowed."""
    await broadcasts.cancel(session, broadcast_id=broadcast_id, user_id=user_id, now=now)
    await broadcast_files.let_go(session, store=store, broadcast_id=broadcast_id)

