"""How the projects area's codes read: a project's status and theme, a report's status, the
reporting schedules, and the groups of people a report counts."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.projects.models import ProjectStatus, ProjectTheme, ReportFrequency, ReportStatus

PROJECT_STATUS = {
    ProjectStatus.PROPOSAL: N_("📨 proposal, waiting for the programme"),
    ProjectStatus.SELECTED: N_("⭐ selected"),
    ProjectStatus.FUNDED: N_("💰 funded"),
    ProjectStatus.IMPLEMENTING: N_("🛠 being implemented"),
    ProjectStatus.CLOSED: N_("🏁 closed"),
    ProjectStatus.NOT_SELECTED: N_("not selected"),
}

THEME = {
    ProjectTheme.WOMEN_ENTERPRISE: N_("Women's enterprise"),
    ProjectTheme.HUMAN_RIGHTS: N_("Human rights"),
    ProjectTheme.RISK_MANAGEMENT: N_("Risk management"),
    ProjectTheme.EDUCATION: N_("Education"),
    ProjectTheme.CULTURE: N_("Culture"),
    ProjectTheme.CHILDREN_ARTS_SPORT: N_("Music, sport and art for children and adolescents"),
    ProjectTheme.WELLBEING_FAMILY: N_("Emotional wellbeing and family"),
    ProjectTheme.PRIMARY_HEALTH: N_("Primary health care"),
}
REPORT_STATUS = {
    ReportStatus.DUE: N_("to be sent"),
    ReportStatus.SUBMITTED: N_("sent, waiting for review"),
    ReportStatus.CHANGES_REQUESTED: N_("changes requested"),
    ReportStatus.APPROVED: N_("approved"),
}
FREQUENCY = {
    ReportFrequency.MONTHLY: N_("Monthly reports"),
    ReportFrequency.QUARTERLY: N_("Quarterly reports"),
    ReportFrequency.FINAL: N_("One final report"),
}
NATIONALITY = {"peruvian": N_("Peruvian"), "venezuelan": N_("Venezuelan"), "other": N_("Other nationalities")}
NATIONALITY_TOTAL = {"peruvian": N_("Peruvian people"), "venezuelan": N_("Venezuelan people"), "other": N_("people of other nationalities")}
SEX_LABEL = {"female": N_("female"), "male": N_("male"), "unstated": N_("other or not stated")}
AGE_LABEL = {"0_11": N_("0–11"), "12_17": N_("12–17"), "18_59": N_("18–59"), "60_plus": N_("60 or more")}
UNSPLIT_LABEL = N_("age not split by sex")  # reports approved before the ages were asked per sex
# One nationality and sex, as the age question and its mismatch name them (whole phrases, so
# that each language can agree them).
GROUP = {
    ("peruvian", "female"): N_("Peruvian women and girls"),
    ("peruvian", "male"): N_("Peruvian men and boys"),
    ("peruvian", "unstated"): N_("Peruvian people of other sex or not stated"),
    ("venezuelan", "female"): N_("Venezuelan women and girls"),
    ("venezuelan", "male"): N_("Venezuelan men and boys"),
    ("venezuelan", "unstated"): N_("Venezuelan people of other sex or not stated"),
    ("other", "female"): N_("Women and girls of other nationalities"),
    ("other", "male"): N_("Men and boys of other nationalities"),
    ("other", "unstated"): N_("People of other nationalities, of other sex or not stated"),
}
