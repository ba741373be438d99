"""Coordinators (and staff) run trainings: /newtraining in a guided conversation, /mysessions
with each session's card (edit, cancel, the lists and their XLSX, check-in, attendance,
feedback), /topicvote to let leaders choose the next topics, /addtopic.

Callback data, checked on arrival (the person must be a coordinator or staff now; the session
must exist):

    trc:topic:<code> / trc:prereq:<code|none> / trc:mode:<online|place> / trc:skip / trc:district:<ubigeo>
    trc:save / trc:discard / trc:field:<name>       the conversation's buttons
    trc:list:p<page>   trc:open:<session>   trc:edit:<session>   trc:cancel:<session>   trc:cancelok:<session>
    trc:roster:<session>   trc:xlsx:<session>   trc:checkin:<session>   trc:close:<session>
    trc:mark:<session>:<user>:<1|0>   trc:vote:<max>   trc:voteclose:<vote>
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InputFile, Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.districts import district_by_ubigeo, find_districts
from bot.documents.chart import tally_chart
from bot.documents.roster import RosterSheet, roster_workbook
from bot.i18n import N_, Translator
from bot.models.trainings import EnrollmentState, TrainingDraft
from bot.services import authority, trainings
from bot.services import training_records as records
from bot.services.authority import NotAllowed
from bot.validation import InvalidInput, mask_id_number, parse_count, parse_text
from handlers.commands import command
from handlers.common import (
    END,
    NOT_TYPED,
    TYPE_IT,
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    notify,
    page_number,
    paged_rows,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.trainings import (
    STATE_LABEL,
    claim_time,
    feedback_keyboard,
    refuse,
    session_id_of,
    session_text,
    tell_offers,
    topic_map,
    training_link,
    when_text,
)

FLOW = "training_session"

# The conversation's steps, in the order a new session asks them.
ORDER = ("topic", "title", "description", "mode", "venue", "district", "starts_at", "ends_at", "capacity",
         "enroll_until", "prerequisite_topic")
QUESTIONS = {
    "topic": N_("<b>New training session</b>\nWhat is the topic?"),
    "title": N_("What is the session's title? (For example: Leading an assembly)"),
    "description": N_("Describe it in a sentence or two, or tap Skip."),
    "mode": N_("Is it online or in person?"),
    "link": N_("Send the link to join the call (https://…)."),
    "venue": N_("Where is it? Send the address or the place."),
    "district": N_("In which district? Write its name, for example Callao or San Juan de Lurigancho."),
    "starts_at": N_("When does it start? Send the date and time in Lima, for example 15/03/2027 10:00."),
    "ends_at": N_("When does it end? Send the time, for example 13:00."),
    "capacity": N_("How many places are there?"),
    "enroll_until": N_("Until when can people enroll? Send a date and time, or tap Skip to allow it until the start."),
    "prerequisite_topic": N_("Must people first attend a session on another topic?"),
}


async def coordinator_only(update: Update, context: VocesContext) -> bool:
    async with context.runtime.database.session() as session:
        allowed = context.person is not None and await authority.is_coordinator(session, user_id=context.person.id)
    if not allowed:
        await answer_button(update, context)
        await reply(update, context, context.gettext(authority.ONLY_COORDINATORS))
    return allowed


# --- the draft ----------------------------------------------------------------------------------


async def draft_of(context: VocesContext) -> TrainingDraft | None:
    async with context.runtime.database.session() as session:
        return await session.get(TrainingDraft, context.person.id)  # type: ignore[union-attr]


async def save_answer(context: VocesContext, **answers: Any) -> TrainingDraft:
    async with context.runtime.database.session() as session:
        draft = await session.get(TrainingDraft, context.person.id)  # type: ignore[union-attr]
        if draft is None:
            raise StaleButton("no draft")
        draft.answers = {**draft.answers, **answers}
        draft.updated_at = context.runtime.clock.now()
        return draft


def next_step(answers: dict[str, Any], after: str) -> str:
    """The next question after `after`, or "summary"; one field at a time when changing one."""
    if answers.get("_one"):
        return "summary"
    steps = list(ORDER)
    index = steps.index("venue" if after == "link" else after) + 1
    while index < len(steps):
        step = steps[index]
        if step == "venue" and answers.get("online"):
            return "link"
        if step == "district" and answers.get("online"):
            index += 1
            continue
        return step
    return "summary"


async def ask_step(update: Update, context: VocesContext, step: str) -> str:
    _ = context.gettext
    if step == "summary":
        return await show_summary(update, context)
    markup = None
    if step in ("topic", "prerequisite_topic"):
        async with context.runtime.database.session() as session:
            topics = await trainings.topics(session)
        prefix = "trc:topic" if step == "topic" else "trc:prereq"
        rows = [[(topic.name(context.i18n.language), f"{prefix}:{topic.code}")] for topic in topics]
        if step == "prerequisite_topic":
            rows.insert(0, [(_("No, anyone can come"), "trc:prereq:none")])
        markup = keyboard(rows)
    elif step == "mode":
        markup = keyboard([[(_("💻 Online"), "trc:mode:online"), (_("📍 In person"), "trc:mode:place")]])
    elif step in ("description", "enroll_until"):
        markup = keyboard([[(_("Skip"), "trc:skip")]])
    return await ask(update, context, flow=FLOW, step=step, text=_(QUESTIONS[step]), reply_markup=markup)


async def new_training(update: Update, context: VocesContext) -> str | int:
    if not await coordinator_only(update, context):
        return END
    now = context.runtime.clock.now()
    async with context.runtime.database.session() as session:
        draft = await session.get(TrainingDraft, context.person.id)  # type: ignore[union-attr]
        if draft is None:
            session.add(TrainingDraft(user_id=context.person.id, session_id=None, answers={}, updated_at=now))  # type: ignore[union-attr]
        else:
            draft.session_id, draft.answers, draft.updated_at = None, {}, now
    return await ask_step(update, context, "topic")


async def edit_session(update: Update, context: VocesContext) -> str | int:
    """An existing session into the draft, then the summary with a button per field."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return END
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    now = context.runtime.clock.now()
    async with context.runtime.database.session() as session:
        training = await trainings.get_session(session, session_id)
        if training is None or training.cancelled_at is not None:
            raise StaleButton(session_id)
        answers = {name: getattr(training, name) for name in trainings.SESSION_FIELDS}
        for name in ("starts_at", "ends_at", "enroll_until"):
            answers[name] = answers[name].isoformat() if answers[name] else None
        draft = await session.get(TrainingDraft, context.person.id)  # type: ignore[union-attr]
        if draft is None:
            session.add(TrainingDraft(user_id=context.person.id, session_id=session_id, answers=answers, updated_at=now))  # type: ignore[union-attr]
        else:
            draft.session_id, draft.answers, draft.updated_at = session_id, answers, now
    return await show_summary(update, context)


async def button_answer(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    data = update.callback_query.data or ""  # type: ignore[union-attr]
    _prefix, kind, *rest = data.split(":")
    value = rest[0] if rest else None
    draft = await draft_of(context)
    if draft is None:
        raise StaleButton(data)
    async with context.runtime.database.session() as session:
        known = await topic_map(session)
    if kind == "topic" and value in known:
        step, answers = "topic", {"topic": value}
    elif kind == "prereq" and (value == "none" or value in known):
        step, answers = "prerequisite_topic", {"prerequisite_topic": None if value == "none" else value}
    elif kind == "mode" and value in ("online", "place"):
        step, answers = "mode", {"online": value == "online"}
        if value == "online":
            answers["district_ubigeo"] = None
    elif kind == "skip":
        current = "description" if "description" not in draft.answers or draft.answers.get("_one") == "description" else "enroll_until"
        step, answers = current, {current: None}
    elif kind == "district" and value and district_by_ubigeo(value):
        step, answers = "district", {"district_ubigeo": value}
    else:
        raise StaleButton(data)
    draft = await save_answer(context, **answers)
    return await ask_step(update, context, next_step(draft.answers, step))


def typed_answer_for(step: str):  # noqa: ANN201
    async def typed(update: Update, context: VocesContext) -> str | int:
        return await typed_answer(update, context, step)

    return typed


def not_typed_for(step: str):  # noqa: ANN201
    async def not_typed(update: Update, context: VocesContext) -> str:
        await reply(update, context, context.gettext(TYPE_IT) + "\n\n" + context.gettext(QUESTIONS[step]))
        return step

    return not_typed


async def typed_answer(update: Update, context: VocesContext, step: str) -> str | int:
    _ = context.gettext
    text = update.message.text or ""  # type: ignore[union-attr]
    draft = await draft_of(context)
    if draft is None:
        return await leave(update, context, FLOW)
    zone, now = context.runtime.settings.zone, context.runtime.clock.now()
    answers = draft.answers
    try:
        if step == "title":
            values: dict[str, Any] = {"title": parse_text(text, field_max=160, min_length=3)}
        elif step == "description":
            values = {"description": parse_text(text, field_max=500, multiline=True)}
        elif step == "link":
            values = {"venue": trainings.parse_link(text)}
        elif step == "venue":
            values = {"venue": parse_text(text, field_max=300, min_length=3)}
        elif step == "district":
            found = find_districts(text)
            if not found:
                raise InvalidInput(N_("I could not find that district in Lima or Callao. Try another spelling."))
            if len(found) > 1:
                rows = [[(d.name, f"trc:district:{d.ubigeo}")] for d in found]
                return await ask(update, context, flow=FLOW, step="district", text=_("Which one?"), reply_markup=keyboard(rows))
            values = {"district_ubigeo": found[0].ubigeo}
        elif step == "starts_at":
            start = trainings.parse_when(text, zone=zone, now=now)
            values = {"starts_at": start.isoformat()}
            if answers.get("ends_at") and datetime.fromisoformat(answers["ends_at"]) <= start:
                values["ends_at"] = None  # asked again below
        elif step == "ends_at":
            values = {"ends_at": trainings.parse_end(text, start=datetime.fromisoformat(answers["starts_at"]), zone=zone).isoformat()}
        elif step == "capacity":
            capacity = parse_count(text, maximum=2000)
            if capacity < 1:
                raise InvalidInput(N_("A session needs at least one place."))
            values = {"capacity": capacity}
        elif step == "enroll_until":
            until = trainings.parse_when(text, zone=zone, now=now)
            if answers.get("starts_at") and until > datetime.fromisoformat(answers["starts_at"]):
                raise InvalidInput(N_("Enrollment must close before the session starts."))
            values = {"enroll_until": until.isoformat()}
        else:
            raise StaleButton(step)
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return await ask_step(update, context, step)
    draft = await save_answer(context, **values)
    if step == "starts_at" and draft.answers.get("ends_at") is None:
        return await ask_step(update, context, "ends_at")
    return await ask_step(update, context, next_step(draft.answers, step))


FIELD_LABELS = {
    "topic": N_("Topic"), "title": N_("Title"), "description": N_("Description"), "mode": N_("Online or in person"),
    "venue": N_("Place or link"), "starts_at": N_("Start"), "ends_at": N_("End"), "capacity": N_("Places"),
    "enroll_until": N_("Enrollment deadline"), "prerequisite_topic": N_("Prerequisite"),
}


async def show_summary(update: Update, context: VocesContext) -> str:
    _ = context.gettext
    i18n = context.i18n
    draft = await draft_of(context)
    if draft is None:
        raise StaleButton("no draft")
    answers = {key: value for key, value in draft.answers.items() if key != "_one"}
    await save_answer(context, _one=None)
    async with context.runtime.database.session() as session:
        topics = await topic_map(session)
    missing = [step for step in ORDER if step not in ("mode", "venue", "district") and step not in answers]
    if missing:
        return await ask_step(update, context, missing[0])
    when = when_text(i18n, datetime.fromisoformat(answers["starts_at"]), datetime.fromisoformat(answers["ends_at"]))
    district = district_by_ubigeo(answers.get("district_ubigeo") or "")
    lines = [
        _("<b>Check the session before saving</b>") if draft.session_id is None else _("<b>Editing the session</b>"),
        _("Topic: %(value)s") % {"value": escape(topics[answers["topic"]].name(i18n.language)) if answers["topic"] in topics else "?"},
        _("Title: %(value)s") % {"value": escape(answers["title"])},
        _("Description: %(value)s") % {"value": escape(answers.get("description") or "—")},
        (_("💻 Online: %(link)s") % {"link": escape(answers["venue"])}) if answers.get("online")
        else "📍 " + escape(answers["venue"]) + (f" ({escape(district.name)})" if district else ""),
        f"🗓 {when}",
        _("Places: %(count)s") % {"count": i18n.number(answers["capacity"])},
        _("Enrollment until: %(value)s") % {"value": i18n.datetime(datetime.fromisoformat(answers["enroll_until"]), "short") if answers.get("enroll_until") else _("the start")},
        _("Prerequisite: %(value)s") % {"value": escape(topics[answers["prerequisite_topic"]].name(i18n.language)) if answers.get("prerequisite_topic") in topics else _("none")},
    ]
    fields = [(_(label), f"trc:field:{name}") for name, label in FIELD_LABELS.items()]
    rows = [[(_("✅ Save"), "trc:save"), (_("Discard"), "trc:discard")]]
    rows += [fields[i:i + 2] for i in range(0, len(fields), 2)]
    return await ask(update, context, flow=FLOW, step="summary", text="\n".join(lines), reply_markup=keyboard(rows))


async def change_field(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    name = (update.callback_query.data or "").rsplit(":", 1)[1]  # type: ignore[union-attr]
    if name not in FIELD_LABELS:
        raise StaleButton(name)
    draft = await save_answer(context, _one=name)
    step = "link" if name == "venue" and draft.answers.get("online") else name
    if name == "mode":
        await save_answer(context, _one=None)  # a new mode asks its place (or link) next
    return await ask_step(update, context, step)


async def save(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    runtime = context.runtime
    draft = await draft_of(context)
    if draft is None:
        raise StaleButton("no draft")
    now = runtime.clock.now()
    answers = {key: value for key, value in draft.answers.items() if key != "_one"}
    try:
        async with runtime.database.session() as session:
            if draft.session_id is None:
                training = await trainings.create_session(session, user_id=context.person.id, answers=answers, now=now)  # type: ignore[union-attr]
                changed = None
            else:
                changed = await trainings.update_session(session, user_id=context.person.id, session_id=draft.session_id,  # type: ignore[union-attr]
                                                         answers=answers, now=now, claim=claim_time(runtime),
                                                         quiet=runtime.reminders.quiet_hours)
                training = changed.training
            await session.delete(await session.get(TrainingDraft, context.person.id))  # type: ignore[union-attr]
    except NotAllowed as error:
        await reply(update, context, error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return await ask_step(update, context, "capacity")
    await leave(update, context, FLOW)
    if changed is None:
        await edit_or_reply(update, context, _("✅ Saved. Share this link in your groups so leaders can enroll:\n%(link)s") % {"link": training_link(context, training.id)},
                            reply_markup=keyboard([[(_("Open the session"), f"trc:open:{training.id}")]]))
        return END
    await edit_or_reply(update, context, _("✅ Changes saved. Everyone on the list has been told."),
                        reply_markup=keyboard([[(_("Open the session"), f"trc:open:{training.id}")]]))
    async with runtime.database.session() as session:
        topics = await topic_map(session)
    for person in changed.told:
        i18n = runtime.translator(person.language)
        heading = i18n.gettext("📣 <b>The session you are on the list of has changed.</b> Here it is now:")
        if changed.moved:
            heading = i18n.gettext("📣 <b>The session you are on the list of moved to a new date.</b> Your reminders moved with it. Here it is now:")
        await notify(context, person.telegram_id, heading + "\n\n" + session_text(i18n, training, topics))
    await tell_offers(context, changed.offers)
    return END


async def discard(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        draft = await session.get(TrainingDraft, context.person.id)  # type: ignore[union-attr]
        if draft is not None:
            await session.delete(draft)
    await edit_or_reply(update, context, context.gettext("Discarded: nothing was saved."))
    return await leave(update, context, FLOW)


async def cancel_flow(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Stopped. Your answers are kept: /newtraining starts again from the beginning."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command inside the flow ends it and reaches its own handler."""
    await leave(update, context, FLOW)
    context.voces.dispatch_again(update)
    return END


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
    if not found:
        await edit_or_reply(update, context, _("There are no sessions yet. Create one with /newtraining."))
        return
    rows = [[(f"{context.i18n.date(t.starts_at, 'short')} {'❌ ' if t.cancelled_at else ''}{t.title[:44]}", f"trc:open:{t.id}")] for t in found]
    await edit_or_reply(update, context, _("<b>Training sessions</b>\nChoose one to see its lists, open check-in or edit it."),
                        reply_markup=keyboard(paged_rows(context, rows, page=page, callback_prefix="trc:list:p")))


async def admin_card(update: Update, context: VocesContext, session_id: int) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        training = await trainings.get_session(session, session_id)
        if training is None:
            raise StaleButton(session_id)
        topics = await topic_map(session)
        counts = (await records.attendance_by_session(session)).get(session_id, {})
    i18n = context.i18n
    lines = [session_text(i18n, training, topics, taken=sum(counts.get(s, 0) for s in trainings.HOLDS_SEAT))]
    lines.append(" · ".join(f"{_(STATE_LABEL[state])}: {counts.get(state, 0)}" for state in EnrollmentState if counts.get(state)))
    lines.append(_("Link to share: %(link)s") % {"link": training_link(context, session_id)})
    rows: list[list[tuple[str, str]]] = []
    if training.cancelled_at is None:
        if training.checkin_open:
            lines.append(_("🟢 Check-in is open. Code: <b>%(code)s</b>") % {"code": training.checkin_code})
            rows.append([(_("Close check-in"), f"trc:close:{session_id}")])
        else:
            rows.append([(_("🟢 Open check-in"), f"trc:checkin:{session_id}")])
        rows.append([(_("👥 Lists"), f"trc:roster:{session_id}"), (_("📊 XLSX"), f"trc:xlsx:{session_id}")])
        rows.append([(_("✏️ Edit"), f"trc:edit:{session_id}"), (_("Cancel the session"), f"trc:cancel:{session_id}")])
    else:
        lines.append(_("❌ This session was cancelled."))
        rows.append([(_("👥 Lists"), f"trc:roster:{session_id}"), (_("📊 XLSX"), f"trc:xlsx:{session_id}")])
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
    await edit_or_reply(update, context, _("Cancel this session? Everyone on its list will be told and their reminders cancelled."),
                        reply_markup=keyboard([[(_("Yes, cancel it"), f"trc:cancelok:{session_id}"), (_("No"), f"trc:open:{session_id}")]]))


async def cancel_session(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            told = await trainings.cancel_session(session, user_id=context.person.id, session_id=session_id, now=runtime.clock.now())  # type: ignore[union-attr]
            training = await trainings.get_session(session, session_id)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("❌ Session cancelled. Everyone on its list has been told."))
    assert training is not None
    for person in told:
        i18n = runtime.translator(person.language)
        await notify(context, person.telegram_id, i18n.gettext("❌ The session <b>%(title)s</b> (%(when)s) was cancelled. Its reminders are cancelled too. See other sessions with /trainings.") % {
            "title": escape(training.title), "when": when_text(i18n, training.starts_at, training.ends_at)})


async def show_roster(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await render_roster(update, context, session_id_of(update.callback_query.data), page=page_number(update.callback_query.data))  # type: ignore[union-attr]


async def render_roster(update: Update, context: VocesContext, session_id: int, *, page: int = 1) -> None:
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            rows = await records.roster(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    lines = [_("<b>Lists of the session</b>")]
    buttons: list[list[tuple[str, str]]] = []
    for state in EnrollmentState:
        group = [row for row in rows if row.state is state]
        if not group:
            continue
        lines += ["", f"<b>{_(STATE_LABEL[state])}</b> ({len(group)})"]
        for number, row in enumerate(group, start=1):
            lines.append(f"{number}. {escape(row.name or '—')}" + (f" — {escape(row.organization)}" if row.organization else ""))
    for row in rows:
        if row.state in (EnrollmentState.ENROLLED, EnrollmentState.NO_SHOW):
            buttons.append([(_("✅ Present: %(name)s") % {"name": (row.name or "—")[:30]}, f"trc:mark:{session_id}:{row.user_id}:1")])
        elif row.state is EnrollmentState.ATTENDED:
            buttons.append([(_("↩️ Absent: %(name)s") % {"name": (row.name or "—")[:30]}, f"trc:mark:{session_id}:{row.user_id}:0")])
    if not rows:
        lines.append(_("Nobody has enrolled yet."))
    markup = paged_rows(context, buttons, page=page, callback_prefix=f"trc:roster:{session_id}:p")
    markup.append([(_("◀️ The session"), f"trc:open:{session_id}")])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(markup))


async def mark(update: Update, context: VocesContext) -> None:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, leader_id, present = session_id_of(data), session_id_of(data, 3), session_id_of(data, 4)
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
            rows = await records.roster(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
            training = await trainings.get_session(session, session_id)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    assert training is not None
    headers = [_("Name"), _("Organization"), _("Telegram id"), _("Enrolled"), _("Attended"), _("Rating")]

    def sheet(title: str, states: tuple[EnrollmentState, ...]) -> RosterSheet:
        return RosterSheet(title, headers, [
            [row.name or "", row.organization or "", mask_id_number(str(row.telegram_id)), i18n.datetime(row.enrolled_at, "short"),
             i18n.datetime(row.attended_at, "short") if row.attended_at else "", row.rating or ""]
            for row in rows if row.state in states
        ])

    workbook = roster_workbook([
        sheet(_("Enrolled"), (EnrollmentState.ENROLLED, EnrollmentState.OFFERED, EnrollmentState.ATTENDED, EnrollmentState.NO_SHOW)),
        sheet(_("Waitlist"), (EnrollmentState.WAITLISTED,)),
        sheet(_("Attended"), (EnrollmentState.ATTENDED,)),
    ])
    await context.bot.send_document(update.effective_chat.id, InputFile(workbook, filename=f"session-{session_id}.xlsx"),  # type: ignore[union-attr]
                                    caption=escape(training.title))


async def open_checkin(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            code = await records.open_checkin(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
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
            no_shows = await records.close_checkin(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
            came = await records.attendees(session, session_id)
            training = await trainings.get_session(session, session_id)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    await admin_card(update, context, session_id)
    i18n = context.i18n
    await reply(update, context, i18n.ngettext("Check-in closed: %(count)s person did not come and is recorded as a no-show.",
                                               "Check-in closed: %(count)s people did not come and are recorded as no-shows.", no_shows) % {"count": no_shows}
                + "\n" + i18n.ngettext("%(count)s attendee gets the feedback question.", "%(count)s attendees get the feedback question.", len(came)) % {"count": len(came)})
    assert training is not None
    for person in came:
        theirs = runtime.translator(person.language)
        await notify(context, person.telegram_id, theirs.gettext("Thank you for coming to <b>%(title)s</b>! How useful was it, from 1 to 5? Your certificate is in /mytrainings.") % {"title": escape(training.title)},
                     reply_markup=feedback_keyboard(theirs, session_id))


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
        vote = await records.current_vote(session)
        tally = await records.tally(session, vote.id) if vote else None
    if vote is None or tally is None:
        await reply(update, context, _("Open a topic vote: how many topics may each leader choose?"),
                    reply_markup=keyboard([[(str(n), f"trc:vote:{n}") for n in range(1, 6)]]))
        return
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
    await context.bot.send_photo(update.effective_chat.id, InputFile(chart, filename="topic-vote.png"))  # type: ignore[union-attr]


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


def register(application) -> None:  # noqa: ANN001
    text_steps = ["title", "description", "link", "venue", "district", "starts_at", "ends_at", "capacity", "enroll_until"]
    buttons = CallbackQueryHandler(button_answer, pattern=r"^trc:(topic|prereq|mode|district):[a-z0-9_]+$|^trc:skip$")
    everywhere = [
        buttons,
        CallbackQueryHandler(change_field, pattern=r"^trc:field:[a-z_]+$"),
        CallbackQueryHandler(save, pattern=r"^trc:save$"),
        CallbackQueryHandler(discard, pattern=r"^trc:discard$"),
    ]
    flow = ConversationHandler(
        entry_points=[command("newtraining", new_training), CallbackQueryHandler(edit_session, pattern=r"^trc:edit:\d+$")],
        states={
            **{step: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_answer_for(step)),
                      MessageHandler(NOT_TYPED, not_typed_for(step)), *everywhere] for step in text_steps},
            **{step: everywhere for step in ("topic", "mode", "prerequisite_topic", "summary")},
        },
        fallbacks=[command("cancel", cancel_flow), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([
        flow,
        command("mysessions", my_sessions),
        command("topicvote", topic_vote),
        command("addtopic", add_topic),
        CallbackQueryHandler(my_sessions, pattern=r"^trc:list:p\d+$"),
        CallbackQueryHandler(open_admin_card, pattern=r"^trc:open:\d+$"),
        CallbackQueryHandler(ask_cancel, pattern=r"^trc:cancel:\d+$"),
        CallbackQueryHandler(cancel_session, pattern=r"^trc:cancelok:\d+$"),
        CallbackQueryHandler(show_roster, pattern=r"^trc:roster:\d+(:p\d+)?$"),
        CallbackQueryHandler(mark, pattern=r"^trc:mark:\d+:\d+:[01]$"),
        CallbackQueryHandler(export_roster, pattern=r"^trc:xlsx:\d+$"),
        CallbackQueryHandler(open_checkin, pattern=r"^trc:checkin:\d+$"),
        CallbackQueryHandler(close_checkin, pattern=r"^trc:close:\d+$"),
        CallbackQueryHandler(open_vote, pattern=r"^trc:vote:[1-5]$"),
        CallbackQueryHandler(close_vote, pattern=r"^trc:voteclose:\d+$"),
    ])
