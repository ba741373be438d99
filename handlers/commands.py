"""Commands in the person's language: each command has its English name and a Spanish one.

Leaders are Spanish speakers with varied digital literacy, and `/register` or `/myorg` are
English words. Every command answers to both names for everyone; the menu beside the text box,
/help and the bot's own messages name the one of the person's language.

Register a command with `command("register", callback)` instead of PTB's `CommandHandler`, and
give it its Spanish name in `SPANISH` (lower case, no accents: Telegram allows only a-z, 0-9 and
_ in commands).
"""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import CommandHandler

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
_ENGLISH = {spanish: english for english, spanish in SPANISH.items()}


def names(command_name: str) -> list[str]:
    """Every name a command answers to: its English name and its Spanish one."""
    spanish = SPANISH.get(command_name)
    return [command_name, spanish] if spanish and spanish != command_name else [command_name]


def command(command_name: str, callback: Any, **kwargs: Any) -> CommandHandler:  # type: ignore[type-arg]
    """PTB's CommandHandler for the command under both its names."""
    return CommandHandler(names(command_name), callback, **kwargs)


def localized(command_name: str, language: str) -> str:
    """The command's name in a language (without the slash)."""
    return SPANISH.get(command_name, command_name) if language == "es" else command_name


def english_name(typed: str) -> str:
    """Whatever name was typed, the command's English (internal) name."""
    return _ENGLISH.get(typed, typed)


_MENTION = re.compile(r"(?<![\w/])/([a-z_]+)\b")


def in_language(text: str, language: str) -> str:
    """A translated text whose /commands are written in English, with the person's names."""
    if language != "es":
        return text
    return _MENTION.sub(lambda match: "/" + SPANISH.get(match.group(1), match.group(1)), text)
