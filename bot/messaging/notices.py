"""The outbox of notices: what the bot tells someone because of what someone else did (a
registration waits for verification, a broadcast waits for approval, a report was reviewed, a
seat freed up).

The service that makes the change calls `tell` in its own transaction: the notice is a row of
the reminders engine (kind `KIND`, due at once), so a rollback drops it and a commit delivers it,
and the commit wakes the engine so it goes out within a moment. What it says is kept as catalog
msgids with their parameters, not as text: the engine renders it when it is delivered, in the
recipient's language and for the recipient's channel (`bot.messaging.render`), within their
quiet hours (their own or the programme's) unless it is `urgent` (a seat held for a few hours,
a session cancelled or moved). Choices are kept with a stable id, which Telegram uses as the
button's callback data, and a label msgid.

A notice's parts, each a small JSON-able dict:
  line(msgid, **params)            a catalog message;  plural(singular, plural, n, **params)
  text("…"), quote("…")           someone's own words (escaped; quote() in italics)
  part(name, **args)               something the channel writes itself (its help, a card)
Parameter values: a str is someone's own words (escaped), an int is written as it is, and
label(), date(), moment(), number(), soles(), localized(), span() and message() say how the
recipient's language writes the value.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging import reminders
from bot.messaging.models import Reminder, ReminderState
from bot.people.models import Role, User

KIND = "notice"

Part = dict[str, Any]
Choice = dict[str, Any]


# --- what a notice says -------------------------------------------------------------------------


def line(msgid: str, **params: Any) -> Part:
    return {"msgid": msgid, "params": params}


def plural(singular: str, plural_: str, n: int, **params: Any) -> Part:
    """A catalog message with plural forms, chosen by `n` in the recipient's language (the
    catalogs' extraction knows `plural` as a keyword, as it knows ngettext)."""
    return {"msgid": singular, "plural": plural_, "n": n, "params": params}


def text(words: str) -> Part:
    return {"text": words}


def quote(words: str) -> Part:
    return {"text": words, "style": "italic"}


def part(name: str, **args: Any) -> Part:
    """Something only the channel knows how to write (its own help, a card it renders)."""
    return {"part": name, "args": args}


def choice(choice_id: str, msgid: str | None = None, *, words: str | None = None) -> Choice:
    """A choice: its stable id (today's callback data) and a label msgid (or fixed `words`)."""
    return {"id": choice_id, "label": msgid} if words is None else {"id": choice_id, "words": words}


def label(msgid: str) -> dict[str, Any]:
    return {"label": msgid}


def date(value: Date, style: str = "long") -> dict[str, Any]:
    return {"date": value.isoformat(), "style": style}


def moment(value: datetime, style: str = "medium") -> dict[str, Any]:
    return {"datetime": value.isoformat(), "style": style}


def number(value: int) -> dict[str, Any]:
    return {"number": value}


def soles(cents: int | None) -> dict[str, Any]:
    return {"soles": cents}


def localized(texts: Mapping[str, str] | str) -> dict[str, Any]:
    """A text the catalogue of requirements gives per language, read in the recipient's."""
    return {"localized": texts if isinstance(texts, str) else dict(texts)}


def span(starts_at: datetime, ends_at: datetime) -> dict[str, Any]:
    """When a session runs: the day once and both times, as its card says."""
    return {"span": [starts_at.isoformat(), ends_at.isoformat()]}


def message(msgid: str, **params: Any) -> dict[str, Any]:
    return {"message": line(msgid, **params)}


# --- telling ----------------------------------------------------------------------------------------


async def tell(
    session: AsyncSession,
    *,
    recipient_id: int,
    about: str,
    says: Sequence[Part],
    choices: Sequence[Sequence[Choice]] = (),
    urgent: bool = False,
    now: datetime,
) -> Reminder:
    """Put a notice for `recipient_id` in the outbox, in the caller's transaction.

    `about` names what it is about (``broadcast.approval``) for logs and keys; `says` is its
    text, part after part; `choices` are rows of choices, as the buttons are laid out.
    """
    notice = Reminder(
        key=f"{KIND}:{about}:{recipient_id}:{secrets.token_hex(8)}",
        recipient_id=recipient_id,
        kind=KIND,
        payload={"about": about, "says": list(says), "choices": [list(row) for row in choices]},
        due_at=now,
        urgent=urgent,
        state=ReminderState.PENDING,
        attempts=0,
        created_at=now,
    )
    session.add(notice)
    reminders.wake_after_commit(session, kind=KIND)
    return notice


async def tell_staff(
    session: AsyncSession, *, about: str, says: Sequence[Part], choices: Sequence[Sequence[Choice]] = (), now: datetime,
) -> None:
    """The same notice for every programme staff member who can be reached (a new
    registration, proposal or report waits for them)."""
    staff = await session.scalars(select(User.id).where(User.role == Role.STAFF, User.reachable.is_(True)))
    for staff_id in staff.all():
        await tell(session, recipient_id=staff_id, about=about, says=says, choices=choices, now=now)
