"""Creating or editing a training session: the /newtraining step machine.

The answers live in the person's `TrainingDraft`, with the step being asked (`_step`) and, while
one field is changed from the summary card, that field (`_one`). Each function validates, saves
and says which step comes next as a `Step`; the channel only renders it. Every rule stays in
bot/trainings/sessions.py (a year ahead at most, ≤ 500 places, districts in the person's scope).

Choices (the code of a pressed button): `topic:<code>`, `prereq:<code|none>`,
`mode:<online|place>`, `skip`, `district:<ubigeo>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.districts import District, district_by_ubigeo, find_districts
from bot.core.i18n import N_
from bot.core.validation import InvalidInput, parse_count, parse_text
from bot.messaging import reminders
from bot.people.authority import NotAllowed
from bot.trainings import sessions as trainings
from bot.trainings.models import Topic, TrainingDraft

# The steps, in the order a new session asks them ("link" stands in for "venue" when online).
ORDER = ("topic", "title", "description", "mode", "venue", "district", "starts_at", "ends_at", "capacity",
         "enroll_until", "prerequisite_topic")
TEXT_STEPS = ("title", "description", "link", "venue", "district", "starts_at", "ends_at", "capacity", "enroll_until")
SUMMARY = "summary"
FIELDS = ("topic", "title", "description", "mode", "venue", "starts_at", "ends_at", "capacity", "enroll_until",
          "prerequisite_topic")  # what the summary card can change, one at a time
_INTERNAL = ("_one", "_step")


@dataclass(frozen=True)
class Step:
    """What to show next: the question `name` (or the summary card) over the answers so far."""

    name: str
    answers: dict[str, Any]
    editing: bool  # an existing session, not a new one
    topics: dict[str, Topic]
    districts: tuple[District, ...] = ()  # a typed district matched these: which one?
    problem: InvalidInput | None = None  # the last answer could not be used: say so, ask again


@dataclass(frozen=True)
class Saved:
    training: Any  # TrainingSession
    changed: trainings.Changed | None  # None: a new session
    topics: dict[str, Topic]


def next_step(answers: dict[str, Any], after: str) -> str:
    """The next question after `after`, or the summary; one field at a time when changing one
    (a new mode from the card asks its place or link, and its district, then the card)."""
    one = answers.get("_one")
    if one and one != "mode":
        return SUMMARY
    index = ORDER.index("venue" if after == "link" else after) + 1
    while index < len(ORDER):
        step = ORDER[index]
        if one == "mode" and step not in ("venue", "district"):
            return SUMMARY
        if step == "venue" and answers.get("online"):
            return "link"
        if step == "district" and answers.get("online"):
            index += 1
            continue
        return step
    return SUMMARY


async def _topics(session: AsyncSession) -> dict[str, Topic]:
    return {topic.code: topic for topic in await trainings.topics(session)}


def _store(draft: TrainingDraft, now: datetime, **values: Any) -> None:
    draft.answers = {**draft.answers, **values}  # a new dict, so that SQLAlchemy sees the change
    draft.updated_at = now


async def _ask(session: AsyncSession, draft: TrainingDraft, step: str, now: datetime, **extra: Any) -> Step:
    """Record `step` as the one being asked and describe it (the summary asks what is missing)."""
    if step == SUMMARY:
        _store(draft, now, _one=None)
        missing = [name for name in ORDER if name not in ("mode", "venue", "district") and name not in draft.answers]
        if missing:
            step = missing[0]
    _store(draft, now, _step=step)
    answers = {key: value for key, value in draft.answers.items() if key not in _INTERNAL}
    return Step(step, answers, draft.session_id is not None, await _topics(session), **extra)


async def start(session: AsyncSession, *, user_id: int, now: datetime) -> Step:
    """A fresh draft for a new session (replacing any unfinished one), asking its topic."""
    draft = await session.get(TrainingDraft, user_id)
    if draft is None:
        draft = TrainingDraft(user_id=user_id, session_id=None, answers={}, updated_at=now)
        session.add(draft)
    else:
        draft.session_id, draft.answers, draft.updated_at = None, {}, now
    return await _ask(session, draft, "topic", now)


async def edit(session: AsyncSession, *, user_id: int, session_id: int, now: datetime) -> Step | None:
    """An existing session into the draft, then its summary card (None: it is gone). Raises
    NotAllowed when the person may not change it."""
    training = await trainings.session_to_edit(session, user_id=user_id, session_id=session_id)
    if training is None:
        return None
    answers = {name: getattr(training, name) for name in trainings.SESSION_FIELDS}
    for name in ("starts_at", "ends_at", "enroll_until"):
        answers[name] = answers[name].isoformat() if answers[name] else None
    draft = await session.get(TrainingDraft, user_id)
    if draft is None:
        draft = TrainingDraft(user_id=user_id, session_id=session_id, answers=answers, updated_at=now)
        session.add(draft)
    else:
        draft.session_id, draft.answers, draft.updated_at = session_id, answers, now
    return await _ask(session, draft, SUMMARY, now)


async def press(session: AsyncSession, *, user_id: int, choice: str, now: datetime) -> Step | None:
    """The button pressed (see the module's docstring); None: no draft, or not a choice now."""
    draft = await session.get(TrainingDraft, user_id)
    if draft is None:
        return None
    kind, _colon, value = choice.partition(":")
    known = await _topics(session)
    if kind == "topic" and value in known:
        step, values = "topic", {"topic": value}
    elif kind == "prereq" and (value == "none" or value in known):
        step, values = "prerequisite_topic", {"prerequisite_topic": None if value == "none" else value}
    elif kind == "mode" and value in ("online", "place"):
        step, values = "mode", {"online": value == "online"}
        if value == "online":
            values["district_ubigeo"] = None
    elif kind == "skip":
        answers = draft.answers
        step = "description" if "description" not in answers or answers.get("_one") == "description" else "enroll_until"
        values = {step: None}
    elif kind == "district" and value and district_by_ubigeo(value):
        try:
            await trainings.choose_district(session, user_id=user_id, district_ubigeo=value)
        except InvalidInput as error:
            return await _ask(session, draft, "district", now, problem=error)
        step, values = "district", {"district_ubigeo": value}
    else:
        return None
    _store(draft, now, **values)
    return await _ask(session, draft, next_step(draft.answers, step), now)


async def answer(session: AsyncSession, *, user_id: int, value: str, now: datetime, zone: ZoneInfo,
                 at: str | None = None) -> Step | None:
    """What the person typed, for the step the draft is at (`at`: the step the channel thinks it
    is, for drafts written before the step was kept with them). None: no draft to answer.
    An answer that cannot be used saves nothing and asks the same step again, with the problem."""
    draft = await session.get(TrainingDraft, user_id)
    if draft is None:
        return None
    step = draft.answers.get("_step") or at
    if step not in TEXT_STEPS:
        step = at if at in TEXT_STEPS else None
    if step is None:
        return None
    try:
        values = await _typed(session, draft, step, value, user_id=user_id, now=now, zone=zone)
    except InvalidInput as error:
        return await _ask(session, draft, step, now, problem=error)
    if isinstance(values, tuple):  # several districts match: which one?
        return await _ask(session, draft, "district", now, districts=values)
    _store(draft, now, **values)
    if step == "starts_at" and draft.answers.get("ends_at") is None:
        return await _ask(session, draft, "ends_at", now)
    return await _ask(session, draft, next_step(draft.answers, step), now)


async def _typed(session: AsyncSession, draft: TrainingDraft, step: str, text: str, *, user_id: int,
                 now: datetime, zone: ZoneInfo) -> dict[str, Any] | tuple[District, ...]:
    answers = draft.answers
    if step == "title":
        return {"title": parse_text(text, field_max=160, min_length=3)}
    if step == "description":
        return {"description": parse_text(text, field_max=500, multiline=True)}
    if step == "link":
        return {"venue": trainings.parse_link(text)}
    if step == "venue":
        return {"venue": parse_text(text, field_max=300, min_length=3)}
    if step == "district":
        found = find_districts(text)
        if not found:
            raise InvalidInput(N_("I could not find that district in Lima or Callao. Try another spelling."))
        if len(found) > 1:
            return tuple(found)
        await trainings.choose_district(session, user_id=user_id, district_ubigeo=found[0].ubigeo)  # one they follow
        return {"district_ubigeo": found[0].ubigeo}
    if step == "starts_at":
        start_at = trainings.parse_when(text, zone=zone, now=now)
        values: dict[str, Any] = {"starts_at": start_at.isoformat()}
        if answers.get("ends_at") and datetime.fromisoformat(answers["ends_at"]) <= start_at:
            values["ends_at"] = None  # asked again next
        return values
    if step == "ends_at":
        return {"ends_at": trainings.parse_end(text, start=datetime.fromisoformat(answers["starts_at"]), zone=zone).isoformat()}
    if step == "capacity":
        capacity = parse_count(text, maximum=trainings.SEATS_MAX)
        if capacity < 1:
            raise InvalidInput(N_("A session needs at least one place."))
        return {"capacity": capacity}
    until = trainings.parse_when(text, zone=zone, now=now)  # enroll_until
    if answers.get("starts_at") and until > datetime.fromisoformat(answers["starts_at"]):
        raise InvalidInput(N_("Enrollment must close before the session starts."))
    return {"enroll_until": until.isoformat()}


async def change_field(session: AsyncSession, *, user_id: int, name: str, now: datetime) -> Step | None:
    """From the summary card, one field asked again; answering it returns to the card (a new
    mode asks its place or link, and its district, first). None: no draft, or not a field."""
    draft = await session.get(TrainingDraft, user_id)
    if draft is None or name not in FIELDS:
        return None
    step = "link" if name == "venue" and draft.answers.get("online") else name
    _store(draft, now, _one=name)
    return await _ask(session, draft, step, now)


async def save(session: AsyncSession, *, user_id: int, now: datetime, claim: timedelta,
               quiet: reminders.QuietHours | None = None) -> Saved | Step | None:
    """The draft becomes a session (or its edit), and goes. None: no draft. Raises NotAllowed
    (nothing changes); another problem asks the number of places again, as a Step."""
    draft = await session.get(TrainingDraft, user_id)
    if draft is None:
        return None
    answers = {key: value for key, value in draft.answers.items() if key not in _INTERNAL}
    try:  # every rule is checked before anything is written
        if draft.session_id is None:
            training = await trainings.create_session(session, user_id=user_id, answers=answers, now=now)
            changed = None
        else:
            changed = await trainings.update_session(session, user_id=user_id, session_id=draft.session_id,
                                                     answers=answers, now=now, claim=claim, quiet=quiet)
            training = changed.training
    except NotAllowed:
        raise
    except InvalidInput as error:
        return await _ask(session, draft, "capacity", now, problem=error)
    await session.delete(draft)
    return Saved(training, changed, await _topics(session))


async def discard(session: AsyncSession, *, user_id: int) -> None:
    draft = await session.get(TrainingDraft, user_id)
    if draft is not None:
        await session.delete(draft)
