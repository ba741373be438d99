"""The projects on WhatsApp through the Cloud API stand-in, on the same step machine and screens as
Telegram: a leader proposes a project end to end with /proponer (a refused answer asked again,
a district chosen among those matching, the summary card, sent), staff are told through the
outbox, and /proyectos lists it and opens its card; someone who leads nothing is told so."""

from __future__ import annotations

from sqlalchemy import select

from bot.messaging.models import Reminder
from bot.people.models import Role, User
from bot.projects.models import Project, ProjectFile, ProjectStatus
from tests.test_questions_whatsapp import leading_in_callao
from tests.test_ruos import picture
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture

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
    await luis.writes("/proyectos")                         # he leads nothing: said so
    assert "Huertos familiares" not in luis.last.text and "/registrar" in luis.last.text
