"""Training sessions and projects, read-only for now: anyone sees the upcoming sessions in
/trainings, a leader sees her organization's projects in /projects, erasing data takes an
organization's projects along, and the playground's seed adds its demo ones once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.organizations.models import LeaderRole, Leadership, Organization, OrganizationKind
from bot.people.models import User
from bot.playground import seed
from bot.projects.models import Project
from bot.trainings.models import TrainingSession, TrainingTopic
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID

# The test clock reads Monday 23 November 2026, 15:00 UTC: 10:00 in Lima.
THURSDAY_10_LIMA = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def plain(text: str) -> str:
    """Babel puts a narrow no-break space before AM/PM, as CLDR says; tests read it as a space."""
    return text.replace("\u202f", " ")


async def add_session(bot, *, title: str, starts_at: datetime, topic: TrainingTopic = TrainingTopic.LEADERSHIP,
                      online: bool = False, venue: str = "Jr. Colón 380, Callao", district: str | None = "070101",
                      capacity: int = 25, cancelled: bool = False, created_by_id: int | None = None) -> None:
    now = bot.clock.now()
    async with await bot.session() as session:
        session.add(TrainingSession(
            topic=topic, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
            venue=venue, district_ubigeo=district, online=online, capacity=capacity,
            created_by_id=created_by_id, created_at=now, cancelled_at=now if cancelled else None,
        ))


async def organization_of(bot, user, *, name: str = "Mujeres Emprendedoras del Callao") -> int:
    """An organization led by someone who already consented in the chat."""
    now = bot.clock.now()
    async with await bot.session() as session:
        leader = await session.scalar(select(User).where(User.telegram_id == user.id))
        organization = Organization(
            name=name, kind=OrganizationKind.OSB, district_ubigeo="070103", address="Av. Argentina 1234",
            founded_year=2021, contact_phone="+51987654321", board_term_start=date(2025, 3, 1),
            board_term_end=date(2027, 2, 28), created_at=now, updated_at=now,
        )
        organization.leaders = [Leadership(user_id=leader.id, role=LeaderRole.OWNER, joined_at=now, acting=True)]
        session.add(organization)
        await session.flush()
        return organization.id


async def add_project(bot, organization_id: int, **values) -> None:
    fields = {
        "title": "Huertos familiares en Carmen de la Legua", "funder": "OIM",
        "starts_on": date(2026, 10, 1), "ends_on": date(2027, 3, 31), "report_due_on": date(2026, 12, 15),
    } | values
    async with await bot.session() as session:
        session.add(Project(organization_id=organization_id, created_at=bot.clock.now(), **fields))


async def count(bot, model) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        return await session.scalar(select(func.count()).select_from(model))


# --- /trainings --------------------------------------------------------------------------------


async def test_with_nothing_scheduled_trainings_says_there_are_none_yet(bot):
    maya = bot.user(first_name="Maya", language_code="en")
    await maya.sends("/trainings")
    assert "No trainings are scheduled yet" in maya.last_text


async def test_trainings_lists_upcoming_sessions_soonest_first_in_lima_time_without_past_or_cancelled(bot):
    await add_session(bot, title="Contabilidad para organizaciones", starts_at=THURSDAY_10_LIMA + timedelta(days=7),
                      topic=TrainingTopic.NONPROFIT_ACCOUNTING)
    await add_session(bot, title="Liderazgo comunitario", starts_at=THURSDAY_10_LIMA, capacity=30)
    await add_session(bot, title="Protección de datos", starts_at=THURSDAY_10_LIMA + timedelta(days=1),
                      topic=TrainingTopic.DATA_PROTECTION, online=True, venue="online", district=None)
    await add_session(bot, title="Sesión que ya pasó", starts_at=bot.clock.now() - timedelta(days=1))
    await add_session(bot, title="Sesión cancelada", starts_at=THURSDAY_10_LIMA, cancelled=True)

    # Anyone may look: /trainings keeps nothing, so it asks for no consent.
    maya = bot.user(first_name="Maya", language_code="en")
    await maya.sends("/trainings")
    text = plain(maya.last_text)
    assert "Upcoming trainings" in text
    assert text.index("Liderazgo comunitario") < text.index("Protección de datos") < text.index("Contabilidad para")
    assert "Topic: Leadership" in text
    assert "Thursday, November 26, 2026, 10:00 AM to 1:00 PM" in text  # 15:00 UTC is 10:00 in Lima
    assert "📍 Jr. Colón 380, Callao" in text
    assert "30 of 30 places left" in text
    assert "Topic: Data protection" in text and "💻 Online" in text
    assert "Topic: Non-profit accounting" in text
    assert "ya pasó" not in text and "cancelada" not in text


# --- /projects ---------------------------------------------------------------------------------


async def test_a_leader_sees_her_organizations_projects_with_funder_dates_and_report_due(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    organization_id = await organization_of(bot, rosa)
    await add_project(bot, organization_id)

    await rosa.sends("/projects")
    text = rosa.last_text
    assert "Projects of Mujeres Emprendedoras del Callao" in text
    assert "Huertos familiares en Carmen de la Legua" in text
    assert "Funder: OIM" in text
    assert "Dates: October 1, 2026 to March 31, 2027" in text
    assert "Report due: December 15, 2026" in text


async def test_a_leader_whose_organization_has_no_projects_is_told_so(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    await rosa.sends("/projects")
    assert "Mujeres Emprendedoras del Callao has no projects in Voces yet." in rosa.last_text


async def test_someone_without_an_organization_is_pointed_to_register(bot):
    maya = bot.user(first_name="Maya", language_code="en")
    await consented(maya)
    await maya.sends("/projects")
    assert "Register one with /register" in maya.last_text


async def test_projects_ask_for_consent_first(bot):
    maya = bot.user(first_name="Maya", language_code="en")
    await maya.sends("/projects")
    assert "accept how Voces looks after your data" in maya.last_text


# --- erasure -----------------------------------------------------------------------------------


async def test_erasing_a_leader_takes_her_organizations_projects_and_leaves_staff_sessions_without_author(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await add_project(bot, await organization_of(bot, rosa))
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await consented(staff)
    async with await bot.session() as session:
        staff_id = await session.scalar(select(User.id).where(User.telegram_id == STAFF_TELEGRAM_ID))
    await add_session(bot, title="Liderazgo comunitario", starts_at=THURSDAY_10_LIMA, created_by_id=staff_id)

    await rosa.sends("/deletedata")
    await rosa.taps("Yes, erase my data")
    assert await count(bot, Organization) == 0
    assert await count(bot, Project) == 0

    await staff.sends("/deletedata")
    await staff.taps("Yes, erase my data")
    async with await bot.session() as session:
        training = await session.scalar(select(TrainingSession))
    assert training is not None and training.created_by_id is None


# --- the playground's demo data ----------------------------------------------------------------


async def test_the_playground_seed_adds_its_sessions_and_project_once_and_new_sessions_once_they_passed(bot):
    await seed.seed(bot.runtime)
    await seed.seed(bot.runtime)
    assert await count(bot, TrainingSession) == len(seed.TRAININGS) + 2  # and the one Luis runs today, and last month's
    assert await count(bot, Project) == 4  # Rosa's under way, a comedor's proposal for staff, one closed, one declined

    maya = bot.user(first_name="Maya", language_code="en")
    await maya.sends("/trainings")
    for training in seed.TRAININGS:
        assert training.title in maya.last_text
    async with await bot.session() as session:
        project = await session.scalar(select(Project).where(Project.title == seed.PROJECT.title))
        owner = await session.scalar(
            select(User).join(Leadership, Leadership.user_id == User.id).where(Leadership.organization_id == project.organization_id)
        )
    assert owner.telegram_id == seed.LEADER.telegram_id

    # A month later every demo session has started: the next start dates new ones.
    bot.clock.advance(days=30)
    await seed.seed(bot.runtime)
    assert await count(bot, TrainingSession) == 2 * (len(seed.TRAININGS) + 1) + 1
    assert await count(bot, Project) == 4
