"""People: first contact, consent, language, role, reachability."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.validation import clean_text, has_visible_characters
from bot.people.models import Role, User

# Bump when the privacy notice changes in substance: people are asked again.
CONSENT_NOTICE_VERSION = "2026-11"

LAST_SEEN_PRECISION = timedelta(minutes=15)


@dataclass(frozen=True)
class Meeting:
    person: User
    wrote: bool  # first contact, or something about them changed and was written
    role_changed: bool = False  # ADMIN_IDS made them staff, or no longer lists them


async def meet(
    session: AsyncSession,
    *,
    telegram_id: int,
    language: str,
    admin_ids: Collection[int],
    now: datetime,
) -> Meeting:
    """Find the person, or create them at first contact with the language their app speaks.

    Only the Telegram id, language and dates are kept before consent. ADMIN_IDS is the source
    of truth for the staff it grants, both ways: listed, they are staff; taken off the list,
    they are leaders again at their next message (staff granted otherwise are left alone).
    """
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        user = User(
            telegram_id=telegram_id,
            language=language,
            role=Role.STAFF if telegram_id in admin_ids else Role.LEADER,
            staff_from_settings=telegram_id in admin_ids,
            first_seen=now,
            last_seen=now,
        )
        session.add(user)
        await session.flush()
        return Meeting(user, wrote=True)
    wrote = False
    # "Last seen" serves follow-up measured in days (who went quiet), so it is written at most
    # once every LAST_SEEN_PRECISION: a conversation then costs no extra write per message.
    if now - user.last_seen >= LAST_SEEN_PRECISION:
        user.last_seen, wrote = now, True
    # They just wrote to us, so they have not blocked the bot (or unblocked it).
    if not user.reachable:
        user.reachable, wrote = True, True
    role_changed = False
    if telegram_id in admin_ids and user.role is not Role.STAFF:
        user.role, user.staff_from_settings, wrote, role_changed = Role.STAFF, True, True, True
    elif telegram_id not in admin_ids and user.staff_from_settings:
        user.role, user.staff_from_settings, wrote, role_changed = Role.LEADER, False, True, True
    return Meeting(user, wrote, role_changed)


async def get(session: AsyncSession, user_id: int) -> User | None:
    """By primary key: free when the session already holds them (as in the update's own)."""
    return await session.get(User, user_id)


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def give_consent(session: AsyncSession, *, user: User, display_name: str | None, now: datetime) -> None:
    user.consent_version = CONSENT_NOTICE_VERSION
    user.consent_at = now
    user.consent_withdrawn_at = None
    # Telegram names are free text too: a U+202E in one would reach staff's lists reversed.
    name = clean_text(display_name or "")[:128]
    user.display_name = name if has_visible_characters(name) else None


async def decline_consent(session: AsyncSession, *, user: User, now: datetime) -> None:
    """Declining keeps no name; the row stays so the bot remembers the answer and the language."""
    user.consent_version = None
    user.consent_at = None
    user.consent_withdrawn_at = now
    user.display_name = None


async def set_language(session: AsyncSession, *, user: User, language: str) -> None:
    user.language = language


async def set_role(session: AsyncSession, *, user: User, role: Role) -> None:
    """A role given here is not ADMIN_IDS's to take away."""
    user.role, user.staff_from_settings = role, False


async def with_their_own_menu(session: AsyncSession) -> list[User]:
    """Staff and coordinators the bot can write to: their chats show their role's commands."""
    chosen = select(User).where(User.role != Role.LEADER, User.reachable.is_(True)).order_by(User.id)
    return list(await session.scalars(chosen))


async def mark_unreachable(session: AsyncSession, *, telegram_id: int) -> None:
    """Telegram answered 403: they blocked the bot or deleted their account."""
    await session.execute(update(User).where(User.telegram_id == telegram_id).values(reachable=False))
