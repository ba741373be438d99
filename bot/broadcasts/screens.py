"""What /broadcast shows, as screens (bot/core/screens.py): the card (what a broadcast says, who
it reaches and how many, and the buttons the person looking may use), the broadcasts not yet
sent, the kinds, the districts a typed name matched, the questions asked for a typed answer,
what happens once it is submitted, approved or cancelled, and the author's progress report.
The audience picker's screens are in bot/broadcasts/audience_screens.py.

Every choice's id is the callback data Telegram's buttons have always carried (`bc:<action>:<id>…`),
so a card left in a chat by an older version still works. Its author and staff get the
buttons that change it; anyone else (a coordinator opening it from /pending to approve it) only
the preview, and Approve / Send back above it (`Card.changeable`, `Card.may_approve`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.broadcasts import broadcasts, composing
from bot.broadcasts.broadcasts import Tally
from bot.broadcasts.labels import KIND_NAMES, ORG_KIND_NAMES, RUOS_NAMES, STATE_NAMES
from bot.broadcasts.models import EDITABLE, Broadcast, BroadcastState, SkipReason
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.districts import District, district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Row, Screen, escape, screen
from bot.core.textlimits import excerpt
from bot.organizations.models import OrganizationKind
from bot.people.labels import LANGUAGE_IN_A_SENTENCE, LANGUAGE_NAMES, ROLE_NAMES
from bot.people.models import Role
from bot.ruos.models import RegistrationStage

# --- who it reaches --------------------------------------------------------------------------------


def chosen_in(i18n: Translator, audience: dict[str, list[str]], name: str, names: dict[tuple[str, str], str] | None = None) -> list[str]:
    """What is chosen of one filter of an audience, each as a person reads it."""
    _ = i18n.gettext
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


def audience_text(i18n: Translator, audience: dict[str, list[str]], names: dict[tuple[str, str], str] | None = None) -> str:
    parts = [part for name in AUDIENCE_ORDER for part in chosen_in(i18n, audience, name, names)]
    return " · ".join(parts) if parts else i18n.gettext("nobody chosen yet")


def audience_lines(i18n: Translator, card: composing.Card) -> list[str]:
    """Who a broadcast reaches and how many."""
    _ = i18n.gettext
    counted = card.reach
    lines = [_("Audience: %(audience)s") % {"audience": audience_text(i18n, card.broadcast.audience, card.names)}]
    lines.append(i18n.ngettext("It will reach %(count)s person.", "It will reach %(count)s people.", counted.receiving)
                 % {"count": i18n.number(counted.receiving)})
    if counted.matching > counted.receiving:
        left_out = counted.matching - counted.receiving
        lines.append(i18n.ngettext(
            "%(count)s more matches but will not get it: blocked the bot, or chose not to receive this kind of message.",
            "%(count)s more match but will not get it: blocked the bot, or chose not to receive this kind of message.",
            left_out) % {"count": i18n.number(left_out)})
    return lines


# --- the card ----------------------------------------------------------------------------------------


def card_text(i18n: Translator, card: composing.Card, *, default_language: str) -> str:
    _ = i18n.gettext
    broadcast = card.broadcast
    default = default_language
    lines = [_("📣 <b>Broadcast</b> (%(state)s)") % {"state": _(STATE_NAMES[broadcast.state])},
             _("Kind: %(kind)s") % {"kind": _(KIND_NAMES[broadcast.kind])},
             *audience_lines(i18n, card)]
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


def decision_row(i18n: Translator, broadcast: Broadcast) -> Row:
    """Approve / Send back, for the version shown: a button for a version changed since is refused."""
    b, version = broadcast.id, broadcast.version
    return (Choice(f"bc:approve:{b}:{version}", i18n.gettext("✅ Approve")), Choice(f"bc:reject:{b}:{version}", i18n.gettext("↩️ Send back")))


def card_rows(i18n: Translator, broadcast: Broadcast, *, changeable: bool, above: Sequence[Row] = ()) -> list[Sequence[Choice]]:
    """The buttons under the card: those that change it only for who may (`changeable`)."""
    _ = i18n.gettext
    b = broadcast.id
    if broadcast.state not in EDITABLE:
        return []
    if not changeable:
        return [*above, [Choice(f"bc:preview:{b}", _("👁 Preview"))]]
    rows: list[Sequence[Choice]] = [
        *above, [Choice(f"bc:text:{b}:{language}", f"✏️ {LANGUAGE_NAMES[language]}") for language in SUPPORTED_LANGUAGES],
        [Choice(f"bc:aud:{b}", _("👥 Audience")), Choice(f"bc:kinds:{b}", _("🏷 Kind"))],
        [Choice(f"bc:file:{b}", _("📎 File")), Choice(f"bc:btns:{b}", _("🔘 Buttons"))],
        [Choice(f"bc:preview:{b}", _("👁 Preview"))]]
    if broadcast.state is BroadcastState.DRAFT:
        rows.append([Choice(f"bc:now:{b}", _("🚀 Send now")), Choice(f"bc:when:{b}", _("🕒 Schedule"))])
        rows.append([Choice(f"bc:cancel:{b}", _("🗑 Discard"))])
    else:
        rows.append([Choice(f"bc:cancel:{b}", _("✖ Cancel this broadcast"))])
    return rows


def card_screen(i18n: Translator, card: composing.Card, *, default_language: str, with_decision: bool = False) -> Screen:
    """The card; `with_decision`, Approve / Send back above its buttons (for who may approve)."""
    above = [decision_row(i18n, card.broadcast)] if with_decision else []
    return screen(card_text(i18n, card, default_language=default_language),
                  card_rows(i18n, card.broadcast, changeable=card.changeable, above=above))


def waiting(i18n: Translator, found: Sequence[Broadcast], *, default_language: str) -> Screen:
    """Below the draft's card in /broadcast: those not yet sent, or being sent, each with its
    first words ("#2 · waiting for approval" alone says little)."""
    _ = i18n.gettext
    lines, rows = [_("Broadcasts not yet sent, or being sent:")], []
    for b in found[:10]:
        words = excerpt(broadcasts.text_for(b, i18n.language, default_language), 22) or "—"
        when = f" · {i18n.datetime(b.send_at, 'short')}" if b.send_at else ""
        lines.append(f"#{b.id} · {_(STATE_NAMES[b.state])}{when}: <i>{escape(words)}</i>")
        rows.append([Choice(f"bc:show:{b.id}", f"#{b.id} · {words}")])
    return screen("\n".join(lines), rows)


def kinds(i18n: Translator, broadcast: Broadcast) -> Screen:
    _ = i18n.gettext
    rows = [[Choice(f"bc:kind:{broadcast.id}:{kind.value}", ("✅ " if kind is broadcast.kind else "") + _(name))]
            for kind, name in KIND_NAMES.items()]
    return screen(_("What is it about? People choose in /settings which kinds they receive."), rows)


def which_district(i18n: Translator, broadcast: Broadcast, districts: Sequence[District]) -> Screen:
    """The districts a typed name matched."""
    rows = [[Choice(f"bc:adddist:{broadcast.id}:{district.ubigeo}", district.name)] for district in districts]
    return screen(i18n.gettext("Which one?"), rows)


# --- the questions asked for a typed answer ----------------------------------------------------------

FILE_QUESTION = N_("Send one photo or one document to go with the message, or a single dash (-) to send it without one.")
QUESTIONS = {
    composing.FILE: FILE_QUESTION,
    composing.BUTTONS: N_("Write one button a line, its label and its link separated by a bar, for example:\n"
                          "<code>Enroll | https://t.me/voces_bot?start=trainings</code>\n"
                          "Send a single dash (-) for no buttons."),
    composing.DISTRICT: N_("Which district? Write its name."),
    composing.WHEN: N_("When should it go out? Write the day and the time, Lima time, for example: 15/12/2026 18:30"),
}


def question_text(i18n: Translator, step: composing.Step) -> str:
    _ = i18n.gettext
    if step.name != composing.TEXT:
        return _(QUESTIONS[step.name])
    language = step.language or ""
    text = _("Write the message in %(language)s, formatted as you want people to see it.") % {"language": _(LANGUAGE_IN_A_SENTENCE[language])}
    if step.broadcast is not None and language in step.broadcast.texts:
        text += "\n" + _("Send a single dash (-) to remove this version.")
    return text


# --- what follows ------------------------------------------------------------------------------------


def submitted(i18n: Translator, submission: composing.Submission, *, approval_threshold: int) -> Screen:
    """What happens now: waiting for approval (whoever may approve is asked), held for the end
    of quiet hours, going out now, or scheduled."""
    _ = i18n.gettext
    broadcast, receiving = submission.broadcast, submission.reach.receiving
    count = i18n.number(receiving)
    if submission.needs_approval:
        return screen(_(
            "⏳ It will reach %(count)s people, more than %(threshold)s: a second coordinator or staff member must approve it before it goes out. I have asked them; you will hear from me.")
            % {"count": count, "threshold": i18n.number(approval_threshold)})
    if submission.held_until is not None:  # "Send now" at night: say when it really goes out
        return screen(i18n.ngettext(
            "🌙 It is quiet hours: it goes out to %(count)s person at %(time)s, when they end (or when their own quiet hours end). I will keep you posted here.",
            "🌙 It is quiet hours: it goes out to %(count)s people at %(time)s, when they end (to those with quiet hours of their own, when theirs end). I will keep you posted here.",
            receiving) % {"count": count, "time": i18n.time(submission.held_until)})
    if submission.now:
        return screen(i18n.ngettext(
            "🚀 Sending it now to %(count)s person. I will keep you posted here.",
            "🚀 Sending it now to %(count)s people. I will keep you posted here.", receiving) % {"count": count})
    assert broadcast.send_at is not None
    return screen(i18n.ngettext(
        "🕒 Scheduled for %(when)s, to %(count)s person. Until then you can change or cancel it with /broadcast.",
        "🕒 Scheduled for %(when)s, to %(count)s people. Until then you can change or cancel it with /broadcast.",
        receiving) % {"when": i18n.datetime(broadcast.send_at, "short"), "count": count})


APPROVED, SENT_BACK = N_("✅ Approved. It goes out at its time."), N_("↩️ Sent back to its author as a draft.")


def decided(i18n: Translator, *, approved: bool) -> Screen:
    return screen(i18n.gettext(APPROVED if approved else SENT_BACK))


def cancelled(i18n: Translator) -> Screen:
    return screen(i18n.gettext("🗑 Cancelled: it will not go out."))


def no_text(i18n: Translator) -> Screen:
    """The preview, before any version is written."""
    return screen(i18n.gettext("Write the text first."))


def preview_heading(i18n: Translator, language: str) -> str:
    """Above each language's copy in the preview."""
    _ = i18n.gettext
    return _("👁 As people who speak %(language)s will see it:") % {"language": _(LANGUAGE_IN_A_SENTENCE[language])}


# --- the author's progress report --------------------------------------------------------------------


def tally_text(i18n: Translator, tally: Tally, *, final: bool) -> str:
    _ = i18n.gettext
    number = i18n.number
    if final:
        lines = [_("✅ <b>Broadcast finished.</b>")]
    else:
        lines = [_("📣 Sending… %(done)s of %(total)s") % {"done": number(tally.done), "total": number(tally.total)}]
    lines.append(_("Delivered: %(count)s") % {"count": number(tally.delivered)})
    if tally.blocked:
        lines.append(_("Blocked the bot: %(count)s (they are skipped from now on)") % {"count": number(tally.blocked)})
    if tally.failed:
        lines.append(_("Failed: %(count)s") % {"count": number(tally.failed)})
        if tally.marketing_capped:
            lines.append("· " + i18n.ngettext(
                "%(count)s person on WhatsApp had reached Meta's limit of announcements for now (not tried again today)",
                "%(count)s people on WhatsApp had reached Meta's limit of announcements for now (not tried again today)",
                tally.marketing_capped) % {"count": number(tally.marketing_capped)})
    if tally.skipped:
        lines.append(_("Not sent: %(count)s") % {"count": number(tally.skipped)})
        lines += [f"· {skipped_text(i18n, reason, count)}" for reason, count in tally.skipped_because]
    if tally.pending and final is False:
        lines.append(_("Still to go: %(count)s") % {"count": number(tally.pending + tally.sending)})
        if tally.waiting_for_daily_limit:
            lines.append("· " + i18n.ngettext(
                "%(count)s person on WhatsApp waits for the daily limit of people reached outside their 24 hours to free up",
                "%(count)s people on WhatsApp wait for the daily limit of people reached outside their 24 hours to free up",
                tally.waiting_for_daily_limit) % {"count": number(tally.waiting_for_daily_limit)})
    if tally.in_flight_at_restart:
        lines.append(_("In flight when the bot restarted, sent again: %(count)s (these people may have it twice)") % {
            "count": number(tally.in_flight_at_restart)})
    return "\n".join(lines)


def skipped_text(i18n: Translator, reason: str, count: int) -> str:
    """Why `count` people did not get it (read when their delivery came up, not only at the start)."""
    ngettext, values = i18n.ngettext, {"count": i18n.number(count)}
    if reason == SkipReason.PAUSED:
        return ngettext("%(count)s person had paused messages with /stop", "%(count)s people had paused messages with /stop", count) % values
    if reason == SkipReason.SWITCHED_OFF:
        return ngettext("%(count)s person had switched this kind of message off", "%(count)s people had switched this kind of message off",
                        count) % values
    if reason == SkipReason.NO_CONSENT:
        return ngettext("%(count)s person had withdrawn their consent", "%(count)s people had withdrawn their consent", count) % values
    if reason == SkipReason.NO_WHATSAPP_OPT_IN:
        return ngettext("%(count)s person on WhatsApp, quiet for over 24 hours, has announcements switched off",
                        "%(count)s people on WhatsApp, quiet for over 24 hours, have announcements switched off", count) % values
    if reason == SkipReason.UNREACHABLE:
        return ngettext("%(count)s person had blocked the bot before", "%(count)s people had blocked the bot before", count) % values
    # skipped before the reasons were kept apart
    return ngettext("%(count)s person was unreachable, or their settings said no", "%(count)s people were unreachable, or their settings said no",
                    count) % values


def tally(i18n: Translator, found: Tally, *, final: bool) -> Screen:
    return screen(tally_text(i18n, found, final=final))
