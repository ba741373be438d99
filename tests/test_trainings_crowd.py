"""Two hundred leaders press "Enroll" on a thirty-seat session in the same second: exactly
thirty seats, a hundred and seventy distinct places in line, and every press answered, on
SQLite and on PostgreSQL. The presses go through the emulator together (`asyncio.gather`);
different people are served concurrently, so on PostgreSQL their updates really race.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.people import people
from bot.people.models import User
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession

CROWD = 200
SEATS = 30
THURSDAY_10_LIMA = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def without_flood_pacing(bot) -> None:
    """Telegram's 30 messages a second would pace the answers to a real crowd (some 30 s for
    this one); what is checked here is the seats, so the pacing is off, as in the benchmarks."""
    limiter = bot.application.bot.rate_limiter
    limiter._base_limiter = None  # noqa: SLF001 - PTB's AIORateLimiter has no public switch
    if hasattr(limiter, "budget"):
        limiter.budget.rate = 10**9


async def crowd_before_a_session(bot, *, crowd: int = CROWD, seats: int = SEATS, first_id: int | None = None):  # noqa: ANN201
    """A session and `crowd` leaders who consented and opened its link: each sees "Enroll"."""
    without_flood_pacing(bot)
    now = bot.clock.now()
    leaders = [bot.user(first_id + number if first_id else None, first_name=f"Líder{number}", language_code="en")
               for number in range(crowd)]
    async with await bot.session() as session:
        training = TrainingSession(
            topic="leadership", title="Liderazgo comunitario", starts_at=THURSDAY_10_LIMA,
            ends_at=THURSDAY_10_LIMA + timedelta(hours=3), venue="Casa de la Juventud", online=False,
            capacity=seats, created_at=now,
        )
        session.add(training)
        for person in leaders:
            user = User(telegram_id=person.id, language="en", first_seen=now, last_seen=now)
            session.add(user)
            await people.give_consent(session, user=user, display_name=person.first_name, now=now)
        await session.flush()
        session_id = training.id
    await asyncio.gather(*(person.sends(f"/start training_{session_id}") for person in leaders))
    return session_id, leaders


def place_in_line(person) -> int | None:
    for text in person.texts_since_last_action:
        if match := re.search(r"number (\d+) on the waitlist", text):
            return int(match.group(1))
    return None


async def test_two_hundred_presses_on_thirty_seats_give_thirty_seats_and_an_ordered_waitlist(bot):
    session_id, leaders = await crowd_before_a_session(bot)

    delivered = await asyncio.gather(*(person.taps("Enroll") for person in leaders))
    in_delivery_order = [person for _update_ids, person in sorted(zip(delivered, leaders, strict=True), key=lambda pair: pair[0])]

    async with await bot.session() as session:
        counted = dict((await session.execute(
            select(Enrollment.state, func.count()).where(Enrollment.session_id == session_id).group_by(Enrollment.state)
        )).all())
    assert counted == {EnrollmentState.ENROLLED: SEATS, EnrollmentState.WAITLISTED: CROWD - SEATS}
    seated = [p for p in leaders if any("You are enrolled" in t for t in p.texts_since_last_action)]
    positions = sorted(
        int(match.group(1)) for p in leaders for t in p.texts_since_last_action
        if (match := re.search(r"number (\d+) on the waitlist", t))
    )
    assert len(seated) == SEATS                                    # each press answered, once
    assert positions == list(range(1, CROWD - SEATS + 1))
    # In the order Telegram delivered the presses: the first thirty have the seats, the rest
    # stand in line in the order they pressed, although their updates ran concurrently.
    assert set(seated) == set(in_delivery_order[:SEATS])
    assert [place_in_line(person) for person in in_delivery_order[SEATS:]] == list(range(1, CROWD - SEATS + 1))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the line is the bot's, not the database's
async def test_a_slow_connection_holds_up_no_one_behind_it_in_line(bot):
    """Ana presses first on a patchy connection: every answer to her takes a while to get back.
    Bea, right behind her in the session's line, has her place as soon as Ana's seat is
    committed, not after Ana's answers arrive."""
    session_id, (ana, bea) = await crowd_before_a_session(bot, crowd=2, seats=1)
    bot.emulator.slow_chats[ana.id] = 0.4

    ana_press = asyncio.create_task(ana.taps("Enroll"))
    await asyncio.sleep(0)  # her press is delivered first
    bea_press = asyncio.create_task(bea.taps("Enroll"))
    done, _ = await asyncio.wait({ana_press, bea_press}, return_when=asyncio.FIRST_COMPLETED)

    assert done == {bea_press}, "Bea waited for the answers to Ana"
    assert place_in_line(bea) == 1
    await ana_press
    assert any("You are enrolled" in text for text in ana.texts_since_last_action)
    assert ana_press.result() < bea_press.result()  # and the seat went to the first press
