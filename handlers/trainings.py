"""/trainings for leaders: browse upcoming sessions, open one, enroll or leave, wait in line and
take or pass a freed seat; the session's t.me link; the .ics file; the 24 h and 1 h reminders;
/checkin; /mytrainings with certificates; /verify; feedback and the topic vote's ballot.

Callback data, checked on arrival (the session must exist; the person's place is read again):

    tr:list:p<page>          a page of upcoming sessions       tr:open:<session>   one session
    tr:enroll:<session>      enroll, or join the waitlist      tr:leave:<session>  leave
    tr:take:<session>        take the seat offered             tr:pass:<session>   pass it on
    tr:here:<session>        check in while check-in is open   tr:cert:<session>   the certificate
    tr:rate:<session>:<1-5>  rate a session attended           vote:pick:<vote>:<topic>
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import InputFile, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.districts import district_by_ubigeo
from bot.documents.calendar import CalendarEntry, training_event
from bot.documents.certificate import CertificateText, certificate_pdf
from bot.i18n import N_, Translator
from bot.models.reminders import Reminder
from bot.models.trainings import EnrollmentState, Topic, TrainingSession
from bot.runtime import Runtime
from bot.services import training_records as records
from bot.services import trainings
from bot.services.trainings import Offer
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of
from bot.validation import InvalidInput, parse_text
from handlers.commands import command
from handlers.common import (
    END,
    answer_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    needs_consent,
    notify,
    page_navigation,
    page_number,
    remember_step,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.reminders import Rendered, renders

log = logging.getLogger(__name__)

LINK_PREFIX = "training_"
VERIFY_PREFIX = "verify_"
FEEDBACK_FLOW = "training_feedback"
PAGE_SIZE = 5  # sessions per page: each is a few lines, read on a small phone


# --- how a session reads --------------------------------------------------------------------------


def when_text(i18n: Translator, starts_at: datetime, ends_at: datetime) -> str:
    """The day once and both times when a session fits in one local day, as nearly all do."""
    if starts_at.astimezone(i18n.zone).date() != ends_at.astimezone(i18n.zone).date():
        return i18n.gettext("%(start)s to %(end)s") % {
            "start": i18n.datetime(starts_at, "short"), "end": i18n.datetime(ends_at, "short"),
        }
    return i18n.gettext("%(day)s, %(start)s to %(end)s") % {
        "day": i18n.date(starts_at, "full"), "start": i18n.time(starts_at), "end": i18n.time(ends_at),
    }


def place_text(i18n: Translator, training: TrainingSession) -> str:
    if training.online:
        return i18n.gettext("💻 Online")
    district = district_by_ubigeo(training.district_ubigeo) if training.district_ubigeo else None
    return f"📍 {escape(training.venue)}" + (f" ({escape(district.name)})" if district else "")


def topic_name(i18n: Translator, topics: dict[str, Topic], code: str | None) -> str:
    found = topics.get(code or "")
    return escape(found.name(i18n.language)) if found else escape(code or "")


def session_text(i18n: Translator, training: TrainingSession, topics: dict[str, Topic], *, taken: int | None = None) -> str:
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
            if left else _("Full (%(count)s places): you can join the waitlist") % {"count": i18n.number(training.capacity)}
        )
    if training.prerequisite_topic:
        lines.append(_("First attend: %(topic)s") % {"topic": topic_name(i18n, topics, training.prerequisite_topic)})
    if training.enroll_until:
        lines.append(_("Enroll until %(date)s") % {"date": i18n.datetime(training.enroll_until, "short")})
    return "\n".join(lines)


async def topic_map(session) -> dict[str, Topic]:  # noqa: ANN001
    return {topic.code: topic for topic in await trainings.topics(session)}


def training_link(context: VocesContext, session_id: int) -> str:
    return f"https://t.me/{context.bot.username}?start={LINK_PREFIX}{session_id}"


def verify_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={VERIFY_PREFIX}{code}"


def session_id_of(data: str | None, position: int = 2) -> int:
    parts = (data or "").split(":")
    if len(parts) <= position or not parts[position].isdigit():
        raise StaleButton(data)
    return int(parts[position])


async def refuse(update: Update, context: VocesContext, error: InvalidInput) -> None:
    """A domain refusal: an alert on a button (once), or a message."""
    if isinstance(error, AlreadyDone):
        await say_already_done(update, context, error)
        return
    if isinstance(error, trainings.MissingPrerequisite):
        async with context.runtime.database.session() as session:
            topics = await topic_map(session)
        text = context.gettext(trainings.NEEDS_PREREQUISITE) % {
            "topic": topic_name(context.i18n, topics, error.topic.code if error.topic else None)
        }
    else:
        text = error_text(context, error)
    query = update.callback_query
    if query is not None and not context.button_answered:
        context.button_answered = True
        await query.answer(text[:200], show_alert=True)
        return
    await reply(update, context, text)


# --- /trainings: browse, open, enroll, leave --------------------------------------------------------


@shows_current_card("tr")
async def list_trainings(update: Update, context: VocesContext) -> None:
    # Only the programme's calendar is shown and nothing is kept: no consent needed.
    await answer_button(update, context)
    _ = context.gettext
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        upcoming = await trainings.upcoming_sessions(session, now=context.runtime.clock.now(), limit=200)
        taken = await trainings.seats_taken_by_session(session, [t.id for t in upcoming])
        topics = await topic_map(session)
    if not upcoming:
        await edit_or_reply(update, context, _("No trainings are scheduled yet. Check again soon with /trainings."))
        return
    shown = page_of(upcoming, page, size=PAGE_SIZE)
    parts = [_("<b>Upcoming trainings</b>")]
    parts += [session_text(context.i18n, t, topics, taken=taken.get(t.id, 0)) for t in shown.items]
    rows: list[list[tuple[str, str]]] = [[(f"🗓 {t.title[:48]}", f"tr:open:{t.id}")] for t in shown.items]
    rows += page_navigation(context, shown, callback_prefix="tr:list:p")
    await edit_or_reply(update, context, "\n\n".join(parts), reply_markup=keyboard(rows))


async def card(context: VocesContext, session_id: int) -> tuple[str, object]:
    """One session as its reader sees it: the text, and what they can do now."""
    _ = context.gettext
    person = context.person
    async with context.runtime.database.session() as session:
        training = await trainings.get_session(session, session_id)
        if training is None:
            raise StaleButton(session_id)
        taken = await trainings.seats_taken(session, session_id)
        topics = await topic_map(session)
        mine = await trainings.enrollment_of(session, session_id=session_id, user_id=person.id) if person else None
        position = await trainings.waitlist_position(session, mine) if mine and mine.state is EnrollmentState.WAITLISTED else None
    now = context.runtime.clock.now()
    lines = [session_text(context.i18n, training, topics, taken=taken)]
    rows: list[list[tuple[str, str]]] = []
    if training.cancelled_at is not None:
        lines.append(_("❌ This session was cancelled."))
    elif mine is None:
        if training.starts_at > now:
            label = _("✅ Enroll") if taken < training.capacity else _("⏳ Join the waitlist")
            rows.append([(label, f"tr:enroll:{session_id}")])
    else:
        state = mine.state
        if state is EnrollmentState.ENROLLED:
            lines.append(_("✅ You have a seat."))
            if training.checkin_open:
                rows.append([(_("🙋 I am here"), f"tr:here:{session_id}")])
        elif state is EnrollmentState.WAITLISTED:
            lines.append(_("⏳ You are number %(position)s in line.") % {"position": position})
        elif state is EnrollmentState.OFFERED:
            lines.append(_("🎟 A seat is held for you until %(date)s.") % {"date": context.i18n.datetime(mine.offer_expires_at, "short")})
            rows.append([(_("Take the seat"), f"tr:take:{session_id}"), (_("Pass"), f"tr:pass:{session_id}")])
        elif state is EnrollmentState.ATTENDED:
            lines.append(_("🎓 You attended."))
            rows.append([(_("📄 Certificate"), f"tr:cert:{session_id}")])
        elif state is EnrollmentState.NO_SHOW:
            lines.append(_("You were not marked present."))
        if state in (EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED) and training.starts_at > now:
            rows.append([(_("Leave this session"), f"tr:leave:{session_id}")])
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
    payload = (context.args or [""])[0].removeprefix(LINK_PREFIX)
    if not payload.isdigit():
        await list_trainings(update, context)
        return
    try:
        text, markup = await card(context, int(payload))
    except StaleButton:
        await reply(update, context, context.gettext(trainings.NOT_FOUND))
        return
    await reply(update, context, text, reply_markup=markup)


@needs_consent
async def enroll(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        async with runtime.database.session() as session:
            done = await trainings.enroll(session, session_id=session_id, user_id=context.person.id, now=now,  # type: ignore[union-attr]
                                          quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    _ = context.gettext
    if done.position is None:
        await answer_button(update, context)
        await show_card(update, context, session_id)
        await reply(update, context, _("✅ You are enrolled in <b>%(title)s</b>. Here is the event for your calendar; I will remind you a day and an hour before.") % {"title": escape(done.training.title)})
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
    await context.bot.send_document(chat_id, InputFile(training_event(entry), filename=f"training-{training.id}.ics"))


@needs_consent
async def leave_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            offers = await trainings.leave(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                           now=runtime.clock.now(), claim=claim_time(runtime))
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await show_card(update, context, session_id)
    await reply(update, context, context.gettext("You left the session. Your reminders for it are cancelled."))
    await tell_offers(context, offers)


def claim_time(runtime: Runtime) -> timedelta:
    return timedelta(hours=runtime.settings.training_claim_hours)


def offer_message(i18n: Translator, training: TrainingSession, expires_at: datetime) -> Rendered:
    _ = i18n.gettext
    text = _("🎟 A seat freed up in <b>%(title)s</b> (%(when)s). It is held for you until %(deadline)s: take it or pass it on.") % {
        "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at),
        "deadline": i18n.datetime(expires_at, "short"),
    }
    return Rendered(text, keyboard([[(_("Take the seat"), f"tr:take:{training.id}"), (_("Pass"), f"tr:pass:{training.id}")]]))


async def tell_offers(context: VocesContext, offers: list[Offer]) -> None:
    """Tell the next in line at once: a seat is theirs to take."""
    if not offers:
        return
    async with context.runtime.database.session() as session:
        training = await trainings.get_session(session, offers[0].session_id)
    assert training is not None
    for offer in offers:
        rendered = offer_message(context.runtime.translator(offer.language), training, offer.expires_at)
        await notify(context, offer.telegram_id, rendered.text, reply_markup=rendered.reply_markup)


@needs_consent
async def take_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            training = await trainings.take_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                  now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("✅ The seat is yours: you are enrolled in <b>%(title)s</b>.") % {"title": escape(training.title)})
    await send_calendar(context, update.effective_chat.id, training)  # type: ignore[union-attr]


@needs_consent
async def pass_seat(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            offers = await trainings.pass_offer(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                now=runtime.clock.now(), claim=claim_time(runtime))
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("Understood: the seat goes to the next person in line."))
    await tell_offers(context, offers)


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


@renders(trainings.OFFER_EXPIRY_KIND)
async def render_offer_expiry(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    """The claim deadline passed: the seat goes to the next in line, who is told at once."""
    session_id = reminder.payload["session_id"]
    async with runtime.database.session() as session:
        offers = await trainings.expire_offer(session, session_id=session_id, user_id=reminder.recipient_id,
                                              now=runtime.clock.now(), claim=claim_time(runtime))
        if offers is None:
            return None  # taken or passed in time
        training = await trainings.get_session(session, session_id)
        for offer in offers:
            await _schedule_offer_message(session, offer, now=runtime.clock.now())
    assert training is not None
    return Rendered(i18n.gettext("The seat held for you in <b>%(title)s</b> went to the next person: the time to take it is over. You can enroll again with /trainings.") % {"title": escape(training.title)})


async def _schedule_offer_message(session, offer: Offer, *, now: datetime) -> None:  # noqa: ANN001
    from bot import reminders

    await reminders.schedule(
        session, key=f"training:{offer.session_id}:user:{offer.user_id}:offer", recipient_id=offer.user_id,
        kind=trainings.OFFER_KIND, due_at=now, urgent=True, replace=True,
        payload={"session_id": offer.session_id, "expires_at": offer.expires_at.isoformat()},
    )


@renders(trainings.OFFER_KIND)
async def render_offer(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    session_id = reminder.payload["session_id"]
    async with runtime.database.session() as session:
        mine = await trainings.enrollment_of(session, session_id=session_id, user_id=reminder.recipient_id)
        training = await trainings.get_session(session, session_id)
    if mine is None or training is None or mine.state is not EnrollmentState.OFFERED or mine.offer_expires_at is None:
        return None
    return offer_message(i18n, training, mine.offer_expires_at)


# --- check-in, /mytrainings, certificates, /verify ------------------------------------------------


@needs_consent
async def checkin(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    code = " ".join(context.args or [])
    if not code:
        await reply(update, context, _("Send the code the coordinator gives in the room or the call, for example /checkin K7M2QX."))
        return
    await record_checkin(update, context, code=code)


async def record_checkin(update: Update, context: VocesContext, *, code: str | None = None, session_id: int | None = None) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            if code is None:
                training = await trainings.get_session(session, session_id or 0)
                if training is None:
                    raise StaleButton(session_id)
                code = training.checkin_code or "-"
            training = await records.check_in(session, user_id=context.person.id, code=code, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await reply(update, context, context.gettext("🙋 Checked in: welcome to <b>%(title)s</b>!") % {"title": escape(training.title)})


@needs_consent
async def here(update: Update, context: VocesContext) -> None:
    await record_checkin(update, context, session_id=session_id_of(update.callback_query.data))  # type: ignore[union-attr]


STATE_LABEL = {
    EnrollmentState.ENROLLED: N_("enrolled"),
    EnrollmentState.WAITLISTED: N_("on the waitlist"),
    EnrollmentState.OFFERED: N_("a seat is held for you"),
    EnrollmentState.ATTENDED: N_("attended"),
    EnrollmentState.NO_SHOW: N_("did not attend"),
}


@needs_consent
async def my_trainings(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        history = await records.history_of(session, user_id=context.person.id)  # type: ignore[union-attr]
    if not history:
        await reply(update, context, _("You have not enrolled in any training yet. See what is coming with /trainings."))
        return
    lines = [_("<b>Your trainings</b>")]
    rows: list[list[tuple[str, str]]] = []
    for entry in history[:30]:
        training = entry.training
        line = f"• {i18n.date(training.starts_at, 'medium')}: {escape(training.title)} — {_(STATE_LABEL[entry.state])}"
        if entry.certificate_code:
            line += " " + _("(certificate %(code)s)") % {"code": entry.certificate_code}
        lines.append(line)
        if entry.state is EnrollmentState.ATTENDED:
            rows.append([(_("📄 Certificate: %(title)s") % {"title": training.title[:40]}, f"tr:cert:{training.id}")])
        elif training.starts_at > context.runtime.clock.now():
            rows.append([(f"🗓 {training.title[:48]}", f"tr:open:{training.id}")])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows[:20]) if rows else None)


@needs_consent
async def send_certificate(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            certificate, training = await records.certificate_for(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                                  now=runtime.clock.now())
            topics = await topic_map(session)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    i18n = context.i18n
    _ = i18n.gettext
    hours = (training.ends_at - training.starts_at).total_seconds() / 3600
    username = context.bot.username
    text = CertificateText(
        heading=_("Certificate of attendance"),
        preamble=_("This certifies that"),
        holder=certificate.holder_name,
        organization_line=_("of %(organization)s") % {"organization": certificate.organization_name} if certificate.organization_name else None,
        attended=_("attended the training"),
        session_title=training.title,
        details=i18n.ngettext("on %(date)s, %(hours)s hour, topic: %(topic)s", "on %(date)s, %(hours)s hours, topic: %(topic)s", round(hours))
        % {"date": i18n.date(training.starts_at, "long"), "hours": i18n.number(round(hours, 1)),
           "topic": topics[training.topic].name(i18n.language) if training.topic in topics else training.topic},
        issuer=_("Capacity-building programme for social organizations of Lima and Callao"),
        code_line=_("Verification code: %(code)s") % {"code": certificate.code},
        verify_hint=_("Scan the QR code or send /verify %(code)s to @%(bot)s") % {"code": certificate.code, "bot": username},
        verify_url=verify_link(username, certificate.code),
    )
    await context.bot.send_document(
        update.effective_chat.id, InputFile(certificate_pdf(text), filename=f"certificate-{certificate.code}.pdf"),  # type: ignore[union-attr]
        caption=_("📄 Your certificate for <b>%(title)s</b>. Code: %(code)s") % {"title": escape(training.title), "code": certificate.code},
    )


async def verify(update: Update, context: VocesContext) -> None:
    """Public: anyone holding a certificate's code can ask whether it is genuine."""
    code = " ".join(context.args or [])
    await answer_verification(update, context, code)


async def verify_from_link(update: Update, context: VocesContext) -> None:
    await answer_verification(update, context, (context.args or [""])[0].removeprefix(VERIFY_PREFIX))


async def answer_verification(update: Update, context: VocesContext, code: str) -> None:
    _ = context.gettext
    if not code.strip():
        await reply(update, context, _("Send the certificate's code, for example /verify ABCD2345."))
        return
    async with context.runtime.database.session() as session:
        found = await records.verify(session, code=code)
    if found is None:
        await reply(update, context, _("❌ No certificate with the code %(code)s was issued by this programme.") % {"code": escape(records.normalize_code(code))})
        return
    certificate, training = found.certificate, found.training
    lines = [
        _("✅ Genuine certificate %(code)s.") % {"code": certificate.code},
        _("Issued to <b>%(name)s</b>%(organization)s for attending <b>%(title)s</b> on %(date)s.") % {
            "name": escape(certificate.holder_name),
            "organization": f" ({escape(certificate.organization_name)})" if certificate.organization_name else "",
            "title": escape(training.title), "date": context.i18n.date(training.starts_at, "long"),
        },
    ]
    await reply(update, context, "\n".join(lines))


# --- feedback: a rating, then an optional comment -------------------------------------------------


def feedback_keyboard(i18n: Translator, session_id: int):  # noqa: ANN201
    return keyboard([[(f"{n} ⭐", f"tr:rate:{session_id}:{n}") for n in range(1, 6)]])


@needs_consent
async def rated(update: Update, context: VocesContext) -> object:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, rating = session_id_of(data), session_id_of(data, 3)
    try:
        async with context.runtime.database.session() as session:
            await records.rate(session, user_id=context.person.id, session_id=session_id, rating=rating)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return END
    await answer_button(update, context)
    context.user_data["feedback_session"] = session_id  # type: ignore[index]
    await remember_step(update, context, FEEDBACK_FLOW, "comment")
    _ = context.gettext
    await edit_or_reply(update, context, _("Thank you for your rating: %(rating)s ⭐. Would you like to add a comment? Write it now, or send /skip.") % {"rating": rating})
    return "comment"


async def feedback_comment(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    session_id = (context.user_data or {}).get("feedback_session")
    try:
        text = parse_text(update.message.text or "", field_max=1000, multiline=True)  # type: ignore[union-attr]
        async with context.runtime.database.session() as session:
            await records.comment(session, user_id=context.person.id, session_id=int(session_id or 0), text=text)  # type: ignore[union-attr]
    except AlreadyDone:
        return await leave(update, context, FEEDBACK_FLOW)
    except InvalidInput as error:
        await reply(update, context, error_text(context, error) + "\n\n" + _("Write your comment, or send /skip."))
        return "comment"
    await reply(update, context, _("Thank you! The coordinators will read it."))
    return await leave(update, context, FEEDBACK_FLOW)


async def skip_comment(update: Update, context: VocesContext) -> object:
    await reply(update, context, context.gettext("All right. Thank you for your rating!"))
    return await leave(update, context, FEEDBACK_FLOW)


# --- the topic vote's ballot ------------------------------------------------------------------------


def ballot_view(i18n: Translator, tally_topics: list[Topic], chosen: set[str], vote_id: int, max_choices: int) -> tuple[str, object]:
    _ = i18n.gettext
    text = i18n.ngettext(
        "<b>Which topic should the next trainings cover?</b>\nChoose up to %(count)s topic; tap again to remove it. You can change your choice until the vote closes.",
        "<b>Which topics should the next trainings cover?</b>\nChoose up to %(count)s topics; tap again to remove one. You can change your choice until the vote closes.",
        max_choices,
    ) % {"count": max_choices}
    rows = [[(("✅ " if topic.code in chosen else "") + topic.name(i18n.language), f"vote:pick:{vote_id}:{topic.code}")] for topic in tally_topics]
    return text, keyboard(rows)


@needs_consent
async def show_ballot(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        vote = await records.current_vote(session)
        if vote is None:
            await reply(update, context, _("There is no topic vote open right now."))
            return
        chosen = await records.ballot_of(session, vote_id=vote.id, user_id=context.person.id)  # type: ignore[union-attr]
        every = await trainings.topics(session)
    text, markup = ballot_view(context.i18n, every, chosen, vote.id, vote.max_choices)
    await reply(update, context, text, reply_markup=markup)


@needs_consent
async def pick_topic(update: Update, context: VocesContext) -> None:
    parts = (update.callback_query.data or "").split(":")  # type: ignore[union-attr]
    if len(parts) != 4 or not parts[2].isdigit():
        raise StaleButton(parts)
    vote_id, code = int(parts[2]), parts[3]
    try:
        async with context.runtime.database.session() as session:
            chosen = await records.toggle_choice(session, vote_id=vote_id, user_id=context.person.id, topic=code)  # type: ignore[union-attr]
            vote = await records.current_vote(session)
            every = await trainings.topics(session)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    text, markup = ballot_view(context.i18n, every, chosen, vote_id, vote.max_choices if vote else len(chosen))
    await edit_or_reply(update, context, text, reply_markup=markup)


def register(application) -> None:  # noqa: ANN001
    feedback = ConversationHandler(
        entry_points=[CallbackQueryHandler(rated, pattern=r"^tr:rate:\d+:[1-5]$")],
        states={"comment": [MessageHandler(filters.TEXT & ~filters.COMMAND, feedback_comment)]},
        fallbacks=[command("skip", skip_comment), command("cancel", skip_comment)],
        name=FEEDBACK_FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([
        CommandHandler("start", open_from_link, filters=filters.Regex(rf"^/start {LINK_PREFIX}")),
        CommandHandler("start", verify_from_link, filters=filters.Regex(rf"^/start {VERIFY_PREFIX}")),
        feedback,
        command("trainings", list_trainings),
        command("mytrainings", my_trainings),
        command("checkin", checkin),
        command("verify", verify),
        command("topics", show_ballot),
        CallbackQueryHandler(list_trainings, pattern=r"^tr:list:p\d+$"),
        CallbackQueryHandler(open_session, pattern=r"^tr:open:\d+$"),
        CallbackQueryHandler(enroll, pattern=r"^tr:enroll:\d+$"),
        CallbackQueryHandler(leave_session, pattern=r"^tr:leave:\d+$"),
        CallbackQueryHandler(take_seat, pattern=r"^tr:take:\d+$"),
        CallbackQueryHandler(pass_seat, pattern=r"^tr:pass:\d+$"),
        CallbackQueryHandler(here, pattern=r"^tr:here:\d+$"),
        CallbackQueryHandler(send_certificate, pattern=r"^tr:cert:\d+$"),
        CallbackQueryHandler(pick_topic, pattern=r"^vote:pick:\d+:[a-z0-9_]+$"),
    ])
