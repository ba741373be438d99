"""What the parts of /projects, /propose and /proposals share: the conversation's name, its
buttons' data, the questions of the proposal and of staff's steps, and the person's draft.
"""

from __future__ import annotations

from telegram import Update

from bot.core.i18n import N_
from bot.projects import projects
from bot.projects.models import ProjectDraft, ProjectStatus, ReportFrequency
from bot.projects.projects import Step
from handlers.common import ask, keyboard
from handlers.context import VocesContext
from handlers.projects.project_cards import THEME, current_person, proposal_card

FLOW = "propose"
CALLBACK_DATA_LIMIT = 64
FREQUENCY = {
    ReportFrequency.MONTHLY: N_("Monthly reports"),
    ReportFrequency.QUARTERLY: N_("Quarterly reports"),
    ReportFrequency.FINAL: N_("One final report"),
}
QUESTION = {
    Step.TITLE: N_("What is the project called? A short title, for example: Huertos familiares en Carmen de la Legua."),
    Step.THEME: N_("What is its theme?"),
    Step.OBJECTIVE: N_("What is its objective? In two or three sentences: what will change, and for whom."),
    Step.POPULATION: N_("Who is it for (the target population)? For example: 40 Venezuelan and Peruvian mothers of the neighbourhood."),
    Step.DISTRICT: N_("In which district will it take place? Type part of the name, for example Comas or SJL."),
    Step.START: N_("When will it start? Send the full date, for example 01/02/2027."),
    Step.END: N_("When will it end? Send the full date, for example 31/07/2027."),
    Step.AMOUNT: N_("How much do you ask for, in soles? For example 2500."),
    Step.DOCUMENT: N_("If you have the full proposal as a document (PDF or Word), send it now. Otherwise tap Skip."),
    Step.COMMENT: N_("Write your comment for the leaders: they will read it as you write it, with a button to revise the proposal."),
    Step.FUND_AMOUNT: N_("How much is granted, in soles? For example 2500."),
}
OPEN_STATUSES = (ProjectStatus.PROPOSAL, ProjectStatus.SELECTED, ProjectStatus.FUNDED, ProjectStatus.IMPLEMENTING)


def callback(*parts: object) -> str:
    data = ":".join(["prj", *(str(part) for part in parts)])
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return data


def question(context: VocesContext, draft: ProjectDraft):  # noqa: ANN201 - (text, markup)
    _ = context.gettext
    step = Step(draft.step)
    if step is Step.THEME:
        return _(QUESTION[step]), keyboard([[(_(label), callback("theme", theme.value))] for theme, label in THEME.items()])
    if step is Step.DOCUMENT:
        return _(QUESTION[step]), keyboard([[(_("Skip"), callback("skipdoc"))]])
    if step is Step.FUND_FREQUENCY:
        return _("How often will they report? Each report is due on the last day of its period."), keyboard(
            [[(_(label), callback("freq", frequency.value))] for frequency, label in FREQUENCY.items()])
    if step is Step.SUMMARY:
        card = proposal_card(context.i18n, projects.view(draft))
        return _("Please check the proposal:") + "\n\n" + card, keyboard(
            [[(_("✏️ Edit an answer"), callback("edit"))], [(_("✅ Send to the programme"), callback("send"))]])
    return _(QUESTION[step]), None


async def ask_current(update: Update, context: VocesContext, draft: ProjectDraft, *, problem: str | None = None) -> str:
    text, markup = question(context, draft)
    if problem:
        text = f"⚠️ {problem}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=draft.step, text=text, reply_markup=markup)


async def load_draft(context: VocesContext):  # noqa: ANN201
    async with context.runtime.database.session() as session:
        person = await current_person(session, context)
        return person, await projects.find_draft(session, user=person)
