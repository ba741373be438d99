"""/trainings: the sessions people can still attend. Read-only for now: enrollment comes later.
(/projects moved to handlers/projects.py.)"""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot.i18n import N_
from bot.models.trainings import TrainingSession, TrainingTopic
from bot.services import trainings
from handlers.common import escape, reply
from handlers.context import VocesContext

TOPIC = {
    TrainingTopic.LEADERSHIP: N_("Leadership"),
    TrainingTopic.PROJECT_MANAGEMENT: N_("Project management"),
    TrainingTopic.DATA_PROTECTION: N_("Data protection"),
    TrainingTopic.OFFICE_TOOLS: N_("Office tools"),
    TrainingTopic.TAX: N_("Taxes (SUNAT)"),
    TrainingTopic.NONPROFIT_ACCOUNTING: N_("Non-profit accounting"),
}


# --- /trainings --------------------------------------------------------------------------------


def when_text(context: VocesContext, starts_at: datetime, ends_at: datetime) -> str:
    """The day once and both times when a session fits in one local day, as nearly all do."""
    i18n = context.i18n
    if starts_at.astimezone(i18n.zone).date() != ends_at.astimezone(i18n.zone).date():
        return context.gettext("%(start)s to %(end)s") % {
            "start": i18n.datetime(starts_at, "short"), "end": i18n.datetime(ends_at, "short"),
        }
    return context.gettext("%(day)s, %(start)s to %(end)s") % {
        "day": i18n.date(starts_at, "full"),
        "start": i18n.time(starts_at), "end": i18n.time(ends_at),
    }


def session_text(context: VocesContext, training: TrainingSession) -> str:
    _ = context.gettext
    lines = [f"<b>{escape(training.title)}</b>"]
    if training.description:
        lines.append(f"<i>{escape(training.description)}</i>")
    lines += [
        _("Topic: %(value)s") % {"value": _(TOPIC[training.topic])},
        f"🗓 {when_text(context, training.starts_at, training.ends_at)}",
        _("💻 Online") if training.online else f"📍 {escape(training.venue)}",
        _("Places: %(count)s") % {"count": context.i18n.number(training.capacity)},
    ]
    return "\n".join(lines)


async def list_trainings(update: Update, context: VocesContext) -> None:
    # Only the programme's calendar is shown and nothing is kept: no consent needed.
    _ = context.gettext
    async with context.runtime.database.session() as session:
        upcoming = await trainings.upcoming_sessions(session, now=context.runtime.clock.now())
    if not upcoming:
        await reply(update, context, _("No trainings are scheduled yet. Check again soon with /trainings."))
        return
    parts = [_("<b>Upcoming trainings</b>"), *(session_text(context, training) for training in upcoming)]
    await reply(update, context, "\n\n".join(parts))


def register(application) -> None:  # noqa: ANN001
    application.add_handlers([
        CommandHandler("trainings", list_trainings),
    ])
