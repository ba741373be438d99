"""What a leader sees of the RUOS, as screens (bot/core/screens.py): /ruos's checklist (the RUOS
list of the organization's district, or a formalization step after it), a requirement's card
(what is asked, upload it, take its pages back), the upload conversation's prompts and
receipts, the registration status and its moves, the questions of a registration move and of a
Registros Públicos inscription, and how each ended.

The choices' ids are the callback data Telegram's buttons have always carried (`ruos:list:<org>:
<procedure>`, `ruos:i:…`, `ruos:u:…`, `ruos:done`, `ruos:to:<org>:<stage>` …, listed in
handlers/ruos/__init__.py), so a button left in a chat by an older version still works. What the
domain says in an error (a problem with the last answer, a refusal) comes in already as screen
markup: the channel translates it.
"""

from __future__ import annotations

from bot.core.districts import district_by_ubigeo
from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, screen
from bot.core.textlimits import shorten
from bot.organizations import labels
from bot.ruos.checklists import Checklist, ItemView, NextStepKind
from bot.ruos.conversation import ChecklistScreen
from bot.ruos.labels import RUOS_STAGE
from bot.ruos.models import ItemStatus, RegistrationStage, RegistryInscription
from bot.ruos.requirements import (
    FileFormat,
    PageCount,
    Procedure,
    ProcedureKind,
    Requirement,
    localized,
)
from bot.ruos.shared import Step
from bot.ruos.uploading import UploadReceipt

STATUS_ICON = {
    ItemStatus.MISSING: "⬜",
    ItemStatus.UPLOADED: "📤",
    ItemStatus.VERIFIED: "✅",
    ItemStatus.REJECTED: "✏️",
}
STATUS = {
    ItemStatus.MISSING: N_("missing"),
    ItemStatus.UPLOADED: N_("sent, waiting for the programme's review"),
    ItemStatus.VERIFIED: N_("checked by the programme"),
    ItemStatus.REJECTED: N_("changes requested"),
}
STAGE = RUOS_STAGE
QUESTION = {
    Step.EXPEDIENTE: N_("What is the expediente number the municipality gave you? Write it as it appears on your copy of the request (the cargo)."),
    Step.SUBMITTED_ON: N_("On what date did you hand it in? Send the full date, for example 18/11/2026."),
    Step.OBSERVATIONS: N_("What did the municipality observe? Write it briefly, as it appears in their notice."),
    Step.DEADLINE: N_("By what date must you answer the observations? Send the full date, for example 05/12/2026."),
    Step.RUOS_NUMBER: N_("What is the organization's RUOS registration number? It appears on the resolution."),
    Step.RESOLUTION_DATE: N_("What is the date of the resolution? Send the full date, for example 10/12/2026."),
    Step.INSCRIBED_ON: N_("On what date was the association inscribed in Registros Públicos? Send the full date, for example 18/11/2026."),
    Step.REGISTRY_OFFICE: N_("Which registry office inscribed it? For example: Lima, or Callao."),
    Step.PARTIDA: N_("What is its partida electrónica number? Write it as it appears on the registry's record, for example 11223344."),
    Step.REASON: N_("What must the leaders change? Write the reason: they will read it as you write it."),
}
STAGE_BUTTON = {
    RegistrationStage.PREPARING: N_("↩️ Back to preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 We handed it in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 The municipality made observations"),
    RegistrationStage.REGISTERED: N_("🎉 The organization is registered"),
}
OBSERVATIONS_ANSWERED = N_("📨 We answered the observations")
DONE = "ruos:done"


def data(*parts: object) -> str:
    """A choice's id: ``ruos:`` and its parts (at most 64 bytes, checked by Choice)."""
    return ":".join(["ruos", *(str(part) for part in parts)])


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




def title_of(i18n: Translator, requirement: Requirement | None) -> str:
    """A requirement's title as screen markup."""
    return escape(localized(requirement.title, i18n.language)) if requirement else ""


# --- /ruos: the checklist, a requirement's card ----------------------------------------------------------


def checklist_choices(i18n: Translator, checklist: Checklist, following: Procedure | None, ruos_code: str) -> list[list[Choice]]:
    """Each requirement to open, then the registration status or the way on and back."""
    _ = i18n.gettext
    organization_id, procedure = checklist.organization_id, checklist.procedure
    rows = [
        [Choice(data("i", organization_id, procedure.code, view.requirement.code),
                shorten(f"{STATUS_ICON[view.status]} {localized(view.requirement.title, i18n.language)}", 60),
                description=_(STATUS[view.status]))]
        for view in checklist.items
    ]
    if procedure.kind is ProcedureKind.RUOS:
        rows.append([Choice(data("status", organization_id), _("📋 Registration status"))])
        if following is not None:
            rows.append([Choice(data("list", organization_id, following.code), _("🏛 Registros Públicos and SUNAT"))])
    else:
        if following is not None:
            rows.append([Choice(data("list", organization_id, following.code),
                                _("➡️ Next: %(title)s") % {"title": shorten(localized(following.title, i18n.language), 50)})])
        rows.append([Choice(data("list", organization_id, ruos_code), _("⬅️ Back to the RUOS checklist"))])
    return rows


def checklist(i18n: Translator, found: ChecklistScreen) -> Screen:
    """One procedure's checklist: where it stands, each requirement, the next step."""
    return screen(checklist_text(i18n, found.checklist),
                  checklist_choices(i18n, found.checklist, found.following, found.ruos_code))


def item_choices(i18n: Translator, checklist: Checklist, view: ItemView) -> list[list[Choice]]:
    _ = i18n.gettext
    upload = {
        ItemStatus.MISSING: _("📤 Upload"),
        ItemStatus.UPLOADED: _("📤 Add pages"),
        ItemStatus.VERIFIED: _("📤 Add pages"),
        ItemStatus.REJECTED: _("📤 Send it again"),
    }[view.status]
    if view.requirement.pages is PageCount.ONE and view.status is not ItemStatus.MISSING:
        upload = _("📤 Replace it")
    organization_id, procedure_code, item_code = checklist.organization_id, checklist.procedure.code, view.requirement.code
    rows = [[Choice(data("u", organization_id, procedure_code, item_code), upload)]]
    if view.status is ItemStatus.UPLOADED and view.requirement.pages is not PageCount.ONE:
        rows.append([Choice(data("x", organization_id, procedure_code, item_code), _("🗑 Take back the pages and start over"))])
    rows.append([Choice(data("list", organization_id, procedure_code), _("⬅️ Back to the checklist"))])
    return rows


def item_card(i18n: Translator, checklist: Checklist, view: ItemView) -> Screen:
    """A requirement: what is asked and how to send it, where it stands, what can be done."""
    return screen(item_text(i18n, checklist, view), item_choices(i18n, checklist, view))


def take_back(i18n: Translator, checklist: Checklist, view: ItemView) -> Screen:
    """Taking pages back cannot be undone: how many, and yes or no."""
    _ = i18n.gettext
    text = i18n.ngettext(
        "Take back the page sent for “%(item)s”? Then send it again from the first page.",
        "Take back the %(count)s pages sent for “%(item)s”? Then send it again from the first page.",
        view.pages,
    ) % {"count": view.pages, "item": title_of(i18n, view.requirement)}
    where = (checklist.organization_id, checklist.procedure.code, view.requirement.code)
    return screen(text, [[Choice(data("xy", *where), _("🗑 Yes, take them back"))],
                         [Choice(data("i", *where), _("No, keep them"))]])


# --- the upload conversation ------------------------------------------------------------------------------


def done_choices(i18n: Translator) -> list[list[Choice]]:
    return [[Choice(DONE, i18n.gettext("✅ Done"))]]


def upload_prompt(i18n: Translator, requirement: Requirement) -> Screen:
    """The upload step's question: the files to send, and Done."""
    _ = i18n.gettext
    title = title_of(i18n, requirement)
    if requirement.pages is PageCount.ONE:
        text = _("Send “%(item)s” now: one PDF file or one photo. Then tap Done.") % {"item": title}
    else:
        text = _("Send “%(item)s” now: a PDF file, or a photo of each page (you can send several photos at once). When you have sent everything, tap Done.") % {"item": title}
    return screen(text, done_choices(i18n))


def waiting_for_file(i18n: Translator, requirement: Requirement | None) -> Screen:
    """Text, a sticker or a voice note while a file is awaited."""
    text = i18n.gettext("I am waiting for “%(item)s”: send it as a PDF file or as photos, or tap Done.") % {
        "item": title_of(i18n, requirement)}
    return screen(text, done_choices(i18n))


def file_refused(i18n: Translator, problem: str) -> Screen:
    """A file not kept (problem: screen markup); the upload goes on."""
    return screen(f"⚠️ {problem}", done_choices(i18n))


def file_received(i18n: Translator, requirement: Requirement, receipt: UploadReceipt) -> Screen:
    """The receipt of one file (an album's pages update the receipt of its first page)."""
    _ = i18n.gettext
    title = title_of(i18n, requirement)
    if receipt.duplicate:
        text = _("You had already sent this same file for “%(item)s”: I kept it once.") % {"item": title}
    elif requirement.pages is PageCount.ONE:
        text = _("📎 “%(item)s” received. Another file would replace it. Tap Done when you are finished.") % {"item": title}
    else:
        text = _("📎 “%(item)s”: pages received: %(count)s. Send more pages, or tap Done.") % {"item": title, "count": receipt.pages}
    return screen(text, done_choices(i18n))


# --- questions, the registration status and its moves ----------------------------------------------------


def question(i18n: Translator, step: Step, *, problem: str | None = None) -> Screen:
    """A question of a registration move, an inscription or a review, after what was wrong with
    the last answer if anything (problem: screen markup)."""
    asked = screen(i18n.gettext(QUESTION[step]))
    return asked.warned(problem) if problem is not None else asked


def text_please(i18n: Translator, step: Step) -> Screen:
    """Something other than text while a question waits: the question again."""
    return screen(i18n.gettext("Please answer with text.") + "\n\n" + i18n.gettext(QUESTION[step]))


def status(i18n: Translator, found: ChecklistScreen, *, problem: str | None = None) -> Screen:
    """The registration status: its stage and dates, and the moves the reader may record."""
    _ = i18n.gettext
    registration = found.checklist.registration
    assert registration is not None
    organization_id = found.checklist.organization_id
    lines = [_("<b>Registration status of %(organization)s</b>") % {"organization": escape(found.organization_name)}, ""]
    lines += stage_lines(i18n, found.checklist)
    lines.append(_("The board's term ends on %(date)s.") % {"date": i18n.date(found.board_term_end)})
    rows = []
    for stage in found.moves:
        answered = (registration.stage, stage) == (RegistrationStage.OBSERVED, RegistrationStage.SUBMITTED)
        rows.append([Choice(data("to", organization_id, stage.value), _(OBSERVATIONS_ANSWERED if answered else STAGE_BUTTON[stage]))])
    if found.moves:
        lines += ["", _("What happened? Tap it below.")]
    rows.append([Choice(data("list", organization_id, found.checklist.procedure.code), _("⬅️ Back to the checklist"))])
    shown = screen("\n".join(lines), rows)
    return shown.warned(problem) if problem else shown


def stage_saved(i18n: Translator, stage: RegistrationStage) -> Screen:
    _ = i18n.gettext
    return screen(_("Saved. The registration is now: %(stage)s.") % {"stage": _(STAGE[stage])})


def said(i18n: Translator, message: str) -> Screen:
    """A message of the domain's (an N_ msgid, such as why /ruos has no checklist to open) on its own."""
    return screen(i18n.gettext(message))


def refused(problem: str) -> Screen:
    """A refusal that ends what was under way (problem: screen markup)."""
    return screen(f"⚠️ {problem}")


def stopped(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Stopped. What you had already sent is kept: open /ruos to continue."))


# --- Registros Públicos: the inscription ------------------------------------------------------------------


def inscription_offer(i18n: Translator, organization_id: int, name: str) -> Screen:
    """To staff, after verifying the last step of Registros Públicos: record the inscription."""
    _ = i18n.gettext
    return screen(_("That was the last step of Registros Públicos for %(organization)s. Record its inscription now: the date, the registry office and the partida electrónica.") % {"organization": escape(name)},
                  [[Choice(data("rp", organization_id), _("📝 Record the inscription"))]])


def inscription_recorded(i18n: Translator, inscription: RegistryInscription) -> Screen:
    return screen(i18n.gettext("📜 Inscribed in Registros Públicos on %(date)s, %(office)s, partida electrónica %(partida)s.") % {
        "date": i18n.date(inscription.inscribed_on, "medium"), "office": escape(inscription.office),
        "partida": escape(inscription.partida)})
