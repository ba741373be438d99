"""Coordinators (and staff) create a session with /newtraining, a guided conversation whose
answers are kept in the person's `TrainingDraft` (and the step with them), ending on a summary
card with a button per field; the same card edits an existing session (trc:edit:<session>).
Running sessions, lists, check-in and votes: handlers/training_runs.py.

Callback data, checked on arrival (the person must be a coordinator or staff now; the draft
and the session must exist):

    trc:topic:<code> / trc:prereq:<code|none> / trc:mode:<online|place> / trc:skip / trc:district:<ubigeo>
    trc:save / trc:discard / trc:field:<name>       the conversation's buttons
    trc:edit:<session>                                 an existing session into the draft
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.districts import district_by_ubigeo, find_districts
from bot.i18n import N_
from bot.models.trainings import TrainingDraft
from bot.services import authority, trainings
from bot.services.authority import NotAllowed
from bot.validation import InvalidInput, parse_count, parse_text
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
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.trainings import (
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
    """/newtraining, or the "➕ New session" button under /sessions."""
    await answer_button(update, context)
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
    try:
        async with context.runtime.database.session() as session:
            training = await trainings.session_to_edit(session, user_id=context.person.id, session_id=session_id)  # type: ignore[union-attr]
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    if training is None:
        raise StaleButton(session_id)
    async with context.runtime.database.session() as session:
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
        try:
            async with context.runtime.database.session() as session:
                await trainings.choose_district(session, user_id=context.person.id, district_ubigeo=value)  # type: ignore[union-attr]
        except InvalidInput as error:
            await reply(update, context, error_text(context, error))
            return await ask_step(update, context, "district")
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
            async with context.runtime.database.session() as session:  # one of the districts they follow
                await trainings.choose_district(session, user_id=context.person.id, district_ubigeo=found[0].ubigeo)  # type: ignore[union-attr]
            values = {"district_ubigeo": found[0].ubigeo}
        elif step == "starts_at":
            start = trainings.parse_when(text, zone=zone, now=now)
            values = {"starts_at": start.isoformat()}
            if answers.get("ends_at") and datetime.fromisoformat(answers["ends_at"]) <= start:
                values["ends_at"] = None  # asked again below
        elif step == "ends_at":
            values = {"ends_at": trainings.parse_end(text, start=datetime.fromisoformat(answers["starts_at"]), zone=zone).isoformat()}
        elif step == "capacity":
            capacity = parse_count(text, maximum=trainings.SEATS_MAX)
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
        (_("Prerequisite: %(value)s") % {"value": escape(topics[answers["prerequisite_topic"]].name(i18n.language))}
         if answers.get("prerequisite_topic") in topics else _("Prerequisite: none")),
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
                                                         answers=answers, now=now, claim=runtime.settings.training_claim,
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
    told = (_("✅ Changes saved. Everyone on the list has been told.") if changed.told
            else _("✅ Changes saved. Nobody is on the list yet, so nobody had to be told."))
    await edit_or_reply(update, context, told,
                        reply_markup=keyboard([[(_("Open the session"), f"trc:open:{training.id}")]]))
    async with runtime.database.session() as session:
        topics = await topic_map(session)
    for person in changed.told:
        i18n = runtime.translator(person.language)
        heading = i18n.gettext("📣 <b>The session you are on the list of has changed.</b> Here it is now:")
        if changed.moved:
            heading = i18n.gettext("📣 <b>The session you are on the list of moved to a new date.</b> Your reminders moved with it. Here it is now:")
        await notify(context, person.telegram_id, heading + "\n\n" + session_text(i18n, training, topics), urgent=True)  # it may be tomorrow
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
        entry_points=[command("newtraining", new_training), CallbackQueryHandler(new_training, pattern=r"^trc:new$"),
                      CallbackQueryHandler(edit_session, pattern=r"^trc:edit:\d+$")],
        states={
            **{step: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_answer_for(step)),
                      MessageHandler(NOT_TYPED, not_typed_for(step)), *everywhere] for step in text_steps},
            **{step: everywhere for step in ("topic", "mode", "prerequisite_topic", "summary")},
        },
        fallbacks=[command("cancel", cancel_flow), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handler(flow)
