"""/settings: the language, which kinds of message a person receives, quiet hours; /stop
pauses everything the bot sends on its own (broadcasts, reminders) until /start.

Answers to what the person writes are never held back: these choices are read only by what
the bot sends unasked (handlers/broadcasts/delivery.py, handlers/messaging/reminders.py).
"""

from __future__ import annotations

from datetime import time

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.broadcasts.models import MessageKind, NotificationSettings
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_
from bot.core.labels import LANGUAGE_NAMES, MESSAGE_KIND_NAMES
from bot.people import notifications
from handlers.commands import command
from handlers.common import answer_button, edit_or_reply, keyboard, reply
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card

# Quiet hours to choose from, by a short code for the button: (start, end); None: the programme's.
QUIET_CHOICES: dict[str, tuple[time, time] | None] = {
    "default": None,
    "2207": (time(22, 0), time(7, 0)),
    "2009": (time(20, 0), time(9, 0)),
    "none": (time(0, 0), time(0, 0)),
}


def _who(context: VocesContext) -> int:
    assert context.person is not None
    return context.person.id


def quiet_text(context: VocesContext, row: NotificationSettings | None) -> str:
    _ = context.gettext
    settings = context.runtime.settings
    if row is None or row.quiet_start is None or row.quiet_end is None:
        start, end, own = settings.quiet_hours_start, settings.quiet_hours_end, False
    else:
        start, end, own = row.quiet_start, row.quiet_end, True
    if start == end:
        return _("none")
    span = f"{start:%H:%M}–{end:%H:%M}"
    return span if own else _("%(span)s (the programme's)") % {"span": span}


async def settings_card(update: Update, context: VocesContext, *, edit: bool) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        row = await notifications.settings_of(session, user_id=_who(context))
    muted = set(row.muted) if row else set()
    paused = row is not None and row.paused_at is not None
    person = context.person
    assert person is not None
    lines = [_("⚙️ <b>Your settings</b>"),
             _("Language: %(language)s") % {"language": LANGUAGE_NAMES.get(person.language, person.language)},
             _("Quiet hours (nothing I send on my own arrives then): %(hours)s") % {"hours": quiet_text(context, row)},
             _("Messages I send on my own, tap to switch them on or off:")]
    if paused:
        lines.insert(1, _("⏸ Paused: I send you nothing on my own until you send /start."))
    rows = [[(("✅ " if kind.value not in muted else "▫️ ") + _(name), f"set:kind:{kind.value}")] for kind, name in MESSAGE_KIND_NAMES.items()]
    rows.append([(_("🌐 Language"), "set:lang"), (_("🌙 Quiet hours"), "set:quiet")])
    rows.append([(_("▶️ Resume messages"), "set:resume")] if paused else [(_("⏸ Pause everything (/stop)"), "set:pause")])
    text = "\n".join(lines)
    if edit:
        await edit_or_reply(update, context, text, reply_markup=keyboard(rows))
    else:
        await reply(update, context, text, reply_markup=keyboard(rows))


@shows_current_card("set")
async def show_settings(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await settings_card(update, context, edit=False)


async def toggle_kind(update: Update, context: VocesContext) -> None:
    value = (update.callback_query.data or "").rsplit(":", 1)[-1]  # type: ignore[union-attr]
    if value not in {kind.value for kind in MessageKind}:
        raise StaleButton(value)
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await notifications.toggle_kind(session, user_id=_who(context), kind=MessageKind(value), now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


async def language(update: Update, context: VocesContext) -> None:
    """The language picker in place of the settings card, with a way back to it."""
    await answer_button(update, context)
    rows = [[(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED_LANGUAGES], [(context.gettext("⬅️ Back"), "set:back")]]
    await edit_or_reply(update, context, context.gettext("Which language do you prefer?"), reply_markup=keyboard(rows))


async def back_to_settings(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await settings_card(update, context, edit=True)


async def quiet_menu(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _ = context.gettext
    settings = context.runtime.settings
    labels = {
        "default": _("The programme's, %(span)s") % {"span": f"{settings.quiet_hours_start:%H:%M}–{settings.quiet_hours_end:%H:%M}"},
        "2207": "22:00–07:00", "2009": "20:00–09:00", "none": _("No quiet hours"),
    }
    rows = [[(label, f"set:quiet:{code}")] for code, label in labels.items()]
    rows.append([(_("⬅️ Back"), "set:back")])
    await edit_or_reply(update, context, _("When should I keep quiet? Times are Lima time."), reply_markup=keyboard(rows))


async def quiet_chosen(update: Update, context: VocesContext) -> None:
    code = (update.callback_query.data or "").rsplit(":", 1)[-1]  # type: ignore[union-attr]
    if code not in QUIET_CHOICES:
        raise StaleButton(code)
    await answer_button(update, context)
    hours = QUIET_CHOICES[code]
    async with context.runtime.database.session() as session:
        await notifications.set_quiet_hours(session, user_id=_who(context), start=hours[0] if hours else None,
                                            end=hours[1] if hours else None, now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


PAUSED = N_("⏸ Paused. I will send you no announcements or reminders until you send /start. I still answer whatever you write to me.")


async def stop(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        newly = await notifications.pause(session, user_id=_who(context), now=context.runtime.clock.now())
    text = context.gettext(PAUSED) if newly else context.gettext("Already paused. Send /start to get messages again.")
    if update.callback_query is not None:
        await settings_card(update, context, edit=True)
    await reply(update, context, text)


async def resume(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    async with context.runtime.database.session() as session:
        await notifications.resume(session, user_id=_who(context), now=context.runtime.clock.now())
    await settings_card(update, context, edit=True)


async def start_resumes(update: Update, context: VocesContext) -> None:
    """/start after /stop: messages again. /start itself goes on to its own handler."""
    if context.person is None:
        return
    async with context.runtime.database.session() as session:
        resumed = await notifications.resume(session, user_id=context.person.id, now=context.runtime.clock.now())
        announcements = resumed and await notifications.wants(session, user_id=context.person.id, kind=MessageKind.ANNOUNCEMENTS)
    if resumed and announcements:
        await reply(update, context, context.gettext("▶️ Messages resumed: you will get announcements and reminders again."))
    elif resumed:  # announcements stay off, as the person chose in /settings
        await reply(update, context, context.gettext("▶️ Messages resumed: you will get reminders again. Announcements stay off, as you chose in /settings."))


def register(application) -> None:  # noqa: ANN001
    # Before the features' group, which answers /start as always.
    application.add_handler(CommandHandler("start", start_resumes), group=-1)
    application.add_handlers([
        command("settings", show_settings),
        command("stop", stop),
        CallbackQueryHandler(toggle_kind, pattern=r"^set:kind:[a-z]+$"),
        CallbackQueryHandler(language, pattern=r"^set:lang$"),
        CallbackQueryHandler(back_to_settings, pattern=r"^set:back$"),
        CallbackQueryHandler(quiet_menu, pattern=r"^set:quiet$"),
        CallbackQueryHandler(quiet_chosen, pattern=r"^set:quiet:[a-z0-9]+$"),
        CallbackQueryHandler(stop, pattern=r"^set:pause$"),
        CallbackQueryHandler(resume, pattern=r"^set:resume$"),
    ])
