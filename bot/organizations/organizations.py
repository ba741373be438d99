"""Organizations after registration: who leads them, invitations, edits with their history,
and staff verification."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.console import audit
from bot.core.crypto import IdNumberCipher
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone, delete_once, transition
from bot.core.validation import (
    BOARD_FULL,
    BOARD_MAX,
    IdDocumentType,
    InvalidInput,
    PartialDate,
    check_term_dates,
    check_term_start,
    mask_id_number,
    normalize_id_number,
    parse_count,
    parse_date,
    parse_past_date,
    parse_phone,
    parse_text,
)
from bot.messaging import notices
from bot.organizations import cautions
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    FocusArea,
    Invite,
    LeaderRole,
    Leadership,
    Organization,
    OrganizationChange,
    OrganizationKind,
    VerificationStatus,
)
from bot.organizations.registration import BoardEntry, OrganizationDetails
from bot.people.authority import leader_role, require_leader, require_staff
from bot.people.models import User
from bot.projects import reports as project_reports

INVITE_LIFETIME = timedelta(days=7)
INVITE_PREFIX = "join_"


class OrganizationError(InvalidInput):
    """What a leader or staff member asked for cannot be done (the message says why)."""


def details_of(organization: Organization) -> OrganizationDetails:
    return OrganizationDetails(
        name=organization.name,
        kind=organization.kind,
        district_ubigeo=organization.district_ubigeo,
        address=organization.address,
        founded=PartialDate(organization.founded_year, organization.founded_month, organization.founded_day),
        members_peruvian=organization.members_peruvian,
        members_venezuelan=organization.members_venezuelan,
        members_other=organization.members_other,
        focus_areas=[FocusArea(code) for code in organization.focus_areas],
        phone=organization.contact_phone,
        board=[
            BoardEntry(m.role, m.full_name, IdDocumentType(m.id_document_type), m.id_number_encrypted)
            for m in organization.board
        ],
        term_start=organization.board_term_start,
        term_end=organization.board_term_end,
    )


# --- who acts for which organization -----------------------------------------------------------


async def led_by(session: AsyncSession, *, user: User) -> list[tuple[Organization, LeaderRole]]:
    return [(organization, leadership.role) for organization, leadership in await _leaderships(session, user)]


async def _leaderships(session: AsyncSession, user: User) -> list[tuple[Organization, Leadership]]:
    rows = await session.execute(
        select(Organization, Leadership)
        .join(Leadership, Leadership.organization_id == Organization.id)
        .where(Leadership.user_id == user.id)
        .order_by(Organization.name)
    )
    return [(organization, leadership) for organization, leadership in rows.all()]


async def acting_for(session: AsyncSession, *, user: User) -> tuple[Organization, LeaderRole] | None:
    """The organization the person acts for now: their chosen one, else the first."""
    led = await _leaderships(session, user)
    chosen = next(((org, leadership) for org, leadership in led if leadership.acting), led[0] if led else None)
    if chosen is None:
        return None
    chosen[1].acting = True
    return chosen[0], chosen[1].role


async def act_for(session: AsyncSession, *, user: User, organization_id: int) -> Organization:
    role = await _leader_role(session, user=user, organization_id=organization_id)
    if role is None:
        raise OrganizationError(N_("You are not a leader of that organization."))
    await _choose_acting(session, user.id, organization_id)
    organization = await session.get(Organization, organization_id)
    assert organization is not None
    return organization


async def _choose_acting(session: AsyncSession, user_id: int, organization_id: int) -> None:
    await session.execute(
        update(Leadership).where(Leadership.user_id == user_id).values(acting=Leadership.organization_id == organization_id)
    )


async def _leader_role(session: AsyncSession, *, user: User, organization_id: int) -> LeaderRole | None:
    leadership = await session.get(Leadership, (user.id, organization_id))
    return leadership.role if leadership else None


async def load(session: AsyncSession, organization_id: int) -> Organization | None:
    return await session.scalar(
        select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.board), selectinload(Organization.leaders))
    )


async def for_review(session: AsyncSession, *, staff: User, organization_id: int, now: datetime) -> tuple[Organization | None, list[OrganizationChange]]:
    """The organization's card and latest changes for staff to review; the read is audited."""
    await require_staff(session, user_id=staff.id)
    organization = await load(session, organization_id)
    if organization is None:
        return None, []
    audit.record(session, staff.id, "org.review.read", now=now, organization_id=organization_id)
    return organization, await history(session, organization_id=organization_id, limit=5)


async def leaders_of(session: AsyncSession, *, organization_id: int) -> list[tuple[User, LeaderRole]]:
    rows = await session.execute(
        select(User, Leadership.role)
        .join(Leadership, Leadership.user_id == User.id)
        .where(Leadership.organization_id == organization_id)
        .order_by(Leadership.role.desc(), Leadership.joined_at)
    )
    return [(user, role) for user, role in rows.all()]


# --- invitations -------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_invite(session: AsyncSession, *, user: User, organization_id: int, now: datetime) -> tuple[str, datetime]:
    """A one-use token for a deep link (t.me/<bot>?start=join_<token>); only its hash is kept."""
    if await require_leader(session, user_id=user.id, organization_id=organization_id) is not LeaderRole.OWNER:
        raise OrganizationError(N_("Only the organization's owner can invite co-leaders."))
    token = secrets.token_urlsafe(18)  # 24 characters, all allowed in a /start parameter
    expires_at = now + INVITE_LIFETIME
    session.add(
        Invite(token_hash=_hash(token), organization_id=organization_id, created_by_id=user.id, created_at=now, expires_at=expires_at)
    )
    return token, expires_at


async def accept_invite(session: AsyncSession, *, user: User, token: str, now: datetime) -> Organization:
    invite = await session.scalar(select(Invite).where(Invite.token_hash == _hash(token)))
    if invite is None:
        raise OrganizationError(N_("This invitation link is not valid. Ask the leader who sent it for a new one."))
    used = AlreadyDone(N_("This invitation link was already used. Each link works once: ask for a new one."))
    if invite.used_at is not None:
        raise used
    if invite.expires_at <= now:
        raise OrganizationError(N_("This invitation link has expired. Ask the leader who sent it for a new one."))
    # Claimed first, in one conditional statement: of several people sending the link at the
    # same moment exactly one gets it, and the others are told it was used.
    await transition(
        session, Invite, where={"id": invite.id, "used_at": None}, also=[Invite.expires_at > now],
        values={"used_at": now, "used_by_id": user.id}, already=used,
    )
    organization = await session.get(Organization, invite.organization_id)
    assert organization is not None
    if await _leader_role(session, user=user, organization_id=organization.id) is None:
        session.add(Leadership(user_id=user.id, organization_id=organization.id, role=LeaderRole.CO_LEADER, joined_at=now))
        await session.flush()
        await project_reports.leader_joined(session, organization_id=organization.id, leader_id=user.id, now=now)
    await _choose_acting(session, user.id, organization.id)
    for leader, role in await leaders_of(session, organization_id=organization.id):
        if role is LeaderRole.OWNER and leader.reachable:
            await notices.tell(session, recipient_id=leader.id, about="organization.joined", now=now,
                               says=[notices.line(N_("%(person)s joined <b>%(name)s</b> as co-leader."),
                                                  person=user.display_name or "?", name=organization.name)])
    return organization


async def remove_co_leader(session: AsyncSession, *, owner: User, organization_id: int, co_leader_id: int) -> User:
    await _require_owner(session, owner, organization_id)
    not_co_leader = AlreadyDone(N_("That person is not a co-leader of this organization."))
    await delete_once(
        session, Leadership,
        where={"user_id": co_leader_id, "organization_id": organization_id, "role": LeaderRole.CO_LEADER},
        already=not_co_leader,
    )
    await project_reports.leader_left(session, organization_id=organization_id, leader_id=co_leader_id)
    removed = await session.get(User, co_leader_id)
    assert removed is not None
    return removed


async def hand_over(session: AsyncSession, *, owner: User, organization_id: int, new_owner_id: int, now: datetime) -> User:
    if await leader_role(session, user_id=new_owner_id, organization_id=organization_id) is LeaderRole.OWNER:
        raise AlreadyDone(N_("That was already done: that person is the owner now."))  # the same tap, twice
    await _require_owner(session, owner, organization_id)
    # Both or neither: a failed second step fails the update, which rolls back the first.
    await transition(
        session, Leadership, where={"user_id": owner.id, "organization_id": organization_id, "role": LeaderRole.OWNER},
        values={"role": LeaderRole.CO_LEADER}, already=AlreadyDone(N_("Only the organization's owner can do that.")),
    )
    await transition(
        session, Leadership, where={"user_id": new_owner_id, "organization_id": organization_id, "role": LeaderRole.CO_LEADER},
        values={"role": LeaderRole.OWNER}, already=AlreadyDone(N_("That person is not a co-leader of this organization.")),
    )
    new_owner = await session.get(User, new_owner_id)
    assert new_owner is not None
    await notices.tell(session, recipient_id=new_owner_id, about="organization.owner", now=now,
                       says=[notices.line(N_("You are now the owner of <b>%(name)s</b> in Voces."),
                                          name=await session.scalar(select(Organization.name).where(Organization.id == organization_id)))])
    return new_owner


async def _require_owner(session: AsyncSession, user: User, organization_id: int) -> None:
    await require_leader(session, user_id=user.id, organization_id=organization_id, owner=True)


# --- edits, each recorded for staff --------------------------------------------------------------

EDITABLE = ("name", "kind", "district", "address", "founded", "members", "focus", "phone", "term")


async def update_field(
    session: AsyncSession,
    *,
    organization: Organization,
    user: User,
    field: str,
    value: str,
    today: date,
    now: datetime,
) -> None:
    """Validate and apply one edit from /myorg, recording old → new."""
    await require_leader(session, user_id=user.id, organization_id=organization.id)
    changes: list[tuple[str, object, object]] = []

    def change(name: str, attribute: str, new: object) -> None:
        old = getattr(organization, attribute)
        if old != new:
            changes.append((name, old, new))
            setattr(organization, attribute, new)

    if field == "name":
        change("name", "name", parse_text(value, field_max=120, min_length=3))
    elif field == "kind":
        try:
            change("kind", "kind", OrganizationKind(value))
        except ValueError:
            raise InvalidInput(N_("Choose one of the options with the buttons.")) from None
    elif field == "district":
        if district_by_ubigeo(value) is None:
            raise InvalidInput(N_("Choose the district with one of the buttons, or type part of its name."))
        change("district", "district_ubigeo", value)
    elif field == "address":
        change("address", "address", parse_text(value, field_max=200, min_length=3))
    elif field == "founded":
        founded = parse_past_date(value, today=today)
        change("founded_year", "founded_year", founded.year)
        change("founded_month", "founded_month", founded.month)
        change("founded_day", "founded_day", founded.day)
    elif field in ("members_pe", "members_ve", "members_other"):
        attribute = {"members_pe": "members_peruvian", "members_ve": "members_venezuelan", "members_other": "members_other"}[field]
        change(attribute, attribute, parse_count(value))
        if organization.members_total == 0:
            raise OrganizationError(N_("An organization needs at least one member. Send the number of members again."))
    elif field == "phone":
        change("phone", "contact_phone", parse_phone(value))
    elif field == "term_start":
        start = parse_date(value)
        check_term_start(start, today=today)
        check_term_dates(start, organization.board_term_end)
        change("term_start", "board_term_start", start)
    elif field == "term_end":
        end = parse_date(value)
        check_term_dates(organization.board_term_start, end)
        change("term_end", "board_term_end", end)
    else:
        raise InvalidInput(N_("Choose one of the options with the buttons."))
    _record(session, organization, user, changes, now)


async def toggle_focus(session: AsyncSession, *, organization: Organization, user: User, area: str, now: datetime) -> None:
    await require_leader(session, user_id=user.id, organization_id=organization.id)
    try:
        code = FocusArea(area).value
    except ValueError:
        raise InvalidInput(N_("Choose one of the options with the buttons.")) from None
    old = list(organization.focus_areas)
    new = [c for c in old if c != code] if code in old else [*old, code]
    if not new:
        raise InvalidInput(N_("Choose at least one area, then tap Done."))
    organization.focus_areas = new
    _record(session, organization, user, [("focus", ",".join(old), ",".join(new))], now)


async def add_board_member(
    session: AsyncSession, *, organization: Organization, user: User, role: str, full_name: str,
    document_type: str, id_number: str, cipher: IdNumberCipher, now: datetime,
) -> None:
    await require_leader(session, user_id=user.id, organization_id=organization.id)
    if len(organization.board) >= BOARD_MAX:
        raise OrganizationError(BOARD_FULL, maximum=BOARD_MAX)
    doc = IdDocumentType(document_type)
    number = normalize_id_number(doc, id_number)
    member = BoardMember(
        position=len(organization.board), role=BoardRole(role), full_name=parse_text(full_name, field_max=120, min_length=3),
        id_document_type=doc.value, id_number_encrypted=cipher.encrypt(number),
    )
    organization.board.append(member)
    _record(session, organization, user, [("board", None, f"{member.role.value}: {member.full_name} {doc.value} {mask_id_number(number)}")], now)


async def remove_board_member(session: AsyncSession, *, organization: Organization, user: User, member_id: int, cipher: IdNumberCipher, now: datetime) -> None:
    await require_leader(session, user_id=user.id, organization_id=organization.id)
    member = next((m for m in organization.board if m.id == member_id), None)
    if member is None:
        raise OrganizationError(N_("That board member is no longer on the list."))
    if len(organization.board) == 1:
        raise OrganizationError(N_("The board needs at least one member: add the new one before removing this one."))
    organization.board.remove(member)
    _record(session, organization, user, [("board", f"{member.role.value}: {member.full_name} {member.id_document_type} {cipher.masked(member.id_number_encrypted)}", None)], now)


def _record(session: AsyncSession, organization: Organization, user: User, changes: list[tuple[str, object, object]], now: datetime) -> None:
    for field, old, new in changes:
        session.add(
            OrganizationChange(
                organization_id=organization.id, user_id=user.id, field=field,
                old_value=None if old is None else str(old), new_value=None if new is None else str(new), changed_at=now,
            )
        )
    if changes:
        organization.updated_at = now
        if organization.status is VerificationStatus.VERIFIED:
            # Staff verified what was there; what changed since is for them to see again.
            organization.status = VerificationStatus.PENDING


async def history(session: AsyncSession, *, organization_id: int, limit: int = 20) -> list[OrganizationChange]:
    return list(
        await session.scalars(
            select(OrganizationChange)
            .where(OrganizationChange.organization_id == organization_id)
            .order_by(OrganizationChange.changed_at.desc(), OrganizationChange.id.desc())
            .limit(limit)
        )
    )


# --- staff verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    organization: Organization
    leader_telegram_ids: list[int]


async def count_by_status(session: AsyncSession) -> dict[VerificationStatus, int]:
    rows = await session.execute(select(Organization.status, func.count()).group_by(Organization.status))
    return {status: count for status, count in rows.all()}


async def review(
    session: AsyncSession, *, staff: User, organization_id: int, status: VerificationStatus, comment: str | None,
    seen: VerificationStatus | None = None, now: datetime, today: date | None = None, confirmed: bool = False,
) -> Review:
    """Verify, or ask for changes, from the status staff `seen` when they opened the card (now, if
    None): if it moved on since (a second tap, another staff member), AlreadyDone. Verifying an
    organization whose board's term ended (before `today`) raises NeedsConfirmation unless
    `confirmed`."""
    await require_staff(session, user_id=staff.id)
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise OrganizationError(N_("That organization no longer exists."))
    if status is VerificationStatus.NEEDS_CHANGES:
        comment = parse_text(comment or "", field_max=1000, min_length=3, multiline=True)
    already = AlreadyDone(
        N_("That was already done: %(name)s was reviewed a moment ago. Nothing was changed, and nobody was told again."),
        name=organization.name,
    )
    if organization.status is status is VerificationStatus.VERIFIED:  # the same tap, twice
        raise already
    if status is VerificationStatus.VERIFIED:
        cautions.check(organization, today=today or now.date(), funding=False, confirmed=confirmed)
    # Of two reviews at the same moment, the second finds the status changed.
    await transition(
        session, Organization, where={"id": organization_id, "status": seen or organization.status},
        values={"status": status, "status_comment": comment, "reviewed_at": now, "reviewed_by_id": staff.id},
        already=already,
    )
    audit.record(session, staff.id, f"org.{status.value}", now=now, organization_id=organization_id)
    leaders = await leaders_of(session, organization_id=organization_id)
    if status is VerificationStatus.VERIFIED:
        says = [notices.line(N_("✅ The programme staff verified <b>%(name)s</b>. Next: check the RUOS documents with /ruos."), name=organization.name)]
    else:
        says = [notices.line(N_("✏️ The programme staff reviewed <b>%(name)s</b> and ask for changes:"), name=organization.name),
                notices.text(f"\n\n{comment or ''}\n\n"), notices.line(N_("Correct it with /myorg."))]
    for leader, _role in leaders:
        if leader.reachable:
            await notices.tell(session, recipient_id=leader.id, about="organization.reviewed", says=says, now=now)
    return Review(organization, [u.telegram_id for u, _role in leaders if u.reachable])
