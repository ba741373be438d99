"""What coordinators (and staff) see while running their sessions, as screens (bot/core/screens.py):
/mysessions (paged), a session's card for them (its counts, check-in, what they may do), cancelling
and what the people on its list are told, the lists with attendance to mark (paged), the XLSX
of the lists and the vote's chart (the screens' files), check-in opened and closed, /topicvote and
/addtopic. /newtraining's own screens: bot/trainings/draft_screens.py.

Choice ids are the callback data Telegram's buttons have always carried: `trc:list:p<page>`,
`trc:open|cancel|cancelok|edit|roster|xlsx|checkin|close:<session>`, `trc:roster:<session>:p<page>`,
`trc:mark:<session>:<user>:<1|0>`, `trc:new`, `trc:vote:<1-5>`, `trc:voteclose:<vote>`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import Translator
from bot.core.screens import Choice, File, Screen, escape, paged, screen
from bot.core.textlimits import shorten
from bot.core.validation import mask_id_number
from bot.documents import workbook
from bot.documents.chart import tally_chart
from bot.trainings import records
from bot.trainings.labels import ENROLLMENT_STATE_IN_LISTS
from bot.trainings.models import HOLDS_SEAT, EnrollmentState, Topic, TrainingSession
from bot.trainings.screens import session_text, when_text
from bot.trainings.views import CoordinatorCard

ROWS_PER_PAGE = 10  # sessions or people per page of a list: as every paged list (handlers.common)


# --- /mysessions and a session's card ------------------------------------------------------------------


def sessions(i18n: Translator, found: list[TrainingSession], *, page: int = 1) -> Screen:
    """The sessions the coordinator sees, newest first, a page at a time, and a new one."""
    _ = i18n.gettext
    new = [Choice("trc:new", _("➕ New session"))]
    if not found:
        return screen(_("There are no sessions yet. Create one with /newtraining."), [new])
    rows = [[Choice(f"trc:open:{t.id}", f"{i18n.date(t.starts_at, 'short')} {'❌ ' if t.cancelled_at else ''}{shorten(t.title, 44)}")]
            for t in found]
    return screen(_("<b>Training sessions</b>\nChoose one to see its lists, open check-in or edit it."),
                  [*paged(_, rows, page=page, id_prefix="trc:list:p", size=ROWS_PER_PAGE), new])


def card(i18n: Translator, found: CoordinatorCard, *, share_link: str, now: datetime) -> Screen:
    """The session for a coordinator: how many are in each state, the link to share; its lists,
    check-in and attendance for those who run it; edit and cancel for its author and staff (the
    services refuse the same to old or forged buttons)."""
    _ = i18n.gettext
    training, counts, session_id = found.training, found.counts, found.training.id
    lines = [session_text(i18n, training, found.topics, taken=sum(counts.get(s, 0) for s in HOLDS_SEAT), for_coordinator=True)]
    lines.append(" · ".join(f"{_(ENROLLMENT_STATE_IN_LISTS[state])}: {counts.get(state, 0)}" for state in EnrollmentState if counts.get(state)))
    lines.append(_("Link to share: %(link)s") % {"link": share_link})
    runs = found.who.runs_session(training.district_ubigeo, training.created_by_id)
    changes = found.who.may_change(training.created_by_id)
    rows: list[list[Choice]] = []
    lists = [Choice(f"trc:roster:{session_id}", _("👥 Lists")), Choice(f"trc:xlsx:{session_id}", _("📊 XLSX"))]
    if training.cancelled_at is None:
        if training.checkin_open:
            lines.append(_("🟢 Check-in is open. Code: <b>%(code)s</b>") % {"code": training.checkin_code} if runs else _("🟢 Check-in is open."))
            if runs:
                rows.append([Choice(f"trc:close:{session_id}", _("Close check-in"))])
        elif runs:
            opens = records.checkin_opens_at(training)
            if now < opens:
                lines.append(_("🕒 Check-in opens at %(time)s.") % {"time": i18n.datetime(opens, "short")})
            rows.append([Choice(f"trc:checkin:{session_id}", _("🟢 Open check-in"))])
        if runs:
            rows.append(lists)
        if changes:
            rows.append([Choice(f"trc:edit:{session_id}", _("✏️ Edit")), Choice(f"trc:cancel:{session_id}", _("Cancel the session"))])
    else:
        lines.append(_("❌ This session was cancelled."))
        if runs:
            rows.append(lists)
    rows.append([Choice("trc:list:p1", _("◀️ All sessions"))])
    return screen("\n".join(lines), rows)


# --- cancelling ----------------------------------------------------------------------------------------


def ask_cancel(i18n: Translator, session_id: int) -> Screen:
    _ = i18n.gettext
    return screen(_("Cancel this session? Everyone on its list will be told and their reminders cancelled."),
                  [[Choice(f"trc:cancelok:{session_id}", _("Yes, cancel it")), Choice(f"trc:open:{session_id}", _("No"))]])


def cancelled(i18n: Translator, *, told: bool) -> Screen:
    _ = i18n.gettext
    return screen(_("❌ Session cancelled. Everyone on its list has been told.") if told else _("❌ Session cancelled. Nobody was on its list."))


def cancellation_notice(i18n: Translator, training: TrainingSession) -> Screen:
    """Told to everyone who was on the list."""
    return screen(i18n.gettext("❌ The session <b>%(title)s</b> (%(when)s) was cancelled. Its reminders are cancelled too. See other sessions with /trainings.") % {
        "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at)})


# --- the lists, attendance, the XLSX -------------------------------------------------------------------


def roster(i18n: Translator, session_id: int, rows: list[records.RosterRow], *, page: int = 1) -> Screen:
    """Who is on the session's lists, by state; a choice to mark each one present or absent."""
    _ = i18n.gettext
    lines = [_("<b>Lists of the session</b>")]
    for state in EnrollmentState:
        group = [row for row in rows if row.state is state]
        if not group:
            continue
        lines += ["", f"<b>{_(ENROLLMENT_STATE_IN_LISTS[state])}</b> ({len(group)})"]
        for number, row in enumerate(group, start=1):
            lines.append(f"{number}. {escape(row.name or '—')}" + (f" — {escape(row.organization)}" if row.organization else ""))
    marks: list[list[Choice]] = []
    for row in rows:
        if row.state in (EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW):
            marks.append([Choice(f"trc:mark:{session_id}:{row.user_id}:1", _("✅ Present: %(name)s") % {"name": shorten((row.name or "—"), 30)})])
        elif row.state is EnrollmentState.ATTENDED:
            marks.append([Choice(f"trc:mark:{session_id}:{row.user_id}:0", _("↩️ Absent: %(name)s") % {"name": shorten((row.name or "—"), 30)})])
    if not rows:
        lines.append(_("Nobody has enrolled yet."))
    choices = paged(_, marks, page=page, id_prefix=f"trc:roster:{session_id}:p", size=ROWS_PER_PAGE)
    choices.append([Choice(f"trc:open:{session_id}", _("◀️ The session"))])
    return screen("\n".join(lines), choices)


def roster_workbook(i18n: Translator, training: TrainingSession, rows: list[records.RosterRow], *, zone: ZoneInfo) -> Screen:
    """The lists as an XLSX (the enrolled, the waitlist, who attended), ids masked."""
    _ = i18n.gettext
    headers = [_("Name"), _("Organization"), _("Telegram id"), _("Enrolled on"), _("Attended"), _("Rating")]

    def sheet(title: str, states: tuple[EnrollmentState, ...]) -> workbook.Sheet:
        return workbook.Sheet(title, headers, [
            [row.name or "", row.organization or "", mask_id_number(str(row.telegram_id)), i18n.datetime(row.enrolled_at, "short"),
             i18n.datetime(row.attended_at, "short") if row.attended_at else "", row.rating or ""]
            for row in rows if row.state in states
        ])

    content = workbook.workbook([
        sheet(_("Enrolled"), (EnrollmentState.ENROLLED, EnrollmentState.OFFERED, EnrollmentState.ATTENDED, EnrollmentState.NO_SHOW)),
        sheet(_("Waitlist"), (EnrollmentState.WAITLISTED,)),
        sheet(_("Attended"), (EnrollmentState.ATTENDED,)),
    ], zone=zone)
    name = _("training-%(id)s.xlsx") % {"id": training.id}
    return screen("", files=[File(name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data=content,
                                  caption=escape(training.title))])


# --- check-in ------------------------------------------------------------------------------------------


def checkin_opened(i18n: Translator, code: str) -> Screen:
    return screen(i18n.gettext("🟢 Check-in is open. Say this code in the room or the call: <b>%(code)s</b>\nLeaders send /checkin %(code)s.")
                  % {"code": code})


def checkin_closed(i18n: Translator, *, no_shows: int, asked: int) -> Screen:
    """How many did not come, and how many get the feedback question."""
    return screen(
        i18n.ngettext("Check-in closed: %(count)s person did not come and is recorded as a no-show.",
                      "Check-in closed: %(count)s people did not come and are recorded as no-shows.", no_shows) % {"count": no_shows}
        + "\n" + i18n.ngettext("%(count)s attendee gets the feedback question.", "%(count)s attendees get the feedback question.", asked)
        % {"count": asked})


# --- /topicvote and /addtopic ---------------------------------------------------------------------------


def tally_text(i18n: Translator, tally: records.Tally) -> str:
    lines = [i18n.ngettext("%(count)s leader voted.", "%(count)s leaders voted.", tally.voters) % {"count": tally.voters}]
    lines += [f"• {escape(topic.name(i18n.language))}: {count}" for topic, count in tally.counts]
    return "\n".join(lines)


def vote_to_open(i18n: Translator) -> Screen:
    """No vote is open: how many topics each leader may choose in the next."""
    return screen(i18n.gettext("Open a topic vote: how many topics may each leader choose?"),
                  [[Choice(f"trc:vote:{n}", str(n)) for n in range(1, 6)]])


def vote_open(i18n: Translator, vote_id: int, tally: records.Tally) -> Screen:
    _ = i18n.gettext
    return screen(_("<b>Topic vote, open</b>") + "\n" + tally_text(i18n, tally),
                  [[Choice(f"trc:voteclose:{vote_id}", _("Close the vote"))]])


def vote_opened(i18n: Translator) -> Screen:
    return screen(i18n.gettext("🗳 The topic vote is open. Leaders vote with /topics; send /topicvote to see the counts and close it."))


def vote_closed(i18n: Translator, tally: records.Tally) -> Screen:
    """The final tally, and its bar chart as the screen's image."""
    _ = i18n.gettext
    chart = tally_chart(_("Topics chosen for the next trainings"), [(t.name(i18n.language), n) for t, n in tally.counts], axis_label=_("Votes"))
    return screen(_("<b>Topic vote closed: the final tally</b>") + "\n" + tally_text(i18n, tally),
                  files=[File("chart.png", "image/png", data=chart, caption=_("The topic vote's final tally"))])


def topic_added(i18n: Translator, topic: Topic) -> Screen:
    return screen(i18n.gettext("✅ New topic: %(name)s. It can be chosen for sessions and votes from now on.")
                  % {"name": escape(topic.name(i18n.language))})
