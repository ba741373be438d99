"""/report (/informe) on WhatsApp, for the leaders of a funded project: the reports waiting, a
report opened from there or from its project's card (`rep:go:<report>`), its questions one at a
time (activities, the people reached, the money spent, difficulties, lessons), photos and
documents as evidence, the summary card and submitting it (`rep:more`, `rep:nomore`,
`rep:evdone`, `rep:edit[:<part>]`, `rep:summary`, `rep:submit`, Telegram's ids); an approved
report's PDF from its project's card (`rep:pdf:<report>`).

The step machine is the domain's (bot/projects/report_drafts.py), the screens too
(bot/projects/report_screens.py); the report being written is a row, so it survives restarts.
The question is kept as the person's last screen with the flow `report`, so the next typed text
answers it. Evidence arrives as image or document messages: fetched by media id while the
message is handled and passed to the domain as an `Upload` (the same checks, encryption and
metadata cleaning as on Telegram); each is acknowledged with the count so far and "Done". Staff
review reports on Telegram.
"""

from __future__ import annotations

import asyncio

from bot.core.db import DbSession
from bot.core.i18n import N_, Translator
from bot.core.runtime import Runtime
from bot.core.screens import Screen, screen
from bot.core.validation import InvalidInput, parse_id
from bot.projects import drafts, report_drafts, reports
from bot.projects import report_screens as shown
from bot.projects.models import ReportStatus
from bot.projects.report_drafts import Mismatch
from handlers.whatsapp.reply import Reply
from handlers.whatsapp.trainings import refusal

FLOW = "report"  # a report's question asked: the next typed text (or file) answers it
PREFIX = "rep:"
ACTIONS = ("more", "nomore", "evdone", "edit", "summary", "submit")
ONLY_APPROVED = N_("Only an approved report can be downloaded as a PDF.")


def _i18n(runtime: Runtime, reply: Reply) -> Translator:
    assert reply.person is not None
    return runtime.translator(reply.person.language)


async def command(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    """The reports of the person's organizations waiting to be written, each a choice."""
    assert reply.person is not None
    found = await report_drafts.waiting(session, user_id=reply.person.id)
    reply.show(shown.waiting(_i18n(runtime, reply), found))


def paused(i18n: Translator) -> Screen:
    return shown.paused(i18n)


def ask(*, runtime: Runtime, reply: Reply, step: report_drafts.Step) -> None:
    """The report's question (or the parts to change), after the last answer's problem if any."""
    i18n = _i18n(runtime, reply)
    if step.screen == report_drafts.PARTS:
        reply.show(shown.parts(i18n), flow=FLOW)
        return
    question = shown.question(i18n, step)
    if step.problem is not None:
        question = question.warned(shown.mismatch_text(i18n, step.problem) if isinstance(step.problem, Mismatch)
                                   else refusal(i18n, step.problem))
    reply.show(question, flow=FLOW)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> bool:
    """A typed answer to the report's question; False: no report open (the router says so)."""
    assert reply.person is not None
    try:
        result = await report_drafts.answer(session, user_id=reply.person.id, value=text, now=runtime.clock.now())
    except InvalidInput as error:  # no longer theirs to write (or gone): nothing was saved
        reply.show(screen(refusal(_i18n(runtime, reply), error)))
        return True
    if not isinstance(result, report_drafts.Step):  # none open, or staff's steps (staff work on Telegram)
        return False
    ask(runtime=runtime, reply=reply, step=result)
    return True


async def not_typed(session: DbSession, *, runtime: Runtime, reply: Reply) -> bool:
    """A photo or a document as evidence (fetched now, by its media id); anything else where an
    answer was expected: said so, the question again."""
    person, media = reply.person, reply.media
    assert person is not None
    i18n = _i18n(runtime, reply)
    now = runtime.clock.now()
    if media is None or reply.download is None:
        step = await report_drafts.not_typed(session, user_id=person.id, now=now)
        if step is None:
            return False
        ask(runtime=runtime, reply=reply, step=step)
        return True
    upload = drafts.Upload(size=None, name=media.filename, fetch=reply.fetch(), document=media.kind == "document")
    try:
        result = await report_drafts.evidence(session, user_id=person.id, upload=upload, media_group_id=None,
                                              store=runtime.files, now=now)
    except InvalidInput as error:
        reply.show(screen(refusal(i18n, error)))
        return True
    if result is None:
        return False
    if isinstance(result, report_drafts.Step):
        ask(runtime=runtime, reply=reply, step=result)
    elif result.receipt is None:
        assert result.problem is not None
        reply.show(shown.file_refused(i18n, refusal(i18n, result.problem)), flow=FLOW)
    elif result.receipt.duplicate:
        reply.show(shown.file_again(i18n), flow=FLOW)
    else:
        reply.show(shown.files_received(i18n, result.receipt.count), flow=FLOW)
    return True


async def send_pdf(session: DbSession, *, runtime: Runtime, reply: Reply, report_id: int) -> None:
    """An approved report as a PDF document (a project's card offers it to its leaders)."""
    assert reply.person is not None
    i18n = _i18n(runtime, reply)
    found = await reports.report_for(session, user=reply.person, report_id=report_id)
    if found.report.status is not ReportStatus.APPROVED:
        reply.show(screen(i18n.gettext(ONLY_APPROVED)))
        return
    evidence = await reports.evidence_of(session, report_id=report_id)
    # Drawing a PDF takes a moment of CPU: off the event loop, so others are answered meanwhile.
    reply.show(await asyncio.to_thread(shown.approved_pdf, i18n, found, evidence))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The report's choices (`rep:…`); False for one that is not (forged, or staff's)."""
    person = reply.person
    assert person is not None
    i18n = _i18n(runtime, reply)
    now = runtime.clock.now()
    action, _sep, rest = choice.removeprefix(PREFIX).partition(":")
    try:
        if action == "go":
            report_id = parse_id(rest)
            if report_id is None:
                return False
            step = await report_drafts.open_report(session, user_id=person.id, report_id=report_id, now=now)
            opening = shown.opening(i18n, step)
            if opening is not None:
                reply.show(opening)
            ask(runtime=runtime, reply=reply, step=step)
            return True
        if action == "pdf":
            report_id = parse_id(rest)
            if report_id is None:
                return False
            await send_pdf(session, runtime=runtime, reply=reply, report_id=report_id)
            return True
        if action not in ACTIONS:
            return False
        result = await report_drafts.press(session, user_id=person.id, choice=choice.removeprefix(PREFIX), now=now)
    except InvalidInput as error:  # not theirs, or no longer open for writing: said so
        reply.show(screen(refusal(i18n, error)))
        return True
    if result is None:
        reply.show(screen(i18n.gettext(drafts.EARLIER)))
    elif isinstance(result, report_drafts.Submitted):
        reply.show(shown.submitted(i18n))
    else:
        ask(runtime=runtime, reply=reply, step=result)
    return True
