"""/report: the leaders of a funded project file the report of each period in a conversation
(activities, people reached as counts, money spent, difficulties, lessons, photos and
documents), see it on a card and submit it; /reportreview: staff open submitted reports with
their evidence and approve them or send them back with a comment; an approved report as a PDF;
and the deadline reminders' messages.

The draft is the report row (its step and scratch, bot/services/project_reports.py), so it
survives /cancel, restarts and days of silence; the chat data only says which report the
person has open. Callback data:

    rep:go:<report>            write (or continue, or reopen) a report
    rep:more | rep:nomore      another activity, or that was all
    rep:evdone                 done sending evidence
    rep:edit[:<part>]          change a part, from the summary card
    rep:summary | rep:submit   back to the card; submit
    rep:rl:p<n>                staff: submitted reports, a page at a time
    rep:rv:<report>            staff: open one, with its evidence
    rep:ok:<report>:<version>  staff: approve that version
    rep:no:<report>:<version>  staff: ask for changes (the comment is asked next)
    rep:pdf:<report>           the approved report as a PDF
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.documents import project_report as report_pdf
from bot.i18n import N_, Translator
from bot.models.people import Role
from bot.models.projects import ProjectReport, ReportStatus
from bot.models.reminders import Reminder
from bot.runtime import Runtime
from bot.services import organizations, projects
from bot.services import project_reports as reports
from bot.services.authority import NotAllowed
from bot.services.project_reports import (
    ACTIVITY_DATE,
    ACTIVITY_MORE,
    ACTIVITY_PLACE,
    ACTIVITY_WHAT,
    AGE,
    AGE_GROUPS,
    COUNT,
    DIFFICULTIES,
    EVIDENCE,
    LESSONS,
    NATIONALITIES,
    SEX,
    SEXES,
    SPENT,
    SUMMARY,
    Mismatch,
)
from bot.services.transitions import AlreadyDone
from bot.textlimits import page_of, shorten
from bot.validation import InvalidInput
from handlers.commands import command
from handlers.common import (
    END,
    ROWS_PER_PAGE,
    ask,
    dispatch_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    notify,
    page_navigation,
    page_number,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, shows_current_card
from handlers.project_cards import (
    AGE_LABEL,
    GROUP,
    NATIONALITY,
    NATIONALITY_TOTAL,
    REPORT_STATUS,
    SEX_LABEL,
    current_person,
    integer,
    period_text,
    report_card,
    soles,
)
from handlers.reminders import Rendered, renders

FLOW = "report"
OPEN = "report_open"  # chat data: the report the person is writing
ALBUM = "report_album"  # chat data: the receipt of the album being received
REVIEW_COMMENT = "review_comment"
CALLBACK_DATA_LIMIT = 64
# "age:<nationality>" stays a state: a conversation saved there before the ages were asked per sex.
STEPS = [ACTIVITY_DATE, ACTIVITY_PLACE, ACTIVITY_WHAT, ACTIVITY_MORE,
         *(f"{part}:{n}" for n in NATIONALITIES for part in (COUNT, SEX, AGE)),
         *(f"{AGE}:{n}:{s}" for n in NATIONALITIES for s in SEXES),
         SPENT, DIFFICULTIES, LESSONS, EVIDENCE, SUMMARY, REVIEW_COMMENT]


def callback(*parts: object) -> str:
    data = ":".join(["rep", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


# --- the questions -----------------------------------------------------------------------------------------


def question(context: VocesContext, report: ProjectReport, title: str, evidence: int) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.gettext
    step = reports.current_step(report)
    if step == ACTIVITY_DATE:
        return _("Activity %(number)s: on what date did it take place? Send the full date, for example 12/12/2026.") % {"number": len(report.activities) + 1}, None
    if step == ACTIVITY_PLACE:
        return _("Where did it take place?"), None
    if step == ACTIVITY_WHAT:
        return _("What was done? A few sentences are enough."), None
    if step == ACTIVITY_MORE:
        listing = "\n".join(f"• {escape(a['place'])}: {escape(a['what'][:80])}" for a in report.activities)
        return _("Activities so far:") + "\n" + listing + "\n\n" + _("Was there another activity in this period?"), keyboard(
            [[(_("➕ Add another activity"), callback("more"))], [(_("That is all"), callback("nomore"))]])
    part, _sep, nationality = step.partition(":")
    nationality, _sep, sex = nationality.partition(":")
    if part == COUNT:
        intro = _("Now the people reached, as numbers only: no names.") + "\n\n" if nationality == NATIONALITIES[0] else ""
        return intro + _("How many <b>%(who)s</b> took part? Send a number (0 if none).") % {"who": _(NATIONALITY_TOTAL[nationality])}, None
    if part == SEX:
        total = report.beneficiaries[nationality]["total"]
        return _("Of those %(total)s %(who)s, how many were <b>female, male, and other or not stated</b>? Send three numbers separated by spaces, for example 6 4 0.") % {
            "total": total, "who": _(NATIONALITY_TOTAL[nationality])}, None
    if part == AGE:
        count = report.beneficiaries[nationality]["sex"][sex]
        return _("<b>%(who)s</b> (%(count)s): how many were <b>0–11, 12–17, 18–59 and 60 or more</b>? Send four numbers, for example 2 3 4 1; together they make %(count)s.") % {
            "who": _(GROUP[nationality, sex]), "count": count}, None
    if step == SPENT:
        return _("How much money did you spend in this period, in soles? For example 850.50 (0 if nothing)."), None
    if step == DIFFICULTIES:
        return _("What difficulties did you have?"), None
    if step == LESSONS:
        return _("What did you learn (lessons learned)?"), None
    if step == EVIDENCE:
        return (_("Send photos and documents of the activities: you can send several photos at once. I remove the location and other hidden data from photos.")
                + "\n\n" + _("⚠️ Do not send photos in which children can be recognised unless their parents or guardians agreed.")
                + "\n\n" + _("When you are done, tap Done.")), keyboard([[(_("✅ Done"), callback("evdone"))]])
    return _("Please check the report:") + "\n\n" + report_card(context.i18n, report, title, evidence), keyboard(
        [[(_("✏️ Change a part"), callback("edit"))], [(_("✅ Submit to the programme"), callback("submit"))]])


async def ask_current(update: Update, context: VocesContext, report_id: int, *, problem: str | None = None) -> object:
    async with context.runtime.database.session() as session:
        found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id, leader_only=True)
        evidence = await reports.evidence_count(session, report_id=report_id)
    text, markup = question(context, found.report, found.project.title, evidence)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=reports.current_step(found.report), text=text, reply_markup=markup)


def mismatch_text(context: VocesContext, error: Mismatch) -> str:
    """Which split does not add up, for which nationality (and sex), and what was typed."""
    _ = context.gettext
    if error.sex is not None:
        message = _("%(who)s: their ages add up to %(counted)s, but you said there were %(total)s. Check the numbers and send them again.") % {
            "who": _(GROUP[error.nationality, error.sex]), "counted": error.counted, "total": error.total}
    else:
        message = _("The split by sex adds up to %(counted)s, but you said %(total)s %(who)s took part. Check the numbers and send them again.") % {
            "counted": error.counted, "total": error.total, "who": _(NATIONALITY_TOTAL[error.nationality])}
    if error.typed:
        message += "\n" + _("You sent: %(numbers)s") % {"numbers": " ".join(str(n) for n in error.typed)}
    return message


# --- /report ------------------------------------------------------------------------------------------------


async def start(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        led = [organization.id for organization, _role in await organizations.led_by(session, user=person)]
        found = await reports.open_reports(session, organization_ids=led)
    if not found:
        await reply(update, context, _("No report is waiting for your projects now. Funded projects and their reports are in /projects."))
        return await leave(update, context, FLOW)
    rows = []
    for report, project in found[:ROWS_PER_PAGE]:
        if report.status is ReportStatus.CHANGES_REQUESTED:
            label = _("✏️ Fix: %(title)s, report %(number)s") % {"title": shorten(project.title, 28), "number": report.number}
        elif report.step is not None:
            label = _("▶️ Continue: %(title)s, report %(number)s") % {"title": shorten(project.title, 28), "number": report.number}
        else:
            label = _("📝 %(title)s, report %(number)s (due %(date)s)") % {"title": shorten(project.title, 28), "number": report.number, "date": context.i18n.date(report.due_on, "short")}
        rows.append([(label, callback("go", report.id))])
    draft = next((pair for pair in found if pair[0].step is not None), None)
    if draft is not None:
        text = _("You have a report in progress for “%(title)s”: continue where you left off?") % {"title": escape(draft[1].title)}
    else:
        text = _("Which report do you want to write?")
    await reply(update, context, text, reply_markup=keyboard(rows))
    return await leave(update, context, FLOW)


async def go(update: Update, context: VocesContext, args: list[str]) -> object:
    report_id = integer(args[0])
    runtime = context.runtime
    async with runtime.database.session() as session:
        found = await reports.begin(session, user=await current_person(session, context), report_id=report_id, now=runtime.clock.now())
    await remember(update, context, **{OPEN: report_id, ALBUM: None})
    if found.report.status is ReportStatus.CHANGES_REQUESTED and found.report.review_comment:
        await reply(update, context, context.gettext("The programme asked for these changes:") + f"\n\n<i>{escape(found.report.review_comment)}</i>")
    elif found.report.step == ACTIVITY_DATE and not found.report.activities:
        await reply(update, context, context.gettext("Let us write the %(period)s of “%(title)s”. I save every answer: you can stop and continue later with /report.") % {
            "period": period_text(context.i18n, found.report), "title": escape(found.project.title)})
    return await ask_current(update, context, report_id)


def open_report_id(context: VocesContext) -> int | None:
    value = (context.user_data or {}).get(OPEN)
    return int(value) if value is not None else None


async def on_text(update: Update, context: VocesContext) -> object:
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    staff_draft = await staff_review_draft(context)
    if staff_draft is not None:
        return await write_review_comment(update, context, text)
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            if found.report.step in (ACTIVITY_MORE, EVIDENCE, SUMMARY):
                return await ask_current(update, context, report_id, problem=context.gettext("Please answer with the buttons below."))
            await reports.answer(session, user=person, report=found.report, value=text, now=runtime.clock.now())
    except Mismatch as error:
        return await ask_current(update, context, report_id, problem=mismatch_text(context, error))
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    return await ask_current(update, context, report_id)


async def on_file(update: Update, context: VocesContext) -> object:
    """A photo (one, or one of an album) or a document as evidence."""
    message = update.effective_message
    assert message is not None
    _ = context.gettext
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram made
        file_id, size, name, mime_type, is_photo = photo.file_id, photo.file_size, None, None, True
    elif message.document is not None:
        document = message.document
        file_id, size, name, mime_type, is_photo = document.file_id, document.file_size, document.file_name, document.mime_type, False
    else:
        return await ask_current(update, context, report_id, problem=_("Please answer with the buttons below."))
    runtime = context.runtime
    done = keyboard([[(_("✅ Done"), callback("evdone"))]])
    try:
        async with runtime.database.session() as session:
            found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id, leader_only=True)
        if found.report.step != EVIDENCE:
            return await ask_current(update, context, report_id, problem=_("I am not waiting for photos or documents for this report now."))
        if (size or 0) > reports.EVIDENCE_MAX_BYTES:
            raise reports.ProjectError(N_("That file is too large: the limit is 20 MB."))
        content = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            receipt = await reports.add_evidence(session, store=runtime.files, user=person, report=found.report, content=content, name=name,
                                                 mime_type=mime_type, is_photo=is_photo, media_group_id=message.media_group_id, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error), reply_markup=done)
        return None
    if receipt.duplicate:
        await reply(update, context, _("You had already sent this same file: I kept it once."), reply_markup=done)
        return None
    text = _("📎 Files received for this report: %(count)s. Send more, or tap Done.") % {"count": receipt.count}
    album = (context.user_data or {}).get(ALBUM) if message.media_group_id else None
    if album and album["group"] == message.media_group_id:
        # Later pages of an album edit the first page's receipt instead of adding a message each.
        assert update.effective_chat is not None
        await context.bot.edit_message_text(text, chat_id=update.effective_chat.id, message_id=album["message_id"], reply_markup=done)
        return None
    sent = await reply(update, context, text, reply_markup=done)
    if message.media_group_id:
        await remember(update, context, **{ALBUM: {"group": message.media_group_id, "message_id": sent.message_id}})
    return None


async def on_other(update: Update, context: VocesContext) -> object:
    report_id = open_report_id(context)
    if report_id is None:
        return await leave(update, context, FLOW)
    return await ask_current(update, context, report_id, problem=context.gettext("I can only read typed text here. Please write your answer."))


# --- buttons ------------------------------------------------------------------------------------------------


async def on_button(update: Update, context: VocesContext) -> object:
    return await dispatch_button(update, context, BUTTONS)


async def draft_tap(update: Update, context: VocesContext, args: list[str], action: str) -> object:
    report_id = open_report_id(context)
    if report_id is None:
        raise StaleButton(action)
    _ = context.gettext
    runtime = context.runtime
    if action == "edit" and not args:
        parts = [("activities", _("Activities")), ("people", _("People reached")), ("spent", _("Money spent")),
                 ("difficulties", _("Difficulties")), ("lessons", _("Lessons")), ("evidence", _("Photos and documents"))]
        rows = [[(label, callback("edit", code)) for code, label in parts[i:i + 2]] for i in range(0, len(parts), 2)]
        rows.append([(_("⬅️ Back to the summary"), callback("summary"))])
        return await ask(update, context, flow=FLOW, step=SUMMARY, text=_("Which part do you want to change? Activities and people are entered again in full."), reply_markup=keyboard(rows))
    if action == "submit":
        return await submit(update, context, report_id)
    try:
        async with runtime.database.session() as session:
            person = await current_person(session, context)
            found = await reports.report_for(session, user=person, report_id=report_id, leader_only=True)
            await reports.tap(session, user=person, report=found.report, action=f"edit_{args[0]}" if action == "edit" else action, now=runtime.clock.now())
    except reports.ProjectError as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    return await ask_current(update, context, report_id)


def draft_action(action: str):  # noqa: ANN201
    async def handler(update: Update, context: VocesContext, args: list[str]) -> object:
        return await draft_tap(update, context, args, action)
    return handler


async def submit(update: Update, context: VocesContext, report_id: int) -> object:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            found = await reports.submit(session, user=await current_person(session, context), report_id=report_id, now=runtime.clock.now())
    except reports.ProjectError as error:
        return await ask_current(update, context, report_id, problem=error_text(context, error))
    await remember(update, context, **{OPEN: None, ALBUM: None})
    await leave(update, context, FLOW)
    await reply(update, context, _("📨 Report sent to the programme. I will tell you here when they review it."))
    async with runtime.database.session() as session:
        staff_members = await projects.staff_members(session)
    for member in staff_members:
        i18n = runtime.translator(member.language)
        await notify(context, member.telegram_id, i18n.gettext("📨 %(organization)s sent a project report: %(title)s, %(period)s") % {
            "organization": escape(found.organization.name), "title": escape(found.project.title), "period": period_text(i18n, found.report)},
            reply_markup=keyboard([[(i18n.gettext("📂 Open"), callback("rv", report_id))]]))
    return END


# --- staff: review --------------------------------------------------------------------------------------------


async def review_list(update: Update, context: VocesContext) -> None:
    if context.person is None or context.person.role is not Role.STAFF:
        await reply(update, context, context.gettext("Only programme staff can do that."))
        return
    await show_review_list(update, context, page=1)


async def review_page(update: Update, context: VocesContext, args: list[str]) -> object:
    await show_review_list(update, context, page=page_number(":".join(args)))
    return None


async def show_review_list(update: Update, context: VocesContext, *, page: int) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        waiting = await reports.submitted_reports(session, staff=await current_person(session, context))
    if not waiting:
        await edit_or_reply(update, context, _("No project reports are waiting for review."))
        return
    shown = page_of(waiting, page, size=ROWS_PER_PAGE)
    lines = [_("<b>Project reports waiting for review</b>"), ""]
    rows = []
    for number, (report, project, name) in enumerate(shown.items, start=shown.first_index + 1):
        lines.append(f"{number}. {escape(name)} — {escape(project.title)}, {period_text(context.i18n, report)}")
        rows.append([(shorten(f"{number}. {shorten(name, 20)} · {project.title}", 60), callback("rv", report.id))])
    rows += page_navigation(context, shown, callback_prefix=callback("rl", "p"))
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows))


async def open_for_review(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    runtime = context.runtime
    report_id = integer(args[0])
    async with runtime.database.session() as session:
        person = await current_person(session, context)
        if person.role is not Role.STAFF:
            raise NotAllowed(N_("Only programme staff can do that."))
        found = await reports.report_for(session, user=person, report_id=report_id)
        evidence = await reports.evidence_of(session, report_id=report_id)
    assert update.effective_chat is not None
    for number, stored in enumerate(evidence, start=1):
        extension = ".jpg" if stored.mime_type == "image/jpeg" else (".pdf" if stored.mime_type == "application/pdf" else "")
        await context.bot.send_document(update.effective_chat.id, runtime.files.read(stored.storage_path),
                                        filename=stored.original_name or f"report-{report_id}-{number}{extension}")
    report = found.report
    text = f"<b>{escape(found.organization.name)}</b>\n" + report_card(context.i18n, report, found.project.title, len(evidence))
    text += "\n\n" + _("Status: %(status)s") % {"status": _(REPORT_STATUS[report.status])}
    rows = []
    if report.status is ReportStatus.SUBMITTED:
        rows.append([(_("✅ Approve"), callback("ok", report.id, report.version)), (_("✏️ Ask for changes"), callback("no", report.id, report.version))])
    if report.status is ReportStatus.APPROVED:
        rows.append([(_("📄 PDF"), callback("pdf", report.id))])
    await reply(update, context, text, reply_markup=keyboard(rows) if rows else None)
    return None


async def approve(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        review = await reports.approve(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                       version=integer(args[1]), now=runtime.clock.now())
    await tell_leaders(context, review)
    await edit_or_reply(update, context, context.gettext("✅ Approved. I told the leaders of %(organization)s.") % {"organization": escape(review.found.organization.name)},
                        reply_markup=keyboard([[(context.gettext("📄 PDF"), callback("pdf", review.found.report.id))]]))
    return None


async def ask_for_changes(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    async with runtime.database.session() as session:
        await reports.start_changes_comment(session, staff=await current_person(session, context), report_id=integer(args[0]),
                                            version=integer(args[1]), now=runtime.clock.now())
    return await ask(update, context, flow=FLOW, step=REVIEW_COMMENT,
                     text=context.gettext("What must the leaders change? Write it: they will read it as you write it, with a button to reopen the report."))


async def staff_review_draft(context: VocesContext):  # noqa: ANN201
    async with context.runtime.database.session() as session:
        draft = await projects.find_draft(session, user=await current_person(session, context))
    return draft if draft is not None and draft.step == REVIEW_COMMENT else None


async def write_review_comment(update: Update, context: VocesContext, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff = await current_person(session, context)
            draft = await projects.find_draft(session, user=staff)
            assert draft is not None
            review = await reports.request_changes(session, staff=staff, draft=draft, text=text, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed) as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        return await ask(update, context, flow=FLOW, step=REVIEW_COMMENT, text="⚠️ " + error_text(context, error))
    await tell_leaders(context, review)
    await reply(update, context, context.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {"organization": escape(review.found.organization.name)})
    return await leave(update, context, FLOW)


async def tell_leaders(context: VocesContext, review: reports.Review) -> None:
    found = review.found
    for leader in review.leaders:
        i18n = context.runtime.translator(leader.language)
        _ = i18n.gettext
        what = {"title": escape(found.project.title), "period": period_text(i18n, found.report)}
        if review.approved:
            text = _("✅ The programme approved the %(period)s of “%(title)s”.") % what
            markup = keyboard([[(_("📄 Get it as a PDF"), callback("pdf", found.report.id))]])
        else:
            text = _("✏️ The programme asks for changes in the %(period)s of “%(title)s”:") % what + f"\n\n<i>{escape(review.comment or '')}</i>"
            markup = keyboard([[(_("✏️ Reopen the report"), callback("go", found.report.id))]])
        await notify(context, leader.telegram_id, text, reply_markup=markup)


# --- the PDF ---------------------------------------------------------------------------------------------------


async def send_pdf(update: Update, context: VocesContext, args: list[str]) -> object:
    runtime = context.runtime
    report_id = integer(args[0])
    async with runtime.database.session() as session:
        found = await reports.report_for(session, user=await current_person(session, context), report_id=report_id)
        evidence = await reports.evidence_of(session, report_id=report_id)
    if found.report.status is not ReportStatus.APPROVED:
        raise AlreadyDone(N_("Only an approved report can be downloaded as a PDF."))
    i18n = context.i18n
    _ = i18n.gettext
    report = found.report
    labels = report_pdf.Labels(
        heading=_("Project report"), organization=_("Organization"), project=_("Project"), period=period_text(i18n, report),
        activities=_("Activities"), people=_("People reached"), total=_("Total"),
        nationalities=[_(NATIONALITY[n]) for n in NATIONALITIES], sexes=[_(SEX_LABEL[s]) for s in SEXES],
        ages=[_(AGE_LABEL[a]) for a in AGE_GROUPS], spent=_("Money spent"), difficulties=_("Difficulties"), lessons=_("Lessons learned"),
        evidence=_("Photos and documents kept by Voces (SHA-256)"), by_sex_and_age=_("By sex and age"),
        approved=_("Approved by the programme on %(date)s (version %(version)s).") % {
            "date": i18n.date(report.reviewed_at) if report.reviewed_at else "—", "version": report.approved_version},
    )
    content = report_pdf.render(report_pdf.ReportData(
        organization=found.organization.name, project=found.project.title,
        activities=[(i18n.date(date.fromisoformat(a["date"]), "short"), a["place"], a["what"]) for a in report.activities],
        beneficiaries=report.approved_beneficiaries or {}, spent=soles(i18n, report.approved_spent_cents),
        difficulties=report.difficulties or "", lessons=report.lessons or "",
        evidence=[(f.original_name or f.mime_type, f.sha256) for f in evidence],
    ), labels)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, content, filename=f"report-{found.project.id}-{report.number}.pdf")
    return None


# --- leaving ------------------------------------------------------------------------------------------------


@shows_current_card("rep")
async def current_card(update: Update, context: VocesContext) -> None:
    await start(update, context)


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Paused. The report is kept as a draft: send /report to continue."))
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    return await leave(update, context, FLOW)


BUTTONS = {
    "go": go,
    **{action: draft_action(action) for action in ("more", "nomore", "evdone", "edit", "summary", "submit")},
    "rl": review_page,
    "rv": open_for_review,
    "ok": approve,
    "no": ask_for_changes,
    "pdf": send_pdf,
}


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
        MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other),
    ]
    return ConversationHandler(
        entry_points=[command("report", start), CallbackQueryHandler(on_button, pattern=r"^rep:")],
        states=dict.fromkeys(STEPS, answers),
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handler(command("reportreview", review_list))


# --- the deadline reminders -----------------------------------------------------------------------------------


@renders(reports.DUE_SOON)
async def render_due_soon(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=int(reminder.payload["report_id"]), recipient_id=reminder.recipient_id)
    if found is None:
        return None
    _ = i18n.gettext
    days = int(reminder.payload["n"])
    text = i18n.ngettext("⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s day.",
                         "⏰ The %(period)s of “%(title)s” is due on %(date)s, in %(days)s days.", days) % {
        "period": period_text(i18n, found.report), "title": escape(found.project.title), "date": i18n.date(found.report.due_on), "days": days}
    return Rendered(text, keyboard([[(_("📝 Write the report"), callback("go", found.report.id))]]))


@renders(reports.OVERDUE)
async def render_overdue(reminder: Reminder, i18n: Translator, runtime: Runtime) -> Rendered | None:
    report_id = int(reminder.payload["report_id"])
    async with runtime.database.session() as session:
        found = await reports.still_due(session, report_id=report_id, recipient_id=reminder.recipient_id)
        if found is None:
            return None
        # Weekly after the first: the next one is planned as this one goes.
        await reports.plan_next_overdue(session, report_id=report_id, recipient_id=reminder.recipient_id, n=int(reminder.payload["n"]),
                                        now=runtime.clock.now(), quiet=runtime.reminders.quiet_hours)
    _ = i18n.gettext
    text = _("⏰ The %(period)s of “%(title)s” was due on %(date)s and has not been sent yet. Send it with /report; if something is in the way, tell the programme staff.") % {
        "period": period_text(i18n, found.report), "title": escape(found.project.title), "date": i18n.date(found.report.due_on)}
    return Rendered(text, keyboard([[(_("📝 Write the report"), callback("go", found.report.id))]]))
