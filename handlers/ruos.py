"""/ruos: the organization's RUOS checklist for its district, uploading each requirement, the
registration status, and the formalization path (Registros Públicos, SUNAT); /review and
/reload_requirements for staff; and the messages of the checklist's reminders.

Callback data, checked on arrival (the organization must exist and the person lead it or be
staff; the list and the item must still be in the catalogue):

    ruos:list:<org>:<procedure>        a checklist: the RUOS list or a formalization step
    ruos:i:<org>:<procedure>:<item>    one requirement: what it is, and a button to upload it
    ruos:u:<org>:<procedure>:<item>    upload files for it (the conversation's "upload" step)
    ruos:done                          finished uploading
    ruos:x:<org>:<procedure>:<item>    take back the pages sent for it: asks first
    ruos:xy:<org>:<procedure>:<item>   ... yes, take them back
    ruos:status:<org>                  the registration status and the moves it allows
    ruos:to:<org>:<stage>              move the request to a stage; questions may follow
    ruos:rv:<item id>                  staff: open an uploaded item and its pages
    ruos:ok:<item id>:<revision>       staff: verify it
    ruos:no:<item id>:<revision>       staff: ask for changes (the reason is asked next)

Codes are at most 24 characters (the catalogue's rule), so even the longest fits in Telegram's
64 bytes. The revision makes staff verify exactly the pages they opened.

Albums: Telegram delivers an album as one message per page, which this bot handles one after
the other for the same person. The first page's receipt is sent and remembered (its message
id, in the person's chat data); the album's later pages edit that receipt instead of adding
a message each.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.districts import district_by_ubigeo
from bot.i18n import N_, Translator
from bot.models.organizations import Organization
from bot.models.people import Role, User
from bot.models.reminders import Reminder
from bot.models.ruos import ChecklistDraft, ItemStatus, RegistrationStage
from bot.requirements import (
    CatalogueError,
    FileFormat,
    PageCount,
    Procedure,
    ProcedureKind,
    Requirement,
    localized,
)
from bot.runtime import Runtime
from bot.services import organizations, people, ruos
from bot.services.authority import NotAllowed
from bot.services.ruos import Checklist, ItemView, NextStepKind, Step
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of, shorten
from bot.validation import InvalidInput
from handlers import labels
from handlers.commands import command
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    notify,
    page_navigation,
    page_number,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.reminders import Rendered, renders

log = logging.getLogger(__name__)

FLOW = "ruos"
ALBUM = "ruos_album"  # chat data: the receipt message of the album being received
CALLBACK_DATA_LIMIT = 64
# /review pages through this many, ten at a time, the longest waiting first.
REVIEW_SHOWN = 500
# The names staff's copies of stored files get (the store keeps bytes under their hash).
FILE_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic"}

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
STAGE = {
    RegistrationStage.PREPARING: N_("🛠 preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 handed in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 observed by the municipality"),
    RegistrationStage.REGISTERED: N_("🎉 registered in the RUOS"),
}
QUESTION = {
    Step.EXPEDIENTE: N_("What is the expediente number the municipality gave you? Write it as it appears on your copy of the request (the cargo)."),
    Step.SUBMITTED_ON: N_("On what date did you hand it in? Send the full date, for example 18/11/2026."),
    Step.OBSERVATIONS: N_("What did the municipality observe? Write it briefly, as it appears in their notice."),
    Step.DEADLINE: N_("By what date must you answer the observations? Send the full date, for example 05/12/2026."),
    Step.RUOS_NUMBER: N_("What is the organization's RUOS registration number? It appears on the resolution."),
    Step.RESOLUTION_DATE: N_("What is the date of the resolution? Send the full date, for example 10/12/2026."),
    Step.REASON: N_("What must the leaders change? Write the reason: they will read it as you write it."),
}


def callback(*parts: object) -> str:
    data = ":".join(["ruos", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


def today_of(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.zone).date()


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


# --- reading the state ---------------------------------------------------------------------------


async def current_person(session: AsyncSession, context: VocesContext) -> User:
    assert context.person is not None
    person = await people.get(session, context.person.id)
    assert person is not None, "the gatekeeper creates the person before any handler runs"
    return person


async def build_checklist(session: AsyncSession, context: VocesContext, organization: Organization, procedure_code: str | None) -> Checklist:
    return await ruos.checklist(
        session, catalogue=context.runtime.requirements, organization=organization,
        procedure_code=procedure_code, today=today_of(context.runtime),
    )


async def show_checklist(update: Update, context: VocesContext, organization_id: int, procedure_code: str | None, *, edit: bool) -> None:
    """The checklist as a message; for a leader it also plans the next weekly nudge."""
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        checklist = await build_checklist(session, context, organization, procedure_code)
        if await ruos.is_leader(session, user_id=person.id, organization_id=organization.id):
            await ruos.plan_missing_nudges(
                session, catalogue=runtime.requirements, organization=organization,
                now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    catalogue = runtime.requirements
    ruos_code = ruos.ruos_procedure(catalogue, organization)[0].code
    following = ruos.next_procedure(catalogue, checklist.procedure)
    text = checklist_text(context.i18n, checklist)
    markup = checklist_keyboard(context.i18n, checklist, following, ruos_code)
    if edit:
        await edit_or_reply(update, context, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)


async def finish(update: Update, context: VocesContext) -> int:
    """Leave whatever the person was doing in /ruos."""
    async with context.runtime.database.session() as session:
        await ruos.drop_draft(session, user=await current_person(session, context))
    context.user_data.pop(ALBUM, None)  # type: ignore[union-attr]
    return await leave(update, context, FLOW)


# --- /ruos ---------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> int:
    """The checklist of the organization the leader acts for; staff add the organization's number."""
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.own_organization(session, user=person)
    args = context.args or []
    staff = person.role is Role.STAFF
    if staff and args and args[0].isdigit():
        organization_id = int(args[0])
    elif organization is not None and not (staff and args):
        organization_id = organization.id
    elif staff:
        await reply(update, context, _("Send the organization's number after the command, for example /ruos 12. /review lists the documents waiting."))
        return await finish(update, context)
    else:
        await reply(update, context, _("You do not lead a registered organization yet. Register yours with /register, or ask its leader for an invitation."))
        return await finish(update, context)
    await finish(update, context)
    try:
        await show_checklist(update, context, organization_id, None, edit=False)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
    return END


# --- buttons ---------------------------------------------------------------------------------------


class StaleButton(Exception):
    """Callback data that is malformed or forged."""


def integer(value: str) -> int:
    if not value.isdigit():
        raise StaleButton(value)
    return int(value)


async def on_button(update: Update, context: VocesContext) -> object:
    await answer_button(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    action, *args = query.data.split(":")[1:]
    action_handler = BUTTONS.get(action)
    try:
        if action_handler is None:
            raise StaleButton(action)
        return await action_handler(update, context, args)
    except AlreadyDone as error:  # a second tap, or someone else first: nobody is told again
        await say_already_done(update, context, error)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
    except (StaleButton, IndexError):
        await reply(update, context, context.gettext("This button is no longer active."))
    return None  # nothing was done: the person stays at the step they were at


async def open_list(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code = integer(args[0]), args[1]
    await show_checklist(update, context, organization_id, procedure_code, edit=True)
    return await finish(update, context)


async def item_of(context: VocesContext, args: list[str]) -> tuple[Checklist, ItemView]:
    """The checklist and the item a button names (`<org>:<procedure>:<item>`), for its leader or staff."""
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        checklist = await build_checklist(session, context, organization, procedure_code)
    return checklist, checklist.item(item_code)


async def open_item(update: Update, context: VocesContext, args: list[str]) -> int:
    checklist, view = await item_of(context, args)
    await edit_or_reply(update, context, item_text(context.i18n, checklist, view), reply_markup=item_keyboard(context.i18n, checklist, view))
    return await finish(update, context)


async def ask_to_withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    """Taking pages back cannot be undone: say how many, and ask."""
    _ = context.gettext
    _checklist, view = await item_of(context, args)
    organization_id, procedure_code, item_code = args[0], args[1], args[2]
    text = context.i18n.ngettext(
        "Take back the page sent for “%(item)s”? Then send it again from the first page.",
        "Take back the %(count)s pages sent for “%(item)s”? Then send it again from the first page.",
        view.pages,
    ) % {
        "count": view.pages, "item": escape(localized(view.requirement.title, context.i18n.language))}
    await edit_or_reply(update, context, text, reply_markup=keyboard([
        [(_("🗑 Yes, take them back"), callback("xy", organization_id, procedure_code, item_code))],
        [(_("No, keep them"), callback("i", organization_id, procedure_code, item_code))],
    ]))
    return await finish(update, context)


async def withdraw(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        await ruos.withdraw_pages(
            session, catalogue=runtime.requirements, user=person, organization=organization, procedure_code=procedure_code,
            item_code=item_code, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        )
    return await open_item(update, context, args)


def done_keyboard(context: VocesContext) -> InlineKeyboardMarkup:
    return keyboard([[(context.gettext("✅ Done"), callback("done"))]])


def upload_prompt(context: VocesContext, requirement: Requirement) -> str:
    _ = context.gettext
    title = escape(localized(requirement.title, context.i18n.language))
    if requirement.pages is PageCount.ONE:
        return _("Send “%(item)s” now: one PDF file or one photo. Then tap Done.") % {"item": title}
    return _("Send “%(item)s” now: a PDF file, or a photo of each page (you can send several photos at once). When you have sent everything, tap Done.") % {"item": title}


async def start_upload(update: Update, context: VocesContext, args: list[str]) -> str:
    organization_id, procedure_code, item_code = integer(args[0]), args[1], args[2]
    runtime = context.runtime
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        _draft, requirement = await ruos.start_upload(
            session, user=person, catalogue=runtime.requirements, organization=organization,
            procedure_code=procedure_code, item_code=item_code, now=runtime.clock.now(),
        )
    context.user_data.pop(ALBUM, None)  # type: ignore[union-attr]
    return await ask(update, context, flow=FLOW, step=Step.UPLOAD.value, text=upload_prompt(context, requirement), reply_markup=done_keyboard(context))


async def finish_upload(update: Update, context: VocesContext, args: list[str]) -> int:
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    await finish(update, context)
    if draft is None or draft.step != Step.UPLOAD:
        await reply(update, context, context.gettext("This button is no longer active."))
        return END
    await show_checklist(update, context, draft.organization_id, draft.procedure_code, edit=False)
    return END


# --- receiving files --------------------------------------------------------------------------------


async def upload_target(context: VocesContext) -> tuple[ChecklistDraft, Procedure, Requirement] | None:
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    if draft is None or draft.step != Step.UPLOAD or draft.procedure_code is None or draft.item_code is None:
        return None
    procedure = context.runtime.requirements.procedure(draft.procedure_code)
    return draft, procedure, ruos.requirement_of(procedure, draft.item_code)


async def on_file(update: Update, context: VocesContext) -> object:
    """A document or a photo (one page, or one page of an album) for the item being uploaded."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    try:
        target = await upload_target(context)
    except (KeyError, InvalidInput):
        target = None
    if target is None:
        context.voces.dispatch_again(update)  # the general answer about files outside /ruos
        return await finish(update, context)
    draft, procedure, requirement = target
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram made
        file_id, size, name, mime_type, is_photo = photo.file_id, photo.file_size, None, None, True
    else:
        document = message.document
        assert document is not None
        file_id, size, name, mime_type, is_photo = document.file_id, document.file_size, document.file_name, document.mime_type, False
    runtime = context.runtime
    try:
        ruos.check_announced_file(requirement, size=size, file_name=name, mime_type=mime_type, is_photo=is_photo)
        try:
            telegram_file = await context.bot.get_file(file_id)
            content = bytes(await telegram_file.download_as_bytearray())
        except BadRequest as error:
            if "too big" in error.message.lower():
                raise ruos.too_large(size) from None
            raise
        async with runtime.database.session() as session:
            receipt = await ruos.record_upload(
                session, store=runtime.files, organization_id=draft.organization_id, procedure=procedure,
                requirement=requirement,
                upload=ruos.Upload(content, name, file_id, message.media_group_id),
                uploader=await current_person(session, context), now=runtime.clock.now(),
            )
    except NotAllowed as error:  # removed from the organization since the upload step began
        await finish(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error), reply_markup=done_keyboard(context))
        return None
    title = escape(localized(requirement.title, context.i18n.language))
    if receipt.duplicate:
        await reply(update, context, _("You had already sent this same file for “%(item)s”: I kept it once.") % {"item": title}, reply_markup=done_keyboard(context))
        return None
    if requirement.pages is PageCount.ONE:
        text = _("📎 “%(item)s” received. Another file would replace it. Tap Done when you are finished.") % {"item": title}
    else:
        text = _("📎 “%(item)s”: pages received: %(count)s. Send more pages, or tap Done.") % {"item": title, "count": receipt.pages}
    await acknowledge(update, context, text, message.media_group_id)
    return None


async def acknowledge(update: Update, context: VocesContext, text: str, media_group_id: str | None) -> None:
    """One receipt per file, except that an album's pages update the receipt of its first page."""
    album = context.user_data.get(ALBUM) if media_group_id else None  # type: ignore[union-attr]
    if album and album["group"] == media_group_id:
        assert update.effective_chat is not None
        await context.bot.edit_message_text(
            text, chat_id=update.effective_chat.id, message_id=album["message_id"], reply_markup=done_keyboard(context)
        )
        return
    sent = await reply(update, context, text, reply_markup=done_keyboard(context))
    if media_group_id:
        context.user_data[ALBUM] = {"group": media_group_id, "message_id": sent.message_id}  # type: ignore[index]


async def on_other_message(update: Update, context: VocesContext) -> object:
    """Text, a sticker or a voice note while a file, or an answer, is awaited."""
    _ = context.gettext
    async with context.runtime.database.session() as session:
        draft = await ruos.find_draft(session, user=await current_person(session, context))
    if draft is None:
        context.voces.dispatch_again(update)
        return await finish(update, context)
    if draft.step == Step.UPLOAD:
        try:
            target = await upload_target(context)
        except (KeyError, InvalidInput):
            target = None
        title = escape(localized(target[2].title, context.i18n.language)) if target else ""
        await reply(update, context, _("I am waiting for “%(item)s”: send it as a PDF file or as photos, or tap Done.") % {"item": title}, reply_markup=done_keyboard(context))
        return None
    message = update.effective_message
    if message is None or not message.text:
        return await ask(update, context, flow=FLOW, step=draft.step, text=_("Please answer with text.") + "\n\n" + _(QUESTION[Step(draft.step)]))
    if draft.step == Step.REASON:
        return await reject_with_reason(update, context, draft, message.text)
    return await answer_stage(update, context, draft, message.text)


# --- the registration status ---------------------------------------------------------------------------


STAGE_BUTTON = {
    RegistrationStage.PREPARING: N_("↩️ Back to preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 We handed it in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 The municipality made observations"),
    RegistrationStage.REGISTERED: N_("🎉 The organization is registered"),
}
OBSERVATIONS_ANSWERED = N_("📨 We answered the observations")


async def open_status(update: Update, context: VocesContext, args: list[str]) -> int:
    organization_id = integer(args[0])
    await show_status(update, context, organization_id, edit=True)
    return await finish(update, context)


async def show_status(update: Update, context: VocesContext, organization_id: int, *, edit: bool, problem: str | None = None) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
        checklist = await build_checklist(session, context, organization, None)
    registration = checklist.registration
    assert registration is not None
    lines = [_("<b>Registration status of %(organization)s</b>") % {"organization": escape(organization.name)}, ""]
    lines += stage_lines(context.i18n, checklist)
    lines.append(_("The board's term ends on %(date)s.") % {"date": context.i18n.date(organization.board_term_end)})
    moves = ruos.allowed_stages(registration.stage, user=person)
    rows = []
    for stage in moves:
        label = OBSERVATIONS_ANSWERED if (registration.stage, stage) == (RegistrationStage.OBSERVED, RegistrationStage.SUBMITTED) else STAGE_BUTTON[stage]
        rows.append([(_(label), callback("to", organization_id, stage.value))])
    if moves:
        lines += ["", _("What happened? Tap it below.")]
    rows.append([(_("⬅️ Back to the checklist"), callback("list", organization_id, checklist.procedure.code))])
    text = "\n".join(lines)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    if edit:
        await edit_or_reply(update, context, text, reply_markup=keyboard(rows))
    else:
        await reply(update, context, text, reply_markup=keyboard(rows))


async def choose_stage(update: Update, context: VocesContext, args: list[str]) -> object:
    organization_id, target = integer(args[0]), args[1]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
            change = await ruos.choose_stage(
                session, catalogue=runtime.requirements, user=person, organization=organization,
                target=target, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except ruos.StageChanged as error:
        await finish(update, context)
        await show_status(update, context, organization_id, edit=False, problem=error_text(context, error))
        return END
    if change.draft is not None:
        return await ask(update, context, flow=FLOW, step=change.draft.step, text=context.gettext(QUESTION[Step(change.draft.step)]))
    return await stage_recorded(update, context, organization_id, change.stage)


async def answer_stage(update: Update, context: VocesContext, draft: ChecklistDraft, text: str) -> object:
    runtime = context.runtime
    organization_id, step = draft.organization_id, Step(draft.step)
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            organization = await ruos.organization_for(session, user=person, organization_id=organization_id)
            draft = await ruos.find_draft(session, user=person) or draft
            change = await ruos.answer_stage_question(
                session, catalogue=runtime.requirements, user=person, draft=draft, organization=organization,
                text=text, today=today_of(runtime), now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except ruos.StageChanged as error:
        await finish(update, context)
        await show_status(update, context, organization_id, edit=False, problem=error_text(context, error))
        return END
    except NotAllowed as error:  # no longer a leader of it: no question again
        await finish(update, context)
        await reply(update, context, "⚠️ " + error_text(context, error))
        return END
    except InvalidInput as error:  # nothing was saved: the same question again
        question = context.gettext(QUESTION[step])
        return await ask(update, context, flow=FLOW, step=step.value, text=f"⚠️ {error_text(context, error)}\n\n{question}")
    if change.draft is not None:
        return await ask(update, context, flow=FLOW, step=change.draft.step, text=context.gettext(QUESTION[Step(change.draft.step)]))
    return await stage_recorded(update, context, organization_id, change.stage)


async def stage_recorded(update: Update, context: VocesContext, organization_id: int, stage: RegistrationStage) -> int:
    _ = context.gettext
    await finish(update, context)
    await reply(update, context, _("Saved. The registration is now: %(stage)s.") % {"stage": _(STAGE[stage])})
    await show_checklist(update, context, organization_id, None, edit=False)
    await tell_other_leaders_about_stage(context, organization_id, stage)
    return END


async def tell_other_leaders_about_stage(context: VocesContext, organization_id: int, stage: RegistrationStage) -> None:
    """Whoever moved the registration on (staff, or one of several leaders), the others hear it."""
    runtime = context.runtime
    changed_by = context.person
    assert changed_by is not None
    async with runtime.database.session() as session:
        organization = await session.get(Organization, organization_id)
        leaders = [leader for leader, _role in await organizations.leaders_of(session, organization_id=organization_id)]
    if organization is None:
        return
    ruos_code = ruos.ruos_procedure(runtime.requirements, organization)[0].code
    for leader in leaders:
        if leader.id == changed_by.id or not leader.reachable:
            continue
        i18n = runtime.translator(leader.language)
        _ = i18n.gettext
        values = {"organization": escape(organization.name), "stage": _(STAGE[stage]), "person": escape(changed_by.display_name or "?")}
        if changed_by.role is Role.STAFF:
            text = _("📌 The programme staff updated the RUOS registration of %(organization)s: %(stage)s.") % values
        else:
            text = _("📌 %(person)s updated the RUOS registration of %(organization)s: %(stage)s.") % values
        await notify(context, leader.telegram_id, text, reply_markup=_open_checklist(i18n, organization_id, ruos_code))


# --- staff: /review, verify, reject ------------------------------------------------------------------------


def require_staff(context: VocesContext) -> bool:
    return context.person is not None and context.person.role is Role.STAFF


async def list_waiting(update: Update, context: VocesContext) -> None:
    await show_waiting(update, context, page=1)


async def waiting_page(update: Update, context: VocesContext, args: list[str]) -> None:
    await show_waiting(update, context, page=page_number(args[0]))


async def show_waiting(update: Update, context: VocesContext, *, page: int) -> None:
    """/review's list, a page at a time: Telegram takes at most 100 buttons on one message."""
    _ = context.gettext
    if not require_staff(context):
        await reply(update, context, _("Only programme staff can do that."))
        return
    async with context.runtime.database.session() as session:
        waiting = await ruos.waiting_for_review(
            session, catalogue=context.runtime.requirements, staff=await current_person(session, context), limit=REVIEW_SHOWN)
    if not waiting:
        await reply(update, context, _("No documents are waiting for review."))
        return
    language = context.i18n.language
    lines = [_("<b>Documents waiting for review</b>"), ""]
    rows = []
    shown = page_of(waiting, page, size=ROWS_PER_PAGE)
    for number, entry in enumerate(shown.items, start=shown.first_index + 1):
        title = localized(entry.requirement.title, language) if entry.requirement else entry.item.item_code
        sent = context.i18n.date(entry.item.uploaded_at) if entry.item.uploaded_at else ""
        lines.append(f"{number}. {escape(entry.organization_name)} — {escape(title)} ({sent})")
        rows.append([(shorten(f"{number}. {shorten(entry.organization_name, 20)} · {title}", 60), callback("rv", entry.item.id))])
    rows += page_navigation(context, shown, callback_prefix=callback("review", "p"))
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))



async def open_for_review(update: Update, context: VocesContext, args: list[str]) -> None:
    """Send staff the item's pages from the bot's own store, then the verify and reject buttons."""
    _ = context.gettext
    item_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await ruos.item_for_review(session, catalogue=runtime.requirements, staff=await current_person(session, context), item_id=item_id,
                                           now=runtime.clock.now())
    item, language = review.item, context.i18n.language
    assert update.effective_chat is not None
    for number, stored in enumerate(review.files, start=1):
        await context.bot.send_document(
            update.effective_chat.id, runtime.files.read(stored.storage_path),
            filename=f"{item.item_code}-{number}{FILE_EXTENSIONS.get(stored.mime_type, '')}",
        )
    title = localized(review.requirement.title, language) if review.requirement else item.item_code
    lines = [
        f"<b>{escape(review.organization.name)}</b> — {escape(title)}",
        _("Status: %(status)s") % {"status": _(STATUS[item.status])},
        _("Pages: %(count)s") % {"count": len(review.files)},
    ]
    if review.requirement:
        lines += ["", escape(localized(review.requirement.explanation, language).strip())]
    rows = []
    if item.status is ItemStatus.UPLOADED:
        rows.append([(_("✅ Verify"), callback("ok", item.id, item.revision)), (_("✏️ Ask for changes"), callback("no", item.id, item.revision))])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)


async def verify(update: Update, context: VocesContext, args: list[str]) -> int:
    item_id, revision = integer(args[0]), integer(args[1])
    runtime = context.runtime
    async with runtime.database.session() as session:
        outcome = await ruos.review(
            session, catalogue=runtime.requirements, staff=await current_person(session, context), item_id=item_id,
            revision=revision, verified=True, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        )
    await tell_leaders(context, outcome)
    await edit_or_reply(update, context, context.gettext("✅ Verified. I told the leaders of %(organization)s.") % {"organization": escape(outcome.organization.name)})
    return await finish(update, context)


async def ask_reason(update: Update, context: VocesContext, args: list[str]) -> str:
    item_id, revision = integer(args[0]), integer(args[1])
    runtime = context.runtime
    async with runtime.database.session() as session:
        draft = await ruos.start_rejection(session, staff=await current_person(session, context), item_id=item_id, revision=revision, now=runtime.clock.now())
    return await ask(update, context, flow=FLOW, step=draft.step, text=context.gettext(QUESTION[Step.REASON]))


async def reject_with_reason(update: Update, context: VocesContext, draft: ChecklistDraft, reason: str) -> object:
    runtime = context.runtime
    assert draft.checklist_item_id is not None and draft.checklist_item_revision is not None
    try:
        async with runtime.database.session() as session:
            outcome = await ruos.review(
                session, catalogue=runtime.requirements, staff=await current_person(session, context),
                item_id=draft.checklist_item_id, revision=draft.checklist_item_revision, verified=False,
                reason=reason, now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
            )
    except (ruos.RuosError, AlreadyDone, NotAllowed) as error:  # nothing to ask again: nobody is told
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await finish(update, context)
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step=Step.REASON.value, text=f"⚠️ {error_text(context, error)}\n\n{context.gettext(QUESTION[Step.REASON])}")
    await tell_leaders(context, outcome)
    await reply(update, context, context.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {"organization": escape(outcome.organization.name)})
    return await finish(update, context)


async def tell_leaders(context: VocesContext, outcome: ruos.ReviewOutcome) -> None:
    """Each leader reads the review in their own language, with the button to act on it."""
    runtime = context.runtime
    for leader in outcome.leaders:
        i18n = runtime.translator(leader.language)
        _ = i18n.gettext
        title = escape(localized(outcome.requirement.title, i18n.language)) if outcome.requirement else outcome.item_code
        organization = escape(outcome.organization.name)
        if outcome.status is ItemStatus.VERIFIED:
            text = _("✅ The programme staff checked “%(item)s” for %(organization)s: it is ready.") % {"item": title, "organization": organization}
            markup = keyboard([[(_("📋 Open the checklist"), callback("list", outcome.organization.id, outcome.procedure_code))]])
        else:
            text = _("✏️ The programme staff checked “%(item)s” for %(organization)s and asks for changes:") % {"item": title, "organization": organization}
            text += f"\n\n<i>{escape(outcome.reason or '')}</i>\n\n" + _("Send it again when it is ready.")
            markup = keyboard([[(_("📤 Send it again"), callback("u", outcome.organization.id, outcome.procedure_code, outcome.item_code))]])
        await notify(context, leader.telegram_id, text, reply_markup=markup)


# --- staff: /reload_requirements ------------------------------------------------------------------------


async def reload_requirements(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    if not require_staff(context):
        await reply(update, context, _("Only programme staff can do that."))
        return
    runtime = context.runtime
    try:
        catalogue = runtime.reload_requirements()
    except CatalogueError as error:
        log.warning("requirement files not reloaded: %s", error)
        if error.line is None:
            where = _("In the folder %(folder)s: %(problem)s") % {"folder": escape(str(error.path)), "problem": escape(error.problem)}
        else:
            where = _("In %(file)s, line %(line)s: %(problem)s") % {"file": escape(error.path.name), "line": error.line, "problem": escape(error.problem)}
        await reply(update, context, _("⚠️ The requirement files were not reloaded, and the lists in use stay as they were. Correct this and send /reload_requirements again:") + "\n\n" + where)
        return
    await reply(update, context, context.i18n.ngettext(
        "✅ Requirement lists reloaded from %(folder)s: %(count)s list.", "✅ Requirement lists reloaded from %(folder)s: %(count)s lists.",
        len(catalogue.procedures)) % {"folder": escape(str(catalogue.directory)), "count": len(catalogue.procedures)})


# --- leaving the flow ------------------------------------------------------------------------------------


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Stopped. What you had already sent is kept: open /ruos to continue."))
    return await finish(update, context)


async def other_command(update: Update, context: VocesContext) -> int:
    """Another command in the middle of /ruos: leave it and let the command run."""
    context.voces.dispatch_again(update)
    return await finish(update, context)


BUTTONS = {
    "list": open_list,
    "i": open_item,
    "u": start_upload,
    "done": finish_upload,
    "x": ask_to_withdraw,
    "xy": withdraw,
    "status": open_status,
    "to": choose_stage,
    "rv": open_for_review,
    "review": waiting_page,
    "ok": verify,
    "no": ask_reason,
}


def conversation() -> ConversationHandler:
    answers = [MessageHandler(filters.ALL & ~filters.COMMAND, on_other_message)]
    states: dict[object, list[Any]] = {step.value: answers for step in Step if step is not Step.UPLOAD}
    states[Step.UPLOAD.value] = [MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), *answers]
    return ConversationHandler(
        # Every ruos button is an entry point, so it works from any old message and any step.
        entry_points=[command("ruos", start), CallbackQueryHandler(on_button, pattern=r"^ruos:")],
        states=states,  # type: ignore[arg-type]
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    # Load the requirement files now: a broken file stops the start with its name and line,
    # instead of failing a leader's first /ruos, and /reload_requirements always has lists
    # in use to keep.
    application.runtime.requirements  # noqa: B018
    application.add_handler(conversation())
    application.add_handlers([
        command("review", list_waiting),
        command("reload_requirements", reload_requirements),
    ])


# --- the reminders' messages -------------------------------------------------------------------------------


async def _leader_organization(runtime: Runtime, reminder: Reminder) -> Organization | None:
    """The reminder's organization, if it still exists and the recipient still leads it."""
    async with runtime.database.session() as session:
        organization_id = int(reminder.payload["organization_id"])
        if not await ruos.is_leader(session, user_id=reminder.recipient_id, organization_id=organization_id):
            return None
        return await organizations.load(session, organization_id)


def _open_checklist(i18n: Translator, organization_id: int, procedure_code: str) -> InlineKeyboardMarkup:
    return keyboard([[(i18n.gettext("📋 Open the checklist"), callback("list", organization_id, procedure_code))]])


@renders(ruos.MISSING_NUDGE)
async def render_missing(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None:
        return None
    async with runtime.database.session() as session:
        # Plans next week's nudge too, or cancels the nudges if nothing is missing any more.
        if not await ruos.plan_missing_nudges(
            session, catalogue=runtime.requirements, organization=organization,
            now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours,
        ):
            return None
        checklist = await ruos.checklist(session, catalogue=runtime.requirements, organization=organization, today=today_of(runtime))
    _ = i18n.gettext
    missing = sum(view.outstanding for view in checklist.items)
    text = i18n.ngettext(
        "📋 Reminder: %(count)s required document for the RUOS of %(organization)s is still missing.",
        "📋 Reminder: %(count)s required documents for the RUOS of %(organization)s are still missing.",
        missing,
    ) % {
        "count": missing, "organization": escape(organization.name),
    }
    text += "\n\n👉 " + next_step_text(i18n, checklist)
    return Rendered(text, _open_checklist(i18n, organization.id, checklist.procedure.code))


@renders(ruos.OBSERVATION_DEADLINE)
async def render_deadline(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None:
        return None
    async with runtime.database.session() as session:
        checklist = await ruos.checklist(session, catalogue=runtime.requirements, organization=organization, today=today_of(runtime))
    registration = checklist.registration
    assert registration is not None
    deadline = registration.observation_deadline
    if registration.stage is not RegistrationStage.OBSERVED or deadline is None or deadline.isoformat() != reminder.payload["deadline"]:
        return None
    _ = i18n.gettext
    text = _("⏰ The municipality's observations on the RUOS request of %(organization)s must be answered by %(date)s.") % {
        "organization": escape(organization.name), "date": i18n.date(deadline),
    }
    if registration.observations:
        text += "\n\n" + _("Observations: %(text)s") % {"text": f"<i>{escape(registration.observations)}</i>"}
    text += "\n\n" + _("When you have answered them, record it with “Registration status”.")
    markup = keyboard([[(_("📋 Registration status"), callback("status", organization.id))]])
    return Rendered(text, markup)


@renders(ruos.BOARD_TERM_ENDING)
async def render_board_term(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    organization = await _leader_organization(runtime, reminder)
    if organization is None or organization.board_term_end.isoformat() != reminder.payload["term_end"]:
        return None
    _ = i18n.gettext
    procedure, _fallback = ruos.ruos_procedure(runtime.requirements, organization)
    text = i18n.ngettext(
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s day. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        "⏰ The term of the board of %(organization)s ends on %(date)s, in %(days)s days. Hold the election of the new board in time, and ask the municipality what it needs to record it.",
        int(reminder.payload["days"]),
    ) % {
        "organization": escape(organization.name), "date": i18n.date(organization.board_term_end), "days": reminder.payload["days"],
    }
    if procedure.renewal_items:
        text += "\n\n" + _("The list of the %(authority)s for renewing the board asks for:") % {
            "authority": escape(localized(procedure.authority, i18n.language)),
        }
        text += "\n" + "\n".join(f"• {escape(localized(item.title, i18n.language))}" for item in procedure.renewal_items)
    return Rendered(text, _open_checklist(i18n, organization.id, procedure.code))
