"""Commands in the person's language: each command has its English name and a Spanish one.

Leaders are Spanish speakers with varied digital literacy, and `/register` or `/myorg` are
English words. Every command answers to both names for everyone; the menu beside the text box,
/help and the bot's own messages name the one of the person's language.

Register a command with `command("register", callback)` instead of PTB's `CommandHandler`, and
give it its Spanish name in `SPANISH` (bot/people/commands.py, the table both channels name
commands by; lower case, no accents: Telegram allows only a-z, 0-9 and _ in commands).
"""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import CommandHandler

from bot.people.commands import SPANISH, localized  # noqa: F401 - localized: imported from here too

_ENGLISH = {spanish: english for english, spanish in SPANISH.items()}


def names(command_name: str) -> list[str]:
    """Every name a command answers to: its English name and its Spanish one."""
    spanish = SPANISH.get(command_name)
    return [command_name, spanish] if spanish and spanish != command_name else [command_name]


def command(command_name: str, callback: Any, **kwargs: Any) -> CommandHandler:  # type: ignore[type-arg]
    """PTB's CommandHandler for the command under both its names."""
    return CommandHandler(names(command_name), callback, **kwargs)


def english_name(typed: str) -> str:
    """Whatever name was typed, the command's English (internal) name."""
    return _ENGLISH.get(typed, typed)


_MENTION = re.compile(r"(?<![\w/])/([a-z_]+)\b")


def in_language(text: str, language: str) -> str:
    """A translated text whose /commands are written in English, with the person's names."""
    if language != "es":
        return text
    return _MENTION.sub(lambda match: "/" + SPANISH.get(match.group(1), match.group(1)), text)
