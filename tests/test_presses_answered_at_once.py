"""A pressed button stops spinning within a second, even while the bot's answers queue for
Telegram's flood limit: Telegram does not count a button's answer among the 30 messages a
second, and refuses one that comes too late. Here the limit is one message a second (the
emulator answers 429 beyond it, and the bot keeps to it), so a person's answers go out a second
apart, and a press that waits behind them is still answered at once, exactly once.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.people.models import User


async def test_a_press_is_answered_before_the_answers_queued_ahead_of_it_go_out(bot, newcomer):
    await newcomer.sends("/start")  # the data notice, with "✅ Acepto"
    bot.emulator.send_limit_per_second = 1
    bot.application.bot.rate_limiter.budget.rate = 1

    # Two questions, then the button, without waiting: the answers leave a second apart.
    actions = [asyncio.create_task(newcomer.sends("/ayuda")), asyncio.create_task(newcomer.sends("/ayuda")),
               asyncio.create_task(newcomer.taps_data("consent:yes"))]
    await asyncio.sleep(1.2)
    answers = [call for call in bot.emulator.calls if call.method == "answerCallbackQuery"]
    assert len(answers) == 1 and answers[0].error is None  # the spinner stopped...
    assert sum("/ayuda" in text for text in newcomer.texts_since_last_action) < 2  # ...before both helps went out

    await asyncio.gather(*actions)
    assert [call.error for call in bot.emulator.calls if call.method == "answerCallbackQuery"] == [None]  # once
    assert "Aceptaste el aviso" in "\n".join(newcomer.texts_since_last_action)  # the press was fully answered
    assert bot.emulator.stats.rate_limited == 0
    async with await bot.session() as session:
        person = await session.scalar(select(User).where(User.telegram_id == newcomer.id))
    assert person is not None and person.consent_at is not None
