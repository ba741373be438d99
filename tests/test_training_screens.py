"""The trainings' leader-facing screens (bot/trainings/screens.py, record_screens.py): every one fits
WhatsApp's limits with every choice reachable and typed text never turning into markup, and
Telegram shows /trainings' list and a session's card with exactly the keyboards
handlers/trainings/browse.py built itself before screens (the same callback data, so old
buttons keep working).

Pure functions, no bot: test_trainings.py, test_trainings_and_projects.py and
test_forged_buttons.py show the same screens through the Bot API emulator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.core.districts import all_districts
from bot.core.i18n import translator
from bot.core.screens import Screen, check_markup
from bot.core.textlimits import page_of, shorten
from bot.people.authority import Viewer
from bot.people.models import Role
from bot.trainings import coordinator_screens as coordinators
from bot.trainings import draft_screens as drafts_shown
from bot.trainings import drafts
from bot.trainings import record_screens as records
from bot.trainings import screens as trainings
from bot.trainings.labels import ENROLLMENT_STATE_IN_LISTS
from bot.trainings.models import Certificate, Enrollment, EnrollmentState, Topic, TrainingSession
from bot.trainings.records import HistoryEntry, RosterRow, Tally, Verified
from bot.trainings.views import BallotView, CoordinatorCard, SessionCard, Upcoming
from handlers import screens as telegram
from handlers.common import keyboard, page_navigation
from handlers.whatsapp.render import render
from tests.test_screens import ids_shown, within_limits

ES = translator("es")
EN = translator("en")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TYPED = "Taller <Liderazgo> *comunal*_de_los barrios & Co"  # what a coordinator typed: never markup anywhere
LINK = "https://t.me/VocesBot?start=training_7"
TOPICS = {code: Topic(code=code, name_es=f"Tema {n} {code}", name_en=f"Topic {n} {code}", created_at=NOW)
          for n, code in enumerate(["leadership", "tax", "office_tools", "nonprofit_accounting", "data_protection",
                                    "basic_design", "project_management", "organizational_culture", "cooking",
                                    "first_aid", "fundraising", "assemblies"])}


def session(number: int = 7, **changes) -> TrainingSession:
    """A session in a few days; odd numbers online, even ones in San Juan de Lurigancho."""
    starts = NOW + timedelta(days=3 + number, hours=2)
    online = number % 2 == 1
    values = {
        "id": number, "topic": "leadership", "title": f"{TYPED} {number} " + "muy largo " * (number % 3) * 8,
        "description": f"Para dirigentes: {TYPED}", "starts_at": starts, "ends_at": starts + timedelta(hours=3),
        "venue": "https://meet.example.org/abc_def" if online else f"Local comunal {TYPED}",
        "district_ubigeo": None if online else "150132", "online": online, "capacity": 20,
        "enroll_until": starts - timedelta(days=1), "prerequisite_topic": "tax" if number % 3 == 0 else None,
        "created_at": NOW, "cancelled_at": None, "checkin_code": None, "checkin_open": False,
    }
    return TrainingSession(**{**values, **changes})


def mine(state: EnrollmentState) -> Enrollment:
    return Enrollment(id=1, session_id=7, user_id=1, state=state, created_at=NOW,
                      offer_expires_at=NOW + timedelta(hours=6) if state is EnrollmentState.OFFERED else None)


def card(training: TrainingSession | None = None, *, taken: int = 5, state: EnrollmentState | None = None,
         actions: tuple[str, ...] = ()) -> SessionCard:
    training = training or session()
    return SessionCard(training, taken, TOPICS, mine(state) if state else None,
                       3 if state is EnrollmentState.WAITLISTED else None, actions)


def upcoming(count: int) -> Upcoming:
    sessions = [session(n) for n in range(1, count + 1)]
    return Upcoming(sessions, {t.id: (20 if t.id % 4 == 0 else t.id) for t in sessions}, TOPICS)


CARDS = {  # the situations that change what a card offers (bot.trainings.views.SessionCard.actions)
    "card: seats left": card(actions=("enroll",)),
    "card: full": card(taken=20, actions=("waitlist",)),
    "card: enrolled, check-in open": card(session(checkin_open=True), state=EnrollmentState.ENROLLED, actions=("here", "leave")),
    "card: waitlisted": card(taken=20, state=EnrollmentState.WAITLISTED, actions=("leave",)),
    "card: a seat held": card(state=EnrollmentState.OFFERED, actions=("take", "pass")),
    "card: attended": card(session(starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=2) + timedelta(hours=2)),
                           state=EnrollmentState.ATTENDED, actions=("cert",)),
    "card: no show": card(state=EnrollmentState.NO_SHOW),
    "card: cancelled": card(session(cancelled_at=NOW), state=EnrollmentState.ENROLLED),
}


def every_screen(i18n) -> dict[str, Screen]:
    """Each leader-facing trainings screen, in the situations that change what it shows."""
    training = session()
    history = [HistoryEntry(session(n, starts_at=NOW + timedelta(days=n - 20), ends_at=NOW + timedelta(days=n - 20, hours=2)),
                            list(EnrollmentState)[n % 5], f"CODE{n}" if n % 5 == 3 else None, False) for n in range(1, 40)]
    issued = Certificate(code="ABCD2345", session_id=7, user_id=1, holder_name=TYPED, organization_name=f"Comedor {TYPED}",
                         issued_at=NOW)
    topics = list(TOPICS.values())
    shown = {
        "trainings: none": trainings.upcoming(i18n, upcoming(0)),
        "trainings: one page": trainings.upcoming(i18n, upcoming(4)),
        **{f"trainings: page {page} of 3": trainings.upcoming(i18n, upcoming(12), page=page) for page in (1, 2, 3)},
        **{name: trainings.session_card(i18n, found, share_link=LINK) for name, found in CARDS.items()},
        "gone": trainings.not_found(i18n),
        "enrolled": trainings.enrolled(i18n, training, sex="female", now=NOW),
        "waitlisted": trainings.waitlisted(i18n, 4),
        "left": trainings.left(i18n),
        "seat taken": trainings.seat_taken(i18n, training, sex=None, now=NOW),
        "seat passed": trainings.seat_passed(i18n),
        "seat offered": trainings.offer(i18n, training, NOW + timedelta(hours=6)),
        "offer expired": trainings.offer_expired(i18n, training),
        "reminder, a day before, online": trainings.reminder(i18n, training, before="24h"),
        "reminder, an hour before, in a place": trainings.reminder(i18n, session(8), before="1h"),
        "checkin?": records.checkin_prompt(i18n),
        "checked in": records.checked_in(i18n, training, sex="male"),
        "my trainings: none": records.my_trainings(i18n, [], now=NOW),
        "my trainings": records.my_trainings(i18n, history, now=NOW),
        "certificate": records.certificate(i18n, issued, training, TOPICS, verify_url="https://t.me/VocesBot?start=verify_ABCD2345",
                                           verify_hint=records.verify_hint(i18n, "ABCD2345", bot_username="VocesBot")),
        "verify?": records.verify_prompt(i18n),
        "not genuine": records.not_genuine(i18n, "<ZZZ>"),
        "genuine": records.genuine(i18n, Verified(issued, training)),
        "how was it?": records.rating_question(i18n, training),
        "rated": records.rated(i18n, 4),
        "comment again": records.comment_again(i18n, "Too long."),
        "comment saved": records.comment_saved(i18n),
        "comment skipped": records.comment_skipped(i18n),
        "ballot: three topics": records.ballot(i18n, BallotView(3, 2, topics[:3], {"tax"})),
        "ballot: every topic": records.ballot(i18n, BallotView(3, 3, topics, {"tax", "cooking", "assemblies"})),
        "no vote": records.no_vote(i18n),
    }
    return shown


def formatted(messages: list[dict]) -> list[str]:
    """The texts WhatsApp reads its *bold* and _italic_ in: bodies and captions (a list row's
    title and description are shown as they are)."""
    found = []
    for message in messages:
        content = message[message["type"]]
        found += [content.get("body", ""), content.get("caption", "")]
        if message["type"] == "interactive":
            found.append(content["body"]["text"])
    return found


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_trainings_screen_fits_whatsapp_and_every_choice_on_it_is_reachable(i18n):
    shown = every_screen(i18n)
    for name, one in shown.items():
        check_markup(one.text)  # both channels can render it; typed text stayed text
        media = [f"M{n}" for n in range(len(one.files))]
        messages = render(one, to="51987654321", gettext=i18n.gettext, media_ids=media)
        within_limits(messages)
        assert not any("*comunal*" in text for text in formatted(messages)), name  # typed, never bold
        if one.choices:
            assert ids_shown(replace(one, files=()), i18n.gettext) == {c.id for c in one.choices}, name
        else:
            assert all(m["type"] != "interactive" for m in messages), name
        assert [m["document"]["filename"] for m in messages if m["type"] == "document"] == [f.name for f in one.files], name

    # Enrolling and taking a seat bring the session's .ics; the certificate is a PDF and a caption only.
    for name in ("enrolled", "seat taken"):
        (event,) = shown[name].files
        assert event.mime == "text/calendar" and event.name == i18n.gettext("training-%(id)s.ics") % {"id": 7}
        assert b"BEGIN:VEVENT" in event.data and b"training-7@voces" in event.data
    (pdf,) = shown["certificate"].files
    assert shown["certificate"].text == "" and pdf.data.startswith(b"%PDF") and "ABCD2345" in pdf.caption
    # /mytrainings (its first 30 sessions): a certificate for each one attended and over, each to come to open.
    assert [c.id for c in shown["my trainings"].choices] == [
        *(f"tr:cert:{n}" for n in (3, 8, 13, 18)), *(f"tr:open:{n}" for n in range(21, 31))]
    # The ballot ticks the person's choices, and every topic is one choice away on WhatsApp too.
    ballot = shown["ballot: every topic"]
    assert [c.label.startswith("✅ ") for c in ballot.choices] == [c in ("tax", "cooking", "assemblies") for c in TOPICS]
    # A session in a list has its day where WhatsApp's list has room for it.
    first = shown["trainings: page 1 of 3"].choices[0]
    assert first.id == "tr:open:1" and first.description == i18n.datetime(session(1).starts_at, "short")


# --- Telegram: the list and the card with the keyboards handlers/trainings/browse.py built before --------


def old_list_keyboard(i18n, found: Upcoming, page: int):
    shown = page_of(found.sessions, page, size=5)
    rows = [[(f"🗓 {shorten(t.title, 48)}", f"tr:open:{t.id}")] for t in shown.items]
    rows += page_navigation(SimpleNamespace(gettext=i18n.gettext), shown, callback_prefix="tr:list:p")
    return keyboard(rows)


OLD_ACTIONS = {
    "enroll": ("✅ Enroll", "tr:enroll"), "waitlist": ("⏳ Join the waitlist", "tr:enroll"),
    "here": ("🙋 I am here", "tr:here"), "take": ("Take the seat", "tr:take"), "pass": ("Pass", "tr:pass"),
    "cert": ("📄 Certificate", "tr:cert"), "leave": ("Leave this session", "tr:leave"),
}


def old_card_keyboard(i18n, found: SessionCard):
    _ = i18n.gettext
    rows = []
    for row in (("enroll", "waitlist"), ("here",), ("take", "pass"), ("cert",), ("leave",)):
        buttons = [(_(OLD_ACTIONS[a][0]), f"{OLD_ACTIONS[a][1]}:{found.training.id}") for a in row if a in found.actions]
        if buttons:
            rows.append(buttons)
    rows.append([(_("◀️ All trainings"), "tr:list:p1")])
    return keyboard(rows)


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_trainings_list_and_a_session_card_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = every_screen(i18n)
    for count, pages in ((4, (1,)), (12, (1, 2, 3, 9))):
        found = upcoming(count)
        for page in pages:
            text, markup = telegram.render(trainings.upcoming(i18n, found, page=page))
            assert markup == old_list_keyboard(i18n, found, page), (count, page)
            on_page = page_of(found.sessions, page, size=5).items
            assert text == "\n\n".join([_("<b>Upcoming trainings</b>"), *(
                trainings.session_text(i18n, t, TOPICS, taken=found.taken.get(t.id, 0)) for t in on_page)])
    assert telegram.render(shown["trainings: none"]) == (
        _("No trainings are scheduled yet. Check again soon with /trainings."), None)

    lines = {  # the reader's place on the card, as the handler wrote it
        "card: seats left": None, "card: full": None,
        "card: enrolled, check-in open": _("✅ You have a seat."),
        "card: waitlisted": _("⏳ You are number %(position)s in line.") % {"position": 3},
        "card: a seat held": _("🎟 A seat is held for you until %(date)s.") % {"date": i18n.datetime(NOW + timedelta(hours=6), "short")},
        "card: attended": _("🎓 You attended."), "card: no show": _("You were not marked present."),
        "card: cancelled": _("❌ This session was cancelled."),
    }
    for name, found in CARDS.items():
        text, markup = telegram.render(shown[name])
        assert markup == old_card_keyboard(i18n, found), name
        expected = [trainings.session_text(i18n, found.training, TOPICS, taken=found.taken), lines[name],
                    _("Link to share: %(link)s") % {"link": LINK}]
        assert text == "\n".join(line for line in expected if line is not None), name
    # A full session invites to the waitlist; the card's title is bold and what was typed stays text.
    full = shown["card: full"].text
    assert _("Full (%(count)s places): you can join the waitlist") % {"count": 20} in full
    assert full.startswith("<b>Taller &lt;Liderazgo&gt; *comunal*_de_los barrios &amp; Co 7")
    # The seat offered to the next in line: take it or pass it on, as the notice always had.
    offered = telegram.render(shown["seat offered"])[1]
    assert offered == keyboard([[(_("Take the seat"), "tr:take:7"), (_("Pass"), "tr:pass:7")]])
    assert telegram.render(shown["how was it?"])[1] == keyboard([[(f"{n} ⭐", f"tr:rate:7:{n}") for n in range(1, 6)]])


# --- coordinators: /newtraining, /mysessions, their card, the lists, votes ------------------------------


def answers(**changes) -> dict:
    starts = NOW + timedelta(days=5)
    return {"topic": "leadership", "title": TYPED, "description": f"Para dirigentes: {TYPED}", "online": False,
            "venue": f"Local comunal {TYPED}", "district_ubigeo": "150132", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(), "capacity": 25, "enroll_until": None,
            "prerequisite_topic": "tax", **changes}


def step(name: str, **changes) -> drafts.Step:
    return drafts.Step(name, answers(), False, TOPICS, **changes)


def coordinator_card(training: TrainingSession, *, author: bool, districts=frozenset({"150132"})) -> CoordinatorCard:
    who = Viewer(user_id=1 if author else 2, role=Role.COORDINATOR, districts=districts)
    counts = Counter({EnrollmentState.ENROLLED: 12, EnrollmentState.WAITLISTED: 3, EnrollmentState.ATTENDED: 2})
    return CoordinatorCard(training, who, TOPICS, counts)


def people(count: int) -> list[RosterRow]:
    return [RosterRow(n, 900000000 + n, f"{TYPED} {n}" if n % 7 else None, f"Comedor {n}" if n % 2 else None,
                      list(EnrollmentState)[n % 5], NOW - timedelta(days=2), NOW if n % 5 == 3 else None, n % 6 or None)
            for n in range(1, count + 1)]


def coordinator_screens(i18n) -> dict[str, Screen]:
    place = session(8, created_by_id=1)
    tally = Tally(vote=None, counts=[(topic, 12 - n) for n, topic in enumerate(TOPICS.values())], voters=17)  # type: ignore[arg-type]
    districts = tuple(d for d in all_districts() if "San" in d.name)[:12]
    shown = {f"question: {name}": drafts_shown.question(i18n, step(name)) for name in drafts_shown.QUESTIONS if name != "link"}
    shown |= {
        "which district?": drafts_shown.question(i18n, step("district", districts=districts)),
        "summary": drafts_shown.question(i18n, step(drafts.SUMMARY)),
        "summary, editing online": drafts_shown.summary(i18n, drafts.Step(drafts.SUMMARY, answers(
            online=True, venue="https://meet.example.org/a_b", district_ubigeo=None, prerequisite_topic=None,
            enroll_until=NOW.isoformat()), True, TOPICS)),
        "type it": drafts_shown.type_it(i18n, "title", "I can only read typed text here. Please write your answer."),
        "created": drafts_shown.created(i18n, place, share_link=LINK),
        "changes saved": drafts_shown.changes_saved(i18n, place, told=True),
        "session changed": drafts_shown.session_changed(i18n, place, TOPICS, moved=True),
        "discarded": drafts_shown.discarded(i18n), "stopped": drafts_shown.stopped(i18n),
        "my sessions: none": coordinators.sessions(i18n, []),
        **{f"my sessions: page {page}": coordinators.sessions(i18n, [session(n, cancelled_at=NOW if n % 4 == 0 else None)
                                                                     for n in range(1, 24)], page=page) for page in (1, 3)},
        "card: author, check-in to open": coordinators.card(i18n, coordinator_card(place, author=True), share_link=LINK, now=NOW),
        "card: district's, check-in open": coordinator_card_screen(i18n, session(8, checkin_open=True, checkin_code="K7M2QX")),
        "card: another district's, cancelled": coordinators.card(
            i18n, coordinator_card(session(8, cancelled_at=NOW), author=False, districts=frozenset({"070101"})), share_link=LINK, now=NOW),
        "cancel?": coordinators.ask_cancel(i18n, 8),
        "cancelled": coordinators.cancelled(i18n, told=True),
        "cancelled, nobody told": coordinators.cancelled(i18n, told=False),
        "cancellation notice": coordinators.cancellation_notice(i18n, place),
        "lists: nobody": coordinators.roster(i18n, 8, []),
        **{f"lists: page {page}": coordinators.roster(i18n, 8, people(35), page=page) for page in (1, 2)},
        "lists as XLSX": coordinators.roster_workbook(i18n, place, people(35), zone=i18n.zone),
        "check-in opened": coordinators.checkin_opened(i18n, "K7M2QX"),
        "check-in closed": coordinators.checkin_closed(i18n, no_shows=3, asked=1),
        "vote to open": coordinators.vote_to_open(i18n),
        "vote open": coordinators.vote_open(i18n, 3, tally),
        "vote opened": coordinators.vote_opened(i18n),
        "vote closed": coordinators.vote_closed(i18n, tally),
        "topic added": coordinators.topic_added(i18n, TOPICS["cooking"]),
    }
    return shown


def coordinator_card_screen(i18n, training: TrainingSession) -> Screen:
    return coordinators.card(i18n, coordinator_card(training, author=False), share_link=LINK, now=NOW)


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_coordinator_screen_of_the_trainings_fits_whatsapp_with_every_choice_reachable(i18n):
    shown = coordinator_screens(i18n)
    for name, one in shown.items():
        check_markup(one.text)
        messages = render(one, to="51987654321", gettext=i18n.gettext, media_ids=[f"M{n}" for n in range(len(one.files))])
        within_limits(messages)
        assert not any("*comunal*" in text for text in formatted(messages)), name
        if one.choices:
            assert ids_shown(replace(one, files=()), i18n.gettext) == {c.id for c in one.choices}, name
    # The vote's chart is an image (a photo on Telegram), the lists an XLSX with the session's title.
    (chart,) = shown["vote closed"].files
    assert chart.mime == "image/png" and chart.data.startswith(b"\x89PNG")
    (sheet,) = shown["lists as XLSX"].files
    assert sheet.name == i18n.gettext("training-%(id)s.xlsx") % {"id": 8} and sheet.data.startswith(b"PK")
    assert [m["type"] for m in render(shown["vote closed"], to="1", gettext=i18n.gettext, media_ids=["M"])] == ["text", "image"]


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_coordinators_card_and_summary_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = coordinator_screens(i18n)
    lists = [(_("👥 Lists"), "trc:roster:8"), (_("📊 XLSX"), "trc:xlsx:8")]
    edit = [(_("✏️ Edit"), "trc:edit:8"), (_("Cancel the session"), "trc:cancel:8")]
    back = [(_("◀️ All sessions"), "trc:list:p1")]
    old = {
        "card: author, check-in to open": keyboard([[(_("🟢 Open check-in"), "trc:checkin:8")], lists, edit, back]),
        "card: district's, check-in open": keyboard([[(_("Close check-in"), "trc:close:8")], lists, back]),
        "card: another district's, cancelled": keyboard([back]),
        "cancel?": keyboard([[(_("Yes, cancel it"), "trc:cancelok:8"), (_("No"), "trc:open:8")]]),
        "created": keyboard([[(_("Open the session"), "trc:open:8")]]),
        "question: mode": keyboard([[(_("💻 Online"), "trc:mode:online"), (_("📍 In person"), "trc:mode:place")]]),
        "question: description": keyboard([[(_("Skip"), "trc:skip")]]),
        "vote to open": keyboard([[(str(n), f"trc:vote:{n}") for n in range(1, 6)]]),
    }
    for name, markup in old.items():
        assert telegram.render(shown[name])[1] == markup, name
    fields = [(_(label), f"trc:field:{field}") for field, label in drafts_shown.FIELD_LABELS.items()]
    assert telegram.render(shown["summary"])[1] == keyboard(
        [[(_("✅ Save"), "trc:save"), (_("Discard"), "trc:discard")], *(fields[i:i + 2] for i in range(0, len(fields), 2))])
    card = shown["card: district's, check-in open"].text
    assert _("🟢 Check-in is open. Code: <b>%(code)s</b>") % {"code": "K7M2QX"} in card
    named = {state: _(ENROLLMENT_STATE_IN_LISTS[state]) for state in EnrollmentState}
    assert (f"{named[EnrollmentState.ENROLLED]}: 12 · {named[EnrollmentState.WAITLISTED]}: 3 · "
            f"{named[EnrollmentState.ATTENDED]}: 2") in card
    first_page = telegram.render(shown["my sessions: page 1"])[1].inline_keyboard
    assert first_page[-1][0].callback_data == "trc:new" and first_page[-2][-1].callback_data == "trc:list:p2"
