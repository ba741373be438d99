"""Demo people, organizations, training sessions and a funded project (one report approved, which
Carmen, staff, can open from the project's card in /proposals and reopen for changes; the next one
due) for the playground, on its own database.

Seeding runs at every start and only adds what is missing, so whatever people did in an earlier
session stays: a demo owner who leads nothing (they erased their data, say) gets their
organization back, and the demo leader's organization its project. Training sessions are dated
from the clock, days ahead: a demo session is added again only once its last copy has started,
so a playground opened weeks later still has sessions to show. The newcomer is the one
exception: each start picks a Telegram id that the bot has never met, so there is always
someone to show the data notice and registration to.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.models import ActivityState, CoordinatorDistrict, OrganizationFollowUp
from bot.core.crypto import IdNumberCipher
from bot.core.runtime import Runtime
from bot.core.validation import IdDocumentType
from bot.messaging.reminders import QuietHours
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    FocusArea,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people import people
from bot.people.models import Nationality, Role, Sex, User
from bot.playground import seed_figures, seed_pending, seed_trainings
from bot.playground.seed_broadcasts import add_missing as add_missing_broadcasts
from bot.projects import reports as project_reports
from bot.projects.models import (
    Project,
    ProjectEvent,
    ProjectReport,
    ProjectStatus,
    ProjectTheme,
    ReportFrequency,
    ReportStatus,
)
from bot.projects.projects import periods
from bot.trainings.models import TrainingSession, TrainingTopic


class DemoRole(StrEnum):
    """Who the page lets you be; the page names them in its own language."""

    NEWCOMER = "newcomer"
    LEADER = "leader"
    COORDINATOR = "coordinator"
    STAFF = "staff"
    BACKGROUND = "background"  # owns a demo organization; not offered in the page's switcher


@dataclass(frozen=True)
class DemoPerson:
    demo_role: DemoRole
    telegram_id: int
    first_name: str
    last_name: str
    phone_number: str  # what "share contact" sends, as Telegram apps do (no '+')

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class DemoBoardMember:
    role: BoardRole
    full_name: str
    document_type: IdDocumentType
    id_number: str


@dataclass(frozen=True)
class DemoOrganization:
    owner: DemoPerson
    name: str
    kind: OrganizationKind
    district_ubigeo: str
    address: str
    founded: tuple[int, int | None, int | None]
    members: tuple[int, int, int]  # Peruvian, Venezuelan, other
    focus_areas: tuple[FocusArea, ...]
    phone: str
    board: tuple[DemoBoardMember, ...]
    term: tuple[date, date]
    status: VerificationStatus
    status_comment: str | None = None


# Telegram ids far from the emulator's automatic ones (100000001 upwards); newcomers get the
# first unmet id above every other demo person's.
NEWCOMER_FIRST_ID = 200_001_001
LEADER = DemoPerson(DemoRole.LEADER, 200_000_201, "Rosa", "Medina", "51987100201")
COORDINATOR = DemoPerson(DemoRole.COORDINATOR, 200_000_301, "Luis", "Paredes", "51987100301")
STAFF = DemoPerson(DemoRole.STAFF, 200_000_401, "Carmen", "Quispe", "51987100401")
JORGE = DemoPerson(DemoRole.BACKGROUND, 200_000_501, "Jorge", "Huamán", "51987100501")
YOHANA = DemoPerson(DemoRole.BACKGROUND, 200_000_502, "Yohana", "Pérez", "584121000502")
MARIBEL = DemoPerson(DemoRole.BACKGROUND, 200_000_503, "Maribel", "Torres", "51987100503")

CONSENTED_PEOPLE = {
    LEADER: Role.LEADER,
    COORDINATOR: Role.COORDINATOR,
    STAFF: Role.STAFF,
    JORGE: Role.LEADER,
    YOHANA: Role.LEADER,
    MARIBEL: Role.LEADER,
}

ORGANIZATIONS = (
    DemoOrganization(
        owner=LEADER,
        name="Mujeres Emprendedoras del Callao",
        kind=OrganizationKind.OSB,
        district_ubigeo="070101",  # Callao
        address="Jr. Colón 245, Callao",
        founded=(2019, 3, 8),
        members=(14, 22, 1),
        focus_areas=(FocusArea.WOMENS_ENTERPRISE, FocusArea.WELLBEING_FAMILY),
        phone="+51987100201",
        board=(
            DemoBoardMember(BoardRole.PRESIDENT, "Rosa Medina Castillo", IdDocumentType.DNI, "45871236"),
            DemoBoardMember(BoardRole.SECRETARY, "Daniela Rangel Mora", IdDocumentType.CPP, "001234567"),
            DemoBoardMember(BoardRole.TREASURER, "Gloria Huertas Ríos", IdDocumentType.DNI, "41236985"),
        ),
        term=(date(2025, 2, 1), date(2027, 1, 31)),
        status=VerificationStatus.VERIFIED,
    ),
    DemoOrganization(
        owner=JORGE,
        name="Vecinos Unidos de Canto Grande",
        kind=OrganizationKind.OSV,
        district_ubigeo="150132",  # San Juan de Lurigancho
        address="Av. Canto Grande 1830, San Juan de Lurigancho",
        founded=(2021, 6, None),
        members=(31, 12, 0),
        focus_areas=(FocusArea.RISK_MANAGEMENT, FocusArea.CHILDREN_ARTS_SPORT),
        phone="+51987100501",
        board=(
            DemoBoardMember(BoardRole.PRESIDENT, "Jorge Huamán Quispe", IdDocumentType.DNI, "40125874"),
            DemoBoardMember(BoardRole.TREASURER, "Luisa Campos Vera", IdDocumentType.DNI, "47852369"),
        ),
        term=(date(2024, 7, 1), date(2026, 6, 30)),
        status=VerificationStatus.PENDING,
    ),
    DemoOrganization(
        owner=YOHANA,
        name="Asociación Cultural Puentes Llaneros",
        kind=OrganizationKind.CIVIL_ASSOCIATION,
        district_ubigeo="150103",  # Ate
        address="Calle Los Claveles 112, Ate",
        founded=(2020, None, None),
        members=(6, 25, 2),
        focus_areas=(FocusArea.CULTURE, FocusArea.HUMAN_RIGHTS),
        phone="+584121000502",
        board=(
            DemoBoardMember(BoardRole.PRESIDENT, "Yohana Pérez Linares", IdDocumentType.CE, "002345678"),
            DemoBoardMember(BoardRole.SECRETARY, "Carlos Mendoza Salas", IdDocumentType.DNI, "43698521"),
        ),
        term=(date(2025, 1, 15), date(2027, 1, 14)),
        status=VerificationStatus.NEEDS_CHANGES,
        status_comment="Falta el tesorero en la junta directiva y el acta de elección.",
    ),
    DemoOrganization(
        owner=MARIBEL,
        name="Comedor Popular Nueva Esperanza",
        kind=OrganizationKind.OSB,
        district_ubigeo="150110",  # Comas
        address="Mz. F Lt. 7, Collique, Comas",
        founded=(2016, 11, 20),
        members=(40, 9, 0),
        focus_areas=(FocusArea.HEALTH, FocusArea.WELLBEING_FAMILY),
        phone="+51987100503",
        board=(
            DemoBoardMember(BoardRole.PRESIDENT, "Maribel Torres Ñique", IdDocumentType.DNI, "09875412"),
        ),
        term=(date(2024, 3, 1), date(2026, 2, 28)),
        status=VerificationStatus.PENDING,
    ),
)


@dataclass(frozen=True)
class DemoTraining:
    topic: TrainingTopic
    title: str
    description: str
    days_ahead: int
    starts: time  # in the bot's time zone, as the programme announces it
    hours: float
    venue: str
    district_ubigeo: str | None
    online: bool
    capacity: int


@dataclass(frozen=True)
class DemoProject:
    owner: DemoPerson  # the project goes to the organization they act for
    title: str
    summary: str
    funder: str
    started_days_ago: int
    ends_in_days: int
    granted_soles: int
    # The first monthly report, approved by staff: what reached whom (counts only). Staff may
    # reopen it for changes; the totals keep counting it until a new version is approved.
    first_report: dict[str, Any]


TRAININGS = (
    DemoTraining(
        topic=TrainingTopic.LEADERSHIP,
        title="Liderazgo comunitario: cómo conducir una asamblea",
        description="Preparar la agenda, dar la palabra, llegar a acuerdos y dejarlos en el acta.",
        days_ahead=3,
        starts=time(10, 0),
        hours=3,
        venue="Casa de la Juventud, Jr. Huallaga 355, Cercado de Lima",
        district_ubigeo="150101",  # Lima
        online=False,
        capacity=30,
    ),
    DemoTraining(
        topic=TrainingTopic.DATA_PROTECTION,
        title="Protección de datos personales en tu organización",
        description="Qué datos de tus socias y socios puedes pedir, cómo guardarlos y cuándo borrarlos.",
        days_ahead=10,
        starts=time(19, 0),
        hours=1.5,
        venue="online",
        district_ubigeo=None,
        online=True,
        capacity=100,
    ),
    DemoTraining(
        topic=TrainingTopic.NONPROFIT_ACCOUNTING,
        title="Contabilidad básica para organizaciones sin fines de lucro",
        description="Libro de caja, comprobantes y rendición de cuentas a la asamblea.",
        days_ahead=17,
        starts=time(9, 30),
        hours=3,
        venue="Local comunal, Jr. Colón 380, Callao",
        district_ubigeo="070101",  # Callao
        online=False,
        capacity=25,
    ),
)

def _ages(a: int, b: int, c: int, d: int) -> dict[str, int]:
    return {"0_11": a, "12_17": b, "18_59": c, "60_plus": d}


PROJECT = DemoProject(
    owner=LEADER,
    title="Huertos familiares en Carmen de la Legua",
    summary="Huertos en casa y en el local comunal para 30 familias peruanas y venezolanas.",
    funder="OIM",
    started_days_ago=45,
    ends_in_days=120,
    granted_soles=2500,
    first_report={
        "activities": [
            {"date_days_ago": 40, "place": "Local comunal, Carmen de la Legua", "what": "Taller de siembra con 18 madres y sus hijos."},
            {"date_days_ago": 25, "place": "Mercado de Carmen de la Legua", "what": "Primera feria de hortalizas de los huertos."},
        ],
        "beneficiaries": {
            # The ages per sex ("sex_age"), and "age" their sum (bot/projects/reports.py).
            "peruvian": {"total": 14, "sex": {"female": 10, "male": 4, "unstated": 0},
                         "sex_age": {"female": _ages(3, 1, 5, 1), "male": _ages(2, 0, 2, 0), "unstated": _ages(0, 0, 0, 0)},
                         "age": _ages(5, 1, 7, 1)},
            "venezuelan": {"total": 19, "sex": {"female": 13, "male": 5, "unstated": 1},
                           "sex_age": {"female": _ages(4, 1, 7, 1), "male": _ages(3, 1, 1, 0), "unstated": _ages(0, 0, 1, 0)},
                           "age": _ages(7, 2, 9, 1)},
            "other": {"total": 1, "sex": {"female": 1, "male": 0, "unstated": 0},
                      "sex_age": {"female": _ages(0, 0, 1, 0), "male": _ages(0, 0, 0, 0), "unstated": _ages(0, 0, 0, 0)},
                      "age": _ages(0, 0, 1, 0)},
        },
        "spent_cents": 84050,
        "difficulties": "Las lluvias retrasaron la siembra dos semanas.",
        "lessons": "Empezar antes de la temporada y compartir semillas entre familias.",
    },
)


async def seed(runtime: Runtime) -> list[DemoPerson]:
    """Add the demo data that is missing; return everyone the emulator must know, newcomer first."""
    now = runtime.clock.now()
    async with runtime.database.session() as session:
        newcomer = DemoPerson(
            DemoRole.NEWCOMER, await _unmet_telegram_id(session), "Ana", "Rojas", "51987100101"
        )
        users = {
            person: await _consented_user(session, person, role, now)
            for person, role in CONSENTED_PEOPLE.items()
        }
        for organization in ORGANIZATIONS:
            owner = users[organization.owner]
            if not await _leads_anything(session, owner):
                _add_organization(session, organization, owner, runtime.cipher, now)
        zone = runtime.settings.zone
        for training in TRAININGS:
            if not await _still_upcoming(session, training, now):
                session.add(_training_session(training, users[COORDINATOR], now, zone))
        await seed_trainings.add_missing(
            session, coordinator=users[COORDINATOR], seated=[users[LEADER], users[JORGE], users[YOHANA]],
            waiting=[users[MARIBEL]], voters=[users[JORGE], users[YOHANA], users[MARIBEL]], now=now, zone=zone,
        )
        await _add_project_if_missing(
            session, PROJECT, users[PROJECT.owner], users[STAFF], now.astimezone(zone).date(), now, runtime.reminders.quiet_hours
        )
    async with runtime.database.session() as session:
        await _seed_console(session, users, now)
        await add_missing_broadcasts(session, coordinator=users[COORDINATOR], now=now, zone=runtime.settings.zone)
        await seed_pending.add_missing(session, runtime=runtime, uploader=users[YOHANA], proposer=users[MARIBEL],
                                       coordinator=users[COORDINATOR], now=now)
        await seed_figures.add_missing(session, catalogue=runtime.requirements, staff=users[STAFF], rosa=users[LEADER], jorge=users[JORGE],
                                       coordinator=users[COORDINATOR], now=now, zone=runtime.settings.zone)
    return [newcomer, *CONSENTED_PEOPLE]


async def _unmet_telegram_id(session: AsyncSession) -> int:
    known = set(
        await session.scalars(select(User.telegram_id).where(User.telegram_id >= NEWCOMER_FIRST_ID))
    )
    return next(candidate for candidate in itertools.count(NEWCOMER_FIRST_ID) if candidate not in known)


async def _consented_user(session: AsyncSession, person: DemoPerson, role: Role, now: datetime) -> User:
    user = await people.get_by_telegram_id(session, person.telegram_id)
    if user is None:
        user = User(telegram_id=person.telegram_id, language="es", role=role, first_seen=now, last_seen=now)
        session.add(user)
    if not user.has_consented:
        await people.give_consent(session, user=user, display_name=person.full_name, now=now)
    await session.flush()
    return user


async def _leads_anything(session: AsyncSession, user: User) -> bool:
    led = select(Leadership.organization_id).where(Leadership.user_id == user.id).limit(1)
    return await session.scalar(led) is not None


def _add_organization(
    session: AsyncSession, demo: DemoOrganization, owner: User, cipher: IdNumberCipher, now: datetime
) -> None:
    founded_year, founded_month, founded_day = demo.founded
    peruvian, venezuelan, other = demo.members
    reviewed = demo.status is not VerificationStatus.PENDING
    organization = Organization(
        name=demo.name,
        kind=demo.kind,
        district_ubigeo=demo.district_ubigeo,
        address=demo.address,
        founded_year=founded_year,
        founded_month=founded_month,
        founded_day=founded_day,
        members_peruvian=peruvian,
        members_venezuelan=venezuelan,
        members_other=other,
        focus_areas=[area.value for area in demo.focus_areas],
        contact_phone=demo.phone,
        board_term_start=demo.term[0],
        board_term_end=demo.term[1],
        status=demo.status,
        status_comment=demo.status_comment,
        reviewed_at=now if reviewed else None,
        created_at=now,
        updated_at=now,
        board=[
            BoardMember(
                position=position,
                role=member.role,
                full_name=member.full_name,
                id_document_type=member.document_type.value,
                id_number_encrypted=cipher.encrypt(member.id_number),
            )
            for position, member in enumerate(demo.board)
        ],
    )
    organization.leaders = [
        Leadership(user_id=owner.id, role=LeaderRole.OWNER, joined_at=now, acting=True)
    ]
    session.add(organization)


async def _still_upcoming(session: AsyncSession, demo: DemoTraining, now: datetime) -> bool:
    upcoming = select(TrainingSession.id).where(TrainingSession.title == demo.title, TrainingSession.starts_at > now)
    return await session.scalar(upcoming.limit(1)) is not None


def _training_session(demo: DemoTraining, staff: User, now: datetime, zone: ZoneInfo) -> TrainingSession:
    day = now.astimezone(zone).date() + timedelta(days=demo.days_ahead)
    starts_at = datetime.combine(day, demo.starts, tzinfo=zone)
    return TrainingSession(
        topic=demo.topic,
        title=demo.title,
        description=demo.description,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=demo.hours),
        venue=demo.venue,
        district_ubigeo=demo.district_ubigeo,
        online=demo.online,
        capacity=demo.capacity,
        created_by_id=staff.id,
        created_at=now,
    )


async def _add_project_if_missing(
    session: AsyncSession, demo: DemoProject, owner: User, staff: User, today: date, now: datetime, quiet: QuietHours
) -> None:
    """The demo leader's funded project under way: report 1 approved, report 2 due, reminders set."""
    led = select(Leadership.organization_id).where(Leadership.user_id == owner.id)
    organization_ids = list(await session.scalars(led.order_by(Leadership.acting.desc(), Leadership.joined_at)))
    if not organization_ids:
        return
    # Wherever the project is (the owner may have switched organizations since), it is not missing.
    existing = select(Project.id).where(Project.organization_id.in_(organization_ids), Project.title == demo.title)
    if await session.scalar(existing.limit(1)) is not None:
        return
    starts_on, ends_on = today - timedelta(days=demo.started_days_ago), today + timedelta(days=demo.ends_in_days)
    schedule = periods(starts_on, ends_on, ReportFrequency.MONTHLY)
    project = Project(
        organization_id=organization_ids[0], title=demo.title, summary=demo.summary, objective=demo.summary,
        target_population="30 familias peruanas y venezolanas del barrio", district_ubigeo="070103",
        theme=ProjectTheme.WOMEN_ENTERPRISE, funder=demo.funder, status=ProjectStatus.IMPLEMENTING,
        starts_on=starts_on, ends_on=ends_on, requested_cents=demo.granted_soles * 100, granted_cents=demo.granted_soles * 100,
        report_frequency=ReportFrequency.MONTHLY, proposed_by_id=owner.id, sent_at=now, created_at=now, updated_at=now,
    )
    session.add(project)
    await session.flush()
    for previous, status in ((None, ProjectStatus.PROPOSAL), (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED),
                             (ProjectStatus.SELECTED, ProjectStatus.FUNDED), (ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING)):
        session.add(ProjectEvent(project_id=project.id, actor_id=owner.id if previous is None else staff.id,
                                 from_status=previous.value if previous else None, to_status=status.value, at=now))
    first = demo.first_report
    for number, (start, end) in enumerate(schedule, start=1):
        report = ProjectReport(project_id=project.id, number=number, period_start=start, period_end=end, due_on=end,
                               scratch={}, activities=[], beneficiaries={}, updated_at=now)
        if end < today:  # the periods already over were reported and approved
            report.status, report.version, report.approved_version = ReportStatus.APPROVED, 1, 1
            report.activities = [{"date": (today - timedelta(days=a["date_days_ago"])).isoformat(), "place": a["place"], "what": a["what"]}
                                 for a in first["activities"]]
            report.beneficiaries = report.approved_beneficiaries = first["beneficiaries"]
            report.spent_cents = report.approved_spent_cents = first["spent_cents"]
            report.difficulties, report.lessons = first["difficulties"], first["lessons"]
            report.submitted_at, report.submitted_by_id, report.reviewed_at, report.reviewed_by_id = now, owner.id, now, staff.id
        elif project.report_due_on is None:
            project.report_due_on = end
        session.add(report)
    await session.flush()
    await project_reports.plan_deadlines(session, project_id=project.id, now=now, quiet=quiet)


# --- the staff console: Luis follows two districts; Maribel's comedor went quiet ----------------

QUIET_ORGANIZATION = "Comedor Popular Nueva Esperanza"
LUIS_DISTRICTS = ("070101", "150132")  # Callao and San Juan de Lurigancho


# Jorge and Yohana said their sex and nationality; Rosa and Maribel did not (Rosa is asked when
# she takes a seat in a session). Luis marking Jorge and Yohana present today counts them.
DECLARED = {JORGE: (Sex.MALE, Nationality.PERUVIAN), YOHANA: (Sex.FEMALE, Nationality.VENEZUELAN)}


async def _seed_console(session: AsyncSession, users: dict[DemoPerson, User], now: datetime) -> None:
    """/quiet lists the comedor (its leader has not written for two months and did not answer
    the check-in); Luis, a coordinator, sees Callao and San Juan de Lurigancho only."""
    for person, (sex, nationality) in DECLARED.items():
        await session.execute(update(User).where(User.id == users[person].id, User.about_asked_at.is_(None))
                              .values(sex=sex, nationality=nationality, about_asked_at=now))
    luis = users[COORDINATOR]
    if await session.scalar(select(CoordinatorDistrict).where(CoordinatorDistrict.user_id == luis.id).limit(1)) is None:
        session.add_all(CoordinatorDistrict(user_id=luis.id, district_ubigeo=code) for code in LUIS_DISTRICTS)
    comedor = await session.scalar(select(Organization).where(Organization.name == QUIET_ORGANIZATION))
    if comedor is not None and await session.get(OrganizationFollowUp, comedor.id) is None:
        users[MARIBEL].last_seen = now - timedelta(days=60)
        session.add(OrganizationFollowUp(organization_id=comedor.id, state=ActivityState.ACTIVE,
                                         checked_in_at=now - timedelta(days=10), listed_at=now - timedelta(days=3)))
