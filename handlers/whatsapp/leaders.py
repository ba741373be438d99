"""Inviting a co-leader on WhatsApp: /invitar gives the owner a `wa.me` link to the business
number with the text prefilled (``join_<token>``, the same one-use token as Telegram's
``t.me/<bot>?start=join_<token>``, from `organizations.create_invite`). Whoever sends that text
joins once they have accepted the data notice: before that the token waits with them
(`whatsapp_screens.hold_invite`)."""

from __future__ import annotations

import re
from urllib.parse import quote

from bot import ruos
from bot.core.db import DbSession
from bot.core.i18n import N_
from bot.core.runtime import Runtime
from bot.core.screens import escape, screen
from bot.core.validation import InvalidInput
from bot.messaging import whatsapp_screens
from bot.organizations import myorg_screens, organizations
from handlers.whatsapp.reply import Reply

INVITE_PREFIX = "join_"
_TOKEN = re.compile(rf"\b{INVITE_PREFIX}([A-Za-z0-9_-]{{16,64}})")
PREFILLED = N_("I accept the invitation to co-lead an organization in Voces: %(code)s")


def invite_token(typed: str) -> str | None:
    """The invitation a typed (or prefilled) message carries."""
    found = _TOKEN.search(typed)
    return found.group(1) if found else None


def wa_link(business_number: str, text: str) -> str:
    return f"https://wa.me/{business_number.lstrip('+')}?text={quote(text)}"


async def invite(session: DbSession, *, runtime: Runtime, reply: Reply, business: str | None) -> None:
    person = reply.person
    assert person is not None
    _ = runtime.translator(person.language).gettext
    acting = await organizations.acting_for(session, user=person)
    if acting is None:
        reply.show(screen(_("You do not lead an organization in Voces yet. Register one with /register.")))
        return
    organization = acting[0]
    try:
        token, expires_at = await organizations.create_invite(session, user=person, organization_id=organization.id,
                                                              now=runtime.clock.now())
    except InvalidInput as error:
        reply.show(screen(_(error.message)))
        return
    i18n = runtime.translator(person.language)
    # The invitee reads the prefilled text in the owner's language: they usually share it.
    link = wa_link(business or "", _(PREFILLED) % {"code": f"{INVITE_PREFIX}{token}"})
    reply.show(myorg_screens.invite_link(i18n, organization, link=link, expires_at=expires_at))


async def join(session: DbSession, *, runtime: Runtime, reply: Reply, token: str) -> None:
    """The person (who consented) becomes a co-leader; a used, expired or unknown token is said so."""
    person = reply.person
    assert person is not None
    _ = runtime.translator(person.language).gettext
    try:
        organization = await organizations.accept_invite(session, user=person, token=token, now=runtime.clock.now())
    except InvalidInput as error:
        reply.show(screen(_(error.message)))
        return
    await ruos.plan_board_term_reminders(session, organization=organization, quiet=runtime.reminders.quiet_hours,
                                         now=runtime.clock.now())
    reply.show(screen(_("✅ You are now a co-leader of <b>%(name)s</b>. See it with /myorg.") % {"name": escape(organization.name)}))


async def hold_or_join(session: DbSession, *, runtime: Runtime, reply: Reply, token: str) -> bool:
    """An invitation arrived: joined now if the person consented (True), else kept for later."""
    person = reply.person
    assert person is not None
    if person.has_consented:
        await join(session, runtime=runtime, reply=reply, token=token)
        return True
    await whatsapp_screens.hold_invite(session, user_id=person.id, token=token, now=runtime.clock.now())
    return False
