"""The board: its members (identity numbers shown only masked) a page at a time, removing one,
and adding one (role, name, document type, number).
"""

from __future__ import annotations

from telegram import Update

from bot.core.validation import BOARD_FULL, BOARD_MAX, IdDocumentType, InvalidInput, parse_text
from bot.organizations import myorg_screens, organizations
from bot.organizations.models import BoardRole, Organization
from bot.organizations.registration import PERSON_NAME_MAX
from bot.people.authority import NotAllowed
from handlers.common import (
    END,
    answer_button,
    ask,
    delete_stored_secret,
    error_text,
    leave,
    page_number,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_part
from handlers.organizations.common import FLOW, current, editing, field_question
from handlers.show import say


async def show_board(update: Update, context: VocesContext, organization: Organization, *, page: int = 1, edit: bool = False) -> int:
    # A page button turns the page in place.
    await say(update, context, myorg_screens.board(context.i18n, organization, context.runtime.cipher, page=page), edit=edit)
    return END


async def board_page(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        _person, organization, _role = await current(context, session)
    if organization is None:
        return END
    return await show_board(update, context, organization, page=page_number(update.callback_query.data), edit=True)  # type: ignore[union-attr]


async def remove_board_member(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    member_id = button_part(update.callback_query.data, -1)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await editing(context, session)
            page = myorg_screens.board_page_of(organization, member_id)  # the list comes back where they were
            await organizations.remove_board_member(session, organization=organization, user=person, member_id=member_id,
                                                    cipher=context.runtime.cipher, now=context.runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return END
    return await show_board(update, context, organization, page=page)


async def add_board_member(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    async with context.runtime.database.session() as session:
        _person, organization, _role = await current(context, session)
    if organization is not None and len(organization.board) >= BOARD_MAX:  # said before the questions, not after
        await reply(update, context, _(BOARD_FULL) % {"maximum": BOARD_MAX})
        return END
    await say(update, context, myorg_screens.board_roles(context.i18n))
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
    pending = context.user_data.setdefault("new_board_member", {})  # type: ignore[union-attr]
    if step == "board_name":
        try:
            pending["full_name"] = parse_text(value, field_max=PERSON_NAME_MAX, min_length=3)
        except InvalidInput as error:
            return await ask(update, context, flow=FLOW, step=step, text=f"⚠️ {error_text(context, error)}\n\n{field_question(context, step)}")
        await remember(update, context, new_board_member=pending)
        await leave(update, context, FLOW)
        await say(update, context, myorg_screens.board_documents(context.i18n))
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
    await delete_stored_secret(update, context)
    return await show_board(update, context, organization)
