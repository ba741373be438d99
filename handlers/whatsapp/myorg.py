"""/myorg (/miorg) on WhatsApp: the organization's card and its edits (the fields, the board,
the co-leaders), from the same domain calls (`bot.organizations.organizations`) and the same
screens (`bot.organizations.myorg_screens`) as Telegram, the choices' ids its callback data.

Every press is checked when it arrives, as on Telegram: the person must still lead the
organization (`require_leader`, in each domain call), the member or co-leader a button names must
still be there, and a refusal (`InvalidInput`, `AlreadyDone`) is said once, then the screen it
was pressed from as it is now. Each change runs in a savepoint, so a refused one leaves nothing
in the answer's transaction.

What Telegram keeps in its user data, this channel keeps with the question it shows
(`Reply.keep`): the organization an edit began for (`org`), the step a typed answer answers
(`step`), and a new board member's answers so far (`member`). A typed answer goes to the step
of the last screen (flow `myorg`); a refused one gets its reason and the same question again.
WhatsApp edits nothing, so a ticked focus area or a turned board page comes as a new message.
"""

from __future__ import annotations

from typing import Any

from bot import ruos
from bot.core.db import DbSession
from bot.core.districts import find_districts
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen, escape, screen
from bot.core.validation import (
    BOARD_FULL,
    BOARD_MAX,
    IdDocumentType,
    InvalidInput,
    parse_id,
    parse_text,
)
from bot.organizations import myorg_screens as shown
from bot.organizations import organizations
from bot.organizations.models import BoardRole, LeaderRole, Organization
from bot.organizations.registration import PERSON_NAME_MAX
from bot.organizations.registration_screens import no_such_district
from bot.people.authority import NO_LONGER_LEADER, NotAllowed, leader_role, require_leader
from bot.people.models import Role, User
from bot.ruos import public_registry
from bot.ruos import screens as ruos_screens
from handlers.whatsapp import leaders as inviting
from handlers.whatsapp.reply import Reply

FLOW = "myorg"
PREFIX = f"{shown.PREFIX}:"


def error_text(i18n: Translator, error: InvalidInput) -> str:
    """A refusal in the person's language (screen markup: typed text in it escaped)."""
    message = i18n.gettext(error.message)
    params = {name: escape(value) if isinstance(value, str) else value for name, value in (error.params or {}).items()}
    return message % params if params else message


def _asking(runtime: Runtime, reply: Reply) -> tuple[User, Translator]:
    """Who is asking, and their language."""
    person = reply.person
    assert person is not None
    return person, runtime.translator(person.language)


async def _current(session: DbSession, person: User) -> tuple[Organization | None, LeaderRole | None]:
    """The organization the person acts for now, with their role in it."""
    acting = await organizations.acting_for(session, user=person)
    if acting is None:
        return None, None
    return await organizations.load(session, acting[0].id), acting[1]


async def _editing(session: DbSession, person: User, keep: dict[str, Any] | None) -> Organization:
    """The organization an edit began for (kept with its question), so an edit never lands on
    another one; else the one they act for. No longer a leader of it: NotAllowed."""
    began_for = (keep or {}).get("org")
    if not isinstance(began_for, int):
        organization, _role = await _current(session, person)
    else:
        await require_leader(session, user_id=person.id, organization_id=began_for)
        organization = await organizations.load(session, began_for)
    if organization is None:
        raise NotAllowed(NO_LONGER_LEADER)
    return organization


async def card(session: DbSession, *, runtime: Runtime, reply: Reply, before: tuple[Screen, ...] = ()) -> None:
    """/myorg: the card of the organization the person acts for (after `before`)."""
    person, i18n = _asking(runtime, reply)
    organization, _role = await _current(session, person)
    if organization is None:
        reply.show(*before, shown.no_organization(i18n, leader=person.role is Role.LEADER))
        return
    several = len(await organizations.led_by(session, user=person)) > 1
    inscription = await public_registry.inscription_of(session, organization.id)
    inscribed = ruos_screens.inscription_recorded(i18n, inscription).text if inscription is not None else None
    reply.show(*before, shown.card(i18n, organization, runtime.cipher, leads_several=several, inscribed=inscribed))


def ask(reply: Reply, i18n: Translator, *, organization_id: int, step: str, problem: str | None = None,
        member: dict[str, str] | None = None) -> None:
    """A typed step's question, its answer to come to `typed` with what the flow keeps."""
    keep: dict[str, Any] = {"org": organization_id, "step": step}
    if member is not None:
        keep["member"] = member
    reply.show(shown.question(i18n, step, problem=problem), flow=FLOW, keep=keep)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str, keep: dict[str, Any] | None) -> None:
    """A typed answer to the step the last screen asked."""
    person, i18n = _asking(runtime, reply)
    step = (keep or {}).get("step")
    organization_id = (keep or {}).get("org")
    if step not in shown.TYPED_STEPS or not isinstance(organization_id, int):
        await card(session, runtime=runtime, reply=reply, before=(screen(i18n.gettext("I did not understand that message.")),))
        return
    if step == "district":
        matches = find_districts(text)
        if not matches:
            ask(reply, i18n, organization_id=organization_id, step=step, problem=no_such_district(text, i18n))
        else:
            # Still the district's question: a typed name searches again, a number names a match.
            reply.show(shown.district_matches(i18n, matches), flow=FLOW, keep={"org": organization_id, "step": step})
        return
    if step in ("board_name", "board_number"):
        await _board_text(session, runtime=runtime, reply=reply, keep=keep or {}, step=step, text=text)
        return
    await apply(session, runtime=runtime, reply=reply, keep=keep, field=step, value=text)


async def apply(session: DbSession, *, runtime: Runtime, reply: Reply, keep: dict[str, Any] | None, field: str, value: str,
                pressed: bool = False) -> None:
    """One field's new value (typed, or a pressed choice's), validated by the domain and recorded."""
    person, i18n = _asking(runtime, reply)
    now = runtime.clock.now()
    began = 0
    try:
        async with session.begin_nested():  # a refused value leaves nothing behind (and expires what it touched)
            organization = await _editing(session, person, keep)
            began = organization.id
            await organizations.update_field(session, organization=organization, user=person, field=field, value=value,
                                             today=now.astimezone(runtime.settings.zone).date(), now=now)
            if field.startswith("term"):
                await ruos.plan_board_term_reminders(session, organization=organization, quiet=runtime.reminders.quiet_hours,
                                                     now=now)
    except NotAllowed as error:  # no longer a leader of it: nothing to ask again
        reply.show(screen(error_text(i18n, error)))
        return
    except InvalidInput as error:
        if pressed:
            await card(session, runtime=runtime, reply=reply, before=(screen(error_text(i18n, error)),))
        else:
            ask(reply, i18n, organization_id=began, step=field, problem=error_text(i18n, error))
        return
    following = shown.FOLLOWING.get(field)
    if following:
        ask(reply, i18n, organization_id=organization.id, step=following)
        return
    reply.show(shown.saved(i18n), shown.card(i18n, organization, runtime.cipher))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str, keep: dict[str, Any] | None) -> bool:
    """A choice of a /myorg screen (`org:<action>[:<value>…]`); False for one that is not (a
    forged code, staff's review buttons, a document type with no member being added)."""
    person, i18n = _asking(runtime, reply)
    action, *args = choice.removeprefix(PREFIX).split(":")
    value = args[0] if args else ""
    if action == "show":
        await card(session, runtime=runtime, reply=reply)
    elif action == "switch":
        reply.show(shown.switch_menu(i18n, await organizations.led_by(session, user=person)))
    elif action == "act" and (number := parse_id(value)) is not None:
        try:
            await organizations.act_for(session, user=person, organization_id=number)
        except InvalidInput as error:
            reply.show(screen(error_text(i18n, error)))
            return True
        await card(session, runtime=runtime, reply=reply)
    elif action == "edit":
        reply.show(shown.fields_menu(i18n))
    elif action == "field":
        return await _field(session, runtime=runtime, reply=reply, field=value)
    elif action == "set" and value in ("kind", "district") and len(args) == 2:
        await apply(session, runtime=runtime, reply=reply, keep=keep, field=value, value=args[1], pressed=True)
    elif action == "focus" and value:
        await _toggle_focus(session, runtime=runtime, reply=reply, keep=keep, area=value)
    elif action in ("board", "rmboard", "addboard", "brole", "bdoc"):
        return await _board(session, runtime=runtime, reply=reply, keep=keep, action=action, value=value)
    elif action in ("leaders", "invite", "rmlead", "owner"):
        return await _leaders(session, runtime=runtime, reply=reply, action=action, value=value)
    else:
        return False
    return True


async def _field(session: DbSession, *, runtime: Runtime, reply: Reply, field: str) -> bool:
    """A field of the fields menu: its question, for the organization acted for now."""
    person, i18n = _asking(runtime, reply)
    organization, _role = await _current(session, person)
    if organization is None:
        reply.show(shown.no_organization(i18n, leader=person.role is Role.LEADER))
        return True
    began = {"org": organization.id}
    if field in shown.TEXT_FIELDS or field == "district":
        ask(reply, i18n, organization_id=organization.id, step=shown.TEXT_FIELDS.get(field, field))
    elif field == "kind":
        reply.show(shown.kind_question(i18n), keep=began)
    elif field == "focus":
        reply.show(shown.focus_question(i18n, organization), keep=began)
    elif field == "board":
        reply.show(shown.board(i18n, organization, runtime.cipher), keep=began)
    else:
        return False
    return True


async def _toggle_focus(session: DbSession, *, runtime: Runtime, reply: Reply, keep: dict[str, Any] | None, area: str) -> None:
    person, i18n = _asking(runtime, reply)
    try:
        async with session.begin_nested():
            organization = await _editing(session, person, keep)
            await organizations.toggle_focus(session, organization=organization, user=person, area=area, now=runtime.clock.now())
    except NotAllowed as error:
        reply.show(screen(error_text(i18n, error)))
        return
    except InvalidInput as error:  # the last area taken away: said, and the areas as they are
        reply.show(shown.focus_question(i18n, organization).warned(error_text(i18n, error)), keep={"org": organization.id})
        return
    reply.show(shown.focus_question(i18n, organization), keep={"org": organization.id})  # ticked: a new message


async def _board(session: DbSession, *, runtime: Runtime, reply: Reply, keep: dict[str, Any] | None, action: str,
                 value: str) -> bool:
    """The board: a page of it, removing a member, and adding one (role, name, document, number)."""
    person, i18n = _asking(runtime, reply)
    kept = keep or {}
    if action == "board":  # a page (`org:board:p2`)
        organization, _role = await _current(session, person)
        page = parse_id(value.removeprefix("p"))
        if organization is None or page is None:
            return False
        reply.show(shown.board(i18n, organization, runtime.cipher, page=page), keep={"org": organization.id})
    elif action == "rmboard":
        member_id = parse_id(value)
        if member_id is None:
            return False
        await _remove_member(session, runtime=runtime, reply=reply, keep=keep, member_id=member_id)
    elif action == "addboard":
        organization, _role = await _current(session, person)
        if organization is None:
            reply.show(shown.no_organization(i18n, leader=person.role is Role.LEADER))
        elif len(organization.board) >= BOARD_MAX:  # said before the questions, not after
            reply.show(screen(i18n.gettext(BOARD_FULL) % {"maximum": BOARD_MAX}), shown.board(i18n, organization, runtime.cipher),
                       keep={"org": organization.id})
        else:
            reply.show(shown.board_roles(i18n), keep={"org": organization.id})
    elif action == "brole":
        organization_id = kept.get("org")
        if value not in BoardRole._value2member_map_:
            return False
        if not isinstance(organization_id, int):  # an old button: for the organization acted for now
            organization, _role = await _current(session, person)
            if organization is None:
                return False
            organization_id = organization.id
        ask(reply, i18n, organization_id=organization_id, step="board_name", member={"role": value})
    else:  # bdoc: only while a member's name was the last answer
        member = kept.get("member")
        if (value not in IdDocumentType._value2member_map_ or not isinstance(member, dict) or "full_name" not in member
                or not isinstance(kept.get("org"), int)):
            return False
        ask(reply, i18n, organization_id=kept["org"], step="board_number", member={**member, "document_type": value})
    return True


async def _remove_member(session: DbSession, *, runtime: Runtime, reply: Reply, keep: dict[str, Any] | None,
                         member_id: int) -> None:
    person, i18n = _asking(runtime, reply)
    try:
        async with session.begin_nested():
            organization = await _editing(session, person, keep)
            page = shown.board_page_of(organization, member_id)  # the list comes back where they were
            await organizations.remove_board_member(session, organization=organization, user=person, member_id=member_id,
                                                    cipher=runtime.cipher, now=runtime.clock.now())
    except NotAllowed as error:
        reply.show(screen(error_text(i18n, error)))
        return
    except InvalidInput as error:  # gone already, or the last one: said once, and the board as it is
        reply.show(screen(error_text(i18n, error)), shown.board(i18n, organization, runtime.cipher, page=page),
                   keep={"org": organization.id})
        return
    reply.show(shown.board(i18n, organization, runtime.cipher, page=page), keep={"org": organization.id})


async def _board_text(session: DbSession, *, runtime: Runtime, reply: Reply, keep: dict[str, Any], step: str, text: str) -> None:
    """A new member's name, then their document's number (the member is added with it)."""
    person, i18n = _asking(runtime, reply)
    organization_id = keep["org"]
    member = keep.get("member") if isinstance(keep.get("member"), dict) else {}
    if step == "board_name":
        try:
            name = parse_text(text, field_max=PERSON_NAME_MAX, min_length=3)
        except InvalidInput as error:
            ask(reply, i18n, organization_id=organization_id, step=step, member=member, problem=error_text(i18n, error))
            return
        reply.show(shown.board_documents(i18n), keep={"org": organization_id, "member": {**member, "full_name": name}})
        return
    if not {"role", "full_name", "document_type"} <= set(member):
        await card(session, runtime=runtime, reply=reply, before=(screen(i18n.gettext("I did not understand that message.")),))
        return
    try:
        async with session.begin_nested():
            organization = await _editing(session, person, keep)
            await organizations.add_board_member(
                session, organization=organization, user=person, role=member["role"], full_name=member["full_name"],
                document_type=member["document_type"], id_number=text, cipher=runtime.cipher, now=runtime.clock.now())
    except NotAllowed as error:
        reply.show(screen(error_text(i18n, error)))
        return
    except InvalidInput as error:
        ask(reply, i18n, organization_id=organization_id, step=step, member=member, problem=error_text(i18n, error))
        return
    reply.show(shown.board(i18n, organization, runtime.cipher), keep={"org": organization.id})


async def _leaders(session: DbSession, *, runtime: Runtime, reply: Reply, action: str, value: str) -> bool:
    """The leaders; the owner removes a co-leader, hands the ownership over, or invites."""
    person, i18n = _asking(runtime, reply)
    if action == "invite":
        await inviting.invite(session, runtime=runtime, reply=reply, business=reply.business)
        return True
    organization, role = await _current(session, person)
    if organization is None:
        reply.show(shown.no_organization(i18n, leader=person.role is Role.LEADER))
        return True
    before: tuple[Screen, ...] = ()
    if action in ("rmlead", "owner"):
        leader_id = parse_id(value)
        if leader_id is None:
            return False
        try:
            async with session.begin_nested():  # a handover is two changes: both or neither
                if action == "rmlead":
                    removed = await organizations.remove_co_leader(session, owner=person, organization_id=organization.id,
                                                                   co_leader_id=leader_id)
                    before = (shown.co_leader_removed(i18n, removed),)
                else:
                    new_owner = await organizations.hand_over(session, owner=person, organization_id=organization.id,
                                                              new_owner_id=leader_id, now=runtime.clock.now())
                    before = (shown.owner_handed_over(i18n, new_owner),)
                    role = LeaderRole.CO_LEADER
        except InvalidInput as error:  # a second press, or no longer the owner: said once
            before = (screen(error_text(i18n, error)),)
            role = await leader_role(session, user_id=person.id, organization_id=organization.id)
    led_by = await organizations.leaders_of(session, organization_id=organization.id)
    reply.show(*before, shown.leaders(i18n, organization, led_by, role=role))
    return True
