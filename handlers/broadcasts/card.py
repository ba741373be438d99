"""/broadcast's card: what a broadcast says, who it reaches and how many, and the buttons the
person looking at it may use. Its author and staff get the buttons that change it; anyone else
(a coordinator opening it from /pending to approve it) only the preview, and Approve / Send back
when handlers/broadcasts/release.py puts them above (bot/broadcasts/broadcasts.may_change and
bot/broadcasts/approval.may_approve decide)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update

from bot.broadcasts import composing
from bot.broadcasts.models import EDITABLE, Broadcast, BroadcastState, MessageKind
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_
from bot.core.textlimits import excerpt
from bot.organizations.models import OrganizationKind
from bot.people.labels import LANGUAGE_IN_A_SENTENCE, LANGUAGE_NAMES, ROLE_NAMES
from bot.people.models import Role
from bot.ruos.models import RegistrationStage
from handlers.common import edit_or_reply, escape, keyboard, reply
from handlers.context import VocesContext

Rows = Sequence[list[tuple[str, str]]]  # rows of (label, callback data), as handlers.common.keyboard takes

KIND_NAMES = {
    MessageKind.ANNOUNCEMENTS: N_("Announcements"),
    MessageKind.TRAININGS: N_("Trainings"),
    MessageKind.REPORTS: N_("Reports"),
    MessageKind.RUOS: N_("RUOS"),
}
ORG_KIND_NAMES = {
    OrganizationKind.OSB: "OSB", OrganizationKind.OSV: "OSV",
    OrganizationKind.CIVIL_ASSOCIATION: N_("Civil association"), OrganizationKind.OTHER: N_("Other"),
}
RUOS_NAMES = {
    RegistrationStage.PREPARING: N_("RUOS: preparing"), RegistrationStage.SUBMITTED: N_("RUOS: submitted"),
    RegistrationStage.OBSERVED: N_("RUOS: observed"), RegistrationStage.REGISTERED: N_("RUOS: registered"),
}
STATE_NAMES = {
    BroadcastState.DRAFT: N_("draft"), BroadcastState.AWAITING_APPROVAL: N_("waiting for approval"),
    BroadcastState.SCHEDULED: N_("scheduled"), BroadcastState.SENDING: N_("sending"),
    BroadcastState.DONE: N_("sent"), BroadcastState.CANCELLED: N_("cancelled"),
}


# --- the card ------------------------------------------------------------------------------------


def chosen_in(context: VocesContext, audience: dict[str, list[str]], name: str, names: dict[tuple[str, str], str] | None = None) -> list[str]:
    """What is chosen of one filter of an audience, each as a person reads it."""
    _ = context.gettext
    names = names or {}
    values = audience.get(name, [])
    if name == "leaders":
        return [_("all leaders")] if values else []
    if name == "role":
        return [_(ROLE_NAMES[Role(value)]) for value in values]
    if name == "district":
        return [escape(district.name if (district := district_by_ubigeo(value)) else value) for value in values]
    if name == "kind":
        return [_(ORG_KIND_NAMES[OrganizationKind(value)]) for value in values]
    if name == "ruos":
        return [_(RUOS_NAMES[RegistrationStage(value)]) for value in values]
    if name == "language":
        return [LANGUAGE_NAMES.get(value, value) for value in values]
    if name == "session":
        return [_("on the list of %(session)s") % {"session": escape(names.get(("session", value), "#" + value))} for value in values]
    return [_("on a list of %(topic)s") % {"topic": escape(names.get(("topic", value), value))} for value in values]  # topic


AUDIENCE_ORDER = ("leaders", "role", "district", "kind", "ruos", "language", "session", "topic")


def audience_text(context: VocesContext, audience: dict[str, list[str]], names: dict[tuple[str, str], str] | None = None) -> str:
    parts = [part for name in AUDIENCE_ORDER for part in chosen_in(context, audience, name, names)]
    return " · ".join(parts) if parts else context.gettext("nobody chosen yet")


def audience_lines(context: VocesContext, card: composing.Card) -> list[str]:
    """Who a broadcast reaches and how many."""
    _ = context.gettext
    i18n = context.i18n
    counted = card.reach
    lines = [_("Audience: %(audience)s") % {"audience": audience_text(context, card.broadcast.audience, card.names)}]
    lines.append(i18n.ngettext("It will reach %(count)s person.", "It will reach %(count)s people.", counted.receiving)
                 % {"count": i18n.number(counted.receiving)})
    if counted.matching > counted.receiving:
        left_out = counted.matching - counted.receiving
        lines.append(i18n.ngettext(
            "%(count)s more matches but will not get it: blocked the bot, or chose not to receive this kind of message.",
            "%(count)s more match but will not get it: blocked the bot, or chose not to receive this kind of message.",
            left_out) % {"count": i18n.number(left_out)})
    return lines


def chosen_lines(context: VocesContext, card: composing.Card, kinds: Sequence[tuple[str, str]]) -> list[str]:
    """What is chosen of each kind of choice, one line each (`kinds`: (filter, heading) pairs),
    as the audience picker's first screen says it."""
    audience = card.broadcast.audience
    return [f"{heading}: {', '.join(chosen_in(context, audience, name, card.names)) or '—'}" for name, heading in kinds]


def card_text(context: VocesContext, card: composing.Card) -> str:
    _ = context.gettext
    i18n = context.i18n
    broadcast = card.broadcast
    default = context.runtime.settings.default_language
    lines = [_("📣 <b>Broadcast</b> (%(state)s)") % {"state": _(STATE_NAMES[broadcast.state])},
             _("Kind: %(kind)s") % {"kind": _(KIND_NAMES[broadcast.kind])},
             *audience_lines(context, card)]
    for language in SUPPORTED_LANGUAGES:
        name = LANGUAGE_NAMES[language]
        if language in broadcast.texts:
            lines.append(f"✅ {name}: <i>{escape(excerpt(broadcast.texts[language], 80))}</i>")
        elif language == default:
            lines.append(_("➖ %(language)s: not written yet (required)") % {"language": name})
        else:
            lines.append(_("➖ %(language)s: gets the %(default)s version") % {"language": name, "default": _(LANGUAGE_IN_A_SENTENCE[default])})
    if broadcast.attachment_kind:
        lines.append(_("📎 With a photo") if broadcast.attachment_kind == "photo" else _("📎 With a document"))
    for label, url in broadcast.buttons:
        lines.append(f"🔘 {escape(label)} → {escape(url)}")
    if broadcast.send_at is not None and broadcast.state is not BroadcastState.DRAFT:
        lines.append(_("🕒 Goes out: %(when)s") % {"when": i18n.datetime(broadcast.send_at, "short")})
    return "\n".join(lines)


async def card_of(context: VocesContext, broadcast: Broadcast) -> composing.Card:
    """Its figures and names, read for the person looking (bot/broadcasts/composing.card)."""
    async with context.runtime.database.session() as session:
        return await composing.card(session, broadcast=broadcast, user_id=context.person.id,  # type: ignore[union-attr]
                                    language=context.i18n.language)


def card_keyboard(context: VocesContext, broadcast: Broadcast, above: Rows = (), *, changeable: bool = True):  # noqa: ANN201 - InlineKeyboardMarkup
    """The buttons under the card: those that change it only for who may (`changeable`)."""
    _ = context.gettext
    b = broadcast.id
    if broadcast.state not in EDITABLE:
        return None
    if not changeable:
        return keyboard([*above, [(_("👁 Preview"), f"bc:preview:{b}")]])
    rows = [*above, [(f"✏️ {LANGUAGE_NAMES[language]}", f"bc:text:{b}:{language}") for language in SUPPORTED_LANGUAGES],
            [(_("👥 Audience"), f"bc:aud:{b}"), (_("🏷 Kind"), f"bc:kinds:{b}")],
            [(_("📎 File"), f"bc:file:{b}"), (_("🔘 Buttons"), f"bc:btns:{b}")],
            [(_("👁 Preview"), f"bc:preview:{b}")]]
    if broadcast.state is BroadcastState.DRAFT:
        rows.append([(_("🚀 Send now"), f"bc:now:{b}"), (_("🕒 Schedule"), f"bc:when:{b}")])
        rows.append([(_("🗑 Discard"), f"bc:cancel:{b}")])
    else:
        rows.append([(_("✖ Cancel this broadcast"), f"bc:cancel:{b}")])
    return keyboard(rows)


async def show_card(update: Update, context: VocesContext, broadcast: Broadcast, *, edit: bool = True, above: Rows = (),
                    card: composing.Card | None = None) -> None:
    card = card or await card_of(context, broadcast)
    text, markup = card_text(context, card), card_keyboard(context, broadcast, above, changeable=card.changeable)
    if edit:
        await edit_or_reply(update, context, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)
