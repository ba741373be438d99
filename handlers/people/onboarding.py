"""First contact: who is talking, the data notice and consent, language, help, cancel, and a
helpful answer for anything that arrives outside a flow."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import normalize_language
from bot.core.screens import screen
from bot.people import people, privacy
from bot.people import rights_screens as rights_shown
from bot.people import screens as shown
from bot.people.commands import (  # noqa: F401 - the tables' old home, still imported from here
    COORDINATOR_COMMANDS,
    LEADER_COMMANDS,
    STAFF_COMMANDS,
    STAFF_ONLY_COMMANDS,
    commands_for,
)
from bot.people.models import Role
from handlers import screens
from handlers.commands import command, localized
from handlers.common import ButtonTable, answer_button, area_buttons
from handlers.context import VocesContext
from handlers.guards import (
    OTHER_AREAS,
    StaleButton,
    answer_stale_button,
    end_flows_of,
    shows_current_card,
)
from handlers.people.show import command_names, replace, say
from handlers.stored_files import file_words

log = logging.getLogger(__name__)


# --- the gatekeeper: runs before every feature ------------------------------------------------


async def meet_person(update: Update, context: VocesContext) -> None:
    """Know who is talking and in which language before any feature answers."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    runtime = context.runtime
    async with runtime.database.session() as session:
        meeting = await people.meet(
            session,
            telegram_id=user.id,
            language=normalize_language(user.language_code, runtime.settings.default_language),
            admin_ids=runtime.settings.admin_ids,
            now=runtime.clock.now(),
        )
    person = meeting.person
    if meeting.wrote:
        # Kept even if the feature that answers fails: a person is known from their first word.
        await runtime.database.commit()
    context.person = person
    context.i18n = runtime.translator(person.language)
    if meeting.role_changed or (person.role is not Role.LEADER and person.telegram_id not in context.voces.personal_menus_set):
        # Staff (and, later, coordinators) see their own commands in the menu: set once per
        # start, so someone just added to ADMIN_IDS gets it without writing /language; and
        # someone taken off ADMIN_IDS gets the leaders' menu back.
        await set_personal_menu(context, person.telegram_id, person.role, person.language)
        context.voces.personal_menus_set.add(person.telegram_id)


# --- /start and the data notice ----------------------------------------------------------------


def notice_text(context: VocesContext, *, greeting: bool) -> str:
    """The notice's text, for a flow that shows it with its own words first (/start join_…)."""
    return shown.notice_text(context.i18n, greeting=greeting)


def notice_keyboard(context: VocesContext, *, more: bool = True):  # noqa: ANN201 - InlineKeyboardMarkup
    return screens.inline_keyboard(screen("", shown.notice_choices(context.i18n, more=more)))


def role_of(context: VocesContext) -> Role:
    return context.person.role if context.person else Role.LEADER


async def start(update: Update, context: VocesContext) -> None:
    person = context.person
    assert person is not None
    if person.has_consented:
        await say(update, context, shown.welcome_back(context.i18n, name=person.display_name, sex=person.sex, role=person.role,
                                                      command=command_names(context.i18n.language)))
        return
    await say(update, context, shown.notice(context.i18n, greeting=True))


@shows_current_card("consent")
async def show_notice(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await say(update, context, shown.notice(context.i18n, greeting=False))


async def read_more(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await say(update, context, shown.full_notice(context.i18n))


async def switch_notice_language(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    language = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    if language not in SUPPORTED_LANGUAGES:
        raise StaleButton(language)  # an old or forged button: nothing is stored
    await change_language(update, context, language)
    await replace(update, context, shown.notice(context.i18n, greeting=True))


async def accept(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
        assert person is not None
        await people.give_consent(
            session, user=person, display_name=update.effective_user.full_name, now=runtime.clock.now()  # type: ignore[union-attr]
        )
    context.person = person
    await replace(update, context, shown.accepted(context.i18n))
    await say(update, context, shown.next_step(context.i18n, role=person.role, command=command_names(context.i18n.language)))


async def decline(update: Update, context: VocesContext) -> None:
    """"I do not accept", on this notice or any older one: consent withdrawn, every flow ended.

    Whatever the person was in the middle of (a registration, an edit, an upload) ends here and
    its drafts are discarded, so no old button or late answer can store anything afterwards.
    """
    await answer_button(update, context)
    runtime = context.runtime
    telegram_id = update.effective_user.id  # type: ignore[union-attr]
    async with runtime.database.session() as session:
        withdrawal = await privacy.withdraw_consent(session, telegram_id=telegram_id, now=runtime.clock.now(),
                                                    claim=runtime.settings.training_claim)
        context.person = await people.get_by_telegram_id(session, telegram_id)
    end_flows_of(context.voces, telegram_id)
    await replace(update, context, shown.declined(context.i18n, withdrawal))


# --- /language ---------------------------------------------------------------------------------


@shows_current_card("lang")
async def choose_language(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.language_picker(context.i18n))


async def language_chosen(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    language = update.callback_query.data.split(":", 1)[1]  # type: ignore[union-attr]
    if language not in SUPPORTED_LANGUAGES:
        raise StaleButton(language)  # an old or forged button
    await change_language(update, context, language)
    await replace(update, context, shown.language_changed(context.i18n))


async def change_language(update: Update, context: VocesContext, language: str) -> None:
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
        assert person is not None
        await people.set_language(session, user=person, language=language)
    context.person = person
    context.i18n = runtime.translator(language)
    await set_personal_menu(context, person.telegram_id, person.role, language)


# --- the command menu --------------------------------------------------------------------------


def bot_commands(role: Role, language: str, application: Application) -> list[BotCommand]:  # type: ignore[type-arg]
    i18n = application.runtime.translator(language)  # type: ignore[attr-defined]
    return [BotCommand(localized(name, language), i18n.gettext(description)) for name, description in commands_for(role)]


async def set_default_menus(application: Application) -> None:  # type: ignore[type-arg]
    """Leaders' commands for each language Telegram's app may be set to; staff get their own."""
    default = application.runtime.settings.default_language  # type: ignore[attr-defined]
    await application.bot.set_my_commands(bot_commands(Role.LEADER, default, application))
    for language in SUPPORTED_LANGUAGES:
        await application.bot.set_my_commands(bot_commands(Role.LEADER, language, application), language_code=language)
    # Staff and coordinators find their own commands in the menu from the start, as a menu
    # set for a chat stays in Telegram; not only once they have written since this start.
    async with application.runtime.database.session() as session:  # type: ignore[attr-defined]
        with_own_menu = await people.with_their_own_menu(session)
    for person in with_own_menu:
        try:
            await application.bot.set_my_commands(
                bot_commands(person.role, person.language, application), scope=BotCommandScopeChat(person.telegram_id)
            )
        except TelegramError:
            log.warning("could not set the command menu of user %s at start", person.id)
        else:
            application.personal_menus_set.add(person.telegram_id)  # type: ignore[attr-defined]


async def set_personal_menu(context: VocesContext, chat_id: int, role: Role, language: str) -> None:
    """A menu for one chat: staff commands, or a language other than the phone's."""
    try:
        await context.bot.set_my_commands(
            bot_commands(role, language, context.application), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError:
        log.warning("could not set the command menu for a chat", exc_info=True)


# --- /help, /cancel, and everything outside a flow ---------------------------------------------


def help_text(context: VocesContext, *, role: Role | None = None) -> str:
    """/help's text in the context's language, for `role` (else the person's)."""
    return shown.help_text(context.i18n, role=role or role_of(context), command=command_names(context.i18n.language))


@shows_current_card(OTHER_AREAS)
async def show_help(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.help_screen(context.i18n, role=role_of(context), command=command_names(context.i18n.language)))


async def nothing_to_cancel(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.nothing_to_cancel(context.i18n))


async def unknown_command(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.unknown_command(context.i18n, role=role_of(context), command=command_names(context.i18n.language)))


async def text_outside_a_flow(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.not_understood(context.i18n, role=role_of(context), command=command_names(context.i18n.language)))


async def sticker_outside_a_flow(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.sticker(context.i18n))


async def file_outside_a_flow(update: Update, context: VocesContext) -> None:
    await say(update, context, shown.file_outside_a_flow(context.i18n))


async def stale_button(update: Update, context: VocesContext) -> None:
    """A button from an old message, one whose flow already ended, or forged data."""
    await answer_stale_button(update, context)


# --- /mydata and /deletedata -------------------------------------------------------------------


async def my_data(update: Update, context: VocesContext) -> None:
    """Everything the bot holds on the person, in the chat and as files. Long lists are split
    by `reply`."""
    runtime = context.runtime
    telegram_id = update.effective_user.id  # type: ignore[union-attr]
    async with runtime.database.session() as session:
        summary = await privacy.summarize_person(session, telegram_id=telegram_id, file_words=file_words(context.i18n))
        records = await privacy.records_of(session, telegram_id=telegram_id, mask=runtime.cipher.masked)
    mine = rights_shown.my_data(context.i18n, summary, records, mask=runtime.cipher.masked, now=runtime.clock.now())
    # The files first: the summary, read in the chat, stays the last message.
    for file in mine.files:
        await context.bot.send_document(telegram_id, file.data, filename=file.name, caption=file.caption or None)
    await say(update, context, mine)


async def ask_to_withdraw(update: Update, context: VocesContext) -> None:
    """Withdrawing consent is as easy as giving it (Ley 29733): from /mydata, with one question."""
    await answer_button(update, context)
    await say(update, context, rights_shown.ask_to_withdraw(context.i18n))


async def stay(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await replace(update, context, rights_shown.consent_stays(context.i18n))


async def ask_to_delete(update: Update, context: VocesContext) -> None:
    await say(update, context, rights_shown.ask_to_delete(context.i18n))


async def erase(update: Update, context: VocesContext) -> None:
    """Every row, every stored file, PTB's copies and the chat's own command menu."""
    await answer_button(update, context)
    runtime = context.runtime
    telegram_id = update.effective_user.id  # type: ignore[union-attr]
    person_id = context.person.id if context.person else None
    async with runtime.database.session() as session:
        erasure = await privacy.erase_person(session, telegram_id=telegram_id, now=runtime.clock.now(), zone=runtime.settings.zone,
                                             claim=runtime.settings.training_claim)
    # Files go only once the rows that refer to them are gone for good.
    await runtime.database.commit()
    end_flows_of(context.voces, telegram_id)
    if context.application.persistence is not None:
        await context.application.persistence.drop_user_data(telegram_id)
    context.voces.personal_menus_set.discard(telegram_id)
    context.person = None
    async with runtime.database.session() as session:
        removable = await privacy.unreferenced(session, erasure.files)
    for path in removable:
        runtime.files.delete(path)
    log.info("erased user %s: %d organizations, %d files", person_id, len(erasure.organizations_erased), len(removable))
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError:
        log.info("could not remove the command menu of an erased user's chat")
    keep_days = runtime.settings.backup_keep_days if runtime.settings.backup_dir is not None else None
    await replace(update, context, rights_shown.erased(context.i18n, backup_keep_days=keep_days))


async def keep(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await replace(update, context, rights_shown.nothing_erased(context.i18n))


# consent:show|more|yes|no  consent:lang:<language>   lang:<language>   privacy:erase|keep|withdraw|stay
CONSENT: ButtonTable = {
    "show": (None, show_notice),
    "more": (None, read_more),
    "yes": (None, accept),
    "no": (None, decline),
    "lang": (r"[a-z]{2}", switch_notice_language),
}
LANG: ButtonTable = {language: (None, language_chosen) for language in SUPPORTED_LANGUAGES}
PRIVACY: ButtonTable = {"erase": (None, erase), "keep": (None, keep), "withdraw": (None, ask_to_withdraw), "stay": (None, stay)}


def register(application: Application) -> None:  # type: ignore[type-arg]
    """The gatekeeper in its own early group; the rest in the features' group, in order."""
    application.add_handler(TypeHandler(Update, meet_person), group=-10)
    application.add_handlers(
        [
            command("start", start),
            area_buttons("consent", CONSENT),
            command("language", choose_language),
            area_buttons("lang", LANG),
            command("help", show_help),
            command("mydata", my_data),
            command("deletedata", ask_to_delete),
            area_buttons("privacy", PRIVACY),
        ]
    )


def register_fallbacks(application: Application) -> None:  # type: ignore[type-arg]
    """Last in the features' group: only what no feature took arrives here."""
    application.add_handlers(
        [
            command("cancel", nothing_to_cancel),
            MessageHandler(filters.COMMAND, unknown_command),
            MessageHandler(filters.Sticker.ALL, sticker_outside_a_flow),
            MessageHandler(filters.Document.ALL | filters.PHOTO | filters.VIDEO | filters.VOICE | filters.AUDIO, file_outside_a_flow),
            MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, text_outside_a_flow),
            CallbackQueryHandler(stale_button),
        ]
    )
