"""Staff's review of project reports: the submitted ones to read, approving a version, asking
for changes with a comment, and reopening an approved report for changes when a mistake is
found later. Each move is one conditional UPDATE from the state it expects (AlreadyDone
otherwise), kept as a `ProjectEvent` and in the audit log; the leaders are told by a notice (bot/messaging/notices.py).

Reopening keeps the approved copy (approved_beneficiaries, approved_version) as it was, so the
totals go on counting it until a new version is approved and programme figures never dip while
the leaders correct it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.transitions import AlreadyDone, transition
from bot.core.validation import parse_text
from bot.messaging import notices
from bot.organizations.models import Organization
from bot.people.authority import require_staff
from bot.people.models import User
from bot.projects.models import Project, ProjectDraft, ProjectEvent, ProjectReport, ReportStatus
from bot.projects.projects import LONG_TEXT_MAX, ProjectError, drop_draft, leaders_of
from bot.projects.reports import ReportContext, period, report_for


@dataclass(frozen=True)
class Review:
    found: ReportContext
    leaders: list[User]
    approved: bool
    comment: str | None = None
    reopened: bool = False  # an approved report sent back: `comment` says why


async def _review(session: AsyncSession, found: ReportContext, *, now: datetime, approved: bool, comment: str | None = None,
                  reopened: bool = False) -> Review:
    """The move, once each leader of the report's organization has been told, with the button to act on it."""
    review = Review(found, await leaders_of(session, organization_id=found.project.organization_id), approved, comment, reopened)
    report = found.report
    what = {"title": found.project.title, "period": period(report)}
    if approved:
        says = [notices.line(N_("✅ The programme approved the %(period)s of “%(title)s”."), **what)]
        choices = [[notices.choice(f"rep:pdf:{report.id}", N_("📄 Get it as a PDF"))]]
    elif reopened:
        says = [notices.line(N_("↩️ The programme reopened the %(period)s of “%(title)s”, approved before, for changes:"), **what),
                notices.text("\n\n"), notices.quote(comment or ""), notices.text("\n\n"),
                notices.line(N_("Until a new version is approved, the programme's totals keep counting the approved one."))]
        choices = [[notices.choice(f"rep:go:{report.id}", N_("✏️ Make the changes"))]]
    else:
        says = [notices.line(N_("✏️ The programme asks for changes in the %(period)s of “%(title)s”:"), **what),
                notices.text("\n\n"), notices.quote(comment or "")]
        choices = [[notices.choice(f"rep:go:{report.id}", N_("✏️ Reopen the report"))]]
    for leader in review.leaders:
        await notices.tell(session, recipient_id=leader.id, about="report.reviewed", says=says, choices=choices, now=now)
    return review


async def submitted_reports(session: AsyncSession, *, staff: User, limit: int = 500) -> list[tuple[ProjectReport, Project, str]]:
    await require_staff(session, user_id=staff.id)
    rows = await session.execute(
        select(ProjectReport, Project, Organization.name).join(Project, Project.id == ProjectReport.project_id)
        .join(Organization, Organization.id == Project.organization_id)
        .where(ProjectReport.status == ReportStatus.SUBMITTED).order_by(ProjectReport.submitted_at, ProjectReport.id).limit(limit)
    )
    return [(r, p, name) for r, p, name in rows.all()]


async def approve(session: AsyncSession, *, staff: User, report_id: int, version: int, now: datetime) -> Review:
    await require_staff(session, user_id=staff.id)
    found = await report_for(session, user=staff, report_id=report_id)
    report = found.report
    await transition(session, ProjectReport, where={"id": report_id, "status": ReportStatus.SUBMITTED, "version": version}, values={
        "status": ReportStatus.APPROVED, "reviewed_at": now, "reviewed_by_id": staff.id, "review_comment": None,
        "approved_version": version, "approved_beneficiaries": dict(report.beneficiaries),
        "approved_spent_cents": report.spent_cents, "updated_at": now,
    })
    session.add(ProjectEvent(project_id=found.project.id, report_id=report_id, actor_id=staff.id,
                             from_status=ReportStatus.SUBMITTED.value, to_status=ReportStatus.APPROVED.value, at=now))
    audit.record(session, staff.id, "report.approved", now=now, organization_id=found.project.organization_id, detail=str(report_id))
    await session.flush()
    return await _review(session, found, now=now, approved=True)


async def _staff_step(session: AsyncSession, *, staff: User, report_id: int, version: int, status: ReportStatus, step: str,
                      already: AlreadyDone, store: FileStore, now: datetime) -> ProjectDraft:
    """Staff about to write on that version of the report, still in `status` (their text is asked next)."""
    await require_staff(session, user_id=staff.id)
    report = await session.get(ProjectReport, report_id, populate_existing=True)
    if report is None or report.status is not status or report.version != version:
        raise already
    await drop_draft(session, user=staff, store=store)
    draft = ProjectDraft(user_id=staff.id, report_id=report_id, step=step, answers={"version": version}, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def _staff_text(session: AsyncSession, *, staff: User, draft: ProjectDraft, text: str) -> tuple[str, ReportContext]:
    """Staff's text for the leaders (a request for changes, a reason to reopen), cleaned, and the
    report their draft is about."""
    await require_staff(session, user_id=staff.id)
    cleaned = parse_text(text, field_max=LONG_TEXT_MAX, min_length=2, multiline=True)
    assert draft.report_id is not None
    return cleaned, await report_for(session, user=staff, report_id=draft.report_id)


REVIEW_COMMENT = "review_comment"  # staff write what the leaders must change


async def start_changes_comment(session: AsyncSession, *, staff: User, report_id: int, version: int, store: FileStore,
                                now: datetime) -> ProjectDraft:
    return await _staff_step(session, staff=staff, report_id=report_id, version=version, status=ReportStatus.SUBMITTED,
                             step=REVIEW_COMMENT, already=AlreadyDone(), store=store, now=now)


async def request_changes(session: AsyncSession, *, staff: User, draft: ProjectDraft, text: str, now: datetime) -> Review:
    comment, found = await _staff_text(session, staff=staff, draft=draft, text=text)
    await transition(session, ProjectReport, where={"id": draft.report_id, "status": ReportStatus.SUBMITTED, "version": draft.answers["version"]},
                     values={"status": ReportStatus.CHANGES_REQUESTED, "reviewed_at": now, "reviewed_by_id": staff.id,
                             "review_comment": comment, "step": None, "updated_at": now})
    session.add(ProjectEvent(project_id=found.project.id, report_id=draft.report_id, actor_id=staff.id,
                             from_status=ReportStatus.SUBMITTED.value, to_status=ReportStatus.CHANGES_REQUESTED.value,
                             comment=comment, at=now))
    audit.record(session, staff.id, "report.changes", now=now, organization_id=found.project.organization_id, detail=str(draft.report_id))
    await session.delete(draft)
    await session.flush()
    return await _review(session, found, now=now, approved=False, comment=comment)


# --- reopening an approved report: a reason, a confirmation, one conditional move -------------------------

REOPEN_REASON = "reopen_reason"
REOPEN_CONFIRM = "reopen_confirm"
NO_LONGER_APPROVED = N_("This report is no longer approved: it was already reopened for changes.")


async def start_reopening(session: AsyncSession, *, staff: User, report_id: int, version: int, store: FileStore,
                          now: datetime) -> ProjectDraft:
    """Staff about to give the reason for reopening that approved version (asked next)."""
    return await _staff_step(session, staff=staff, report_id=report_id, version=version, status=ReportStatus.APPROVED,
                             step=REOPEN_REASON, already=AlreadyDone(NO_LONGER_APPROVED), store=store, now=now)


async def reopening_reason(session: AsyncSession, *, staff: User, draft: ProjectDraft, text: str, now: datetime) -> ReportContext:
    """The reason, kept in the draft until staff confirm (typing again replaces it)."""
    reason, found = await _staff_text(session, staff=staff, draft=draft, text=text)
    if found.report.status is not ReportStatus.APPROVED:
        raise AlreadyDone(NO_LONGER_APPROVED)
    draft.answers = {**draft.answers, "reason": reason}
    draft.step = REOPEN_CONFIRM
    draft.updated_at = now
    await session.flush()
    return found


async def reopen(session: AsyncSession, *, staff: User, report_id: int, version: int, now: datetime) -> Review:
    """Approved → changes requested, once: a second tap, or a second staff member at the same
    moment, finds it no longer approved (AlreadyDone) and nobody is told twice."""
    await require_staff(session, user_id=staff.id)
    found = await report_for(session, user=staff, report_id=report_id)
    already = AlreadyDone(NO_LONGER_APPROVED)
    draft = await session.get(ProjectDraft, staff.id, populate_existing=True)
    reason = (draft.answers or {}).get("reason") if draft is not None and draft.report_id == report_id and draft.step == REOPEN_CONFIRM else None
    if reason is None:
        if found.report.status is not ReportStatus.APPROVED:
            raise already
        raise ProjectError(N_("Write the reason first: tap “Reopen for changes” on the report again."))
    await transition(session, ProjectReport, where={"id": report_id, "status": ReportStatus.APPROVED, "version": version}, values={
        "status": ReportStatus.CHANGES_REQUESTED, "reviewed_at": now, "reviewed_by_id": staff.id, "review_comment": reason,
        "step": None, "updated_at": now,
    }, already=already)
    session.add(ProjectEvent(project_id=found.project.id, report_id=report_id, actor_id=staff.id, from_status=ReportStatus.APPROVED.value,
                             to_status=ReportStatus.CHANGES_REQUESTED.value, comment=reason, at=now))
    audit.record(session, staff.id, "report.reopened", now=now, organization_id=found.project.organization_id, detail=str(report_id))
    await session.delete(draft)
    await session.flush()
    return await _review(session, found, now=now, approved=False, comment=reason, reopened=True)


async def give_up_reopening(session: AsyncSession, *, staff: User, store: FileStore) -> None:
    await require_staff(session, user_id=staff.id)
    await drop_draft(session, user=staff, store=store)
