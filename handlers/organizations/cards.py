"""The organization card on Telegram: the domain's card (bot/organizations/card.py) in the
person's language, for a registration's summary and for /myorg."""

from __future__ import annotations

from bot.core.crypto import IdNumberCipher
from bot.organizations import card
from bot.organizations.registration import OrganizationDetails
from handlers.context import VocesContext


def organization_card(context: VocesContext, details: OrganizationDetails, cipher: IdNumberCipher) -> str:
    return card.organization_card(context.i18n, details, cipher)
