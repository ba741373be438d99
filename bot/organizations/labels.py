"""How an organization's codes read to a person (kind, focus areas, board roles, documents, status)."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.validation import IdDocumentType
from bot.organizations.models import BoardRole, FocusArea, OrganizationKind, VerificationStatus

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
