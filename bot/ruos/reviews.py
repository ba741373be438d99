"""Staff review of the documents leaders sent: what waits, opening one, verifying or rejecting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import parse_text
from bot.messaging import notices
from bot.messaging.reminders import QuietHours
from bot.organizations import organizations
from bot.organizations.models import Organization
from bot.people.authority import require_staff
from bot.people.models import User
from bot.ruos.checklists import requirement_in
from bot.ruos.models import (
    ChecklistDraft,
    ChecklistItem,
    ItemStatus,
    StoredFile,
)
from bot.ruos.reminders import plan_missing_nudges
from bot.ruos.requirements import (
    Requirement,
    RequirementsCatalogue,
)
from bot.ruos.shared import RuosError, Step, _leaders, _new_draft, drop_draft
from bot.ruos.uploading import _current_files

REASON_MAX = 500


@dataclass(frozen=True)
class WaitingItem:
    item: ChecklistItem
    organization_name: str
    requirement: Requirement | None  # None if the catalogue no longer lists it


@dataclass(frozen=True)
class ItemForReview:
    item: ChecklistItem
    organization: Organization
    requirement: Requirement | None
    files: list[StoredFile]


@dataclass(frozen=True)
class ReviewOutcome:
    organization: Organization
    procedure_code: str
    item_code: str
    requirement: Requirement | None
    status: ItemStatus
    reason: str | None
    leaders: list[User]  # the organization's leaders to tell, reachable and consenting


async def _require_staff(session: AsyncSession, user: User) -> None:
    await require_staff(session, user_id=user.id)  # the role as it is now, not as the flow began


async def waiting_for_review(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, limit: int = 10) -> list[WaitingItem]:
    """Items uploaded and not yet reviewed, the longest waiting first."""
    await _require_staff(session, staff)
    rows = await session.execute(
        select(ChecklistItem, Organization.name)
        .join(Organization, Organization.id == ChecklistItem.organization_id)
        .where(ChecklistItem.status == ItemStatus.UPLOADED)
        .order_by(ChecklistItem.uploaded_at, ChecklistItem.id)
        .limit(limit)
    )
    return [
        WaitingItem(item, name, requirement_in(catalogue, item.procedure_code, item.item_code))
        for item, name in rows.all()
    ]


async def _item(session: AsyncSession, item_id: int) -> ChecklistItem:
    item = await session.get(ChecklistItem, item_id)
    if item is None:
        raise RuosError(N_("That document is no longer in the checklist."))
    return item


async def item_for_review(session: AsyncSession, *, catalogue: RequirementsCatalogue, staff: User, item_id: int,
                          now: datetime | None = None) -> ItemForReview:
    """The item and its current pages, for staff to open; the read is in the audit log."""
    await _require_staff(session, staff)
    item = await _item(session, item_id)
    if now is not None:
        audit.record(session, staff.id, "ruos.item.read", now=now, organization_id=item.organization_id, detail=item.item_code)
    organization = await organizations.load(session, item.organization_id)
    assert organization is not None  # the item would have gone with it (ON DELETE CASCADE)
    files = await session.scalars(
        select(StoredFile)
        .where(*_current_files(item.organization_id, item.procedure_code, item.item_code))
        .order_by(StoredFile.uploaded_at, StoredFile.id)
    )
    return ItemForReview(item, organization, requirement_in(catalogue, item.procedure_code, item.item_code), list(files))


ALREADY_REVIEWED = N_("This document was already reviewed, or has nothing to review. Nothing was changed, and nobody was told again.")


async def _reviewable(session: AsyncSession, *, staff: User, item_id: int, revision: int) -> ChecklistItem:
    await _require_staff(session, staff)
    item = await _item(session, item_id)
    if item.status is not ItemStatus.UPLOADED:
        raise AlreadyDone(ALREADY_REVIEWED)
    if item.revision != revision:
        raise RuosError(N_("The leader sent new pages after you opened this document. Open it again from /review."))
    return item


async def start_rejection(session: AsyncSession, *, staff: User, item_id: int, revision: int, now: datetime) -> ChecklistDraft:
    """Staff chose to reject an item: the draft waits for the reason."""
    item = await _reviewable(session, staff=staff, item_id=item_id, revision=revision)
    draft = await _new_draft(session, user=staff, organization_id=item.organization_id, step=Step.REASON, now=now)
    draft.checklist_item_id, draft.checklist_item_revision = item.id, item.revision
    return draft


async def review(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    staff: User,
    item_id: int,
    revision: int,
    verified: bool,
    reason: str | None = None,
    now: datetime,
    quiet: QuietHours | None,
) -> ReviewOutcome:
    """Verify an uploaded item, or reject it with a reason the leaders will read."""
    item = await _reviewable(session, staff=staff, item_id=item_id, revision=revision)
    reason = None if verified else parse_text(reason or "", field_max=REASON_MAX, min_length=3, multiline=True)
    # Exactly the pages staff opened, still waiting: a second tap, another staff member first,
    # or new pages since, and nothing changes.
    await transition(
        session, ChecklistItem, where={"id": item.id, "status": ItemStatus.UPLOADED, "revision": revision},
        values={
            "status": ItemStatus.VERIFIED if verified else ItemStatus.REJECTED, "rejection_reason": reason,
            "reviewed_at": now, "reviewed_by_id": staff.id, "updated_at": now,
        },
        already=AlreadyDone(ALREADY_REVIEWED),
    )
    await drop_draft(session, user=staff)
    audit.record(session, staff.id, "ruos.item.verified" if verified else "ruos.item.rejected", now=now,
                 organization_id=item.organization_id, detail=item.item_code)
    organization = await organizations.load(session, item.organization_id)
    assert organization is not None
    leaders = await _leaders(session, organization.id)
    if not verified:
        # A required item is missing again: the weekly nudge resumes.
        await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    outcome = ReviewOutcome(
        organization=organization,
        procedure_code=item.procedure_code,
        item_code=item.item_code,
        requirement=requirement_in(catalogue, item.procedure_code, item.item_code),
        status=item.status,
        reason=item.rejection_reason,
        leaders=[leader for leader in leaders if leader.reachable and leader.has_consented],
    )
    await _tell_leaders(session, outcome, verified=verified, now=now)
    return outcome


async def _tell_leaders(session: AsyncSession, outcome: ReviewOutcome, *, verified: bool, now: datetime) -> None:
    """Each leader reads the review in their own language, with the button to act on it."""
    values = {"item": notices.localized(outcome.requirement.title) if outcome.requirement else outcome.item_code,
              "organization": outcome.organization.name}
    organization_id, procedure = outcome.organization.id, outcome.procedure_code
    if verified:
        says = [notices.line(N_("✅ The programme staff checked “%(item)s” for %(organization)s: it is ready."), **values)]
        choices = [[notices.choice(f"ruos:list:{organization_id}:{procedure}", N_("📋 Open the checklist"))]]
    else:
        says = [notices.line(N_("✏️ The programme staff checked “%(item)s” for %(organization)s and asks for changes:"), **values),
                notices.text("\n\n"), notices.quote(outcome.reason or ""), notices.text("\n\n"),
                notices.line(N_("Send it again when it is ready."))]
        choices = [[notices.choice(f"ruos:u:{organization_id}:{procedure}:{outcome.item_code}", N_("📤 Send it again"))]]
    for leader in outcome.leaders:
        await notices.tell(session, recipient_id=leader.id, about="ruos.reviewed", says=says, choices=choices, now=now)
