"""What the questions area's parts share: the flow's name and steps, and who is talking."""

from __future__ import annotations

from telegram import Update

from bot.people import authority
from bot.people.models import User
from bot.questions import questions
from handlers.context import VocesContext

FLOW = "questions"
WRITING, TYPING = "writing", "typing"  # the question's draft; a text for a thread (target in user_data)
TARGET = "ask_target"  # what the next typed text is: answer:<q>, reply:<q>, title:<message>, feedback


def person(context: VocesContext) -> User:
    assert context.person is not None
    return context.person


async def viewer(session, context: VocesContext) -> authority.Viewer:  # noqa: ANN001
    return await questions.viewer_of(session, user_id=person(context).id)


def command_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").split()[0].lstrip("/").split("@")[0].lower() if message and message.text else ""
