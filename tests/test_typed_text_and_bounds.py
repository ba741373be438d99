"""What people type comes back as they typed it, and what a leader or coordinator can make the
bot store has sensible bounds, each refused with a clear message and the same question again.

Messages are HTML: a `<`, a `&` or a `</b>` repeated raw makes Telegram refuse the message
(and the person would get the generic apology instead of the answer).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.broadcasts.models import Broadcast, BroadcastState
from bot.organizations.models import BoardMember, BoardRole, Organization
from bot.projects.models import Project, ProjectReport, ProjectStatus, ProjectTheme
from tests.flows import consented, newtraining_in_person_up_to_the_district
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import coordinator, leaders_in
from tests.test_projects import organization_of

TYPED = "Taller <3 & </b> de <i>líderes"


def no_apology(person) -> None:  # noqa: ANN001
    assert not any("Sorry, something failed" in text for text in person.texts_since_last_action), person.texts_since_last_action


async def test_markup_characters_typed_in_trainings_projects_the_console_and_broadcasts_come_back_as_typed(bot):
    luis = await coordinator(bot)
    await luis.sends("/newtraining")
    await luis.taps("Leadership")
    await luis.sends(TYPED)                                         # the title
    await luis.sends("A & B <b>not bold</b>")                       # the description
    await luis.taps("In person")
    await luis.sends("Casa <Juventud> & Co")                        # the place
    await luis.sends("Comas")
    await luis.sends("26/11/2026 10:00")
    await luis.sends("13:00")
    await luis.sends("20")
    await luis.taps("Skip")
    await luis.taps("No, anyone can come")
    no_apology(luis)
    summary = luis.last_text
    assert TYPED in summary and "A & B <b>not bold</b>" in summary and "Casa <Juventud> & Co" in summary
    await luis.taps("Save")
    await luis.sends("/start " + luis.last_text.rsplit("start=", 1)[1])  # the session's card, from its link
    no_apology(luis)
    assert TYPED in luis.last_text and "Casa <Juventud> & Co" in luis.last_text

    # A leader proposes a project; staff comment on it and find the organization in the console.
    rosa = bot.user(first_name="Rosa <3 & </b>", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa, name="Mujeres <Unidas> & </b> Callao")
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await staff.sends("/start")
    await rosa.sends("/propose")
    await rosa.sends(TYPED)
    await rosa.taps("Women's enterprise")
    await rosa.sends("Mothers <all> & their </b> daughters grow vegetables.")
    await rosa.sends("40 mothers & <daughters>")
    await rosa.sends("comas")
    await rosa.taps("Comas")
    await rosa.sends("01/12/2026")
    await rosa.sends("28/02/2027")
    await rosa.sends("2500")
    await rosa.taps("Skip")
    no_apology(rosa)
    assert TYPED in rosa.last_text and "Mothers <all> & their </b> daughters" in rosa.last_text
    await rosa.taps("Send to the programme")
    assert f"sent a project proposal: {TYPED}" in staff.last_text
    await staff.sends("/proposals")
    await staff.taps("Taller <3 & </b> de")  # the button shows the first words, the list above the whole title
    await staff.taps("Comment")
    await staff.sends("Say how many <fairs> & </b> markets.")
    no_apology(staff)
    assert "Say how many <fairs> & </b> markets." in rosa.last_text
    await staff.sends("/org <Unidas> &")                            # the console's search
    no_apology(staff)
    assert "Mujeres <Unidas> & </b> Callao" in staff.last_text
    await staff.sends("/org </b>nadie")
    no_apology(staff)
    assert "</b>nadie" in staff.last_text
    async with await bot.session() as session:
        assert await session.scalar(select(Project.title)) == TYPED

    # A broadcast: its text on the card, and a line of buttons that cannot be read, quoted.
    await luis.sends("/broadcast")
    await luis.taps("✏️ Español")
    await luis.sends(TYPED)
    no_apology(luis)
    assert f"Español: {TYPED}" in luis.last_text                   # on the card, as typed
    await luis.taps("🔘 Buttons")
    await luis.sends("Inscríbete <3 & </b> sin enlace")            # a line that cannot be read
    no_apology(luis)
    assert "I could not read this line: Inscríbete <3 & </b> sin enlace." in luis.texts_since_last_action[0]
    await luis.sends("A & B </b> | https://example.org/?a=1&b=2")
    no_apology(luis)
    assert "🔘 A & B </b> → https://example.org/?a=1&b=2" in luis.last_text


# --- bounds: the test clock reads Monday 23 November 2026 --------------------------------------------


async def test_dates_counts_and_schedules_out_of_bounds_are_refused_and_the_same_question_asked_again(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    organization_id = await organization_of(bot, rosa)
    await rosa.sends("/propose")
    for answer in ("Huertos familiares", None, "Mothers grow vegetables together.", "40 mothers", "comas"):
        await (rosa.taps("Women's enterprise") if answer is None else rosa.sends(answer))
    await rosa.taps("Comas")
    await rosa.sends("01/12/2126")                                  # a century ahead
    assert "at most two years from now: send a date from 23/11/2025 to 23/11/2028" in rosa.last_text
    assert "When will it start?" in rosa.last_text
    await rosa.sends("01/12/2026")
    await rosa.sends("30/11/2126")                                  # 1 200 monthly reports
    assert "A project lasts at most 3 years: send an end date from 01/12/2026 to 01/12/2029" in rosa.last_text
    assert "When will it end?" in rosa.last_text
    await rosa.sends("30/11/2029")
    assert "How much" in rosa.last_text or "amount" in rosa.last_text.lower()

    # A board's term: began at most six years ago, lasts at most six.
    await rosa.taps_data("org:field:term")
    await rosa.sends("01/01/2015")
    assert "Send the start of the current board's term, from 23/11/2020 to 23/11/2027" in rosa.texts_since_last_action[0]
    await rosa.sends("01/03/2025")
    await rosa.sends("01/03/2045")
    assert "A board's term lasts at most 6 years" in rosa.texts_since_last_action[0]
    await rosa.sends("01/03/2027")
    async with await bot.session() as session:
        organization = await session.get(Organization, organization_id)
        assert (organization.board_term_start, organization.board_term_end) == (date(2025, 3, 1), date(2027, 3, 1))

    # A board of forty is full: said before any question about a forty-first.
    async with await bot.session() as session:
        session.add_all([BoardMember(organization_id=organization_id, position=n, role=BoardRole.OTHER, full_name=f"Socia {n}",
                                     id_document_type="DNI", id_number_encrypted=bot.runtime.cipher.encrypt(f"{n:08d}"))
                         for n in range(40)])
    await rosa.taps_data("org:addboard")
    assert "A board has at most 40 members in Voces" in rosa.last_text

    # A project proposed before the dates were bounded: five years of monthly reports are refused.
    async with await bot.session() as session:
        legacy = Project(organization_id=organization_id, title="Huertos de siempre", theme=ProjectTheme.WOMEN_ENTERPRISE,
                         status=ProjectStatus.SELECTED, starts_on=date(2026, 12, 1), ends_on=date(2031, 11, 30),
                         created_at=bot.clock.now())
        session.add(legacy)
    staff = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await staff.sends("/start")
    await staff.sends("/proposals")
    await staff.taps("Huertos de siempre")
    await staff.taps("Fund")
    await staff.sends("2000")
    await staff.taps("Monthly reports")
    assert "That would be 60 reports, and a project has at most 36" in staff.last_text
    assert "How often will they report?" in staff.last_text
    await staff.taps("Quarterly reports")
    assert "Its registration has not been verified yet" in staff.last_text   # asked once, and why
    await staff.taps("✅ Yes, fund it")
    async with await bot.session() as session:
        assert await session.scalar(select(func.count()).select_from(ProjectReport)) == 20


async def test_a_session_a_year_away_too_many_places_and_a_broadcast_months_away_are_refused(bot):
    luis = await coordinator(bot)
    await newtraining_in_person_up_to_the_district(luis, "Casa de la Juventud")
    await luis.sends("Comas")
    await luis.sends("26/11/2126 10:00")
    assert "Sessions are planned at most a year ahead. Send a date and time before 23/11/2027." in luis.texts_since_last_action[0]
    await luis.sends("26/11/2026 10:00")
    await luis.sends("13:00")
    await luis.sends("100000")
    assert "Send a number from 0 to 500." in luis.texts_since_last_action[0]
    await luis.sends("500")
    await luis.taps("Skip")
    await luis.taps("No, anyone can come")
    assert "Places: 500" in luis.last_text

    await leaders_in(bot, "070101", "es")
    await luis.sends("/broadcast")
    await luis.taps("✏️ Español")
    await luis.sends("Hola")
    await luis.taps("👥 Audience")
    await luis.taps("▫️ All leaders")
    await luis.taps("⬅️ Back")
    await luis.taps("🕒 Schedule")
    await luis.sends("01/12/2126 10:00")
    assert "A broadcast is scheduled at most 90 days ahead. Write a day before 21/02/2027." in luis.last_text
    async with await bot.session() as session:
        assert await session.scalar(select(Broadcast.state)) is BroadcastState.DRAFT
    await luis.sends("01/12/2026 10:00")
    async with await bot.session() as session:
        assert await session.scalar(select(Broadcast.state)) is not BroadcastState.DRAFT
