"""Broadcasts: a coordinator composes one, it reaches exactly the people chosen, in their
language, within Telegram's limits; blocked people are reported and skipped; a run cut short
resumes without repeats; a large one waits for a second pair of eyes."""

from __future__ import annotations

import asyncio
import html
import signal
from datetime import UTC, date, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import event, select, update

from bot.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastState, DeliveryState
from bot.console.models import AuditEntry
from bot.core.db import Database
from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import Role, User
from bot.people.people import CONSENT_NOTICE_VERSION
from bot.playground.emulator import BotApiEmulator
from bot.trainings.models import Enrollment, EnrollmentState, TrainingSession
from tests.flows import consented
from tests.harness import STAFF_TELEGRAM_ID

CALLAO, ATE = "070101", "150103"
ES, EN = "Taller de liderazgo el sábado <3", "Leadership workshop on Saturday"


async def leaders_in(bot, district: str, *languages: str, kind: OrganizationKind = OrganizationKind.OSB):
    """Leaders who consented, each leading an organization in `district` (written straight to
    the database: registering each through the chat would take the whole test's time)."""
    people = [bot.user(first_name=f"Leader {district} {n}", language_code=language) for n, language in enumerate(languages)]
    async with await bot.session() as session:
        await insert_leaders(session, people, district, bot.clock.now(), kind=kind)
    return people


async def insert_leaders(session, people, district: str, now: datetime, *, kind: OrganizationKind = OrganizationKind.OSB) -> list[int]:  # noqa: ANN001
    ids = []
    for person in people:
        user = User(telegram_id=person.id, display_name=person.first_name, language=person.language_code, role=Role.LEADER,
                    consent_version=CONSENT_NOTICE_VERSION, consent_at=now, first_seen=now, last_seen=now)
        organization = Organization(
            name=f"Org of {person.first_name}", kind=kind, district_ubigeo=district, address="Av. 1", founded_year=2020,
            contact_phone="+51987654321", board_term_start=date(2025, 1, 1), board_term_end=date(2027, 1, 1),
            status=VerificationStatus.VERIFIED, created_at=now, updated_at=now,
        )
        session.add_all([user, organization])
        await session.flush()
        session.add(Leadership(user_id=user.id, organization_id=organization.id, role=LeaderRole.OWNER, joined_at=now, acting=True))
        ids.append(user.id)
    return ids


async def coordinator(bot, language: str = "en", *, first_name: str = "Luis"):
    luis = bot.user(first_name=first_name, language_code=language)
    await consented(luis)
    async with await bot.session() as session:
        await session.execute(update(User).where(User.telegram_id == luis.id).values(role=Role.COORDINATOR))
    return luis


async def compose_for_callao(luis) -> None:
    await luis.sends("/broadcast")
    await luis.taps("✏️ Español")
    await luis.sends(ES)  # typed, not markup: shown as typed
    await luis.taps("✏️ English")
    await luis.sends(EN)
    await luis.taps("👥 Audience")
    await luis.taps("➕ District")
    await luis.sends("callao")


async def until_done(bot, author, *, timeout: float = 15.0) -> Broadcast:  # noqa: ASYNC109 (a deadline, not a cancel scope)
    """Wake the sender and wait for the last broadcast to be sent and reported."""
    bot.application.broadcasts.wake()
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with await bot.session() as session:
            broadcast = await session.scalar(  # a draft opened since is not the one sent
                select(Broadcast).where(Broadcast.state != BroadcastState.DRAFT).order_by(Broadcast.id.desc()).limit(1))
        if broadcast is not None and broadcast.state is BroadcastState.DONE and "finished" in _texts(author)[-1]:
            return broadcast
        await asyncio.sleep(0.05)
    raise AssertionError(f"the broadcast did not finish: {broadcast.state if broadcast else None}, {_texts(author)[-1:]}")


def _texts(user) -> list[str]:
    return [message.get("text") or message.get("caption") or "" for message in user.messages]


def copies(user, text: str) -> int:
    return sum(1 for message in _texts(user) if message == text)


async def deliveries(bot, broadcast_id: int) -> dict[int, DeliveryState]:
    async with await bot.session() as session:
        rows = await session.execute(
            select(User.telegram_id, BroadcastDelivery.state).join(User, User.id == BroadcastDelivery.user_id)
            .where(BroadcastDelivery.broadcast_id == broadcast_id)
        )
        return dict(rows.all())


async def test_a_broadcast_to_a_district_reaches_exactly_its_leaders_in_their_languages(bot):
    ana, rosa, john = await leaders_in(bot, CALLAO, "es", "es", "en")
    (elsewhere,) = await leaders_in(bot, ATE, "es")
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    assert "It will reach 3 people." in luis.last_text
    await luis.taps("⬅️ Back")
    await luis.taps("👁 Preview")                     # as each language will see it
    assert copies(luis, ES) == 1 and copies(luis, EN) == 1
    await luis.sends("/broadcast")
    await luis.taps("🚀 Send now")
    assert "Sending it now to 3 people" in luis.last_text
    broadcast = await until_done(bot, luis)
    for leader in (ana, rosa):
        assert copies(leader, ES) == 1
    assert copies(john, EN) == 1 and copies(john, ES) == 0
    assert elsewhere.messages == []
    assert "Delivered: 3" in _texts(luis)[-1]
    assert set((await deliveries(bot, broadcast.id)).values()) == {DeliveryState.DELIVERED}


async def test_a_person_who_blocked_the_bot_is_reported_and_skipped_next_time(bot):
    ana, rosa = await leaders_in(bot, CALLAO, "es", "es")
    luis = await coordinator(bot)
    rosa.chat.blocked = True                          # she blocked the bot; it does not know yet
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    first = await until_done(bot, luis)
    assert "Blocked the bot: 1" in _texts(luis)[-1] and "Delivered: 1" in _texts(luis)[-1]
    assert (await deliveries(bot, first.id))[rosa.id] is DeliveryState.BLOCKED

    await compose_for_callao(luis)                    # the next one skips her without trying
    await luis.taps("⬅️ Back")
    assert "It will reach 1 person." in luis.last_text
    await luis.taps("🚀 Send now")
    second = await until_done(bot, luis)
    assert (await deliveries(bot, second.id))[rosa.id] is DeliveryState.SKIPPED
    assert copies(ana, ES) == 2 and rosa.messages == []


async def test_a_broadcast_cut_short_by_a_crash_resumes_and_repeats_only_the_messages_in_flight(bot):
    leaders = await leaders_in(bot, CALLAO, *["es"] * 60)
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    bot.application.broadcasts.wake()
    while sum(copies(leader, ES) for leader in leaders) < 15:  # noqa: ASYNC110 - the emulator's chats are plain lists
        await asyncio.sleep(0.01)
    # What kill -9 leaves: the task stops at whatever it was awaiting, nothing more is written.
    bot.application.broadcasts._task.cancel()
    await bot.restart()
    broadcast = await until_done(bot, luis)
    received = [copies(leader, ES) for leader in leaders]
    assert min(received) == 1, "nobody is missed"
    twice = sum(1 for count in received if count == 2)
    assert max(received) <= 2 and twice <= broadcast.in_flight_at_restart <= 8
    if broadcast.in_flight_at_restart:
        assert f"In flight when the bot restarted, sent again: {broadcast.in_flight_at_restart}" in _texts(luis)[-1]
    assert "Delivered: 60" in _texts(luis)[-1]


async def test_a_bot_stopped_mid_statement_of_a_broadcast_lets_go_of_the_database_first_and_carries_on_after(bot):
    leaders = await leaders_in(bot, CALLAO, *["es"] * 30)
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    broadcaster, pool = bot.application.broadcasts, bot.runtime.database.engine.pool
    claims, stopping = 0, asyncio.Event()

    @event.listens_for(bot.runtime.database.engine.sync_engine, "before_cursor_execute")
    def stop_mid_claim(_connection, _cursor, statement: str, *_args) -> None:  # noqa: ANN001, ANN002
        nonlocal claims
        if statement.startswith("UPDATE broadcast_deliveries SET state") and "attempts" in statement:
            claims += 1
            if claims == 10:  # the stop reaches a sender while its statement is on its way
                broadcaster._task.cancel()  # noqa: SLF001 - what Broadcaster.stop does first
                stopping.set()

    await luis.taps("🚀 Send now")
    broadcaster.wake()
    async with asyncio.timeout(15):
        await stopping.wait()
    await broadcaster.stop()                          # returns once the sending task has ended
    assert pool.checkedout() == 0, "every sender has ended and let go of its connection"
    await bot.restart()                               # and the harness finds none in use either
    await until_done(bot, luis)
    assert min(copies(leader, ES) for leader in leaders) == 1, "nobody is missed"


async def test_a_broadcast_to_more_people_than_the_threshold_waits_for_a_second_pair_of_eyes(bot):
    bot.settings_overrides["broadcast_approval_threshold"] = 2
    await bot.restart()
    leaders = await leaders_in(bot, CALLAO, "es", "es", "en")
    carmen = bot.user(STAFF_TELEGRAM_ID, first_name="Carmen", language_code="en")
    await carmen.sends("/help")                       # staff the bot knows
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    assert "must approve it" in luis.last_text
    await asyncio.sleep(0.3)
    assert all(leader.messages == [] for leader in leaders), "nothing goes out before the approval"
    assert "waits for your approval" in carmen.last_text
    await luis.taps_data(await approve_data(bot))    # not by its own author
    assert "Someone else has to approve it" in luis.last_text
    await carmen.taps("✅ Approve")
    assert "Approved" in carmen.last_text
    await until_done(bot, luis)
    assert all(len(leader.messages) == 1 for leader in leaders)
    await carmen.taps_data(await approve_data(bot))  # a second tap
    assert "already approved" in (carmen.last_alert or "")
    async with await bot.session() as session:                 # both pairs of eyes are in the audit log
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("broadcast.submit") == 1 and actions.count("broadcast.approve") == 1


async def approve_data(bot) -> str:
    """The Approve button of the last broadcast submitted, for the version it is at now."""
    async with await bot.session() as session:
        broadcast = await session.scalar(
            select(Broadcast).where(Broadcast.state != BroadcastState.DRAFT).order_by(Broadcast.id.desc()).limit(1))
        return f"bc:approve:{broadcast.id}:{broadcast.version}"


async def test_a_scheduled_broadcast_can_be_cancelled_until_it_starts(bot):
    (ana,) = await leaders_in(bot, CALLAO, "es")
    luis = await coordinator(bot)
    await compose_for_callao(luis)
    await luis.taps("⬅️ Back")
    await luis.taps("🕒 Schedule")
    await luis.sends("24/11/2026 09:00")
    assert "Scheduled for" in luis.last_text
    await luis.sends("/broadcast")
    assert "scheduled" in luis.last_text  # the list says each one's state and first words
    await luis.taps(next(label for label in luis.buttons if label.startswith("#")))
    await luis.taps("✖ Cancel this broadcast")
    assert "Cancelled" in luis.last_text
    bot.clock.advance(days=1)
    bot.application.broadcasts.wake()
    await asyncio.sleep(0.5)
    assert ana.messages == []


async def test_a_leader_cannot_open_the_composer(bot, newcomer):
    await consented(newcomer)
    await newcomer.sends("/broadcast")
    assert "Only training coordinators and programme staff" in newcomer.last_text or "coordinadores" in newcomer.last_text


async def test_a_broadcast_to_the_people_on_a_sessions_list_skips_everyone_else(bot):
    ana, rosa, john = await leaders_in(bot, CALLAO, "es", "es", "en")
    now = bot.clock.now()
    async with await bot.session() as session:
        training = TrainingSession(topic="leadership", title="Liderazgo comunitario", starts_at=now + timedelta(days=3),
                                   ends_at=now + timedelta(days=3, hours=2), venue="Municipalidad", capacity=20, created_at=now)
        session.add(training)
        await session.flush()
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        session.add_all([Enrollment(session_id=training.id, user_id=ids[ana.id], state=EnrollmentState.ENROLLED, created_at=now),
                         Enrollment(session_id=training.id, user_id=ids[john.id], state=EnrollmentState.WAITLISTED, created_at=now)])
    luis = await coordinator(bot)
    await luis.sends("/broadcast")
    await luis.taps("✏️ Español")
    await luis.sends(ES)
    await luis.taps("👥 Audience")
    await luis.taps("🎓 On a session's list")
    await luis.taps(next(label for label in luis.buttons if "Liderazgo comunitario" in label))
    assert "on the list of Liderazgo comunitario" in luis.last_text and "It will reach 2 people." in luis.last_text
    await luis.taps("⬅️ Back")  # the sessions' screen, then the picker's first screen
    await luis.taps("⬅️ Back")
    await luis.taps("🚀 Send now")
    await until_done(bot, luis)
    assert copies(ana, ES) == 1 and copies(john, ES) == 1 and rosa.messages == []   # John has no English version: Spanish


async def test_a_bot_killed_hard_mid_broadcast_finishes_it_after_restart_repeating_only_the_in_flight(tmp_path):
    from tests.test_command_line import CLEAN_ENV, spawn_bot, voces_bot, wait_for_polling

    emulator = BotApiEmulator()
    await emulator.start()
    database = tmp_path / "voces.sqlite3"
    env = {**CLEAN_ENV, "BOT_TOKEN": "7000000001:kill-nine", "BOT_API_BASE_URL": emulator.base_url,
           "BOT_API_FILE_URL": emulator.base_file_url, "DATABASE_URL": f"sqlite:///{database}",
           "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(), "LOG_LEVEL": "WARNING",
           "QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}  # whatever the hour of the run
    assert voces_bot("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    leaders = [emulator.user(first_name=f"Líder {n}", language_code="es") for n in range(90)]
    author = emulator.user(first_name="Luis", language_code="es")
    db = Database(f"sqlite+aiosqlite:///{database}")
    now = datetime.now(UTC)
    async with db.session() as session:
        ids = await insert_leaders(session, leaders, CALLAO, now)
        luis = User(telegram_id=author.id, display_name="Luis", language="es", role=Role.COORDINATOR,
                    consent_version=CONSENT_NOTICE_VERSION, consent_at=now, first_seen=now, last_seen=now)
        session.add(luis)
        await session.flush()
        session.add(Broadcast(author_id=luis.id, state=BroadcastState.SCHEDULED, texts={"es": html.escape(ES)}, audience={"district": [CALLAO]},
                              buttons=[], created_at=now, send_at=now))
    first = spawn_bot(env, tmp_path)
    try:
        await wait_for_polling(emulator, first, 0)
        for _ in range(2000):
            if sum(copies(leader, ES) for leader in leaders) >= 20:
                break
            await asyncio.sleep(0.01)
    finally:
        first.send_signal(signal.SIGKILL)                  # mid-broadcast: no shutdown, no flush
        first.wait()
    got_before = sum(1 for leader in leaders if copies(leader, ES))
    assert got_before < len(leaders), "killed before the end"
    polls = sum(1 for call in list(emulator.calls) if call.method == "setMyCommands")
    second = spawn_bot(env, tmp_path)
    try:
        await wait_for_polling(emulator, second, polls)
        for _ in range(400):
            async with db.session() as session:
                broadcast = await session.scalar(select(Broadcast))
            if broadcast.state is BroadcastState.DONE and any("Difusión terminada" in text for text in _texts(author)):
                break
            await asyncio.sleep(0.05)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.wait, 30)
        await emulator.stop()
    await db.dispose()
    received = [copies(leader, ES) for leader in leaders]
    assert broadcast.state is BroadcastState.DONE and min(received) == 1, "nobody is missed"
    assert sum(1 for count in received if count > 1) <= broadcast.in_flight_at_restart <= 8
    assert len(ids) == 90 and "Entregados: 90" in _texts(author)[-1]
