"""Who a broadcast reaches: filters that compose (every filter must match, any of a filter's
values will do), within the districts its author follows, and what people's /settings let
through. Counting (`reach`) and sending (`broadcasts.start`) read the same condition,
`recipients_condition`, so the number on the card is the number it goes to.

The scope rule is `bot.people.authority.Viewer`: a coordinator who follows some districts
writes only to people who lead an organization there (their "all leaders" is all leaders
there), chooses only those districts, and only the sessions' lists they see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.models import Broadcast, MessageKind, NotificationSettings
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.districts import district_by_ubigeo
from bot.core.validation import parse_id
from bot.organizations.models import Leadership, Organization, OrganizationKind
from bot.people import authority
from bot.people.models import Role, User
from bot.ruos.models import RegistrationStage, RuosRegistration
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession


def _leads_where(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """People who lead an organization meeting the conditions."""
    return User.id.in_(
        select(Leadership.user_id).join(Organization, Organization.id == Leadership.organization_id).where(*conditions)
    )


def _ruos(values: Sequence[str]) -> ColumnElement[bool]:
    # An organization that has not started its RUOS registration is "preparing" it.
    stage = func.coalesce(RuosRegistration.stage, RegistrationStage.PREPARING.value)
    return User.id.in_(
        select(Leadership.user_id)
        .join(RuosRegistration, RuosRegistration.organization_id == Leadership.organization_id, isouter=True)
        .where(stage.in_(list(values)))
    )


# On a session's list: a seat, a seat offered, or waiting for one.
LISTED = (EnrollmentState.ENROLLED, EnrollmentState.OFFERED, EnrollmentState.WAITLISTED)


def _enrolled(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return User.id.in_(
        select(Enrollment.user_id).join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(Enrollment.state.in_(LISTED), *conditions)
    )


# A filter name → its condition on `User` for the values chosen. Every filter of an audience
# must match (AND); any of a filter's values will do (OR). A new way of choosing recipients is
# one entry here and its buttons in handlers/broadcasts/compose.py.
AUDIENCE_FILTERS: dict[str, Callable[[Sequence[str]], ColumnElement[bool]]] = {
    "leaders": lambda _values: User.id.in_(select(Leadership.user_id)),
    "role": lambda values: User.role.in_(list(values)),
    "district": lambda values: _leads_where(Organization.district_ubigeo.in_(list(values))),
    "kind": lambda values: _leads_where(Organization.kind.in_(list(values))),
    "ruos": _ruos,
    "language": lambda values: User.language.in_(list(values)),
    "session": lambda values: _enrolled(Enrollment.session_id.in_([n for n in map(parse_id, values) if n is not None])),
    "topic": lambda values: _enrolled(TrainingSession.topic.in_(list(values))),
}


# What each way of choosing may be given: anything else is a forged button, never stored in
# an audience that no card could then show.
AUDIENCE_VALUES: dict[str, Callable[[str], bool]] = {
    "leaders": lambda value: value == "yes",
    "role": lambda value: value in {role.value for role in Role},
    "district": lambda value: district_by_ubigeo(value) is not None,
    "kind": lambda value: value in {kind.value for kind in OrganizationKind},
    "ruos": lambda value: value in {stage.value for stage in RegistrationStage},
    "language": lambda value: value in SUPPORTED_LANGUAGES,
    "session": lambda value: parse_id(value) is not None,
    "topic": lambda _value: True,  # a code no session has reaches nobody
}


def known_choice(name: str, value: str) -> bool:
    return name in AUDIENCE_FILTERS and AUDIENCE_VALUES[name](value)

def audience_condition(audience: dict[str, list[str]], *, within: ColumnElement[bool] | None = None) -> ColumnElement[bool] | None:
    """Who the chosen filters match; `within` narrows it to the author's scope (`author_scope`)."""
    conditions = [AUDIENCE_FILTERS[name](values) for name, values in audience.items() if values and name in AUDIENCE_FILTERS]
    if not conditions:
        return None
    if within is not None:
        conditions.append(within)
    return and_(User.consent_at.is_not(None), User.consent_withdrawn_at.is_(None), *conditions)


async def author_scope(session: AsyncSession, broadcast: Broadcast) -> ColumnElement[bool] | None:
    """A coordinator who follows some districts writes to the leaders of those districts only:
    their "all leaders" is all leaders there. Read again each time it is counted or sent, so a
    scope changed since it was written applies (None: the author follows every district). An
    author who is no longer a coordinator or staff, or was erased, follows none: nobody."""
    if broadcast.author_id is None:
        return false()
    try:
        who = await authority.viewer(session, user_id=broadcast.author_id)
    except authority.NotAllowed:
        return false()
    return None if who.districts is None else who.leaders()


async def recipients_condition(session: AsyncSession, broadcast: Broadcast) -> ColumnElement[bool] | None:
    """Everyone the broadcast's audience matches, within its author's districts."""
    return audience_condition(broadcast.audience, within=await author_scope(session, broadcast))


def switched_off(kind: MessageKind) -> ColumnElement[bool]:
    """People who switched broadcasts of `kind` off in /settings."""
    return cast(NotificationSettings.muted, String).like(f'%"{kind.value}"%')


def wants(kind: MessageKind) -> ColumnElement[bool]:
    """People whose /settings let a broadcast of `kind` through now."""
    refusing = select(NotificationSettings.user_id).where(
        or_(NotificationSettings.paused_at.is_not(None), switched_off(kind))
    )
    return User.id.not_in(refusing)


@dataclass(frozen=True)
class Reach:
    matching: int  # everyone the audience matches
    receiving: int  # of them, those it will go to (reachable, and their /settings allow it)


async def reach(session: AsyncSession, broadcast: Broadcast) -> Reach:
    condition = await recipients_condition(session, broadcast)
    if condition is None:
        return Reach(0, 0)
    matching = await session.scalar(select(func.count()).select_from(User).where(condition)) or 0
    receiving = await session.scalar(
        select(func.count()).select_from(User).where(condition, User.reachable.is_(True), wants(broadcast.kind))
    ) or 0
    return Reach(matching, receiving)


# --- what the author may choose ------------------------------------------------------------------


async def require_in_scope(session: AsyncSession, *, user_id: int, name: str, value: str) -> None:
    """A district, or a session's list, is chosen only by someone who follows it."""
    who = await authority.coordinator(session, user_id=user_id)
    if name == "district":
        who.require_in_scope(value)
    elif name == "session":
        training = await session.get(TrainingSession, int(value)) if value.isdigit() else None
        if training is None or not who.sees_session(training.district_ubigeo, training.created_by_id):
            raise authority.NotAllowed(authority.SESSION_OUT_OF_SCOPE)


async def districts_in_scope(session: AsyncSession, *, user_id: int, districts: Sequence[str]) -> list[str]:
    """Of the districts a typed name matches, those the person follows; NotAllowed (naming the
    first and theirs) when none is."""
    who = await authority.coordinator(session, user_id=user_id)
    allowed = [district for district in districts if who.sees(district)]
    if districts and not allowed:
        who.require_in_scope(districts[0])
    return allowed


async def sessions_to_choose(session: AsyncSession, *, user_id: int, now: datetime, limit: int = 10) -> list[TrainingSession]:
    """Upcoming sessions (not cancelled) whose list the person may write to: those they see."""
    who = await authority.coordinator(session, user_id=user_id)
    found = await session.scalars(
        select(TrainingSession)
        .where(TrainingSession.cancelled_at.is_(None), TrainingSession.starts_at > now,
               who.sessions(TrainingSession.district_ubigeo, TrainingSession.created_by_id))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
    )
    return list(found)
