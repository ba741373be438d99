"""A coordinator scoped to some districts sees and acts only inside them, everywhere: another
coordinator's session in Comas is not in their /mysessions, its card, lists, XLSX, check-in,
attendance, edit and cancel refuse them (old buttons and forged ones alike, and nobody on its
list is told); a session or a broadcast someone else created is changed only by its author and
staff; their broadcast to "all leaders" reaches, and counts, the leaders of their districts
only, and "➕ District" refuses a district they do not follow and asks again.

The rule is `bot.people.authority.Viewer`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.broadcasts.models import Broadcast, BroadcastDelivery, BroadcastState
from bot.console.models import CoordinatorDistrict
from bot.people.models import Role, User
from bot.trainings.models import Enrollment, EnrollmentState, TopicVote, TrainingSession
from tests.flows import consented
from tests.test_broadcasts import leaders_in, until_done

CALLAO, COMAS = "070101", "150110"


async def coordinator(bot, name: str, districts: list[str]):  # noqa: ANN201 - a SimulatedUser
    person = bot.user(first_name=name, language_code="en")
    await consented(person)
    await scope(bot, person, districts, role=Role.COORDINATOR)
    return person


async def scope(bot, person, districts: list[str], *, role: Role | None = None) -> None:
    """What staff set with /scope (written straight to the database)."""
    async with await bot.session() as session:
        found = await session.scalar(select(User).where(User.telegram_id == person.id))
        if role is not None:
            found.role = role
        await session.execute(CoordinatorDistrict.__table__.delete().where(CoordinatorDistrict.user_id == found.id))
        session.add_all(CoordinatorDistrict(user_id=found.id, district_ubigeo=code) for code in districts)


async def user_id(bot, person) -> int:
    async with await bot.session() as session:
        return await session.scalar(select(User.id).where(User.telegram_id == person.id))


async def session_by(bot, author, title: str, district: str | None, *, enrolled=()) -> int:  # noqa: ANN001
    now = bot.clock.now()
    author_id, people = await user_id(bot, author), [await user_id(bot, person) for person in enrolled]
    async with await bot.session() as session:
        training = TrainingSession(
            topic="leadership", title=title, starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2),
            venue="https://meet.example.org/x" if district is None else "Casa comunal", district_ubigeo=district,
            online=district is None, capacity=10, created_by_id=author_id, created_at=now,
        )
        session.add(training)
        await session.flush()
        session.add_all(Enrollment(session_id=training.id, user_id=person, state=EnrollmentState.ENROLLED, created_at=now)
                        for person in people)
        return training.id


OUT = "not in the districts you follow"
NOT_THEIRS = "Only the person who created it"


async def refused(person, words: str, *, data: str | None = None, label: str | None = None) -> bool:
    """Press a button (by its data, as an old or forged one, or by its label): the answer, an
    alert on the button or a message, says `words`."""
    person.chat.last_alert = None
    if data is not None:
        await person.taps_data(data)
    else:
        await person.taps(label)
    return words in (person.last_alert or "") or any(words in text for text in person.texts_since_last_action)


async def training(bot, session_id: int) -> TrainingSession:
    async with await bot.session() as session:
        return await session.get(TrainingSession, session_id)


async def test_a_coordinator_scoped_to_callao_cannot_see_read_export_run_or_change_a_session_in_comas(bot):
    (rosa,) = await leaders_in(bot, COMAS, "en")
    pedro = await coordinator(bot, "Pedro", [COMAS])
    luis = await coordinator(bot, "Luis", [])                      # every district, for now
    comas = await session_by(bot, pedro, "Asamblea en Comas", COMAS, enrolled=[rosa])
    callao = await session_by(bot, pedro, "Taller en Callao", CALLAO)
    online = await session_by(bot, pedro, "Taller en línea", None)

    await luis.sends("/mysessions")
    await luis.taps("Asamblea en Comas")                            # a card seen before the scope changed
    assert "👥 Lists" in luis.buttons and "🟢 Open check-in" in luis.buttons
    assert "✏️ Edit" not in luis.buttons, "Pedro's session: only he and staff change it"
    assert await refused(luis, NOT_THEIRS, data=f"trc:cancelok:{comas}")   # forged: refused all the same
    await scope(bot, luis, [CALLAO])                                # staff: /scope luis callao

    assert await refused(luis, OUT, label="👥 Lists")               # the old buttons now refuse
    assert await refused(luis, OUT, label="🟢 Open check-in")
    for data in (f"trc:open:{comas}", f"trc:xlsx:{comas}", f"trc:roster:{comas}:p1", f"trc:close:{comas}",
                 f"trc:mark:{comas}:{await user_id(bot, rosa)}:1"):
        assert await refused(luis, OUT, data=data), data
    for data in (f"trc:cancel:{comas}", f"trc:cancelok:{comas}", f"trc:edit:{comas}"):
        assert await refused(luis, NOT_THEIRS, data=data), data
    assert luis.documents == [] and not any("Leader 150110" in (m.get("text") or "") for m in luis.messages)
    assert rosa.messages == [], "nobody on its list is told anything"
    after = await training(bot, comas)
    assert after.cancelled_at is None and not after.checkin_open
    async with await bot.session() as session:
        assert await session.scalar(select(Enrollment.state)) is EnrollmentState.ENROLLED

    await luis.sends("/mysessions")                                 # his districts, and online sessions
    assert "Asamblea en Comas" not in " ".join(luis.buttons)
    assert any("Taller en Callao" in label for label in luis.buttons) and any("Taller en línea" in label for label in luis.buttons)
    await luis.taps_data(f"trc:open:{online}")                      # online: seen, not run by him
    assert "Taller en línea" in luis.last_text and "👥 Lists" not in luis.buttons
    assert await refused(luis, OUT, data=f"trc:roster:{online}")
    await luis.taps_data(f"trc:open:{callao}")                      # his district: he runs it, Pedro changes it
    assert "👥 Lists" in luis.buttons and "✏️ Edit" not in luis.buttons
    await luis.taps("👥 Lists")
    assert "Nobody has enrolled yet" in luis.last_text

    await luis.sends("/newtraining")                                # and he places a session in his districts only
    await luis.taps("Leadership")
    await luis.sends("Liderar una asamblea")
    await luis.taps("Skip")
    await luis.taps("📍 In person")
    await luis.sends("Local comunal")
    await luis.sends("comas")
    assert "Comas is not one of the districts you follow (Callao)" in luis.texts_since_last_action[0]
    assert "In which district?" in luis.last_text
    await pedro.sends("/mysessions")                                # the author still runs his own
    await pedro.taps("Asamblea en Comas")
    assert "✏️ Edit" in pedro.buttons

    pedro_id = await user_id(bot, pedro)                            # Pedro's topic vote: he closes it, not Luis
    async with await bot.session() as session:
        vote = TopicVote(max_choices=2, opened_by_id=pedro_id, opened_at=bot.clock.now())
        session.add(vote)
        await session.flush()
    assert await refused(luis, NOT_THEIRS, data=f"trc:voteclose:{vote.id}")
    async with await bot.session() as session:
        assert (await session.get(TopicVote, vote.id)).closed_at is None


async def test_a_scoped_coordinators_broadcast_reaches_and_counts_only_their_districts_and_only_its_author_changes_it(bot):
    ana, john = await leaders_in(bot, CALLAO, "en", "en")
    (rosa,) = await leaders_in(bot, COMAS, "en")
    luis = await coordinator(bot, "Luis", [CALLAO])
    pedro = await coordinator(bot, "Pedro", [])

    await luis.sends("/broadcast")
    await luis.taps("✏️ Español")
    await luis.sends("Reunión el sábado")
    await luis.taps("👥 Audience")
    await luis.taps("▫️ All leaders")
    assert "It will reach 2 people." in luis.last_text             # Callao's two, not Comas's
    await luis.taps("➕ District")
    await luis.sends("comas")
    assert "Comas is not one of the districts you follow (Callao)" in luis.last_text
    assert "Which district?" in luis.last_text                      # asked again
    await luis.sends("/cancel")
    async with await bot.session() as session:
        broadcast = await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
    await luis.taps_data(f"bc:t:{broadcast.id}:district:{COMAS}")    # forged
    assert "Comas is not one of the districts you follow" in luis.last_text

    await pedro.taps_data(f"bc:t:{broadcast.id}:leaders:yes")        # another coordinator's draft
    assert "Only the person who created it" in pedro.last_text
    await pedro.taps_data(f"bc:cancel:{broadcast.id}")
    assert "Only the person who created it" in pedro.last_text
    await pedro.taps_data(f"bc:now:{broadcast.id}")
    assert "Only the person who created it" in pedro.last_text
    async with await bot.session() as session:
        again = await session.get(Broadcast, broadcast.id)
    assert again.state is BroadcastState.DRAFT and again.audience == {"leaders": ["yes"]}

    await luis.sends("/broadcast")
    await luis.taps("🚀 Send now")
    assert "Sending it now to 2 people" in luis.last_text
    await until_done(bot, luis)
    assert rosa.messages == [] and len(ana.messages) == 1 and len(john.messages) == 1
    async with await bot.session() as session:
        sent = await session.scalar(select(func.count()).select_from(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast.id))
    assert sent == 2
