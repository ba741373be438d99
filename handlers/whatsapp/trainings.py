"""The trainings on WhatsApp, for leaders: /trainings (/capacitaciones) lists the sessions to
come, a session opens as its card, and from it a leader enrolls (the .ics event arrives as a
document), joins the waitlist, leaves, takes or passes a seat held for them, and says "I am
here"; /checkin (/asistencia) with the code said in the room; /mytrainings (/miscapacitaciones)
and a certificate from it (a PDF, whose QR code is a `wa.me` link that asks /verify); /verify
(/verificar) with a certificate's code; the 1–5 rating asked after a session (`tr:rate:<id>:<n>`,
a notice's choices) and the comment typed after it, or /skip (/omitir); /topics (/temas), the
topic vote's ballot (`vote:pick:<vote>:<topic>`).

The screens are the domain's (bot/trainings/screens.py, record_screens.py, read through
bot/trainings/views.py) and so are the calls, the same as Telegram's handlers
(handlers/trainings/browse.py, records.py) make; the choices' ids are theirs (`tr:list:p<page>`,
`tr:open:<id>`, `tr:enroll:<id>`, `tr:leave:<id>`, `tr:take:<id>`, `tr:pass:<id>`,
`tr:here:<id>`, `tr:cert:<id>`). WhatsApp edits no message: after a change the answer comes
first, then the session's card again, last, so a typed number answers the card; a refusal is
said on top of the card shown again.

A session's link to share is a `wa.me` link to the business number with the text
"/capacitaciones training_<id>" prefilled: sent, it opens that session.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from bot.core.db import DbSession
from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen, escape, screen
from bot.core.validation import InvalidInput, parse_id
from bot.people.commands import localized
from bot.trainings import feedback, record_screens, records, screens, views
from bot.trainings import sessions as trainings
from handlers.whatsapp.leaders import wa_link
from handlers.whatsapp.reply import Reply

PREFIX = "tr:"
CHECKIN_FLOW = "checkin"  # the check-in code asked for: the next typed text is the code
VERIFY_FLOW = "verify"  # a certificate's code asked for
FEEDBACK_FLOW = "training_feedback"  # the comment after a rating asked for
LINK_PREFIX = "training_"
COMMANDS = ("trainings", "mytrainings", "checkin", "verify", "topics")
VOTE_PREFIX = "vote:pick:"
_PRESS = re.compile(r"^tr:(open|enroll|leave|take|pass|here|cert):(\d+)$")
_RATE = re.compile(r"^tr:rate:(\d+):([1-5])$")
VERIFY_HINT = N_("Scan the QR code, or send /verify %(code)s on WhatsApp to %(number)s")


def share_link(business: str | None, session_id: int, language: str) -> str:
    """The link that opens a session on WhatsApp, to share in a group."""
    return wa_link(business or "", f"/{localized('trainings', language)} {LINK_PREFIX}{session_id}")


def verify_link(business: str | None, code: str, language: str) -> str:
    """The certificate's QR code: a chat with the business number, /verify and the code typed."""
    return wa_link(business or "", f"/{localized('verify', language)} {code}")


def refusal(i18n: Translator, error: InvalidInput) -> str:
    """A domain refusal in the person's language: its text parameters escaped, a moment shown
    in their language and the programme's zone."""
    params = {name: escape(value) if isinstance(value, str)
              else i18n.datetime(value, "short") if isinstance(value, datetime) else value
              for name, value in (error.params or {}).items()}
    message = i18n.gettext(error.message)
    return message % params if params else message


async def command(session: DbSession, *, runtime: Runtime, reply: Reply, name: str, args: str = "") -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    if name == "trainings":
        session_id = parse_id(args.strip().removeprefix(LINK_PREFIX)) if args.strip().startswith(LINK_PREFIX) else None
        if session_id is not None:
            shown = await card(session, runtime=runtime, reply=reply, session_id=session_id)
            reply.show(shown if shown is not None else screens.not_found(i18n))
        else:
            await show_list(session, runtime=runtime, reply=reply)
    elif name == "mytrainings":
        history = await records.history_of(session, user_id=person.id)
        reply.show(record_screens.my_trainings(i18n, history, now=runtime.clock.now()))
    elif name == "checkin":
        if args.strip():
            await check_in(session, runtime=runtime, reply=reply, code=args)
        else:
            reply.show(record_screens.checkin_prompt(i18n), flow=CHECKIN_FLOW)
    elif name == "verify":
        await verify(session, runtime=runtime, reply=reply, code=args)
    elif name == "topics":
        ballot = await views.ballot(session, user_id=person.id)
        reply.show(record_screens.no_vote(i18n) if ballot is None else record_screens.ballot(i18n, ballot))


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str, flow: str) -> None:
    """The code typed after /checkin or /verify asked for it; the comment after a rating."""
    if flow == FEEDBACK_FLOW:
        await comment(session, runtime=runtime, reply=reply, text=text)
    elif flow == VERIFY_FLOW:
        await verify(session, runtime=runtime, reply=reply, code=text)
    else:
        await check_in(session, runtime=runtime, reply=reply, code=text)


async def verify(session: DbSession, *, runtime: Runtime, reply: Reply, code: str) -> None:
    """Whether a certificate with this code was issued, and to whom."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    if not code.strip():
        reply.show(record_screens.verify_prompt(i18n), flow=VERIFY_FLOW)
        return
    found = await records.verify(session, code=code)
    reply.show(record_screens.not_genuine(i18n, records.normalize_code(code)) if found is None
               else record_screens.genuine(i18n, found))


async def show_list(session: DbSession, *, runtime: Runtime, reply: Reply, page: int = 1) -> None:
    assert reply.person is not None
    found = await views.upcoming(session, now=runtime.clock.now())
    reply.show(screens.upcoming(runtime.translator(reply.person.language), found, page=page))


async def card(session: DbSession, *, runtime: Runtime, reply: Reply, session_id: int) -> Screen | None:
    """One session as the person sees it, with what they can do now (None: it is gone)."""
    person = reply.person
    assert person is not None
    found = await views.session_card(session, session_id=session_id, user_id=person.id, now=runtime.clock.now())
    if found is None:
        return None
    return screens.session_card(runtime.translator(person.language), found,
                                share_link=share_link(reply.business, session_id, person.language))


async def check_in(session: DbSession, *, runtime: Runtime, reply: Reply, code: str) -> None:
    """Checked in with the code; a wrong one said so, and the code asked for again."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    try:
        training = await records.check_in(session, user_id=person.id, code=code, now=runtime.clock.now())
    except InvalidInput as error:
        reply.show(record_screens.checkin_prompt(i18n).warned(await _refusal_text(session, i18n, error)), flow=CHECKIN_FLOW)
        return
    reply.show(record_screens.checked_in(i18n, training, sex=person.sex))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The trainings' choices; False for one that is not (a forged or unknown id)."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    if choice.startswith(screens.LIST_PAGE):
        page = parse_id(choice.removeprefix(screens.LIST_PAGE))
        if page is None:
            return False
        await show_list(session, runtime=runtime, reply=reply, page=page)
        return True
    if choice.startswith(VOTE_PREFIX):
        return await pick_topic(session, runtime=runtime, reply=reply, choice=choice)
    rating = _RATE.match(choice)
    if rating is not None:
        await rate(session, runtime=runtime, reply=reply, session_id=int(rating.group(1)), rating=int(rating.group(2)))
        return True
    match = _PRESS.match(choice)
    if match is None:
        return False
    action, session_id = match.group(1), int(match.group(2))
    if action == "cert":
        await send_certificate(session, runtime=runtime, reply=reply, session_id=session_id)
        return True
    try:
        answer = await _act(session, runtime=runtime, reply=reply, action=action, session_id=session_id)
    except InvalidInput as error:
        shown = await card(session, runtime=runtime, reply=reply, session_id=session_id)
        problem = await _refusal_text(session, i18n, error)
        reply.show(shown.warned(problem) if shown is not None else screens.not_found(i18n))
        return True
    shown = await card(session, runtime=runtime, reply=reply, session_id=session_id)
    if shown is None:  # gone meanwhile
        reply.show(screens.not_found(i18n))
    elif action in ("take", "pass") and answer is not None:
        reply.show(answer)  # the offer was a message of its own: no card was open
    else:
        reply.show(*(s for s in (answer, shown) if s is not None))
    return True


async def pick_topic(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """A topic chosen on the ballot, or chosen again to remove it; the ballot again, as it is now."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    vote, _sep, topic = choice.removeprefix(VOTE_PREFIX).partition(":")
    vote_id = parse_id(vote)
    if vote_id is None or not topic:
        return False
    try:
        ballot = await views.toggle_choice(session, vote_id=vote_id, user_id=person.id, topic=topic)
    except InvalidInput as error:
        current = await views.ballot(session, user_id=person.id)
        problem = refusal(i18n, error)
        reply.show(record_screens.ballot(i18n, current).warned(problem) if current is not None else screen(problem))
        return True
    reply.show(record_screens.ballot(i18n, ballot))
    return True


async def rate(session: DbSession, *, runtime: Runtime, reply: Reply, session_id: int, rating: int) -> None:
    """The rating kept, and a comment asked for (typed next, or /skip)."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    try:
        await feedback.rate(session, user_id=person.id, session_id=session_id, rating=rating, now=runtime.clock.now())
    except InvalidInput as error:
        reply.show(screen(refusal(i18n, error)))
        return
    reply.show(record_screens.rated(i18n, rating), flow=FEEDBACK_FLOW)


async def comment(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    step = await feedback.answer(session, user_id=person.id, value=text)
    if step.problem is not None:
        reply.show(record_screens.comment_again(i18n, refusal(i18n, step.problem)), flow=FEEDBACK_FLOW)
    else:
        reply.show(record_screens.comment_saved(i18n) if step.saved else record_screens.comment_skipped(i18n))


async def skip_comment(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    assert reply.person is not None
    await feedback.skip(session, user_id=reply.person.id)
    reply.show(record_screens.comment_skipped(runtime.translator(reply.person.language)))


async def send_certificate(session: DbSession, *, runtime: Runtime, reply: Reply, session_id: int) -> None:
    """The certificate of a session the person attended, as a PDF document (issued the first
    time it is asked); refused (not attended, not ended yet), said so."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    try:
        found, training, topics = await views.certificate(session, session_id=session_id, user_id=person.id,
                                                          now=runtime.clock.now())
    except InvalidInput as error:
        reply.show(screen(refusal(i18n, error)))
        return
    hint = i18n.gettext(VERIFY_HINT) % {"code": found.code, "number": f"+{(reply.business or '').lstrip('+')}"}
    # Drawing a PDF takes a moment of CPU: off the event loop, so others are answered meanwhile.
    reply.show(await asyncio.to_thread(record_screens.certificate, i18n, found, training, topics, verify_hint=hint,
                                       verify_url=verify_link(reply.business, found.code, person.language)))


async def _act(session: DbSession, *, runtime: Runtime, reply: Reply, action: str, session_id: int) -> Screen | None:
    """The press's domain call, the same as Telegram's; the answer to show before the card."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now, settings = runtime.clock.now(), runtime.settings
    if action == "enroll":
        done = await trainings.enroll(session, session_id=session_id, user_id=person.id, now=now,
                                      quiet=runtime.reminders.quiet_hours)
        if done.position is not None:
            return screens.waitlisted(i18n, done.position)
        return screens.enrolled(i18n, done.training, sex=person.sex, now=now)
    if action == "leave":
        await trainings.leave(session, session_id=session_id, user_id=person.id, now=now, claim=settings.training_claim)
        return screens.left(i18n)
    if action == "take":
        training = await trainings.take_offer(session, session_id=session_id, user_id=person.id, now=now,
                                              quiet=runtime.reminders.quiet_hours)
        return screens.seat_taken(i18n, training, sex=person.sex, now=now)
    if action == "pass":
        await trainings.pass_offer(session, session_id=session_id, user_id=person.id, now=now, claim=settings.training_claim)
        return screens.seat_passed(i18n)
    if action == "here":
        training = await views.check_in_by_button(session, user_id=person.id, session_id=session_id, now=now)
        return None if training is None else record_screens.checked_in(i18n, training, sex=person.sex)
    return None  # "open": the card alone


async def _refusal_text(session: DbSession, i18n: Translator, error: InvalidInput) -> str:
    if isinstance(error, trainings.MissingPrerequisite):
        topic = await views.prerequisite_topic(session, error)
        return i18n.gettext(trainings.NEEDS_PREREQUISITE) % {"topic": escape(topic.name(i18n.language)) if topic else ""}
    return refusal(i18n, error)
