"""How the kinds of message the bot sends on its own read, as /settings switches them; and how
/broadcast names its kinds, a broadcast's states, and the organizations' kinds and RUOS stages
its audience picker chooses from."""

from __future__ import annotations

from bot.broadcasts.models import BroadcastState, MessageKind
from bot.core.i18n import N_
from bot.organizations.models import OrganizationKind
from bot.ruos.models import RegistrationStage

MESSAGE_KIND_NAMES = {
    MessageKind.TRAININGS: N_("Trainings"),
    MessageKind.REPORTS: N_("Project reports"),
    MessageKind.RUOS: N_("RUOS"),
    MessageKind.ANNOUNCEMENTS: N_("Announcements"),
}
KIND_NAMES = {
    MessageKind.ANNOUNCEMENTS: N_("Announcements"),
    MessageKind.TRAININGS: N_("Trainings"),
    MessageKind.REPORTS: N_("Reports"),
    MessageKind.RUOS: N_("RUOS"),
}
ORG_KIND_NAMES = {
    OrganizationKind.OSB: "OSB", OrganizationKind.OSV: "OSV",
    OrganizationKind.CIVIL_ASSOCIATION: N_("Civil association"), OrganizationKind.OTHER: N_("Other"),
}
RUOS_NAMES = {
    RegistrationStage.PREPARING: N_("RUOS: preparing"), RegistrationStage.SUBMITTED: N_("RUOS: submitted"),
    RegistrationStage.OBSERVED: N_("RUOS: observed"), RegistrationStage.REGISTERED: N_("RUOS: registered"),
}
STATE_NAMES = {
    BroadcastState.DRAFT: N_("draft"), BroadcastState.AWAITING_APPROVAL: N_("waiting for approval"),
    BroadcastState.SCHEDULED: N_("scheduled"), BroadcastState.SENDING: N_("sending"),
    BroadcastState.DONE: N_("sent"), BroadcastState.CANCELLED: N_("cancelled"),
}
