"""The business's side: the Graph API endpoints the bot calls, with Meta's semantics.

``POST /{version}/{phone_number_id}/messages`` (every message type, mark-as-read, the typing
indicator), ``POST /{version}/{phone_number_id}/media`` (upload), ``GET /{version}/{media_id}``
(a download URL that lives five minutes on the clock) and that URL itself, which wants the
bearer token like every other call. ``CloudApiStandIn`` (``server``) holds the state.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.core.clock import Clock
from bot.playground.whatsapp import meta
from bot.playground.whatsapp.meta import GraphApiError, JsonDict
from bot.playground.whatsapp.outgoing import BusinessMessage, Template, check_message
from bot.playground.whatsapp.people import WhatsAppPerson
from bot.playground.whatsapp.webhooks import new_wamid


@dataclass(frozen=True)
class StoredMedia:
    id: str
    content: bytes
    mime_type: str
    file_name: str | None
    by: str  # business | person

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class GraphCall:
    """One request to the Graph endpoints, for assertions in tests."""

    endpoint: str  # messages | media | media_url | download
    body: JsonDict
    error_code: int | None  # Meta's error code, None when it succeeded


class GraphEndpoints:
    """The Graph endpoints of ``CloudApiStandIn``, which holds the state they read and change."""

    token: str | None
    phone_number_id: str
    url: str
    clock: Clock
    messages_per_second: float | None
    pair_burst: int | None
    pair_window_seconds: float
    rate_clock: Callable[[], float]
    templates: dict[tuple[str, str], Template]
    sent: list[BusinessMessage]
    calls: list[GraphCall]
    _media: dict[str, StoredMedia]
    _media_ids: Any  # an iterator of ints
    _recent_sends: deque[float]
    _pair_sends: dict[str, deque[float]]
    _injected: deque[GraphApiError]
    _last_bot_request_at: float
    _inbound_ids: dict[str, WhatsAppPerson]
    # The "/" command list and ice breakers set through conversational_automation.
    commands: list[tuple[str, str]] = []  # noqa: RUF012 - replaced, never changed in place
    ice_breakers: list[str] = []  # noqa: RUF012

    def _person_for(self, address: str) -> WhatsAppPerson | None: ...  # server

    def _after_send(self, person: WhatsAppPerson | None, message: BusinessMessage, failure: int | None) -> None: ...

    def _register_routes(self, router: web.UrlDispatcher) -> None:
        version = r"{version:v[0-9]+\.[0-9]+}"
        router.add_post(f"/{version}/{{phone_number_id}}/messages", self._handle_messages)
        router.add_post(f"/{version}/{{phone_number_id}}/media", self._handle_upload)
        router.add_get(f"/{version}/{{media_id:[0-9]+}}", self._handle_media_url)
        router.add_delete(f"/{version}/{{media_id:[0-9]+}}", self._handle_media_delete)
        router.add_get("/whatsapp_business/attachments/", self._handle_download)
        router.add_post(f"/{version}/{{phone_number_id}}/conversational_automation", self._handle_automation)

    # -- requests ----------------------------------------------------------------------------

    async def _handle_automation(self, request: web.Request) -> web.Response:
        """The "/" command list (one for everyone, at most 30: name ≤ 32, description ≤ 256) and
        the ice breakers (at most 4, ≤ 80), as the WhatsApp Manager or the API sets them."""
        body: JsonDict = {}
        try:
            self._authorize(request)
            self._own_number(request)
            try:
                body = json.loads(await request.read())
                commands = body.get("commands") or []
                commands = json.loads(commands) if isinstance(commands, str) else commands
            except ValueError:
                raise GraphApiError(meta.INVALID_PARAMETER, "The request body is not JSON") from None
            prompts = body.get("prompts") or []
            if not isinstance(commands, list) or len(commands) > 30 or len(prompts) > 4:
                raise meta.bad("At most 30 commands and 4 ice breakers")
            names = [str(c.get("command_name", "")) for c in commands if isinstance(c, dict)]
            hints = [str(c.get("command_description", "")) for c in commands if isinstance(c, dict)]
            if len(names) != len(commands) or len(set(names)) != len(names):
                raise meta.bad("Each command needs a unique command_name")
            if any(not 1 <= len(n) <= 32 for n in names) or any(not 1 <= len(h) <= 256 for h in hints):
                raise meta.bad("command_name length invalid (1-32) or command_description (1-256)")
            if any(not 1 <= len(str(p)) <= 80 for p in prompts):
                raise meta.bad("Ice breaker length invalid (1-80)")
            self.commands = list(zip(names, hints, strict=True))
            self.ice_breakers = [str(p) for p in prompts]
            return self._answer("conversational_automation", body, {"success": True})
        except GraphApiError as error:
            return self._answer("conversational_automation", body, error)

    def _authorize(self, request: web.Request) -> None:
        self._last_bot_request_at = time.monotonic()
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise meta.unauthorized()
        if self.token is None:
            self.token = token  # the first token claims the stand-in, as in the Telegram one
        if not hmac.compare_digest(token, self.token):
            raise meta.unauthorized()

    def _own_number(self, request: web.Request) -> None:
        number = request.match_info["phone_number_id"]
        if number != self.phone_number_id:
            raise meta.no_object(number)

    def _answer(self, endpoint: str, body: JsonDict, result: JsonDict | GraphApiError) -> web.Response:
        if isinstance(result, GraphApiError):
            self.calls.append(GraphCall(endpoint, body, result.code))
            return web.json_response(result.as_json(), status=result.status)
        self.calls.append(GraphCall(endpoint, body, None))
        return web.json_response(result)

    async def _handle_messages(self, request: web.Request) -> web.Response:
        body: JsonDict = {}
        try:
            self._authorize(request)
            self._own_number(request)
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise GraphApiError(meta.INVALID_PARAMETER, "The request body is not JSON") from None
            if not isinstance(body, dict):
                raise GraphApiError(meta.INVALID_PARAMETER, "The request body must be an object")
            return self._answer("messages", body, self._message(body))
        except GraphApiError as error:
            return self._answer("messages", body, error)

    def _message(self, body: JsonDict) -> JsonDict:
        if body.get("status") == "read":
            return self._mark_read(body)
        message = check_message(body, self.templates)
        address = str(body.get("to") or body.get("recipient") or "").lstrip("+")
        if not address:
            raise meta.missing("The parameter to is required.")
        if message.media_id is not None and message.media_id not in self._media:
            raise meta.bad(f"Invalid media id {message.media_id}")
        person = self._person_for(address)
        self._check_rates(person.wa_id if person is not None else address)
        if self._injected:
            raise self._injected.popleft()
        message.id = new_wamid()
        message.to = address
        message.sent_at = self.clock.now()
        self.sent.append(message)
        failure: int | None = None
        if person is None or not person.reachable:
            failure = meta.UNDELIVERABLE
        elif message.kind != "template" and not self._window_open(person):
            failure = meta.OUTSIDE_WINDOW  # accepted now, reported failed later: as Meta does
        elif message.template is not None and message.template.category == "MARKETING" and person.marketing_capped:
            failure = meta.MARKETING_LIMIT  # the same: accepted, then reported failed
        self._after_send(person, message, failure)
        contact: JsonDict = {"input": address}
        if person is not None:
            contact.update(
                {k: v for k, v in person.contact_json(with_user_id=True).items() if k in ("wa_id", "user_id")}
            )
        else:
            contact["wa_id"] = address
        sent: JsonDict = {"id": message.id}
        if message.kind == "template":
            sent["message_status"] = "accepted"
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [sent]}

    def _mark_read(self, body: JsonDict) -> JsonDict:
        message_id = body.get("message_id")
        person = self._inbound_ids.get(str(message_id))
        if person is None:
            raise meta.bad(f"Invalid message_id {message_id}")
        person.marked_read.add(str(message_id))
        return {"success": True}

    def _window_open(self, person: WhatsAppPerson) -> bool:
        wrote = person.last_wrote_at
        return wrote is not None and self.clock.now() - wrote <= timedelta(hours=meta.WINDOW_HOURS)

    def _check_rates(self, pair: str) -> None:
        now = self.rate_clock()
        limit = self.messages_per_second
        if limit is not None:
            window = self._recent_sends
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                raise GraphApiError(meta.THROUGHPUT, "Cloud API message throughput has been reached.")
        if self.pair_burst is not None:
            recent = self._pair_sends.setdefault(pair, deque())
            while recent and recent[0] <= now - self.pair_window_seconds:
                recent.popleft()
            if len(recent) >= self.pair_burst:
                raise GraphApiError(
                    meta.PAIR_RATE, "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."
                )
            recent.append(now)
        if limit is not None:
            self._recent_sends.append(now)

    # -- media -------------------------------------------------------------------------------

    def _store_media(self, content: bytes, *, mime_type: str, file_name: str | None, by: str) -> str:
        media_id = str(next(self._media_ids))
        self._media[media_id] = StoredMedia(media_id, content, mime_type, file_name, by)
        return media_id

    def _media_content(self, media_id: str) -> tuple[bytes, str, str | None] | None:
        stored = self._media.get(media_id)
        return (stored.content, stored.mime_type, stored.file_name) if stored else None

    async def _handle_upload(self, request: web.Request) -> web.Response:
        fields: JsonDict = {}
        try:
            self._authorize(request)
            self._own_number(request)
            form = await request.post()
            upload = form.get("file")
            fields = {key: getattr(value, "filename", value) for key, value in form.items()}
            if form.get("messaging_product") != "whatsapp":
                raise meta.missing("messaging_product must be whatsapp")
            if not isinstance(upload, web.FileField):
                raise meta.missing("The parameter file is required.")
            mime_type = str(form.get("type") or upload.content_type or "")
            content = upload.file.read()
            kind = next((k for k, (types, _) in meta.MEDIA_LIMITS.items() if mime_type in types), None)
            if kind is None:
                raise GraphApiError(meta.MEDIA_UPLOAD, f"Param file must be a file with one of the supported types; got {mime_type}")
            if len(content) > meta.MEDIA_LIMITS[kind][1]:
                raise GraphApiError(meta.MEDIA_UPLOAD, f"{kind} is larger than {meta.MEDIA_LIMITS[kind][1]} bytes")
            media_id = self._store_media(content, mime_type=mime_type, file_name=upload.filename, by="business")
            return self._answer("media", fields, {"id": media_id})
        except GraphApiError as error:
            return self._answer("media", fields, error)

    def _download_hash(self, media_id: str, expires: int) -> str:
        return hmac.new(str(self.token).encode(), f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    async def _handle_media_url(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        try:
            self._authorize(request)
            stored = self._media.get(media_id)
            if stored is None:
                raise meta.no_object(media_id)
            expires = int((self.clock.now() + timedelta(minutes=meta.MEDIA_URL_MINUTES)).timestamp())
            query = f"mid={media_id}&ext={expires}&hash={self._download_hash(media_id, expires)}"
            result = {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/whatsapp_business/attachments/?{query}",
                "mime_type": stored.mime_type,
                "sha256": stored.sha256,
                "file_size": len(stored.content),
                "id": media_id,
            }
            return self._answer("media_url", {"id": media_id}, result)
        except GraphApiError as error:
            return self._answer("media_url", {"id": media_id}, error)

    async def _handle_media_delete(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        try:
            self._authorize(request)
            if self._media.pop(media_id, None) is None:
                raise meta.no_object(media_id)
            return self._answer("media_delete", {"id": media_id}, {"success": True})
        except GraphApiError as error:
            return self._answer("media_delete", {"id": media_id}, error)

    async def _handle_download(self, request: web.Request) -> web.Response:
        query = request.query
        media_id, expires = query.get("mid", ""), query.get("ext", "0")
        try:
            self._authorize(request)
            stored = self._media.get(media_id)
            fresh = expires.isdigit() and self.clock.now() <= datetime.fromtimestamp(int(expires), tz=self.clock.now().tzinfo)
            valid = expires.isdigit() and hmac.compare_digest(query.get("hash", ""), self._download_hash(media_id, int(expires)))
            if stored is None or not valid or not fresh:
                self.calls.append(GraphCall("download", {"id": media_id}, 404))
                return web.Response(status=404, text="URL signature expired")
        except GraphApiError as error:
            return self._answer("download", {"id": media_id}, error)
        self.calls.append(GraphCall("download", {"id": media_id}, None))
        return web.Response(body=stored.content, content_type=stored.mime_type)
