"""Broadcasts on WhatsApp by Meta's rules (issue 24.4): a coordinator on Telegram sends one to
leaders on both channels; a WhatsApp leader who wrote today gets the text, one quiet for over
24 hours the marketing template, whose "Ver mensaje" brings the whole message, and only if she
takes announcements; the people reached outside their window stay within the daily limit
(the rest wait until it frees up); WhatsApp saying "too fast" (130429) slows the pace down and
tries those people again, as no attempt; Meta's later report that a template hit its marketing
cap (131049) counts that person as failed for that reason.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import select

from bot.broadcasts import broadcasts
from bot.broadcasts.models import (
    MARKETING_CAP,
    WAITING_FOR_DAILY_LIMIT,
    BroadcastDelivery,
    BroadcastState,
    DeliveryState,
    MessageKind,
    NotificationSettings,
)
from bot.messaging import window
from bot.messaging.whatsapp_models import WhatsAppReach
from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Channel, Role, User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.playground.whatsapp import meta
from tests.test_broadcasts import (
    ATE,
    CALLAO,
    ES,
    _texts,
    compose_for_callao,
    coordinator,
    copies,
    leaders_in,
    until_done,
)
from tests.test_whatsapp_notices import one_clock
from tests.whatsapp_harness import arrives, register_templates, wa  # noqa: F401 - the fixture

TEXT = "Taller de liderazgo el sábado a las 10"


def both_channels(bot, wa):  # noqa: ANN001, ANN201, F811
    """One process serves both channels, on one clock, with the templates registered with Meta."""
    clock = one_clock(bot, wa)
    register_templates(wa)       # (the `wa` fixture beside `bot` adds each side's deliverers)
    return clock


async def whatsapp_leader(wa, name: str, *, wrote_hours_ago: float, district: str = CALLAO,  # noqa: F811
                          muted: tuple[str, ...] = ()):  # noqa: ANN001, ANN201
    """A leader on WhatsApp who consented and last wrote this long ago (rows straight to the
    database, the stand-in told when she wrote)."""
    person = wa.person(name)
    now = wa.clock.now()
    wrote = now - timedelta(hours=wrote_hours_ago)
    person.last_wrote_at = wrote
    async with wa.session() as session:
        user = User(channel=Channel.WHATSAPP, wa_id=person.wa_id, display_name=name, language="es", role=Role.LEADER,
                    consent_version=CONSENT_NOTICE_VERSION, consent_at=wrote, first_seen=wrote, last_seen=wrote,
                    last_inbound_at=wrote)
        organization = Organization(name=f"Org de {name}", kind=OrganizationKind.OSB, district_ubigeo=district, address="Av. 1",
                                    founded_year=2020, contact_phone="+51987654321", board_term_start=date(2025, 1, 1),
                                    board_term_end=date(2027, 1, 1), status=VerificationStatus.VERIFIED, created_at=now,
                                    updated_at=now)
        session.add_all([user, organization])
        await session.flush()
        session.add(Leadership(user_id=user.id, organization_id=organization.id, role=LeaderRole.OWNER, joined_at=now, acting=True))
        if muted:
            session.add(NotificationSettings(user_id=user.id, muted=list(muted), updated_at=now))
    return person, user.id


async def states(bot, broadcast_id: int) -> dict[int, tuple[DeliveryState, str | None, int]]:  # noqa: ANN001
    async with await bot.session() as session:
        rows = await session.execute(select(BroadcastDelivery.user_id, BroadcastDelivery.state, BroadcastDelivery.reason,
                                            BroadcastDelivery.attempts).where(BroadcastDelivery.broadcast_id == broadcast_id))
        return {user_id: (state, reason, attempts) for user_id, state, reason, attempts in rows.all()}


async def settled(bot, broadcast_id: int, *, timeout: float = 15.0) -> dict:  # noqa: ANN001, ASYNC109 - a deadline
    """Wait until the broadcast started and nobody of it is being sent to or due now."""
    bot.application.broadcasts.wake()
    for _tick in range(int(timeout / 0.05)):
        now = bot.clock.now()
        async with await bot.session() as session:
            if (await broadcasts.get(session, broadcast_id)).state is BroadcastState.SCHEDULED:
                await asyncio.sleep(0.05)
                continue
            due = await broadcasts.due_recipients(session, broadcast_id=broadcast_id, now=now, limit=1)
            sending = await session.scalar(select(BroadcastDelivery.user_id).where(
                BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.state == DeliveryState.SENDING).limit(1))
        if not due and sending is None:
            return await states(bot, broadcast_id)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the broadcast did not settle: {await states(bot, broadcast_id)}")


async def send_to_callao(bot, author_id: int, *, kind: MessageKind = MessageKind.ANNOUNCEMENTS) -> int:  # noqa: ANN001
    """A broadcast to the leaders in Callao, written through the domain as /broadcast does."""
    now = bot.clock.now()
    async with await bot.session() as session:
        draft = await broadcasts.draft_of(session, user_id=author_id, now=now)
        await broadcasts.set_text(session, broadcast_id=draft.id, user_id=author_id, language="es", text=TEXT)
        await broadcasts.set_kind(session, broadcast_id=draft.id, user_id=author_id, kind=kind)
        await broadcasts.toggle_audience(session, broadcast_id=draft.id, user_id=author_id, name="district", value=CALLAO)
        await broadcasts.submit(session, broadcast_id=draft.id, user_id=author_id, send_at=now, now=now,
                                default_language="es", approval_threshold=100)
    return draft.id


async def reads(author, words: str, *, timeout: float = 5.0) -> str:  # noqa: ANN001, ASYNC109 - a deadline
    """The author's newest message, once it says `words` (progress is updated in place)."""
    for _tick in range(int(timeout / 0.05)):
        if words in (last := _texts(author)[-1]):
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"the author reads {_texts(author)[-1]!r}")


async def author_id_of(bot, luis) -> int:  # noqa: ANN001
    async with await bot.session() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == luis.id))
    assert found is not None
    return found


async def test_a_coordinator_on_telegram_reaches_leaders_on_both_channels_each_by_its_rules(bot, wa):  # noqa: F811
    both_channels(bot, wa)
    ana, john = await leaders_in(bot, CALLAO, "es", "en")
    ines, _ines_id = await whatsapp_leader(wa, "Inés", wrote_hours_ago=2)           # inside her window
    olga, olga_id = await whatsapp_leader(wa, "Olga", wrote_hours_ago=30)           # quiet since yesterday
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    broadcast = await until_done(bot, luis)

    assert copies(ana, ES) == 1 and copies(john, "Leadership workshop on Saturday") == 1
    text = await arrives(ines, lambda m: "Taller de liderazgo" in m.text)
    assert text.kind != "template"                                                  # the text itself
    template = await arrives(olga, lambda m: m.kind == "template")
    assert template.template is not None and template.template.name == "voces_anuncio"
    assert template.template.category == "MARKETING"
    assert "Taller de liderazgo" in template.text                                # what it is about, in one line
    await olga.presses(f"{window.SHOW_PREFIX}b{broadcast.id}")                    # "Ver mensaje"
    assert "Taller de liderazgo el sábado" in olga.last.text and olga.last.kind != "template"
    report = _texts(luis)[-1]
    assert "Delivered: 4" in report and "Failed" not in report and "Not sent" not in report
    async with await bot.session() as session:                                      # she alone counts for the daily limit
        assert list(await session.scalars(select(WhatsAppReach.user_id))) == [olga_id]


async def test_outside_the_window_only_who_takes_announcements_and_within_the_daily_limit(bot, wa):  # noqa: F811
    clock = both_channels(bot, wa)
    bot.runtime.settings.whatsapp_daily_limit = 2
    (ana,) = await leaders_in(bot, CALLAO, "es")
    _earlier, earlier_id = await whatsapp_leader(wa, "Eva", wrote_hours_ago=40, district=ATE)
    async with await bot.session() as session:                    # reached by a template 20 hours ago: one place of two
        session.add(WhatsAppReach(user_id=earlier_id, opened_at=clock.now() - timedelta(hours=20)))
    ines, ines_id = await whatsapp_leader(wa, "Inés", wrote_hours_ago=2)
    olga, olga_id = await whatsapp_leader(wa, "Olga", wrote_hours_ago=30)
    paula, paula_id = await whatsapp_leader(wa, "Paula", wrote_hours_ago=30)
    mara, mara_id = await whatsapp_leader(wa, "Mara", wrote_hours_ago=30, muted=(MessageKind.ANNOUNCEMENTS.value,))
    luis = await coordinator(bot)
    broadcast_id = await send_to_callao(bot, await author_id_of(bot, luis), kind=MessageKind.TRAININGS)

    found = await settled(bot, broadcast_id)
    assert found[ines_id][0] is DeliveryState.DELIVERED              # inside her window: not limited
    quiet = {olga_id: olga, paula_id: paula}                         # one gets the last place of the day
    (first_id,) = [user_id for user_id in quiet if found[user_id][0] is DeliveryState.DELIVERED]
    (waiting_id,) = [user_id for user_id in quiet if user_id != first_id]
    assert found[waiting_id][:2] == (DeliveryState.PENDING, WAITING_FOR_DAILY_LIMIT)   # the other waits, not fails
    assert found[mara_id][0] is DeliveryState.SKIPPED                # announcements off: no marketing to her
    assert [m.kind for m in quiet[first_id].received] == ["template"]
    assert quiet[waiting_id].received == [] and mara.received == []
    assert copies(ana, TEXT) == 1 and TEXT in ines.last.text
    await reads(luis, "1 person on WhatsApp waits for the daily limit")   # the author sees why

    clock.advance(timedelta(hours=4, minutes=1))                      # Eva's conversation leaves the 24 hours
    found = await settled(bot, broadcast_id)
    assert found[waiting_id][0] is DeliveryState.DELIVERED and found[waiting_id][2] == 1   # one attempt, not three
    assert [m.kind for m in quiet[waiting_id].received] == ["template"]
    report = await reads(luis, "Broadcast finished")
    assert "Delivered: 4" in report and "Not sent: 1" in report
    assert "1 person on WhatsApp, quiet for over 24 hours, has announcements switched off" in report


async def test_whatsapp_saying_too_fast_slows_the_pace_and_nobody_is_lost(bot, wa):  # noqa: F811
    clock = both_channels(bot, wa)
    carla, carla_id = await whatsapp_leader(wa, "Carla", wrote_hours_ago=30)
    carla.marketing_capped = True                                    # Meta's cap on marketing to her is reached
    wa.standin.messages_per_second = 4                               # a number slower than the bot thinks
    people = [await whatsapp_leader(wa, f"Líder {n}", wrote_hours_ago=1) for n in range(12)]
    luis = await coordinator(bot)
    broadcast_id = await send_to_callao(bot, await author_id_of(bot, luis))
    pace = bot.runtime.broadcasts.paces["whatsapp"]

    for _round in range(30):
        found = await settled(bot, broadcast_id)
        if all(state is not DeliveryState.PENDING for state, _reason, _attempts in found.values()):
            break
        clock.advance(timedelta(seconds=2))                          # tried again after the back-off
    throttled = [call for call in wa.standin.calls if call.error_code == meta.THROUGHPUT]
    assert throttled and pace.backed_off >= 1 and pace.current < 80
    assert all(attempts == 1 for _state, _reason, attempts in found.values())   # a back-off is no attempt
    assert all(person.received for person, _id in people)            # nobody lost
    assert [m.kind for m in carla.received] == [] and [m.kind for m in carla.failed] == ["template"]
    await until_done(bot, luis)
    await wa.standin.webhooks_settled()                              # Meta reports her template failed: 131049
    for _tick in range(100):
        async with await bot.session() as session:
            tally = await broadcasts.tally(session, broadcast_id=broadcast_id)
        if tally.marketing_capped:
            break
        await asyncio.sleep(0.05)
    assert (tally.delivered, tally.failed, tally.marketing_capped) == (12, 1, 1)   # counted with its reason
    assert (await states(bot, broadcast_id))[carla_id][:2] == (DeliveryState.FAILED, MARKETING_CAP)
