"""/ruos: the organization's checklist for its district (or a formalization step after it) and
one requirement's card, as leaders and staff read them.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import Translator
from bot.core.textlimits import shorten
from bot.core.validation import InvalidInput
from bot.organizations import labels
from bot.ruos import Checklist, ItemView, NextStepKind
from bot.ruos import conversation as flow
from bot.ruos.models import ItemStatus, RegistrationStage
from bot.ruos.requirements import (
    FileFormat,
    PageCount,
    Procedure,
    ProcedureKind,
    Requirement,
    localized,
)
from handlers.common import END, edit_or_reply, error_text, escape, keyboard, reply
from handlers.context import VocesContext
from handlers.guards import shows_current_card
from handlers.ruos.common import (
    STAGE,
    STATUS,
    STATUS_ICON,
    at,
    callback,
    finish,
    integer,
    user_id,
)

# --- how a checklist reads -----------------------------------------------------------------------


def documents_text(i18n: Translator, codes: tuple[str, ...]) -> str:
    by_code = {document.value: label for document, label in labels.DOCUMENT.items()}
    return ", ".join(i18n.gettext(by_code[code]) if code in by_code else code for code in codes)


def id_warning(i18n: Translator, checklist: Checklist) -> str:
    _ = i18n.gettext
    return _(
        "⚠️ <b>Identity documents.</b> Your board includes people with: %(documents)s. The text of the %(authority)s names only the DNI, and it is not confirmed that it accepts other documents. If the municipality refuses a document, ask for the refusal in writing, and tell the programme staff."
    ) % {
        "documents": escape(documents_text(i18n, checklist.id_documents_at_risk)),
        "authority": escape(localized(checklist.procedure.authority, i18n.language)),
    }


def item_line(i18n: Translator, view: ItemView) -> str:
    _ = i18n.gettext
    title = escape(localized(view.requirement.title, i18n.language))
    line = f"{STATUS_ICON[view.status]} {title} — {_(STATUS[view.status])}"
    if view.pages:
        line += " " + _("(pages: %(count)s)") % {"count": view.pages}
    if not view.requirement.required:
        line += " " + _("(optional)")
    if view.status is ItemStatus.REJECTED and view.rejection_reason:
        line += "\n    " + _("The programme asks: %(reason)s") % {"reason": f"<i>{escape(view.rejection_reason)}</i>"}
    return line


def next_step_text(i18n: Translator, checklist: Checklist) -> str:
    _ = i18n.gettext
    step = checklist.next_step
    title = escape(localized(step.requirement.title, i18n.language)) if step.requirement else ""
    when = i18n.date(step.by) if step.by else ""
    texts = {
        NextStepKind.SEND_AGAIN: _("Send “%(item)s” again, with the changes the programme asked for. Tap it below.") % {"item": title},
        NextStepKind.SEND: _("Send “%(item)s”. Tap it below to see what it is and to upload it.") % {"item": title},
        NextStepKind.WAIT_FOR_REVIEW: _("The programme staff will check the documents you sent; I will tell you here when they do."),
        NextStepKind.SUBMIT: _("Every required document is checked. Hand them in to the municipality and then tap “Registration status” to record the expediente number."),
        NextStepKind.WAIT_FOR_MUNICIPALITY: _("Wait for the municipality's answer. When it makes observations or registers the organization, record it with “Registration status”."),
        NextStepKind.ANSWER_OBSERVATIONS: _("Answer the municipality's observations by %(date)s, then record it with “Registration status”.") % {"date": when},
        NextStepKind.RENEW_BOARD: _("The board's term ends on %(date)s. Hold the election of the new board and ask the municipality what it needs to record it.") % {"date": when},
        NextStepKind.FORMALIZE: _("Your organization is registered in the RUOS. If it wants to become a civil association with its own RUC, the path continues at Registros Públicos (SUNARP) and SUNAT: tap “Registros Públicos and SUNAT”."),
        NextStepKind.COMPLETE: _("Every document of this step is checked."),
    }
    return texts[step.kind]


def stage_lines(i18n: Translator, checklist: Checklist) -> list[str]:
    _ = i18n.gettext
    registration = checklist.registration
    assert registration is not None
    lines = [_("<b>Registration:</b> %(stage)s") % {"stage": _(STAGE[registration.stage])}]
    if registration.expediente and registration.submitted_on:
        lines.append(
            _("Expediente %(number)s, handed in on %(date)s.")
            % {"number": escape(registration.expediente), "date": i18n.date(registration.submitted_on)}
        )
    if registration.stage is RegistrationStage.OBSERVED and registration.observations:
        lines.append(_("Observations: %(text)s") % {"text": f"<i>{escape(registration.observations)}</i>"})
        if registration.observation_deadline:
            lines.append(_("Answer them by %(date)s.") % {"date": i18n.date(registration.observation_deadline)})
    if registration.stage is RegistrationStage.REGISTERED and registration.ruos_number and registration.resolution_date:
        lines.append(
            _("RUOS number %(number)s, resolution of %(date)s.")
            % {"number": escape(registration.ruos_number), "date": i18n.date(registration.resolution_date)}
        )
    if registration.renewal_due:
        lines.append(_("🔔 Board renewal due: the board's term ends on %(date)s.") % {"date": i18n.date(checklist.board_term_end)})
    return lines


def checklist_text(i18n: Translator, checklist: Checklist) -> str:
    _ = i18n.gettext
    procedure = checklist.procedure
    language = i18n.language
    lines = [
        f"📋 <b>{escape(localized(procedure.title, language))}</b>",
        escape(checklist.organization_name) + " · " + escape(localized(procedure.authority, language)),
    ]
    if checklist.fallback:
        district = district_by_ubigeo(checklist.district_ubigeo)
        lines += ["", _(
            "ℹ️ %(district)s has no list of its own in Voces yet: this is the list of the %(authority)s. Ask your district municipality whether it asks for the same documents."
        ) % {
            "district": escape(district.name if district else checklist.district_ubigeo),
            "authority": escape(localized(procedure.authority, language)),
        }]
    if checklist.id_documents_at_risk:
        lines += ["", id_warning(i18n, checklist)]
    lines.append("")
    if checklist.registration is not None:
        lines += stage_lines(i18n, checklist)
    readiness = checklist.readiness
    lines.append(
        _("<b>Ready:</b> %(percent)s. Required documents: %(verified)s of %(required)s checked, %(waiting)s.")
        % {
            "percent": i18n.percent(readiness.percent / 100),
            "verified": readiness.verified,
            "required": readiness.required,
            "waiting": i18n.ngettext("%(count)s waiting for review", "%(count)s waiting for review", readiness.uploaded) % {"count": readiness.uploaded},
        }
    )
    lines.append("")
    lines += [item_line(i18n, view) for view in checklist.items]
    lines += ["", "👉 <b>" + _("Next step:") + "</b> " + next_step_text(i18n, checklist)]
    if procedure.notes:
        lines += ["", "ℹ️ " + escape(localized(procedure.notes, language).strip())]
    lines += ["", "<i>" + _("Source: %(norm)s. List checked on %(date)s.") % {
        "norm": escape(procedure.source.norm), "date": i18n.date(procedure.checked),
    } + "</i>"]
    return "\n".join(lines)


def checklist_keyboard(i18n: Translator, checklist: Checklist, next_procedure: Procedure | None, ruos_code: str) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    organization_id, procedure = checklist.organization_id, checklist.procedure
    rows = [
        [(shorten(f"{STATUS_ICON[view.status]} {localized(view.requirement.title, i18n.language)}", 60),
          callback("i", organization_id, procedure.code, view.requirement.code))]
        for view in checklist.items
    ]
    if procedure.kind is ProcedureKind.RUOS:
        rows.append([(_("📋 Registration status"), callback("status", organization_id))])
        if next_procedure is not None:
            rows.append([(_("🏛 Registros Públicos and SUNAT"), callback("list", organization_id, next_procedure.code))])
    else:
        if next_procedure is not None:
            rows.append([(_("➡️ Next: %(title)s") % {"title": shorten(localized(next_procedure.title, i18n.language), 50)},
                          callback("list", organization_id, next_procedure.code))])
        rows.append([(_("⬅️ Back to the RUOS checklist"), callback("list", organization_id, ruos_code))])
    return keyboard(rows)


def accepts_text(i18n: Translator, requirement: Requirement) -> str:
    _ = i18n.gettext
    if requirement.accepts == {FileFormat.PDF}:
        formats = _("a PDF file")
    elif requirement.accepts == {FileFormat.PHOTO}:
        formats = _("photos")
    else:
        formats = _("a PDF file or photos")
    if requirement.pages is PageCount.ONE:
        return _("Send it as %(formats)s; it has one page.") % {"formats": formats}
    if requirement.pages is PageCount.ONE_OR_MORE:
        return _("Send it as %(formats)s; it may have several pages: send them all.") % {"formats": formats}
    return _("Send it as %(formats)s.") % {"formats": formats}


def item_text(i18n: Translator, checklist: Checklist, view: ItemView) -> str:
    _ = i18n.gettext
    requirement = view.requirement
    lines = [f"{STATUS_ICON[view.status]} <b>{escape(localized(requirement.title, i18n.language))}</b>"]
    status = _(STATUS[view.status])
    if view.pages:
        status += " " + _("(pages: %(count)s)") % {"count": view.pages}
    lines.append(status)
    if view.status is ItemStatus.REJECTED and view.rejection_reason:
        lines.append(_("The programme asks: %(reason)s") % {"reason": f"<i>{escape(view.rejection_reason)}</i>"})
    lines += ["", escape(localized(requirement.explanation, i18n.language).strip()), "", accepts_text(i18n, requirement)]
    if not requirement.required:
        lines.append(_("This document is optional."))
    if requirement.source:
        lines.append("<i>" + _("Source: %(norm)s.") % {"norm": escape(requirement.source)} + "</i>")
    if requirement.involves_board_ids and checklist.id_documents_at_risk:
        # The explanation above already says what to do if a document is refused: name only
        # the documents concerned, not the whole warning of the checklist again.
        lines += ["", _("⚠️ Your board includes people with: %(documents)s.") % {
            "documents": escape(documents_text(i18n, checklist.id_documents_at_risk))}]
    return "\n".join(lines)


def item_keyboard(i18n: Translator, checklist: Checklist, view: ItemView) -> InlineKeyboardMarkup:
    _ = i18n.gettext
    upload = {
        ItemStatus.MISSING: _("📤 Upload"),
        ItemStatus.UPLOADED: _("📤 Add pages"),
        ItemStatus.VERIFIED: _("📤 Add pages"),
        ItemStatus.REJECTED: _("📤 Send it again"),
    }[view.status]
    if view.requirement.pages is PageCount.ONE and view.status is not ItemStatus.MISSING:
        upload = _("📤 Replace it")
    organization_id, procedure_code = checklist.organization_id, checklist.procedure.code
    rows = [[(upload, callback("u", organization_id, procedure_code, view.requirement.code))]]
    if view.status is ItemStatus.UPLOADED and view.requirement.pages is not PageCount.ONE:
        rows.append([(_("🗑 Take back the pages and start over"), callback("x", organization_id, procedure_code, view.requirement.code))])
    rows.append([(_("⬅️ Back to the checklist"), callback("list", organization_id, procedure_code))])
    return keyboard(rows)


async def show_checklist(update: Update, context: VocesContext, organization_id: int, procedure_code: str | None, *, edit: bool) -> None:
    """The checklist as a message; for a leader it also plans the next weekly nudge."""
    async with context.runtime.database.session() as session:
        screen = await flow.checklist_screen(session, user_id=user_id(context), organization_id=organization_id,
                                             procedure_code=procedure_code, at=at(context))
    text = checklist_text(context.i18n, screen.checklist)
    markup = checklist_keyboard(context.i18n, screen.checklist, screen.following, screen.ruos_code)
    if edit:
        await edit_or_reply(update, context, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)


# --- /ruos ---------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> int:
    """The checklist of the organization the leader acts for; staff add the organization's number."""
    async with context.runtime.database.session() as session:
        opened = await flow.open_ruos(session, user_id=user_id(context), args=list(context.args or []))
    if opened.organization_id is None:
        assert opened.refusal is not None
        await reply(update, context, context.gettext(opened.refusal))
        return await finish(update, context)
    await finish(update, context)
    try:
        await show_checklist(update, context, opened.organization_id, None, edit=False)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
    return END


@shows_current_card("ruos")
async def current_checklist(update: Update, context: VocesContext) -> None:
    """After an old or forged /ruos button: the checklist as it is now, whatever step the person
    is at (an upload under way stays under way)."""
    async with context.runtime.database.session() as session:
        opened = await flow.current_checklist(session, user_id=user_id(context))
    if opened.organization_id is not None:
        await show_checklist(update, context, opened.organization_id, None, edit=False)
    else:
        assert opened.refusal is not None
        await reply(update, context, context.gettext(opened.refusal))


# --- the checklist's buttons ---------------------------------------------------------------------


async def open_list(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code = integer(args[0]), args[1]
    await show_checklist(update, context, organization_id, procedure_code, edit=True)
    return await finish(update, context)


async def item_of(context: VocesContext, args: list[str]) -> tuple[Checklist, ItemView]:
    """The checklist and the item a button names (`<org>:<procedure>:<item>`), for its leader or staff."""
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    async with context.runtime.database.session() as session:
        return await flow.item(session, user_id=user_id(context), organization_id=organization_id,
                               procedure_code=procedure_code, item_code=item_code, at=at(context))


async def open_item(update: Update, context: VocesContext, args: list[str]) -> int:
    checklist, view = await item_of(context, args)
    await edit_or_reply(update, context, item_text(context.i18n, checklist, view), reply_markup=item_keyboard(context.i18n, checklist, view))
    return await finish(update, context)
