"""The file that goes with a broadcast, under the one rule for files people send (bot/core/uploads.py).

What the author's phone sends is downloaded and judged by its bytes: a photo, a PDF, a Word or
an Excel file is kept; a program, an Office file with macros, a web page or an SVG drawing is
refused with its own message (and the author is asked again). An image is re-encoded from its
pixels, so no EXIF, GPS or XMP reaches anyone. The cleaned bytes are kept in the encrypted
store (`Broadcast.attachment_path`), and recipients get them under a name the bot makes
(`anuncio-<id>.pdf`), never the author's file: the first send uploads them, and Telegram's id
for that copy (`Broadcast.attachment_file_id`) serves the rest.

The store is content-addressed, so a file goes from it only when no broadcast, RUOS document
or project file refers to it any more (`privacy.unreferenced`), and only once that is
committed: when the file is replaced or taken off, when the broadcast is cancelled or has gone
out, and when its author is erased (bot/people/privacy.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts import broadcasts
from bot.broadcasts.models import Broadcast
from bot.core import uploads
from bot.core.db import after_commit
from bot.core.i18n import N_
from bot.core.storage import FileStore
from bot.core.uploads import Accepted, Kind
from bot.core.validation import InvalidInput
from bot.people import privacy

KINDS = frozenset({Kind.IMAGE, Kind.PDF, Kind.WORD, Kind.SHEET})
WRONG_KIND = N_("I can send a photo, a PDF, a Word or an Excel file with a broadcast. Send one of those, or a single dash (-) to send it without one.")
FILE_NAME = "anuncio"


def judge(content: bytes) -> Accepted:
    """The file as recipients will get it; UploadRefused (an InvalidInput) saying why not.
    Decoding an image takes a moment: call it off the event loop (`judged`)."""
    return uploads.accept(content, allowed=KINDS, wrong_kind=InvalidInput(WRONG_KIND), unknown=InvalidInput(WRONG_KIND))


async def judged(content: bytes) -> Accepted:
    return await asyncio.to_thread(judge, content)


@dataclass(frozen=True)
class CleanedCopy:
    """What the first recipient's message uploads: the kept bytes under the bot's name."""

    kind: str  # "photo" or "document"
    file_name: str
    content: bytes


async def attach(session: AsyncSession, *, store: FileStore, broadcast_id: int, user_id: int, accepted: Accepted | None) -> Broadcast:
    """Put the file on the broadcast (None: take it off). Its author and staff only, while it
    can be changed; the file it replaces leaves the store once nothing needs it."""
    broadcast = await broadcasts.editable(session, broadcast_id=broadcast_id, user_id=user_id)
    replaced = broadcast.attachment_path
    if accepted is None:
        broadcast.attachment_kind = broadcast.attachment_path = None
    else:
        saved = await asyncio.to_thread(store.save, accepted.content)
        broadcast.attachment_kind = "photo" if accepted.kind is Kind.IMAGE else "document"
        broadcast.attachment_path = saved.path
    broadcast.attachment_file_id = None
    await session.flush()
    await forget(session, store=store, paths=[replaced])
    return broadcast


async def forget(session: AsyncSession, *, store: FileStore, paths: list[str | None]) -> None:
    """Remove these files from the store once committed, if nothing refers to them any more."""
    gone = await privacy.unreferenced(session, [path for path in paths if path])

    def delete() -> None:
        for path in gone:
            store.delete(path)

    if gone:
        after_commit(session, delete)


async def let_go(session: AsyncSession, *, store: FileStore, broadcast_id: int) -> None:
    """The broadcast was cancelled or has gone out: its file is needed no more."""
    broadcast = await broadcasts.get(session, broadcast_id)
    if broadcast is None or broadcast.attachment_path is None:
        return
    path, broadcast.attachment_path = broadcast.attachment_path, None
    await session.flush()
    await forget(session, store=store, paths=[path])


def cleaned_copy(broadcast: Broadcast, store: FileStore) -> CleanedCopy | None:
    """The kept file, named by the bot (None: it has none in the store)."""
    if broadcast.attachment_kind is None or broadcast.attachment_path is None:
        return None
    content = store.read(broadcast.attachment_path)
    return CleanedCopy(broadcast.attachment_kind, f"{FILE_NAME}-{broadcast.id}{uploads.extension_of('', content)}", content)


async def remember_upload(session: AsyncSession, *, broadcast_id: int, path: str, file_id: str) -> None:
    """Telegram's id for the copy just sent, kept for the rest (unless the file changed since)."""
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.attachment_path == path, Broadcast.attachment_file_id.is_(None))
        .values(attachment_file_id=file_id)
    )
