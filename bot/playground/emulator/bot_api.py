"""The bot's side: the Bot API methods, with Telegram's semantics and error texts. Here the bot's
own setup (getMe, webhook, updates, command menus, menu button) and the table of every method;
what it says in a chat is in ``chat_methods``."""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.playground.emulator.calls import _Call
from bot.playground.emulator.chat_methods import ChatMethods
from bot.playground.emulator.state import (
    _COMMAND,
    MAX_UPDATES_PER_REQUEST,
    EmulatedBot,
    JsonDict,
    TelegramApiError,
    _bad_request,
)

ApiMethod = Callable[[_Call], Awaitable[Any]]


class BotApiMethods(ChatMethods):
    """The Bot API methods of ``BotApiEmulator``, which holds the state they read and change."""

    def _api_methods(self) -> dict[str, ApiMethod]:
        return {
            "getMe": self._get_me,
            "logOut": self._accept,
            "close": self._accept,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendMediaGroup": self._send_media_group,
            "sendPoll": self._send_poll,
            "stopPoll": self._stop_poll,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }

    # -- Bot API methods ---------------------------------------------------------------------

    async def _accept(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return {
            **call.bot.user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, call: _Call) -> bool:
        url = call.text("url") or ""
        if not url:
            return await self._delete_webhook(call)
        if not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        bot = call.bot
        if call.flag("drop_pending_updates"):
            bot.pending_updates.clear()
        _apply_allowed_updates(call)
        bot.webhook = {"url": url}
        bot.updates_signal.notify()  # a waiting getUpdates now conflicts with the webhook
        return True

    async def _delete_webhook(self, call: _Call) -> bool:
        call.bot.webhook = None
        if call.flag("drop_pending_updates"):
            call.bot.pending_updates.clear()
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        bot = call.bot
        info: JsonDict = {
            "url": bot.webhook["url"] if bot.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(bot.pending_updates),
        }
        if bot.webhook and bot.allowed_updates is not None:
            info["allowed_updates"] = sorted(bot.allowed_updates)
        return info

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        bot = call.bot
        _refuse_polling_with_webhook(bot)
        bot.poll_generation += 1
        generation = bot.poll_generation
        bot.updates_signal.notify()  # an older long poll ends with a Conflict
        _apply_allowed_updates(call)
        offset = call.integer("offset")
        if offset:
            _confirm_updates(bot, offset)
        limit = min(
            max(call.integer("limit") or MAX_UPDATES_PER_REQUEST, 1), MAX_UPDATES_PER_REQUEST
        )
        deadline = time.monotonic() + max(call.number("timeout") or 0.0, 0.0)
        while True:
            _refuse_polling_with_webhook(bot)
            if generation != bot.poll_generation:
                raise TelegramApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._drop_unwanted_updates(bot)
            remaining = deadline - time.monotonic()
            if bot.pending_updates or self._closing or remaining <= 0:
                break
            await bot.updates_signal.wait(remaining)
        batch = list(itertools.islice(bot.pending_updates, limit))
        self._mark_delivered(batch)
        return batch

    def _drop_unwanted_updates(self, bot: EmulatedBot) -> None:
        """Telegram never delivers the kinds ``allowed_updates`` leaves out."""
        unwanted = [update for update in bot.pending_updates if not bot.wants(update)]
        if not unwanted:
            return
        wanted = [update for update in bot.pending_updates if bot.wants(update)]
        bot.pending_updates.clear()
        bot.pending_updates.extend(wanted)
        self._mark_delivered(unwanted)  # an action waiting on one goes on to wait for quiet

    def _mark_delivered(self, updates: list[JsonDict]) -> None:
        now = time.monotonic()
        for update in updates:
            tracking = self._tracking.get(update["update_id"])
            if tracking is not None and not tracking.delivered.is_set():
                tracking.delivered_at = now
                tracking.delivered.set()

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand: BotCommand must be an Object")
            if not _COMMAND.match(str(command.get("command", "")).removeprefix("/")):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_scope_key(call)
        if commands:
            call.bot.commands[key] = [
                {"command": str(c["command"]).removeprefix("/"), "description": c["description"]}
                for c in commands
            ]
        else:
            call.bot.commands.pop(key, None)
        self._commands_changed(call.bot)
        return True

    async def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        return call.bot.commands.get(self._command_scope_key(call), [])

    async def _delete_my_commands(self, call: _Call) -> bool:
        call.bot.commands.pop(self._command_scope_key(call), None)
        self._commands_changed(call.bot)
        return True

    def _commands_changed(self, bot: EmulatedBot) -> None:
        if self._archive is not None and bot is self.bot:
            self._archive.state_changed(self)

    def _command_scope_key(self, call: _Call) -> tuple[str, int | None, int | None, str]:
        scope = call.get("scope") or {"type": "default"}
        kind = scope.get("type", "default")
        chat_id = scope.get("chat_id")
        if kind in ("chat", "chat_administrators", "chat_member"):
            try:
                chat_id = int(chat_id)
            except (TypeError, ValueError):
                chat_id = None
            if chat_id not in self._users:
                raise _bad_request("chat not found")
        user_id = scope.get("user_id")
        return kind, chat_id, int(user_id) if user_id else None, call.text("language_code") or ""

    def _commands_for(self, user_id: int, language_code: str | None) -> list[JsonDict]:
        """The menu the people's bot shows in this person's chat."""
        # Telegram's order for a private chat: the chat, all private chats, default; each with
        # the user's language first.
        languages = [language_code, ""] if language_code else [""]
        for kind, chat_id in (("chat", user_id), ("all_private_chats", None), ("default", None)):
            for language in languages:
                commands = self.bot.commands.get((kind, chat_id, None, language))
                if commands:
                    return commands
        return []

    async def _set_chat_menu_button(self, call: _Call) -> bool:
        chat_id = self._chat(call, refuse_if_blocked=False).id if call.get("chat_id") else None
        call.bot.menu_buttons[chat_id] = call.get("menu_button") or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, call: _Call) -> JsonDict:
        chat_id = self._chat(call, refuse_if_blocked=False).id if call.get("chat_id") else None
        for key in (chat_id, None):
            button = call.bot.menu_buttons.get(key)
            if button is not None and button.get("type") != "default":
                return button
        return {"type": "commands"}


def _apply_allowed_updates(call: _Call) -> None:
    """Kept until changed, as in Telegram; an empty list means the default kinds."""
    allowed = call.get("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list):
        raise _bad_request("can't parse allowed updates JSON array")
    call.bot.allowed_updates = frozenset(map(str, allowed)) or None


def _refuse_polling_with_webhook(bot: EmulatedBot) -> None:
    if bot.webhook is not None:
        raise TelegramApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )


def _confirm_updates(bot: EmulatedBot, offset: int) -> None:
    pending = bot.pending_updates
    if offset < 0:  # keep only the last -offset updates
        while len(pending) > -offset:
            pending.popleft()
        return
    while pending and pending[0]["update_id"] < offset:
        pending.popleft()
