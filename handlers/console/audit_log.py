"""/audit (who read or changed what) and /scope (the districts each coordinator follows)."""

from __future__ import annotations

from telegram import Update

from bot.console import audit, console
from bot.core.districts import find_districts
from bot.core.i18n import N_
from bot.core.textlimits import page_of, shorten
from bot.core.validation import fold_text, parse_id
from bot.people.authority import NotAllowed
from handlers.common import (
    ROWS_PER_PAGE,
    answer_button,
    edit_or_reply,
    escape,
    keyboard,
    page_navigation,
    page_number,
    reply,
)
from handlers.console.common import (
    console_viewer,
    district_name,
    refuse,
)
from handlers.context import VocesContext
from handlers.guards import button_number

# --- /audit ---------------------------------------------------------------------------------------

AUDIT_ACTION = {
    "org.read": N_("read the status of"),
    "pending.read": N_("read the pending list"),
    "figures.read": N_("read the figures"),
    "export": N_("exported the workbook"),
    "quiet.read": N_("read the quiet organizations"),
    "audit.read": N_("read the audit log"),
    "org.mark_inactive": N_("marked inactive"),
    "org.mark_dissolved": N_("marked dissolved"),
    "org.mark_active": N_("marked active again"),
    "scope.set": N_("set the districts of a coordinator"),
    "org.review.read": N_("opened the registration of"),
    "org.verified": N_("verified"),
    "org.needs_changes": N_("asked for changes to"),
    "ruos.item.read": N_("opened a RUOS document of"),
    "ruos.item.verified": N_("verified a RUOS document of"),
    "ruos.item.rejected": N_("asked for changes to a RUOS document of"),
    "ruos.stage": N_("recorded the RUOS stage of"),
    "project.move": N_("moved a project of"),
    "project.comment": N_("commented on a project of"),
    "project.fund": N_("funded a project of"),
    "report.approved": N_("approved a report of"),
    "report.changes": N_("asked for changes to a report of"),
    "role.set": N_("changed the role of someone"),
}


async def show_audit(update: Update, context: VocesContext) -> None:
    """/audit: the newest entries; /audit NAME: those of an organization or a person."""
    _ = context.gettext
    query = " ".join(context.args or []).strip()
    runtime = context.runtime
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        if query:
            organizations = await console.find(session, who=who, query=query, limit=5)
            wanted = fold_text(query)
            persons = [p for p in await audit.console_people(session, staff=who) if wanted in fold_text(p.display_name or "")][:5]
            rows = [[(f"🏠 {shorten(o.name, 40)}", f"con:audit:o{o.id}:p1")] for o in organizations]
            rows += [[(f"👤 {(p.display_name or str(p.id))[:40]}", f"con:audit:u{p.id}:p1")] for p in persons]
            if not rows:
                await reply(update, context, _("No organization or staff member matches “%(query)s”.") % {"query": escape(query)})
                return
            await reply(update, context, _("Whose audit log?"), reply_markup=keyboard(rows))
            return
    await audit_page(update, context, "a", 1)


async def audit_button(update: Update, context: VocesContext) -> None:
    await answer_button(update, context)
    _area, _action, target, page = update.callback_query.data.split(":")  # type: ignore[union-attr]
    await audit_page(update, context, target, page_number(page))


async def audit_page(update: Update, context: VocesContext, target: str, page: int) -> None:
    _ = context.gettext
    runtime = context.runtime
    person_id = button_number(target[1:]) if target.startswith("u") else None
    organization_id = button_number(target[1:]) if target.startswith("o") else None
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        lines_found, total = await audit.entries(session, staff=who, person_id=person_id, organization_id=organization_id,
                                                 offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE, now=runtime.clock.now())
    if not lines_found:
        await edit_or_reply(update, context, _("The audit log has no entries for that."))
        return
    text = [_("<b>Audit log</b>") + f" ({total})", ""]
    for line in lines_found:
        actor = escape(line.actor_name) if line.actor_name else _("(person %(id)s)") % {"id": line.actor_id} if line.actor_id else _("(erased)")
        what = _(AUDIT_ACTION.get(line.action, line.action))
        target_name = f" <b>{escape(line.organization_name)}</b>" if line.organization_name else ""
        subject = " " + _("(person %(id)s)") % {"id": line.subject_id} if line.subject_id else ""
        text.append(f"• {context.i18n.datetime(line.at, 'short')} — {actor}: {what}{target_name}{subject}")
    shown = page_of(range(total), page, size=ROWS_PER_PAGE)
    rows = page_navigation(context, shown, callback_prefix=f"con:audit:{target}:p")
    await edit_or_reply(update, context, "\n".join(text), reply_markup=keyboard(rows) if rows else None)


# --- /scope: the districts a coordinator follows --------------------------------------------------

ALL_DISTRICTS = ("all", "todos", "todas")


async def scope(update: Update, context: VocesContext) -> None:
    """/scope lists coordinators; /scope 12 callao, comas (or all) sets coordinator 12's districts."""
    _ = context.gettext
    runtime = context.runtime
    args = context.args or []
    async with runtime.database.session() as session:
        who = await console_viewer(update, context, session, staff_only=True)
        if who is None:
            return
        coordinator_id = parse_id(args[0].lstrip("#")) if args else None
        if coordinator_id is None:
            found = await audit.coordinators(session, staff=who)
            lines = [_("<b>Coordinators and their districts</b>"), ""]
            for person, districts in found:
                names = ", ".join(escape(district_name(code)) for code in districts) or _("all districts")
                lines.append(f"• #{person.id} {escape(person.display_name or '')}: {names}")
            if not found:
                lines.append(_("Nobody is a coordinator yet: make someone one with /role."))
            lines += ["", _("To change them: /scope 12 callao, comas — or /scope 12 all")]
            await reply(update, context, "\n".join(lines))
            return
        wanted = [part.strip() for part in " ".join(args[1:]).split(",") if part.strip()]
        codes: list[str] = []
        if not (len(wanted) == 1 and fold_text(wanted[0]) in ALL_DISTRICTS):
            for name in wanted:
                matches = find_districts(name, limit=1)
                if not matches:
                    await reply(update, context, _("I do not know the district “%(name)s”. Write it as it is usually called, for example: Comas, Callao, San Juan de Lurigancho.") % {"name": escape(name)})
                    return
                codes.append(matches[0].ubigeo)
            if not codes:
                await reply(update, context, _("Write the districts after the number, separated by commas, or “all”."))
                return
        try:
            coordinator = await audit.set_districts(session, staff=who, coordinator_id=coordinator_id, districts=codes, now=runtime.clock.now())
        except NotAllowed as error:
            await refuse(update, context, error)
            return
    names = ", ".join(escape(district_name(code)) for code in sorted(set(codes))) or _("all districts")
    await reply(update, context, _("Done: %(name)s now follows %(districts)s.") % {"name": escape(coordinator.display_name or f"#{coordinator.id}"), "districts": names})
