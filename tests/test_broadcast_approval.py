"""The second pair of eyes on a large broadcast is never one that shaped it, and approves the
version it saw; a broadcast held for the night asks each person again when it goes out."""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.broadcasts.models import (
    Broadcast,
    BroadcastDelivery,
    BroadcastState,
    DeliveryState,
    NotificationSettings,
)
from bot.people.models import User
from tests.harness import STAFF_TELEGRAM_ID
from tests.test_broadcasts import (
    CALLAO,
    EN,
    ES,
    _texts,
    approve_data,
    compose_for_callao,
    coordinator,
    copies,
    leaders_in,
    until_done,
)

REWRITTEN = "Taller de liderazgo el domingo, no el sábado"
ASKED = "waits for your approval"
SECOND_STAFF = 900_002


def approve_buttons_sent(user) -> list[tuple[int, str]]:
    """(message id, callback data) of every Approve button the bot sent the person."""
    return [(message["message_id"], button["callback_data"])
            for message in user.messages
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row if button.get("callback_data", "").startswith("bc:approve:")]


async def opens_from_the_list(user) -> None:
    await user.sends("/broadcast")
    await user.taps(next(label for label in user.buttons if label.startswith("#")))  # "#3 · its first words"


async def test_whoever_rewrote_a_broadcast_cannot_approve_it_and_an_approval_holds_for_the_version_it_saw(bot):
    bot.settings_overrides["broadcast_approval_threshold"] = 2
    bot.settings_overrides["admin_ids"] = frozenset({STAFF_TELEGRAM_ID, SECOND_STAFF})
    await bot.restart()
    leaders = await leaders_in(bot, CALLAO, "es", "es", "es")
    carmen = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await carmen.sends("/help")                       # staff the bot knows
    luis = await coordinator(bot)
    marta = bot.user(SECOND_STAFF, first_name="Marta", language_code="en")
    await marta.sends("/help")                        # staff too: staff may change anyone's broadcast

    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🕒 Schedule")
    await luis.sends("24/11/2026 09:00")
    assert "must approve it" in luis.last_text
    [(first_request, first_approve)] = approve_buttons_sent(carmen)

    # Marta, a second staff member, opens it from the list: she may approve it there…
    await opens_from_the_list(marta)
    assert "✅ Approve" in marta.buttons and "↩️ Send back" in marta.buttons
    # …but rewrites it and submits it herself instead.
    await marta.taps("✏️ Español")
    await marta.sends(REWRITTEN)
    await marta.taps("🕒 Schedule")
    await marta.sends("24/11/2026 09:00")
    assert "must approve it" in marta.last_text
    await opens_from_the_list(marta)
    assert "✅ Approve" not in marta.buttons          # not offered to whoever shaped it
    await marta.taps_data(await approve_data(bot))    # nor taken from a button of the version she made
    assert "You changed or submitted this broadcast, so someone else has to approve it" in marta.last_text
    await luis.taps_data(await approve_data(bot))     # nor by its author
    assert "Someone else has to approve it" in luis.last_text
    assert sum(ASKED in text for text in _texts(marta)) == 1, "not asked to approve her own version"

    # Carmen's button from before the rewrite approved Luis's text: it no longer holds.
    await carmen.taps_data(first_approve, message_id=first_request)
    assert "changed after this button was made" in (carmen.last_alert or "")
    # From /pending she gets Approve and Send back, and the card shows what it says now.
    await carmen.sends("/pending")
    await carmen.taps("📣 Broadcast waiting")
    assert "domingo" in carmen.last_text and "✅ Approve" in carmen.buttons
    await carmen.taps("✅ Approve")
    assert "Approved" in carmen.last_text
    approved_on_pending = await approve_data(bot)

    # A change after approval sends it back to waiting, and the approval given no longer holds.
    await opens_from_the_list(luis)
    await luis.taps("✏️ English")
    await luis.sends(EN + "!")
    await luis.taps("🕒 Schedule")
    await luis.sends("24/11/2026 09:00")
    assert "must approve it" in luis.last_text
    await carmen.taps_data(approved_on_pending)
    assert "changed after this button was made" in (carmen.last_alert or "")
    await carmen.taps("✅ Approve")                    # the request for the new version
    assert "Approved" in carmen.last_text

    bot.clock.set(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))   # 09:00 in Lima
    broadcast = await until_done(bot, luis)
    assert all(copies(leader, REWRITTEN) == 1 and copies(leader, ES) == 0 for leader in leaders)
    assert broadcast.approved_by_id is not None


async def test_a_broadcast_held_for_the_night_asks_each_person_again_when_it_goes_out(bot):
    bot.clock.set(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))    # 22:00 in Lima: quiet hours
    ana, rosa, pedro, john, maria = await leaders_in(bot, CALLAO, "es", "es", "es", "en", "es")
    luis = await coordinator(bot)
    now = bot.clock.now()
    async with await bot.session() as session:
        author = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
        session.add(Broadcast(author_id=author, state=BroadcastState.SCHEDULED, texts={"es": html.escape(ES), "en": EN},
                              audience={"district": [CALLAO]}, buttons=[], created_at=now, send_at=now))
    bot.application.broadcasts.wake()
    for _ in range(200):                              # it starts, and waits for the morning
        async with await bot.session() as session:
            waiting = await session.scalar(select(BroadcastDelivery.not_before).limit(1))
        if waiting is not None:
            break
        await asyncio.sleep(0.05)
    assert waiting is not None and all(person.messages == [] for person in (ana, rosa, pedro, john, maria))

    # During the night: two pause everything, one withdraws consent, one switches announcements off.
    await ana.sends("/stop")
    await pedro.sends("/stop")
    async with await bot.session() as session:
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        await session.execute(update(User).where(User.id == ids[rosa.id]).values(consent_withdrawn_at=now))
        session.add(NotificationSettings(user_id=ids[john.id], muted=["announcements"], updated_at=now))

    bot.clock.set(datetime(2026, 11, 24, 13, 1, tzinfo=UTC))   # 08:01 in Lima
    broadcast = await until_done(bot, luis)
    assert copies(maria, ES) == 1
    assert copies(ana, ES) == copies(pedro, ES) == copies(rosa, ES) == copies(john, EN) == 0
    report = _texts(luis)[-1]
    assert "Delivered: 1" in report and "Not sent: 4" in report
    assert "2 people had paused messages with /stop" in report
    assert "1 person had withdrawn their consent" in report
    assert "1 person had switched this kind of message off" in report
    ines = await coordinator(bot, "es", first_name="Inés")     # the same report, in Spanish
    await ines.taps_data(f"bc:show:{broadcast.id}")
    assert "No enviados: 4" in ines.last_text and "2 personas habían pausado los mensajes con /pausar" in ines.last_text
    assert "1 persona había retirado su consentimiento" in ines.last_text
    async with await bot.session() as session:
        reasons = dict((await session.execute(
            select(BroadcastDelivery.user_id, BroadcastDelivery.reason).where(BroadcastDelivery.state == DeliveryState.SKIPPED))).all())
    assert reasons == {ids[ana.id]: "paused", ids[pedro.id]: "paused", ids[rosa.id]: "no consent", ids[john.id]: "switched off"}
