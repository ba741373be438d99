"""The bot's side, in a chat: the Bot API methods that send, edit and delete messages, answer
buttons, send files and polls, and look up chats and files, with Telegram's semantics and error
texts. ``BotApiMethods`` (``bot_api``) adds the bot's own setup and its updates."""

from __future__ import annotations

import time
from pathlib import PurePosixPath
from typing import Any

from bot.playground.emulator.calls import _Call, _check_inline_keyboard
from bot.playground.emulator.state import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_POLL_OPTIONS,
    NOT_MODIFIED,
    PHOTO_HEIGHT,
    PHOTO_WIDTH,
    QUERY_TOO_OLD,
    ChatMessage,
    JsonDict,
    PrivateChat,
    StoredFile,
    TelegramApiError,
    _bad_request,
    _normalize_entities,
)
from bot.playground.telegram_html import HtmlParseError, parse_html, utf16_length


class ChatMethods:
    """The chat methods of ``BotApiEmulator``, which holds the state they read and change."""

    # -- helpers for the methods -------------------------------------------------------------

    def _timestamp(self) -> int:
        return int(self.clock.now().timestamp())

    def _chat(self, call: _Call, *, refuse_if_blocked: bool = True) -> PrivateChat:
        """The chat named by ``chat_id``; a blocked user refuses everything but lookups."""
        raw = call.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        try:
            user = self._users.get(int(raw))
        except (TypeError, ValueError):
            user = None  # "@username" addresses channels and groups, never private chats
        if user is None:
            raise _bad_request("chat not found")
        if call.bot is not self.bot:
            raise TelegramApiError(403, "Forbidden: bot can't initiate conversation with a user")
        call.chat = user.chat
        user.chat.last_bot_request_at = time.monotonic()
        if refuse_if_blocked and user.chat.blocked:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        return user.chat

    def _formatted_text(
        self, call: _Call, *, text_field: str, entities_field: str, limit: int, too_long: str
    ) -> tuple[str, list[JsonDict]]:
        raw = call.text(text_field) or ""
        parse_mode = (call.text("parse_mode") or "").lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw)
            except HtmlParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in ("", "markdown", "markdownv2"):
            text, entities = raw, _normalize_entities(call.get(entities_field))
        else:
            raise _bad_request("unsupported parse_mode")
        if utf16_length(text) > limit:
            raise _bad_request(too_long)
        return text, entities

    def _message_text(self, call: _Call) -> JsonDict:
        text, entities = self._formatted_text(
            call,
            text_field="text",
            entities_field="entities",
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
        )
        if not text.strip():
            raise _bad_request("message text is empty")
        return {"text": text, **({"entities": entities} if entities else {})}

    def _caption(self, call: _Call) -> JsonDict:
        caption, entities = self._formatted_text(
            call,
            text_field="caption",
            entities_field="caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
        )
        if not caption:
            return {}
        return {"caption": caption, **({"caption_entities": entities} if entities else {})}

    def _reply_markup(self, call: _Call, *, inline_only: bool = False) -> JsonDict | None:
        markup = call.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad_request("inline keyboard expected")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return markup

    def _reply_to(self, call: _Call, chat: PrivateChat) -> JsonDict:
        parameters = call.get("reply_parameters") or {}
        message_id = parameters.get("message_id") or call.integer("reply_to_message_id")
        if not message_id:
            return {}
        target = chat.visible(int(message_id))
        if target is None:
            if parameters.get("allow_sending_without_reply") or call.flag(
                "allow_sending_without_reply"
            ):
                return {}
            raise _bad_request("message to be replied not found")
        replied = {key: value for key, value in target.data.items() if key != "reply_to_message"}
        return {"reply_to_message": replied}

    def _post(
        self, call: _Call, chat: PrivateChat, content: JsonDict, markup: JsonDict | None
    ) -> ChatMessage:
        """Add a bot message to the chat, apply its keyboard, and count it."""
        reply_to = self._reply_to(call, chat)  # may fail, and a failed send uses no message id
        data: JsonDict = {
            "message_id": chat.allocate_message_id(),
            "from": call.bot.user_json(),
            "chat": chat.json,
            "date": self._timestamp(),
            **content,
            **reply_to,
        }
        if markup is not None and "inline_keyboard" in markup:
            data["reply_markup"] = markup
        message = ChatMessage(data, from_bot=True)
        chat.add(message)
        self.stats.messages_sent += 1
        if markup is not None and "keyboard" in markup:
            chat.set_reply_keyboard(markup, message.message_id)
        elif markup is not None and markup.get("remove_keyboard"):
            chat.set_reply_keyboard(None)
        return message

    def _message_to_edit(self, call: _Call, chat: PrivateChat) -> ChatMessage:
        if call.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the emulator")
        message_id = call.integer("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = chat.visible(message_id)
        if message is None:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return message

    def _apply_edit(self, chat: PrivateChat, message: ChatMessage, changes: JsonDict) -> JsonDict:
        """Replace fields (None removes one) unless nothing would change."""
        data = message.data
        if all(data.get(key) == value for key, value in changes.items()):
            raise TelegramApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        data["edit_date"] = self._timestamp()
        chat.edited(message)
        return data

    # -- Bot API methods: messages, buttons, files, polls, chats ---------------------------

    async def _send_message(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        content = self._message_text(call)
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        if "text" not in message.data:
            raise _bad_request("there is no text in the message to edit")
        content = self._message_text(call)
        changes = {
            "text": content["text"],
            "entities": content.get("entities"),
            "reply_markup": self._reply_markup(call, inline_only=True),
        }
        return self._apply_edit(chat, message, changes)

    async def _edit_message_caption(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        if "text" in message.data or "poll" in message.data:
            raise _bad_request("there is no caption in the message to edit")
        caption = self._caption(call)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": self._reply_markup(call, inline_only=True),
        }
        return self._apply_edit(chat, message, changes)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        message = self._message_to_edit(call, chat)
        changes = {"reply_markup": self._reply_markup(call, inline_only=True)}
        return self._apply_edit(chat, message, changes)

    async def _delete_message(self, call: _Call) -> bool:
        chat = self._chat(call, refuse_if_blocked=False)
        message = chat.visible(call.integer("message_id") or 0)
        if message is None:
            raise _bad_request("message to delete not found")
        chat.delete(message)
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        query_id = call.text("callback_query_id") or ""
        user_id = self._callback_queries.pop(query_id, None) if call.bot is self.bot else None
        if user_id is None:
            raise TelegramApiError(400, QUERY_TOO_OLD)
        chat = self._users[user_id].chat
        call.chat = chat
        text = call.text("text")
        if text:
            chat.last_alert = text
            chat.record("alert", text=text, show_alert=call.flag("show_alert"))
        return True

    async def _send_document(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        stored = self._input_file(call, call.get("document"), "document")
        content = {"document": self._document_json(stored), **self._caption(call)}
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _send_photo(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        stored = self._input_file(call, call.get("photo"), "photo")
        content = {"photo": self._photo_sizes(stored), **self._caption(call)}
        return self._post(call, chat, content, self._reply_markup(call)).data

    async def _send_media_group(self, call: _Call) -> list[JsonDict]:
        chat = self._chat(call)
        media = call.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad_request("media group must have from 2 to 10 media")
        media_group_id = str(next(self._media_group_ids))
        contents = []
        for item in media:
            kind = item.get("type")
            if kind not in ("photo", "document"):
                raise _bad_request(f"media type {kind!r} is not supported by the emulator")
            stored = self._input_file(call, item.get("media"), kind)
            # Each item formats its own caption, with the same rules as a sendPhoto's.
            caption_fields = ("caption", "parse_mode", "caption_entities")
            item_call = _Call(
                call.bot,
                {key: item[key] for key in caption_fields if key in item},
                {},
            )
            attachment = (
                self._photo_sizes(stored) if kind == "photo" else self._document_json(stored)
            )
            contents.append(
                {kind: attachment, "media_group_id": media_group_id, **self._caption(item_call)}
            )
        return [self._post(call, chat, content, None).data for content in contents]

    async def _send_poll(self, call: _Call) -> JsonDict:
        chat = self._chat(call)
        question = call.text("question") or ""
        if not question.strip():
            raise _bad_request("poll question must be non-empty")
        if utf16_length(question) > 300:
            raise _bad_request("poll question length must not exceed 300")
        options = [
            option if isinstance(option, str) else str(option.get("text", ""))
            for option in call.get("options") or []
        ]
        if len(options) < 2:
            raise _bad_request("poll must have at least 2 option")
        if len(options) > MAX_POLL_OPTIONS:
            raise _bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
        if any(not option.strip() for option in options):
            raise _bad_request("poll options must be non-empty")
        poll = {
            "id": str(next(self._poll_ids)),
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": str(index)}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": call.flag("is_anonymous", default=True),
            "type": call.text("type") or "regular",
            "allows_multiple_answers": call.flag("allows_multiple_answers"),
            "allows_revoting": True,
            "members_only": False,
        }
        return self._post(call, chat, {"poll": poll}, self._reply_markup(call)).data

    async def _stop_poll(self, call: _Call) -> JsonDict:
        chat = self._chat(call, refuse_if_blocked=False)
        message = chat.visible(call.integer("message_id") or 0)
        if message is None or "poll" not in message.data:
            raise _bad_request("message with poll to stop not found")
        poll = message.data["poll"]
        if poll["is_closed"]:
            raise _bad_request("poll has already been closed")
        poll["is_closed"] = True
        markup = self._reply_markup(call, inline_only=True)
        if markup is not None:
            message.data["reply_markup"] = markup
        chat.edited(message)
        return poll

    async def _send_chat_action(self, call: _Call) -> bool:
        self._chat(call)
        return True

    async def _get_chat(self, call: _Call) -> JsonDict:
        chat = self._chat(call, refuse_if_blocked=False)
        return {
            **chat.json,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_file(self, call: _Call) -> JsonDict:
        stored = self._files.get(call.text("file_id") or "")
        if stored is None or call.bot is not self.bot:  # file ids belong to one bot
            raise _bad_request("invalid file_id")
        if stored.size > self.download_limit_bytes:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    # -- files -------------------------------------------------------------------------------

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        stored = StoredFile(
            kind=kind,
            file_id=f"{kind}-{number:06d}-emulated",
            file_unique_id=f"u{number:06d}",
            file_path=f"{kind}s/file_{number}{suffix}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._remember_file(stored)
        if self._archive is not None:
            self._archive.file_stored(stored)
        return stored

    def _remember_file(self, stored: StoredFile) -> None:
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored

    def _store_upload(
        self, content: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        kind = "document" if file_name else "photo"
        return self._store_file(content, kind=kind, file_name=file_name, mime_type=mime_type)

    def _input_file(self, call: _Call, value: Any, kind: str) -> StoredFile:
        """An uploaded part, an ``attach://name`` reference, or the id of a known file.

        ``kind`` is "document" or "photo", which is also the name of the upload field.
        """
        upload = call.uploads.get(kind) if value is None else None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise _bad_request(f"file {value} not found in the request")
        if upload is not None:
            if not upload.content:
                raise _bad_request("file must be non-empty")
            file_name = upload.file_name if kind == "document" else None
            return self._store_file(
                upload.content, kind=kind, file_name=file_name, mime_type=upload.mime_type
            )
        if value is None:
            raise _bad_request(f"there is no {kind} in the request")
        stored = self._files.get(str(value))
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise _bad_request("type of file mismatch")
        return stored

    def _document_json(self, stored: StoredFile) -> JsonDict:
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _photo_sizes(self, stored: StoredFile) -> list[JsonDict]:
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                "width": PHOTO_WIDTH,
                "height": PHOTO_HEIGHT,
            }
        ]
