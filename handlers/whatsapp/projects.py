"""The projects on WhatsApp, for leaders: /projects (/proyectos) lists the organization's projects
and a project opens as its card (`prj:open:<id>`, its proposal document `prj:doc:<id>`);
/propose (/proponer) writes a proposal one question at a time, the districts matching what was
typed to choose from, the summary card and sending it (`prj:send`); a proposal sent back with a
comment is revised from its card (`prj:rev:<id>`).

The step machine is the domain's (bot/projects/drafts.py), the screens too (bot/projects/
screens.py), and the choices' ids are Telegram's (`prj:theme:<code>`, `prj:district:<ubigeo>`,
`prj:skipdoc`, `prj:edit[:<part>]`, `prj:summary`, `prj:send`, `prj:resume`, `prj:restart`). The
draft's question is kept as the person's last screen with the flow `propose`, so the next typed
text answers it; a refused answer is said on top of the same question, asked again. Staff
review proposals on Telegram: their notice of a sent one is the outbox's to deliver.
"""

from __future__ import annotations

from bot.core import uploads
from bot.core.db import DbSession
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.screens import File, Screen, screen
from bot.core.transitions import AlreadyDone
from bot.core.uploads import FILE_AREA_WORDS, FILE_NAME_CONTEXT
from bot.core.validation import InvalidInput, parse_id
from bot.organizations import organizations
from bot.people.authority import NotAllowed
from bot.projects import drafts, projects, screens
from bot.projects import reports as project_reports
from bot.projects.models import ProjectFile
from handlers.whatsapp.reply import Reply
from handlers.whatsapp.trainings import refusal

FLOW = "propose"  # a proposal's question asked: the next typed text answers it
PREFIX = "prj:"
COMMANDS = ("projects", "propose")
DRAFT_ACTIONS = ("theme", "district", "skipdoc", "edit", "summary", "send", "resume", "restart")


def _i18n(runtime: Runtime, reply: Reply) -> Translator:
    assert reply.person is not None
    return runtime.translator(reply.person.language)


def _today(runtime: Runtime):  # noqa: ANN202 - a date
    return runtime.clock.now().astimezone(runtime.settings.zone).date()


async def command(session: DbSession, *, runtime: Runtime, reply: Reply, name: str) -> None:
    person = reply.person
    assert person is not None
    i18n = _i18n(runtime, reply)
    if name == "projects":
        acting = await organizations.acting_for(session, user=person)
        if acting is None:
            reply.show(screens.not_leading(i18n))
            return
        found = await projects.projects_of(session, organization_id=acting[0].id)
        reply.show(screens.projects_of(i18n, acting[0].name, found))
        return
    step = await drafts.propose(session, user_id=person.id, store=runtime.files, now=runtime.clock.now())
    if step is None:
        reply.show(screens.not_leading(i18n))
        return
    if step.organization is not None:
        reply.show(screens.proposal_begun(i18n, step.organization))
    ask(runtime=runtime, reply=reply, step=step)


def paused(i18n: Translator) -> Screen:
    return screens.proposal_paused(i18n)


def ask(*, runtime: Runtime, reply: Reply, step: drafts.Step) -> None:
    """What the draft's step asks (after the last answer's problem), kept as the flow's question."""
    i18n = _i18n(runtime, reply)
    shown = screens.proposal_step(i18n, step)
    if step.problem is not None:
        shown = shown.warned(refusal(i18n, step.problem))
    reply.show(shown, flow=FLOW)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> bool:
    """A typed answer to the draft's question; False: no proposal under way (the router says so)."""
    assert reply.person is not None
    try:
        result = await drafts.answer(session, user_id=reply.person.id, value=text, now=runtime.clock.now())
    except (AlreadyDone, NotAllowed) as error:
        reply.show(screen(refusal(_i18n(runtime, reply), error)))
        return True
    if not isinstance(result, drafts.Step):  # no draft, or staff's comment (staff work on Telegram)
        return False
    ask(runtime=runtime, reply=reply, step=result)
    return True


async def not_typed(session: DbSession, *, runtime: Runtime, reply: Reply) -> bool:
    """The proposal as a document, at the document step (fetched now, by its media id); a photo,
    a location… where an answer was expected: said so, the question again."""
    person, media = reply.person, reply.media
    assert person is not None
    if media is not None and reply.download is not None:
        upload = drafts.Upload(size=None, name=media.filename, fetch=reply.fetch(), document=media.kind == "document")
        step = await drafts.attach(session, user_id=person.id, upload=upload, store=runtime.files, now=runtime.clock.now())
    else:
        step = await drafts.not_typed(session, user_id=person.id)
    if step is None:
        return False
    ask(runtime=runtime, reply=reply, step=step)
    return True


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The projects' choices (`prj:…`); False for one that is not (forged, or staff's)."""
    person = reply.person
    assert person is not None
    i18n = _i18n(runtime, reply)
    action, _sep, value = choice.removeprefix(PREFIX).partition(":")
    try:
        if action in ("open", "doc", "rev"):
            project_id = parse_id(value)
            if project_id is None:
                return False
            if action == "rev":
                step = await drafts.revise(session, user_id=person.id, project_id=project_id, store=runtime.files,
                                           now=runtime.clock.now())
                ask(runtime=runtime, reply=reply, step=step)
            else:
                reply.show(await (card if action == "open" else document)(session, runtime=runtime, reply=reply,
                                                                         project_id=project_id))
            return True
        if action not in DRAFT_ACTIONS:
            return False
        result = await drafts.press(session, user_id=person.id, choice=choice.removeprefix(PREFIX), store=runtime.files,
                                    now=runtime.clock.now(), today=_today(runtime), quiet=runtime.reminders.quiet_hours)
    except drafts.NotAChoice:
        return False
    except InvalidInput as error:  # not theirs, gone, already decided: said so
        reply.show(screen(refusal(i18n, error)))
        return True
    if result is None:  # no proposal under way: the button is an old one
        reply.show(screens.proposal_paused(i18n) if action in ("resume", "restart") else
                   screen(i18n.gettext(drafts.EARLIER)))
    elif isinstance(result, drafts.Sent):
        reply.show(screens.proposal_sent(i18n, revised=result.sent.revised))
    elif isinstance(result, drafts.Step):
        ask(runtime=runtime, reply=reply, step=result)
    else:  # staff's funding decision: staff work on Telegram
        return False
    return True


def _words(i18n: Translator) -> dict[str, str]:
    return {area: i18n.pgettext(FILE_NAME_CONTEXT, word) for area, word in FILE_AREA_WORDS.items()}


def document_name(i18n: Translator, document: ProjectFile | None, organization: str) -> str | None:
    """The proposal document as the card names it: the bot's name, then the sender's as a label."""
    if document is None:
        return None
    label = uploads.label(document.original_name)
    return uploads.stored_file_name(document, organization=organization, words=_words(i18n)) + (f" (“{label}”)" if label else "")


async def card(session: DbSession, *, runtime: Runtime, reply: Reply, project_id: int) -> Screen:
    """A project as its leaders see it (refused for anyone else: NotAllowed)."""
    person = reply.person
    assert person is not None
    i18n = _i18n(runtime, reply)
    project = await projects.for_reader(session, user=person, project_id=project_id)
    organization = await projects.organization_name(session, project.organization_id)
    document = await projects.proposal_document(session, project_id=project.id)
    found = screens.ProjectCard(
        project, organization, document_name(i18n, document, organization),
        await projects.history(session, project_id=project.id), await project_reports.reports_of(session, project_id=project.id),
        await project_reports.beneficiary_totals(session, project_id=project.id), staff=False)
    return screens.project_card(i18n, found)


async def document(session: DbSession, *, runtime: Runtime, reply: Reply, project_id: int) -> Screen:
    """The proposal's document, as a document message (a project without one: said so)."""
    person = reply.person
    assert person is not None
    i18n = _i18n(runtime, reply)
    project = await projects.for_reader(session, user=person, project_id=project_id)
    stored = await projects.proposal_document(session, project_id=project.id)
    if stored is None:
        return screen(i18n.gettext(drafts.EARLIER))
    organization = await projects.organization_name(session, project.organization_id)
    name = uploads.stored_file_name(stored, organization=organization, words=_words(i18n))
    return screen("📎", files=[File(name, stored.mime_type, stored=stored.storage_path)])
