"""What the data rights show, as screens (bot/core/screens.py): /mydata (with its files),
withdrawing consent, /deletedata's confirmation, and /correct with the optional sex and
nationality questions.

The choices' ids are the callback data Telegram's buttons have always carried
(`privacy:erase`, `me:sex:female` …), so a button left in a chat by an older version still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.broadcasts.labels import MESSAGE_KIND_NAMES
from bot.broadcasts.models import MessageKind
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, File, Screen, escape, screen
from bot.core.validation import IdDocumentType, format_phone_for_display
from bot.documents import personal_data
from bot.organizations.labels import BOARD_ROLE, DOCUMENT
from bot.organizations.models import BoardRole, LeaderRole
from bot.people.labels import LANGUAGE_NAMES, NATIONALITY_CHOICE, ROLE_NAMES, SEX_CHOICE
from bot.people.models import Channel, Nationality, Role, Sex, User
from bot.people.privacy import PersonSummary
from bot.trainings.labels import ENROLLMENT_STATE_NAMES

NOT_SAID = N_("not said")


def declared(i18n: Translator, labels: Mapping[Any, str], value: Sex | Nationality | None) -> str:
    """What a person said of their sex or nationality, or that they did not say."""
    return i18n.gettext(labels[value] if value is not None else NOT_SAID)


# --- /mydata ---------------------------------------------------------------------------------------------


def my_data_text(i18n: Translator, summary: PersonSummary, *, mask: Callable[[str], str]) -> str:
    """Everything the bot holds on the person: who they are to it, what they lead and entered,
    what they uploaded and the invitations they made (`mask` shows an identity number masked)."""
    _ = i18n.gettext
    lines = [_("<b>What Voces keeps about you</b>")]
    if summary.telegram_id is not None:
        lines.append(_("Telegram id: %(id)s") % {"id": summary.telegram_id})
    if summary.whatsapp:
        lines.append(_("WhatsApp: %(number)s") % {"number": escape(summary.whatsapp)})
    lines.append(_("Name: %(name)s") % {"name": escape(summary.display_name or _("(not kept)"))})
    lines.append(_("Language: %(language)s") % {"language": LANGUAGE_NAMES.get(summary.language, summary.language)})
    lines.append(_("Role: %(role)s") % {"role": _(ROLE_NAMES[Role(summary.role)])})
    lines.append(_("Sex: %(sex)s · Nationality: %(nationality)s (as you said, if you did; only counted in anonymous totals)") % {
        "sex": declared(i18n, SEX_CHOICE, summary.sex), "nationality": declared(i18n, NATIONALITY_CHOICE, summary.nationality)})
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
                    "role": _(BOARD_ROLE[BoardRole(member.role)]),
                    "name": escape(member.full_name),
                    "document": _(DOCUMENT.get(IdDocumentType(member.id_document_type), member.id_document_type)),
                    "number": mask(member.id_number_encrypted),
                }
            )
    lines += _uploads_and_invites(i18n, summary)
    lines += _activity(i18n, summary)
    lines += ["", _("Correct your name, sex or nationality with /correct and your organization with /myorg; erase all of this with /deletedata.")]
    return "\n".join(lines)


def _uploads_and_invites(i18n: Translator, summary: PersonSummary) -> list[str]:
    _ = i18n.gettext
    lines: list[str] = []
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
    return lines


def _activity(i18n: Translator, summary: PersonSummary) -> list[str]:
    _ = i18n.gettext
    lines: list[str] = []
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
    return lines


def my_data(i18n: Translator, summary: PersonSummary, records: dict[str, list[dict[str, Any]]], *,
            mask: Callable[[str], str], now: datetime) -> Screen:
    """/mydata: the summary, the same as a text file and every record as JSON (portability,
    Ley 29733), and a way to withdraw consent for someone who gave it."""
    _ = i18n.gettext
    text = my_data_text(i18n, summary, mask=mask)
    name = _("voces-my-data-%(date)s") % {"date": now.astimezone(i18n.zone).date().isoformat()}
    files = [
        File(f"{name}.txt", "text/plain", data=personal_data.as_text(text)),
        File(f"{name}.json", "application/json", data=personal_data.as_json(records, generated_at=now.isoformat()),
             caption=_("Everything Voces keeps about you, as files you can keep or take elsewhere.")),
    ]
    rows = [[Choice("privacy:withdraw", _("🚫 Withdraw my consent"))]] if summary.consent_at else []
    return screen(text, rows, files=files)


# --- withdrawing consent, /deletedata -------------------------------------------------------------------


def ask_to_withdraw(i18n: Translator) -> Screen:
    """Withdrawing consent is as easy as giving it (Ley 29733): from /mydata, with one question."""
    _ = i18n.gettext
    return screen(
        _("If you withdraw your consent I stop sending you messages, discard what you have not finished and give up your places in upcoming trainings. What you registered stays with the programme until you erase it with /deletedata. Withdraw it?"),
        [[Choice("consent:no", _("Yes, withdraw it")), Choice("privacy:stay", _("No, keep it"))]],
    )


def consent_stays(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Nothing changed: your consent stays."))


def ask_to_delete(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen(
        _("This erases your name, your consent, your unfinished registrations and your role as leader. Organizations you lead alone are erased with their board and documents. This cannot be undone. Continue?"),
        [[Choice("privacy:erase", _("Yes, erase my data")), Choice("privacy:keep", _("No, keep it"))]],
    )


def erased(i18n: Translator, *, backup_keep_days: int | None, channel: Channel = Channel.TELEGRAM) -> Screen:
    """After erasing: what is left anywhere (`backup_keep_days`: None when there are no backups)."""
    _ = i18n.gettext
    paragraphs = [
        _("Your data has been erased. If you write again, I will ask for your consent first."),
        _("The programme keeps only anonymous totals (how many organizations per district, for example), which name nobody."),
    ]
    if backup_keep_days is not None:  # the nightly backups age out (handlers/console/backups.py)
        paragraphs.append(i18n.ngettext(
            "Copies in the programme's backups, kept in case of a breakdown, are deleted within %(days)s day.",
            "Copies in the programme's backups, kept in case of a breakdown, are deleted within %(days)s days.",
            backup_keep_days) % {"days": backup_keep_days})
    if channel is Channel.WHATSAPP:
        paragraphs.append(_("WhatsApp keeps this chat on your phone until you delete it: open the chat, tap ⋮ (or the name), then “Clear chat”. Your WhatsApp account is Meta's, not ours."))
        return screen("\n\n".join(paragraphs))
    paragraphs.append(_("Telegram itself keeps this chat on its servers and on your phone until you delete it: tap the bot's name, then ⋮ (or …) and “Delete chat” (tick “also for Voces” if offered). Your Telegram account is Telegram's, not ours."))
    return screen("\n\n".join(paragraphs))


def nothing_erased(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Nothing was erased."))


# --- /correct -------------------------------------------------------------------------------------------


def correct_card(i18n: Translator, person: User) -> Screen:
    _ = i18n.gettext
    lines = [
        _("<b>Correct your data</b>"),
        _("Name: %(name)s") % {"name": escape(person.display_name or _("(not kept)"))},
        _("Sex: %(sex)s · Nationality: %(nationality)s") % {
            "sex": declared(i18n, SEX_CHOICE, person.sex), "nationality": declared(i18n, NATIONALITY_CHOICE, person.nationality)},
        _("(Optional. Only counted in the programme's anonymous totals; nobody sees it next to your name but you.)"),
        "",
        _("Your language: /language. Your organization, its board and contact phone: /myorg. See everything with /mydata."),
    ]
    return screen("\n".join(lines), [[Choice("me:name", _("✏️ Correct my name"))], [Choice("me:about", _("✏️ Sex and nationality"))]])


def name_question(i18n: Translator) -> Screen:
    return screen(i18n.gettext("How should the programme call you? Write your name as you want it kept."))


def name_kept(i18n: Translator, name: str) -> Screen:
    return screen(i18n.gettext("Done: I will keep your name as %(name)s.") % {"name": escape(name)})


def correction_cancelled(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Cancelled. Nothing was changed."))


def sex_question(i18n: Translator) -> Screen:
    """Asked once after a first seat in a training, and from /correct: only if the person wishes."""
    _ = i18n.gettext
    text = "\n\n".join([
        _("One more question, only if you wish. The programme tells its funders how many women and men, Venezuelan and "
          "Peruvian, it trains. Your answer is only counted in those anonymous totals: nobody sees it next to your name "
          "but you (/mydata). You can skip it, and change it whenever you like with /correct."),
        _("<b>1 of 2.</b> You are:"),
    ])
    choices = [Choice(f"me:sex:{code.value}", _(label)) for code, label in SEX_CHOICE.items()]
    return screen(text, [choices[:2], choices[2:], [Choice("me:skip", _("⏭ Skip"))]])


def nationality_question(i18n: Translator) -> Screen:
    _ = i18n.gettext
    choices = [Choice(f"me:nat:{code.value}", _(label)) for code, label in NATIONALITY_CHOICE.items()]
    return screen(_("<b>2 of 2.</b> Your nationality:"), [choices[:2], choices[2:]])


def about_me_saved(i18n: Translator, person: User) -> Screen:
    return screen(i18n.gettext("Thank you. Saved: %(sex)s · %(nationality)s. Only counted in anonymous totals; change it whenever you like with /correct.") % {
        "sex": declared(i18n, SEX_CHOICE, person.sex), "nationality": declared(i18n, NATIONALITY_CHOICE, person.nationality)})


def about_me_skipped(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Fine, nothing more was saved. If you change your mind: /correct."))
