"""/broadcast's typed answers as a domain step machine (bot/broadcasts/composing.py): the
question asked is kept in the database with the person (`broadcast_composing`), and someone
halfway through when the bot is upgraded (the question only in the chat layer's persisted state
and user data, as the old handlers left it) finishes with the same texts, buttons, conversation
and state names.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.broadcasts.models import Broadcast, BroadcastComposing, BroadcastState
from bot.core.conversation_models import ChannelUserData, ConversationStep
from bot.people.models import User
from tests.test_broadcasts import CALLAO, ES, coordinator, leaders_in


async def as_the_old_code_left_it(bot, person, *, step: str, language: str | None = None) -> int:
    """The question the domain keeps, moved back to where the old handlers kept it (the chat
    layer's conversation state, with the broadcast and the language in its user data), while
    the bot is down for the upgrade. Returns the broadcast's id."""
    await bot.stop()
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == person.id))
        row = await session.get(BroadcastComposing, user_id)
        assert (row.step, row.language) == (step, language)           # the domain keeps the question
        steps = list(await session.scalars(select(ConversationStep.step).where(ConversationStep.flow == "broadcast")))
        assert steps == [step]                                         # the same conversation and state names
        broadcast_id = row.broadcast_id
        await session.delete(row)
        data = await session.get(ChannelUserData, person.id)
        assert data.data.get("broadcast_card_message")                 # the chat's own: which card asked
        old = {"broadcast_id": broadcast_id, **({"broadcast_language": language} if language else {})}
        data.data = {**data.data, **old}
    await bot.start()
    return broadcast_id


async def asked(bot, person) -> tuple[BroadcastComposing | None, dict]:
    async with await bot.session() as session:
        user_id = await session.scalar(select(User.id).where(User.telegram_id == person.id))
        data = await session.get(ChannelUserData, person.id)
        return await session.get(BroadcastComposing, user_id), dict(data.data) if data else {}


async def test_a_coordinator_halfway_through_a_broadcast_when_the_bot_is_upgraded_finishes_it(bot):
    await leaders_in(bot, CALLAO, "es", "es")
    luis = await coordinator(bot)
    await luis.sends("/broadcast")
    card = luis.last_message["message_id"]
    await luis.taps("✏️ Español")
    assert "Write the message in Spanish" in luis.last_text
    broadcast_id = await as_the_old_code_left_it(bot, luis, step="text", language="es")
    await luis.sends("x" * 4001)                                      # bad input: said, and the same step
    assert "4000" in luis.last_text
    await luis.sends(ES)
    assert "✅ Español: Taller de liderazgo el sábado <3" in luis.last_text  # saved, and the card below it
    assert card not in [message["message_id"] for message in luis.messages]  # the card it was asked from gave way
    row, data = await asked(bot, luis)
    assert row is None and "broadcast_id" not in data and "broadcast_card_message" not in data

    await luis.taps("👥 Audience")                                    # a district, typed after the upgrade
    await luis.taps("➕ District")
    assert "Which district?" in luis.last_text
    await as_the_old_code_left_it(bot, luis, step="district")
    await luis.sends("Comas de Arriba")
    assert "I do not know that district" in luis.last_text
    await luis.sends("San Juan")                                      # two match: which one?
    assert "Which one?" in luis.last_text and "San Juan de Miraflores" in luis.buttons
    await luis.taps("San Juan de Miraflores")                         # the picker, in its place
    assert "Choose who receives it" in luis.last_text and "San Juan de Miraflores" in luis.last_text
    await luis.taps("➕ District")                                    # asked by the new code
    await luis.sends("callao")
    assert "Choose who receives it" in luis.last_text and "It will reach 2 people." in luis.last_text

    await luis.taps("⬅️ Back")                                        # and the time to send it
    await luis.taps("🕒 Schedule")
    assert "When should it go out?" in luis.last_text
    await as_the_old_code_left_it(bot, luis, step="when")
    lima = ZoneInfo("America/Lima")
    await luis.sends(f"{(bot.clock.now() + timedelta(days=120)).astimezone(lima):%d/%m/%Y} 18:30")
    assert "at most 90 days ahead" in luis.last_text                  # the bound holds, the question stays
    await luis.sends(f"{(bot.clock.now() + timedelta(days=2)).astimezone(lima):%d/%m/%Y} 18:30")
    assert "🕒 Scheduled for" in luis.last_text and "to 2 people" in luis.last_text
    async with await bot.session() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast.state is BroadcastState.SCHEDULED and broadcast.texts == {"es": ES.replace("<", "&lt;")}
        assert broadcast.audience["district"][1:] == [CALLAO]
        assert not list(await session.scalars(select(ConversationStep).where(ConversationStep.flow == "broadcast")))
    row, data = await asked(bot, luis)
    assert row is None and "broadcast_id" not in data


async def test_a_question_is_kept_by_the_domain_and_cancel_forgets_it(bot):
    luis = await coordinator(bot)
    await luis.sends("/broadcast")
    await luis.taps("🔘 Buttons")
    row, data = await asked(bot, luis)
    assert row is not None and row.step == "buttons" and "broadcast_id" not in data
    await luis.sends("Inscríbete sin enlace")                         # bad input: the same step
    assert "I could not read this line" in luis.last_text
    await luis.sends("/cancel")
    assert "Left as it was" in luis.last_text
    row, _data = await asked(bot, luis)
    assert row is None
    await luis.sends("Inscríbete | https://t.me/voces_bot")           # nothing is asked any more
    async with await bot.session() as session:
        assert (await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))).buttons == []


def test_the_broadcast_handlers_leave_the_database_to_the_domain():
    """handlers/broadcasts/ parse, call domain functions and render: no SQLAlchemy, no query."""
    for path in sorted((Path(__file__).resolve().parent.parent / "handlers" / "broadcasts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [name for name in imported if name.split(".")[0] == "sqlalchemy"], path.name
        queries = [node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and isinstance(node.func.value, ast.Name) and node.func.value.id == "session"
                   and node.func.attr in ("get", "execute", "scalar", "scalars", "add", "delete")]
        assert not queries, f"{path.name} queries the database itself: {queries}"
