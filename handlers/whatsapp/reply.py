"""What answering one WhatsApp message produces: the screens to show, to whom, in order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.screens import Screen
from bot.people.models import User


@dataclass(frozen=True)
class Shown:
    """One screen to show (a page of it, for a long list)."""

    screen: Screen
    page: int = 1


@dataclass(frozen=True)
class Media:
    """A file a person sent, as the webhook announced it: `kind` image or document."""

    kind: str
    id: str
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None  # what the person wrote with it

    @classmethod
    def of(cls, message: dict[str, Any]) -> Media | None:
        kind = message.get("type")
        content = message.get(kind) if kind in ("image", "document") else None
        if not isinstance(content, dict) or not str(content.get("id") or "").isdigit():
            return None
        caption = content.get("caption")
        return cls(str(kind), str(content["id"]), content.get("mime_type"), content.get("filename"),
                   caption if isinstance(caption, str) else None)


@dataclass
class Reply:
    """What to send back, to whom: the person's address on WhatsApp, and the screens, in order.
    `flow` is the flow whose question the last screen asks by typing (None: none); `keep`, what
    that flow keeps with it for the answer (bot.messaging.whatsapp_screens.Shown.keep)."""

    to: str
    person: User | None  # None once erased
    language: str
    shown: list[Shown] = field(default_factory=list)
    flow: str | None = None
    keep: dict[str, Any] | None = None
    business: str | None = None  # the business number the person wrote to (for wa.me links)
    # Work for after the answer's transaction committed (files of erased records).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    media: Media | None = None  # the file the person sent (an image, a document), if any
    download: Callable[[str], Awaitable[bytes]] | None = None  # a file's bytes by its media id

    def fetch(self) -> Callable[[], Awaitable[bytes]]:
        """How to fetch the file the person sent, now (while the message is handled)."""
        media, download = self.media, self.download
        assert media is not None and download is not None

        async def fetched() -> bytes:
            return await download(media.id)
        return fetched

    def show(self, *screens: Screen, flow: str | None = None, page: int = 1, keep: dict[str, Any] | None = None) -> None:
        self.shown += [Shown(s, page) for s in screens]
        self.flow, self.keep = flow, keep
