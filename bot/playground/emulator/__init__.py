"""An in-process Telegram Bot API server, for tests, benchmarks and the browser playground.

The real python-telegram-bot ``Application`` talks to it over HTTP on loopback exactly as it
would talk to api.telegram.org::

    async with BotApiEmulator() as emulator:
        application = (
            ApplicationBuilder().token("123:TEST")
            .base_url(emulator.base_url).base_file_url(emulator.base_file_url).build()
        )
        ...  # start polling
        ana = emulator.user(first_name="Ana")
        await ana.sends("/start")          # returns once the bot has handled the update
        await ana.taps("Registrar")
        assert "Bienvenida" in ana.last_text

Three faces:

* **The Bot API** (``/bot<token>/<method>``, ``/file/bot<token>/<path>``) with Telegram's
  semantics and error texts, to any client (python-telegram-bot, pyTelegramBotAPI, curl):
  parameters from the query string and a JSON, form or multipart body on any HTTP method;
  long polling with ``allowed_updates``; messages with HTML entities, inline and reply
  keyboards, edits, deletes, callback answers, documents, photos, albums, polls, command
  menus, files, a global flood limit, blocked users and slow chats (``slow_chats``). The methods:

  getMe, logOut, close, setWebhook, deleteWebhook, getWebhookInfo, getUpdates,
  setMyCommands, getMyCommands, deleteMyCommands, setChatMenuButton, getChatMenuButton,
  sendMessage, editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage,
  answerCallbackQuery, sendDocument, sendPhoto, sendMediaGroup, sendPoll, stopPoll,
  sendChatAction, getChat, getFile.

  Tokens: the people talk to one bot, ``emulator.bot``. Its token is ``BotApiEmulator(token=)``
  or, if none is given, the first token of Telegram's form (``<bot id>:<secret>``) that makes
  a request, so a test can start any bot process on a fresh emulator without telling it the
  token; ``add_bot(token)`` adds others, each with its own updates, menus and webhook (and, as
  a bot nobody started, 403 on sending to a person). Any other token gets 401 Unauthorized,
  on methods and file downloads alike; an unknown method or a malformed path, Telegram's
  JSON 404.
* **The test API**: ``emulator.user(...)`` returns a ``SimulatedUser`` that sends, taps,
  uploads and votes, waits until the bot has handled each action, and reads what it sees.
* **The client API** (``/_emulator/...``, JSON) for the browser chat page: users, chat
  history, a long-polled event stream and the same user actions. The playground adds its own
  routes (the static page) to ``emulator.web_app.router`` before ``start()``.

Deliberate simplifications: private chats only (chat id == user id); parse_mode "Markdown"
and "MarkdownV2" are accepted but the text is kept as plain text (Voces only uses HTML);
Telegram's automatic entities (urls, mentions, hashtags) are not detected in bot messages;
a webhook is stored and makes getUpdates fail as in Telegram, but updates are never pushed to
it.

Its parts: ``state`` (limits, errors, bots, chats, messages, events, files), ``bot_api`` (the
bot's side: the methods above, with its setup and updates; ``chat_methods`` what it says in a
chat; ``calls`` reads and checks each request), ``people`` (the people's side:
``SimulatedUser``), ``client_api`` (the people's side over HTTP, for the page), ``server``
(``BotApiEmulator``: routes, tokens, updates and waiting for the bot) and ``archive`` (chats
kept on disk across restarts, for the playground).
"""

from bot.playground.emulator.people import SimulatedUser
from bot.playground.emulator.server import BotApiEmulator
from bot.playground.emulator.state import (
    DEFAULT_BOT_ID,
    FIRST_USER_ID,
    MAX_MESSAGE_LENGTH,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    ApiCall,
    ChatEvent,
    ChatMessage,
    EmulatedBot,
    EmulatorStats,
    JsonDict,
    PrivateChat,
    SentFile,
    StoredFile,
    TelegramApiError,
)

__all__ = [
    "DEFAULT_BOT_ID",
    "FIRST_USER_ID",
    "MAX_MESSAGE_LENGTH",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "ApiCall",
    "BotApiEmulator",
    "ChatEvent",
    "ChatMessage",
    "EmulatedBot",
    "EmulatorStats",
    "JsonDict",
    "PrivateChat",
    "SentFile",
    "SimulatedUser",
    "StoredFile",
    "TelegramApiError",
]
