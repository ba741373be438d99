"""/trainings for leaders: browse upcoming sessions, open one, enroll or leave, wait in line and
take or pass a freed seat; the session's t.me link; the .ics file; the 24 h and 1 h reminders
and the offer's deadline. (Check-in, certificates, feedback and ballots: records.py;
coordinators: admin.py and runs.py; what each screen shows is read by bot/trainings/views.py.)

Callback data, routed by handlers/trainings/__init__.py and checked on arrival (the session
must exist; the person's place is read again):

    tr:list:p<page>          a page of upcoming sessions       tr:open:<session>   one session
    tr:enroll:<session>      enroll, or join the waitlist      tr:leave:<session>  leave
    tr:take:<session>        take the seat offered             tr:pass:<session>   pass it on
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from telegram import InputFile, Update

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.textlimits import page_of, shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_id
from bot.documents.calendar import CalendarEntry, training_event
from bot.messaging.models import Reminder
from bot.messaging.render import when_text
from bot.trainings import sessions as trainings
from bot.trainings import views
from bot.trainings.models import EnrollmentState, Topic, TrainingSession
from handlers.common import (
    answer_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
    say_already_done,
)
from handlers.context import VocesContext, step_out_of_line
from handlers.guards import StaleButton, button_part, shows_current_card
from handlers.messaging.reminders import Rendered, renders, writes_part

log = logging.getLogger(__name__)

LINK_PREFIX = "training_"
PAGE_SIZE = 5  # sessions per page: each is a few lines, read on a small phone


# --- how a session reads --------------------------------------------------------------------------


def place_text(i18n: Translator, training: TrainingSession) -> str:
    if training.online:
        return i18n.gettext("💻 Online")
    district = district_by_ubigeo(training.district_ubigeo) if training.district_ubigeo else None
    return f"📍 {escape(training.venue)}" + (f" ({escape(district.name)})" if district else "")


def topic_name(i18n: Translator, topics: dict[str, Topic], code: str | None) -> str:
    found = topics.get(code or "")
    return escape(found.name(i18n.language)) if found else escape(code or "")


def session_text(i18n: Translator, training: TrainingSession, topics: dict[str, Topic], *, taken: int | None = None,
                 for_coordinator: bool = False) -> str:
    """The session as a card; `for_coordinator`, it speaks about the people rather than to them."""
    _ = i18n.gettext
    lines = [f"<b>{escape(training.title)}</b>"]
    if training.description:
        lines.append(f"<i>{escape(training.description)}</i>")
    lines += [
        _("Topic: %(value)s") % {"value": topic_name(i18n, topics, training.topic)},
        f"🗓 {when_text(i18n, training.starts_at, training.ends_at)}",
        place_text(i18n, training),
    ]
    if taken is None:
        lines.append(_("Places: %(count)s") % {"count": i18n.number(training.capacity)})
    else:
        left = max(training.capacity - taken, 0)
        lines.append(
            i18n.ngettext("%(left)s of %(count)s place left", "%(left)s of %(count)s places left", left)
            % {"left": i18n.number(left), "count": i18n.number(training.capacity)}
            if left else (_("Full (%(count)s places)") if for_coordinator else _("Full (%(count)s places): you can join the waitlist"))
            % {"count": i18n.number(training.capacity)}
        )
    if training.prerequisite_topic:
        lines.append(_("First attend: %(topic)s") % {"topic": topic_name(i18n, topics, training.prerequisite_topic)})
    if training.enroll_until:
        lines.append(_("Enroll until %(date)s") % {"date": i18n.datetime(training.enroll_until, "short")})
    return "\n".join(lines)


def training_link(context: VocesContext, session_id: int) -> str:
    return f"https://t.me/{context.bot.username}?start={LINK_PREFIX}{session_id}"


def session_id_of(data: str | None, position: int = 2) -> int:
    return button_part(data, position)


async def refuse(update: Update, context: VocesContext, error: InvalidInput) -> None:
    """A domain refusal: an alert on a button (once), or a message."""
    if isinstance(error, AlreadyDone):
        await say_already_done(update, context, error)
        return
    if isinstance(error, trainings.MissingPrerequisite):
        async with context.runtime.database.session() as session:
            topic = await views.prerequisite_topic(session, error)
        text = context.gettext(trainings.NEEDS_PREREQUISITE) % {
            "topic": escape(topic.name(context.i18n.language)) if topic else ""
        }
    else:
        text = error_text(context, error)
    if not await answer_button(update, context, text, alert=True):
        await reply(update, context, text)


# --- /trainings: browse, open, enroll, leave --------------------------------------------------------


@shows_current_card("tr")
async def list_trainings(update: Update, context: VocesContext) -> None:
    # Only the programme's calendar is shown and nothing is kept: no consent needed.
    await answer_button(update, context)
    _ = context.gettext
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        found = await views.upcoming(session, now=context.runtime.clock.now())
    upcoming, taken, topics = found.sessions, found.taken, found.topics
    if not upcoming:
        await edit_or_reply(update, context, _("No trainings are scheduled yet. Check again soon with /trainings."))
        return
    shown = page_of(upcoming, page, size=PAGE_SIZE)
    parts = [_("<b>Upcoming trainings</b>")]
    parts += [session_text(context.i18n, t, topics, taken=taken.get(t.id, 0)) for t in shown.items]
    rows: list[list[tuple[str, str]]] = [[(f"🗓 {shorten(t.title, 48)}", f"tr:open:{t.id}")] for t in shown.items]
    rows += page_navigation(context, shown, callback_prefix="tr:list:p")
    await edit_or_reply(update, context, "\n\n".join(parts), reply_markup=keyboard(rows))


CARD_ACTIONS = {  # what the reader may do now (bot.trainings.views), as buttons
    "enroll": (N_("✅ Enroll"), "tr:enroll"), "waitlist": (N_("⏳ Join the waitlist"), "tr:enroll"),
    "here": (N_("🙋 I am here"), "tr:here"), "take": (N_("Take the seat"), "tr:take"), "pass": (N_("Pass"), "tr:pass"),
    "cert": (N_("📄 Certificate"), "tr:cert"), "leave": (N_("Leave this session"), "tr:leave"),
}
CARD_ROWS = (("enroll", "waitlist"), ("here",), ("take", "pass"), ("cert",), ("leave",))


async def card(context: VocesContext, session_id: int) -> tuple[str, object]:
    """One session as its reader sees it: the text, and what they can do now."""
    _ = context.gettext
    person = context.person
    async with context.runtime.database.session() as session:
        found = await views.session_card(session, session_id=session_id, user_id=person.id if person else None,
                                         now=context.runtime.clock.now())
    if found is None:
        raise StaleButton(session_id)
    training, mine = found.training, found.mine
    lines = [session_text(context.i18n, training, found.topics, taken=found.taken)]
    if training.cancelled_at is not None:
        lines.append(_("❌ This session was cancelled."))
    elif mine is not None:
        state = mine.state
        if state is EnrollmentState.ENROLLED:
            lines.append(_("✅ You have a seat."))
        elif state is EnrollmentState.WAITLISTED:
            lines.append(_("⏳ You are number %(position)s in line.") % {"position": found.position})
        elif state is EnrollmentState.OFFERED:
            lines.append(_("🎟 A seat is held for you until %(date)s.") % {"date": context.i18n.datetime(mine.offer_expires_at, "short")})
        elif state is EnrollmentState.ATTENDED:
            lines.append(_("🎓 You attended."))
        elif state is EnrollmentState.NO_SHOW:
            lines.append(_("You were not marked present."))
    rows: list[list[tuple[str, str]]] = []
    for row in CARD_ROWS:
        buttons = [(_(CARD_ACTIONS[a][0]), f"{CARD_ACTIONS[a][1]}:{session_id}") for a in row if a in found.actions]
        if buttons:
            rows.append(buttons)
    lines.append(_("Link to share: %(link)s") % {"link": training_link(context, session_id)})
    rows.append([(_("◀️ All trainings"), "tr:list:p1")])
    return "\n".join(lines), keyboard(rows)


async def show_card(update: Update, context: VocesContext, session_id: int) -> None:
    text, markup = await card(context, session_id)
    await edit_or_reply(update, context, text, reply_markup=markup)


async def open_session(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    text, markup = await card(context, session_id_of(update.callback_query.data))  # type: ignore[union-attr]
    await edit_or_reply(update, context, text, reply_markup=markup)


async def open_from_link(update: Update, context: VocesContext) -> None:
    """t.me/<bot>?start=training_<id>, pasted in a WhatsApp group, opens the session."""
    session_id = parse_id((context.args or [""])[0].removeprefix(LINK_PREFIX))
    if session_id is None:
        await list_trainings(update, context)
        return
    try:
        text, markup = await card(context, session_id)
    except StaleButton:
        await reply(update, context, context.gettext(trainings.NOT_FOUND))
        return
    await reply(update, context, text, reply_markup=markup)


SEAT_PRESS = re.compile(r"^tr:(?:enroll|leave|take|pass):(\d+)$")


def seat_line(update: object) -> str | None:
    """Presses that change who holds a session's seats stand in one line per session, served in
    the order Telegram delivered them (handlers.context.OnePersonAtATime): a crowd gets its
    seats and waitlist places first come, first served, although people are served concurrently."""
    query = update.callback_query if isinstance(update, Update) else None
    match = SEAT_PRESS.match(query.data or "") if query is not None and isinstance(query.data, str) else None
    return f"seats:{match.group(1)}" if match else None


@asynccontextmanager
async def changing_seats(runtime: Runtime) -> AsyncIterator[Any]:
    """The seat change of a press in its session's line, committed before the line moves on:
    the next press sees it, while the answers to this one (on a slow connection, maybe) hold
    up no one behind it. A refused press leaves the line as well."""
    try:
        async with runtime.database.session() as session:
            yield session
        await runtime.database.commit()
    finally:
        step_out_of_line()


async def enroll(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        async with changing_seats(runtime) as session:
            done = await trainings.enroll(session, session_id=session_id, user_id=context.person.id, now=now,  # type: ignore[union-attr]
                                          quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    _ = context.gettext
    if done.position is None:
        await answer_button(update, context)
        await show_card(update, context, session_id)
        await reply(update, context, context.addressed("✅ You are enrolled in <b>%(title)s</b>. Here is the event for your calendar; I will remind you a day and an hour before.") % {"title": escape(done.training.title)})
        await send_calendar(context, update.effective_chat.id, done.training)  # type: ignore[union-attr]
    else:
        await answer_button(update, context)
        await show_card(update, context, session_id)
        await reply(update, context, _("The session is full. You are number %(position)s on the waitlist: if a seat frees up I will offer it to you.") % {"position": done.position})


async def send_calendar(context: VocesContext, chat_id: int, training: TrainingSession) -> None:
    i18n = context.i18n
    district = district_by_ubigeo(training.district_ubigeo) if training.district_ubigeo else None
    location = training.venue + (f", {district.name}" if district and not training.online else "")
    entry = CalendarEntry(
        uid=f"training-{training.id}@voces", title=training.title, description=training.description or "",
        starts_at=training.starts_at, ends_at=training.ends_at, location=location,
        url=training.venue if training.online and training.venue.startswith("http") else None,
        stamp=context.runtime.clock.now(), alarm_text=i18n.gettext("Training in one hour: %(title)s") % {"title": training.title},
    )
    await context.bot.send_document(chat_id, InputFile(training_event(entry), filename=i18n.gettext("training-%(id)s.ics") % {"id": training.id}))


async def leave_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            await trainings.leave(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                           now=runtime.clock.now(), claim=runtime.settings.training_claim)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await show_card(update, context, session_id)
    await reply(update, context, context.gettext("You left the session. Your reminders for it are cancelled."))


def offer_message(i18n: Translator, training: TrainingSession, expires_at: datetime) -> Rendered:
    _ = i18n.gettext
    text = _("🎟 A seat freed up in <b>%(title)s</b> (%(when)s). It is held for you until %(deadline)s: take it or pass it on.") % {
        "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at),
        "deadline": i18n.datetime(expires_at, "short"),
    }
    return Rendered(text, keyboard([[(_("Take the seat"), f"tr:take:{training.id}"), (_("Pass"), f"tr:pass:{training.id}")]]))


async def take_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            training = await trainings.take_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                  now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.addressed("✅ The seat is yours: you are enrolled in <b>%(title)s</b>.") % {"title": escape(training.title)})
    await send_calendar(context, update.effective_chat.id, training)  # type: ignore[union-attr]


async def pass_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with changing_seats(runtime) as session:
            await trainings.pass_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                now=runtime.clock.now(), claim=runtime.settings.training_claim)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("Understood: the seat goes to the next person in line."))


# --- reminders: 24 h and 1 h before; an offer's deadline ------------------------------------------


@renders(trainings.REMINDER_KIND)
async def render_reminder(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    payload = reminder.payload
    async with runtime.database.session() as session:
        training = await trainings.reminder_still_due(
            session, session_id=payload["session_id"], user_id=reminder.recipient_id, starts_at=payload["starts_at"]
        )
    if training is None:
        return None  # they left, or it was cancelled or moved (the moved one has its own)
    _ = i18n.gettext
    heading = _("⏰ Tomorrow: <b>%(title)s</b>") if payload["before"] == "24h" else _("⏰ In one hour: <b>%(title)s</b>")
    lines = [heading % {"title": escape(training.title)}, f"🗓 {when_text(i18n, training.starts_at, training.ends_at)}"]
    lines.append(_("Join here: %(link)s") % {"link": escape(training.venue)} if training.online else place_text(i18n, training))
    return Rendered("\n".join(lines))


@writes_part("training_card")
async def write_training_card(args: Mapping[str, Any], i18n: Translator, runtime: Runtime) -> str:
    """A session as it is now, for a notice that says it changed."""
    async with runtime.database.session() as session:
        training = await trainings.get_session(session, args["session_id"])
        topics = {topic.code: topic for topic in await trainings.topics(session)}
    assert training is not None
    return session_text(i18n, training, topics)


@renders(trainings.OFFER_EXPIRY_KIND)
async def render_offer_expiry(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    """The claim deadline passed: the seat goes to the next in line, who is told at once."""
    session_id = reminder.payload["session_id"]
    async with runtime.database.session() as session:
        training = await views.expire_offer(session, session_id=session_id, user_id=reminder.recipient_id,
                                            now=runtime.clock.now(), claim=runtime.settings.training_claim)
    if training is None:
        return None  # taken or passed in time
    return Rendered(i18n.gettext("The seat held for you in <b>%(title)s</b> went to the next person: the time to take it is over. You can enroll again with /trainings.") % {"title": escape(training.title)})


@renders(trainings.OFFER_KIND)
async def render_offer(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    session_id = reminder.payload["session_id"]
    async with runtime.database.session() as session:
        held = await views.seat_held(session, session_id=session_id, user_id=reminder.recipient_id)
    return None if held is None else offer_message(i18n, held.training, held.expires_at)
