"""The organization card: the same text for a registration's summary and for /myorg, as screen
markup (bot/core/screens.py), in the reader's language."""

from __future__ import annotations

from bot.core.crypto import IdNumberCipher
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import Translator
from bot.core.screens import escape
from bot.core.validation import PartialDate, format_phone_for_display
from bot.organizations.labels import BOARD_ROLE, DOCUMENT, FOCUS, KIND
from bot.organizations.registration import OrganizationDetails

MISSING = "—"


def founded_text(i18n: Translator, founded: PartialDate | None) -> str:
    if founded is None:
        return MISSING
    if founded.precision == "day":
        return i18n.date(founded.as_date())
    if founded.precision == "month":
        return i18n.month_year(founded.as_date())
    return str(founded.year)


def district_text(ubigeo: str | None) -> str:
    district = district_by_ubigeo(ubigeo) if ubigeo else None
    return f"{district.name} ({district.province})" if district else MISSING


def organization_card(i18n: Translator, details: OrganizationDetails, cipher: IdNumberCipher) -> str:
    """The card as screen markup, in the reader's language (`i18n`)."""
    _ = i18n.gettext
    lines = [
        f"<b>{escape(details.name or MISSING)}</b>",
        _("Type: %(value)s") % {"value": _(KIND[details.kind]) if details.kind else MISSING},
        _("District: %(value)s") % {"value": escape(district_text(details.district_ubigeo))},
        _("Address: %(value)s") % {"value": escape(details.address or MISSING)},
        _("Founded: %(value)s") % {"value": founded_text(i18n, details.founded)},
        _("Members: %(total)s (Peruvian %(pe)s, Venezuelan %(ve)s, other %(other)s)")
        % {
            "total": i18n.number(details.members_total),
            "pe": i18n.number(details.members_peruvian or 0),
            "ve": i18n.number(details.members_venezuelan or 0),
            "other": i18n.number(details.members_other or 0),
        },
        _("Focus: %(value)s") % {"value": ", ".join(_(FOCUS[a]) for a in details.focus_areas) or MISSING},
        _("Contact phone: %(value)s") % {"value": format_phone_for_display(details.phone) if details.phone else MISSING},
        "",
        _("<b>Board</b>"),
    ]
    for member in details.board:
        lines.append(
            f"• {_(BOARD_ROLE[member.role])}: {escape(member.full_name)} — "
            f"{_(DOCUMENT[member.document_type])} {cipher.masked(member.id_number_encrypted)}"
        )
    if not details.board:
        lines.append(MISSING)
    term = MISSING
    if details.term_start and details.term_end:
        term = _("%(start)s to %(end)s") % {"start": i18n.date(details.term_start), "end": i18n.date(details.term_end)}
    lines.append(_("Board term: %(value)s") % {"value": term})
    return "\n".join(lines)
