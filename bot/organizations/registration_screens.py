"""What /register shows at each step, as screens (bot/core/screens.py): the channel renders them.

The choices' ids are the callback data the Telegram buttons have always carried (`reg:kind:osb`,
`reg:focus:done` …), so a button left in a chat by an older version still answers its question.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.crypto import IdNumberCipher
from bot.core.districts import District
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, bold, escape, one_per_row, paged, screen
from bot.core.textlimits import shorten
from bot.core.validation import IdDocumentType, format_phone_for_display
from bot.organizations import registration
from bot.organizations.card import organization_card
from bot.organizations.labels import (
    BOARD_ROLE,
    DOCUMENT,
    DOCUMENT_BUTTON,
    FOCUS_BUTTON,
    KIND_BUTTON,
)
from bot.organizations.models import BoardRole, Organization, RegistrationDraft
from bot.organizations.registration import ADD_ANOTHER_MEMBER, BOARD_COMPLETE, FOCUS_COMPLETE, Step

PREFIX = "reg"
BOARD_ROWS_PER_PAGE = 10
BACK_TO_SUMMARY = f"{PREFIX}:summary"


def question(draft: RegistrationDraft, *, i18n: Translator, cipher: IdNumberCipher) -> Screen:
    """The screen that asks the draft's current step."""
    _ = i18n.gettext
    step = Step(draft.step)
    answers = draft.answers
    typed = TYPED_QUESTIONS.get(step)
    if typed is not None:
        return screen(_(typed))
    if step is Step.KIND:
        return screen(_("What type of organization is it?"), one_per_row(
            [Choice(f"{PREFIX}:kind:{kind.value}", _(label)) for kind, label in KIND_BUTTON.items()]))
    if step is Step.FOCUS:
        chosen = set(answers.get("focus", []))
        choices = [Choice(f"{PREFIX}:focus:{area.value}", ("✅ " if area.value in chosen else "") + _(label))
                   for area, label in FOCUS_BUTTON.items()]
        choices.append(Choice(f"{PREFIX}:focus:{FOCUS_COMPLETE}", _("Done")))
        return screen(_("What does your organization work on? Tap every area that applies, then tap Done."),
                      one_per_row(choices))
    if step is Step.PHONE:
        return screen(_("What is the organization's contact phone? Tap the button to share yours, or type another number."),
                      contact_label=_("📱 Share my phone number"))
    if step is Step.BOARD_ROLE:
        intro = _("Now the board (junta directiva).") + " " if not answers.get("board") else ""
        return screen(intro + _("What is this member's role?"), one_per_row(
            [Choice(f"{PREFIX}:role:{role.value}", _(label)) for role, label in BOARD_ROLE.items()]))
    if step is Step.BOARD_DOCUMENT_TYPE:
        return screen(_("Which identity document do they hold?"), one_per_row(
            [Choice(f"{PREFIX}:doc:{doc.value}", _(label)) for doc, label in DOCUMENT_BUTTON.items()]))
    if step is Step.BOARD_DOCUMENT_NUMBER:
        document = IdDocumentType(answers["pending_member"]["document_type"])
        return screen(_("What is the %(document)s number? It is stored encrypted and shown only as ****1234.") % {
            "document": _(DOCUMENT[document])})
    if step is Step.BOARD_MORE:
        listing = "\n".join(f"• {_(BOARD_ROLE[BoardRole(m['role'])])}: {escape(m['full_name'])}"
                            for m in answers.get("board", []))
        return screen(_("Board so far:") + "\n" + listing + "\n\n" + _("Is there another board member?"), [
            [Choice(f"{PREFIX}:board:{ADD_ANOTHER_MEMBER}", _("➕ Add another member"))],
            [Choice(f"{PREFIX}:board:{BOARD_COMPLETE}", _("That is the whole board"))],
        ])
    card = organization_card(i18n, registration.view(draft), cipher)
    return screen(_("Please check your answers:") + "\n\n" + card, [
        [Choice(f"{PREFIX}:edit", _("✏️ Edit a field"))],
        [Choice(f"{PREFIX}:confirm", _("✅ Confirm and send"))],
    ])


# The steps answered by typing: their question alone.
TYPED_QUESTIONS = {
    Step.NAME: N_("What is the name of your organization? Write it as it appears in its acta de fundación."),
    Step.DISTRICT: N_("In which district is it? Type part of the name, for example Comas, SJL or Carmen de la Legua."),
    Step.ADDRESS: N_("What is its address or a reference point? For example: Jr. Los Pinos 123, next to the market."),
    Step.FOUNDED: N_("When was it founded? Send the date, for example 15/03/2021, March 2021, or just the year."),
    Step.MEMBERS_PERUVIAN: N_("How many members does it have? First, how many are <b>Peruvian</b>? Send a number (0 if none)."),
    Step.MEMBERS_VENEZUELAN: N_("How many members are <b>Venezuelan</b>?"),
    Step.MEMBERS_OTHER: N_("And how many members of <b>other nationalities</b>?"),
    Step.BOARD_NAME: N_("What is their full name?"),
    Step.TERM_START: N_("When did the board's term start? Send the full date, for example 01/02/2025."),
    Step.TERM_END: N_("When does the board's term end? Send the full date, for example 31/01/2027."),
}


def welcome(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Let us register your organization. I save every answer as you go: you can stop and continue later with /register."))


def resume(draft: RegistrationDraft, i18n: Translator) -> Screen:
    """A registration already under way: go on, or start again."""
    _ = i18n.gettext
    name = draft.answers.get("name")
    text = (_("You have a registration in progress") + (f": {bold(escape(name))}" if name else "") + ". "
            + _("Continue where you left off, or start over?"))
    return screen(text, [[Choice(f"{PREFIX}:resume", _("Continue")), Choice(f"{PREFIX}:restart", _("Start over"))]])


def phone_saved(draft: RegistrationDraft, i18n: Translator) -> Screen:
    """Said once the phone is saved (on Telegram it also takes the share-contact button away)."""
    return screen(i18n.gettext("📱 Saved: %(phone)s") % {"phone": format_phone_for_display(draft.answers["phone"])})


def district_matches(matches: Sequence[District], i18n: Translator) -> Screen:
    return screen(i18n.gettext("Which of these is it? If it is not here, type the name again."),
                  one_per_row([Choice(f"{PREFIX}:district:{d.ubigeo}", f"{d.name} ({d.province})") for d in matches]))


def no_such_district(typed: str, i18n: Translator) -> str:
    """The problem to show above the district question again (screen markup)."""
    return i18n.gettext("I found no district of Lima or Callao called “%(text)s”. Try part of the name, for example Comas or SJL.") % {
        "text": escape(shorten(typed, 60))}


def board_menu(draft: RegistrationDraft, i18n: Translator, *, page: int) -> Screen:
    """From the summary: remove a member (numbered in the board's order, so that long names
    that start alike stay apart on a button), or add one."""
    _ = i18n.gettext
    rows = one_per_row([Choice(f"{PREFIX}:rm:{i}", f"❌ {i + 1}. {shorten(m['full_name'], 40)}")
                        for i, m in enumerate(draft.answers.get("board", []))])
    shown = paged(_, rows, page=page, id_prefix=f"{PREFIX}:edit:board:p", size=BOARD_ROWS_PER_PAGE)
    return screen(_("Remove a member, or add one:"), [
        *shown, [Choice(f"{PREFIX}:edit:board_add", _("➕ Add a member"))], [Choice(BACK_TO_SUMMARY, _("⬅️ Back to the summary"))]])


def field_rows(i18n: Translator, *, id_prefix: str) -> list[list[Choice]]:
    """An organization's fields as choices (`{id_prefix}name` …), two to a row: what a
    registration's summary and /myorg offer to change."""
    _ = i18n.gettext
    fields = [
        ("name", _("Name")), ("kind", _("Type")), ("district", _("District")), ("address", _("Address")),
        ("founded", _("Founding date")), ("members", _("Members")), ("focus", _("Focus areas")),
        ("phone", _("Phone")), ("board", _("Board")), ("term", _("Board term")),
    ]
    return [[Choice(f"{id_prefix}{code}", label) for code, label in fields[i : i + 2]] for i in range(0, len(fields), 2)]


def fields_menu(i18n: Translator) -> Screen:
    """From the summary: which field to change, two to a row."""
    _ = i18n.gettext
    rows = field_rows(i18n, id_prefix=f"{PREFIX}:edit:")
    rows.append([Choice(BACK_TO_SUMMARY, _("⬅️ Back to the summary"))])
    return screen(_("Which field do you want to change?"), rows)


def registered(organization: Organization, i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen(
        _("🎉 <b>%(name)s</b> is registered in Voces. The programme staff will review it; I will tell you here when they do.")
        % {"name": escape(organization.name)}
        + "\n\n" + _("Next: see your organization with /myorg, invite other leaders with /invite, and check the RUOS documents with /ruos."))


def paused(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Registration paused. Your answers are saved: send /register to continue."))
