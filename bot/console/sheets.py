"""The workbooks' sheets in the reader's language: /export's tables (bot/console/exports.py) with
their titles, headings, the programme's codes named as the chat names them, and each table's
notes under it; the indicator sheet and the people reached by nationality × sex × age (/indicators
and /export)."""

from __future__ import annotations

from bot.console import exports
from bot.console import figures as programme
from bot.console.figure_labels import sheet_rows, strip_emoji
from bot.console.labels import ACTIVITY
from bot.console.models import ActivityState
from bot.core.i18n import N_, Translator
from bot.core.validation import IdDocumentType
from bot.documents import workbook
from bot.organizations import labels
from bot.organizations.models import BoardRole, OrganizationKind, VerificationStatus
from bot.projects.labels import AGE_LABEL as AGE
from bot.projects.labels import NATIONALITY, PROJECT_STATUS, REPORT_STATUS
from bot.projects.labels import SEX_LABEL as SEX
from bot.projects.models import ProjectStatus, ReportStatus
from bot.projects.reports import AGE_GROUPS, NATIONALITIES, SEXES, UNSPLIT
from bot.ruos.labels import RUOS_STAGE as STAGE
from bot.ruos.models import RegistrationStage

# Staff's words for where each person stands (the leaders' own are in handlers/trainings/browse.py).
ENROLLMENT = {"enrolled": N_("has a seat"), "waitlisted": N_("waiting list"), "offered": N_("seat offered"),
              "attended": N_("came"), "no_show": N_("did not come")}
ROLE = {"owner": N_("owner"), "co_leader": N_("co-leader")}
UNSPLIT_HEADER = N_("age not split by sex")


def _table(kind: str) -> dict[str, str]:
    return {
        "org_kind": {k.value: v for k, v in labels.KIND.items() if isinstance(k, OrganizationKind)},
        "verification": {k.value: v for k, v in labels.STATUS.items() if isinstance(k, VerificationStatus)},
        "ruos_stage": {k.value: v for k, v in STAGE.items() if isinstance(k, RegistrationStage)},
        "activity": {k.value: v for k, v in ACTIVITY.items() if isinstance(k, ActivityState)},
        "leader_role": ROLE,
        "board_role": {k.value: v for k, v in labels.BOARD_ROLE.items() if isinstance(k, BoardRole)},
        "document": {k.value: v for k, v in labels.DOCUMENT.items() if isinstance(k, IdDocumentType)},
        "enrollment": ENROLLMENT,
        "project_status": {k.value: v for k, v in PROJECT_STATUS.items() if isinstance(k, ProjectStatus)},
        "report_status": {k.value: v for k, v in REPORT_STATUS.items() if isinstance(k, ReportStatus)},
        "nationality": NATIONALITY,
        "reached_sex": {**SEX, UNSPLIT: UNSPLIT_HEADER},
        "age": AGE,
    }.get(kind, {})


def code_label(i18n: Translator, code: exports.Code, topics: dict) -> str:  # type: ignore[type-arg]
    if code.kind == "topic":
        topic = topics.get(code.value)
        return topic.name(i18n.language) if topic else code.value
    msgid = _table(code.kind).get(code.value)
    return strip_emoji(i18n.gettext(msgid)) if msgid else code.value


def export_sheets(i18n: Translator, tables: list[exports.Table], topics: dict) -> list[workbook.Sheet]:  # type: ignore[type-arg]
    _ = i18n.gettext

    def cell(value: object) -> workbook.Cell:
        return code_label(i18n, value, topics) if isinstance(value, exports.Code) else value  # type: ignore[return-value]

    def heading(header: exports.Header) -> str:
        return _(header) if isinstance(header, str) else " / ".join(code_label(i18n, code, topics) for code in header)

    sheets = []
    for table in tables:
        rows: list[list[workbook.Cell]] = [[cell(value) for value in row] for row in table.rows]
        if table.notes:
            rows += [[], *([_(note)] for note in table.notes)]
        sheets.append(workbook.Sheet(_(table.title), [heading(h) for h in table.headers], rows))
    return sheets


def indicator_sheet(i18n: Translator, figures: programme.Figures, heading: str) -> workbook.Sheet:
    _ = i18n.gettext
    rows: list[list[workbook.Cell]] = [[heading, None, None], *sheet_rows(i18n, figures)]
    return workbook.Sheet(_("Indicators"), (_("Indicator"), _("Value"), _("How this is counted")), rows)


UNSPLIT_LABEL = N_("age not split by sex")


def beneficiaries_sheet(i18n: Translator, figures: programme.Figures) -> workbook.Sheet:
    """People reached by nationality × sex × age group, one row per nationality and sex. Reports
    approved before the ages were asked per sex have a row of their own per nationality
    ("age not split by sex"), so the table adds up to the total and no sex is guessed."""
    _ = i18n.gettext
    people = figures.beneficiaries
    cross = people.by_nationality_sex_age
    sexes = [*SEXES, UNSPLIT] if people.unsplit else list(SEXES)
    rows: list[list[workbook.Cell]] = []
    for nationality in NATIONALITIES:
        for sex in sexes:
            ages = [cross.get((nationality, sex, age), 0) for age in AGE_GROUPS]
            label = _(UNSPLIT_LABEL) if sex == UNSPLIT else _(SEX[sex])
            rows.append([_(NATIONALITY[nationality]), label, *ages, sum(ages)])
    by_age = [sum(n for (_nationality, _sex, age), n in cross.items() if age == group) for group in AGE_GROUPS]
    rows.append([_("Total"), None, *by_age, sum(by_age)])
    rows += [[], [_(programme.BY_KEY["people_reached"].rule)]]
    if people.unsplit:
        rows.append([_("“Age not split by sex”: people of reports approved before Voces asked the ages of each sex. Their sex is counted in the split by sex, but cannot be crossed with their age.")])
    headers = [_("Nationality"), _("Sex"), *(_(AGE[age]) for age in AGE_GROUPS), _("Total")]
    return workbook.Sheet(_("Nationality × sex × age"), headers, rows)
