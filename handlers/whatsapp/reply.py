"""What answering one WhatsApp message produces: the screens to show, to whom, in order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.screens import Screen
from bot.people.models import User


@dataclass(frozen=True)
class Shown:
    """One screen to show (a page of it, for a long list)."""

    screen: Screen
    page: int = 1


@dataclass
class Reply:
    """What to send back, to whom: the person's address on WhatsApp, and the screens, in order.
    `flow` is the flow whose question the last screen asks by typing (None: none)."""

    to: str
    person: User | None  # None once erased
    language: str
    shown: list[Shown] = field(default_factory=list)
    flow: str | None = None
    business: str | None = None  # the business number the person wrote to (for wa.me links)
    # Work for after the answer's transaction committed (files of erased records).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Fetches an inbound file's bytes by media id (the channel's client), at once.
    fetch: Callable[[str], Awaitable[bytes]] | None = None

    def show(self, *screens: Screen, flow: str | None = None, page: int = 1) -> None:
        self.shown += [Shown(s, page) for s in screens]
        self.flow = flow
