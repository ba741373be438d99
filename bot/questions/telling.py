"""Who hears of a question's change, through the outbox (bot/messaging/notices.py): written in
the same transaction as the change, delivered in each person's language, channel and hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.messaging import notices


class Telling(Protocol):
    user_id: int
    event: str
    question_id: int


OPEN = N_("📂 Open")


async def tell(session: AsyncSession, told: Iterable[Telling], *, now: datetime, words: str = "", file: str = "") -> None:
    for one in told:
        ref = f"#{one.question_id}"
        open_it = [[notices.choice(f"ask:open:{one.question_id}", OPEN)]]
        if one.event == "new":
            says, choices = [notices.line(N_("❓ A new question, %(ref)s, is waiting in /inbox."), ref=ref)], open_it
        elif one.event == "reminder":
            says, choices = [notices.line(N_("⏰ Question %(ref)s has waited a working day without an answer."), ref=ref)], open_it
        elif one.event == "replied":
            says, choices = [notices.line(N_("💬 There is a new message on question %(ref)s."), ref=ref)], open_it
        elif one.event == "answered":
            says = [notices.line(N_("💬 The team wrote about your question %(ref)s:"), ref=ref)]
            if words:
                says.append(notices.quote(words))
            if file:
                says.append(notices.text("📎 " + file))
            choices = [[notices.choice(f"ask:reply:{one.question_id}", N_("↩️ Reply")),
                        notices.choice(f"ask:close:{one.question_id}", N_("✅ Close it"))],
                       [notices.choice(f"ask:view:{one.question_id}", N_("📂 See the question"))]]
        elif one.event == "closed":
            says, choices = [notices.line(N_("✅ Question %(ref)s was closed. If you need anything else, send /ask."), ref=ref)], []
        elif one.event == "closed_by_asker":
            says, choices = [notices.line(N_("✅ Question %(ref)s was closed by who asked it."), ref=ref)], []
        else:
            raise ValueError(one.event)
        await notices.tell(session, recipient_id=one.user_id, about=f"question.{one.event}", says=says, choices=choices, now=now)
