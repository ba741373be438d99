"""What the playground's staff member needs to see every programme figure with something in it
(/indicadores, /estadisticas, /exportar): Rosa's organization registered in the RUOS and
inscribed in Registros Públicos (every step of its checklist verified), a project closed and a proposal not selected in Canto
Grande with staff's advice on it, and a leadership session last month that Rosa and Jorge
attended, with their certificates. Each is added only while it is missing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.organizations.models import Leadership
from bot.people.models import User
from bot.projects.models import Project, ProjectEvent, ProjectStatus, ProjectTheme
from bot.ruos.models import (
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RegistryInscription,
    RuosRegistration,
)
from bot.ruos.public_registry import PROCEDURE
from bot.ruos.requirements import RequirementsCatalogue
from bot.trainings.models import Certificate, Enrollment, EnrollmentState, TrainingSession

CLOSED_TITLE = "Feria de emprendimientos vecinales"
NOT_SELECTED_TITLE = "Cancha deportiva techada"
PAST_SESSION = "Liderazgo comunitario (mes pasado)"


async def add_missing(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, rosa: User, jorge: User,
                      coordinator: User, now: datetime, zone: ZoneInfo) -> None:
    await _inscription(session, catalogue, staff, rosa, now)
    await _decided_projects(session, staff, jorge, now)
    await _past_session(session, coordinator, [rosa, jorge], now, zone)


async def _first_organization(session: AsyncSession, user: User) -> int | None:
    return await session.scalar(select(Leadership.organization_id).where(Leadership.user_id == user.id)
                                .order_by(Leadership.acting.desc(), Leadership.joined_at).limit(1))


async def _inscription(session: AsyncSession, catalogue: RequirementsCatalogue, staff: User, rosa: User, now: datetime) -> None:
    organization_id = await _first_organization(session, rosa)
    if organization_id is None or await session.get(RegistryInscription, organization_id) is not None:
        return
    if await session.get(RuosRegistration, organization_id) is None:
        session.add(RuosRegistration(organization_id=organization_id, stage=RegistrationStage.REGISTERED, ruos_number="RUOS-0457-2026",
                                     resolution_date=(now - timedelta(days=90)).date(), submitted_on=(now - timedelta(days=120)).date(),
                                     updated_at=now, updated_by_id=staff.id))
    procedure = next((p for p in catalogue.formalization() if p.code == PROCEDURE), None)
    done = set(await session.scalars(select(ChecklistItem.item_code).where(ChecklistItem.organization_id == organization_id,
                                                                          ChecklistItem.procedure_code == PROCEDURE)))
    for item in procedure.items if procedure else ():
        if item.required and item.code not in done:
            session.add(ChecklistItem(organization_id=organization_id, procedure_code=PROCEDURE, item_code=item.code, revision=1,
                                      status=ItemStatus.VERIFIED, uploaded_at=now, reviewed_at=now, reviewed_by_id=staff.id, updated_at=now))
    session.add(RegistryInscription(organization_id=organization_id, inscribed_on=(now - timedelta(days=20)).date(),
                                    office="Zona Registral N° IX, Sede Lima", partida="11223344", recorded_at=now, recorded_by_id=staff.id))
    await session.flush()


async def _decided_projects(session: AsyncSession, staff: User, jorge: User, now: datetime) -> None:
    organization_id = await _first_organization(session, jorge)
    if organization_id is None:
        return
    today = now.date()
    for title, status, moves in ((CLOSED_TITLE, ProjectStatus.CLOSED, ("selected", "funded", "implementing", "closed")),
                                 (NOT_SELECTED_TITLE, ProjectStatus.NOT_SELECTED, ("not_selected",))):
        if await session.scalar(select(Project.id).where(Project.title == title).limit(1)) is not None:
            continue
        project = Project(organization_id=organization_id, title=title, summary=title, objective=title, theme=ProjectTheme.CULTURE,
                          starts_on=today - timedelta(days=150), ends_on=today - timedelta(days=30), status=status,
                          proposed_by_id=jorge.id, sent_at=now - timedelta(days=200), created_at=now - timedelta(days=200), updated_at=now)
        session.add(project)
        await session.flush()
        session.add(ProjectEvent(project_id=project.id, actor_id=staff.id, comment="Precisen el presupuesto de materiales, por favor.",
                                 at=now - timedelta(days=190)))
        previous = "proposal"
        for n, move in enumerate(moves):
            session.add(ProjectEvent(project_id=project.id, actor_id=staff.id, from_status=previous, to_status=move,
                                     at=now - timedelta(days=180 - 40 * n)))
            previous = move
    await session.flush()


async def _past_session(session: AsyncSession, coordinator: User, attendees: list[User], now: datetime, zone: ZoneInfo) -> None:
    if await session.scalar(select(TrainingSession.id).where(TrainingSession.title == PAST_SESSION).limit(1)) is not None:
        return
    day = (now.astimezone(zone).replace(day=1) - timedelta(days=10)).date()  # last month
    starts = datetime.combine(day, time(18, 0), tzinfo=zone)
    training = TrainingSession(topic="leadership", title=PAST_SESSION, starts_at=starts, ends_at=starts + timedelta(hours=2),
                               venue="Local comunal de Carmen de la Legua", district_ubigeo="070103", capacity=20,
                               created_by_id=coordinator.id, created_at=starts - timedelta(days=14))
    session.add(training)
    await session.flush()
    for n, person in enumerate(attendees):
        session.add(Enrollment(session_id=training.id, user_id=person.id, state=EnrollmentState.ATTENDED, created_at=training.created_at,
                               attended_at=starts + timedelta(minutes=5)))
        session.add(Certificate(code=f"DEMO{training.id:04d}{n}", session_id=training.id, user_id=person.id, holder_name=person.display_name or "",
                                issued_at=starts + timedelta(hours=3)))
    await session.flush()
