"""Editing the card: a field's question and its typed answer, the choices (type, district),
the focus areas. Every change is recorded with the old and the new value.
"""

from __future__ import annotations

from telegram import Update

from bot.core.districts import find_districts
from bot.core.validation import InvalidInput
from bot.organizations import myorg_screens, organizations
from bot.organizations.registration_screens import no_such_district
from bot.people.authority import NotAllowed
from handlers import screens
from handlers.common import (
    END,
    answer_button,
    ask,
    error_text,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.organizations.board import board_text, show_board
from handlers.organizations.card import card_screen
from handlers.organizations.common import (
    FLOW,
    current,
    editing,
    field_question,
    plan_term_reminders,
)
from handlers.show import say

TEXT_FIELDS = myorg_screens.TEXT_FIELDS
FOLLOWING = myorg_screens.FOLLOWING


async def edit_menu(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    await say(update, context, myorg_screens.fields_menu(context.i18n))
    return END


async def choose_field(update: Update, context: VocesContext) -> str | int:
    await answer_button(update, context)
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
        await say(update, context, myorg_screens.kind_question(context.i18n))
        return END
    if field == "focus":
        await say(update, context, myorg_screens.focus_question(context.i18n, organization))
        return END
    return await show_board(update, context, organization)


def typed_answer_for(step: str):  # noqa: ANN201
    """The handler for typed answers in one step: PTB routes by state but does not pass it on."""

    async def typed(update: Update, context: VocesContext) -> str | int:
        return await on_text(update, context, step)

    return typed


async def on_text(update: Update, context: VocesContext, step: str) -> str | int:
    """A typed value for the field being edited."""
    assert update.effective_message is not None
    value = update.effective_message.text or ""
    if step == "district":
        matches = find_districts(value)
        if not matches:
            return await ask(update, context, flow=FLOW, step="district", text=no_such_district(value, context.i18n))
        text, markup = screens.render(myorg_screens.district_matches(context.i18n, matches))
        return await ask(update, context, flow=FLOW, step="district", text=text, reply_markup=markup)
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
    await say(update, context, myorg_screens.saved(context.i18n))
    await say(update, context, card_screen(context, organization))
    return END


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
        await answer_button(update, context, error_text(context, error), alert=True)
        return END
    await answer_button(update, context)
    await update.callback_query.edit_message_reply_markup(  # type: ignore[union-attr]
        reply_markup=screens.inline_keyboard(myorg_screens.focus_question(context.i18n, organization)))
    return END
