"""/register (/registrar) on WhatsApp: the same step machine (bot/organizations/registration.py)
and the same screens (registration_screens.py) as on Telegram; this module only routes.

The draft's step, saved with every answer, says which question comes next; the question's screen
is kept as the person's last (flow `register`), so a typed answer reaches `typed` and a typed
"2" or an option's words name one of its choices. Differences from Telegram, all in rendering:
no message is edited (a focus area ticked shows the question again as a new message), and the
phone step offers the number WhatsApp already knows as a choice (`PHONE_MINE`), since WhatsApp
has no share-contact button.
"""

from __future__ import annotations

from datetime import datetime

from bot import ruos
from bot.core.db import DbSession
from bot.core.districts import find_districts
from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.screens import Choice, Screen, screen
from bot.core.validation import InvalidInput, format_phone_for_display, parse_id
from bot.organizations import registration
from bot.organizations import registration_screens as asking
from bot.organizations.card import organization_card
from bot.organizations.models import RegistrationDraft
from bot.organizations.registration import FOCUS_COMPLETE, Step
from handlers.whatsapp.reply import Reply

FLOW = "register"
PREFIX = asking.PREFIX
PHONE_MINE = f"{PREFIX}:phone:mine"
BUTTON_STEPS = {Step.KIND, Step.FOCUS, Step.BOARD_ROLE, Step.BOARD_DOCUMENT_TYPE, Step.BOARD_MORE, Step.SUMMARY}
BUTTON_FOR_STEP = {"kind": Step.KIND, "district": Step.DISTRICT, "focus": Step.FOCUS, "role": Step.BOARD_ROLE,
                   "doc": Step.BOARD_DOCUMENT_TYPE, "board": Step.BOARD_MORE, "phone": Step.PHONE}
ANSWER_WITH_OPTIONS = N_("Please answer with one of the options, or type its number.")
EARLIER = N_("That button belongs to an earlier question.")
THIS_NUMBER = N_("📱 This number")


def error_text(i18n: Translator, error: InvalidInput) -> str:
    message = i18n.gettext(error.message)
    return message % error.params if error.params else message


def question(draft: RegistrationDraft, *, runtime: Runtime, reply: Reply, problem: str | None = None) -> Screen:
    """The draft's current question; at the phone step, the person's own number as a choice."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    shown = asking.question(draft, i18n=i18n, cipher=runtime.cipher)
    if draft.step == Step.PHONE and person.wa_id:
        number = format_phone_for_display(f"+{person.wa_id.lstrip('+')}")
        shown = screen(i18n.gettext("What is the organization's contact phone? Choose the number you write from, or type another one.")
                       + "\n" + number, [[Choice(PHONE_MINE, i18n.gettext(THIS_NUMBER), number)]])
    elif draft.step == Step.PHONE:  # their number hidden behind a username: nothing to offer
        shown = screen(i18n.gettext("What is the organization's contact phone? Type the number, for example 987 654 321."))
    return shown.warned(problem) if problem else shown


def ask(draft: RegistrationDraft, *, runtime: Runtime, reply: Reply, problem: str | None = None) -> None:
    reply.show(question(draft, runtime=runtime, reply=reply, problem=problem), flow=FLOW)


async def find(session: DbSession, reply: Reply) -> RegistrationDraft | None:
    assert reply.person is not None
    return await registration.find_draft(session, user=reply.person)


async def has_draft(session: DbSession, *, reply: Reply) -> bool:
    return await find(session, reply) is not None


async def start(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    draft = await find(session, reply)
    if draft is not None:
        reply.show(asking.resume(draft, i18n), flow=FLOW)
        return
    draft = await registration.start_draft(session, user=reply.person, now=runtime.clock.now())
    reply.show(asking.welcome(i18n))
    ask(draft, runtime=runtime, reply=reply)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> None:
    """A typed answer to the draft's current question."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    draft = await find(session, reply)
    if draft is None:
        reply.show(screen(i18n.gettext("I did not understand that message.")))
        return
    if draft.step == Step.DISTRICT:
        matches = find_districts(text)
        if not matches:
            ask(draft, runtime=runtime, reply=reply, problem=asking.no_such_district(text, i18n))
        else:
            reply.show(asking.district_matches(matches, i18n), flow=FLOW)
        return
    if draft.step in BUTTON_STEPS:
        ask(draft, runtime=runtime, reply=reply, problem=i18n.gettext(ANSWER_WITH_OPTIONS))
        return
    await save(session, runtime=runtime, reply=reply, draft=draft, value=text)


async def not_typed(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    """A photo, a location… where an answer was expected: say so, and ask again."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    draft = await find(session, reply)
    if draft is None:
        reply.show(screen(i18n.gettext("I did not understand that message.")))
        return
    problem = ANSWER_WITH_OPTIONS if draft.step in BUTTON_STEPS else N_("I can only read typed text here. Please write your answer.")
    ask(draft, runtime=runtime, reply=reply, problem=i18n.gettext(problem))


async def save(session: DbSession, *, runtime: Runtime, reply: Reply, draft: RegistrationDraft, value: str) -> None:
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    now = runtime.clock.now()
    previous = Step(draft.step)
    before = (draft.answers, draft.step, draft.returning_to_summary, draft.updated_at)
    try:
        await registration.answer(session, draft=draft, value=value, now=now, today=_today(runtime, now),
                                  cipher=runtime.cipher)
    except InvalidInput as error:
        # Nothing of a refused answer is kept: the draft as it was (the answer is in this
        # message's transaction, which commits with the question asked again).
        draft.answers, draft.step, draft.returning_to_summary, draft.updated_at = before
        ask(draft, runtime=runtime, reply=reply, problem=error_text(i18n, error))
        return
    if previous is Step.PHONE:
        reply.show(asking.phone_saved(draft, i18n))
    ask(draft, runtime=runtime, reply=reply)


def _today(runtime: Runtime, now: datetime):  # noqa: ANN202 - a date
    return now.astimezone(runtime.settings.zone).date()


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> None:
    """A choice of a /register screen (`reg:<action>[:<value>[:p<page>]]`), checked against the
    draft's step as it is now."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    _prefix, action, *rest = choice.split(":")
    value = rest[0] if rest else ""
    draft = await find(session, reply)
    if draft is None:
        reply.show(screen(i18n.gettext(EARLIER) + "\n\n"
                          + i18n.gettext("Registration paused. Your answers are saved: send /register to continue.")))
        return
    step = Step(draft.step)
    if action == "resume":
        ask(draft, runtime=runtime, reply=reply)
    elif action == "restart":
        draft = await registration.start_draft(session, user=person, now=now)
        ask(draft, runtime=runtime, reply=reply)
    elif action == "phone" and step is Step.PHONE and value == "mine" and person.wa_id:
        await save(session, runtime=runtime, reply=reply, draft=draft, value=f"+{person.wa_id.lstrip('+')}")
    elif action == "focus" and step is Step.FOCUS and value != FOCUS_COMPLETE:
        try:
            await registration.toggle_focus(session, draft=draft, area=value, now=now)
        except InvalidInput:
            pass  # a forged code: the question again
        ask(draft, runtime=runtime, reply=reply)  # no edits on WhatsApp: the question again, ticked
    elif action == "edit" and step is Step.SUMMARY:
        await _edit(session, runtime=runtime, reply=reply, draft=draft, field=value, rest=rest)
    elif action == "rm" and step is Step.SUMMARY:
        index = parse_id(value, minimum=0)
        index = -1 if index is None else index
        await registration.remove_board_member(session, draft=draft, index=index, now=now)
        reply.show(asking.board_menu(draft, i18n, page=index // asking.BOARD_ROWS_PER_PAGE + 1), flow=FLOW)
    elif action == "summary":
        await registration.back_to_summary(session, draft=draft, now=now)
        ask(draft, runtime=runtime, reply=reply)
    elif action == "confirm" and step is Step.SUMMARY:
        await _confirm(session, runtime=runtime, reply=reply, draft=draft)
    elif BUTTON_FOR_STEP.get(action) != step:
        ask(draft, runtime=runtime, reply=reply, problem=i18n.gettext(EARLIER))
    else:
        await save(session, runtime=runtime, reply=reply, draft=draft, value=value)


async def _edit(session: DbSession, *, runtime: Runtime, reply: Reply, draft: RegistrationDraft, field: str,
                rest: list[str]) -> None:
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    if field == "board":
        page = parse_id(rest[1].removeprefix("p"), minimum=1) if len(rest) > 1 else None
        reply.show(asking.board_menu(draft, i18n, page=page or 1), flow=FLOW)
    elif field:
        try:
            await registration.edit_field(session, draft=draft, field="board" if field == "board_add" else field,
                                          now=runtime.clock.now())
        except InvalidInput as error:
            ask(draft, runtime=runtime, reply=reply, problem=error_text(i18n, error))
            return
        ask(draft, runtime=runtime, reply=reply)
    else:
        reply.show(asking.fields_menu(i18n), flow=FLOW)


async def _confirm(session: DbSession, *, runtime: Runtime, reply: Reply, draft: RegistrationDraft) -> None:
    """Submit the draft; the leader sees the organization's card and what comes next. Staff find
    it in /pending (their notice of it is the outbox's to deliver)."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    details = registration.view(draft)
    try:
        organization = await registration.submit(session, draft=draft, user=person, now=runtime.clock.now())
    except InvalidInput as error:
        ask(draft, runtime=runtime, reply=reply, problem=error_text(i18n, error))
        return
    await ruos.plan_board_term_reminders(session, organization=organization, quiet=runtime.reminders.quiet_hours,
                                         now=runtime.clock.now())
    reply.show(screen(organization_card(i18n, details, runtime.cipher)), asking.registered(organization, i18n))
