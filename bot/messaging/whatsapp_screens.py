"""The screen last shown to each person on WhatsApp (`WhatsAppShown`): kept with the answer
that showed it, read when their next message comes, so that a typed number or a choice's words
name one of its choices (handlers/whatsapp/render.read_reply) and typed text reaches the flow
whose question it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.screens import Choice, Screen
from bot.messaging.whatsapp_models import WhatsAppShown

KEEP = "keep"
_HELD = "whatsapp_shown_rows"  # in `session.info`


@dataclass(frozen=True)
class Shown:
    screen: Screen
    flow: str | None
    page: int
    # What the flow keeps with its question until the answer comes (which organization an edit
    # began for, a board member's answers so far): small, and gone with the next screen.
    keep: dict[str, Any] | None = None


def as_json(screen: Screen) -> dict[str, Any]:
    """The text and choices (files are shown once, never kept here)."""
    return {"text": screen.text, "rows": [[{"id": c.id, "label": c.label, "description": c.description, "url": c.url}
                                           for c in row] for row in screen.rows]}


def from_json(stored: dict[str, Any]) -> Screen:
    rows = tuple(tuple(Choice(c["id"], c["label"], c.get("description", ""), c.get("url", "")) for c in row)
                 for row in stored.get("rows", []))
    return Screen(text=str(stored.get("text", "")), rows=rows)


async def _get(session: AsyncSession, user_id: int) -> WhatsAppShown | None:
    """The person's row, held by the session: its identity map keeps rows only while something
    refers to them, and the answer that read the last screen writes the next one (one SELECT)."""
    row = await session.get(WhatsAppShown, user_id)
    if row is not None:
        session.info.setdefault(_HELD, {})[user_id] = row
    return row


async def _row(session: AsyncSession, *, user_id: int, now: datetime) -> WhatsAppShown:
    row = await _get(session, user_id)
    if row is None:
        row = WhatsAppShown(user_id=user_id, screen={}, page=1, shown_at=now)
        session.add(row)
    return row


async def remember(session: AsyncSession, *, user_id: int, screen: Screen, flow: str | None, now: datetime, page: int = 1,
                   keep: dict[str, Any] | None = None) -> None:
    """`screen` is what the person sees last now, answering `flow` (None: outside a flow), with
    what the flow `keep`s for the answer (in the same row: no table of its own to clean up)."""
    row = await _row(session, user_id=user_id, now=now)
    stored = as_json(screen)
    if keep:
        stored[KEEP] = keep
    row.screen, row.flow, row.page, row.shown_at = stored, flow, page, now


async def remember_in_one_statement(session: AsyncSession, *, user_id: int, screen: Screen, now: datetime) -> None:
    """`remember` (outside a flow) as one upsert, for a bulk send at WhatsApp's 80 a second; an
    invitation held for the person stays."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(WhatsAppShown).values(user_id=user_id, screen=as_json(screen), flow=None, page=1, shown_at=now)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={"screen": statement.excluded.screen, "flow": None, "page": 1, "shown_at": statement.excluded.shown_at}))


async def hold_invite(session: AsyncSession, *, user_id: int, token: str, now: datetime) -> None:
    """An invitation that came before consent, kept until the person accepts the notice."""
    row = await _row(session, user_id=user_id, now=now)
    row.invite_token = token


async def take_invite(session: AsyncSession, *, user_id: int) -> str | None:
    """The invitation held for the person, once (None: none)."""
    row = await _get(session, user_id)
    if row is None or row.invite_token is None:
        return None
    token, row.invite_token = row.invite_token, None
    return token


async def last_shown(session: AsyncSession, *, user_id: int) -> Shown | None:
    row = await _get(session, user_id)
    if row is None:
        return None
    kept = row.screen.get(KEEP)
    return Shown(from_json(row.screen), row.flow, row.page, kept if isinstance(kept, dict) else None)
