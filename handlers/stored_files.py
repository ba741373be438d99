"""Sending staff (or a leader) a file the bot keeps: under the name the bot makes, never the
sender's, with the sender's name only as a label in the caption (bot/core/uploads.py)."""

from __future__ import annotations

from bot.core import uploads
from bot.core.i18n import Translator
from bot.core.uploads import FILE_AREA_WORDS, FILE_NAME_CONTEXT
from bot.projects.models import ProjectFile
from bot.ruos.models import StoredFile
from handlers.common import escape
from handlers.context import VocesContext


def file_words(i18n: Translator) -> dict[str, str]:
    """The words a file's name starts with, in the reader's language ("propuesta", "informe")."""
    return {area: i18n.pgettext(FILE_NAME_CONTEXT, word) for area, word in FILE_AREA_WORDS.items()}


async def send_stored_file(context: VocesContext, chat_id: int, stored: StoredFile | ProjectFile, *, organization: str,
                           report_number: int | None = None) -> None:
    content = context.runtime.files.read(stored.storage_path)
    name = uploads.stored_file_name(stored, organization=organization, report_number=report_number, content=content,
                                    words=file_words(context.i18n))
    shown = uploads.label(stored.original_name)  # rows kept before names were cleaned carry them raw
    caption = context.gettext("Sent as “%(name)s”") % {"name": escape(shown)} if shown else None
    await context.bot.send_document(chat_id, content, filename=name, caption=caption)
