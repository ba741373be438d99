"""Who is a leader, a coordinator or staff: staff change it with /role.

`users.staff_from_settings` stays meaningful: a role given here is never ADMIN_IDS's to take
away (`people.set_role` clears the flag), and someone whom ADMIN_IDS makes staff cannot be
given another role here while the list names them: at their next message the list would make
them staff again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import audit
from bot.core.i18n import N_
from bot.core.transitions import AlreadyDone
from bot.messaging import notices
from bot.people import people
from bot.people.authority import NotAllowed, require_staff
from bot.people.labels import ROLE_NAMES
from bot.people.models import Role, User

NOT_YOURSELF = N_("You cannot change your own role. Ask another staff member.")
FROM_SETTINGS = N_("This person is staff because ADMIN_IDS lists them. Take them off that list first.")
UNKNOWN = N_("I do not know that person: they must write to the bot first.")


async def people_who_wrote(session: AsyncSession, *, offset: int = 0, limit: int = 10) -> tuple[list[User], int]:
    """People who accepted the data notice, or staff, the most recently seen first; and how many."""
    known = (User.consent_at.is_not(None) & User.consent_withdrawn_at.is_(None)) | (User.role == Role.STAFF)
    total = await session.scalar(select(func.count()).select_from(User).where(known))
    found = await session.scalars(select(User).where(known).order_by(User.last_seen.desc(), User.id).offset(offset).limit(limit))
    return list(found), int(total or 0)


async def find(session: AsyncSession, *, user_id: int | None = None, telegram_id: int | None = None) -> User:
    person = await session.get(User, user_id) if user_id is not None else await people.get_by_telegram_id(session, telegram_id or 0)
    if person is None:
        raise NotAllowed(UNKNOWN)
    return person


async def change_role(session: AsyncSession, *, staff_id: int, user_id: int, role: Role, now: datetime | None = None) -> User:
    """Give the person `role`, checked now: the one acting is staff, the person is not them."""
    await require_staff(session, user_id=staff_id)
    person = await find(session, user_id=user_id)
    if person.id == staff_id:
        raise NotAllowed(NOT_YOURSELF)
    if person.staff_from_settings and role is not Role.STAFF:
        raise NotAllowed(FROM_SETTINGS)
    if person.role is role:
        raise AlreadyDone(N_("That person already has that role."))
    await people.set_role(session, user=person, role=role)
    if now is not None:
        audit.record(session, staff_id, "role.set", now=now, subject_id=person.id, detail=role.value)
        # Their channel writes its own help for the new role: the commands differ by channel.
        await notices.tell(session, recipient_id=person.id, about="role.changed", now=now, says=[
            notices.line(N_("Programme staff made you %(role)s. Your command menu has changed:"), role=notices.label(ROLE_NAMES[role])),
            notices.text("\n\n"), notices.part("help", role=role.value)])
    return person
