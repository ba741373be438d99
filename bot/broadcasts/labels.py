"""How the kinds of message the bot sends on its own read, as /settings switches them."""

from __future__ import annotations

from bot.broadcasts.models import MessageKind
from bot.core.i18n import N_

MESSAGE_KIND_NAMES = {
    MessageKind.TRAININGS: N_("Trainings"),
    MessageKind.REPORTS: N_("Project reports"),
    MessageKind.RUOS: N_("RUOS"),
    MessageKind.ANNOUNCEMENTS: N_("Announcements"),
}
