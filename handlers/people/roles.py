"""/role for staff: make someone a coordinator, staff, or a leader again, with a confirmation.

The person is found by replying /role to a message of theirs forwarded to the bot, by their
Telegram id (/role 123456789), or from a list of the people who wrote to the bot. They are
told, and their command menu changes at once.

Callback data: role:who:p<page> (the list), role:pick:<user> (their card),
role:set:<user>:<role> (asks to confirm), role:ok:<user>:<role> (does it).
"""

from __future__ import annotations

from telegram import MessageOriginUser, Update

from bot.core.textlimits import page_of
from bot.core.transitions import AlreadyDone
from bot.core.validation import TELEGRAM_ID_MAX, parse_id
from bot.people import roles
from bot.people.authority import NotAllowed
from bot.people.labels import ROLE_NAMES
from bot.people.models import Role
from handlers.commands import command
from handlers.common import (
    ButtonTable,
    answer_button,
    area_buttons,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part, shows_current_card
from handlers.people.onboarding import set_personal_menu

PEOPLE_PER_PAGE = 10


async def staff_only(update: Update, context: VocesContext) -> bool:
    from bot.people.authority import ONLY_STAFF, is_staff

    async with context.runtime.database.session() as session:
        allowed = context.person is not None and await is_staff(session, user_id=context.person.id)
    if not allowed:
        await answer_button(update, context)
        await reply(update, context, context.gettext(ONLY_STAFF))
    return allowed


async def role_command(update: Update, context: VocesContext) -> None:
    if not await staff_only(update, context):
        return
    _ = context.gettext
    message = update.effective_message
    replied = message.reply_to_message if message else None
    telegram_id: int | None = None
    if replied is not None:
        origin = replied.forward_origin
        if isinstance(origin, MessageOriginUser):
            telegram_id = origin.sender_user.id
        else:
            await reply(update, context, _("That forwarded message does not say who wrote it (their privacy settings hide it). Use /role with their Telegram id, or choose them from /role's list."))
            return
    elif context.args:
        telegram_id = parse_id(context.args[0], maximum=TELEGRAM_ID_MAX)
        if telegram_id is None:
            await reply(update, context, _("Send /role with a Telegram id (digits only), for example /role 123456789, or /role alone for the list."))
            return
    if telegram_id is None:
        await show_people(update, context)
        return
    try:
        async with context.runtime.database.session() as session:
            person = await roles.find(session, telegram_id=telegram_id)
    except NotAllowed as error:
        await reply(update, context, error_text(context, error))
        return
    await show_person(update, context, person.id)


@shows_current_card("role")
async def show_people(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await staff_only(update, context):  # a forged role:who button lists nobody
        return
    _ = context.gettext
    page = page_number(update.callback_query.data if update.callback_query else None)
    async with context.runtime.database.session() as session:
        found, total = await roles.people_who_wrote(session, offset=(page - 1) * PEOPLE_PER_PAGE, limit=PEOPLE_PER_PAGE)
    numbers = list(range(total))
    shown = page_of(numbers, page, size=PEOPLE_PER_PAGE)
    rows = [[(f"{person.display_name or person.telegram_id} · {_(ROLE_NAMES[person.role])}", f"role:pick:{person.id}")] for person in found]
    rows += page_navigation(context, shown, callback_prefix="role:who:p")
    await edit_or_reply(update, context, _("<b>Whose role do you want to change?</b>"), reply_markup=keyboard(rows))


async def show_person(update: Update, context: VocesContext, user_id: int) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await roles.find(session, user_id=user_id)
    lines = [
        _("<b>%(name)s</b> (Telegram id %(id)s)") % {"name": escape(person.display_name or "—"), "id": person.telegram_id},
        _("Role now: %(role)s") % {"role": _(ROLE_NAMES[person.role])},
        _("Choose their new role:"),
    ]
    rows = [[(_(ROLE_NAMES[role]).capitalize(), f"role:set:{person.id}:{role.value}")] for role in Role if role is not person.role]
    rows.append([(_("⬅️ Back"), "role:who:p1")])
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


def target(data: str | None) -> tuple[int, Role | None]:
    parts = (data or "").split(":")
    person_id = button_part(data, 2)
    role = None
    if len(parts) == 4:
        if parts[3] not in {r.value for r in Role}:
            raise StaleButton(data)
        role = Role(parts[3])
    return person_id, role


async def pick(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await staff_only(update, context):
        return
    user_id, _role = target(update.callback_query.data)  # type: ignore[union-attr]
    try:
        await show_person(update, context, user_id)
    except NotAllowed as error:
        raise StaleButton(user_id) from error


async def ask_to_confirm(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    if not await staff_only(update, context):
        return
    _ = context.gettext
    user_id, role = target(update.callback_query.data)  # type: ignore[union-attr]
    assert role is not None
    async with context.runtime.database.session() as session:
        person = await roles.find(session, user_id=user_id)
    await edit_or_reply(
        update, context,
        _("Make <b>%(name)s</b> %(role)s?") % {"name": escape(person.display_name or str(person.telegram_id)), "role": _(ROLE_NAMES[role])},
        reply_markup=keyboard([[(_("Yes, confirm"), f"role:ok:{user_id}:{role.value}"), (_("No"), f"role:pick:{user_id}")]]),
    )


async def confirm(update: Update, context: VocesContext) -> None:
    user_id, role = target(update.callback_query.data)  # type: ignore[union-attr]
    assert role is not None
    try:
        async with context.runtime.database.session() as session:
            person = await roles.change_role(session, staff_id=context.person.id, user_id=user_id, role=role,  # type: ignore[union-attr]
                                            now=context.runtime.clock.now())
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return
    except NotAllowed as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    _ = context.gettext
    await edit_or_reply(update, context, _("✅ Done: %(name)s is now %(role)s, and has been told.") % {
        "name": escape(person.display_name or str(person.telegram_id)), "role": _(ROLE_NAMES[role])})
    await set_personal_menu(context, person.telegram_id, role, person.language)
    if role is Role.LEADER:
        context.voces.personal_menus_set.discard(person.telegram_id)
    else:
        context.voces.personal_menus_set.add(person.telegram_id)


ROLE: ButtonTable = {
    "who": (r"p\d+", show_people),
    "pick": (r"\d+", pick),
    "set": (r"\d+:[a-z]+", ask_to_confirm),
    "ok": (r"\d+:[a-z]+", confirm),
}


def register(application) -> None:  # noqa: ANN001
    application.add_handlers([command("role", role_command), area_buttons("role", ROLE)])
