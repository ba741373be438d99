"""What the staff console shows, as screens (bot/core/screens.py): /org (the organizations a name
matched, one organization's whole status), /pending, /quiet and marking an organization, /audit,
/scope, /indicators' periods and its figures, /stats' figures and charts, and the check-in's
message to a quiet organization.

Every choice's id is the callback data Telegram's buttons have always carried (`con:org:<id>`,
`con:pending:p<n>`, `con:ind:<period>`, `con:mark:<id>:<state>`, `con:audit:<target>:p<n>`,
and the other areas' own for what staff act on where its area does), so old buttons keep working."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import ruos
from bot.console import console
from bot.console import figures as programme
from bot.console.audit import AuditLine, Viewer
from bot.console.figure_labels import (
    PEOPLE_SEX,
    message_lines,
    stage_label,
    strip_emoji,
    topic_name,
)
from bot.console.labels import ACTIVITY, AUDIT_ACTION, KIND, KIND_ICON, district_name
from bot.console.models import ActivityState
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, paged, screen
from bot.core.textlimits import page_of, shorten
from bot.core.validation import IdDocumentType, format_phone_for_display
from bot.documents import charts
from bot.organizations import labels
from bot.organizations.followup import QuietOrganization
from bot.organizations.models import BoardRole, LeaderRole, Organization, VerificationStatus
from bot.people.models import User
from bot.projects.labels import NATIONALITY, PROJECT_STATUS, REPORT_STATUS
from bot.projects.labels import SEX_LABEL as SEX
from bot.ruos.labels import RUOS_STAGE
from bot.ruos.requirements import RequirementsCatalogue, localized
from bot.ruos.screens import inscription_recorded

ROWS_PER_PAGE = 10  # records on a page: well under Telegram's 100 buttons, short enough for a phone


def scope_line(i18n: Translator, who: Viewer) -> str:
    if who.districts is None:
        return i18n.gettext("All districts")
    return i18n.gettext("Your districts: %(names)s") % {"names": ", ".join(escape(district_name(c)) for c in sorted(who.districts))}


# --- /org NAME ------------------------------------------------------------------------------------


def org_usage(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Write /org and part of the organization's name, for example: /org emprendedoras"))


def no_organization(i18n: Translator, query: str) -> Screen:
    return screen(i18n.gettext("No organization in your districts has “%(query)s” in its name.") % {"query": escape(query)})


def which_organization(i18n: Translator, found: Sequence[Organization]) -> Screen:
    rows = [[Choice(f"con:org:{o.id}", f"{shorten(o.name, 40)} · {shorten(district_name(o.district_ubigeo), 18)}")] for o in found]
    return screen(i18n.gettext("Which one?"), rows)


def status_text(i18n: Translator, found: console.OrganizationStatus, *, masked: Callable[[str], str]) -> str:
    """One organization's whole status (`masked`: an identity number as people may see it)."""
    _ = i18n.gettext
    o = found.organization
    lines = [
        f"<b>{escape(o.name)}</b>",
        f"{_(labels.KIND[o.kind])} · {escape(district_name(o.district_ubigeo))}",
        _("Verification: %(status)s") % {"status": _(labels.STATUS[o.status])},
        _("Follow-up: %(state)s") % {"state": _(ACTIVITY[found.activity])},
        _("Address: %(address)s") % {"address": escape(o.address)},
        _("Founded: %(year)s") % {"year": o.founded_year},
        _("Members: %(total)s (%(pe)s Peruvian, %(ve)s Venezuelan, %(other)s other)") % {
            "total": o.members_total, "pe": o.members_peruvian, "ve": o.members_venezuelan, "other": o.members_other},
        _("Contact phone: %(phone)s") % {"phone": format_phone_for_display(o.contact_phone)},
        _("Board term: until %(date)s") % {"date": i18n.date(o.board_term_end)},
        "",
        _("<b>Board</b>"),
    ]
    for member in o.board:
        lines.append(f"• {_(labels.BOARD_ROLE[BoardRole(member.role)])}: {escape(member.full_name)}, "
                     f"{_(labels.DOCUMENT.get(IdDocumentType(member.id_document_type), member.id_document_type))} "
                     f"{masked(member.id_number_encrypted)}")
    lines += ["", _("<b>Leaders in the bot</b>")]
    if not found.leaders:
        lines.append(_("Nobody leads it in the bot any more."))
    for leader in found.leaders:
        role = _("owner") if leader.role is LeaderRole.OWNER else _("co-leader")
        name = escape(leader.name) if leader.consented and leader.name else _("(withdrew consent)")
        lines.append(f"• {name} ({role}) — " + _("last message %(date)s") % {"date": i18n.date(leader.last_seen, 'medium')})
    checklist = found.checklist
    lines += ["", _("<b>RUOS</b>"), _("Documents ready: %(percent)s%%") % {"percent": checklist.readiness.percent}]
    if checklist.registration is not None:
        lines.append(_("Registration: %(stage)s") % {"stage": _(RUOS_STAGE[checklist.registration.stage])})
        if checklist.registration.ruos_number:
            lines.append(_("RUOS number: %(number)s") % {"number": escape(checklist.registration.ruos_number)})
    if found.inscription is not None:
        lines.append(inscription_recorded(i18n, found.inscription).text)
    lines += ["", _("<b>Trainings attended</b>")]
    if found.trainings_attended:
        lines += [f"• {escape(title)} ({i18n.date(at, 'medium')}) — {escape(name or _('(withdrew consent)'))}"
                  for name, title, at in found.trainings_attended]
    else:
        lines.append(_("None recorded yet."))
    lines += ["", _("<b>Projects</b>")]
    if found.projects:
        for project in found.projects:
            lines.append(f"• {escape(project.title)} — {_(PROJECT_STATUS[project.status])} "
                         f"({i18n.date(project.starts_on, 'medium')} – {i18n.date(project.ends_on, 'medium')})")
            for report in found.reports.get(project.id, []):
                lines.append("   " + _("Report %(number)s (due %(date)s): %(status)s") % {
                    "number": report.number, "date": i18n.date(report.due_on, "medium"), "status": _(REPORT_STATUS[report.status])})
    else:
        lines.append(_("None yet."))
    lines += ["", _("Last activity: %(date)s") % {"date": i18n.date(found.last_activity, "medium")} if found.last_activity
              else _("Last activity: never")]
    return "\n".join(lines)


def status(i18n: Translator, who: Viewer, found: console.OrganizationStatus, *, masked: Callable[[str], str]) -> Screen:
    """The status, with what staff may do about it (coordinators read it only)."""
    text = status_text(i18n, found, masked=masked)
    if not who.is_staff:
        return screen(text)
    _ = i18n.gettext
    organization_id = found.organization.id
    rows = []
    if found.organization.status is not VerificationStatus.VERIFIED:
        rows.append([Choice(f"org:view:{organization_id}", _("Review the registration"))])
    if found.activity is ActivityState.ACTIVE:
        rows.append([Choice(f"con:mark:{organization_id}:inactive", _("Mark inactive")),
                     Choice(f"con:mark:{organization_id}:dissolved", _("Mark dissolved"))])
    else:
        rows.append([Choice(f"con:mark:{organization_id}:active", _("Mark active again"))])
    rows.append([Choice(f"con:audit:o{organization_id}:p1", _("Audit log"))])
    return screen(text, rows)


# --- /pending -------------------------------------------------------------------------------------


def pending(i18n: Translator, who: Viewer, waiting: Sequence[console.PendingEntry], *, page: int,
            requirements: RequirementsCatalogue) -> Screen:
    _ = i18n.gettext
    if not waiting:
        return screen(_("Nothing is waiting for staff."))
    shown = page_of(waiting, page, size=ROWS_PER_PAGE)
    lines = [_("<b>Waiting for staff</b>") + f" ({len(waiting)})", scope_line(i18n, who), ""]
    for number, entry in enumerate(shown.items, start=shown.first_index + 1):
        since = i18n.date(entry.since, "medium") if entry.since else ""
        lines.append(f"{number}. {KIND_ICON.get(entry.kind, '•')} {_(KIND.get(entry.kind, entry.kind))}{': ' + escape(entry.organization_name) if entry.organization_name else ''}"
                     f"{' — ' + escape(detail) if (detail := pending_detail(i18n, entry, requirements)) else ''} ({since})")
    # The button says what it opens by its icon, as the line above does in words, and for whom.
    rows = [[Choice(pending_action(who, entry),
                    f"{number}. {KIND_ICON.get(entry.kind, '•')} {entry.organization_name or _(KIND.get(entry.kind, entry.kind))}")]
            for number, entry in enumerate(waiting, start=1)]
    return screen("\n".join(lines), paged(_, rows, page=page, id_prefix="con:pending:p", size=ROWS_PER_PAGE))


def pending_detail(i18n: Translator, entry: console.PendingEntry, requirements: RequirementsCatalogue) -> str | None:
    """What the entry is about, named for people: a RUOS item by its title in their language."""
    if entry.kind == "registration" or not entry.detail:
        return None
    if entry.kind == "ruos_item":
        procedure_code, _slash, item_code = entry.detail.partition("/")
        requirement = ruos.requirement_in(requirements, procedure_code, item_code)
        return localized(requirement.title, i18n.language) if requirement else item_code
    return entry.detail


def pending_action(who: Viewer, entry: console.PendingEntry) -> str:
    """Staff act on it where its area does; a coordinator opens the organization's status."""
    if who.is_staff and entry.kind == "registration":
        return f"org:view:{entry.ref_id}"
    if who.is_staff and entry.kind == "ruos_item":
        return f"ruos:rv:{entry.ref_id}"
    if who.is_staff and entry.kind == "proposal":
        return f"prj:open:{entry.ref_id}"
    if who.is_staff and entry.kind == "report":
        return f"rep:rv:{entry.ref_id}"
    if entry.kind == "broadcast":  # coordinators approve broadcasts too
        return f"bc:show:{entry.ref_id}"
    if entry.kind == "question":  # coordinators answer questions too
        return f"ask:open:{entry.ref_id}"
    return f"con:org:{entry.organization_id}"


# --- quiet organizations ---------------------------------------------------------------------------


def quiet(i18n: Translator, who: Viewer, found: Sequence[QuietOrganization]) -> Screen:
    _ = i18n.gettext
    if not found:
        return screen(_("No organization has gone quiet after its check-in."))
    lines = [_("<b>Quiet organizations</b>"), _("None of their leaders answered the check-in:"), ""]
    rows = []
    for number, entry in enumerate(found[:ROWS_PER_PAGE], start=1):
        last = i18n.date(entry.last_contact, "medium") if entry.last_contact else _("never")
        lines.append(f"{number}. <b>{escape(entry.name)}</b> ({escape(district_name(entry.district_ubigeo))}) — "
                     + _("last contact %(date)s") % {"date": last})
        if who.is_staff:
            rows.append([Choice(f"con:mark:{entry.organization_id}:inactive", f"{number}. " + _("Inactive")),
                         Choice(f"con:mark:{entry.organization_id}:dissolved", f"{number}. " + _("Dissolved")),
                         Choice(f"con:org:{entry.organization_id}", f"{number}. " + _("Open"))])
    if len(found) > ROWS_PER_PAGE:
        lines.append(_("…and %(count)s more: mark these first.") % {"count": len(found) - ROWS_PER_PAGE})
    return screen("\n".join(lines), rows)


def marked(i18n: Translator, organization: Organization, state: ActivityState) -> Screen:
    _ = i18n.gettext
    return screen(_("Done: %(name)s is now %(state)s.") % {"name": escape(organization.name), "state": _(ACTIVITY[state])})


# --- /audit and /scope ----------------------------------------------------------------------------


def audit_whose(i18n: Translator, query: str, organizations: Sequence[Organization], persons: Sequence[User]) -> Screen:
    rows = [[Choice(f"con:audit:o{o.id}:p1", f"🏠 {shorten(o.name, 40)}")] for o in organizations]
    rows += [[Choice(f"con:audit:u{p.id}:p1", f"👤 {(p.display_name or str(p.id))[:40]}")] for p in persons]
    if not rows:
        return screen(i18n.gettext("No organization or staff member matches “%(query)s”.") % {"query": escape(query)})
    return screen(i18n.gettext("Whose audit log?"), rows)


def audit_page(i18n: Translator, found: Sequence[AuditLine], total: int, *, target: str, page: int) -> Screen:
    _ = i18n.gettext
    if not found:
        return screen(_("The audit log has no entries for that."))
    text = [_("<b>Audit log</b>") + f" ({total})", ""]
    for line in found:
        actor = escape(line.actor_name) if line.actor_name else _("(person %(id)s)") % {"id": line.actor_id} if line.actor_id else _("(erased)")
        what = _(AUDIT_ACTION.get(line.action, line.action))
        target_name = f" <b>{escape(line.organization_name)}</b>" if line.organization_name else ""
        subject = " " + _("(person %(id)s)") % {"id": line.subject_id} if line.subject_id else ""
        text.append(f"• {i18n.datetime(line.at, 'short')} — {actor}: {what}{target_name}{subject}")
    # Only the ◀️ / ▶️ row: the entries are the text (an empty row per entry pages them, and is left out).
    return screen("\n".join(text), paged(_, [()] * total, page=page, id_prefix=f"con:audit:{target}:p", size=ROWS_PER_PAGE))


def coordinators(i18n: Translator, found: Sequence[tuple[User, Sequence[str]]]) -> Screen:
    _ = i18n.gettext
    lines = [_("<b>Coordinators and their districts</b>"), ""]
    for person, districts in found:
        names = ", ".join(escape(district_name(code)) for code in districts) or _("all districts")
        lines.append(f"• #{person.id} {escape(person.display_name or '')}: {names}")
    if not found:
        lines.append(_("Nobody is a coordinator yet: make someone one with /role."))
    lines += ["", _("To change them: /scope 12 callao, comas — or /scope 12 all")]
    return screen("\n".join(lines))


def unknown_district(i18n: Translator, name: str) -> Screen:
    return screen(i18n.gettext("I do not know the district “%(name)s”. Write it as it is usually called, for example: Comas, Callao, "
                               "San Juan de Lurigancho.") % {"name": escape(name)})


def districts_missing(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Write the districts after the number, separated by commas, or “all”."))


def scope_set(i18n: Translator, coordinator: User, codes: Sequence[str]) -> Screen:
    names = ", ".join(escape(district_name(code)) for code in sorted(set(codes))) or i18n.gettext("all districts")
    return screen(i18n.gettext("Done: %(name)s now follows %(districts)s.")
                  % {"name": escape(coordinator.display_name or f"#{coordinator.id}"), "districts": names})


# --- /stats and /indicators -----------------------------------------------------------------------

PERIODS = ("month", "lastmonth", "year", "all")
PERIOD_LABEL = {"month": N_("This month"), "lastmonth": N_("Last month"), "year": N_("This year"), "all": N_("Since the start")}


def periods(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Which period should the indicator sheet cover?"),
                  [[Choice(f"con:ind:{code}", i18n.gettext(PERIOD_LABEL[code]))] for code in PERIODS])


def indicators_heading(i18n: Translator, period: programme.Period) -> str:
    end = i18n.date(period.end, "medium")
    return (i18n.gettext("Indicators from %(start)s to %(end)s") % {"start": i18n.date(period.start, "medium"), "end": end}
            if period.start else i18n.gettext("Indicators from the start to %(end)s") % {"end": end})


def indicators(i18n: Translator, who: Viewer, figures: programme.Figures, period: programme.Period) -> Screen:
    return screen(f"<b>{indicators_heading(i18n, period)}</b>\n{scope_line(i18n, who)}\n\n" + "\n".join(message_lines(i18n, figures)))


def stats(i18n: Translator, who: Viewer, figures: programme.Figures) -> Screen:
    return screen("\n".join([i18n.gettext("<b>Programme figures</b>"), scope_line(i18n, who), "", *message_lines(i18n, figures)]))


def stats_charts(i18n: Translator, figures: programme.Figures) -> list[charts.Bars | charts.StackedBars]:
    """What /stats draws below its numbers, one chart each (drawn by the channel, off its loop)."""
    _ = i18n.gettext
    panels: list[charts.Bars | charts.StackedBars] = [
        charts.Bars(_("Organizations by district"), [(district_name(code), count) for code, count in figures.by_district.most_common()]),
        charts.Bars(_("Organizations by RUOS status"), [(strip_emoji(stage_label(i18n, code)), count)
                                                        for code, count in sorted(figures.by_ruos_stage.items())]),
    ]
    if figures.trained_by_topic:
        panels.append(charts.StackedBars(_("People trained by topic and sex"), [_(label) for label in PEOPLE_SEX.values()], [
            (topic_name(i18n, figures, code), [figures.trained_by_topic_sex[code, sex] for sex in PEOPLE_SEX])
            for code, _count in figures.trained_by_topic.most_common()]))
    if figures.beneficiaries.total:
        people = figures.beneficiaries
        panels.append(charts.Bars(_("People reached by nationality and sex"), [
            (f"{_(NATIONALITY.get(nationality, nationality))}, {_(SEX.get(sex, sex))}", count)
            for (nationality, sex), count in sorted(people.by_nationality_sex.items()) if count]))
    return panels

