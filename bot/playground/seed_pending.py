"""Work waiting for the playground's staff member, so that Carmen's /pending has one of each
kind to act on, besides the registrations to verify: a RUOS document to review (Yohana's
election minutes, the one her organization was asked for), a proposal to decide on (Maribel's
comedor) and a broadcast to approve (Luis's announcement to "all leaders", which for him, a
coordinator of Callao and San Juan de Lurigancho, is the leaders of those two districts; Carmen,
staff, follows every district, so it is hers to approve). Each is added only
while it is missing altogether: once Carmen has acted on it, it stays as she left it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import ruos
from bot.broadcasts.models import Broadcast, BroadcastState, MessageKind
from bot.core.runtime import Runtime
from bot.organizations.models import Leadership, Organization
from bot.people.models import User
from bot.projects.models import Project, ProjectEvent, ProjectStatus, ProjectTheme, ReportFrequency
from bot.ruos.models import StoredFile

MINUTES_ITEM = "acta-eleccion"
PROPOSAL_TITLE = "Cocina mejorada para la olla común"
ANNOUNCEMENT = {
    "es": "📣 Hay nuevas capacitaciones para dirigentes: mira las fechas e inscríbete con /capacitaciones.",
    "en": "📣 New trainings for leaders: see the dates and enroll with /trainings.",
}


async def add_missing(
    session: AsyncSession, *, runtime: Runtime, uploader: User, proposer: User, coordinator: User, now: datetime
) -> None:
    await _minutes_to_review(session, runtime, uploader, now)
    await _proposal_to_decide(session, proposer, now)
    await _broadcast_to_approve(session, coordinator, now)


async def _organization_of(session: AsyncSession, user: User) -> Organization | None:
    led = select(Leadership.organization_id).where(Leadership.user_id == user.id).order_by(Leadership.acting.desc())
    organization_id = await session.scalar(led.limit(1))
    return await session.get(Organization, organization_id) if organization_id is not None else None


async def _minutes_to_review(session: AsyncSession, runtime: Runtime, uploader: User, now: datetime) -> None:
    organization = await _organization_of(session, uploader)
    if organization is None:
        return
    if await session.scalar(select(StoredFile.id).where(StoredFile.organization_id == organization.id).limit(1)) is not None:
        return
    procedure, _fallback = ruos.ruos_procedure(runtime.requirements, organization)
    requirement = ruos.requirement_of(procedure, MINUTES_ITEM)
    upload = ruos.Upload(content=_minutes_pdf(organization.name), original_name="acta-eleccion.pdf", telegram_file_id=None, media_group_id=None)
    await ruos.record_upload(session, store=runtime.files, organization_id=organization.id, procedure=procedure,
                             requirement=requirement, upload=upload, uploader=uploader, now=now - timedelta(hours=5))


def _minutes_pdf(organization_name: str) -> bytes:
    """A one-page demonstration document: what a leader would photograph or scan."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 12, "Acta de elección de la junta directiva", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 7, (
        f"{organization_name}\n\n"
        "En asamblea general, con la presencia de 21 socias y socios, se eligió la junta directiva "
        "para el periodo 2025-2027: presidenta, secretario y tesorera.\n\n"
        "Documento de demostración del playground de Voces: no contiene datos reales."
    ))
    return bytes(pdf.output())


async def _proposal_to_decide(session: AsyncSession, proposer: User, now: datetime) -> None:
    organization = await _organization_of(session, proposer)
    if organization is None:
        return
    if await session.scalar(select(Project.id).where(Project.organization_id == organization.id).limit(1)) is not None:
        return
    today = now.date()
    project = Project(
        organization_id=organization.id, title=PROPOSAL_TITLE, status=ProjectStatus.PROPOSAL,
        summary="Una cocina mejorada a gas para la olla común, que hoy cocina a leña para 60 familias.",
        objective="Cocinar sin humo y con menos gasto para 60 familias peruanas y venezolanas de Collique.",
        target_population="60 familias de Collique, Comas; la mitad con niñas y niños pequeños",
        theme=ProjectTheme.PRIMARY_HEALTH, district_ubigeo=organization.district_ubigeo,
        starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=150),
        requested_cents=180_000, report_frequency=ReportFrequency.MONTHLY,
        proposed_by_id=proposer.id, sent_at=now - timedelta(days=2), created_at=now - timedelta(days=3), updated_at=now - timedelta(days=2),
    )
    session.add(project)
    await session.flush()
    session.add(ProjectEvent(project_id=project.id, actor_id=proposer.id, from_status=None,
                             to_status=ProjectStatus.PROPOSAL.value, at=now - timedelta(days=2)))


async def _broadcast_to_approve(session: AsyncSession, coordinator: User, now: datetime) -> None:
    seeded = select(Broadcast.id).where(Broadcast.author_id == coordinator.id, Broadcast.kind == MessageKind.ANNOUNCEMENTS)
    if await session.scalar(seeded.limit(1)) is not None:
        return
    # "All leaders" of Luis's two districts (bot/broadcasts/audience.author_scope): above
    # the approval threshold in a real programme, so it waits for Carmen.
    session.add(Broadcast(
        author_id=coordinator.id, state=BroadcastState.AWAITING_APPROVAL, kind=MessageKind.ANNOUNCEMENTS,
        texts=dict(ANNOUNCEMENT), audience={"leaders": ["yes"]}, buttons=[], created_at=now - timedelta(hours=2), send_at=None,
    ))
