"""The client API of the browser playground: the people's side over HTTP, as JSON."""

from __future__ import annotations

import json
import time
from bisect import bisect_right
from urllib.parse import quote

from aiohttp import web

from bot.playground.emulator.people import SimulatedUser
from bot.playground.emulator.ports import EmulatorForPage
from bot.playground.emulator.state import (
    MAX_CLIENT_POLL_SECONDS,
    ChatEvent,
    ChatMessage,
    JsonDict,
    PrivateChat,
)
from bot.playground.telegram_html import to_html


class _ClientApi:
    """The JSON API of the browser playground, under ``/_emulator/``.

    It drives the same SimulatedUser internals as the tests, but never waits for the bot:
    the page learns about replies from the event stream.
    """

    PREFIX = "/_emulator"

    def __init__(self, emulator: EmulatorForPage) -> None:
        self.emulator = emulator

    def register(self, router: web.UrlDispatcher) -> None:
        chat = f"{self.PREFIX}/chats/{{user_id:\\d+}}"
        router.add_get(f"{self.PREFIX}/users", self.list_users)
        router.add_post(f"{self.PREFIX}/users", self.create_user)
        router.add_get(f"{chat}/history", self.history)
        router.add_get(f"{chat}/events", self.events)
        router.add_post(f"{chat}/send", self.send)
        router.add_post(f"{chat}/tap", self.tap)
        router.add_post(f"{chat}/contact", self.contact)
        router.add_post(f"{chat}/upload", self.upload)
        router.add_get(f"{chat}/commands", self.commands)
        router.add_get(f"{self.PREFIX}/files/{{file_id}}", self.file)

    # -- serialization -----------------------------------------------------------------------

    @staticmethod
    def user_json(user: SimulatedUser) -> JsonDict:
        return {**user.json, "blocked": user.chat.blocked}

    def message_json(self, message: ChatMessage) -> JsonDict:
        data = message.data
        text = data.get("text", data.get("caption", ""))
        entities = data.get("entities", data.get("caption_entities", []))
        entry: JsonDict = {
            "message_id": message.message_id,
            "from_bot": message.from_bot,
            "date": data["date"],
            "edit_date": data.get("edit_date"),
            "deleted": message.deleted,
            "text": text,
            "entities": entities,
            "html": to_html(text, entities),
            "reply_markup": data.get("reply_markup"),
            "reply_to_message_id": data.get("reply_to_message", {}).get("message_id"),
            "media_group_id": data.get("media_group_id"),
        }
        if "document" in data:
            entry["document"] = {**data["document"], "url": self.file_url(data["document"])}
        if "photo" in data:
            largest = data["photo"][-1]
            entry["photo"] = {**largest, "url": self.file_url(largest)}
        for key in ("poll", "contact", "sticker"):
            if key in data:
                entry[key] = data[key]
        return entry

    def file_url(self, attachment: JsonDict) -> str:
        return f"{self.PREFIX}/files/{attachment['file_id']}"

    def event_json(self, chat: PrivateChat, event: ChatEvent) -> JsonDict:
        body: JsonDict = {"seq": event.seq, "type": event.kind}
        if event.message_id is not None:
            body["message"] = self.message_json(chat.messages[event.message_id])
        if event.kind == "keyboard":
            body["reply_keyboard"] = chat.reply_keyboard_rows()
        body.update(event.details)
        return body

    # -- handlers ----------------------------------------------------------------------------

    def simulated_user(self, request: web.Request) -> SimulatedUser:
        user = self.emulator._users.get(int(request.match_info["user_id"]))
        if user is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "no such user"}), content_type="application/json"
            )
        return user

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response([self.user_json(user) for user in self.emulator.users])

    async def create_user(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        user = self.emulator.user(
            body.get("id"),
            first_name=str(body.get("first_name") or "Ana"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "es"),
            phone_number=body.get("phone_number"),
        )
        return web.json_response(self.user_json(user))

    async def history(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        chat = user.chat
        return web.json_response(
            {
                "user": self.user_json(user),
                "messages": [self.message_json(message) for message in chat.messages.values()],
                "reply_keyboard": chat.reply_keyboard_rows(),
                "last_alert": chat.last_alert,
                "seq": chat.current_seq,
            }
        )

    async def events(self, request: web.Request) -> web.Response:
        """Long poll: the chat's events after ``after``, waiting up to ``timeout`` seconds."""
        chat = self.simulated_user(request).chat
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "25")), MAX_CLIENT_POLL_SECONDS)
        except ValueError:
            raise web.HTTPBadRequest(text="after and timeout must be numbers") from None
        deadline = time.monotonic() + timeout
        while chat.current_seq <= after and not self.emulator._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await chat.signal.wait(remaining)
        start = bisect_right(chat.events, after, key=lambda event: event.seq)
        events = [self.event_json(chat, event) for event in chat.events[start:]]
        return web.json_response({"events": events, "seq": chat.current_seq})

    async def send(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        text = str((await _json_body(request)).get("text") or "")
        if not text.strip():
            raise web.HTTPBadRequest(text="text is empty")
        return self.action_response(user._submit_text(text), self.own_message(user))

    async def tap(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        body = await _json_body(request)
        try:
            message = user._callback_message(int(body["message_id"]))
            update_ids = [user._submit_callback(message, str(body["callback_data"]))]
        except (KeyError, TypeError, ValueError, AssertionError) as error:
            raise web.HTTPBadRequest(text=f"cannot tap: {error}") from None
        return self.action_response(update_ids, None)

    async def contact(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        phone_number = (await _json_body(request)).get("phone_number") or user.phone_number
        update_id = user._submit_contact(str(phone_number))
        return self.action_response([update_id], self.own_message(user))

    async def upload(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        form = await request.post()
        part = form.get("file")
        if not isinstance(part, web.FileField):
            raise web.HTTPBadRequest(text="a multipart 'file' part is required")
        content = part.file.read()
        caption = str(form.get("caption") or "") or None
        if form.get("kind") == "photo":
            update_id = user._submit_photo(content, caption)
        else:
            mime_type = part.content_type or "application/octet-stream"
            update_id = user._submit_document(content, part.filename, mime_type, caption)
        return self.action_response([update_id], self.own_message(user))

    async def commands(self, request: web.Request) -> web.Response:
        user = self.simulated_user(request)
        return web.json_response(self.emulator._commands_for(user.id, user.language_code))

    async def file(self, request: web.Request) -> web.Response:
        stored = self.emulator._files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="no such file")
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    @staticmethod
    def own_message(user: SimulatedUser) -> ChatMessage:
        """The message the user's action has just put into the chat."""
        return user.chat.messages[user.chat.last_message_id]

    def action_response(self, update_ids: list[int], message: ChatMessage | None) -> web.Response:
        """The created updates, and the user's own message if the action made one."""
        # The page learns the outcome from the event stream; nobody waits on these updates.
        self.emulator._forget(update_ids)
        return web.json_response(
            {
                "update_ids": update_ids,
                "message": self.message_json(message) if message is not None else None,
            }
        )


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body
