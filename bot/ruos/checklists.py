"""The RUOS and formalization checklists: statuses, readiness and the next step.

What each procedure asks for comes from the requirements catalogue (bot/ruos/requirements.py); the
district decides the RUOS list, and a district without a list of its own gets its province's,
which the checklist says (`Checklist.fallback`).

Readiness is the share of the procedure's *required* items that are done, where an item the
programme staff verified counts fully and an item uploaded but not yet reviewed counts half:
100 % means staff checked every required document. Missing and rejected items count nothing;
optional items do not count.

Identity documents: where the board holds documents other than the DNI and the procedure's
text names only the DNI, the checklist lists those documents (`id_documents_at_risk`) so the
leader is told early. Whether a municipality accepts them is not confirmed anywhere, and the
bot never says they are accepted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.organizations.models import Organization
from bot.ruos.models import (
    ChecklistItem,
    ItemStatus,
    RegistrationStage,
    RuosRegistration,
    StoredFile,
)
from bot.ruos.requirements import (
    IDENTITY_DOCUMENTS,
    Procedure,
    ProcedureKind,
    Requirement,
    RequirementsCatalogue,
)
from bot.ruos.shared import RuosError

# A registered organization's board renewal is "due" this long before its term ends.
RENEWAL_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class ItemView:
    requirement: Requirement
    status: ItemStatus
    pages: int
    rejection_reason: str | None

    @property
    def outstanding(self) -> bool:
        """Required and nothing usable sent: missing, or rejected."""
        return self.requirement.required and self.status in (ItemStatus.MISSING, ItemStatus.REJECTED)


@dataclass(frozen=True)
class Readiness:
    required: int
    verified: int
    uploaded: int

    @property
    def fraction(self) -> float:
        """Verified items count fully, uploaded ones half (see the module docstring)."""
        if self.required == 0:
            return 1.0
        return (self.verified + self.uploaded / 2) / self.required

    @property
    def percent(self) -> int:
        # Rounded down, so 100 % is shown only when staff verified every required item.
        return math.floor(self.fraction * 100)


class NextStepKind(StrEnum):
    SEND_AGAIN = "send_again"  # a required item was rejected
    SEND = "send"  # a required item is missing
    WAIT_FOR_REVIEW = "wait_for_review"
    SUBMIT = "submit"  # every required item verified: hand in the request
    WAIT_FOR_MUNICIPALITY = "wait_for_municipality"
    ANSWER_OBSERVATIONS = "answer_observations"
    RENEW_BOARD = "renew_board"
    FORMALIZE = "formalize"  # registered in the RUOS: Registros Públicos and SUNAT come next
    COMPLETE = "complete"  # a formalization step with every item verified


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    requirement: Requirement | None = None
    by: date | None = None


@dataclass(frozen=True)
class RegistrationView:
    stage: RegistrationStage
    renewal_due: bool
    expediente: str | None = None
    submitted_on: date | None = None
    observations: str | None = None
    observation_deadline: date | None = None
    ruos_number: str | None = None
    resolution_date: date | None = None


@dataclass(frozen=True)
class Checklist:
    organization_id: int
    organization_name: str
    district_ubigeo: str
    board_term_end: date
    procedure: Procedure
    # The district has no list of its own: this is its province's, and the leader is told.
    fallback: bool
    items: tuple[ItemView, ...]
    readiness: Readiness
    # The board's documents other than the DNI, when the procedure's text names only the DNI.
    id_documents_at_risk: tuple[str, ...]
    registration: RegistrationView | None  # for the RUOS list only
    next_step: NextStep

    def item(self, code: str) -> ItemView:
        for view in self.items:
            if view.requirement.code == code:
                return view
        raise RuosError(N_("That requirement is no longer on the list. Open /ruos to see the current one."))


def ruos_procedure(catalogue: RequirementsCatalogue, organization: Organization) -> tuple[Procedure, bool]:
    return catalogue.ruos_for_district(organization.district_ubigeo)


def procedure_for(catalogue: RequirementsCatalogue, organization: Organization, code: str | None) -> tuple[Procedure, bool]:
    """The organization's RUOS list (code None), or one of the formalization procedures."""
    ruos, fallback = ruos_procedure(catalogue, organization)
    if code is None or code == ruos.code:
        return ruos, fallback
    for procedure in catalogue.formalization():
        if procedure.code == code:
            return procedure, False
    raise RuosError(N_("That list is no longer available. Open /ruos to see the current one."))


def next_procedure(catalogue: RequirementsCatalogue, procedure: Procedure) -> Procedure | None:
    """The formalization procedure that follows this one (the first, after the RUOS)."""
    steps = catalogue.formalization()
    if procedure.kind is ProcedureKind.RUOS:
        return steps[0] if steps else None
    position = steps.index(procedure)
    return steps[position + 1] if position + 1 < len(steps) else None


async def checklist(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    procedure_code: str | None = None,
    today: date,
) -> Checklist:
    """One procedure's checklist for the organization (whose board must be loaded)."""
    procedure, fallback = procedure_for(catalogue, organization, procedure_code)
    rows = {
        row.item_code: row
        for row in await session.scalars(
            select(ChecklistItem).where(
                ChecklistItem.organization_id == organization.id,
                ChecklistItem.procedure_code == procedure.code,
            )
        )
    }
    pages = await _page_counts(session, organization.id, procedure.code)
    items = tuple(
        ItemView(
            requirement=requirement,
            status=rows[requirement.code].status if requirement.code in rows else ItemStatus.MISSING,
            pages=pages.get(requirement.code, 0),
            rejection_reason=rows[requirement.code].rejection_reason if requirement.code in rows else None,
        )
        for requirement in procedure.items
    )
    required = [view for view in items if view.requirement.required]
    readiness = Readiness(
        required=len(required),
        verified=sum(view.status is ItemStatus.VERIFIED for view in required),
        uploaded=sum(view.status is ItemStatus.UPLOADED for view in required),
    )
    registration = None
    if procedure.kind is ProcedureKind.RUOS:
        registration = _registration_view(
            await session.get(RuosRegistration, organization.id), organization, today
        )
    return Checklist(
        organization_id=organization.id,
        organization_name=organization.name,
        district_ubigeo=organization.district_ubigeo,
        board_term_end=organization.board_term_end,
        procedure=procedure,
        fallback=fallback,
        items=items,
        readiness=readiness,
        id_documents_at_risk=_id_documents_at_risk(procedure, organization),
        registration=registration,
        next_step=_next_step(items, registration, organization),
    )


async def _page_counts(session: AsyncSession, organization_id: int, procedure_code: str) -> dict[str, int]:
    rows = await session.execute(
        select(StoredFile.item_code, func.count())
        .where(
            StoredFile.organization_id == organization_id,
            StoredFile.procedure_code == procedure_code,
            StoredFile.superseded_at.is_(None),
        )
        .group_by(StoredFile.item_code)
    )
    return {code: count for code, count in rows.all()}


def _id_documents_at_risk(procedure: Procedure, organization: Organization) -> tuple[str, ...]:
    if not procedure.names_only_dni:
        return ()
    held = {member.id_document_type for member in organization.board}
    return tuple(code for code in IDENTITY_DOCUMENTS if code in held and code != "DNI")


def _registration_view(row: RuosRegistration | None, organization: Organization, today: date) -> RegistrationView:
    if row is None:
        return RegistrationView(stage=RegistrationStage.PREPARING, renewal_due=False)
    return RegistrationView(
        stage=row.stage,
        renewal_due=row.stage is RegistrationStage.REGISTERED
        and today >= organization.board_term_end - RENEWAL_WINDOW,
        expediente=row.expediente,
        submitted_on=row.submitted_on,
        observations=row.observations,
        observation_deadline=row.observation_deadline,
        ruos_number=row.ruos_number,
        resolution_date=row.resolution_date,
    )


def _next_step(items: Sequence[ItemView], registration: RegistrationView | None, organization: Organization) -> NextStep:
    if registration is not None:
        if registration.stage is RegistrationStage.REGISTERED:
            if registration.renewal_due:
                return NextStep(NextStepKind.RENEW_BOARD, by=organization.board_term_end)
            return NextStep(NextStepKind.FORMALIZE)
        if registration.stage is RegistrationStage.OBSERVED:
            return NextStep(NextStepKind.ANSWER_OBSERVATIONS, by=registration.observation_deadline)
        if registration.stage is RegistrationStage.SUBMITTED:
            return NextStep(NextStepKind.WAIT_FOR_MUNICIPALITY)
    required = [view for view in items if view.requirement.required]
    for status, kind in ((ItemStatus.REJECTED, NextStepKind.SEND_AGAIN), (ItemStatus.MISSING, NextStepKind.SEND)):
        first = next((view for view in required if view.status is status), None)
        if first is not None:
            return NextStep(kind, requirement=first.requirement)
    if any(view.status is ItemStatus.UPLOADED for view in required):
        return NextStep(NextStepKind.WAIT_FOR_REVIEW)
    return NextStep(NextStepKind.SUBMIT if registration is not None else NextStepKind.COMPLETE)


def requirement_of(procedure: Procedure, item_code: str) -> Requirement:
    for requirement in procedure.items:
        if requirement.code == item_code:
            return requirement
    raise RuosError(N_("That requirement is no longer on the list. Open /ruos to see the current one."))


def requirement_in(catalogue: RequirementsCatalogue, procedure_code: str, item_code: str) -> Requirement | None:
    try:
        return requirement_of(catalogue.procedure(procedure_code), item_code)
    except (KeyError, RuosError):
        return None
