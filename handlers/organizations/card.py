"""/myorg: the organization's card, and choosing which organization to act for when one
person leads several.
"""

from __future__ import annotations

from telegram import Update

from bot.core.textlimits import shorten
from bot.core.validation import InvalidInput
from bot.organizations import labels, organizations
from bot.organizations.models import LeaderRole, Organization, VerificationStatus
from bot.people import people
from bot.people.models import Role
from bot.ruos import public_registry
from bot.ruos.models import RegistryInscription
from handlers.common import END, answer_button, error_text, escape, keyboard, leave, reply
from handlers.context import VocesContext
from handlers.guards import button_part, shows_current_card
from handlers.organizations.cards import organization_card
from handlers.organizations.common import FLOW, current
from handlers.ruos.inscription import recorded_text


def card_text(context: VocesContext, organization: Organization, inscription: RegistryInscription | None = None) -> str:
    _ = context.gettext
    text = organization_card(context, organizations.details_of(organization), context.runtime.cipher)
    text += "\n\n" + _("Status: %(status)s") % {"status": _(labels.STATUS[organization.status])}
    if inscription is not None:
        text += "\n" + recorded_text(context, inscription)
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
        inscription = await public_registry.inscription_of(session, organization.id) if organization is not None else None
    if organization is None:
        if person.role is not Role.LEADER:  # staff and coordinators follow organizations from the console
            await reply(update, context, context.gettext("You lead no organization yourself. /pending lists what waits for the programme; /org and part of a name shows an organization."))
        else:
            await reply(update, context, context.gettext("You do not lead an organization in Voces yet. Register one with /register."))
        return await leave(update, context, FLOW)
    await leave(update, context, FLOW)
    await reply(update, context, card_text(context, organization, inscription), reply_markup=card_keyboard(context, role, several))
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
