"""The Bot API emulator behaves like Telegram towards a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import suppress
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.playground.emulator import NOT_MODIFIED, QUERY_TOO_OLD, BotApiEmulator
from bot.playground.emulator.archive import ChatArchive
from bot.playground.telegram_html import HtmlParseError, parse_html, to_html

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.settle_seconds = 0.05  # the stand-in bots below answer at once
        yield emulator


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url) as bot:
        yield bot


@pytest.fixture
async def updates(emulator: BotApiEmulator, bot: Bot) -> AsyncIterator[list[Update]]:
    """A stand-in for the bot's update loop: fetch every update and report it processed."""
    received: list[Update] = []
    emulator.expect_processed_signal = True

    async def poll() -> None:
        offset = None
        while True:
            for update in await bot.get_updates(offset=offset, timeout=5):
                received.append(update)
                offset = update.update_id + 1
                emulator.mark_processed(update.update_id)

    task = asyncio.create_task(poll())
    yield received
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


def last_error(emulator: BotApiEmulator) -> str | None:
    return emulator.calls[-1].error


# -- polling -------------------------------------------------------------------------------


async def test_get_me_describes_the_bot_named_by_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "voces_bot", True)


async def test_get_updates_waits_for_a_user_and_an_offset_confirms_what_was_read(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user(first_name="Ana")
    long_poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not long_poll.done()  # nothing to read yet: the request is held open

    await ana.sends("hola")
    (update,) = await long_poll
    assert update.message.text == "hola"
    assert update.message.chat.id == ana.id

    # Unconfirmed updates come again; an offset past them drops them.
    assert [u.update_id for u in await bot.get_updates()] == [update.update_id]
    assert await bot.get_updates(offset=update.update_id + 1) == ()


async def test_a_second_bot_instance_polling_ends_the_first_ones_long_poll(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=emulator.base_url) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older


async def test_get_updates_is_refused_while_a_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://voces.example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://voces.example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_an_action_nobody_fetches_fails_with_a_clear_message(
    emulator: BotApiEmulator,
) -> None:
    emulator.action_timeout = 0.2
    with pytest.raises(AssertionError, match="getUpdates"):
        await emulator.user().sends("¿hay alguien?")


# -- messages ------------------------------------------------------------------------------


async def test_html_arrives_as_plain_text_with_entities(emulator: BotApiEmulator, bot: Bot) -> None:
    ana = emulator.user()
    message = await bot.send_message(
        ana.id,
        '<b>Hola</b> <i>Ana</i> &amp; <a href="https://voces.example.org">más</a> 😀<u>x</u>',
        parse_mode=ParseMode.HTML,
    )
    assert message.text == "Hola Ana & más 😀x"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("italic", 5, 3),
        ("text_link", 11, 3),
        ("underline", 17, 1),  # the emoji counts as two UTF-16 code units
    ]
    assert message.entities[2].url == "https://voces.example.org"
    assert ana.last_text == "Hola Ana & más 😀x"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("Hola <foo>Ana</foo>", 'Unsupported start tag "foo" at byte offset 5'),
        ("<b>Hola", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>Hola</i>", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("ñandú < 3", 'Unsupported start tag "" at byte offset 8'),
    ],
)
async def test_html_that_telegram_cannot_parse_is_refused(
    emulator: BotApiEmulator, bot: Bot, html: str, reason: str
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(emulator.user().id, html, parse_mode=ParseMode.HTML)
    assert last_error(emulator) == f"Bad Request: can't parse entities: {reason}"


async def test_texts_must_be_neither_empty_nor_longer_than_4096_utf16_units(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    await bot.send_message(ana.id, "a" * 4096)
    with pytest.raises(BadRequest):
        await bot.send_message(ana.id, "😀" * 2049)
    assert last_error(emulator) == "Bad Request: message is too long"
    with pytest.raises(BadRequest):
        await bot.send_message(ana.id, "<b> </b>", parse_mode=ParseMode.HTML)
    assert last_error(emulator) == "Bad Request: message text is empty"
    with pytest.raises(BadRequest):
        await bot.send_document(ana.id, b"x", filename="a.txt", caption="c" * 1025)
    assert last_error(emulator) == "Bad Request: message caption is too long"


async def test_callback_data_longer_than_64_bytes_is_refused(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="ñ" * 33)]])
    with pytest.raises(BadRequest):
        await bot.send_message(emulator.user().id, "¿Confirmas?", reply_markup=keyboard)
    assert last_error(emulator) == "Bad Request: BUTTON_DATA_INVALID"


async def test_edits_replace_content_and_identical_edits_are_not_modified(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="yes")]])
    sent = await bot.send_message(ana.id, "¿Confirmas?", reply_markup=keyboard)
    with pytest.raises(BadRequest):
        await bot.edit_message_text("¿Confirmas?", ana.id, sent.message_id, reply_markup=keyboard)
    assert last_error(emulator) == NOT_MODIFIED

    edited = await bot.edit_message_text("Confirmado", ana.id, sent.message_id)
    assert edited.edit_date is not None
    assert (ana.last_text, ana.buttons) == ("Confirmado", [])  # no markup: keyboard removed

    with pytest.raises(BadRequest):
        await bot.edit_message_text("?", ana.id, sent.message_id + 10)
    assert last_error(emulator) == "Bad Request: message to edit not found"
    assert await bot.delete_message(ana.id, sent.message_id)
    with pytest.raises(BadRequest):
        await bot.delete_message(ana.id, sent.message_id)
    assert last_error(emulator) == "Bad Request: message to delete not found"
    assert ana.messages == []


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_sends_beyond_the_global_limit_are_told_to_retry_after_a_second(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    emulator.send_limit_per_second = 2
    await bot.send_message(ana.id, "uno")
    await bot.send_message(ana.id, "dos")
    with pytest.raises(RetryAfter):
        await bot.send_message(ana.id, "tres")
    assert last_error(emulator) == "Too Many Requests: retry after 1"
    assert emulator.stats.rate_limited == 1
    assert ana.texts_since_last_action == ["uno", "dos"]


async def test_unknown_chats_and_users_who_blocked_the_bot_are_refused(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hola")

    ana = emulator.user()
    await ana.blocks_bot()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "hola")
    assert (await bot.get_chat(ana.id)).first_name == "Ana"  # lookups still work

    await ana.unblocks_bot()
    await bot.send_message(ana.id, "hola de nuevo")
    assert ana.last_text == "hola de nuevo"


# -- the simulated user --------------------------------------------------------------------


async def test_commands_carry_a_bot_command_entity(
    emulator: BotApiEmulator, updates: list[Update]
) -> None:
    await emulator.user().sends("/start@voces_bot hola")
    (entity,) = updates[-1].message.entities
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 16)


async def test_taps_presses_inline_buttons_and_the_bot_answers_once(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    ana = emulator.user()
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Sí, confirmar", callback_data="yes")],
         [InlineKeyboardButton("No", callback_data="no")]]
    )  # fmt: skip
    sent = await bot.send_message(ana.id, "¿Confirmas?", reply_markup=keyboard)
    assert ana.keyboard_rows == [["Sí, confirmar"], ["No"]]

    await ana.taps("confirmar")  # a unique part of the label is enough
    query = updates[-1].callback_query
    assert (query.data, query.message.message_id) == ("yes", sent.message_id)

    assert await bot.answer_callback_query(query.id, text="Hecho")
    assert ana.last_alert == "Hecho"
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query.id)
    assert last_error(emulator) == QUERY_TOO_OLD

    with pytest.raises(AssertionError, match=r"no button 'Quizás'.*'No'"):
        await ana.taps("Quizás")


async def test_reply_keyboards_send_text_or_the_contact_and_one_time_ones_hide(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    ana = emulator.user(phone_number="+51987654321")
    await bot.send_message(
        ana.id,
        "Tu número, por favor",
        reply_markup=ReplyKeyboardMarkup(
            [[KeyboardButton("Compartir mi número", request_contact=True)], ["Cancelar"]],
            one_time_keyboard=True,
        ),
    )
    assert ana.reply_keyboard == ["Compartir mi número", "Cancelar"]
    await ana.taps("Compartir mi número")
    contact = updates[-1].message.contact
    assert (contact.phone_number, contact.user_id) == ("+51987654321", ana.id)
    assert ana.reply_keyboard is None

    await bot.send_message(ana.id, "¿Algo más?", reply_markup=ReplyKeyboardMarkup([["Sí"]]))
    await ana.taps("Sí")
    assert updates[-1].message.text == "Sí"
    await bot.send_message(ana.id, "Listo", reply_markup=ReplyKeyboardRemove())
    assert ana.reply_keyboard is None


async def test_documents_travel_both_ways_and_big_files_cannot_be_downloaded(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    ana = emulator.user()
    await bot.send_document(ana.id, b"nombre,dni\nAna,123", filename="socias.csv")
    (sent,) = ana.documents
    assert (sent.file_name, sent.content) == ("socias.csv", b"nombre,dni\nAna,123")

    await ana.uploads_document(b"%PDF-1.4 acta", "acta.pdf", "application/pdf", caption="Acta")
    document = updates[-1].message.document
    assert (document.file_name, document.mime_type) == ("acta.pdf", "application/pdf")
    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 acta"

    emulator.download_limit_bytes = 5
    with pytest.raises(BadRequest):
        await bot.get_file(document.file_id)
    assert last_error(emulator) == "Bad Request: file is too big"
    with pytest.raises(BadRequest):
        await bot.get_file("no-such-file")
    assert last_error(emulator) == "Bad Request: invalid file_id"


async def test_an_album_shares_one_media_group_id_in_both_directions(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    ana = emulator.user()
    await ana.uploads_album([b"foto1", b"foto2", b"foto3"], caption="La feria")
    album = [update.message for update in updates[-3:]]
    assert len({message.media_group_id for message in album}) == 1
    assert [message.caption for message in album] == ["La feria", None, None]

    sent = await bot.send_media_group(
        ana.id, [InputMediaPhoto(b"a", caption="Gracias"), InputMediaPhoto(album[1].photo[-1])]
    )
    assert len({message.media_group_id for message in sent}) == 1
    assert sent[1].photo[-1].file_id == album[1].photo[-1].file_id


async def test_a_vote_in_a_public_poll_reaches_the_bot_as_a_poll_answer(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update]
) -> None:
    ana = emulator.user()
    sent = await bot.send_poll(ana.id, "¿Vienes el sábado?", ["Sí", "No"], is_anonymous=False)
    await ana.votes(None, [1])
    answer = updates[-1].poll_answer
    assert (answer.poll_id, answer.option_ids, answer.user.id) == (sent.poll.id, (1,), ana.id)
    assert ana.last_message["poll"]["options"][1]["voter_count"] == 1


async def test_the_command_menu_follows_scope_then_language(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user(language_code="es")
    ben = emulator.user(first_name="Ben", language_code="en")
    carla = emulator.user(first_name="Carla", language_code="es")
    dora = emulator.user(first_name="Dora", language_code=None)
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Empezar")], language_code="es")
    await bot.set_my_commands(
        [BotCommand("help", "Help")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    await bot.set_my_commands([BotCommand("admin", "Panel")], scope=BotCommandScopeChat(ana.id))

    assert ana.commands == {"admin": "Panel"}
    assert ben.commands == {"help": "Help"}
    assert carla.commands == {"start": "Empezar"}
    assert dora.commands == {"start": "Start"}
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(ana.id))] == [
        "admin"
    ]
    await bot.delete_my_commands(scope=BotCommandScopeChat(ana.id))
    assert ana.commands == {"start": "Empezar"}


async def test_wait_for_reply_catches_messages_the_bot_sends_on_its_own(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()

    async def remind_later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(ana.id, "Recordatorio: reunión mañana")

    reminder = asyncio.create_task(remind_later())
    message = await ana.wait_for_reply(timeout=2)
    await reminder
    assert message["text"] == "Recordatorio: reunión mañana"
    with pytest.raises(AssertionError, match="no message from the bot"):
        await ana.wait_for_reply(timeout=0.1)


# -- the client API for the browser page ---------------------------------------------------


async def test_the_browser_page_chats_through_the_client_api(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    async with aiohttp.ClientSession(f"{emulator.url}/_emulator/") as page:
        async with page.post("users", json={"first_name": "Rosa", "language_code": "es"}) as r:
            rosa = await r.json()
        chat = f"chats/{rosa['id']}"
        async with page.post(f"{chat}/send", json={"text": "hola"}) as r:
            assert (await r.json())["message"]["text"] == "hola"

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ver", callback_data="see")]])
        async with page.get(f"{chat}/history") as r:
            seq = (await r.json())["seq"]
        sent = await bot.send_message(
            rosa["id"], "<b>Bienvenida</b> & saludos", parse_mode="HTML", reply_markup=keyboard
        )
        async with page.get(f"{chat}/events", params={"after": seq, "timeout": 2}) as r:
            (event,) = (await r.json())["events"]
        assert event["type"] == "message" and event["message"]["from_bot"]
        assert event["message"]["html"] == "<b>Bienvenida</b> &amp; saludos"

        tap = {"message_id": sent.message_id, "callback_data": "see"}
        async with page.post(f"{chat}/tap", json=tap) as r:
            assert r.status == 200
        form = aiohttp.FormData({"kind": "document"})
        form.add_field("file", b"a,b", filename="señas.csv", content_type="text/csv")
        async with page.post(f"{chat}/upload", data=form) as r:
            document = (await r.json())["message"]["document"]
        async with page.get(document["url"].removeprefix("/_emulator/")) as r:
            assert await r.read() == b"a,b"

        await bot.set_my_commands([BotCommand("start", "Empezar")])
        async with page.get(f"{chat}/commands") as r:
            assert await r.json() == [{"command": "start", "description": "Empezar"}]
        async with page.get(f"{chat}/history") as r:
            history = (await r.json())["messages"]
    assert [(m["from_bot"], m["text"]) for m in history] == [
        (False, "hola"),
        (True, "Bienvenida & saludos"),
        (False, ""),
    ]
    updates = await bot.get_updates()
    assert [bool(u.callback_query) for u in updates] == [False, True, False]


# -- formatting helpers --------------------------------------------------------------------


def test_to_html_renders_what_parse_html_reads() -> None:
    html = '<b>a <i>b</i></b> <pre><code class="language-python">x &lt; 1</code></pre>'
    assert to_html(*parse_html(html)) == html


def test_to_html_escapes_text_and_drops_unsafe_links() -> None:
    entities = [{"type": "text_link", "offset": 0, "length": 8, "url": "javascript:alert(1)"}]
    assert to_html("<script>", entities) == "&lt;script&gt;"
    with pytest.raises(HtmlParseError):
        parse_html("<script>")


# -- a real application --------------------------------------------------------------------


async def test_a_python_telegram_bot_application_talks_to_simulated_users(
    emulator: BotApiEmulator,
) -> None:
    emulator.settle_seconds = 0.2  # the default: a real bot needs a moment before it answers

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Saludar", callback_data="hi")]])
        name = update.effective_user.first_name
        await update.message.reply_html(f"Hola <b>{name}</b>", reply_markup=keyboard)

    async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("👋")
        await update.callback_query.edit_message_text("¡Hola de vuelta!")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(greet, pattern="^hi$"))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async with application:
        await application.start()
        await application.updater.start_polling(timeout=1)
        ana, ben = emulator.user(first_name="Ana"), emulator.user(first_name="Ben")

        await asyncio.gather(ana.sends("/start"), ben.sends("/start"))
        assert (ana.last_text, ana.buttons) == ("Hola Ana", ["Saludar"])
        assert ben.last_text == "Hola Ben"

        await ana.taps("Saludar")
        assert (ana.last_text, ana.last_alert, ana.buttons) == ("¡Hola de vuelta!", "👋", [])

        await ana.sends("eco")
        assert ana.texts_since_last_action == ["eco"]

        await application.updater.stop()
        await application.stop()


# -- any client: tokens, form bodies on any method, allowed_updates, Telegram's 404 -----------


async def test_an_unknown_token_and_a_malformed_path_get_telegrams_json_errors(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    await bot.get_me()  # the first token claims the emulator's bot; any other is refused
    async with aiohttp.ClientSession() as client:
        wrong = await client.get(f"{emulator.base_url}999:wrong/getMe")
        assert (wrong.status, await wrong.json()) == (
            401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        )  # fmt: skip
        for path in ("/bot/getMe", f"/bot{TOKEN}/noSuchMethod", "/file/bot/none"):
            answer = await client.get(f"{emulator.url}{path}")
            assert (answer.status, await answer.json()) == (
                404, {"ok": False, "error_code": 404, "description": "Not Found"}
            ), path  # fmt: skip


async def test_each_token_is_its_own_bot_with_its_own_updates_and_files(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    emulator.add_bot("424242:OTHER", username="otro_bot")
    _, (update,) = await asyncio.gather(
        ana.uploads_document(b"%PDF-1.7", "acta.pdf", "application/pdf"),
        bot.get_updates(timeout=5),
    )
    async with Bot("424242:OTHER", base_url=emulator.base_url) as other:
        assert (await other.get_me()).username == "otro_bot"
        assert await other.get_updates() == ()  # Ana writes to the first bot only
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await other.send_message(ana.id, "hola")
    file = await bot.get_file(update.message.document.file_id)
    assert await file.download_as_bytearray() == b"%PDF-1.7"
    async with aiohttp.ClientSession() as client:
        for token, status in (("424242:OTHER", 404), ("999:wrong", 401)):
            answer = await client.get(f"{emulator.base_file_url}{token}/{file.file_path}")
            assert answer.status == status, token


async def test_parameters_in_a_form_or_multipart_body_count_on_a_get_request_too(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    *_, (first, _second) = await asyncio.gather(
        ana.sends("uno"), ana.sends("dos"), bot.get_updates(timeout=5)
    )
    url = f"{emulator.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as client:
        by_form = await (await client.get(url, data={"offset": first.update_id + 1})).json()
        assert [u["message"]["text"] for u in by_form["result"]] == ["dos"]
        multipart = aiohttp.FormData({"offset": str(first.update_id + 2)})
        multipart.add_field("ignored", b"x", filename="x.bin")  # forces multipart/form-data
        by_multipart = await (await client.get(url, data=multipart)).json()
        assert by_multipart == {"ok": True, "result": []}


async def test_allowed_updates_is_applied_and_kept_until_changed(
    emulator: BotApiEmulator, bot: Bot
) -> None:
    ana = emulator.user()
    await bot.send_message(
        ana.id, "¿Vienes?", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Sí", callback_data="yes")]]
        ),
    )  # fmt: skip
    *_, (update,) = await asyncio.gather(
        ana.sends("texto que no se pide"),
        ana.taps("Sí"),
        bot.get_updates(timeout=5, allowed_updates=["callback_query"]),
    )
    assert update.callback_query.data == "yes"
    _, nothing = await asyncio.gather(  # still callback queries only: the text is dropped
        ana.sends("tampoco"), bot.get_updates(offset=update.update_id + 1, timeout=0.3)
    )
    assert nothing == ()
    _, (text,) = await asyncio.gather(
        ana.sends("ahora sí"),
        bot.get_updates(offset=update.update_id + 1, timeout=5, allowed_updates=[]),
    )
    assert text.message.text == "ahora sí"


async def test_a_pytelegrambotapi_bot_talks_to_simulated_users(
    emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second client library: its async client sends getUpdates' offset in a GET's body."""
    from telebot import asyncio_helper, types
    from telebot.async_telebot import AsyncTeleBot

    emulator.settle_seconds = 0.2
    monkeypatch.setattr(asyncio_helper, "API_URL", f"{emulator.base_url}{{0}}/{{1}}")
    monkeypatch.setattr(asyncio_helper, "FILE_URL", f"{emulator.base_file_url}{{0}}/{{1}}")
    telebot = AsyncTeleBot(TOKEN)

    @telebot.message_handler(commands=["start"])
    async def start(message: types.Message) -> None:
        keyboard = types.InlineKeyboardMarkup()
        keyboard.add(types.InlineKeyboardButton("Saludar", callback_data="hi"))
        await telebot.reply_to(message, f"Hola <b>{message.from_user.first_name}</b>",
                               parse_mode="HTML", reply_markup=keyboard)  # fmt: skip

    @telebot.callback_query_handler(func=lambda query: query.data == "hi")
    async def greet(query: types.CallbackQuery) -> None:
        await telebot.answer_callback_query(query.id, "👋")
        await telebot.edit_message_text("¡Hola de vuelta!", query.message.chat.id,
                                        query.message.message_id)  # fmt: skip

    @telebot.message_handler(content_types=["document"])
    async def measure(message: types.Message) -> None:
        file = await telebot.get_file(message.document.file_id)
        content = await telebot.download_file(file.file_path)
        await telebot.send_message(message.chat.id, f"{len(content)} bytes")

    polling = asyncio.create_task(telebot.polling(non_stop=True, timeout=1, request_timeout=5))
    try:
        ana = emulator.user(first_name="Ana")
        await ana.sends("/start")
        assert (ana.last_text, ana.buttons) == ("Hola Ana", ["Saludar"])
        await ana.taps("Saludar")
        assert (ana.last_text, ana.last_alert) == ("¡Hola de vuelta!", "👋")
        await ana.uploads_document(b"%PDF-1.7 acta", "acta.pdf", "application/pdf")
        assert ana.last_text == "13 bytes"
        assert len(ana.messages) == 2  # each update answered once: the offset was honoured
    finally:
        polling.cancel()
        with suppress(asyncio.CancelledError):
            await polling
        await AsyncTeleBot.close_session()


def test_the_module_docstring_lists_every_emulated_method() -> None:
    import bot.playground.emulator as package

    listed = package.__doc__.split("The methods:")[1].split("Tokens:")[0]
    emulated = {name for name, _method in BotApiEmulator()._methods.values()}
    assert set(re.findall(r"[a-zA-Z]+(?=[,.])", listed)) == emulated


# -- kept chats ------------------------------------------------------------------------------


async def test_kept_chats_come_back_as_they_were_in_a_new_emulator_even_after_kill_9(
    emulator: BotApiEmulator, bot: Bot, updates: list[Update], tmp_path: Path
) -> None:
    emulator.keep_chats(ChatArchive(tmp_path))
    ana = emulator.user(first_name="Ana", language_code="es")
    await ana.sends("hola")
    keyboard = ReplyKeyboardMarkup([["Sí", "No"]])
    await bot.send_message(ana.id, "<b>¿Vienes?</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard)
    await ana.uploads_document(b"%PDF-1.7 acta", "acta.pdf", "application/pdf")
    await bot.set_my_commands([BotCommand("ayuda", "Lo que puedo hacer")], scope=BotCommandScopeChat(ana.id))
    # No stop(): what is on disk now is all a kill -9 would leave.
    async with BotApiEmulator() as again, Bot(TOKEN, base_url=again.base_url) as same_bot:
        assert again.keep_chats(ChatArchive(tmp_path)) == 1
        back = again.user(ana.id)
        assert (back.first_name, back.messages, back.reply_keyboard) == ("Ana", ana.messages, ["Sí", "No"])
        assert back.commands == {"ayuda": "Lo que puedo hacer"}
        async with aiohttp.ClientSession() as client:
            history = await client.get(f"{again.url}/_emulator/chats/{ana.id}/history")
            messages = (await history.json())["messages"]
            assert [m["text"] for m in messages] == ["hola", "¿Vienes?", ""]
            document = await client.get(f"{again.url}{messages[2]['document']['url']}")
            assert await document.read() == b"%PDF-1.7 acta"
        # Numbering goes on where it stopped, as in Telegram.
        sent = await same_bot.send_message(ana.id, "otra vez")
        assert sent.message_id == messages[-1]["message_id"] + 1
