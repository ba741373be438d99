"""/myorg's screens (bot/organizations/myorg_screens.py): Telegram shows the card, the fields,
the choices, the board a page at a time and the leaders with exactly the texts and keyboards
handlers/organizations/ built itself before screens (the same callback data, so old buttons keep
working); on WhatsApp every one fits the limits with every choice reachable.

Pure functions, no bot: test_organizations.py and test_whatsapp_myorg.py show the same screens
through the emulators.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet

from bot.core.crypto import IdNumberCipher
from bot.core.districts import find_districts
from bot.core.i18n import translator
from bot.core.screens import escape
from bot.core.textlimits import shorten
from bot.organizations import labels
from bot.organizations import myorg_screens as shown
from bot.organizations.card import organization_card
from bot.organizations.models import (
    BoardMember,
    BoardRole,
    LeaderRole,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.organizations.organizations import details_of
from bot.people.models import User
from handlers import screens as telegram
from handlers.common import keyboard, page_navigation
from tests.test_screens import ids_shown

ES = translator("es")
EN = translator("en")
CIPHER = IdNumberCipher(Fernet.generate_key())


def organization(members: int = 2) -> Organization:
    found = Organization(id=7, name="Mujeres <del> Callao", kind=OrganizationKind.OSB, district_ubigeo="070101", address="Av. 1",
                         founded_year=2020, members_peruvian=3, members_venezuelan=4, members_other=0, focus_areas=["health"],
                         contact_phone="+51987654321", board_term_start=date(2025, 1, 1), board_term_end=date(2027, 1, 1),
                         status=VerificationStatus.NEEDS_CHANGES, status_comment="Falta <el> acta")
    found.board = [BoardMember(id=100 + n, position=n, role=BoardRole.OTHER, full_name=f"Integrante número {n} de la junta",
                               id_document_type="DNI", id_number_encrypted=CIPHER.encrypt(f"4567{n:04d}")) for n in range(members)]
    return found


def leaders() -> list[tuple[User, LeaderRole]]:
    return [(User(id=1, display_name="Ana Torres"), LeaderRole.OWNER), (User(id=2, display_name="Rosa <Q>"), LeaderRole.CO_LEADER),
            (User(id=3, display_name=None), LeaderRole.CO_LEADER)]


class Context:
    """What handlers.common.page_navigation read of PTB's context."""

    def __init__(self, i18n) -> None:  # noqa: ANN001
        self.gettext = i18n.gettext


# --- the keyboards handlers/organizations/ built before, as they were ----------------------------


def old_card(i18n, found: Organization, several: bool):  # noqa: ANN001, ANN201
    _ = i18n.gettext
    text = organization_card(i18n, details_of(found), CIPHER)
    text += "\n\n" + _("Status: %(status)s") % {"status": _(labels.STATUS[found.status])}
    if found.status is VerificationStatus.NEEDS_CHANGES and found.status_comment:
        text += "\n" + _("Staff comment: %(comment)s") % {"comment": escape(found.status_comment)}
    rows = [[(_("✏️ Edit a field"), "org:edit"), (_("👥 Leaders"), "org:leaders")]]
    if several:
        rows.append([(_("🔁 Act for another organization"), "org:switch")])
    return text, keyboard(rows)


def old_fields(i18n):  # noqa: ANN001, ANN201
    _ = i18n.gettext
    fields = [
        ("name", _("Name")), ("kind", _("Type")), ("district", _("District")), ("address", _("Address")),
        ("founded", _("Founding date")), ("members", _("Members")), ("focus", _("Focus areas")),
        ("phone", _("Phone")), ("board", _("Board")), ("term", _("Board term")),
    ]
    rows = [[(label, f"org:field:{code}") for code, label in fields[i : i + 2]] for i in range(0, len(fields), 2)]
    return _("Which field do you want to change?"), keyboard(rows)


def old_focus(i18n, found: Organization):  # noqa: ANN001, ANN201
    _ = i18n.gettext
    rows = [[(("✅ " if area.value in found.focus_areas else "") + _(label), f"org:focus:{area.value}")]
            for area, label in labels.FOCUS_BUTTON.items()]
    rows.append([(_("Done"), "org:show")])
    return _("Tap an area to add or remove it."), keyboard(rows)


def old_board(i18n, found: Organization, page: int):  # noqa: ANN001, ANN201
    from bot.core.textlimits import page_of

    _ = i18n.gettext
    rows = [[(f"❌ {CIPHER.masked(m.id_number_encrypted)} {shorten(m.full_name, 30)}", f"org:rmboard:{m.id}")] for m in found.board]
    page_ = page_of(rows, page, size=10)
    rows = [*page_.items, *page_navigation(Context(i18n), page_, callback_prefix="org:board:p")]
    rows.append([(_("➕ Add a member"), "org:addboard")])
    rows.append([(_("⬅️ Back to the card"), "org:show")])
    return _("Tap a member to remove them, or add a new one:"), keyboard(rows)


def old_leaders(i18n, found: Organization, led, role):  # noqa: ANN001, ANN201
    _ = i18n.gettext
    lines = [_("<b>Leaders of %(name)s</b>") % {"name": escape(found.name)}]
    rows = []
    for leader, leader_role in led:
        name = escape(leader.display_name or _("(no name)"))
        role_name = _("owner") if leader_role is LeaderRole.OWNER else _("co-leader")
        lines.append(f"• {name} — {role_name}")
        if role is LeaderRole.OWNER and leader_role is LeaderRole.CO_LEADER:
            short = shorten(leader.display_name or "?", 25)
            rows.append([(_("❌ Remove %(name)s") % {"name": short}, f"org:rmlead:{leader.id}"),
                         (_("👑 Make %(name)s owner") % {"name": short}, f"org:owner:{leader.id}")])
    if role is LeaderRole.OWNER:
        rows.append([(_("➕ Invite a co-leader"), "org:invite")])
    return "\n".join(lines), keyboard(rows) if rows else None


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_myorg_with_the_same_texts_and_buttons_as_before(i18n):  # noqa: ANN001
    _ = i18n.gettext
    found = organization()
    for several in (False, True):
        assert telegram.render(shown.card(i18n, found, CIPHER, leads_several=several)) == old_card(i18n, found, several)
    assert telegram.render(shown.fields_menu(i18n)) == old_fields(i18n)
    assert telegram.render(shown.focus_question(i18n, found)) == old_focus(i18n, found)
    assert telegram.render(shown.kind_question(i18n)) == (_("What type of organization is it?"), keyboard(
        [[(_(label), f"org:set:kind:{kind.value}")] for kind, label in labels.KIND_BUTTON.items()]))
    matches = find_districts("san juan")
    assert telegram.render(shown.district_matches(i18n, matches)) == (
        _("Which of these is it? If it is not here, type the name again."),
        keyboard([[(f"{d.name} ({d.province})", f"org:set:district:{d.ubigeo}")] for d in matches]))
    big = organization(members=23)
    for board, page in ((found, 1), (big, 1), (big, 2), (big, 3)):
        assert telegram.render(shown.board(i18n, board, CIPHER, page=page)) == old_board(i18n, board, page)
    assert shown.board_page_of(big, 111) == 2
    assert telegram.render(shown.board_roles(i18n)) == (_("What is this member's role?"), keyboard(
        [[(_(label), f"org:brole:{role.value}")] for role, label in labels.BOARD_ROLE.items()]))
    assert telegram.render(shown.board_documents(i18n)) == (_("Which identity document do they hold?"), keyboard(
        [[(_(label), f"org:bdoc:{doc.value}")] for doc, label in labels.DOCUMENT_BUTTON.items()]))
    for role in (LeaderRole.OWNER, LeaderRole.CO_LEADER):
        assert telegram.render(shown.leaders(i18n, found, leaders(), role=role)) == old_leaders(i18n, found, leaders(), role)
    assert telegram.render(shown.switch_menu(i18n, [(found, LeaderRole.OWNER), (big, LeaderRole.CO_LEADER)]))[1] == keyboard(
        [[(shorten(o.name, 60), f"org:act:{o.id}")] for o in (found, big)])
    expires = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
    assert telegram.render(shown.invite_link(i18n, found, link="https://t.me/voces_bot?start=join_abc", expires_at=expires))[0] == (
        _("Send this link to the person you want as co-leader of <b>%(name)s</b>. It works once and expires on %(date)s:") % {
            "name": escape(found.name), "date": i18n.datetime(expires, "short")} + "\n\nhttps://t.me/voces_bot?start=join_abc")


def test_every_myorg_screen_fits_whatsapp_with_every_choice_reachable():
    found, big = organization(), organization(members=23)
    screens = {
        "card": shown.card(ES, found, CIPHER, leads_several=True), "fields": shown.fields_menu(ES),
        "focus": shown.focus_question(ES, found), "kind": shown.kind_question(ES), "roles": shown.board_roles(ES),
        "documents": shown.board_documents(ES), "board": shown.board(ES, big, CIPHER, page=2),
        "leaders": shown.leaders(ES, found, leaders(), role=LeaderRole.OWNER),
        "districts": shown.district_matches(ES, find_districts("san")),
    }
    for name, screen_ in screens.items():
        assert ids_shown(screen_, ES.gettext) == {c.id for c in screen_.choices}, name
