"""Where the RUOS request stands: the stages it moves through and the questions asked before
each move is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import transition
from bot.core.validation import check_between, parse_date, parse_text, years_after
from bot.messaging import notices
from bot.messaging.reminders import QuietHours
from bot.organizations import organizations
from bot.organizations.models import Organization
from bot.people.authority import require_leader_or_staff
from bot.people.models import Role, User
from bot.ruos.checklists import ruos_procedure
from bot.ruos.labels import RUOS_STAGE
from bot.ruos.models import (
    ChecklistDraft,
    RegistrationStage,
    RuosRegistration,
)
from bot.ruos.reminders import (
    plan_board_term_reminders,
    plan_missing_nudges,
    plan_observation_reminders,
)
from bot.ruos.requirements import RequirementsCatalogue
from bot.ruos.shared import RuosError, StageChanged, Step, _new_draft, drop_draft

EXPEDIENTE_MAX = 40
RUOS_NUMBER_MAX = 40
OBSERVATIONS_MAX = 1000


TRANSITIONS: Mapping[RegistrationStage, tuple[RegistrationStage, ...]] = {
    RegistrationStage.PREPARING: (RegistrationStage.SUBMITTED,),
    RegistrationStage.SUBMITTED: (RegistrationStage.OBSERVED, RegistrationStage.REGISTERED, RegistrationStage.PREPARING),
    RegistrationStage.OBSERVED: (RegistrationStage.SUBMITTED, RegistrationStage.REGISTERED, RegistrationStage.PREPARING),
    RegistrationStage.REGISTERED: (),
}
# Staff may also undo a registration recorded by mistake.
STAFF_TRANSITIONS: Mapping[RegistrationStage, tuple[RegistrationStage, ...]] = {
    **TRANSITIONS,
    RegistrationStage.REGISTERED: (RegistrationStage.PREPARING,),
}
_DATE_STEPS = {Step.SUBMITTED_ON, Step.DEADLINE, Step.RESOLUTION_DATE}


def allowed_stages(current: RegistrationStage, *, user: User) -> tuple[RegistrationStage, ...]:
    return (STAFF_TRANSITIONS if user.role is Role.STAFF else TRANSITIONS)[current]


def stage_questions(current: RegistrationStage, target: RegistrationStage) -> tuple[Step, ...]:
    """What to ask before recording the move; nothing for going back or answered observations."""
    if target is RegistrationStage.SUBMITTED:
        return () if current is RegistrationStage.OBSERVED else (Step.EXPEDIENTE, Step.SUBMITTED_ON)
    if target is RegistrationStage.OBSERVED:
        return (Step.OBSERVATIONS, Step.DEADLINE)
    if target is RegistrationStage.REGISTERED:
        return (Step.RUOS_NUMBER, Step.RESOLUTION_DATE)
    return ()


@dataclass(frozen=True)
class StageChange:
    """A stage chosen: either recorded (`draft` None) or waiting for the answers in `draft`."""

    stage: RegistrationStage
    draft: ChecklistDraft | None


async def _registration_row(session: AsyncSession, organization_id: int, now: datetime) -> RuosRegistration:
    """The organization's row, made at its first move: two leaders making it at the same moment
    make one (INSERT … ON CONFLICT DO NOTHING), and the stage transition decides between them."""
    row = await session.get(RuosRegistration, organization_id)
    if row is None:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(RuosRegistration)
            .values(organization_id=organization_id, stage=RegistrationStage.PREPARING, updated_at=now)
            .on_conflict_do_nothing()
        )
        row = await session.get(RuosRegistration, organization_id)
        assert row is not None
    return row


async def choose_stage(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    organization: Organization,
    target: str,
    now: datetime,
    quiet: QuietHours | None,
) -> StageChange:
    """Move the request to `target`, or start the questions that must be answered first."""
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    row = await _registration_row(session, organization.id, now)
    try:
        stage = RegistrationStage(target)
    except ValueError:
        raise RuosError(N_("Choose one of the options with the buttons.")) from None
    if stage not in allowed_stages(row.stage, user=user):
        raise StageChanged()
    questions = stage_questions(row.stage, stage)
    if not questions:
        await _apply_stage(session, catalogue=catalogue, row=row, organization=organization, user=user, current=row.stage,
                           stage=stage, answers={}, now=now, quiet=quiet)
        await drop_draft(session, user=user)
        return StageChange(stage, None)
    draft = await _new_draft(session, user=user, organization_id=organization.id, step=questions[0], now=now)
    draft.answers = {"from": row.stage.value, "stage": stage.value}
    return StageChange(stage, draft)


async def answer_stage_question(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    draft: ChecklistDraft,
    organization: Organization,
    text: str,
    today: date,
    now: datetime,
    quiet: QuietHours | None,
) -> StageChange:
    """Validate and keep one answer; after the last one, record the move."""
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    row = await _registration_row(session, organization.id, now)
    current, stage = RegistrationStage(draft.answers["from"]), RegistrationStage(draft.answers["stage"])
    if row.stage is not current:
        raise StageChanged()
    step = Step(draft.step)
    submitted_on = draft.answers.get(Step.SUBMITTED_ON) or (row.submitted_on.isoformat() if row.submitted_on else None)
    value = _parse_answer(step, text, today=today, submitted_on=date.fromisoformat(submitted_on) if submitted_on else None)
    answers = {**draft.answers, step.value: value}
    questions = stage_questions(current, stage)
    following = questions.index(step) + 1
    if following < len(questions):
        draft.answers, draft.step, draft.updated_at = answers, questions[following], now
        return StageChange(stage, draft)
    await _apply_stage(session, catalogue=catalogue, row=row, organization=organization, user=user, current=current,
                       stage=stage, answers=answers, now=now, quiet=quiet)
    await session.delete(draft)
    return StageChange(stage, None)


def _parse_answer(step: Step, text: str, *, today: date, submitted_on: date | None) -> str:
    if step is Step.EXPEDIENTE:
        return parse_text(text, field_max=EXPEDIENTE_MAX)
    if step is Step.RUOS_NUMBER:
        return parse_text(text, field_max=RUOS_NUMBER_MAX)
    if step is Step.OBSERVATIONS:
        return parse_text(text, field_max=OBSERVATIONS_MAX, min_length=3, multiline=True)
    if step not in _DATE_STEPS:
        raise RuosError(N_("Choose one of the options with the buttons."))
    day = check_between(parse_date(text), earliest=years_after(today, -10), latest=years_after(today, 1), message=N_(
        "Send a date of this registration, from %(earliest)s to %(latest)s."))
    if step in (Step.SUBMITTED_ON, Step.RESOLUTION_DATE) and day > today:
        raise RuosError(N_("That date is in the future. Send the date it happened, for example 18/11/2026."))
    if submitted_on is not None and day < submitted_on:
        raise RuosError(N_("That date is before the day the request was handed in. Check it and send it again."))
    return day.isoformat()


async def _apply_stage(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    row: RuosRegistration,
    organization: Organization,
    user: User,
    current: RegistrationStage,
    stage: RegistrationStage,
    answers: Mapping[str, str],
    now: datetime,
    quiet: QuietHours | None,
) -> None:
    """Move the row from `current` to `stage`; StageChanged if it is no longer at `current`."""

    def day(step: Step) -> date:
        return date.fromisoformat(answers[step])

    values: dict[str, object] = {}
    if stage is RegistrationStage.PREPARING:
        values.update(expediente=None, submitted_on=None, observations=None, observation_deadline=None,
                      ruos_number=None, resolution_date=None)
    elif stage is RegistrationStage.SUBMITTED and Step.EXPEDIENTE in answers:
        values.update(expediente=answers[Step.EXPEDIENTE], submitted_on=day(Step.SUBMITTED_ON),
                      observations=None, observation_deadline=None)
    elif stage is RegistrationStage.SUBMITTED:
        values.update(observation_deadline=None)  # the observations were answered; the text stays on record
    elif stage is RegistrationStage.OBSERVED:
        values.update(observations=answers[Step.OBSERVATIONS], observation_deadline=day(Step.DEADLINE))
    elif stage is RegistrationStage.REGISTERED:
        values.update(ruos_number=answers[Step.RUOS_NUMBER], resolution_date=day(Step.RESOLUTION_DATE),
                      observation_deadline=None)
    values.update(stage=stage, updated_at=now, updated_by_id=user.id)
    if user.role is not Role.LEADER:  # staff recording it for the organization
        audit.record(session, user.id, "ruos.stage", now=now, organization_id=organization.id, detail=stage.value)
    await session.flush()  # a row made just now exists before it moves on
    await transition(
        session, RuosRegistration, where={"organization_id": row.organization_id, "stage": current}, values=values,
        already=StageChanged(),
    )
    await plan_observation_reminders(session, organization=organization, deadline=row.observation_deadline, now=now, quiet=quiet)
    await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    if stage is RegistrationStage.REGISTERED:
        await plan_board_term_reminders(session, organization=organization, quiet=quiet, now=now)
    await _tell_other_leaders(session, catalogue=catalogue, organization=organization, user=user, stage=stage, now=now)


async def _tell_other_leaders(session: AsyncSession, *, catalogue: RequirementsCatalogue, organization: Organization, user: User,
                              stage: RegistrationStage, now: datetime) -> None:
    """Whoever moved the registration on (staff, or one of several leaders), the others hear it."""
    if user.role is Role.STAFF:
        says = N_("📌 The programme staff updated the RUOS registration of %(organization)s: %(stage)s.")
    else:
        says = N_("📌 %(person)s updated the RUOS registration of %(organization)s: %(stage)s.")
    values = {"organization": organization.name, "stage": notices.label(RUOS_STAGE[stage]), "person": user.display_name or "?"}
    ruos_code = ruos_procedure(catalogue, organization)[0].code
    for leader, _role in await organizations.leaders_of(session, organization_id=organization.id):
        if leader.id != user.id and leader.reachable:
            await notices.tell(session, recipient_id=leader.id, about="ruos.stage", now=now, says=[notices.line(says, **values)],
                               choices=[[notices.choice(f"ruos:list:{organization.id}:{ruos_code}", N_("📋 Open the checklist"))]])
