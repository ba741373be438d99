"""The playground's demo leader on WhatsApp: Milagros, who has just found the bot there.

She is the WhatsApp side's newcomer, as Ana is Telegram's: each start picks the first number
from 51987100601 up that the bot has never met, so a visitor always sees first contact (the
language, then the data notice and consent) and the stand-in, which keeps no chats across a
restart, never shows someone the bot already knows from an empty chat. Nothing is written to
the database: the bot meets her when she first writes, in Spanish unless she picks English.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import select

from bot.core.runtime import Runtime
from bot.people.models import User
from bot.playground.seed import DemoRole

FIRST_WA_ID = 51_987_100_601


@dataclass(frozen=True)
class WhatsAppDemoPerson:
    demo_role: DemoRole
    wa_id: str  # the number as WhatsApp writes it, no '+'
    name: str  # the profile name WhatsApp sends with each message

    @property
    def first_name(self) -> str:
        return self.name.split()[0]


async def seed(runtime: Runtime) -> list[WhatsAppDemoPerson]:
    """The WhatsApp people the stand-in must know, at numbers the bot has never met."""
    async with runtime.database.session() as session:
        known = set(await session.scalars(select(User.wa_id).where(User.wa_id.is_not(None))))
    wa_id = next(str(n) for n in itertools.count(FIRST_WA_ID) if str(n) not in known)
    return [WhatsAppDemoPerson(DemoRole.LEADER, wa_id, "Milagros Vargas")]
