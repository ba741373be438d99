"""Coordinators (and staff) run their sessions: /mysessions and each session's card (edit,
cancel, the lists and their XLSX with ids masked, check-in and its code, attendance marked by
hand, feedback asked of attendees when check-in closes); /topicvote to open a vote, see its live
counts and close it with a bar chart; /addtopic.

Callback data, checked on arrival (a coordinator or staff now; the session must exist):

    trc:list:p<page>   trc:open:<session>   trc:cancel:<session>   trc:cancelok:<session>
    trc:roster:<session>[:p<page>]   trc:xlsx:<session>   trc:checkin:<session>   trc:close:<session>
    trc:mark:<session>:<user>:<1|0>   trc:vote:<max>   trc:voteclose:<vote>
"""

from __future__ import annotations

from telegram import InputFile, Update

from bot.core.i18n import N_, Translator
from bot.core.labels import ENROLLMENT_STATE_IN_LISTS
from bot.core.textlimits import shorten
from bot.core.validation import InvalidInput, mask_id_number, parse_text
from bot.documents import workbook
from bot.documents.chart import tally_chart
from bot.trainings import record_screens, records, views
from bot.trainings import sessions as trainings
from bot.trainings.models import EnrollmentState
from bot.trainings.screens import session_text, when_text
from handlers.common import (
    answer_button,
    edit_or_reply,
    escape,
    keyboard,
    notify,
    page_number,
    paged_rows,
    reply,
    send_charts,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.trainings.admin import coordinator_only
from handlers.trainings.browse import refuse, session_id_of, training_link
from handlers.trainings.show import rendered

# --- /mysessions and a session's card --------------------------------------------------------------


@shows_current_card("trc")
async def my_sessions(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    _ = context.gettext
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        found = await trainings.sessions_of_coordinator(session, user_id=context.person.id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    new = [(_("➕ New session"), "trc:new")]
    if not found:
        await edit_or_reply(update, context, _("There are no sessions yet. Create one with /newtraining."), reply_markup=keyboard([new]))
        return
    rows = [[(f"{context.i18n.date(t.starts_at, 'short')} {'❌ ' if t.cancelled_at else ''}{shorten(t.title, 44)}", f"trc:open:{t.id}")] for t in found]
    await edit_or_reply(update, context, _("<b>Training sessions</b>\nChoose one to see its lists, open check-in or edit it."),
                        reply_markup=keyboard([*paged_rows(context, rows, page=page, callback_prefix="trc:list:p"), new]))


async def admin_card(update: Update, context: VocesContext, session_id: int) -> None:
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            found = await views.coordinator_card(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    if found is None:
        raise StaleButton(session_id)
    training, who, topics, counts = found.training, found.who, found.topics, found.counts
    i18n = context.i18n
    lines = [session_text(i18n, training, topics, taken=sum(counts.get(s, 0) for s in trainings.HOLDS_SEAT), for_coordinator=True)]
    lines.append(" · ".join(f"{_(ENROLLMENT_STATE_IN_LISTS[state])}: {counts.get(state, 0)}" for state in EnrollmentState if counts.get(state)))
    lines.append(_("Link to share: %(link)s") % {"link": training_link(context, session_id)})
    # Its lists, check-in and attendance for those who run it; edit and cancel for its author
    # and staff (the services refuse the same to old or forged buttons).
    runs = who.runs_session(training.district_ubigeo, training.created_by_id)
    changes = who.may_change(training.created_by_id)
    rows: list[list[tuple[str, str]]] = []
    lists = [(_("👥 Lists"), f"trc:roster:{session_id}"), (_("📊 XLSX"), f"trc:xlsx:{session_id}")]
    if training.cancelled_at is None:
        if training.checkin_open:
            lines.append(_("🟢 Check-in is open. Code: <b>%(code)s</b>") % {"code": training.checkin_code} if runs else _("🟢 Check-in is open."))
            if runs:
                rows.append([(_("Close check-in"), f"trc:close:{session_id}")])
        elif runs:
            opens = records.checkin_opens_at(training)
            if context.runtime.clock.now() < opens:
                lines.append(_("🕒 Check-in opens at %(time)s.") % {"time": i18n.datetime(opens, "short")})
            rows.append([(_("🟢 Open check-in"), f"trc:checkin:{session_id}")])
        if runs:
            rows.append(lists)
        if changes:
            rows.append([(_("✏️ Edit"), f"trc:edit:{session_id}"), (_("Cancel the session"), f"trc:cancel:{session_id}")])
    else:
        lines.append(_("❌ This session was cancelled."))
        if runs:
            rows.append(lists)
    rows.append([(_("◀️ All sessions"), "trc:list:p1")])
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


async def open_admin_card(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if await coordinator_only(update, context):
        await admin_card(update, context, session_id_of(update.callback_query.data))  # type: ignore[union-attr]


async def ask_cancel(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            if await trainings.session_to_edit(session, user_id=context.person.id, session_id=session_id) is None:  # type: ignore[union-attr]
                raise StaleButton(session_id)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await edit_or_reply(update, context, _("Cancel this session? Everyone on its list will be told and their reminders cancelled."),
                        reply_markup=keyboard([[(_("Yes, cancel it"), f"trc:cancelok:{session_id}"), (_("No"), f"trc:open:{session_id}")]]))


async def cancel_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            cancelled = await views.cancel_session(session, user_id=context.person.id, session_id=session_id, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    training, told = cancelled.training, cancelled.told
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("❌ Session cancelled. Everyone on its list has been told.") if told
                        else context.gettext("❌ Session cancelled. Nobody was on its list."))
    for person in told:
        i18n = runtime.translator(person.language)
        await notify(context, person.telegram_id, i18n.gettext("❌ The session <b>%(title)s</b> (%(when)s) was cancelled. Its reminders are cancelled too. See other sessions with /trainings.") % {
            "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at)}, urgent=True)  # it may be tomorrow


async def show_roster(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await render_roster(update, context, session_id_of(update.callback_query.data), page=page_number(update.callback_query.data))  # type: ignore[union-attr]


async def render_roster(update: Update, context: VocesContext, session_id: int, *, page: int = 1) -> None:
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            rows = await records.roster(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    lines = [_("<b>Lists of the session</b>")]
    buttons: list[list[tuple[str, str]]] = []
    for state in EnrollmentState:
        group = [row for row in rows if row.state is state]
        if not group:
            continue
        lines += ["", f"<b>{_(ENROLLMENT_STATE_IN_LISTS[state])}</b> ({len(group)})"]
        for number, row in enumerate(group, start=1):
            lines.append(f"{number}. {escape(row.name or '—')}" + (f" — {escape(row.organization)}" if row.organization else ""))
    for row in rows:
        if row.state in (EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW):
            buttons.append([(_("✅ Present: %(name)s") % {"name": shorten((row.name or "—"), 30)}, f"trc:mark:{session_id}:{row.user_id}:1")])
        elif row.state is EnrollmentState.ATTENDED:
            buttons.append([(_("↩️ Absent: %(name)s") % {"name": shorten((row.name or "—"), 30)}, f"trc:mark:{session_id}:{row.user_id}:0")])
    if not rows:
        lines.append(_("Nobody has enrolled yet."))
    markup = paged_rows(context, buttons, page=page, callback_prefix=f"trc:roster:{session_id}:p")
    markup.append([(_("◀️ The session"), f"trc:open:{session_id}")])
    # Edited in place: marking thirty people must not leave thirty stale lists in the chat.
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(markup))


async def mark(update: Update, context: VocesContext) -> None:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, leader_id, present = session_id_of(data), session_id_of(data, 3), data.endswith(":1")
    try:
        async with context.runtime.database.session() as session:
            await records.mark_attendance(session, user_id=context.person.id, session_id=session_id, leader_id=leader_id,  # type: ignore[union-attr]
                                          attended=bool(present), now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await render_roster(update, context, session_id)


async def export_roster(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    _ = context.gettext
    i18n = context.i18n
    try:
        async with context.runtime.database.session() as session:
            training, rows = await views.roster_of(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
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
    ], zone=context.runtime.settings.zone)
    await context.bot.send_document(update.effective_chat.id, InputFile(content, filename=_("training-%(id)s.xlsx") % {"id": session_id}),  # type: ignore[union-attr]
                                    caption=escape(training.title))


async def open_checkin(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            code = await records.open_checkin(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await admin_card(update, context, session_id)
    await reply(update, context, context.gettext("🟢 Check-in is open. Say this code in the room or the call: <b>%(code)s</b>\nLeaders send /checkin %(code)s.") % {"code": code})


async def close_checkin(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            closed = await views.close_checkin(session, user_id=context.person.id, session_id=session_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    training, no_shows, came = closed.training, closed.no_shows, closed.came
    await answer_button(update, context)
    await admin_card(update, context, session_id)
    i18n = context.i18n
    await reply(update, context, i18n.ngettext("Check-in closed: %(count)s person did not come and is recorded as a no-show.",
                                               "Check-in closed: %(count)s people did not come and are recorded as no-shows.", no_shows) % {"count": no_shows}
                + "\n" + i18n.ngettext("%(count)s attendee gets the feedback question.", "%(count)s attendees get the feedback question.", len(came)) % {"count": len(came)})
    for person in came:
        theirs = runtime.translator(person.language)
        question = rendered(record_screens.rating_question(theirs, training))
        await notify(context, person.telegram_id, question.text, reply_markup=question.reply_markup)


# --- /topicvote and /addtopic ------------------------------------------------------------------------


def tally_text(i18n: Translator, tally: records.Tally) -> str:
    lines = [i18n.ngettext("%(count)s leader voted.", "%(count)s leaders voted.", tally.voters) % {"count": tally.voters}]
    lines += [f"• {escape(topic.name(i18n.language))}: {count}" for topic, count in tally.counts]
    return "\n".join(lines)


async def topic_vote(update: Update, context: VocesContext) -> None:
    """Open: choose how many topics each leader may pick. Open already: live counts, close."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return
    _ = context.gettext
    async with context.runtime.database.session() as session:
        found = await views.open_vote_tally(session)
    if found is None:
        await reply(update, context, _("Open a topic vote: how many topics may each leader choose?"),
                    reply_markup=keyboard([[(str(n), f"trc:vote:{n}") for n in range(1, 6)]]))
        return
    vote, tally = found
    await reply(update, context, _("<b>Topic vote, open</b>") + "\n" + tally_text(context.i18n, tally),
                reply_markup=keyboard([[(_("Close the vote"), f"trc:voteclose:{vote.id}")]]))


async def open_vote(update: Update, context: VocesContext) -> None:
    max_choices = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            await records.open_vote(session, user_id=context.person.id, max_choices=max_choices, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("🗳 The topic vote is open. Leaders vote with /topics; send /topicvote to see the counts and close it."))


async def close_vote(update: Update, context: VocesContext) -> None:
    vote_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            tally = await records.close_vote(session, user_id=context.person.id, vote_id=vote_id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    i18n = context.i18n
    _ = i18n.gettext
    await edit_or_reply(update, context, _("<b>Topic vote closed: the final tally</b>") + "\n" + tally_text(i18n, tally))
    chart = tally_chart(_("Topics chosen for the next trainings"), [(t.name(i18n.language), n) for t, n in tally.counts], axis_label=_("Votes"))
    await send_charts(update, context, [(chart, _("The topic vote's final tally"))])


async def add_topic(update: Update, context: VocesContext) -> None:
    """/addtopic Nombre en español | Name in English"""
    if not await coordinator_only(update, context):
        return
    _ = context.gettext
    text = " ".join(context.args or [])
    names = [part.strip() for part in text.split("|")]
    try:
        if len(names) != 2:
            raise InvalidInput(N_("Send the name in Spanish and in English separated by |, for example /addtopic Oratoria | Public speaking."))
        name_es, name_en = (parse_text(name, field_max=80, min_length=3) for name in names)
        code = "_".join("".join(c for c in name_en.lower() if c.isalnum() or c == " ").split())[:24]
        if not code:
            raise InvalidInput(N_("Write the English name with letters, for example Public speaking."))
        async with context.runtime.database.session() as session:
            added = await trainings.add_topic(session, user_id=context.person.id, code=code, name_es=name_es, name_en=name_en,  # type: ignore[union-attr]
                                              now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await reply(update, context, _("✅ New topic: %(name)s. It can be chosen for sessions and votes from now on.") % {"name": escape(added.name(context.i18n.language))})
