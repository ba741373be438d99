"""A leader asks the programme: a question (with a photo or a document if they wish) about
something they have, answered by the team in a thread, until someone closes it.

The flow's state is the question row: written as a DRAFT when the leader types it, so nothing
typed is lost; SENT (OPEN) when they say what it is about. The team sees the questions of the
districts they follow (`Viewer`), oldest first; one person takes a question so two people do
not answer it; the leader and the team write in turns until one of them closes it. Who must be
told of each change is returned with it (`Told`) and written to the outbox in the same
transaction (bot/questions/telling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.models import CoordinatorDistrict
from bot.core import uploads
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import InvalidInput, parse_text
from bot.organizations.models import Leadership, Organization
from bot.people import authority
from bot.people.authority import NotAllowed, Viewer
from bot.people.models import Role, User
from bot.projects.models import Project
from bot.questions import telling
from bot.questions.models import Question, QuestionMessage, QuestionState, QuestionTopic
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession

TEXT_MAX = 2000
# What the leader is told to expect; the reminder to the team follows the same promise.
ANSWER_WITHIN_WORKING_DAYS = 2
REMIND_TEAM_AFTER = timedelta(days=1)  # a working day without a first answer

NOT_THE_ASKER = N_("Only the person who asked can do that.")
ALREADY_CLOSED = N_("This question is already closed.")
TAKEN_BY_SOMEONE_ELSE = N_("%(name)s is already answering this question.")
NO_DRAFT = N_("There is no question being written. Send /ask to ask one.")
ONLY_TEAM = N_("Only programme coordinators and staff answer questions.")
UNKNOWN_TOPIC = N_("That choice is no longer available. Please choose again.")


@dataclass(frozen=True)
class About:
    """Something a question can be about: a stable code (`org`, `ruos`, `prj:<id>`, `tr:<id>`,
    `other`) and the words that name it (a project's or a session's own title, or none)."""

    code: str
    topic: QuestionTopic
    ref: int | None = None
    words: str | None = None


@dataclass(frozen=True)
class Told:
    """Someone to tell: the person and what happened (the channel writes it in their language)."""

    user_id: int
    event: str  # "new", "answered", "replied", "closed", "reminder"
    question_id: int


@dataclass
class Done:
    question: Question
    told: list[Told] = field(default_factory=list)
    message_id: int | None = None  # the message written, when one was


# --- the leader: writing and sending -------------------------------------------------------------


async def draft_of(session: AsyncSession, *, user_id: int) -> Question | None:
    return await session.scalar(select(Question).where(Question.asker_id == user_id, Question.state == QuestionState.DRAFT)
                                .order_by(Question.id.desc()).limit(1))


async def write(session: AsyncSession, *, user: User, text: str, now: datetime,
                file: tuple[str, str, str] | None = None) -> Question:
    """Keep what the leader typed (and the file, as (store path, name, mime)) as their draft."""
    words = parse_text(text, field_max=TEXT_MAX, multiline=True) if (text.strip() or file is None) else ""
    question = await draft_of(session, user_id=user.id)
    if question is None:
        question = Question(asker_id=user.id, topic=QuestionTopic.OTHER, state=QuestionState.DRAFT, asked_at=now)
        session.add(question)
        await session.flush()
        first = QuestionMessage(question_id=question.id, author_id=user.id, text=words, sent_at=now)
        session.add(first)
    else:  # more of the same question, in a second message
        first = await _first_message(session, question.id)
        combined = f"{first.text}\n{words}".strip() if first.text else words
        if len(combined) > TEXT_MAX:
            raise InvalidInput(N_("Please keep the question under %(max)d characters."), max=TEXT_MAX)
        first.text, first.sent_at = combined, now
    if file is not None:
        first.file_path, first.file_name, first.file_mime = file
    await session.flush()
    return question


async def _first_message(session: AsyncSession, question_id: int) -> QuestionMessage:
    return (await session.scalars(select(QuestionMessage).where(QuestionMessage.question_id == question_id)
                                  .order_by(QuestionMessage.id).limit(1))).one()


async def choices_for(session: AsyncSession, *, user: User, now: datetime) -> list[About]:
    """What the leader may say the question is about, from what they have."""
    found: list[About] = []
    organization = await _acting_organization(session, user.id)
    if organization is not None:
        found.append(About("org", QuestionTopic.ORGANIZATION, organization.id, organization.name))
        found.append(About("ruos", QuestionTopic.RUOS, organization.id, organization.name))
        projects = await session.scalars(select(Project).where(Project.organization_id == organization.id)
                                         .order_by(Project.id.desc()).limit(3))
        found += [About(f"prj:{p.id}", QuestionTopic.PROJECT, p.id, p.title) for p in projects]
    sessions = await session.scalars(
        select(TrainingSession).join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(Enrollment.user_id == user.id,
               Enrollment.state.in_((EnrollmentState.ENROLLED, EnrollmentState.ATTENDED, EnrollmentState.WAITLISTED)),
               TrainingSession.starts_at >= now - timedelta(days=60))
        .order_by(TrainingSession.starts_at.desc()).limit(3))
    found += [About(f"tr:{s.id}", QuestionTopic.TRAINING, s.id, s.title) for s in sessions]
    found.append(About("other", QuestionTopic.OTHER))
    return found


async def _acting_organization(session: AsyncSession, user_id: int) -> Organization | None:
    return await session.scalar(
        select(Organization).join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == user_id).order_by(Leadership.acting.desc(), Leadership.joined_at).limit(1))


async def send(session: AsyncSession, *, user: User, about: str, now: datetime) -> Done:
    """The draft goes to the team, about the chosen thing (checked again now)."""
    question = await draft_of(session, user_id=user.id)
    if question is None:
        raise AlreadyDone(NO_DRAFT)
    first = await _first_message(session, question.id)
    if not first.text and first.file_path is None:
        raise InvalidInput(N_("The question is empty. Please write it first."))
    chosen = next((c for c in await choices_for(session, user=user, now=now) if c.code == about), None)
    if chosen is None:
        raise InvalidInput(UNKNOWN_TOPIC)
    organization = await _acting_organization(session, user.id)
    await transition(session, Question, where={"id": question.id, "state": QuestionState.DRAFT},
                     values={"state": QuestionState.OPEN, "asked_at": now, "topic": chosen.topic, "topic_ref": chosen.ref,
                             "topic_words": chosen.words, "organization_id": organization.id if organization else None,
                             "district_ubigeo": organization.district_ubigeo if organization else None})
    await session.refresh(question)
    team = await team_for(session, district=question.district_ubigeo)
    done = Done(question, [Told(member, "new", question.id) for member in team])
    await telling.tell(session, done.told, now=now)
    return done


async def team_for(session: AsyncSession, *, district: str | None) -> list[int]:
    """Who is told of a new question: the coordinators who follow its district, else staff."""
    coordinators = list(await session.scalars(
        select(User.id).join(CoordinatorDistrict, CoordinatorDistrict.user_id == User.id)
        .where(User.role == Role.COORDINATOR, CoordinatorDistrict.district_ubigeo == district))) if district else []
    if coordinators:
        return sorted(set(coordinators))
    return list(await session.scalars(select(User.id).where(User.role == Role.STAFF).order_by(User.id)))


# --- reading ---------------------------------------------------------------------------------------


async def asked_by(session: AsyncSession, *, user_id: int) -> list[Question]:
    return list(await session.scalars(select(Question).where(Question.asker_id == user_id, Question.state != QuestionState.DRAFT)
                                      .order_by(Question.asked_at.desc()).limit(10)))


async def inbox(session: AsyncSession, *, viewer: Viewer) -> list[Question]:
    """The questions waiting for the team in the viewer's districts, oldest first; those with no
    organization (no district) are for staff."""
    scope = viewer.in_scope(Question.district_ubigeo)
    return list(await session.scalars(
        select(Question).where(Question.state.in_((QuestionState.OPEN, QuestionState.TAKEN)), scope)
        .order_by(Question.asked_at)))


def may_see(viewer: Viewer, question: Question) -> bool:
    return viewer.sees(question.district_ubigeo) or question.taken_by_id == viewer.user_id


async def thread(session: AsyncSession, *, question_id: int) -> list[QuestionMessage]:
    return list(await session.scalars(select(QuestionMessage).where(QuestionMessage.question_id == question_id)
                                      .order_by(QuestionMessage.sent_at, QuestionMessage.id)))


async def for_team(session: AsyncSession, *, viewer: Viewer, question_id: int) -> Question:
    question = await session.get(Question, question_id)
    if question is None or question.state is QuestionState.DRAFT or not may_see(viewer, question):
        raise LookupError(question_id)
    return question


async def for_asker(session: AsyncSession, *, user_id: int, question_id: int) -> Question:
    question = await session.get(Question, question_id)
    if question is None or question.state is QuestionState.DRAFT:
        raise LookupError(question_id)
    if question.asker_id != user_id:
        raise NotAllowed(NOT_THE_ASKER)
    return question


# --- the team: taking, answering, closing ----------------------------------------------------------


async def take(session: AsyncSession, *, viewer: Viewer, question_id: int, now: datetime) -> Question:
    """One person answers a question: taking one someone else holds is refused with their name."""
    question = await for_team(session, viewer=viewer, question_id=question_id)
    if question.state is QuestionState.CLOSED:
        raise AlreadyDone(ALREADY_CLOSED)
    if question.taken_by_id == viewer.user_id:
        return question
    if question.taken_by_id is not None and question.state is not QuestionState.OPEN:
        holder = await session.get(User, question.taken_by_id)
        raise AlreadyDone(TAKEN_BY_SOMEONE_ELSE, name=holder.display_name if holder and holder.display_name else "—")
    await transition(session, Question, where={"id": question.id, "taken_by_id": question.taken_by_id},
                     values={"taken_by_id": viewer.user_id, "state": QuestionState.TAKEN},
                     also=[Question.state.in_((QuestionState.OPEN, QuestionState.ANSWERED, QuestionState.TAKEN))])
    await session.refresh(question)
    return question


async def answer(session: AsyncSession, *, viewer: Viewer, question_id: int, text: str, now: datetime,
                 file: tuple[str, str, str] | None = None) -> Done:
    """The team writes in the thread (an answer, or a question back): the leader is told."""
    words = parse_text(text, field_max=TEXT_MAX, multiline=True) if (text.strip() or file is None) else ""
    question = await take(session, viewer=viewer, question_id=question_id, now=now)
    message = QuestionMessage(question_id=question.id, author_id=viewer.user_id, from_team=True, text=words, sent_at=now)
    if file is not None:
        message.file_path, message.file_name, message.file_mime = file
    session.add(message)
    await session.flush()
    await transition(session, Question, where={"id": question.id, "state": QuestionState.TAKEN, "taken_by_id": viewer.user_id},
                     values={"state": QuestionState.ANSWERED,
                             "first_answer_at": question.first_answer_at or now})
    await session.refresh(question)
    done = Done(question, [Told(question.asker_id, "answered", question.id)], message.id)
    await telling.tell(session, done.told, now=now, words=words, file=message.file_name or "")
    return done


async def reply(session: AsyncSession, *, user: User, question_id: int, text: str, now: datetime,
                file: tuple[str, str, str] | None = None) -> Done:
    """The leader writes again in their thread: it waits for the team again, with whoever took it."""
    words = parse_text(text, field_max=TEXT_MAX, multiline=True) if (text.strip() or file is None) else ""
    question = await for_asker(session, user_id=user.id, question_id=question_id)
    if question.state is QuestionState.CLOSED:
        raise AlreadyDone(ALREADY_CLOSED)
    message = QuestionMessage(question_id=question.id, author_id=user.id, text=words, sent_at=now)
    if file is not None:
        message.file_path, message.file_name, message.file_mime = file
    session.add(message)
    state = QuestionState.TAKEN if question.taken_by_id is not None else QuestionState.OPEN
    await transition(session, Question, where={"id": question.id}, values={"state": state},
                     also=[Question.state != QuestionState.CLOSED])
    await session.refresh(question)
    told = [question.taken_by_id] if question.taken_by_id else await team_for(session, district=question.district_ubigeo)
    done = Done(question, [Told(member, "replied", question.id) for member in told])
    await telling.tell(session, done.told, now=now)
    return done


async def close(session: AsyncSession, *, user: User, question_id: int, now: datetime, viewer: Viewer | None = None) -> Done:
    """The leader, or the team, closes a question; the other side is told."""
    if viewer is not None:
        question = await for_team(session, viewer=viewer, question_id=question_id)
    else:
        question = await for_asker(session, user_id=user.id, question_id=question_id)
    await transition(session, Question, where={"id": question.id}, values={"state": QuestionState.CLOSED, "closed_at": now},
                     also=[Question.state != QuestionState.CLOSED], already=AlreadyDone(ALREADY_CLOSED))
    await session.refresh(question)
    if viewer is not None:
        told = [Told(question.asker_id, "closed", question.id)]
    else:
        told = [Told(question.taken_by_id, "closed_by_asker", question.id)] if question.taken_by_id else []
    await telling.tell(session, told, now=now)
    return Done(question, told)


# --- reminders to the team, and the figures --------------------------------------------------------


def working_days_after(moment: datetime, days: float) -> datetime:
    """`moment` plus working days (Saturday and Sunday do not count)."""
    due = moment
    left = timedelta(days=days)
    while left > timedelta(0):
        step = min(left, timedelta(days=1))
        due += step
        while due.weekday() >= 5:
            due += timedelta(days=1)
        left -= step
    return due


async def remind_team(session: AsyncSession, *, now: datetime) -> list[Told]:
    """Questions still without a first answer a working day after they were asked: the team is
    reminded once (whoever took it, or the coordinators of the district, or staff)."""
    waiting = list(await session.scalars(select(Question).where(
        Question.state.in_((QuestionState.OPEN, QuestionState.TAKEN)), Question.first_answer_at.is_(None),
        Question.team_reminded_at.is_(None))))
    told: list[Told] = []
    for question in waiting:
        if working_days_after(question.asked_at, REMIND_TEAM_AFTER.days) > now:
            continue
        try:
            await transition(session, Question, where={"id": question.id, "team_reminded_at": None}, values={"team_reminded_at": now})
        except AlreadyDone:
            continue
        members = [question.taken_by_id] if question.taken_by_id else await team_for(session, district=question.district_ubigeo)
        told += [Told(member, "reminder", question.id) for member in members]
    await telling.tell(session, told, now=now)
    return told


async def files_of_person(session: AsyncSession, *, user_id: int) -> list[str]:
    """The files in the threads a person asked: they go when the person is erased."""
    return [path for path in await session.scalars(
        select(QuestionMessage.file_path).join(Question, Question.id == QuestionMessage.question_id)
        .where(Question.asker_id == user_id, QuestionMessage.file_path.is_not(None)))]


def reference(question: Question | int) -> str:
    """How a question is named to people: its number."""
    return f"#{question if isinstance(question, int) else question.id}"



# --- files in a thread ------------------------------------------------------------------------------

FILE_MAX = 20 * 1024 * 1024
FILE_KINDS = (uploads.Kind.PDF, uploads.Kind.IMAGE, uploads.Kind.WORD, uploads.Kind.SHEET)


def keep_file(store: FileStore, *, content: bytes, name: str | None) -> tuple[str, str, str]:
    """A photo or document sent into a thread, judged by its bytes and kept encrypted:
    (store path, the name shown, its real type)."""
    wrong = uploads.UploadRefused(N_("I can keep a photo, a PDF, a Word or an Excel file. Please send one of those."))
    if len(content) > FILE_MAX:
        raise uploads.UploadRefused(N_("That file is too large: the limit is 20 MB."))
    accepted = uploads.accept(content, allowed=FILE_KINDS, wrong_kind=wrong, unknown=wrong)
    saved = store.save(accepted.content)
    shown = uploads.label(name) or f"file{accepted.extension}"
    return saved.path, shown[:120], accepted.mime_type


# --- what a thread's card shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    question: Question
    messages: list[QuestionMessage]
    names: dict[int, str]  # who wrote, by user id (the team sees them; the leader sees "the team")
    organization: str | None


async def card(session: AsyncSession, *, question_id: int, viewer: Viewer | None = None, user_id: int | None = None) -> Card:
    """A thread as the team (`viewer`) or its asker (`user_id`) may see it; LookupError if not."""
    if viewer is not None:
        question = await for_team(session, viewer=viewer, question_id=question_id)
    else:
        assert user_id is not None
        question = await for_asker(session, user_id=user_id, question_id=question_id)
    messages = await thread(session, question_id=question_id)
    ids = {m.author_id for m in messages if m.author_id} | {question.asker_id} | ({question.taken_by_id} if question.taken_by_id else set())
    names = {user.id: user.display_name or "—" for user in await session.scalars(select(User).where(User.id.in_(ids)))}
    organization = await session.get(Organization, question.organization_id) if question.organization_id else None
    return Card(question, messages, names, organization.name if organization else None)


async def file_of(session: AsyncSession, *, message_id: int, user_id: int) -> QuestionMessage:
    """A file of a thread, for its asker or for the team who sees the question; LookupError else."""
    message = await session.get(QuestionMessage, message_id)
    question = await session.get(Question, message.question_id) if message is not None else None
    if message is None or question is None or message.file_path is None:
        raise LookupError(message_id)
    if question.asker_id != user_id:
        try:
            from_team = await viewer_of(session, user_id=user_id)
        except NotAllowed:
            raise LookupError(message_id) from None
        await for_team(session, viewer=from_team, question_id=question.id)
    return message


async def viewer_of(session: AsyncSession, *, user_id: int) -> Viewer:
    return await authority.viewer(session, user_id=user_id, refusal=ONLY_TEAM)


async def language_of_thread(session: AsyncSession, *, message_id: int) -> str:
    """The language of who asked the question a message belongs to (a saved answer's language)."""
    language = await session.scalar(select(User.language).join(Question, Question.asker_id == User.id)
                                     .join(QuestionMessage, QuestionMessage.question_id == Question.id)
                                     .where(QuestionMessage.id == message_id))
    if language is None:
        raise LookupError(message_id)
    return language


def waiting_days(question: Question, now: datetime) -> int:
    asked = question.asked_at if question.asked_at.tzinfo else question.asked_at.replace(tzinfo=now.tzinfo)
    return max(0, (now - asked).days)
