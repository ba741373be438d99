"""What /myorg shows, as screens (bot/core/screens.py): the organization's card, the fields to
edit and their questions, the board a page at a time, the leaders. Telegram renders them as
before (the choices' ids are the callback data its buttons always carried: `org:edit`,
`org:field:name`, `org:rmboard:12` …); WhatsApp renders the same screens and reads the same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.crypto import IdNumberCipher
from bot.core.districts import District
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, one_per_row, paged, screen
from bot.core.textlimits import shorten
from bot.organizations import labels
from bot.organizations.card import organization_card
from bot.organizations.models import LeaderRole, Organization, VerificationStatus
from bot.organizations.organizations import details_of
from bot.organizations.registration_screens import field_rows
from bot.people.models import User

PREFIX = "org"
SHOW = f"{PREFIX}:show"
BOARD_ROWS_PER_PAGE = 10

# The question each typed field (or step of one) asks.
QUESTIONS = {
    "name": N_("Send the new name of the organization."),
    "address": N_("Send the new address or reference point."),
    "founded": N_("Send the founding date, for example 15/03/2021, March 2021, or just the year."),
    "members_pe": N_("How many members are <b>Peruvian</b>?"),
    "members_ve": N_("How many members are <b>Venezuelan</b>?"),
    "members_other": N_("And how many members of <b>other nationalities</b>?"),
    "phone": N_("Send the new contact phone, for example 987 654 321."),
    "term_start": N_("When did the board's term start? Send the full date, for example 01/02/2025."),
    "term_end": N_("When does the board's term end? Send the full date, for example 31/01/2027."),
    "district": N_("In which district is it? Type part of the name, for example Comas, SJL or Carmen de la Legua."),
    "board_name": N_("What is the new member's full name?"),
    "board_number": N_("What is the document number? It is stored encrypted and shown only as ****1234."),
}
# The field a choice of the fields menu names → the step whose typed answer it asks first.
TEXT_FIELDS = {
    "name": "name", "address": "address", "founded": "founded", "members": "members_pe",
    "phone": "phone", "term": "term_start",
}
# A field asked in several steps: the step after each.
FOLLOWING = {"members_pe": "members_ve", "members_ve": "members_other", "term_start": "term_end"}
TYPED_STEPS = frozenset([*TEXT_FIELDS.values(), *FOLLOWING.values(), "district", "board_name", "board_number"])


def field_question(i18n: Translator, step: str) -> str:
    return i18n.gettext(QUESTIONS[step])


def question(i18n: Translator, step: str, *, problem: str | None = None) -> Screen:
    """A typed step's question; after a refused answer, the problem above it."""
    shown = screen(field_question(i18n, step))
    return shown.warned(problem) if problem else shown


def card(i18n: Translator, organization: Organization, cipher: IdNumberCipher, *, leads_several: bool = False,
         inscribed: str | None = None) -> Screen:
    """The card with its status (and `inscribed`, the Registros Públicos line, if recorded) and
    what can be done from it."""
    _ = i18n.gettext
    text = organization_card(i18n, details_of(organization), cipher)
    text += "\n\n" + _("Status: %(status)s") % {"status": _(labels.STATUS[organization.status])}
    if inscribed is not None:
        text += "\n" + inscribed
    if organization.status is VerificationStatus.NEEDS_CHANGES and organization.status_comment:
        text += "\n" + _("Staff comment: %(comment)s") % {"comment": escape(organization.status_comment)}
    rows = [[Choice(f"{PREFIX}:edit", _("✏️ Edit a field")), Choice(f"{PREFIX}:leaders", _("👥 Leaders"))]]
    if leads_several:
        rows.append([Choice(f"{PREFIX}:switch", _("🔁 Act for another organization"))])
    return screen(text, rows)


def no_organization(i18n: Translator, *, leader: bool) -> Screen:
    """/myorg from someone who leads none: staff and coordinators follow them from the console."""
    if not leader:
        return screen(i18n.gettext("You lead no organization yourself. /pending lists what waits for the programme; /org and part of a name shows an organization."))
    return screen(i18n.gettext("You do not lead an organization in Voces yet. Register one with /register."))


def switch_menu(i18n: Translator, led: Sequence[tuple[Organization, LeaderRole]]) -> Screen:
    return screen(i18n.gettext("Which organization do you want to act for?"),
                  [[Choice(f"{PREFIX}:act:{organization.id}", shorten(organization.name, 60))] for organization, _role in led])


def fields_menu(i18n: Translator) -> Screen:
    """Which field to change, two to a row."""
    return screen(i18n.gettext("Which field do you want to change?"), field_rows(i18n, id_prefix=f"{PREFIX}:field:"))


def kind_question(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen(_("What type of organization is it?"), one_per_row(
        [Choice(f"{PREFIX}:set:kind:{kind.value}", _(label)) for kind, label in labels.KIND_BUTTON.items()]))


def focus_question(i18n: Translator, organization: Organization) -> Screen:
    """The areas, ticked as they are now; Done goes back to the card."""
    _ = i18n.gettext
    choices = [Choice(f"{PREFIX}:focus:{area.value}", ("✅ " if area.value in organization.focus_areas else "") + _(label))
               for area, label in labels.FOCUS_BUTTON.items()]
    choices.append(Choice(SHOW, _("Done")))
    return screen(_("Tap an area to add or remove it."), one_per_row(choices))


def district_matches(i18n: Translator, matches: Sequence[District]) -> Screen:
    return screen(i18n.gettext("Which of these is it? If it is not here, type the name again."),
                  one_per_row([Choice(f"{PREFIX}:set:district:{d.ubigeo}", f"{d.name} ({d.province})") for d in matches]))


def board(i18n: Translator, organization: Organization, cipher: IdNumberCipher, *, page: int = 1) -> Screen:
    """The board a page at a time (Telegram takes at most 100 buttons on one message), each
    member a choice that removes them, then adding one and going back."""
    _ = i18n.gettext
    rows = one_per_row([
        # The masked number first: on a phone the label has room for it and the name, not the role.
        Choice(f"{PREFIX}:rmboard:{m.id}", f"❌ {cipher.masked(m.id_number_encrypted)} {shorten(m.full_name, 30)}")
        for m in organization.board
    ])
    shown = paged(_, rows, page=page, id_prefix=f"{PREFIX}:board:p", size=BOARD_ROWS_PER_PAGE)
    return screen(_("Tap a member to remove them, or add a new one:"), [
        *shown, [Choice(f"{PREFIX}:addboard", _("➕ Add a member"))], [Choice(SHOW, _("⬅️ Back to the card"))]])


def board_page_of(organization: Organization, member_id: int) -> int:
    """The page of the board a member is (was) on, so the list comes back where they were."""
    position = next((i for i, m in enumerate(organization.board) if m.id == member_id), 0)
    return position // BOARD_ROWS_PER_PAGE + 1


def board_roles(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen(_("What is this member's role?"), one_per_row(
        [Choice(f"{PREFIX}:brole:{role.value}", _(label)) for role, label in labels.BOARD_ROLE.items()]))


def board_documents(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen(_("Which identity document do they hold?"), one_per_row(
        [Choice(f"{PREFIX}:bdoc:{doc.value}", _(label)) for doc, label in labels.DOCUMENT_BUTTON.items()]))


def leaders(i18n: Translator, organization: Organization, led_by: Sequence[tuple[User, LeaderRole]], *,
            role: LeaderRole | None) -> Screen:
    """Who leads the organization; its owner (`role`) may remove a co-leader, hand the
    ownership over, or invite someone."""
    _ = i18n.gettext
    lines = [_("<b>Leaders of %(name)s</b>") % {"name": escape(organization.name)}]
    rows = []
    for leader, leader_role in led_by:
        name = escape(leader.display_name or _("(no name)"))
        role_name = _("owner") if leader_role is LeaderRole.OWNER else _("co-leader")
        lines.append(f"• {name} — {role_name}")
        if role is LeaderRole.OWNER and leader_role is LeaderRole.CO_LEADER:
            short = shorten(leader.display_name or "?", 25)
            rows.append([Choice(f"{PREFIX}:rmlead:{leader.id}", _("❌ Remove %(name)s") % {"name": short}),
                         Choice(f"{PREFIX}:owner:{leader.id}", _("👑 Make %(name)s owner") % {"name": short})])
    if role is LeaderRole.OWNER:
        rows.append([Choice(f"{PREFIX}:invite", _("➕ Invite a co-leader"))])
    return screen("\n".join(lines), rows)


def invite_link(i18n: Translator, organization: Organization, *, link: str, expires_at: datetime) -> Screen:
    """The one-use invitation link (t.me on Telegram, wa.me on WhatsApp) for the owner to send."""
    return screen(
        i18n.gettext("Send this link to the person you want as co-leader of <b>%(name)s</b>. It works once and expires on %(date)s:") % {
            "name": escape(organization.name), "date": i18n.datetime(expires_at, "short")} + f"\n\n{escape(link)}")


def saved(i18n: Translator) -> Screen:
    return screen(i18n.gettext("✅ Saved."))


def co_leader_removed(i18n: Translator, removed: User) -> Screen:
    return screen(i18n.gettext("%(person)s is no longer a co-leader.") % {"person": escape(removed.display_name or "?")})


def owner_handed_over(i18n: Translator, new_owner: User) -> Screen:
    return screen(i18n.gettext("%(person)s is now the owner. You stay as co-leader.") % {"person": escape(new_owner.display_name or "?")})
