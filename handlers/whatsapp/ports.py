"""What the WhatsApp side needs from the client that talks to Meta's Cloud API."""

from __future__ import annotations

from typing import Any, Protocol


class Sender(Protocol):
    async def send(self, to: str, payload: dict[str, Any]) -> str | None:
        """Send one message to `to` (a wa_id, or a BSUID for someone whose number is hidden).

        `payload` is the Cloud API message object without `messaging_product` and `to`:
        `{"type": "text", "text": {"body": …}}` or `{"type": "interactive", "interactive": …}`.
        Returns Meta's message id (wamid), which its status webhooks name later. Raises on a
        refusal, so the message that asked for it is tried again.
        """
        ...

    async def upload(self, content: bytes, *, mime_type: str, filename: str) -> str:
        """Upload a file to send by id (a screen's files); returns the media id."""
        ...

    async def download(self, media_id: str) -> bytes:
        """An inbound file's bytes by its media id (its URL lives minutes: fetched at once)."""
        ...
