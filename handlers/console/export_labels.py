"""/export's tables (bot/console/exports.py) in the reader's language: titles, headings, the
programme's codes named as the chat names them, and each table's notes under it."""

from __future__ import annotations

from bot.console import exports
from bot.console.models import ActivityState
from bot.core.i18n import N_
from bot.core.validation import IdDocumentType
from bot.documents import workbook
from bot.organizations import labels
from bot.organizations.models import BoardRole, OrganizationKind, VerificationStatus
from bot.projects.models import ProjectStatus, ReportStatus
from bot.projects.reports import UNSPLIT
from bot.ruos.models import RegistrationStage
from handlers.console.common import ACTIVITY, AGE, NATIONALITY, SEX
from handlers.console.figure_labels import strip_emoji
from handlers.context import VocesContext
from handlers.projects.project_cards import REPORT_STATUS
from handlers.projects.project_cards import STATUS as PROJECT_STATUS
from handlers.ruos import STAGE

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


def code_label(context: VocesContext, code: exports.Code, topics: dict) -> str:  # type: ignore[type-arg]
    if code.kind == "topic":
        topic = topics.get(code.value)
        return topic.name(context.i18n.language) if topic else code.value
    msgid = _table(code.kind).get(code.value)
    return strip_emoji(context.gettext(msgid)) if msgid else code.value


def export_sheets(context: VocesContext, tables: list[exports.Table], topics: dict) -> list[workbook.Sheet]:  # type: ignore[type-arg]
    _ = context.gettext

    def cell(value: object) -> workbook.Cell:
        return code_label(context, value, topics) if isinstance(value, exports.Code) else value  # type: ignore[return-value]

    def heading(header: exports.Header) -> str:
        return _(header) if isinstance(header, str) else " / ".join(code_label(context, code, topics) for code in header)

    sheets = []
    for table in tables:
        rows: list[list[workbook.Cell]] = [[cell(value) for value in row] for row in table.rows]
        if table.notes:
            rows += [[], *([_(note)] for note in table.notes)]
        sheets.append(workbook.Sheet(_(table.title), [heading(h) for h in table.headers], rows))
    return sheets


