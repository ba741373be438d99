"""The people area's part of notices (bot/messaging/notices.part): the commands of a role, in
the recipient's language, for the notice that their role changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.people import screens
from bot.people.commands import localized
from bot.people.models import Role


async def help_part(args: Mapping[str, Any], i18n: Translator, _runtime: Runtime) -> str:
    return screens.help_text(i18n, role=Role(args["role"]), command=lambda name: localized(name, i18n.language))


PARTS = {"help": help_part}
