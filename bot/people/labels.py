"""How people's codes read to a person (roles, sex, nationality, languages), N_-marked."""

from __future__ import annotations

from bot.core.i18n import N_, PN_
from bot.people.models import Nationality, Role, Sex

# Messages that speak to the person with a word that, in Spanish, agrees with them ("bienvenida",
# "inscrito"): the catalogs' plain version is neutral, and these are the versions for who declared
# their sex (handlers say them with context.addressed; bot.core.i18n.Translator.addressed chooses).
ADDRESSED = (
    PN_("female", "Welcome back, %(name)s!"), PN_("male", "Welcome back, %(name)s!"),
    PN_("female", "🙋 Checked in: welcome to <b>%(title)s</b>!"), PN_("male", "🙋 Checked in: welcome to <b>%(title)s</b>!"),
    PN_("female", "✅ The seat is yours: you are enrolled in <b>%(title)s</b>."),
    PN_("male", "✅ The seat is yours: you are enrolled in <b>%(title)s</b>."),
    PN_("female", "✅ You are enrolled in <b>%(title)s</b>. Here is the event for your calendar; I will remind you a day and an hour before."),
    PN_("male", "✅ You are enrolled in <b>%(title)s</b>. Here is the event for your calendar; I will remind you a day and an hour before."),
)

# A language named in itself, on the buttons that choose it.
LANGUAGE_NAMES = {"es": "Español", "en": "English"}

# Inside a sentence a language is named in the reader's language: "quienes hablan inglés".
LANGUAGE_IN_A_SENTENCE = {"es": N_("Spanish"), "en": N_("English")}

ROLE_NAMES = {Role.LEADER: N_("leader"), Role.COORDINATOR: N_("coordinator"), Role.STAFF: N_("programme staff")}

SEX_CHOICE = {Sex.FEMALE: N_("Woman"), Sex.MALE: N_("Man"), Sex.OTHER: N_("Other"), Sex.UNSTATED: N_("Prefer not to say")}

NATIONALITY_CHOICE = {Nationality.VENEZUELAN: N_("Venezuelan"), Nationality.PERUVIAN: N_("Peruvian"),
                      Nationality.OTHER: N_("Another nationality"), Nationality.UNSTATED: N_("Prefer not to say")}
