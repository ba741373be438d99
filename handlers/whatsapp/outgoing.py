"""Showing screens on WhatsApp: upload a screen's files, render it within WhatsApp's limits
(render.py) and send each message through the channel's Sender.

`send_screen` is the one call for whoever starts a conversation (the notices' deliverer, a
reminder): it keeps the screen as the person's last one (so a typed number answers it) and
sends it. Answers to what a person wrote go through the worker, which keeps the screen in the
answer's own transaction and then calls `send_shown`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.runtime import Runtime
from bot.core.screens import File, Screen
from bot.messaging import whatsapp_screens
from bot.people.models import User
from handlers.whatsapp import render
from handlers.whatsapp.ports import Sender
from handlers.whatsapp.reply import Shown


async def send_shown(runtime: Runtime, sender: Sender, *, to: str, shown: Sequence[Shown], language: str) -> list[str]:
    """Send the screens in order; returns the wamids of the messages sent."""
    gettext = runtime.translator(language).gettext
    sent: list[str] = []
    for item in shown:
        files = item.screen.files if item.page == 1 else ()
        media_ids = [await sender.upload(_content(runtime, file), mime_type=file.mime, filename=file.name) for file in files]
        for payload in render.render(item.screen if item.page == 1 else _without_files(item.screen), to=to,
                                     gettext=gettext, page=item.page, media_ids=media_ids):
            wamid = await sender.send(to, payload)
            if wamid:
                sent.append(wamid)
    return sent


async def send_screen(runtime: Runtime, sender: Sender, *, person: User, screen: Screen, flow: str | None = None) -> list[str]:
    """Show `screen` to a person on WhatsApp, at their address, in their language, as the last
    screen their next answer names. Raises the client's typed errors (BackOff, Unreachable,
    OutsideWindow…): the 24-hour window is the caller's to check first."""
    address = person.wa_id or person.bsuid
    if address is None:
        raise ValueError(f"user {person.id} has no WhatsApp address")
    async with runtime.database.session() as session:
        await whatsapp_screens.remember(session, user_id=person.id, screen=screen, flow=flow, now=runtime.clock.now())
    return await send_shown(runtime, sender, to=address, shown=[Shown(screen)], language=person.language)


def _content(runtime: Runtime, file: File) -> bytes:
    return file.data if file.data is not None else runtime.files.read(file.stored or "")


def _without_files(screen: Screen) -> Screen:
    return Screen(text=screen.text, rows=screen.rows, contact_label=screen.contact_label)
