"""What the parts of /projects, /propose and /proposals share: the conversation's name, and
asking the draft's step (bot/projects/drafts.py returns it; what it shows is
bot/projects/screens.py's).
"""

from __future__ import annotations

from telegram import Message, Update

from bot.core.screens import Screen
from bot.projects import drafts
from bot.projects import screens as shown
from bot.projects.models import ProjectStatus
from handlers import screens
from handlers.common import ask, error_text
from handlers.context import VocesContext

FLOW = "propose"
# The shapes of what a button carries (handlers.common.ButtonTable): an id; a code of the domain's.
NUMBER, CODE = r"\d+", r"[a-z0-9_]+"
OPEN_STATUSES = (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED, ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING)


async def ask_screen(update: Update, context: VocesContext, step: drafts.Step, screen: Screen) -> str:
    """Record the draft's step, then show the screen that asks it."""
    text, markup = screens.render(screen)
    return await ask(update, context, flow=FLOW, step=step.name, text=text, reply_markup=markup)


async def ask_current(update: Update, context: VocesContext, step: drafts.Step) -> str:
    """The draft's question, after the problem with the last answer if there was one."""
    question = shown.question(context.i18n, step)
    if step.problem is not None:
        question = question.warned(error_text(context, step.problem))
    return await ask_screen(update, context, step, question)


def upload_of(context: VocesContext, message: Message) -> drafts.Upload:
    """The document (or photo: its largest size) of a message, fetched only if the step takes it."""
    file = message.document or (message.photo[-1] if message.photo else None)

    async def fetch() -> bytes:
        assert file is not None
        return bytes(await (await context.bot.get_file(file.file_id)).download_as_bytearray())

    return drafts.Upload(size=file.file_size if file else None, name=message.document.file_name if message.document else None,
                         fetch=fetch, document=message.document is not None)
