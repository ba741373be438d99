"""What a leader sees of the trainings, as screens (bot/core/screens.py): /trainings (the upcoming
sessions, paged), a session's card with what its reader may do now, the answers to enrolling,
leaving, taking or passing a seat held for them (the .ics event as the screen's file), a freed
seat offered, the reminders. Check-in, /mytrainings, certificates, /verify, feedback and the
topic vote's ballot: bot/trainings/record_screens.py.

The choices' ids are the callback data Telegram's buttons have always carried (`tr:open:<id>`,
`tr:enroll:<id>`, `tr:list:p<page>` …), so a button left in a chat by an older version still
works. What the channel knows and the domain does not (the link that opens a session on it) is
passed in.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, File, Screen, bold, escape, paged, screen
from bot.core.textlimits import page_of, shorten
from bot.documents.calendar import CalendarEntry, training_event
from bot.trainings import sessions as trainings
from bot.trainings.models import EnrollmentState, Topic, TrainingSession
from bot.trainings.views import SessionCard, Upcoming

PAGE_SIZE = 5  # sessions per page of /trainings: each is a few lines, read on a small phone
LIST_PAGE = "tr:list:p"  # + the page's number


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


def session_text(i18n: Translator, training: TrainingSession, topics: dict[str, Topic], *, taken: int | None = None,
                 for_coordinator: bool = False) -> str:
    """The session as a card; `for_coordinator`, it speaks about the people rather than to them."""
    _ = i18n.gettext
    lines = [bold(escape(training.title))]
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


def open_choice(i18n: Translator, training: TrainingSession) -> Choice:
    """A session to open, in a list: its title (shortened for a button), its day where a
    channel has room for a longer line."""
    return Choice(f"tr:open:{training.id}", f"🗓 {shorten(training.title, 48)}",
                  description=i18n.datetime(training.starts_at, "short"))


# --- /trainings: the upcoming sessions, one session's card ---------------------------------------------


def upcoming(i18n: Translator, found: Upcoming, *, page: int = 1) -> Screen:
    """A page of the sessions to come, each as its card and a choice to open it."""
    _ = i18n.gettext
    if not found.sessions:
        return screen(_("No trainings are scheduled yet. Check again soon with /trainings."))
    shown = page_of(found.sessions, page, size=PAGE_SIZE)
    parts = [_("<b>Upcoming trainings</b>")]
    parts += [session_text(i18n, t, found.topics, taken=found.taken.get(t.id, 0)) for t in shown.items]
    rows = paged(_, [[open_choice(i18n, t)] for t in found.sessions], page=shown.number, id_prefix=LIST_PAGE,
                 size=PAGE_SIZE)
    return screen("\n\n".join(parts), rows)


# What the reader may do now (bot.trainings.views.SessionCard.actions): label and id prefix.
CARD_ACTIONS = {
    "enroll": (N_("✅ Enroll"), "tr:enroll"), "waitlist": (N_("⏳ Join the waitlist"), "tr:enroll"),
    "here": (N_("🙋 I am here"), "tr:here"), "take": (N_("Take the seat"), "tr:take"), "pass": (N_("Pass"), "tr:pass"),
    "cert": (N_("📄 Certificate"), "tr:cert"), "leave": (N_("Leave this session"), "tr:leave"),
}
CARD_ROWS = (("enroll", "waitlist"), ("here",), ("take", "pass"), ("cert",), ("leave",))


def place_line(i18n: Translator, found: SessionCard) -> str | None:
    """Where the reader stands on the session's list, said to them."""
    _ = i18n.gettext
    if found.training.cancelled_at is not None:
        return _("❌ This session was cancelled.")
    mine = found.mine
    if mine is None:
        return None
    state = mine.state
    if state is EnrollmentState.WAITLISTED:
        return _("⏳ You are number %(position)s in line.") % {"position": found.position}
    if state is EnrollmentState.OFFERED:
        return _("🎟 A seat is held for you until %(date)s.") % {"date": i18n.datetime(mine.offer_expires_at, "short")}
    return {
        EnrollmentState.ENROLLED: _("✅ You have a seat."),
        EnrollmentState.ATTENDED: _("🎓 You attended."),
        EnrollmentState.NO_SHOW: _("You were not marked present."),
    }.get(state)


def session_card(i18n: Translator, found: SessionCard, *, share_link: str) -> Screen:
    """One session as its reader sees it: the card, where they stand, what they can do now, and
    the link that opens it on their channel (to share in a group)."""
    _ = i18n.gettext
    session_id = found.training.id
    lines = [session_text(i18n, found.training, found.topics, taken=found.taken)]
    place = place_line(i18n, found)
    if place is not None:
        lines.append(place)
    rows = [[Choice(f"{CARD_ACTIONS[a][1]}:{session_id}", _(CARD_ACTIONS[a][0])) for a in row if a in found.actions]
            for row in CARD_ROWS]
    lines.append(_("Link to share: %(link)s") % {"link": share_link})
    rows.append([Choice(f"{LIST_PAGE}1", _("◀️ All trainings"))])
    return screen("\n".join(lines), rows)


def not_found(i18n: Translator) -> Screen:
    """A link to a session that is gone."""
    return screen(i18n.gettext(trainings.NOT_FOUND))


# --- enrolling, leaving, a seat held -------------------------------------------------------------------


def calendar_file(i18n: Translator, training: TrainingSession, *, now: datetime) -> File:
    """The session as an .ics event with an alarm an hour before, for the person's calendar."""
    district = district_by_ubigeo(training.district_ubigeo) if training.district_ubigeo else None
    location = training.venue + (f", {district.name}" if district and not training.online else "")
    entry = CalendarEntry(
        uid=f"training-{training.id}@voces", title=training.title, description=training.description or "",
        starts_at=training.starts_at, ends_at=training.ends_at, location=location,
        url=training.venue if training.online and training.venue.startswith("http") else None,
        stamp=now, alarm_text=i18n.gettext("Training in one hour: %(title)s") % {"title": training.title},
    )
    return File(i18n.gettext("training-%(id)s.ics") % {"id": training.id}, "text/calendar", data=training_event(entry))


def enrolled(i18n: Translator, training: TrainingSession, *, sex: str | None, now: datetime) -> Screen:
    text = i18n.addressed("✅ You are enrolled in <b>%(title)s</b>. Here is the event for your calendar; I will remind you a day and an hour before.", sex)
    return screen(text % {"title": escape(training.title)}, files=[calendar_file(i18n, training, now=now)])


def waitlisted(i18n: Translator, position: int) -> Screen:
    return screen(i18n.gettext("The session is full. You are number %(position)s on the waitlist: if a seat frees up I will offer it to you.")
                  % {"position": position})


def left(i18n: Translator) -> Screen:
    return screen(i18n.gettext("You left the session. Your reminders for it are cancelled."))


def seat_taken(i18n: Translator, training: TrainingSession, *, sex: str | None, now: datetime) -> Screen:
    text = i18n.addressed("✅ The seat is yours: you are enrolled in <b>%(title)s</b>.", sex)
    return screen(text % {"title": escape(training.title)}, files=[calendar_file(i18n, training, now=now)])


def seat_passed(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Understood: the seat goes to the next person in line."))


def offer(i18n: Translator, training: TrainingSession, expires_at: datetime) -> Screen:
    """A seat freed up and is held for the next in line until `expires_at`."""
    _ = i18n.gettext
    text = _("🎟 A seat freed up in <b>%(title)s</b> (%(when)s). It is held for you until %(deadline)s: take it or pass it on.") % {
        "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at),
        "deadline": i18n.datetime(expires_at, "short"),
    }
    return screen(text, [[Choice(f"tr:take:{training.id}", _("Take the seat")), Choice(f"tr:pass:{training.id}", _("Pass"))]])


def offer_expired(i18n: Translator, training: TrainingSession) -> Screen:
    return screen(i18n.gettext("The seat held for you in <b>%(title)s</b> went to the next person: the time to take it is over. You can enroll again with /trainings.")
                  % {"title": escape(training.title)})


def reminder(i18n: Translator, training: TrainingSession, *, before: str) -> Screen:
    """A day (`before` "24h") or an hour before the session: when, and where or the link to join."""
    _ = i18n.gettext
    heading = _("⏰ Tomorrow: <b>%(title)s</b>") if before == "24h" else _("⏰ In one hour: <b>%(title)s</b>")
    lines = [heading % {"title": escape(training.title)}, f"🗓 {when_text(i18n, training.starts_at, training.ends_at)}"]
    lines.append(_("Join here: %(link)s") % {"link": escape(training.venue)} if training.online else place_text(i18n, training))
    return screen("\n".join(lines))
