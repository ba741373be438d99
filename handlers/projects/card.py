"""A project's card, for its leaders and for staff (with the moves staff can make), and its
proposal document.
"""

from __future__ import annotations

from telegram import Update

from bot.core import uploads
from bot.people.models import Role
from bot.projects import projects
from bot.projects import reports as project_reports
from bot.projects import screens as shown
from bot.projects.models import ProjectFile
from handlers.common import ButtonTable
from handlers.context import VocesContext
from handlers.guards import StaleButton
from handlers.projects.common import NUMBER
from handlers.projects.project_cards import current_person, integer
from handlers.show import say
from handlers.stored_files import file_words, send_stored_file


async def open_project(update: Update, context: VocesContext, args: list[str]) -> object:
    await show_project(update, context, integer(args[0]))
    return None


async def show_project(update: Update, context: VocesContext, project_id: int, *, edit: bool = True) -> None:
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=project_id)
        organization = await projects.organization_name(session, project.organization_id)
        document = await projects.proposal_document(session, project_id=project.id)
        events = await projects.history(session, project_id=project.id)
        reports = await project_reports.reports_of(session, project_id=project.id)
        totals = await project_reports.beneficiary_totals(session, project_id=project.id)
    card = shown.ProjectCard(project, organization, document_name(document, organization, file_words(context.i18n)),
                             events, reports, totals, staff=person.role is Role.STAFF)
    await say(update, context, shown.project_card(context.i18n, card), edit=edit)


def document_name(document: ProjectFile | None, organization: str, words: dict[str, str]) -> str | None:
    """The proposal document as the card names it: the bot's name, then the sender's as a label."""
    if document is None:
        return None
    shown = uploads.label(document.original_name)
    return uploads.stored_file_name(document, organization=organization, words=words) + (f" (“{shown}”)" if shown else "")


async def send_document(update: Update, context: VocesContext, args: list[str]) -> object:
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        project = await projects.for_reader(session, user=person, project_id=integer(args[0]))
        document = await projects.proposal_document(session, project_id=project.id)
        organization = await projects.organization_name(session, project.organization_id)
    if document is None:
        raise StaleButton(args[0])
    assert update.effective_chat is not None
    await send_stored_file(context, update.effective_chat.id, document, organization=organization)
    return None


# prj:<action>:<shape>, routed by handlers/projects/__init__.py
BUTTONS: ButtonTable = {"open": (NUMBER, open_project), "doc": (NUMBER, send_document)}
