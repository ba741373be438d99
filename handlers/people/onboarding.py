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

from bot.broadcasts.models import MessageKind
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_, normalize_language
from bot.core.labels import (
    ENROLLMENT_STATE_NAMES,
    LANGUAGE_NAMES,
    MESSAGE_KIND_NAMES,
    NATIONALITY_CHOICE,
    ROLE_NAMES,
    SEX_CHOICE,
)
from bot.core.validation import IdDocumentType, format_phone_for_display
from bot.documents import personal_data
from bot.organizations.models import BoardRole, LeaderRole
from bot.people import people, privacy
from bot.people.models import Role
from handlers import labels
from handlers.commands import command, localized
from handlers.common import answer_button, edit_or_reply, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.guards import (
    OTHER_AREAS,
    StaleButton,
    answer_stale_button,
    end_flows_of,
    shows_current_card,
)
from handlers.people.rights import declared
from handlers.stored_files import file_words

log = logging.getLogger(__name__)

# One table drives /help and the command menu Telegram shows beside the text box.
LEADER_COMMANDS = (
    ("register", N_("Register your organization")),
    ("myorg", N_("See and edit your organization")),
    ("invite", N_("Invite a co-leader")),
    ("ruos", N_("RUOS checklist and documents")),
    ("trainings", N_("Upcoming training sessions")),
    ("mytrainings", N_("Your trainings and certificates")),
    ("topics", N_("Vote for the next training topics")),
    ("projects", N_("Your organization's projects")),
    ("propose", N_("Propose a community project")),
    ("report", N_("Report on a funded project")),
    ("language", N_("Change the language")),
    ("settings", N_("Which messages you get, and when")),
    ("stop", N_("Pause messages I send on my own (/start resumes them)")),
    ("mydata", N_("See the data Voces keeps about you")),
    ("correct", N_("Correct your name, sex or nationality")),
    ("deletedata", N_("Erase your data")),
    ("help", N_("What I can do")),
    ("cancel", N_("Leave what you are doing")),
)
STAFF_COMMANDS = (
    ("audit", N_("Who read or changed what")),
    ("scope", N_("The districts each coordinator follows")),
    ("review", N_("Documents waiting for review")),
    ("proposals", N_("Community projects and proposals")),
    ("reportreview", N_("Project reports waiting for review")),
    ("reload_requirements", N_("Reload the requirement files")),
)


# Coordinators run trainings; staff get these too (they can do everything coordinators can).
COORDINATOR_COMMANDS = (
    # The console: coordinators see their districts' organizations only (bot/console/audit.py).
    ("pending", N_("Everything waiting for staff")),
    ("org", N_("An organization's status: /org and part of its name")),
    ("stats", N_("Programme figures, with a chart")),
    ("indicators", N_("The indicator sheet for a period")),
    ("export", N_("Everything in a spreadsheet")),
    ("quiet", N_("Organizations that went quiet")),
    ("newtraining", N_("Create a training session")),
    ("mysessions", N_("Sessions: lists, check-in, edit, cancel")),
    ("topicvote", N_("Open or close a topic vote")),
    ("addtopic", N_("Add a training topic")),
    ("broadcast", N_("Send a message to many people")),
)
STAFF_ONLY_COMMANDS = (("role", N_("Make someone a coordinator or staff")),)


def commands_for(role: Role) -> tuple[tuple[str, str], ...]:
    """The command menu: a person's own tools first, then what everyone has."""
    if role is Role.STAFF:
        return STAFF_COMMANDS + STAFF_ONLY_COMMANDS + COORDINATOR_COMMANDS + LEADER_COMMANDS
    if role is Role.COORDINATOR:
        return COORDINATOR_COMMANDS + LEADER_COMMANDS
    return LEADER_COMMANDS


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
    _ = context.gettext
    lines = []
    if greeting:
        lines += [
            _("Hello! I am <b>Voces</b>, the assistant of the programme that supports your organization."),
            _("I help you register your organization, get the RUOS documents ready, sign up for trainings and report on your projects."),
            "",
        ]
    lines += [
        _("<b>Before we start: your data</b>"),
        _("• <b>What I keep:</b> your Telegram name and language, and what you register (your organization, its board, documents)."),
        _("• <b>Why:</b> to follow up your organization's registration, trainings and projects."),
        _("• <b>Who sees it:</b> only the programme staff."),
        _("• Telegram keeps chats on servers outside Peru."),
        _("• You can see your data with /mydata and erase it with /deletedata at any time."),
        "",
        _("Do you accept?"),
    ]
    return "\n".join(lines)


def full_notice_text(context: VocesContext) -> str:
    _ = context.gettext
    return "\n".join(
        [
            _("<b>How Voces looks after your data</b>"),
            _("Voces is run by the capacity-building programme for social organizations in Lima and Callao. Under Peru's Personal Data Protection Law (Ley 29733) we ask for your consent before keeping anything about you."),
            _("<b>What we keep:</b> your Telegram name, your language, and what you enter: your organization's details, its board members (names and identity document numbers), the documents you upload and your reports. Identity numbers are stored encrypted and shown only masked, like ****5678."),
            _("<b>What for:</b> to follow up the registration of your organization, invite you to trainings, and remind you of deadlines. Nothing is sold or published."),
            _("<b>Who sees it:</b> the programme staff who accompany your organization."),
            _("<b>Where:</b> our database, and Telegram, which keeps chats on its servers outside Peru."),
            _("<b>Your rights:</b> see your data (/mydata), correct it (/myorg), erase it (/deletedata), withdraw consent and object at any time, free of charge."),
            _("If you do not accept, the bot keeps only your Telegram number and language, to remember your answer."),
        ]
    )


def notice_keyboard(context: VocesContext, *, more: bool = True):  # noqa: ANN201 - InlineKeyboardMarkup
    _ = context.gettext
    other = next(code for code in SUPPORTED_LANGUAGES if code != context.i18n.language)
    rows = [[(_("✅ I accept"), "consent:yes"), (_("I do not accept"), "consent:no")]]
    if more:
        rows.append([(_("Read more"), "consent:more")])
    rows.append([(LANGUAGE_NAMES[other], f"consent:lang:{other}")])
    return keyboard(rows)


async def start(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    person = context.person
    assert person is not None
    if person.has_consented:
        name = escape(person.display_name or "")
        await reply(update, context, context.addressed("Welcome back, %(name)s!") % {"name": name} + "\n\n" + help_text(context))
        return
    await reply(update, context, notice_text(context, greeting=True), reply_markup=notice_keyboard(context))


@shows_current_card("consent")
async def show_notice(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await reply(update, context, notice_text(context, greeting=False), reply_markup=notice_keyboard(context))


async def read_more(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await reply(update, context, full_notice_text(context), reply_markup=notice_keyboard(context, more=False))


async def switch_notice_language(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    language = update.callback_query.data.rsplit(":", 1)[1]  # type: ignore[union-attr]
    if language not in SUPPORTED_LANGUAGES:
        raise StaleButton(language)  # an old or forged button: nothing is stored
    await change_language(update, context, language)
    await edit_or_reply(update, context, notice_text(context, greeting=True), reply_markup=notice_keyboard(context))


async def accept(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _ = context.gettext
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await people.get(session, context.person.id)  # type: ignore[union-attr]
        assert person is not None
        await people.give_consent(
            session, user=person, display_name=update.effective_user.full_name, now=runtime.clock.now()  # type: ignore[union-attr]
        )
    context.person = person
    await edit_or_reply(update, context, _("✅ Thank you. You accepted the data notice."))
    await reply(
        update,
        context,
        _("Your next step: register your organization with /register.") + "\n\n" + help_text(context),
    )


async def decline(update: Update, context: VocesContext) -> None:
    """"I do not accept", on this notice or any older one: consent withdrawn, every flow ended.

    Whatever the person was in the middle of (a registration, an edit, an upload) ends here and
    its drafts are discarded, so no old button or late answer can store anything afterwards.
    """
    await answer_button(update, context)
    _ = context.gettext
    runtime = context.runtime
    telegram_id = update.effective_user.id  # type: ignore[union-attr]
    async with runtime.database.session() as session:
        withdrawal = await privacy.withdraw_consent(session, telegram_id=telegram_id, now=runtime.clock.now(),
                                                    claim=runtime.settings.training_claim)
        context.person = await people.get_by_telegram_id(session, telegram_id)
    end_flows_of(context.voces, telegram_id)
    if withdrawal.had_consented:
        lines = [
            _("You withdrew your consent. I stopped whatever you were doing and discarded what you had not finished."),
            _("What you registered before stays with the programme; see it with /mydata and erase it with /deletedata."),
            _("Send /start whenever you change your mind."),
        ]
        if withdrawal.trainings_left:
            lines.insert(1, context.i18n.ngettext(
                "I gave up your place in %(count)s upcoming training session, so the next person in line can have it.",
                "I gave up your places in %(count)s upcoming training sessions, so the next people in line can have them.",
                withdrawal.trainings_left) % {"count": withdrawal.trainings_left})
    else:
        lines = [
            _("Understood. I have not kept your name or anything you would register."),
            _("Without accepting you can still read /help and change the /language."),
            _("Registering an organization, uploading documents and signing up for trainings need your consent. Send /start whenever you change your mind."),
        ]
    await edit_or_reply(update, context, "\n".join(lines))


# --- /language ---------------------------------------------------------------------------------


@shows_current_card("lang")
async def choose_language(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    rows = [[(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED_LANGUAGES]]
    await reply(update, context, _("Which language do you prefer?"), reply_markup=keyboard(rows))


async def language_chosen(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    language = update.callback_query.data.split(":", 1)[1]  # type: ignore[union-attr]
    if language not in SUPPORTED_LANGUAGES:
        raise StaleButton(language)  # an old or forged button
    await change_language(update, context, language)
    await edit_or_reply(update, context, context.gettext("Done: I will speak English with you."))


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
    _ = context.gettext
    role = role or (context.person.role if context.person else Role.LEADER)
    lines = [_("<b>What I can do</b>")]
    language = context.i18n.language
    lines += [f"/{localized(name, language)} — {_(description)}" for name, description in LEADER_COMMANDS]
    if role in (Role.COORDINATOR, Role.STAFF):
        lines += ["", _("<b>Trainings</b>")]
        lines += [f"/{localized(name, language)} — {_(description)}" for name, description in COORDINATOR_COMMANDS]
    if role is Role.STAFF:
        lines += ["", _("<b>Staff</b>")]
        lines += [f"/{localized(name, language)} — {_(description)}" for name, description in STAFF_COMMANDS + STAFF_ONLY_COMMANDS]
    return "\n".join(lines)


@shows_current_card(OTHER_AREAS)
async def show_help(update: Update, context: VocesContext) -> None:
    await reply(update, context, help_text(context))


async def nothing_to_cancel(update: Update, context: VocesContext) -> None:
    await reply(update, context, context.gettext("There is nothing to cancel right now."))


async def unknown_command(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await reply(update, context, _("I do not know that command.") + "\n\n" + help_text(context))


async def text_outside_a_flow(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await reply(update, context, _("I did not understand that message.") + "\n\n" + help_text(context))


async def sticker_outside_a_flow(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await reply(update, context, _("Nice sticker! I only understand text and commands. Send /help to see what I can do."))


async def file_outside_a_flow(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await reply(
        update,
        context,
        _("To send a document for your organization's RUOS checklist, open /ruos and choose the requirement first. I have not kept this file."),
    )


async def stale_button(update: Update, context: VocesContext) -> None:
    """A button from an old message, one whose flow already ended, or forged data."""
    await answer_stale_button(update, context)


# --- /mydata and /deletedata -------------------------------------------------------------------


async def my_data(update: Update, context: VocesContext) -> None:
    """Everything the bot holds on the person: who they are to it, what they lead and entered,
    what they uploaded and the invitations they made. Long lists are split by `reply`."""
    _ = context.gettext
    async with context.runtime.database.session() as session:
        summary = await privacy.summarize_person(session, telegram_id=update.effective_user.id,  # type: ignore[union-attr]
                                                 file_words=file_words(context.i18n))
    i18n = context.i18n
    cipher = context.runtime.cipher
    lines = [_("<b>What Voces keeps about you</b>")]
    lines.append(_("Telegram id: %(id)s") % {"id": summary.telegram_id})
    lines.append(_("Name: %(name)s") % {"name": escape(summary.display_name or _("(not kept)"))})
    lines.append(_("Language: %(language)s") % {"language": LANGUAGE_NAMES.get(summary.language, summary.language)})
    lines.append(_("Role: %(role)s") % {"role": _(ROLE_NAMES[Role(summary.role)])})
    lines.append(_("Sex: %(sex)s · Nationality: %(nationality)s (as you said, if you did; only counted in anonymous totals)") % {
        "sex": declared(context, SEX_CHOICE, summary.sex), "nationality": declared(context, NATIONALITY_CHOICE, summary.nationality)})
    if summary.consent_at:
        lines.append(_("Consent given: %(date)s") % {"date": i18n.datetime(summary.consent_at, "short")})
    else:
        lines.append(_("Consent: not given"))
    lines.append(_("First contact: %(date)s") % {"date": i18n.datetime(summary.first_seen, "short")})
    lines.append(_("Last message (to the nearest 15 minutes): %(date)s") % {"date": i18n.datetime(summary.last_seen, "short")})
    for organization in summary.organizations:
        role = _("owner") if organization.role is LeaderRole.OWNER else _("co-leader")
        lines += ["", _("<b>%(name)s</b> (you are %(role)s)") % {"name": escape(organization.name), "role": role}]
        lines.append(_("Contact phone: %(phone)s") % {"phone": format_phone_for_display(organization.contact_phone)})
        for member in organization.board:
            lines.append(
                "• " + _("Board: %(role)s: %(name)s, %(document)s %(number)s") % {
                    "role": _(labels.BOARD_ROLE[BoardRole(member.role)]),
                    "name": escape(member.full_name),
                    "document": _(labels.DOCUMENT.get(IdDocumentType(member.id_document_type), member.id_document_type)),
                    "number": cipher.masked(member.id_number_encrypted),
                }
            )
    if summary.uploads:
        lines += ["", i18n.ngettext("<b>%(count)s file you uploaded</b>", "<b>%(count)s files you uploaded</b>", len(summary.uploads)) % {"count": len(summary.uploads)}]
        for upload in summary.uploads:
            state = "" if upload.current else " " + _("(replaced or withdrawn)")
            lines.append(
                f"• {i18n.datetime(upload.uploaded_at, 'short')}: {escape(upload.organization)}, "
                f"{escape(upload.file_name)}{' (“' + escape(upload.label) + '”)' if upload.label else ''}{state}"
            )
    if summary.invites:
        lines += ["", i18n.ngettext("<b>%(count)s invitation you created</b>", "<b>%(count)s invitations you created</b>", len(summary.invites)) % {"count": len(summary.invites)}]
        for invite in summary.invites:
            state = _("used") if invite.used else _("expires %(date)s") % {"date": i18n.datetime(invite.expires_at, "short")}
            lines.append(f"• {escape(invite.organization)}, {i18n.datetime(invite.created_at, 'short')}: {state}")
    if summary.drafts:
        lines += ["", i18n.ngettext("%(count)s unfinished answer in progress", "%(count)s unfinished answers in progress", summary.drafts) % {"count": summary.drafts}]
    if summary.trainings:
        count = len(summary.trainings)
        lines += ["", i18n.ngettext("<b>%(count)s training session you signed up for</b>", "<b>%(count)s training sessions you signed up for</b>", count) % {"count": count}]
        lines += [f"• {escape(title)}: {_(ENROLLMENT_STATE_NAMES[state])}" + (" 📄" if certified else "") for title, state, certified in summary.trainings]
    if summary.paused:
        lines.append(_("Messages I send on my own: paused (/stop); /start resumes them"))
    if summary.muted:
        lines.append(_("Switched off in /settings: %(kinds)s") % {"kinds": ", ".join(_(MESSAGE_KIND_NAMES[MessageKind(kind)]) for kind in summary.muted)})
    if summary.broadcasts_received:
        lines.append(i18n.ngettext("%(count)s broadcast delivered to you", "%(count)s broadcasts delivered to you", summary.broadcasts_received) % {"count": summary.broadcasts_received})
    if summary.pending_reminders:
        lines.append(i18n.ngettext("%(count)s reminder waiting to be sent to you", "%(count)s reminders waiting to be sent to you", summary.pending_reminders) % {"count": summary.pending_reminders})
    lines += ["", _("Correct your name, sex or nationality with /correct and your organization with /myorg; erase all of this with /deletedata.")]
    # The files first: the summary, read in the chat, stays the last message.
    await send_data_files(update, context, "\n".join(lines))
    withdraw = keyboard([[(_("🚫 Withdraw my consent"), "privacy:withdraw")]]) if summary.consent_at else None
    await reply(update, context, "\n".join(lines), reply_markup=withdraw)


async def ask_to_withdraw(update: Update, context: VocesContext) -> None:
    """Withdrawing consent is as easy as giving it (Ley 29733): from /mydata, with one question."""
    await answer_button(update, context)
    _ = context.gettext
    await reply(
        update,
        context,
        _("If you withdraw your consent I stop sending you messages, discard what you have not finished and give up your places in upcoming trainings. What you registered stays with the programme until you erase it with /deletedata. Withdraw it?"),
        reply_markup=keyboard([[(_("Yes, withdraw it"), "consent:no"), (_("No, keep it"), "privacy:stay")]]),
    )


async def stay(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("Nothing changed: your consent stays."))


async def send_data_files(update: Update, context: VocesContext, summary_html: str) -> None:
    """The same summary as a file, and every record as JSON (portability, Ley 29733)."""
    runtime = context.runtime
    telegram_id = update.effective_user.id  # type: ignore[union-attr]
    async with runtime.database.session() as session:
        records = await privacy.records_of(session, telegram_id=telegram_id, mask=runtime.cipher.masked)
    now = runtime.clock.now()
    day = now.astimezone(runtime.settings.zone).date().isoformat()
    await context.bot.send_document(telegram_id, personal_data.as_text(summary_html), filename=context.gettext("voces-my-data-%(date)s") % {"date": day} + ".txt")
    await context.bot.send_document(telegram_id, personal_data.as_json(records, generated_at=now.isoformat()),
                                    filename=context.gettext("voces-my-data-%(date)s") % {"date": day} + ".json",
                                    caption=context.gettext("Everything Voces keeps about you, as files you can keep or take elsewhere."))


async def ask_to_delete(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await reply(
        update,
        context,
        _("This erases your name, your consent, your unfinished registrations and your role as leader. Organizations you lead alone are erased with their board and documents. This cannot be undone. Continue?"),
        reply_markup=keyboard([[(_("Yes, erase my data"), "privacy:erase"), (_("No, keep it"), "privacy:keep")]]),
    )


async def erase(update: Update, context: VocesContext) -> None:
    """Every row, every stored file, PTB's copies and the chat's own command menu."""
    await answer_button(update, context)
    _ = context.gettext
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
    paragraphs = [
        _("Your data has been erased. If you write again, I will ask for your consent first."),
        _("The programme keeps only anonymous totals (how many organizations per district, for example), which name nobody."),
    ]
    if runtime.settings.backup_dir is not None:  # the nightly backups age out (handlers/console/backups.py)
        days = runtime.settings.backup_keep_days
        paragraphs.append(context.i18n.ngettext(
            "Copies in the programme's backups, kept in case of a breakdown, are deleted within %(days)s day.",
            "Copies in the programme's backups, kept in case of a breakdown, are deleted within %(days)s days.", days) % {"days": days})
    paragraphs.append(_("Telegram itself keeps this chat on its servers and on your phone until you delete it: tap the bot's name, then ⋮ (or …) and “Delete chat” (tick “also for Voces” if offered). Your Telegram account is Telegram's, not ours."))
    await edit_or_reply(update, context, "\n\n".join(paragraphs))


async def keep(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("Nothing was erased."))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """The gatekeeper in its own early group; the rest in the features' group, in order."""
    application.add_handler(TypeHandler(Update, meet_person), group=-10)
    application.add_handlers(
        [
            command("start", start),
            CallbackQueryHandler(show_notice, pattern=r"^consent:show$"),
            CallbackQueryHandler(read_more, pattern=r"^consent:more$"),
            CallbackQueryHandler(accept, pattern=r"^consent:yes$"),
            CallbackQueryHandler(decline, pattern=r"^consent:no$"),
            CallbackQueryHandler(switch_notice_language, pattern=r"^consent:lang:[a-z]{2}$"),
            command("language", choose_language),
            CallbackQueryHandler(language_chosen, pattern=r"^lang:[a-z]{2}$"),
            command("help", show_help),
            command("mydata", my_data),
            command("deletedata", ask_to_delete),
            CallbackQueryHandler(erase, pattern=r"^privacy:erase$"),
            CallbackQueryHandler(keep, pattern=r"^privacy:keep$"),
            CallbackQueryHandler(ask_to_withdraw, pattern=r"^privacy:withdraw$"),
            CallbackQueryHandler(stay, pattern=r"^privacy:stay$"),
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
