"""The projects on WhatsApp through the Cloud API stand-in, on the same step machine and screens as
Telegram: a leader proposes a project end to end with /proponer (a refused answer asked again,
a district chosen among those matching, the summary card, sent), staff are told through the
outbox, and /proyectos lists it and opens its card; someone who leads nothing is told so. A leader
writes a funded project's report with /informe, photos as evidence (fetched by media id, the same one
kept once), and submits it; staff are told."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.messaging.models import Reminder
from bot.organizations.models import Organization
from bot.people.models import Role, User
from bot.projects.models import (
    Project,
    ProjectFile,
    ProjectReport,
    ProjectStatus,
    ProjectTheme,
    ReportStatus,
)
from tests.test_ruos import picture
from tests.whatsapp_harness import consented, leading_in_callao, wa  # noqa: F401 - the fixture

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_a_leader_proposes_a_project_on_whatsapp_and_staff_are_told(wa):  # noqa: F811
    assert ("proponer", "Proponer un proyecto comunitario") in wa.standin.commands  # on the "/" list
    ana, luis = wa.person("Ana Torres"), wa.person("Luis")
    await consented(ana)
    await consented(luis)
    await luis.writes("/proponer")                          # he leads nothing: said so
    assert "/registrar" in luis.last.text
    await leading_in_callao(wa, ana)
    async with wa.session() as session:
        now = wa.clock.now()
        session.add(User(telegram_id=777, language="es", role=Role.STAFF, first_seen=now, last_seen=now))

    await ana.writes("/proponer")
    assert "Mujeres del Callao" in " ".join(ana.texts) and "¿Cómo se llama el proyecto?" in ana.last.text
    await ana.writes("Huertos familiares")
    assert ana.choices[0].id.startswith("prj:theme:")
    await ana.presses(ana.choices[0].id)
    await ana.writes("Que 40 familias cultiven sus verduras.")
    await ana.writes("40 madres del barrio")
    await ana.writes("callao")                              # the districts matching: chosen
    district = next(c.id for c in ana.choices if c.id.startswith("prj:district:"))
    await ana.presses(district)
    await ana.writes("01/02/2027")
    await ana.writes("31/07/2027")
    await ana.writes("mucho")                               # not an amount: said so, asked again
    assert "⚠️" in ana.last.text and "soles" in ana.last.text
    await ana.writes("/cancelar")                           # paused: the answers stay saved
    assert "/proponer" in ana.texts[0]
    await ana.writes("/proponer")
    await ana.presses("prj:resume")
    assert "soles" in ana.last.text
    await ana.writes("2500")
    await ana.sends_image(picture("red"))                  # a photo: the document asked for again
    assert "⚠️" in ana.last.text and "prj:skipdoc" in {c.id for c in ana.choices}
    await ana.sends_document(PDF, "propuesta.pdf")          # fetched by its media id, kept
    assert "Huertos familiares" in ana.last.text and "prj:send" in {c.id for c in ana.choices}
    assert "<b>" not in ana.last.text
    await ana.presses("prj:send")
    assert "Propuesta enviada" in ana.last.text

    async with wa.session() as session:
        project = await session.scalar(select(Project))
        document = await session.scalar(select(ProjectFile))
        notices = [r.payload["about"] for r in await session.scalars(select(Reminder))]
    assert project.title == "Huertos familiares" and project.status is ProjectStatus.PROPOSAL
    assert project.sent_at is not None and project.requested_cents == 250000
    assert document.project_id == project.id and wa.runtime.files.read(document.storage_path) == PDF
    assert "project.sent" in notices                        # the staff member's notice, in the outbox

    await ana.writes("/proyectos")
    assert "Huertos familiares" in ana.last.text and f"prj:open:{project.id}" in {c.id for c in ana.choices}
    await ana.presses(f"prj:open:{project.id}")
    assert "Mujeres del Callao" in ana.last.text and "Huertos familiares" in ana.last.text
    await ana.presses(f"prj:doc:{project.id}")              # its document, as a document
    assert ana.files[-1].content == PDF and ana.files[-1].file_name.endswith(".pdf")
    await luis.writes("/proyectos")                         # he leads nothing: said so
    assert "Huertos familiares" not in luis.last.text and "/registrar" in luis.last.text


async def test_a_leader_reports_on_a_funded_project_with_photos_on_whatsapp(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await leading_in_callao(wa, ana)
    now = wa.clock.now()
    async with wa.session() as session:
        organization_id = await session.scalar(select(Organization.id))
        project = Project(organization_id=organization_id, title="Huertos familiares", theme=ProjectTheme.WOMEN_ENTERPRISE,
                          status=ProjectStatus.FUNDED, starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 30),
                          granted_cents=200000, created_at=now)
        session.add(project)
        await session.flush()
        report = ProjectReport(project_id=project.id, number=1, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
                               due_on=date(2026, 10, 31), scratch={}, activities=[], beneficiaries={}, updated_at=now)
        session.add(report)
        await session.flush()
        report_id = report.id
        session.add(User(telegram_id=777, language="es", role=Role.STAFF, first_seen=now, last_seen=now))

    await ana.writes("/informe")
    await ana.presses(f"rep:go:{report_id}")
    await ana.writes("05/10/2026")
    await ana.writes("Parque zonal")
    await ana.writes("Día de siembra con las madres")
    await ana.presses("rep:nomore")
    await ana.writes("2")                                   # Peruvian people…
    await ana.writes("1 1")                                 # …split by sex: three numbers asked again
    assert "⚠️" in ana.last.text
    for answer in ("1 1 0", "0 1 0 0", "0 1 0 0", "0", "0", "150", "Llovió mucho.", "Empezar antes."):
        await ana.writes(answer)
    await ana.sends_image(picture("red"))                  # evidence, fetched by its media id
    assert "Archivos recibidos para este informe: 1" in ana.last.text and "rep:evdone" in {c.id for c in ana.choices}
    await ana.sends_image(picture("red"))                  # the same photo again: kept once
    assert "rep:evdone" in {c.id for c in ana.choices}
    await ana.sends_image(picture("green"))
    await ana.presses("rep:evdone")
    assert "Huertos familiares" in ana.last.text and "rep:submit" in {c.id for c in ana.choices}
    await ana.presses("rep:submit")
    assert "Informe enviado" in ana.last.text

    async with wa.session() as session:
        sent = await session.get(ProjectReport, report_id)
        evidence = list(await session.scalars(select(ProjectFile).where(ProjectFile.report_id == report_id)))
        notices = [r.payload["about"] for r in await session.scalars(select(Reminder))]
    assert sent.status is ReportStatus.SUBMITTED and sent.spent_cents == 15000
    assert len(evidence) == 2 and len({f.sha256 for f in evidence}) == 2
    assert notices == ["report.sent"]                       # the staff member's notice, in the outbox

    await ana.writes("/proyectos")                          # approved (by staff, on Telegram): its PDF
    await ana.presses(f"prj:open:{project.id}")
    assert f"rep:pdf:{report_id}" not in {c.id for c in ana.choices}
    async with wa.session() as session:
        approved = await session.get(ProjectReport, report_id)
        approved.status, approved.approved_version, approved.reviewed_at = ReportStatus.APPROVED, approved.version, now
        approved.approved_beneficiaries, approved.approved_spent_cents = approved.beneficiaries, approved.spent_cents
    await ana.presses(f"prj:open:{project.id}")
    await ana.presses(f"rep:pdf:{report_id}")
    assert ana.files[-1].content.startswith(b"%PDF") and ana.files[-1].file_name.endswith(".pdf")
