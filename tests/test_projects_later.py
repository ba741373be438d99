"""Projects after funding, as time goes by: a co-leader who joins later hears of the reports due
(and stops hearing once removed); a proposal document replaced or abandoned leaves the file
store; staff reopen an approved report to correct it, once, while the totals keep counting the
approved version until a new one is approved."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.console.models import AuditEntry
from bot.people.models import Role, User
from bot.projects import reports as project_reports
from bot.projects.models import ProjectEvent, ReportStatus
from tests.flows import consented, invite_link
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_projects import (
    PEOPLE,
    a_report,
    funded_project,
    organization_of,
    project_reports_total,
    proposal_at_the_document_step,
)


async def test_a_co_leader_who_joins_after_funding_is_reminded_of_the_report_until_she_is_removed(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await funded_project(bot, await organization_of(bot, rosa))
    await rosa.sends("/invite")
    maria = bot.user(first_name="María", language_code="es")
    await consented(maria)
    await maria.sends(f"/start {invite_link(rosa.last_text)}")
    assert "Ahora eres dirigente" in maria.last_text

    bot.clock.set(datetime(2026, 12, 24, 15, 1, tzinfo=UTC))  # 10:01 in Lima, 7 days before report 1 is due
    await bot.run_reminders()
    assert "in 7 days" in rosa.last_text
    assert "El informe 1" in maria.last_text and "vence el 31 de diciembre de 2026, en 7 días" in maria.last_text

    await rosa.sends("/myorg")
    await rosa.taps("Leaders")
    await rosa.taps("Remove María")
    seen = len(maria.messages)
    bot.clock.set(datetime(2026, 12, 30, 15, 1, tzinfo=UTC))
    await bot.run_reminders()
    assert "in 1 day." in rosa.last_text
    assert len(maria.messages) == seen  # no longer a leader: nothing more about its reports


async def test_a_proposal_document_replaced_or_left_with_a_fresh_start_leaves_the_file_store(bot):
    rosa = bot.user(first_name="Rosa", language_code="en")
    await consented(rosa)
    await organization_of(bot, rosa)
    await proposal_at_the_document_step(rosa)
    await rosa.uploads_document(b"%PDF-1.4 first draft, with the mothers' names", "borrador.pdf", "application/pdf")
    first = list(bot.storage_dir.rglob("*.enc"))
    assert len(first) == 1

    await rosa.taps("Edit an answer")                    # a better document instead of the first one
    await rosa.taps("Document")
    await rosa.uploads_document(b"%PDF-1.4 the proposal as sent", "propuesta.pdf", "application/pdf")
    assert "propuesta.pdf" in rosa.last_text
    second = list(bot.storage_dir.rglob("*.enc"))
    assert len(second) == 1 and second != first and not first[0].exists()

    await rosa.sends("/propose")                         # and then she starts over
    await rosa.taps("Start over")
    assert "What is the project called?" in rosa.last_text
    assert list(bot.storage_dir.rglob("*.enc")) == []


async def an_approved_report(bot, project_id: int) -> int:
    async with await bot.session() as session:
        report = (await project_reports.reports_of(session, project_id=project_id))[0]
        report.activities = [{"date": "2026-12-05", "place": "Parque", "what": "Planting"}]
        report.beneficiaries, report.spent_cents, report.difficulties, report.lessons = PEOPLE, 80000, "Rain", "Earlier"
        report.status, report.version, report.submitted_at = ReportStatus.APPROVED, 1, bot.clock.now()
        report.approved_version, report.approved_beneficiaries, report.approved_spent_cents = 1, PEOPLE, 80000
        return report.id


async def test_staff_reopen_an_approved_report_once_and_the_totals_keep_the_approved_version_until_a_new_one(bot):
    rosa = bot.user(first_name="Rosa", language_code="es")
    await consented(rosa)
    project_id = await funded_project(bot, await organization_of(bot, rosa))
    report_id = await an_approved_report(bot, project_id)
    lucia = bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="en")
    await lucia.sends("/start")
    jorge = bot.user(first_name="Jorge", language_code="en")
    await consented(jorge)
    async with await bot.session() as session:
        (await session.scalar(select(User).where(User.telegram_id == jorge.id))).role = Role.STAFF

    # Lucía opens the approved report from the project's card and reopens it, with a reason.
    await lucia.sends("/proposals")
    await lucia.taps("Huertos familiares")
    await lucia.taps("Open report 1")
    await lucia.taps("Reopen for changes")
    assert "Why reopen this approved report?" in lucia.last_text
    await lucia.sends("x")
    assert "at least" in lucia.last_text                 # too short: asked again
    await lucia.sends("The 12 Venezuelan people were counted twice.")
    assert "The leaders will read:" in lucia.last_text and "counted twice" in lucia.last_text
    await lucia.sends("Venezuelan people were counted twice; please check.")  # written again: replaces the reason
    # Jorge has the same card open and confirms his own reason at the same moment.
    await jorge.taps_data(f"rep:ro:{report_id}:1")
    await jorge.sends("Check the Venezuelan count.")
    seen = len(rosa.messages)
    await asyncio.gather(lucia.taps("Yes, reopen it"), jorge.taps("Yes, reopen it"))
    assert sum("Reopened for changes" in person.last_text for person in (lucia, jorge)) == 1
    assert sum("already reopened" in (person.last_alert or "") for person in (lucia, jorge)) == 1
    reason = "counted twice" if "Reopened" in lucia.last_text else "Check the Venezuelan count."  # whoever came first
    await lucia.taps_data(f"rep:rok:{report_id}:1")    # the same tap again
    assert "already reopened" in lucia.last_alert
    await lucia.taps_data(f"rep:rok:{report_id}")      # forged, without the version
    assert lucia.last_alert == "This button is no longer active."

    assert len(rosa.messages) == seen + 1                # told once, in Spanish
    assert "El programa reabrió para cambios el informe 1" in rosa.last_text and reason in rosa.last_text
    report = await a_report(bot, project_id, 1)
    assert report.status is ReportStatus.CHANGES_REQUESTED and report.approved_version == 1
    assert await project_reports_total(bot) == 22        # the approved version still counts
    async with await bot.session() as session:
        events = list(await session.scalars(select(ProjectEvent).where(ProjectEvent.report_id == report_id)))
        audited = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.action == "report.reopened")))
    assert [(e.from_status, e.to_status) for e in events] == [("approved", "changes")] and audited == ["report.reopened"]

    # Rosa corrects the Venezuelan people and sends it again: still 22 until staff approve.
    await rosa.taps("Hacer los cambios")
    await rosa.taps("Cambiar una parte")
    await rosa.taps("Personas alcanzadas")
    for answer in ("10", "6 4 0", "1 2 3 0", "1 1 1 1", "6", "6 0 0", "1 1 3 1", "0"):
        await rosa.sends(answer)
    await rosa.taps("Enviar al programa")
    assert await project_reports_total(bot) == 22
    await lucia.taps_data(f"rep:ok:{report_id}:2")
    assert await project_reports_total(bot) == 16


async def test_in_the_playground_carmen_reopens_rosas_approved_report_and_the_programme_still_counts_it(bot):
    from bot.playground import seed

    await seed.seed(bot.runtime)
    carmen = bot.user(seed.STAFF.telegram_id, first_name="Carmen", language_code="es")
    rosa = bot.user(seed.LEADER.telegram_id, first_name="Rosa", language_code="es")
    await carmen.sends("/propuestas")
    await carmen.taps("Huertos familiares")
    await carmen.taps("Abrir el informe 1")
    await carmen.taps("Reabrir para cambios")
    await carmen.sends("Falta la feria del segundo mes en las actividades.")
    await carmen.taps("Sí, reabrirlo")
    assert "Reabierto para cambios" in carmen.last_text
    assert "Falta la feria del segundo mes" in rosa.last_text and "✏️ Hacer los cambios" in rosa.buttons
    assert await project_reports_total(bot) == 34
