"""How the domain's codes read to a person: one table per enum (or list), msgids marked with N_
and translated where they are shown. The channel (handlers/) renders them; no chat library here."""

from __future__ import annotations

from bot.broadcasts.models import MessageKind
from bot.core.i18n import N_, PN_
from bot.core.validation import IdDocumentType
from bot.organizations.models import BoardRole, FocusArea, OrganizationKind, VerificationStatus
from bot.people.models import Nationality, Role, Sex
from bot.projects.models import ProjectStatus
from bot.ruos.models import RegistrationStage
from bot.trainings.models import EnrollmentState

# --- people ------------------------------------------------------------------------------------------

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

# --- organizations ------------------------------------------------------------------------------------

KIND = {
    OrganizationKind.OSB: N_("Grassroots social organization (OSB)"),
    OrganizationKind.OSV: N_("Neighbourhood social organization (OSV)"),
    OrganizationKind.CIVIL_ASSOCIATION: N_("Civil association"),
    OrganizationKind.OTHER: N_("Other"),
}
# The same kinds on a button, where a phone shows about 30 characters: the code first.
KIND_BUTTON = {
    OrganizationKind.OSB: N_("OSB: grassroots organization"),
    OrganizationKind.OSV: N_("OSV: neighbourhood group"),
    OrganizationKind.CIVIL_ASSOCIATION: N_("Civil association"),
    OrganizationKind.OTHER: N_("Other"),
}
FOCUS = {
    FocusArea.WOMENS_ENTERPRISE: N_("Women's enterprise"),
    FocusArea.HUMAN_RIGHTS: N_("Human rights"),
    FocusArea.RISK_MANAGEMENT: N_("Risk management"),
    FocusArea.EDUCATION: N_("Education"),
    FocusArea.CULTURE: N_("Culture"),
    FocusArea.CHILDREN_ARTS_SPORT: N_("Music, sport and art for children and adolescents"),
    FocusArea.WELLBEING_FAMILY: N_("Emotional wellbeing and family"),
    FocusArea.HEALTH: N_("Health"),
    FocusArea.OTHER: N_("Other"),
}
FOCUS_BUTTON = {**FOCUS, FocusArea.CHILDREN_ARTS_SPORT: N_("Art and sport for children")}
BOARD_ROLE = {
    BoardRole.PRESIDENT: N_("President"),
    BoardRole.SECRETARY: N_("Secretary"),
    BoardRole.TREASURER: N_("Treasurer"),
    BoardRole.OTHER: N_("Other board member"),
}
DOCUMENT = {
    IdDocumentType.DNI: N_("DNI"),
    IdDocumentType.CE: N_("Carné de extranjería (CE)"),
    IdDocumentType.CPP: N_("Temporary permit card (CPP)"),
    IdDocumentType.PTP: N_("PTP"),
    IdDocumentType.PASSPORT: N_("Passport"),
    IdDocumentType.VE_CEDULA: N_("Venezuelan cédula"),
    IdDocumentType.REFUGEE_APPLICANT: N_("Refugee applicant card (CSR)"),
}
# On buttons, where a phone shows about 30 characters: the code first, the long name shortened.
DOCUMENT_BUTTON = {
    **DOCUMENT,
    IdDocumentType.CPP: N_("CPP (temporary permit)"),
    IdDocumentType.REFUGEE_APPLICANT: N_("CSR (refugee applicant)"),
}
STATUS = {
    VerificationStatus.PENDING: N_("⏳ pending review by the programme"),
    VerificationStatus.VERIFIED: N_("✅ verified"),
    VerificationStatus.NEEDS_CHANGES: N_("✏️ needs changes"),
}

# --- messages the bot sends on its own, as /settings switches them ------------------------------------

MESSAGE_KIND_NAMES = {
    MessageKind.TRAININGS: N_("Trainings"),
    MessageKind.REPORTS: N_("Project reports"),
    MessageKind.RUOS: N_("RUOS"),
    MessageKind.ANNOUNCEMENTS: N_("Announcements"),
}

# --- trainings ---------------------------------------------------------------------------------------

# A person's own place in a session, said to them.
ENROLLMENT_STATE_NAMES = {
    EnrollmentState.ENROLLED: N_("enrolled"),
    EnrollmentState.WAITLISTED: N_("on the waitlist"),
    EnrollmentState.OFFERED: N_("a seat is held for you"),
    EnrollmentState.ATTENDED: N_("attended"),
    EnrollmentState.NO_SHOW: N_("did not attend"),
}
# The same states in a coordinator's lists, which speak about the people, not to them.
ENROLLMENT_STATE_IN_LISTS = {
    EnrollmentState.ENROLLED: N_("on the list"),
    EnrollmentState.WAITLISTED: N_("on the waitlist"),
    EnrollmentState.OFFERED: N_("offered a freed seat"),
    EnrollmentState.ATTENDED: N_("were present"),
    EnrollmentState.NO_SHOW: N_("were absent"),
}


# The area a kept file belongs to, as the first word of the name the bot gives it
# (bot/core/uploads.stored_file_name): "propuesta-…pdf" for a Spanish reader.
FILE_NAME_CONTEXT = "file name"
FILE_AREA_WORDS = {
    "proposal": PN_("file name", "proposal"),
    "report": PN_("file name", "report"),
}

# --- projects and the RUOS --------------------------------------------------------------------------

PROJECT_STATUS = {
    ProjectStatus.PROPOSAL: N_("📨 proposal, waiting for the programme"),
    ProjectStatus.SELECTED: N_("⭐ selected"),
    ProjectStatus.FUNDED: N_("💰 funded"),
    ProjectStatus.IMPLEMENTING: N_("🛠 being implemented"),
    ProjectStatus.CLOSED: N_("🏁 closed"),
    ProjectStatus.NOT_SELECTED: N_("not selected"),
}
RUOS_STAGE = {
    RegistrationStage.PREPARING: N_("🛠 preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 handed in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 observed by the municipality"),
    RegistrationStage.REGISTERED: N_("🎉 registered in the RUOS"),
}
