"""Leaders: the list, inviting a co-leader by a one-time link and joining by it (consent
first), removing a co-leader, and handing the ownership over.
"""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations import myorg_screens, organizations
from bot.organizations.organizations import INVITE_PREFIX
from bot.people import people
from handlers.common import (
    END,
    answer_button,
    error_text,
    escape,
    remember,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import button_part
from handlers.organizations.common import current, plan_term_reminders
from handlers.show import say


async def show_leaders(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        person, organization, role = await current(context, session)
        if organization is None:
            return END
        leaders = await organizations.leaders_of(session, organization_id=organization.id)
    await say(update, context, myorg_screens.leaders(context.i18n, organization, leaders, role=role))
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
    await say(update, context, myorg_screens.invite_link(context.i18n, organization, link=link, expires_at=expires_at))
    return END


async def join(update: Update, context: VocesContext) -> None:
    """/start join_<token>: consent first if needed, then join."""
    token = (context.args or [""])[0].removeprefix(INVITE_PREFIX)
    if context.person is not None and context.person.has_consented:
        await complete_join(update, context, token)
        return
    await remember(update, context, pending_invite=token)
    from handlers.people.onboarding import notice_keyboard, notice_text

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
    except InvalidInput as error:
        await reply(update, context, error_text(context, error))
        return
    await reply(update, context, _("✅ You are now a co-leader of <b>%(name)s</b>. See it with /myorg.") % {"name": escape(organization.name)})


async def remove_leader(update: Update, context: VocesContext) -> int:
    leader_id = button_part(update.callback_query.data, -1)  # type: ignore[union-attr]
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
    await say(update, context, myorg_screens.co_leader_removed(context.i18n, removed))
    return await show_leaders(update, context)


async def make_owner(update: Update, context: VocesContext) -> int:
    leader_id = button_part(update.callback_query.data, -1)  # type: ignore[union-attr]
    try:
        async with context.runtime.database.session() as session:
            person, organization, _role = await current(context, session)
            if organization is None:
                await answer_button(update, context)
                return END
            new_owner = await organizations.hand_over(session, owner=person, organization_id=organization.id, new_owner_id=leader_id,
                                                   now=context.runtime.clock.now())
    except AlreadyDone as error:
        await say_already_done(update, context, error)
        return END
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return END
    await answer_button(update, context)
    await say(update, context, myorg_screens.owner_handed_over(context.i18n, new_owner))
    return END
