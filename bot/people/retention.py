"""Keeping data no longer than needed: one daily pass deletes what has outlived its purpose.

- uploads replaced or withdrawn (superseded) more than RETENTION_REPLACED_UPLOAD_DAYS ago;
  current documents stay while the organization exists;
- audit log entries, and the history of edits to organizations (organization_changes, whose old
  and new values may name people: board members, a contact phone), older than
  RETENTION_AUDIT_DAYS;
- reminders settled (sent, failed, cancelled, dropped, uncertain) more than
  RETENTION_REMINDER_DAYS ago;
- people who withdrew consent and have not written since RETENTION_WITHDRAWN_DAYS: erased
  as if they had asked (bot/people/privacy.erase_person), anonymous totals kept.

The caller removes from disk the returned files no row refers to any more, after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.models import AuditEntry
from bot.core.config import Settings
from bot.messaging.models import Reminder, ReminderState
from bot.organizations.models import OrganizationChange
from bot.people import privacy
from bot.people.models import User
from bot.ruos.models import StoredFile

SETTLED = (ReminderState.SENT, ReminderState.FAILED, ReminderState.CANCELLED, ReminderState.DROPPED, ReminderState.UNCERTAIN)


@dataclass
class RetentionReport:
    uploads: int = 0
    audit_entries: int = 0
    organization_changes: int = 0
    reminders: int = 0
    people_erased: int = 0
    files: list[str] = field(default_factory=list)


async def run(session: AsyncSession, *, settings: Settings, now: datetime) -> RetentionReport:
    report = RetentionReport()
    upload_limit = now - timedelta(days=settings.retention_replaced_upload_days)
    old_uploads = list(await session.scalars(
        select(StoredFile).where(StoredFile.superseded_at.is_not(None), StoredFile.superseded_at < upload_limit)
    ))
    for stored in old_uploads:
        report.files.append(stored.storage_path)
        await session.delete(stored)
    report.uploads = len(old_uploads)
    log_limit = now - timedelta(days=settings.retention_audit_days)
    deleted = await session.execute(delete(AuditEntry).where(AuditEntry.at < log_limit))
    report.audit_entries = int(deleted.rowcount)  # type: ignore[attr-defined]
    deleted = await session.execute(delete(OrganizationChange).where(OrganizationChange.changed_at < log_limit))
    report.organization_changes = int(deleted.rowcount)  # type: ignore[attr-defined]
    deleted = await session.execute(
        delete(Reminder).where(Reminder.state.in_(SETTLED), Reminder.due_at < now - timedelta(days=settings.retention_reminder_days))
    )
    report.reminders = int(deleted.rowcount)  # type: ignore[attr-defined]
    gone = list(await session.scalars(
        select(User.telegram_id).where(
            User.consent_withdrawn_at.is_not(None),
            User.consent_at.is_(None),
            User.last_seen < now - timedelta(days=settings.retention_withdrawn_days),
        )
    ))
    for telegram_id in gone:
        erasure = await privacy.erase_person(session, telegram_id=telegram_id, now=now, zone=settings.zone,
                                             claim=settings.training_claim)
        report.files += erasure.files
    report.people_erased = len(gone)
    await session.flush()
    return report
