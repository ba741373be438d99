"""The RUOS and formalization checklists: each requirement's state per organization, the files
uploaded for it, where the organization's RUOS registration stands, and what a person is in
the middle of in /ruos.

What a procedure asks for is not stored here: it lives in the requirements catalogue (YAML that
staff correct, see bot/ruos/requirements.py). Rows refer to a procedure and an item by their codes,
which the catalogue keeps stable.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base
from bot.people.models import enum_column

CODE_LENGTH = 24  # the catalogue's limit for procedure and item codes


class ItemStatus(StrEnum):
    # An item without a row is missing; a row is MISSING again only if its files were removed.
    MISSING = "missing"
    UPLOADED = "uploaded"  # waiting for the programme staff's review
    VERIFIED = "verified"
    REJECTED = "rejected"  # staff asked for changes; the reason says which


class RegistrationStage(StrEnum):
    """Where the organization's RUOS registration stands, as the leader or staff recorded it.

    "Renewal due" is not a stage: it follows from a registered organization's board term.
    """

    PREPARING = "preparing"
    SUBMITTED = "submitted"
    OBSERVED = "observed"
    REGISTERED = "registered"


class ChecklistItem(Base):
    """One requirement of one procedure for one organization, once something was sent for it."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        UniqueConstraint("organization_id", "procedure_code", "item_code"),
        # /review reads the items waiting, oldest first.
        Index("ix_checklist_items_status_uploaded_at", "status", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    procedure_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    item_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.MISSING)
    # Grows with every file added, so staff verify exactly the pages they opened.
    revision: Mapped[int] = mapped_column(default=0)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]


class StoredFile(Base):
    """One file (a PDF, or one photographed page) kept by the bot for a checklist item.

    The bytes live in the content-addressed store (bot/core/storage.py) under `storage_path`, as the
    upload rule kept them (bot/core/uploads.py: `mime_type` is the real type, a photo is stored
    without its metadata, `original_name` is only a cleaned label); the Telegram file id is kept
    only as a convenience. A file is `superseded_at` when a new
    version of the item replaced it (after a rejection, or a one-page item sent again).
    """

    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_item", "organization_id", "procedure_code", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    procedure_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    item_code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(100))
    storage_path: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str | None] = mapped_column(String(255))
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    # Pages sent together as one Telegram album share this id.
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]


class RuosRegistration(Base):
    """The organization's RUOS request at the municipality, one row per organization."""

    __tablename__ = "ruos_registrations"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[RegistrationStage] = mapped_column(
        enum_column(RegistrationStage), default=RegistrationStage.PREPARING
    )
    expediente: Mapped[str | None] = mapped_column(String(40))
    submitted_on: Mapped[date | None]
    observations: Mapped[str | None] = mapped_column(Text)
    observation_deadline: Mapped[date | None]
    ruos_number: Mapped[str | None] = mapped_column(String(40))
    resolution_date: Mapped[date | None]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ChecklistDraft(Base):
    """What one person is in the middle of in /ruos, saved before the bot asks for it.

    `step` is the conversation step: ``upload`` (files for `procedure_code`/`item_code`), one
    of the questions of a registration-stage change (its target stage and the answers so far
    in `answers`), or ``reason`` (staff explaining why they reject `checklist_item_id`).
    """

    __tablename__ = "checklist_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(24))
    procedure_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    item_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    checklist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_items.id", ondelete="CASCADE")
    )
    checklist_item_revision: Mapped[int | None]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]



class RegistryInscription(Base):
    """An association's inscription in Registros Públicos (SUNARP), recorded when staff verify
    the last step of its Registros Públicos checklist: the day, the registry office and the
    partida electrónica number as the leader or staff typed it (checked for shape)."""

    __tablename__ = "registry_inscriptions"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    inscribed_on: Mapped[date]
    office: Mapped[str] = mapped_column(String(80))
    partida: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
