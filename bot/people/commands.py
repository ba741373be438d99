"""What each role can do: one table drives /help and the command menu beside the text box.

Commands are named here by their English names; each channel writes them as a person types
them there (on Telegram, /ayuda for a Spanish speaker: handlers/commands.py).
"""

from __future__ import annotations

from bot.core.i18n import N_
from bot.people.models import Role

LEADER_COMMANDS = (
    ("register", N_("Register your organization")),
    ("myorg", N_("See and edit your organization")),
    ("invite", N_("Invite a co-leader")),
    ("ruos", N_("RUOS checklist and documents")),
    ("trainings", N_("Upcoming training sessions")),
    ("mytrainings", N_("Your trainings and certificates")),
    ("topics", N_("Vote for the next training topics")),
    ("projects", N_("Your organization's projects")),
    ("propose", N_("Propose a community project")),
    ("report", N_("Report on a funded project")),
    ("ask", N_("Ask the programme a question")),
    ("opinion", N_("Send a suggestion or a complaint")),
    ("language", N_("Change the language")),
    ("settings", N_("Which messages you get, and when")),
    ("stop", N_("Pause messages I send on my own (/start resumes them)")),
    ("mydata", N_("See the data Voces keeps about you")),
    ("correct", N_("Correct your name, sex or nationality")),
    ("deletedata", N_("Erase your data")),
    ("help", N_("What I can do")),
    ("cancel", N_("Leave what you are doing")),
)
STAFF_COMMANDS = (
    ("audit", N_("Who read or changed what")),
    ("complaints", N_("Complaints and suggestions")),
    ("scope", N_("The districts each coordinator follows")),
    ("review", N_("Documents waiting for review")),
    ("proposals", N_("Community projects and proposals")),
    ("reportreview", N_("Project reports waiting for review")),
    ("reload_requirements", N_("Reload the requirement files")),
)


# Coordinators run trainings; staff get these too (they can do everything coordinators can).
COORDINATOR_COMMANDS = (
    # The console: coordinators see their districts' organizations only (bot/console/audit.py).
    ("pending", N_("Everything waiting for staff")),
    ("inbox", N_("Questions from leaders")),
    ("org", N_("An organization's status: /org and part of its name")),
    ("stats", N_("Programme figures, with a chart")),
    ("indicators", N_("The indicator sheet for a period")),
    ("export", N_("Everything in a spreadsheet")),
    ("quiet", N_("Organizations that went quiet")),
    ("newtraining", N_("Create a training session")),
    ("mysessions", N_("Sessions: lists, check-in, edit, cancel")),
    ("topicvote", N_("Open or close a topic vote")),
    ("addtopic", N_("Add a training topic")),
    ("broadcast", N_("Send a message to many people")),
)
STAFF_ONLY_COMMANDS = (("role", N_("Make someone a coordinator or staff")),)


def commands_for(role: Role) -> tuple[tuple[str, str], ...]:
    """The command menu: a person's own tools first, then what everyone has."""
    if role is Role.STAFF:
        return STAFF_COMMANDS + STAFF_ONLY_COMMANDS + COORDINATOR_COMMANDS + LEADER_COMMANDS
    if role is Role.COORDINATOR:
        return COORDINATOR_COMMANDS + LEADER_COMMANDS
    return LEADER_COMMANDS


# English name → Spanish name. Names that are the same in both languages need no entry.
# /start stays /start: Telegram's own START button and deep links send it.
SPANISH = {
    "help": "ayuda",
    "ask": "preguntar",
    "inbox": "bandeja",
    "complaints": "quejas",
    "cancel": "cancelar",
    "language": "idioma",
    "mydata": "misdatos",
    "deletedata": "borrardatos",
    "register": "registrar",
    "myorg": "miorg",
    "invite": "invitar",
    "trainings": "capacitaciones",
    "mytrainings": "miscapacitaciones",
    "topics": "temas",
    "checkin": "asistencia",
    "verify": "verificar",
    "skip": "omitir",
    "newtraining": "nuevacapacitacion",
    "mysessions": "sesiones",
    "topicvote": "votaciontemas",
    "addtopic": "nuevotema",
    "role": "rol",
    "projects": "proyectos",
    "pending": "pendientes",
    "review": "revisar",
    "reload_requirements": "recargar_requisitos",
    "broadcast": "difundir",
    "settings": "ajustes",
    "stop": "pausar",
    "stats": "estadisticas",
    "indicators": "indicadores",
    "export": "exportar",
    "quiet": "sin_contacto",
    "audit": "auditoria",
    "correct": "corregir",
    "scope": "distritos",
    "propose": "proponer",
    "proposals": "propuestas",
    "report": "informe",
    "reportreview": "revisar_informes",
}


def localized(command_name: str, language: str) -> str:
    """The command's name in a language (without the slash)."""
    return SPANISH.get(command_name, command_name) if language == "es" else command_name
