"""What the questions area's parts share: the flow's name and steps, who is talking, the
thread as text, and telling the people the domain says must be told, each in their language."""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_, Translator
from bot.people import authority
from bot.people.models import User
from bot.questions import questions
from bot.questions.models import QuestionMessage
from handlers.common import escape
from handlers.context import VocesContext

FLOW = "questions"
WRITING, TYPING = "writing", "typing"  # the question's draft; a text for a thread (target in user_data)
TARGET = "ask_target"  # what the next typed text is: answer:<q>, reply:<q>, title:<message>, feedback

EXPECT = N_("The team answers within two working days; I will write to you here.")


def person(context: VocesContext) -> User:
    assert context.person is not None
    return context.person


async def viewer(session, context: VocesContext) -> authority.Viewer:  # noqa: ANN001
    return await questions.viewer_of(session, user_id=person(context).id)


def thread_text(i18n: Translator, messages: list[QuestionMessage], names: dict[int, str], *, for_team: bool) -> str:
    """The thread, oldest first; the leader sees "The team" where the team sees who wrote."""
    lines = []
    for message in messages[-12:]:
        if message.from_team:
            who = (names.get(message.author_id or 0) or i18n.gettext("The team")) if for_team else i18n.gettext("The team")
            icon = "🧑‍💼"
        else:
            who = names.get(message.author_id or 0) or "—"
            icon = "👤"
        when = i18n.datetime(message.sent_at, "short")
        body = escape(message.text) if message.text else ""
        if message.file_name:
            body += ("\n" if body else "") + "📎 " + escape(message.file_name)
        lines.append(f"{icon} <b>{escape(who)}</b> · {when}\n{body}")
    return "\n\n".join(lines)


def command_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").split()[0].lstrip("/").split("@")[0].lower() if message and message.text else ""
