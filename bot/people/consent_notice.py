"""The data notice and the consent question, for every channel.

Catalog text with the small markup every channel renders (`<b>`): Telegram shows it as HTML,
WhatsApp as `*bold*`. Only what differs by channel (what the channel itself keeps, and where)
has a line per channel.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.i18n import N_
from bot.people.models import Channel

GREETING = (
    N_("Hello! I am <b>Voces</b>, the assistant of the programme that supports your organization."),
    N_("I help you register your organization, get the RUOS documents ready, sign up for trainings and report on your projects."),
)
WHAT_I_KEEP = {
    Channel.TELEGRAM: N_("• <b>What I keep:</b> your Telegram name and language, and what you register (your organization, its board, documents)."),
    Channel.WHATSAPP: N_("• <b>What I keep:</b> your WhatsApp number, name and language, and what you register (your organization, its board, documents)."),
}
CHATS_ABROAD = {
    Channel.TELEGRAM: N_("• Telegram keeps chats on servers outside Peru."),
    Channel.WHATSAPP: N_("• WhatsApp (Meta) keeps chats on servers outside Peru."),
}
FULL_WHAT_WE_KEEP = {
    Channel.TELEGRAM: N_("<b>What we keep:</b> your Telegram name, your language, and what you enter: your organization's details, its board members (names and identity document numbers), the documents you upload and your reports. Identity numbers are stored encrypted and shown only masked, like ****5678."),
    Channel.WHATSAPP: N_("<b>What we keep:</b> your WhatsApp number and name, your language, and what you enter: your organization's details, its board members (names and identity document numbers), the documents you upload and your reports. Identity numbers are stored encrypted and shown only masked, like ****5678."),
}
FULL_WHERE = {
    Channel.TELEGRAM: N_("<b>Where:</b> our database, and Telegram, which keeps chats on its servers outside Peru."),
    Channel.WHATSAPP: N_("<b>Where:</b> our database, and WhatsApp (Meta), which keeps chats on its servers outside Peru."),
}
FULL_IF_NOT = {
    Channel.TELEGRAM: N_("If you do not accept, the bot keeps only your Telegram number and language, to remember your answer."),
    Channel.WHATSAPP: N_("If you do not accept, the bot keeps only your WhatsApp number and language, to remember your answer."),
}


def notice_lines(gettext: Callable[[str], str], *, channel: Channel, greeting: bool) -> list[str]:
    """The short notice that ends with the consent question."""
    _ = gettext
    lines = [_(line) for line in GREETING] + [""] if greeting else []
    lines += [
        _("<b>Before we start: your data</b>"),
        _(WHAT_I_KEEP[channel]),
        _("• <b>Why:</b> to follow up your organization's registration, trainings and projects."),
        _("• <b>Who sees it:</b> only the programme staff."),
        _(CHATS_ABROAD[channel]),
        _("• You can see your data with /mydata and erase it with /deletedata at any time."),
        "",
        _("Do you accept?"),
    ]
    return lines


def full_notice_lines(gettext: Callable[[str], str], *, channel: Channel) -> list[str]:
    """"Read more": the whole notice, as Ley 29733 asks."""
    _ = gettext
    return [
        _("<b>How Voces looks after your data</b>"),
        _("Voces is run by the capacity-building programme for social organizations in Lima and Callao. Under Peru's Personal Data Protection Law (Ley 29733) we ask for your consent before keeping anything about you."),
        _(FULL_WHAT_WE_KEEP[channel]),
        _("<b>What for:</b> to follow up the registration of your organization, invite you to trainings, and remind you of deadlines. Nothing is sold or published."),
        _("<b>Who sees it:</b> the programme staff who accompany your organization."),
        _(FULL_WHERE[channel]),
        _("<b>Your rights:</b> see your data (/mydata), correct it (/myorg), erase it (/deletedata), withdraw consent and object at any time, free of charge."),
        _(FULL_IF_NOT[channel]),
    ]
