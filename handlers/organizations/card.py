"""/myorg: the organization's card, and choosing which organization to act for when one
person leads several.
"""

from __future__ import annotations

from telegram import Update

from bot.core.screens import Screen
from bot.core.validation import InvalidInput
from bot.organizations import myorg_screens, organizations
from bot.organizations.models import Organization
from bot.people import people
from bot.people.models import Role
from bot.ruos import public_registry
from bot.ruos.models import RegistryInscription
from handlers.common import END, answer_button, error_text, leave, reply
from handlers.context import VocesContext
from handlers.guards import button_part, shows_current_card
from handlers.organizations.common import FLOW, current
from handlers.ruos.inscription import recorded_text
from handlers.show import say


def card_screen(context: VocesContext, organization: Organization, inscription: RegistryInscription | None = None, *,
                leads_several: bool = False) -> Screen:
    inscribed = recorded_text(context, inscription) if inscription is not None else None
    return myorg_screens.card(context.i18n, organization, context.runtime.cipher, leads_several=leads_several, inscribed=inscribed)


@shows_current_card("org")
async def show(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        person, organization, role = await current(context, session)
        several = organization is not None and len(await organizations.led_by(session, user=person)) > 1
        inscription = await public_registry.inscription_of(session, organization.id) if organization is not None else None
    if organization is None:
        # Staff and coordinators follow organizations from the console.
        await say(update, context, myorg_screens.no_organization(context.i18n, leader=person.role is Role.LEADER))
        return await leave(update, context, FLOW)
    await leave(update, context, FLOW)
    await say(update, context, card_screen(context, organization, inscription, leads_several=several))
    return END


async def switch(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
        led = await organizations.led_by(session, user=person)
    await say(update, context, myorg_screens.switch_menu(context.i18n, led))
    return END


async def act(update: Update, context: VocesContext) -> int:
    organization_id = button_part(update.callback_query.data, -1)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person = await people.get(session, context.person.id)  # type: ignore[union-attr]
            await organizations.act_for(session, user=person, organization_id=organization_id)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return END
    return await show(update, context)  # answers the button
