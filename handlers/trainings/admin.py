"""Coordinators (and staff) create a session with /newtraining, a guided conversation whose
answers are kept in the person's `TrainingDraft` (and the step with them), ending on a summary
card with a button per field; the same card edits an existing session (trc:edit:<session>).
The steps, their checks and the draft are the domain's (bot/trainings/drafts.py): each
handler here parses, calls one of its functions and renders the `Step` it returns.
Running sessions, lists, check-in and votes: handlers/trainings/runs.py.

Callback data, checked on arrival (the person must be a coordinator or staff now; the draft
and the session must exist):

    trc:topic:<code> / trc:prereq:<code|none> / trc:mode:<online|place> / trc:skip / trc:district:<ubigeo>
    trc:save / trc:discard / trc:field:<name>       the conversation's buttons
    trc:edit:<session>                                 an existing session into the draft
"""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.validation import InvalidInput
from bot.people import authority
from bot.people.authority import NotAllowed
from bot.trainings import drafts as training_drafts
from bot.trainings.screens import session_text, when_text
from handlers.common import (
    END,
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
from handlers.trainings.browse import session_id_of, tell_offers, training_link

FLOW = "training_session"

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


# --- rendering the domain's steps ---------------------------------------------------------------


async def render(update: Update, context: VocesContext, step: training_drafts.Step) -> str:
    """Ask the step's question (after its problem, if the last answer could not be used)."""
    _ = context.gettext
    if step.problem is not None:
        await reply(update, context, error_text(context, step.problem))
    if step.name == training_drafts.SUMMARY:
        return await show_summary(update, context, step)
    if step.districts:
        rows = [[(d.name, f"trc:district:{d.ubigeo}")] for d in step.districts]
        return await ask(update, context, flow=FLOW, step="district", text=_("Which one?"), reply_markup=keyboard(rows))
    markup = None
    if step.name in ("topic", "prerequisite_topic"):
        prefix = "trc:topic" if step.name == "topic" else "trc:prereq"
        rows = [[(topic.name(context.i18n.language), f"{prefix}:{topic.code}")] for topic in step.topics.values()]
        if step.name == "prerequisite_topic":
            rows.insert(0, [(_("No, anyone can come"), "trc:prereq:none")])
        markup = keyboard(rows)
    elif step.name == "mode":
        markup = keyboard([[(_("💻 Online"), "trc:mode:online"), (_("📍 In person"), "trc:mode:place")]])
    elif step.name in ("description", "enroll_until"):
        markup = keyboard([[(_("Skip"), "trc:skip")]])
    return await ask(update, context, flow=FLOW, step=step.name, text=_(QUESTIONS[step.name]), reply_markup=markup)


async def new_training(update: Update, context: VocesContext) -> str | int:
    """/newtraining, or the "➕ New session" button under /sessions."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return END
    async with context.runtime.database.session() as session:
        step = await training_drafts.start(session, user_id=context.person.id, now=context.runtime.clock.now())  # type: ignore[union-attr]
    return await render(update, context, step)


async def edit_session(update: Update, context: VocesContext) -> str | int:
    """An existing session into the draft, then the summary with a button per field."""
    await answer_button(update, context)
    if not await coordinator_only(update, context):
        return END
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            step = await training_drafts.edit(session, user_id=context.person.id, session_id=session_id,  # type: ignore[union-attr]
                                              now=context.runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    if step is None:
        raise StaleButton(session_id)
    return await render(update, context, step)


async def button_answer(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    data = update.callback_query.data or ""  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        step = await training_drafts.press(session, user_id=context.person.id, choice=data.removeprefix("trc:"),  # type: ignore[union-attr]
                                           now=context.runtime.clock.now())
    if step is None:
        raise StaleButton(data)
    return await render(update, context, step)


def typed_answer_for(step: str):  # noqa: ANN201
    async def typed(update: Update, context: VocesContext) -> str | int:
        return await typed_answer(update, context, step)

    return typed


def not_typed_for(step: str):  # noqa: ANN201
    async def not_typed(update: Update, context: VocesContext) -> str:
        await reply(update, context, context.gettext(TYPE_IT) + "\n\n" + context.gettext(QUESTIONS[step]))
        return step

    return not_typed


async def typed_answer(update: Update, context: VocesContext, state: str) -> str | int:
    runtime = context.runtime
    async with runtime.database.session() as session:
        step = await training_drafts.answer(session, user_id=context.person.id, value=update.message.text or "",  # type: ignore[union-attr]
                                            now=runtime.clock.now(), zone=runtime.settings.zone, at=state)
    if step is None:
        return await leave(update, context, FLOW)
    return await render(update, context, step)


FIELD_LABELS = {
    "topic": N_("Topic"), "title": N_("Title"), "description": N_("Description"), "mode": N_("Online or in person"),
    "venue": N_("Place or link"), "starts_at": N_("Start"), "ends_at": N_("End"), "capacity": N_("Places"),
    "enroll_until": N_("Enrollment deadline"), "prerequisite_topic": N_("Prerequisite"),
}


async def show_summary(update: Update, context: VocesContext, step: training_drafts.Step) -> str:
    _ = context.gettext
    i18n = context.i18n
    answers, topics = step.answers, step.topics
    when = when_text(i18n, datetime.fromisoformat(answers["starts_at"]), datetime.fromisoformat(answers["ends_at"]))
    district = district_by_ubigeo(answers.get("district_ubigeo") or "")
    lines = [
        _("<b>Editing the session</b>") if step.editing else _("<b>Check the session before saving</b>"),
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
    fields = [(_(FIELD_LABELS[name]), f"trc:field:{name}") for name in training_drafts.FIELDS]
    rows = [[(_("✅ Save"), "trc:save"), (_("Discard"), "trc:discard")]]
    rows += [fields[i:i + 2] for i in range(0, len(fields), 2)]
    return await ask(update, context, flow=FLOW, step="summary", text="\n".join(lines), reply_markup=keyboard(rows))


async def change_field(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    name = (update.callback_query.data or "").rsplit(":", 1)[1]  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        step = await training_drafts.change_field(session, user_id=context.person.id, name=name,  # type: ignore[union-attr]
                                                  now=context.runtime.clock.now())
    if step is None:
        raise StaleButton(name)
    return await render(update, context, step)


async def save(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            saved = await training_drafts.save(session, user_id=context.person.id, now=runtime.clock.now(),  # type: ignore[union-attr]
                                               claim=runtime.settings.training_claim, quiet=runtime.reminders.quiet_hours)
    except NotAllowed as error:
        await reply(update, context, error_text(context, error))
        return await leave(update, context, FLOW)
    if saved is None:
        raise StaleButton("no draft")
    if isinstance(saved, training_drafts.Step):
        return await render(update, context, saved)
    await leave(update, context, FLOW)
    training, changed = saved.training, saved.changed
    if changed is None:
        await edit_or_reply(update, context, _("✅ Saved. Share this link in your groups so leaders can enroll:\n%(link)s") % {"link": training_link(context, training.id)},
                            reply_markup=keyboard([[(_("Open the session"), f"trc:open:{training.id}")]]))
        return END
    told = (_("✅ Changes saved. Everyone on the list has been told.") if changed.told
            else _("✅ Changes saved. Nobody is on the list yet, so nobody had to be told."))
    await edit_or_reply(update, context, told,
                        reply_markup=keyboard([[(_("Open the session"), f"trc:open:{training.id}")]]))
    for person in changed.told:
        i18n = runtime.translator(person.language)
        heading = i18n.gettext("📣 <b>The session you are on the list of has changed.</b> Here it is now:")
        if changed.moved:
            heading = i18n.gettext("📣 <b>The session you are on the list of moved to a new date.</b> Your reminders moved with it. Here it is now:")
        await notify(context, person.telegram_id, heading + "\n\n" + session_text(i18n, training, saved.topics), urgent=True)  # it may be tomorrow
    await tell_offers(context, changed.offers)
    return END


async def discard(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await training_drafts.discard(session, user_id=context.person.id)  # type: ignore[union-attr]
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
