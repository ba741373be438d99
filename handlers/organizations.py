"""/myorg, /invite and joining by link, co-leaders, and staff verification (the registration
card that the staff console's /pending opens, `org:view:<id>`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.districts import find_districts
from bot.models.organizations import BoardRole, LeaderRole, Organization, VerificationStatus
from bot.models.people import Role
from bot.services import organizations, people, ruos
from bot.services.authority import NO_LONGER_LEADER, NotAllowed, require_leader
from bot.services.organizations import INVITE_PREFIX
from bot.services.registration import PERSON_NAME_MAX
from bot.services.transitions import AlreadyDone
from bot.textlimits import shorten
from bot.validation import IdDocumentType, InvalidInput, parse_text
from handlers import labels
from handlers.cards import organization_card
from handlers.commands import command
from handlers.common import (
    END,
    NOT_TYPED,
    ROWS_PER_PAGE,
    TYPE_IT,
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    notify,
    page_number,
    paged_rows,
    remember,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card

log = logging.getLogger(__name__)
FLOW = "myorg"
REVIEW_FLOW = "review"

TEXT_FIELDS = {
    "name": "name", "address": "address", "founded": "founded", "members": "members_pe",
    "phone": "phone", "term": "term_start",
}
FOLLOWING = {"members_pe": "members_ve", "members_ve": "members_other", "term_start": "term_end"}


def field_question(context: VocesContext, field: str) -> str:
    _ = context.gettext
    return {
        "name": _("Send the new name of the organization."),
        "address": _("Send the new address or reference point."),
        "founded": _("Send the founding date, for example 15/03/2021, March 2021, or just the year."),
        "members_pe": _("How many members are <b>Peruvian</b>?"),
        "members_ve": _("How many members are <b>Venezuelan</b>?"),
        "members_other": _("And how many members of <b>other nationalities</b>?"),
        "phone": _("Send the new contact phone, for example 987 654 321."),
        "term_start": _("When did the board's term start? Send the full date, for example 01/02/2025."),
        "term_end": _("When does the board's term end? Send the full date, for example 31/01/2027."),
        "district": _("In which district is it? Type part of the name, for example Comas, SJL or Carmen de la Legua."),
        "board_name": _("What is the new member's full name?"),
        "board_number": _("What is the document number? It is stored encrypted and shown only as ****1234."),
    }[field]


# --- /myorg ------------------------------------------------------------------------------------


async def current(context: VocesContext, session):  # noqa: ANN001, ANN201
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    acting = await organizations.acting_for(session, user=person)
    if acting is None:
        return person, None, None
    organization = await organizations.load(session, acting[0].id)
    return person, organization, acting[1]


async def editing(context: VocesContext, session):  # noqa: ANN001, ANN201
    """Like `current`, for the organization an edit began for (`choose_field` remembers it), so
    an edit never lands on another one; removed from it meanwhile, NotAllowed."""
    began_for = (context.user_data or {}).get("editing_organization")
    if began_for is None:
        person, organization, role = await current(context, session)
        if organization is None:
            raise NotAllowed(NO_LONGER_LEADER)
        return person, organization, role
    person = await people.get(session, context.person.id)  # type: ignore[union-attr]
    role = await require_leader(session, user_id=person.id, organization_id=began_for)  # type: ignore[union-attr]
    organization = await organizations.load(session, began_for)
    if organization is None:
        raise NotAllowed(NO_LONGER_LEADER)
    return person, organization, role


def card_text(context: VocesContext, organization: Organization) -> str:
    _ = context.gettext
    text = organization_card(context, organizations.details_of(organization), context.runtime.cipher)
    text += "\n\n" + _("Status: %(status)s") % {"status": _(labels.STATUS[organization.status])}
    if organization.status is VerificationStatus.NEEDS_CHANGES and organization.status_comment:
        text += "\n" + _("Staff comment: %(comment)s") % {"comment": escape(organization.status_comment)}
    return text


def card_keyboard(context: VocesContext, role: LeaderRole, leads_several: bool):  # noqa: ANN201
    _ = context.gettext
    rows = [[(_("✏️ Edit a field"), "org:edit"), (_("👥 Leaders"), "org:leaders")]]
    if leads_several:
        rows.append([(_("🔁 Act for another organization"), "org:switch")])
    return keyboard(rows)


@shows_current_card("org")
async def show(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        person, organization, role = await current(context, session)
        several = organization is not None and len(await organizations.led_by(session, user=person)) > 1
    if organization is None:
        await reply(update, context, context.gettext("You do not lead an organization in Voces yet. Register one with /register."))
        return await leave(update, context, FLOW)
    await leave(update, context, FLOW)
    await reply(update, context, card_text(context, organization), reply_markup=card_keyboard(context, role, several))
    return END


async def switch(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
        led = await organizations.led_by(session, user=person)
    rows = [[(shorten(o.name, 60), f"org:act:{o.id}")] for o, _role in led]
    await reply(update, context, _("Which organization do you want to act for?"), reply_markup=keyboard(rows))
    return END


async def act(update: Update, context: VocesContext) -> int:
    organization_id = int(update.callback_query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person = await people.get(session, context.person.id)  # type: ignore[union-attr]
            await organizations.act_for(session, user=person, organization_id=organization_id)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return END
    return await show(update, context)  # answers the button


# --- editing -----------------------------------------------------------------------------------


async def edit_menu(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    fields = [
        ("name", _("Name")), ("kind", _("Type")), ("district", _("District")), ("address", _("Address")),
        ("founded", _("Founding date")), ("members", _("Members")), ("focus", _("Focus areas")),
        ("phone", _("Phone")), ("board", _("Board")), ("term", _("Board term")),
    ]
    rows = [[(label, f"org:field:{code}") for code, label in fields[i : i + 2]] for i in range(0, len(fields), 2)]
    await reply(update, context, _("Which field do you want to change?"), reply_markup=keyboard(rows))
    return END


async def choose_field(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    _ = context.gettext
    field = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        _person, organization, _role = await current(context, session)
    if organization is None:
        return END
    await remember(update, context, editing_organization=organization.id)
    if field in TEXT_FIELDS:
        step = TEXT_FIELDS[field]
        return await ask(update, context, flow=FLOW, step=step, text=field_question(context, step))
    if field == "district":
        return await ask(update, context, flow=FLOW, step="district", text=field_question(context, "district"))
    if field == "kind":
        rows = [[(_(label), f"org:set:kind:{kind.value}")] for kind, label in labels.KIND.items()]
        await reply(update, context, _("What type of organization is it?"), reply_markup=keyboard(rows))
        return END
    if field == "focus":
        await reply(update, context, _("Tap an area to add or remove it."), reply_markup=focus_keyboard(context, organization))
        return END
    return await show_board(update, context, organization)


def focus_keyboard(context: VocesContext, organization: Organization):  # noqa: ANN201
    _ = context.gettext
    rows = [
        [(("✅ " if area.value in organization.focus_areas else "") + _(label), f"org:focus:{area.value}")]
        for area, label in labels.FOCUS.items()
    ]
    rows.append([(_("Done"), "org:show")])
    return keyboard(rows)


async def show_board(update: Update, context: VocesContext, organization: Organization, *, page: int = 1, edit: bool = False) -> int:
    _ = context.gettext
    cipher = context.runtime.cipher
    rows = [
        [(f"❌ {_(labels.BOARD_ROLE[m.role])}: {shorten(m.full_name, 30)} {cipher.masked(m.id_number_encrypted)}", f"org:rmboard:{m.id}")]
        for m in organization.board
    ]
    # A big board pages: Telegram takes at most 100 buttons on one message.
    rows = paged_rows(context, rows, page=page, callback_prefix="org:board:p")
    rows.append([(_("➕ Add a member"), "org:addboard")])
    rows.append([(_("⬅️ Back to the card"), "org:show")])
    answer = edit_or_reply if edit else reply  # a page button turns the page in place
    await answer(update, context, _("Tap a member to remove them, or add a new one:"), reply_markup=keyboard(rows))
    return END


async def board_page(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        _person, organization, _role = await current(context, session)
    if organization is None:
        return END
    return await show_board(update, context, organization, page=page_number(update.callback_query.data), edit=True)  # type: ignore[union-attr]


def typed_answer_for(step: str):  # noqa: ANN201
    """The handler for typed answers in one step: PTB routes by state but does not pass it on."""

    async def typed(update: Update, context: VocesContext) -> str | int:
        return await on_text(update, context, step)

    return typed


def not_typed_for(step: str, question: Callable[[VocesContext, str], str] = field_question):  # noqa: ANN201
    """A sticker, photo or file where a typed answer was expected: say so, and ask again."""

    async def not_typed(update: Update, context: VocesContext) -> str:
        flow = REVIEW_FLOW if step == "comment" else FLOW
        return await ask(update, context, flow=flow, step=step, text=f"⚠️ {context.gettext(TYPE_IT)}\n\n{question(context, step)}")

    return not_typed


def comment_question(context: VocesContext, _step: str = "comment") -> str:
    return context.gettext("What needs to change? Your comment goes to the organization's leaders.")


async def on_text(update: Update, context: VocesContext, step: str) -> str | int:
    """A typed value for the field being edited."""
    assert update.effective_message is not None
    value = update.effective_message.text or ""
    if step == "district":
        matches = find_districts(value)
        if not matches:
            text = context.gettext("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.") % {"text": escape(value[:60])}
            return await ask(update, context, flow=FLOW, step="district", text=text)
        rows = [[(f"{d.name} ({d.province})", f"org:set:district:{d.ubigeo}")] for d in matches]
        return await ask(update, context, flow=FLOW, step="district",
                         text=context.gettext("Which of these is it? If it is not here, type the name again."), reply_markup=keyboard(rows))
    if step in ("board_name", "board_number"):
        return await board_text(update, context, step, value)
    return await apply(update, context, step, value)


async def apply(update: Update, context: VocesContext, field: str, value: str) -> str | int:
    runtime = context.runtime
    now = runtime.clock.now()
    try:
        async with runtime.database.session() as session:
            person, organization, _role = await editing(context, session)
            await organizations.update_field(
                session, organization=organization, user=person, field=field, value=value,
                today=now.astimezone(runtime.settings.zone).date(), now=now,
            )
            if field.startswith("term"):
                await plan_term_reminders(context, session, organization)
    except NotAllowed as error:  # no longer a leader of it: nothing to ask again
        await leave(update, context, FLOW)
        await reply(update, context, error_text(context, error))
        return END
    except InvalidInput as error:
        if field in ("kind", "district") and update.callback_query:
            await reply(update, context, error_text(context, error))
            return END
        return await ask(update, context, flow=FLOW, step=field,
                         text=f"⚠️ {error_text(context, error)}\n\n{field_question(context, field)}")
    following = FOLLOWING.get(field)
    if following:
        return await ask(update, context, flow=FLOW, step=following, text=field_question(context, following))
    await leave(update, context, FLOW)
    await reply(update, context, context.gettext("✅ Saved."))
    await reply(update, context, card_text(context, organization), reply_markup=card_keyboard(context, LeaderRole.OWNER, False))
    return END


async def plan_term_reminders(context: VocesContext, session, organization: Organization) -> None:  # noqa: ANN001
    """Board-term reminders follow the term and reach every current leader."""
    await ruos.plan_board_term_reminders(
        session, organization=organization, quiet=context.runtime.reminders.quiet_hours, now=context.runtime.clock.now())


async def set_choice(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
    _prefix, _action, field, value = update.callback_query.data.split(":", 3)  # type: ignore[union-attr]
    return await apply(update, context, field, value)


async def toggle_focus(update: Update, context: VocesContext) -> int:
    area = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await editing(context, session)
            await organizations.toggle_focus(session, organization=organization, user=person, area=area, now=context.runtime.clock.now())
    except InvalidInput as error:
        await update.callback_query.answer(error_text(context, error), show_alert=True)  # type: ignore[union-attr]
        return END
    await answer_button(update, context)
    await update.callback_query.edit_message_reply_markup(reply_markup=focus_keyboard(context, organization))  # type: ignore[union-attr]
    return END


async def remove_board_member(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    member_id = int(update.callback_query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await editing(context, session)
            # The list comes back at the page the member was on.
            position = next((i for i, m in enumerate(organization.board) if m.id == member_id), 0)
            await organizations.remove_board_member(session, organization=organization, user=person, member_id=member_id,
                                                    cipher=context.runtime.cipher, now=context.runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    return await show_board(update, context, organization, page=position // ROWS_PER_PAGE + 1)


async def add_board_member(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    rows = [[(_(label), f"org:brole:{role.value}")] for role, label in labels.BOARD_ROLE.items()]
    await reply(update, context, _("What is this member's role?"), reply_markup=keyboard(rows))
    return END


async def board_role(update: Update, context: VocesContext) -> str | int:
    role = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    if role not in BoardRole._value2member_map_:
        raise StaleButton(role)
    await answer_button(update, context)
    await remember(update, context, new_board_member={"role": role})
    return await ask(update, context, flow=FLOW, step="board_name", text=field_question(context, "board_name"))


async def board_document(update: Update, context: VocesContext) -> str | int:
    document_type = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    pending = context.user_data.get("new_board_member")  # type: ignore[union-attr]
    if document_type not in IdDocumentType._value2member_map_ or not pending or "full_name" not in pending:
        raise StaleButton(document_type)  # forged, or the member it was for is no longer being added
    await answer_button(update, context)
    pending["document_type"] = document_type
    await remember(update, context, new_board_member=pending)
    return await ask(update, context, flow=FLOW, step="board_number", text=field_question(context, "board_number"))


async def board_text(update: Update, context: VocesContext, step: str, value: str) -> str | int:
    _ = context.gettext
    pending = context.user_data.setdefault("new_board_member", {})  # type: ignore[union-attr]
    if step == "board_name":
        try:
            pending["full_name"] = parse_text(value, field_max=PERSON_NAME_MAX, min_length=3)
        except InvalidInput as error:
            return await ask(update, context, flow=FLOW, step=step, text=f"⚠️ {error_text(context, error)}\n\n{field_question(context, step)}")
        await remember(update, context, new_board_member=pending)
        rows = [[(_(label), f"org:bdoc:{doc.value}")] for doc, label in labels.DOCUMENT.items()]
        await leave(update, context, FLOW)
        await reply(update, context, _("Which identity document do they hold?"), reply_markup=keyboard(rows))
        return END
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await editing(context, session)
            await organizations.add_board_member(
                session, organization=organization, user=person, role=pending["role"], full_name=pending["full_name"],
                document_type=pending["document_type"], id_number=value, cipher=context.runtime.cipher, now=context.runtime.clock.now(),
            )
    except NotAllowed as error:
        await remember(update, context, new_board_member=None)
        await leave(update, context, FLOW)
        await reply(update, context, error_text(context, error))
        return END
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step="board_number", text=f"⚠️ {error_text(context, error)}\n\n{field_question(context, 'board_number')}")
    await remember(update, context, new_board_member=None)
    await leave(update, context, FLOW)
    return await show_board(update, context, organization)


# --- leaders and invitations -------------------------------------------------------------------


async def show_leaders(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person, organization, role = await current(context, session)
        if organization is None:
            return END
        leaders = await organizations.leaders_of(session, organization_id=organization.id)
    lines = [_("<b>Leaders of %(name)s</b>") % {"name": escape(organization.name)}]
    rows = []
    for leader, leader_role in leaders:
        name = escape(leader.display_name or _("(no name)"))
        role_name = _("owner") if leader_role is LeaderRole.OWNER else _("co-leader")
        lines.append(f"• {name} — {role_name}")
        if role is LeaderRole.OWNER and leader_role is LeaderRole.CO_LEADER:
            short = shorten(leader.display_name or "?", 25)
            rows.append([(_("❌ Remove %(name)s") % {"name": short}, f"org:rmlead:{leader.id}"),
                         (_("👑 Make %(name)s owner") % {"name": short}, f"org:owner:{leader.id}")])
    if role is LeaderRole.OWNER:
        rows.append([(_("➕ Invite a co-leader"), "org:invite")])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)
    return END


async def invite(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person, organization, _role = await current(context, session)
            if organization is None:
                await reply(update, context, _("You do not lead an organization in Voces yet. Register one with /register."))
                return END
            token, expires_at = await organizations.create_invite(session, user=person, organization_id=organization.id, now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    link = f"https://t.me/{context.bot.username}?start={INVITE_PREFIX}{token}"
    await reply(
        update, context,
        _("Send this link to the person you want as co-leader of <b>%(name)s</b>. It works once and expires on %(date)s:") % {
            "name": escape(organization.name), "date": context.i18n.datetime(expires_at, "short")}
        + f"\n\n{link}",
    )
    return END


async def join(update: Update, context: VocesContext) -> None:
    """/start join_<token>: consent first if needed, then join."""
    token = (context.args or [""])[0].removeprefix(INVITE_PREFIX)
    if context.person is not None and context.person.has_consented:
        await complete_join(update, context, token)
        return
    await remember(update, context, pending_invite=token)
    from handlers.onboarding import notice_keyboard, notice_text

    await reply(update, context, context.gettext("You were invited to co-lead an organization in Voces. First, please read how Voces looks after your data.") + "\n\n"
                + notice_text(context, greeting=False), reply_markup=notice_keyboard(context))


async def join_after_consent(update: Update, context: VocesContext) -> None:
    """Runs after onboarding's "accept" (a later handler group): finish a pending invitation."""
    token = (context.user_data or {}).get("pending_invite")
    if token:
        await remember(update, context, pending_invite=None)
        await complete_join(update, context, token)


async def complete_join(update: Update, context: VocesContext, token: str) -> None:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await people.get(session, context.person.id)  # type: ignore[union-attr]
            organization = await organizations.accept_invite(session, user=person, token=token, now=runtime.clock.now())
            await plan_term_reminders(context, session, organization)
            leaders = await organizations.leaders_of(session, organization_id=organization.id)
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return
    await reply(update, context, _("✅ You are now a co-leader of <b>%(name)s</b>. See it with /myorg.") % {"name": escape(organization.name)})
    for leader, role in leaders:
        if role is LeaderRole.OWNER and leader.reachable:
            i18n = runtime.translator(leader.language)
            await notify(context, leader.telegram_id, i18n.gettext("%(person)s joined <b>%(name)s</b> as co-leader.") % {
                "person": escape(person.display_name or "?"), "name": escape(organization.name)})


async def remove_leader(update: Update, context: VocesContext) -> int:
    leader_id = int(update.callback_query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await current(context, session)
            if organization is None:
                await answer_button(update, context)
                return END
            removed = await organizations.remove_co_leader(session, owner=person, organization_id=organization.id, co_leader_id=leader_id)
    except AlreadyDone as error:  # a second tap: they were removed by the first
        await say_already_done(update, context, error)
        return END
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return END
    await answer_button(update, context)
    await reply(update, context, context.gettext("%(person)s is no longer a co-leader.") % {"person": escape(removed.display_name or "?")})
    return await show_leaders(update, context)


async def make_owner(update: Update, context: VocesContext) -> int:
    leader_id = int(update.callback_query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await current(context, session)
            if organization is None:
                await answer_button(update, context)
                return END
            new_owner = await organizations.hand_over(session, owner=person, organization_id=organization.id, new_owner_id=leader_id)
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return END
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return END
    await answer_button(update, context)
    await reply(update, context, context.gettext("%(person)s is now the owner. You stay as co-leader.") % {"person": escape(new_owner.display_name or "?")})
    i18n = context.runtime.translator(new_owner.language)
    await notify(context, new_owner.telegram_id, i18n.gettext("You are now the owner of <b>%(name)s</b> in Voces.") % {"name": escape(organization.name)})
    return END


# --- staff verification ------------------------------------------------------------------------


def staff_only(callback):  # noqa: ANN001, ANN201
    async def guarded(update: Update, context: VocesContext):  # noqa: ANN202
        if context.person is None or context.person.role is not Role.STAFF:
            await answer_button(update, context)
            await reply(update, context, context.gettext("This command is for programme staff."))
            return END
        return await callback(update, context)

    return guarded


@staff_only
async def staff_view(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    organization_id = int(update.callback_query.data.rsplit(":", 1)[1])  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        staff = await people.get(session, context.person.id)  # type: ignore[union-attr]
        organization, changes = await organizations.for_review(session, staff=staff, organization_id=organization_id,
                                                               now=context.runtime.clock.now())
    if organization is None:
        await reply(update, context, _("That organization no longer exists."))
        return END
    text = card_text(context, organization)
    if changes:
        text += "\n\n" + _("<b>Latest changes</b>") + "\n" + "\n".join(
            f"• {context.i18n.datetime(c.changed_at, 'short')}: {escape(c.field)}: {escape(c.old_value or '—')} → {escape(c.new_value or '—')}"
            for c in changes
        )
    # The buttons carry the status staff see now: a review from it finds it unchanged, or is refused.
    seen = f"{organization_id}:{organization.status.value}"
    rows = [[(_("✅ Verify"), f"org:verify:{seen}"), (_("✏️ Needs changes"), f"org:changes:{seen}")]]
    await reply(update, context, text, reply_markup=keyboard(rows))
    return END


@staff_only
async def verify(update: Update, context: VocesContext) -> int:
    # Answered after the review: a second tap is told "already done" on the button itself.
    organization_id, seen = review_target(update.callback_query.data)  # type: ignore[union-attr]
    return await record_review(update, context, organization_id, VerificationStatus.VERIFIED, None, seen)


def review_target(data: str) -> tuple[int, VerificationStatus | None]:
    """`org:verify:<id>:<status seen>` (buttons older than the status give only the id)."""
    parts = data.split(":")
    return int(parts[2]), VerificationStatus(parts[3]) if len(parts) > 3 else None


@staff_only
async def ask_for_changes(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    organization_id, seen = review_target(update.callback_query.data)  # type: ignore[union-attr]
    await remember(update, context, reviewing_organization=organization_id, reviewing_status=seen.value if seen else None)
    return await ask(update, context, flow=REVIEW_FLOW, step="comment", text=comment_question(context))


async def changes_comment(update: Update, context: VocesContext) -> str | int:
    organization_id = (context.user_data or {}).get("reviewing_organization")
    if organization_id is None:
        return await leave(update, context, REVIEW_FLOW)
    seen = (context.user_data or {}).get("reviewing_status")
    return await record_review(update, context, organization_id, VerificationStatus.NEEDS_CHANGES, update.effective_message.text,  # type: ignore[union-attr]
                               VerificationStatus(seen) if seen else None)


async def record_review(update: Update, context: VocesContext, organization_id: int, status: VerificationStatus, comment: str | None,
                        seen: VerificationStatus | None = None) -> str | int:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff = await people.get(session, context.person.id)  # type: ignore[union-attr]
            result = await organizations.review(session, staff=staff, organization_id=organization_id, status=status, comment=comment,
                                                seen=seen, now=runtime.clock.now())
            leaders = await organizations.leaders_of(session, organization_id=organization_id)
    except AlreadyDone as error:  # a second tap, or another staff member first: nobody is told again
        await remember(update, context, reviewing_organization=None, reviewing_status=None)
        await leave(update, context, REVIEW_FLOW)
        await say_already_done(update, context, error)
        return END
    except InvalidInput as error:
        await answer_button(update, context)
        if status is VerificationStatus.NEEDS_CHANGES and update.effective_message and update.effective_message.text:
            return await ask(update, context, flow=REVIEW_FLOW, step="comment", text=f"⚠️ {error_text(context, error)}")
        await reply(update, context, error_text(context, error))
        return END
    await answer_button(update, context)
    await remember(update, context, reviewing_organization=None, reviewing_status=None)
    await leave(update, context, REVIEW_FLOW)
    name = escape(result.organization.name)
    await reply(update, context, _("Done: %(name)s is now %(status)s. Its leaders were told.") % {"name": name, "status": _(labels.STATUS[status])})
    for leader, _role in leaders:
        if not leader.reachable:
            continue
        i18n = runtime.translator(leader.language)
        if status is VerificationStatus.VERIFIED:
            text = i18n.gettext("✅ The programme staff verified <b>%(name)s</b>. Next: check the RUOS documents with /ruos.") % {"name": name}
        else:
            text = i18n.gettext("✏️ The programme staff reviewed <b>%(name)s</b> and ask for changes:") % {"name": name} + f"\n\n{escape(result.organization.status_comment or '')}\n\n" + i18n.gettext("Correct it with /myorg.")
        await notify(context, leader.telegram_id, text)
    return END


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Cancelled. Nothing was changed."))
    await leave(update, context, REVIEW_FLOW)
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    await leave(update, context, REVIEW_FLOW)
    return await leave(update, context, FLOW)


def register(application) -> None:  # noqa: ANN001
    edits = ConversationHandler(
        entry_points=[
            CallbackQueryHandler(choose_field, pattern=r"^org:field:[a-z]+$"),
            CallbackQueryHandler(board_role, pattern=r"^org:brole:[a-z]+$"),
            CallbackQueryHandler(board_document, pattern=r"^org:bdoc:[A-Z-]+$"),
        ],
        states={
            step: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_answer_for(step)), MessageHandler(NOT_TYPED, not_typed_for(step))]
            for step in [*TEXT_FIELDS.values(), *FOLLOWING.values(), "district", "board_name", "board_number"]
        },
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    )
    review = ConversationHandler(
        entry_points=[CallbackQueryHandler(ask_for_changes, pattern=r"^org:changes:\d+(:[a-z_]+)?$")],
        states={"comment": [
            MessageHandler(filters.TEXT & ~filters.COMMAND, changes_comment),
            MessageHandler(NOT_TYPED, not_typed_for("comment", comment_question)),
        ]},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=REVIEW_FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([
        CommandHandler("start", join, filters=filters.Regex(rf"^/start {INVITE_PREFIX}")),
        edits,
        review,
        command("myorg", show),
        command("invite", invite),
        CallbackQueryHandler(board_page, pattern=r"^org:board:p\d+$"),
        CallbackQueryHandler(show, pattern=r"^org:show$"),
        CallbackQueryHandler(switch, pattern=r"^org:switch$"),
        CallbackQueryHandler(act, pattern=r"^org:act:\d+$"),
        CallbackQueryHandler(edit_menu, pattern=r"^org:edit$"),
        CallbackQueryHandler(set_choice, pattern=r"^org:set:(kind|district):[\w-]+$"),
        CallbackQueryHandler(toggle_focus, pattern=r"^org:focus:[a-z_]+$"),
        CallbackQueryHandler(remove_board_member, pattern=r"^org:rmboard:\d+$"),
        CallbackQueryHandler(add_board_member, pattern=r"^org:addboard$"),
        CallbackQueryHandler(show_leaders, pattern=r"^org:leaders$"),
        CallbackQueryHandler(invite, pattern=r"^org:invite$"),
        CallbackQueryHandler(remove_leader, pattern=r"^org:rmlead:\d+$"),
        CallbackQueryHandler(make_owner, pattern=r"^org:owner:\d+$"),
        CallbackQueryHandler(staff_view, pattern=r"^org:view:\d+$"),
        CallbackQueryHandler(verify, pattern=r"^org:verify:\d+(:[a-z_]+)?$"),
    ])
    # After onboarding's "accept" (group 0) has stored consent: finish a pending invitation.
    application.add_handler(CallbackQueryHandler(join_after_consent, pattern=r"^consent:yes$"), group=1)
