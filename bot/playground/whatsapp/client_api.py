"""The page's side: the people over HTTP, as JSON, under ``/_standin/`` (for a WhatsApp-like
chat page in the playground, as ``/_emulator/`` serves the Telegram one).

It drives the same ``WhatsAppPerson`` internals as the tests but never waits for the bot: the
page learns about replies from the long-polled ``events``.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from aiohttp import web

from bot.playground.emulator.client_api import _json_body
from bot.playground.whatsapp.meta import JsonDict
from bot.playground.whatsapp.outgoing import BusinessMessage
from bot.playground.whatsapp.people import ChatEntry, WhatsAppPerson

MAX_POLL_SECONDS = 60.0
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})


class StandInForPage(Protocol):
    @property
    def people(self) -> list[WhatsAppPerson]: ...

    def person(self, wa_id: str | None = None, *, name: str = "Rosa", hides_number: bool = False) -> WhatsAppPerson: ...

    def _person_for(self, address: str) -> WhatsAppPerson | None: ...

    def _media_content(self, media_id: str) -> tuple[bytes, str, str | None] | None: ...


def business_message_json(message: BusinessMessage) -> JsonDict:
    return {
        "id": message.id,
        "kind": message.kind,
        "text": message.text,
        "header": message.header,
        "footer": message.footer,
        "choices": [vars(choice) for choice in message.choices],
        "list_button": message.list_button,
        "url": message.url,
        "url_label": message.url_label,
        "media_url": f"{ClientApi.PREFIX}/media/{message.media_id}" if message.media_id else message.media_link,
        "file_name": message.file_name,
        "template": message.template.name if message.template else None,
        "statuses": list(message.statuses),
        "reply_to": message.reply_to,
        "at": int(message.sent_at.timestamp()),
    }


def entry_json(entry: ChatEntry) -> JsonDict:
    if entry.business is not None:
        return {"seq": entry.seq, "from_business": True, **business_message_json(entry.business)}
    written: dict[str, Any] = dict(entry.written or {})
    kind = written.get("type", "text")
    content = written.get(kind)
    if isinstance(content, dict) and content.get("id") and kind in ("image", "document"):
        content = {**content, "media_url": f"{ClientApi.PREFIX}/media/{content['id']}"}
    at = int(written.get("timestamp") or 0)
    return {"seq": entry.seq, "from_business": False, "id": written.get("id"), "kind": kind, "at": at, kind: content}


class ClientApi:
    PREFIX = "/_standin"

    def __init__(self, standin: StandInForPage) -> None:
        self.standin = standin

    def register(self, router: web.UrlDispatcher) -> None:
        chat = f"{self.PREFIX}/chats/{{wa_id:[0-9]+}}"
        router.add_get(f"{self.PREFIX}/people", self.list_people)
        router.add_post(f"{self.PREFIX}/people", self.create_person)
        router.add_get(f"{chat}/events", self.events)
        router.add_post(f"{chat}/write", self.write)
        router.add_post(f"{chat}/press", self.press)
        router.add_post(f"{chat}/upload", self.upload)
        router.add_post(f"{chat}/location", self.location)
        router.add_get(f"{self.PREFIX}/media/{{media_id:[0-9]+}}", self.media)

    @staticmethod
    def person_json(person: WhatsAppPerson) -> JsonDict:
        return {"wa_id": person.wa_id, "name": person.name, "user_id": person.user_id, "hides_number": person.hides_number}

    def _person(self, request: web.Request) -> WhatsAppPerson:
        person = self.standin._person_for(request.match_info["wa_id"])
        if person is None:
            raise web.HTTPNotFound(text="no such person")
        return person

    async def list_people(self, request: web.Request) -> web.Response:
        return web.json_response({"people": [self.person_json(p) for p in self.standin.people]})

    async def create_person(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        name = str(body.get("name") or "").strip()
        wa_id = str(body.get("wa_id") or "").lstrip("+") or None
        if not name or (wa_id is not None and not wa_id.isdigit()):
            raise web.HTTPBadRequest(text="a name, and a wa_id of digits if any")
        return web.json_response(self.person_json(self.standin.person(wa_id, name=name)))

    async def events(self, request: web.Request) -> web.Response:
        """Long poll: the chat's messages after ``after`` (a seq), waiting up to ``timeout`` s."""
        person = self._person(request)
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "25")), MAX_POLL_SECONDS)
        except ValueError:
            raise web.HTTPBadRequest(text="after and timeout must be numbers") from None
        deadline = time.monotonic() + timeout
        while not any(entry.seq > after for entry in person.chat):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await person.chat_changed.wait(remaining)
        entries = [entry_json(entry) for entry in person.chat if entry.seq > after]
        return web.json_response({"messages": entries, "seq": person.chat[-1].seq if person.chat else 0})

    async def write(self, request: web.Request) -> web.Response:
        person = self._person(request)
        text = str((await _json_body(request)).get("text") or "")
        if not text.strip():
            raise web.HTTPBadRequest(text="text is empty")
        return _sent(person._submit("text", {"text": {"body": text}}).message_id)

    async def press(self, request: web.Request) -> web.Response:
        person = self._person(request)
        found = person._find_choice(str((await _json_body(request)).get("id") or ""))
        if found is None:
            raise web.HTTPBadRequest(text="no such choice")
        return _sent(person._submit(*person._press_content(*found)).message_id)

    async def upload(self, request: web.Request) -> web.Response:
        """A photo (JPEG or PNG) or any other file as a document, with an optional caption."""
        person = self._person(request)
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="a file is needed")
        mime_type = upload.content_type or "application/octet-stream"
        kind = "image" if mime_type in IMAGE_TYPES else "document"
        caption = str(form.get("caption") or "") or None
        content = upload.file.read()
        file_name = None if kind == "image" else upload.filename
        message = person._media_message(kind, content, mime_type=mime_type, file_name=file_name, caption=caption)
        return _sent(person._submit(*message).message_id)

    async def location(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await _json_body(request)
        try:
            place = {"latitude": float(body["latitude"]), "longitude": float(body["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="latitude and longitude are numbers") from None
        return _sent(person._submit("location", {"location": place}).message_id)

    async def media(self, request: web.Request) -> web.Response:
        found = self.standin._media_content(request.match_info["media_id"])
        if found is None:
            raise web.HTTPNotFound(text="no such media")
        content, mime_type, _ = found
        return web.Response(body=content, content_type=mime_type)


def _sent(message_id: str) -> web.Response:
    return web.json_response({"id": message_id})
