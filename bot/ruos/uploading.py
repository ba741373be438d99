"""A leader's documents for a checklist item: what was sent and what it is (the upload rule:
bot/core/uploads.py), keeping each file for staff review, and taking pages back before review.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import uploads
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone, transition
from bot.core.uploads import UPLOAD_LIMIT_BYTES
from bot.messaging.reminders import QuietHours
from bot.organizations.models import Organization
from bot.people.authority import require_leader_or_staff
from bot.people.models import User
from bot.ruos.checklists import procedure_for, requirement_of
from bot.ruos.models import (
    ChecklistDraft,
    ChecklistItem,
    ItemStatus,
    StoredFile,
)
from bot.ruos.reminders import plan_missing_nudges
from bot.ruos.requirements import (
    FileFormat,
    PageCount,
    Procedure,
    Requirement,
    RequirementsCatalogue,
)
from bot.ruos.shared import RuosError, Step, _new_draft

_KINDS = {FileFormat.PDF: uploads.Kind.PDF, FileFormat.PHOTO: uploads.Kind.IMAGE}


def _wrong_type(requirement: Requirement) -> RuosError:
    if requirement.accepts == {FileFormat.PDF}:
        return RuosError(N_("For this document I can keep only a PDF file. Save it as PDF and send it again."))
    if requirement.accepts == {FileFormat.PHOTO}:
        return RuosError(N_("For this document I can keep only photos. Take a photo of each page and send the photos."))
    return RuosError(
        N_("I can keep this document as a PDF file or as photos, not as other kinds of file. Save it as PDF, or take a photo of each page and send the photos.")
    )


def check_announced_file(requirement: Requirement, *, size: int | None) -> None:
    """Refuse, before downloading it, a file that Telegram says is empty or too large. What it
    is, the bytes say once downloaded (`accepted_upload`): a phone's announced type is no guide."""
    if size == 0:
        raise uploads.empty()
    if size is not None and size > UPLOAD_LIMIT_BYTES:
        raise too_large(size)


def too_large(size: int | None) -> RuosError:
    megabytes = math.ceil(size / 1024**2) if size else UPLOAD_LIMIT_BYTES // 1024**2 + 1
    return RuosError(
        N_("That file is %(size)s MB, and Telegram lets me receive files of up to 20 MB. Send a smaller PDF (for example one per part of the document), or photos of the pages."),
        size=megabytes,
    )


def accepted_upload(requirement: Requirement, content: bytes) -> uploads.Accepted:
    """The file as kept (a photo without its metadata) if the requirement takes its kind;
    RuosError or UploadRefused for anything else."""
    if len(content) > UPLOAD_LIMIT_BYTES:
        raise too_large(len(content))
    return uploads.accept(
        content, allowed={_KINDS[f] for f in requirement.accepts}, wrong_kind=_wrong_type(requirement),
        unknown=RuosError(N_("That file does not look like a PDF or a photo: it may be damaged. Open it on your phone to check it, then send it again.")),
    )


async def start_upload(
    session: AsyncSession,
    *,
    user: User,
    catalogue: RequirementsCatalogue,
    organization: Organization,
    procedure_code: str,
    item_code: str,
    now: datetime,
) -> tuple[ChecklistDraft, Requirement]:
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    procedure, _fallback = procedure_for(catalogue, organization, procedure_code)
    requirement = requirement_of(procedure, item_code)
    draft = await _new_draft(session, user=user, organization_id=organization.id, step=Step.UPLOAD, now=now)
    draft.procedure_code, draft.item_code = procedure.code, requirement.code
    return draft, requirement


@dataclass(frozen=True)
class Upload:
    content: bytes
    original_name: str | None
    telegram_file_id: str | None
    media_group_id: str | None


@dataclass(frozen=True)
class UploadReceipt:
    pages: int  # the item's pages now
    album_pages: int  # of those, how many came in this upload's album (0 outside an album)
    duplicate: bool  # the same bytes were already among the item's pages: nothing was added


async def record_upload(
    session: AsyncSession,
    *,
    store: FileStore,
    organization_id: int,
    procedure: Procedure,
    requirement: Requirement,
    upload: Upload,
    uploader: User,
    now: datetime,
) -> UploadReceipt:
    """Keep one file (a PDF or one page's photo) for the item; it waits for staff review.

    A rejected item's old pages, and a one-page item's previous page, are superseded by the
    first new file. Adding pages to a verified item sends it back to review. The uploader
    must lead the organization (or be staff) now, not only when the upload step began.
    """
    await require_leader_or_staff(session, user_id=uploader.id, organization_id=organization_id)
    accepted = await asyncio.to_thread(accepted_upload, requirement, upload.content)
    item = await _locked_item(session, organization_id, procedure.code, requirement.code, now)
    current = _current_files(organization_id, procedure.code, requirement.code)
    saved = await asyncio.to_thread(store.save, accepted.content)
    duplicate = await session.scalar(select(StoredFile.id).where(*current, StoredFile.sha256 == saved.sha256))
    if duplicate is None:
        if item.status is ItemStatus.REJECTED or requirement.pages is PageCount.ONE:
            await session.execute(update(StoredFile).where(*current).values(superseded_at=now))
        session.add(
            StoredFile(
                organization_id=organization_id,
                procedure_code=procedure.code,
                item_code=requirement.code,
                sha256=saved.sha256,
                size=saved.size,
                mime_type=accepted.mime_type,
                storage_path=saved.path,
                original_name=uploads.label(upload.original_name),
                telegram_file_id=upload.telegram_file_id,
                media_group_id=upload.media_group_id,
                uploaded_by_id=uploader.id,
                uploaded_at=now,
            )
        )
        item.status = ItemStatus.UPLOADED
        item.revision += 1
        item.rejection_reason = None
        item.uploaded_at = item.updated_at = now
        item.reviewed_at = item.reviewed_by_id = None
        await session.flush()
    pages = await session.scalar(select(func.count()).select_from(StoredFile).where(*current)) or 0
    album_pages = 0
    if upload.media_group_id is not None:
        album_pages = await session.scalar(
            select(func.count()).select_from(StoredFile).where(*current, StoredFile.media_group_id == upload.media_group_id)
        ) or 0
    return UploadReceipt(pages=pages, album_pages=album_pages, duplicate=duplicate is not None)


async def _locked_item(session: AsyncSession, organization_id: int, procedure_code: str, item_code: str, now: datetime) -> ChecklistItem:
    """The item's row, made at its first upload and locked until the upload commits.

    Two co-leaders sending pages for the same document at the same moment then add their pages
    one after the other: neither page is lost and the revision counts both (on PostgreSQL the
    row lock orders them; SQLite has one writer at a time anyway).
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(ChecklistItem)
        .values(organization_id=organization_id, procedure_code=procedure_code, item_code=item_code,
                status=ItemStatus.MISSING, revision=0, updated_at=now)
        .on_conflict_do_nothing()
    )
    item = await session.scalar(
        select(ChecklistItem)
        .where(
            ChecklistItem.organization_id == organization_id,
            ChecklistItem.procedure_code == procedure_code,
            ChecklistItem.item_code == item_code,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert item is not None
    return item


async def withdraw_pages(
    session: AsyncSession,
    *,
    catalogue: RequirementsCatalogue,
    user: User,
    organization: Organization,
    procedure_code: str,
    item_code: str,
    now: datetime,
    quiet: QuietHours | None,
) -> int:
    """Take back an item's pages before staff look at them (a wrong photo among them, say).

    The files stay in the store, superseded, as replaced ones do; the item is missing again,
    so the weekly nudge resumes. Returns how many pages were withdrawn.
    """
    await require_leader_or_staff(session, user_id=user.id, organization_id=organization.id)
    procedure, _fallback = procedure_for(catalogue, organization, procedure_code)
    requirement = requirement_of(procedure, item_code)
    item = await session.scalar(
        select(ChecklistItem).where(
            ChecklistItem.organization_id == organization.id,
            ChecklistItem.procedure_code == procedure.code,
            ChecklistItem.item_code == requirement.code,
        )
    )
    not_waiting = AlreadyDone(N_("Only pages still waiting for the programme's review can be taken back."))
    if item is None or item.status is not ItemStatus.UPLOADED:
        raise not_waiting
    # The pages the leader saw: a review, or new pages, since then and nothing is taken back.
    await transition(
        session, ChecklistItem, where={"id": item.id, "status": ItemStatus.UPLOADED, "revision": item.revision},
        # A new revision: a review opened on the old pages no longer applies.
        values={"status": ItemStatus.MISSING, "revision": item.revision + 1, "uploaded_at": None, "updated_at": now},
        already=not_waiting,
    )
    current = _current_files(organization.id, procedure.code, requirement.code)
    withdrawn = await session.execute(update(StoredFile).where(*current).values(superseded_at=now))
    await plan_missing_nudges(session, catalogue=catalogue, organization=organization, now=now, quiet=quiet)
    return withdrawn.rowcount  # type: ignore[attr-defined, no-any-return]


def _current_files(organization_id: int, procedure_code: str, item_code: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions selecting an item's files that were not replaced since."""
    return (
        StoredFile.organization_id == organization_id,
        StoredFile.procedure_code == procedure_code,
        StoredFile.item_code == item_code,
        StoredFile.superseded_at.is_(None),
    )
