"""/propose and /report as domain step machines (bot/projects/drafts.py, report_drafts.py): the
step is kept with the draft (the proposal's ProjectDraft, the report row) and the report a
leader has open is a row, no longer the chat's user data. Someone halfway through when the bot
is upgraded finishes with the same texts, buttons and state names: a proposal draft and its
conversation row as the old code wrote them, and a report opened when the chat remembered it in
its user data (`report_open`), adopted at the next answer, or moved by the migration.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select

from bot.core.conversation_models import ChannelUserData, ConversationStep
from bot.core.conversations import encode_key
from bot.people.models import User
from bot.projects.models import Project, ProjectDraft, ProjectReport, ReportWriter
from tests.flows import consented
from tests.test_projects import a_report, funded_project, organization_of

MIGRATION = Path(__file__).parent.parent / "migrations" / "versions" / "0a7e5c3d9b21_the_report_a_leader_has_open.py"


def the_migration():  # noqa: ANN201 - the module
    spec = importlib.util.spec_from_file_location("report_writers_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def as_the_old_code_left_it(bot, telegram_id: int, report_id: int) -> None:
    """With the bot stopped: no row for the open report, the chat's user data naming it."""
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
        writer = await session.get(ReportWriter, user_id)
        assert writer is not None and writer.report_id == report_id   # the new code keeps it in a row
        await session.delete(writer)
        await session.merge(ChannelUserData(user_id=telegram_id, data={"report_open": report_id}))


async def test_a_leader_halfway_through_a_proposal_and_a_report_when_the_bot_is_upgraded_finishes_both(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    organization_id = await organization_of(bot, rosa)
    project_id = await funded_project(bot, organization_id)
    report_id = (await a_report(bot, project_id, 1)).id

    # A proposal draft at the district question, with its conversation row, as the old code wrote them.
    now = bot.clock.now()
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == rosa.id))
        session.add(ProjectDraft(user_id=user_id, organization_id=organization_id, step="district", updated_at=now, answers={
            "title": "Ollas comunes", "theme": "wellbeing_family", "objective": "Cook together every week for the families.",
            "population": "30 families"}))
        session.add(ConversationStep(flow="propose", key=encode_key((rosa.id, rosa.id)), step="district", updated_at=now))
    await bot.restart()
    await rosa.sends("comas")
    assert "Which of these is it?" in rosa.last_text and "Comas (Lima)" in rosa.buttons
    await rosa.taps("Comas (Lima)")
    assert "When will it start?" in rosa.last_text
    await rosa.sends("01/01/2031")                                    # out of bounds: said, and asked again
    assert "A project starts at most a year ago" in rosa.last_text and "When will it start?" in rosa.last_text
    await rosa.sends("01/01/2027")
    await rosa.sends("30/06/2027")
    await rosa.sends("1800")
    await rosa.uploads_photo(b"not a document")                       # a photo is not the proposal document
    assert "not as a photo" in rosa.last_text and "If you have the full proposal" in rosa.last_text
    await rosa.taps("Skip")
    assert "Please check the proposal" in rosa.last_text and "Amount requested: S/ 1,800.00" in rosa.last_text
    await rosa.taps("Edit an answer")
    await rosa.taps("Amount")
    await rosa.sends("1900")
    assert "Please check the proposal" in rosa.last_text and "S/ 1,900.00" in rosa.last_text
    async with await bot.session() as session:
        steps = list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "propose")))
        assert steps == ["summary"]                                    # the same conversation and state names
    await rosa.taps("Send to the programme")
    assert "Proposal sent" in rosa.last_text

    # The report: opened, two answers, then the bot stops and comes back as the old code left it.
    await rosa.sends("/report")
    await rosa.taps("report 1")
    await rosa.sends("05/12/2026")
    await rosa.sends("Parque zonal")
    assert "What was done?" in rosa.last_text
    async with await bot.session() as session:
        steps = list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "report")))
        assert steps == ["act_what"]
    await bot.stop()
    await as_the_old_code_left_it(bot, rosa.id, report_id)
    await bot.start()
    await rosa.sends("Planting day with the mothers")
    assert "Was there another activity in this period?" in rosa.last_text
    async with await bot.session() as session:
        assert (await session.get(ReportWriter, user_id)).report_id == report_id   # adopted
        kept = await session.get(ChannelUserData, rosa.id)
        assert kept is None or "report_open" not in kept.data                       # and forgotten there
    await rosa.taps("That is all")
    await rosa.sends("3")
    await rosa.sends("2 2 0")                                         # bad input: said, and asked again
    assert "The split by sex adds up to 4, but you said 3 Peruvian people took part." in rosa.last_text

    # The migration moves what the chat remembered into the row, too (here, with the bot stopped).
    await bot.stop()
    await as_the_old_code_left_it(bot, rosa.id, report_id)
    async with bot.runtime.database.engine.begin() as connection:
        assert await connection.run_sync(the_migration().move_open_reports) == 1
    await bot.start()
    await rosa.sends("2 1 0")
    for answer in ("1 1 0 0", "0 0 1 0", "0", "0", "120", "Rain.", "Plant earlier."):
        await rosa.sends(answer)
    assert "children can be recognised" in rosa.last_text
    await rosa.taps("Done")
    assert "Please check the report:" in rosa.last_text and "People reached: 3" in rosa.last_text
    await rosa.taps("Submit to the programme")
    assert "Report sent" in rosa.last_text
    async with await bot.session() as session:
        assert (await session.get(ProjectReport, report_id)).submitted_at is not None
        assert await session.get(ReportWriter, user_id) is None          # nothing open any more
        assert await session.scalar(select(Project.title).where(Project.title == "Ollas comunes")) == "Ollas comunes"
