"""What the parts of /projects, /propose and /proposals share: the conversation's name, its
buttons' data, and the questions of the proposal and of staff's steps (the draft's step, as
bot/projects/drafts.py returns it).
"""

from __future__ import annotations

from telegram import Message, Update

from bot.core.i18n import N_
from bot.projects import drafts
from bot.projects.models import ProjectStatus, ReportFrequency
from bot.projects.projects import Step
from handlers.common import ask, error_text, keyboard
from handlers.context import VocesContext
from handlers.projects.project_cards import THEME, proposal_card

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


def question(context: VocesContext, step: drafts.Step):  # noqa: ANN201 - (text, markup)
    _ = context.gettext
    name = Step(step.name)
    if name is Step.THEME:
        return _(QUESTION[name]), keyboard([[(_(label), callback("theme", theme.value))] for theme, label in THEME.items()])
    if name is Step.DOCUMENT:
        return _(QUESTION[name]), keyboard([[(_("Skip"), callback("skipdoc"))]])
    if name is Step.FUND_FREQUENCY:
        return _("How often will they report? Each report is due on the last day of its period."), keyboard(
            [[(_(label), callback("freq", frequency.value))] for frequency, label in FREQUENCY.items()])
    if name is Step.SUMMARY:
        card = proposal_card(context.i18n, step.view)
        return _("Please check the proposal:") + "\n\n" + card, keyboard(
            [[(_("✏️ Edit an answer"), callback("edit"))], [(_("✅ Send to the programme"), callback("send"))]])
    return _(QUESTION[name]), None


async def ask_current(update: Update, context: VocesContext, step: drafts.Step) -> str:
    """The draft's question, after the problem with the last answer if there was one."""
    text, markup = question(context, step)
    if step.problem is not None:
        text = f"⚠️ {error_text(context, step.problem)}\n\n{text}"
    return await ask(update, context, flow=FLOW, step=step.name, text=text, reply_markup=markup)


def upload_of(context: VocesContext, message: Message) -> drafts.Upload:
    """The document (or photo: its largest size) of a message, fetched only if the step takes it."""
    file = message.document or (message.photo[-1] if message.photo else None)

    async def fetch() -> bytes:
        assert file is not None
        return bytes(await (await context.bot.get_file(file.file_id)).download_as_bytearray())

    return drafts.Upload(size=file.file_size if file else None, name=message.document.file_name if message.document else None,
                         fetch=fetch, document=message.document is not None)
