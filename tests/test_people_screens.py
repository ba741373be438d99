"""The people area's screens (bot/people/screens.py, rights_screens.py): every one fits WhatsApp's
limits with every choice reachable, and Telegram shows the consent and settings screens with
exactly the keyboards handlers/people built itself before screens (the same callback data, so
old buttons keep working).

Pure functions, no bot: test_onboarding.py, test_consent_and_erasure.py and
test_notification_settings.py show the same screens through the Bot API emulator.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.broadcasts.labels import MESSAGE_KIND_NAMES
from bot.broadcasts.models import NotificationSettings
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import translator
from bot.core.screens import Screen, check_markup
from bot.organizations.models import LeaderRole
from bot.people import rights_screens as rights
from bot.people import screens as people
from bot.people.labels import LANGUAGE_NAMES
from bot.people.models import Nationality, Role, Sex, User
from bot.people.privacy import (
    BoardEntryView,
    InviteView,
    LedOrganization,
    PersonSummary,
    UploadView,
    Withdrawal,
)
from bot.trainings.models import EnrollmentState
from handlers import screens as telegram
from handlers.commands import localized
from handlers.common import keyboard
from handlers.whatsapp.render import Chosen, read_reply, render
from tests.test_screens import ids_shown, within_limits

ES = translator("es")
EN = translator("en")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
PROGRAMME_QUIET = (time(21, 0), time(8, 0))
TYPED = "Ana <María> *Quispe*_de_los Ríos & Co"  # what a person typed: never markup anywhere


def mask(_encrypted: str) -> str:
    return "****5678"


def rich_summary(**changes) -> PersonSummary:
    """Someone who used everything: two organizations, uploads, invites, trainings, settings."""
    board = [BoardEntryView("president", f"{TYPED} {n}", "DNI", "x") for n in range(6)]
    summary = PersonSummary(
        telegram_id=987654321, display_name=TYPED, language="es", role="leader", consent_at=NOW - timedelta(days=40),
        first_seen=NOW - timedelta(days=41), last_seen=NOW, sex=Sex.FEMALE, nationality=None,
        organizations=[LedOrganization(f"Comedor {TYPED}", LeaderRole.OWNER, "+51987654321", board),
                       LedOrganization("Asociación Civil Ñañitas", LeaderRole.CO_LEADER, "+51912345678", [])],
        uploads=[UploadView("Comedor", f"acta-{n}.pdf", TYPED if n % 2 else None, NOW - timedelta(days=n), n % 3 != 0)
                 for n in range(30)],
        invites=[InviteView("Comedor", NOW - timedelta(days=3), used, NOW + timedelta(days=4)) for used in (True, False)],
        drafts=2, pending_reminders=3, broadcasts_received=5, paused=True, muted=["ruos", "announcements"],
        trainings=[(f"Taller {n} <contabilidad>", state, n % 2 == 0) for n, state in enumerate(EnrollmentState)],
    )
    return PersonSummary(**{**summary.__dict__, **changes})


def person(**changes) -> User:
    return User(telegram_id=987654321, language="es", role=Role.LEADER,
                **{"display_name": TYPED, "sex": Sex.FEMALE, "nationality": Nationality.VENEZUELAN, **changes})


def every_screen(i18n) -> dict[str, Screen]:
    """Each screen of the people area, in the situations that change what it shows."""
    def names(name: str) -> str:
        return localized(name, i18n.language)

    row = NotificationSettings(user_id=1, muted=["ruos"], quiet_start=time(22), quiet_end=time(7), paused_at=NOW, updated_at=NOW)
    records = {"users": [{"id": 1, "display_name": TYPED}], "uploads": [{"name": f"acta-{n}.pdf"} for n in range(30)]}
    shown = {
        "notice": people.notice(i18n, greeting=True),
        "notice again": people.notice(i18n, greeting=False),
        "full notice": people.full_notice(i18n),
        "accepted": people.accepted(i18n),
        "declined, never consented": people.declined(i18n, Withdrawal(False, 0)),
        "withdrawn, with seats given up": people.declined(i18n, Withdrawal(True, 2)),
        "language": people.language_picker(i18n),
        "language from settings": people.language_picker(i18n, back=True),
        "language changed": people.language_changed(i18n),
        "nothing to cancel": people.nothing_to_cancel(i18n),
        "sticker": people.sticker(i18n),
        "file outside a flow": people.file_outside_a_flow(i18n),
        "settings": people.settings(i18n, None, language=i18n.language, programme=PROGRAMME_QUIET),
        "settings, paused with own hours": people.settings(i18n, row, language="es", programme=PROGRAMME_QUIET),
        "quiet hours": people.quiet_menu(i18n, programme=PROGRAMME_QUIET),
        "paused": people.paused(i18n, newly=True),
        "already paused": people.paused(i18n, newly=False),
        "resumed": people.resumed(i18n, announcements=True),
        "resumed, announcements off": people.resumed(i18n, announcements=False),
        "my data": rights.my_data(i18n, rich_summary(), records, mask=mask, now=NOW),
        "my data, no consent": rights.my_data(i18n, rich_summary(consent_at=None, organizations=[], uploads=[]), {}, mask=mask, now=NOW),
        "withdraw?": rights.ask_to_withdraw(i18n),
        "consent stays": rights.consent_stays(i18n),
        "delete?": rights.ask_to_delete(i18n),
        "erased": rights.erased(i18n, backup_keep_days=14),
        "erased, no backups": rights.erased(i18n, backup_keep_days=None),
        "nothing erased": rights.nothing_erased(i18n),
        "correct": rights.correct_card(i18n, person()),
        "correct, nothing said": rights.correct_card(i18n, person(display_name=None, sex=None, nationality=None)),
        "name?": rights.name_question(i18n),
        "name kept": rights.name_kept(i18n, TYPED),
        "sex?": rights.sex_question(i18n),
        "nationality?": rights.nationality_question(i18n),
        "about me saved": rights.about_me_saved(i18n, person()),
        "about me skipped": rights.about_me_skipped(i18n),
    }
    for role in Role:
        shown[f"help, {role}"] = people.help_screen(i18n, role=role, command=names)
        shown[f"welcome back, {role}"] = people.welcome_back(i18n, name=TYPED, sex=Sex.FEMALE, role=role, command=names)
        shown[f"next step, {role}"] = people.next_step(i18n, role=role, command=names)
        shown[f"unknown command, {role}"] = people.unknown_command(i18n, role=role, command=names)
        shown[f"not understood, {role}"] = people.not_understood(i18n, role=role, command=names)
    return shown


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_people_screen_fits_whatsapp_and_every_choice_on_it_is_reachable(i18n):
    for name, shown in every_screen(i18n).items():
        check_markup(shown.text)  # both channels can render it; typed text stayed text
        media = [f"M{n}" for n in range(len(shown.files))]
        messages = render(shown, to="51987654321", gettext=i18n.gettext, media_ids=media)
        within_limits(messages)
        assert "*Quispe*" not in json.dumps(messages, ensure_ascii=False), name  # typed, never bold
        if shown.choices:
            assert ids_shown(replace(shown, files=()), i18n.gettext) == {c.id for c in shown.choices}, name
        else:
            assert all(m["type"] != "interactive" for m in messages), name
        assert [m["document"]["filename"] for m in messages if m["type"] == "document"] == [f.name for f in shown.files], name

    # The notice on WhatsApp: a list of its four choices; "1" typed accepts, as tapping would.
    notice = every_screen(i18n)["notice"]
    assert read_reply(notice, {"type": "text", "text": {"body": "1"}}) == Chosen("consent:yes")
    # /mydata's files: the summary as text and every record as JSON, the JSON with its caption.
    mine = every_screen(i18n)["my data"]
    assert [f.mime for f in mine.files] == ["text/plain", "application/json"]
    assert mine.files[0].name.endswith(f"{NOW.astimezone(i18n.zone).date().isoformat()}.txt")
    assert json.loads(mine.files[1].data)["records"]["users"][0]["display_name"] == TYPED
    assert mine.files[1].caption and not mine.files[0].caption


# --- Telegram: the consent and settings screens with the keyboards handlers/people built before -------------


def old_notice_keyboard(i18n, *, more=True):
    _ = i18n.gettext
    other = next(code for code in SUPPORTED_LANGUAGES if code != i18n.language)
    rows = [[(_("✅ I accept"), "consent:yes"), (_("I do not accept"), "consent:no")]]
    if more:
        rows.append([(_("Read more"), "consent:more")])
    rows.append([(LANGUAGE_NAMES[other], f"consent:lang:{other}")])
    return keyboard(rows)


def old_settings_keyboard(i18n, muted, paused):
    _ = i18n.gettext
    rows = [[(("✅ " if kind.value not in muted else "▫️ ") + _(name), f"set:kind:{kind.value}")] for kind, name in MESSAGE_KIND_NAMES.items()]
    rows.append([(_("🌐 Language"), "set:lang"), (_("🌙 Quiet hours"), "set:quiet")])
    rows.append([(_("▶️ Resume messages"), "set:resume")] if paused else [(_("⏸ Pause everything (/stop)"), "set:pause")])
    return keyboard(rows)


def old_quiet_keyboard(i18n):
    _ = i18n.gettext
    labels = {"default": _("The programme's, %(span)s") % {"span": "21:00–08:00"},
              "2207": "22:00–07:00", "2009": "20:00–09:00", "none": _("No quiet hours")}
    return keyboard([*([(label, f"set:quiet:{code}")] for code, label in labels.items()), [(_("⬅️ Back"), "set:back")]])


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_consent_and_settings_screens_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    languages = [(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED_LANGUAGES]
    old = {
        "notice": old_notice_keyboard(i18n),
        "notice again": old_notice_keyboard(i18n),
        "full notice": old_notice_keyboard(i18n, more=False),
        "language": keyboard([languages]),
        "language from settings": keyboard([languages, [(_("⬅️ Back"), "set:back")]]),
        "settings": old_settings_keyboard(i18n, muted=set(), paused=False),
        "settings, paused with own hours": old_settings_keyboard(i18n, muted={"ruos"}, paused=True),
        "quiet hours": old_quiet_keyboard(i18n),
        "my data": keyboard([[(_("🚫 Withdraw my consent"), "privacy:withdraw")]]),
        "withdraw?": keyboard([[(_("Yes, withdraw it"), "consent:no"), (_("No, keep it"), "privacy:stay")]]),
        "delete?": keyboard([[(_("Yes, erase my data"), "privacy:erase"), (_("No, keep it"), "privacy:keep")]]),
        "correct": keyboard([[(_("✏️ Correct my name"), "me:name")], [(_("✏️ Sex and nationality"), "me:about")]]),
    }
    shown = every_screen(i18n)
    for name, markup in old.items():
        assert telegram.render(shown[name]) == (shown[name].text, markup), name
    for name in ("accepted", "declined, never consented", "paused", "erased", "my data, no consent", "help, staff"):
        assert telegram.render(shown[name])[1] is None, name  # a text, no buttons, as before

    # The texts as the handlers wrote them: the notice, and the settings card with its own hours.
    notice = shown["notice"].text.split("\n")
    assert notice[0] == _("Hello! I am <b>Voces</b>, the assistant of the programme that supports your organization.")
    assert notice[-1] == _("Do you accept?") and notice[-2] == ""
    card = shown["settings, paused with own hours"].text.split("\n")
    assert card[:3] == [_("⚙️ <b>Your settings</b>"), _("⏸ Paused: I send you nothing on my own until you send /start."),
                        _("Language: %(language)s") % {"language": "Español"}]
    assert card[3] == _("Quiet hours (nothing I send on my own arrives then): %(hours)s") % {"hours": "22:00–07:00"}
    assert _("%(span)s (the programme's)") % {"span": "21:00–08:00"} in shown["settings"].text
    # /help names each command as the person types it, and only the role's own sections.
    help_leader, help_staff = shown["help, leader"].text, shown["help, staff"].text
    assert f"/{localized('help', i18n.language)} — {_('What I can do')}" in help_leader
    assert _("<b>Staff</b>") in help_staff and _("<b>Staff</b>") not in help_leader
