"""Telegram says no: flood control (429), blocked users (403), and failures of our own."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from telegram.ext import CommandHandler

from bot.people.models import User
from tests.flows import consented, register_organization


async def test_flood_control_is_waited_out_and_the_reply_still_arrives(bot, emulator, newcomer):
    emulator.send_limit_per_second = 1
    await newcomer.sends("/help")
    await newcomer.sends("/help")
    await newcomer.sends("/language")
    assert newcomer.buttons == ["Español", "English"]
    assert emulator.stats.rate_limited >= 1            # Telegram said 429 and the bot waited


async def test_a_leader_who_blocked_the_bot_is_marked_unreachable(bot, newcomer, staff):
    await consented(newcomer)
    await register_organization(newcomer)
    await newcomer.blocks_bot()
    await staff.sends("/pending")
    await staff.taps("Mujeres Emprendedoras")
    await staff.taps("Verificar")
    assert "Avisé a sus dirigentes" in staff.last_text
    async with await bot.session() as session:
        leader = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
        assert leader.reachable is False

    await newcomer.unblocks_bot()
    await newcomer.sends("/help")                        # writing again makes them reachable
    async with await bot.session() as session:
        leader = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
        assert leader.reachable is True


@pytest.mark.allow_errors
async def test_an_unexpected_failure_is_logged_and_the_person_is_told_their_answers_are_kept(bot, newcomer, caplog):
    async def broken(update, context):
        raise RuntimeError("a bug in a handler")

    bot.application.add_handler(CommandHandler("boom", broken), group=-7)  # before the consent gate
    await newcomer.sends("/boom")
    apology = next(text for text in newcomer.texts_since_last_action if "algo falló de mi lado" in text)
    assert "guardado" in apology
    assert any("failed to handle update" in record.getMessage() for record in caplog.records)


@pytest.mark.allow_errors
async def test_a_failure_in_a_feature_takes_back_its_half_done_writes_but_not_the_person(bot, newcomer):
    async def half_done(update, context):
        async with context.runtime.database.session() as session:
            person = await session.get(User, context.person.id)
            person.display_name = "written, then the handler failed"
        raise RuntimeError("a bug after a write")

    bot.application.add_handler(CommandHandler("boom", half_done), group=-7)  # before the consent gate
    await newcomer.sends("/boom")                       # their very first message
    apologies = [text for text in newcomer.texts_since_last_action if "algo falló de mi lado" in text]
    assert len(apologies) == 1                           # the other handlers of the update still work
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
    assert person is not None                            # first contact is kept...
    assert person.display_name is None                   # ...the failed feature's write is not
    await newcomer.sends("/start")                       # and the next message is served as usual
    assert "Antes de empezar" in newcomer.last_text
