"""What /newtraining shows a coordinator, as screens (bot/core/screens.py): each step's question
with its choices, the summary card with a choice per field, and what saving or discarding the
draft says (and tells the people on an edited session's list). The steps themselves and their
checks: bot/trainings/drafts.py.

Choice ids are the callback data Telegram's buttons have always carried: `trc:topic:<code>`,
`trc:prereq:<code|none>`, `trc:mode:<online|place>`, `trc:skip`, `trc:district:<ubigeo>`,
`trc:save`, `trc:discard`, `trc:field:<name>`, `trc:open:<session>`.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, one_per_row, screen
from bot.trainings import drafts
from bot.trainings.models import Topic, TrainingSession
from bot.trainings.screens import session_text, when_text

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

FIELD_LABELS = {
    "topic": N_("Topic"), "title": N_("Title"), "description": N_("Description"), "mode": N_("Online or in person"),
    "venue": N_("Place or link"), "starts_at": N_("Start"), "ends_at": N_("End"), "capacity": N_("Places"),
    "enroll_until": N_("Enrollment deadline"), "prerequisite_topic": N_("Prerequisite"),
}


def step_name(step: drafts.Step) -> str:
    """The step a channel remembers the conversation at: "district" while a typed district is
    being chosen among those it matched."""
    return "district" if step.districts and step.name != drafts.SUMMARY else step.name


def question(i18n: Translator, step: drafts.Step) -> Screen:
    """The step's question, or the summary card (the step's problem, if any, is said before it)."""
    _ = i18n.gettext
    if step.name == drafts.SUMMARY:
        return summary(i18n, step)
    if step.districts:
        return screen(_("Which one?"), one_per_row([Choice(f"trc:district:{d.ubigeo}", d.name) for d in step.districts]))
    choices: list[list[Choice]] = []
    if step.name in ("topic", "prerequisite_topic"):
        prefix = "trc:topic" if step.name == "topic" else "trc:prereq"
        choices = one_per_row([Choice(f"{prefix}:{topic.code}", topic.name(i18n.language)) for topic in step.topics.values()])
        if step.name == "prerequisite_topic":
            choices.insert(0, [Choice("trc:prereq:none", _("No, anyone can come"))])
    elif step.name == "mode":
        choices = [[Choice("trc:mode:online", _("💻 Online")), Choice("trc:mode:place", _("📍 In person"))]]
    elif step.name in ("description", "enroll_until"):
        choices = [[Choice("trc:skip", _("Skip"))]]
    return screen(_(QUESTIONS[step.name]), choices)


def _topic(i18n: Translator, topics: dict[str, Topic], code: str | None) -> str | None:
    return escape(topics[code].name(i18n.language)) if code in topics else None


def summary(i18n: Translator, step: drafts.Step) -> Screen:
    """The session as it will be saved, with Save, Discard and a choice to change each field."""
    _ = i18n.gettext
    answers, topics = step.answers, step.topics
    when = when_text(i18n, datetime.fromisoformat(answers["starts_at"]), datetime.fromisoformat(answers["ends_at"]))
    district = district_by_ubigeo(answers.get("district_ubigeo") or "")
    prerequisite = _topic(i18n, topics, answers.get("prerequisite_topic"))
    lines = [
        _("<b>Editing the session</b>") if step.editing else _("<b>Check the session before saving</b>"),
        _("Topic: %(value)s") % {"value": topic if (topic := _topic(i18n, topics, answers["topic"])) is not None else "?"},
        _("Title: %(value)s") % {"value": escape(answers["title"])},
        _("Description: %(value)s") % {"value": escape(answers.get("description") or "—")},
        (_("💻 Online: %(link)s") % {"link": escape(answers["venue"])}) if answers.get("online")
        else "📍 " + escape(answers["venue"]) + (f" ({escape(district.name)})" if district else ""),
        f"🗓 {when}",
        _("Places: %(count)s") % {"count": i18n.number(answers["capacity"])},
        _("Enrollment until: %(value)s") % {"value": i18n.datetime(datetime.fromisoformat(answers["enroll_until"]), "short") if answers.get("enroll_until") else _("the start")},
        _("Prerequisite: %(value)s") % {"value": prerequisite} if prerequisite is not None else _("Prerequisite: none"),
    ]
    fields = [Choice(f"trc:field:{name}", _(FIELD_LABELS[name])) for name in drafts.FIELDS]
    rows = [[Choice("trc:save", _("✅ Save")), Choice("trc:discard", _("Discard"))]]
    rows += [fields[i:i + 2] for i in range(0, len(fields), 2)]
    return screen("\n".join(lines), rows)


def type_it(i18n: Translator, step: str, type_it_message: str) -> Screen:
    """Something other than text where a typed answer is asked (`type_it_message`: the msgid)."""
    return screen(i18n.gettext(type_it_message) + "\n\n" + i18n.gettext(QUESTIONS[step]))


def open_session(i18n: Translator, training: TrainingSession) -> list[list[Choice]]:
    return [[Choice(f"trc:open:{training.id}", i18n.gettext("Open the session"))]]


def created(i18n: Translator, training: TrainingSession, *, share_link: str) -> Screen:
    """A new session saved, with the link that opens it on the channel, to share in groups."""
    return screen(i18n.gettext("✅ Saved. Share this link in your groups so leaders can enroll:\n%(link)s") % {"link": share_link},
                  open_session(i18n, training))


def changes_saved(i18n: Translator, training: TrainingSession, *, told: bool) -> Screen:
    _ = i18n.gettext
    text = (_("✅ Changes saved. Everyone on the list has been told.") if told
            else _("✅ Changes saved. Nobody is on the list yet, so nobody had to be told."))
    return screen(text, open_session(i18n, training))


def session_changed(i18n: Translator, training: TrainingSession, topics: dict[str, Topic], *, moved: bool) -> Screen:
    """Told to everyone on an edited session's list: the session as it is now."""
    heading = i18n.gettext("📣 <b>The session you are on the list of has changed.</b> Here it is now:")
    if moved:
        heading = i18n.gettext("📣 <b>The session you are on the list of moved to a new date.</b> Your reminders moved with it. Here it is now:")
    return screen(heading + "\n\n" + session_text(i18n, training, topics))


def discarded(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Discarded: nothing was saved."))


def stopped(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Stopped. Your answers are kept: /newtraining starts again from the beginning."))
