"""People who talk to the bot: leaders, coordinators and staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, String, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.db import Base


class Role(StrEnum):
    LEADER = "leader"
    COORDINATOR = "coordinator"
    STAFF = "staff"


# What a person may say of themselves, only if they wish, so the programme can count the
# leaders it trains by sex and nationality. Short codes, never free text; UNSTATED is "I prefer
# not to say" (None: never answered). Only anonymous totals use them (bot/console/console.py).
class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSTATED = "unstated"


class Nationality(StrEnum):
    VENEZUELAN = "venezuelan"
    PERUVIAN = "peruvian"
    OTHER = "other"
    UNSTATED = "unstated"


def enum_column(enum: type[StrEnum], length: int = 24) -> Enum:
    """Enums stored as their plain string values, portable across SQLite and PostgreSQL."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class User(Base):
    """One person as the bot knows them.

    Until they consent only what the bot needs to answer them is kept (their Telegram id,
    language and the consent decision); their name arrives with consent.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.LEADER)
    # Staff because ADMIN_IDS lists them: taken off the list, they are staff no longer. Staff
    # granted any other way keep the role whatever ADMIN_IDS says.
    staff_from_settings: Mapped[bool] = mapped_column(default=False, server_default=false())
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    reachable: Mapped[bool] = mapped_column(default=True)
    # Where the person talks to the bot, and so where notices and reminders reach them
    # (bot.messaging.channels chooses the deliverer by it).
    channel: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    # Self-declared, optional, changeable in /correct, shown with the name to nobody but the
    # person; asked once (after their first seat in a training), when `about_asked_at` is set.
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, 12))
    nationality: Mapped[Nationality | None] = mapped_column(enum_column(Nationality, 12))
    about_asked_at: Mapped[datetime | None]

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None and self.consent_withdrawn_at is None
