"""/projects: the organization's projects; /propose: a leader proposes a community project,
one question at a time, with a summary card before sending; /proposals: staff see the projects,
comment (the leaders get it with a button to revise) and move them along: selected, funded
(amount and reporting schedule), implementing, closed, or not selected. The leaders are told
of every change. Reports per period are in handlers/projects/reports.py.

Callback data (checked on arrival: the project must exist, the person lead it or be staff):

    prj:theme:<code> prj:district:<ubigeo> prj:skipdoc prj:edit[:<part>] prj:summary prj:send
    prj:resume prj:restart                 the proposal draft
    prj:rev:<project>                      leaders: revise a proposal after a comment
    prj:open:<project>                     the project's card
    prj:doc:<project>                      the proposal's document
    prj:list:p<n>                          staff: the list of projects, a page at a time
    prj:to:<project>:<status>              staff: move the project
    prj:cm:<project>                       staff: write a comment (asked next)
    prj:fund:<project>                     staff: fund it (amount asked next, then the schedule)
    prj:freq:<frequency>                   staff: the reporting schedule of the funding
    prj:fundok:<frequency>                 staff: yes, fund it (after the reasons to think twice)
    prj:totals                             staff: people reached programme-wide, by every dimension

What each screen shows is the domain's (bot/projects/screens.py, report_screens.py,
staff_screens.py); these modules parse, call one domain function and render the screen through
show.py. Read in this order: common.py (what the parts share), show.py (a screen on Telegram),
proposal.py (/projects, /propose, revising), card.py (a project's card), staff.py (/proposals,
moves, comments, funding).
"""

from __future__ import annotations

from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.projects.projects import Step
from handlers.commands import command
from handlers.common import ButtonTable, area_buttons
from handlers.projects import card, proposal, staff
from handlers.projects.common import FLOW
from handlers.projects.project_cards import STATUS  # noqa: F401 - the staff console reads it from here
from handlers.projects.proposal import (
    cancel,
    list_projects,
    on_file,
    on_other,
    on_text,
    other_command,
    propose,
)
from handlers.projects.staff import proposals

# Every prj: button, by action, with the shape of what follows it: each module lists its own.
PRJ: ButtonTable = {**proposal.BUTTONS, **card.BUTTONS, **staff.BUTTONS}


def conversation() -> ConversationHandler:
    answers = [
        MessageHandler(filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
        MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, on_other),
    ]
    return ConversationHandler(
        entry_points=[command("propose", propose), area_buttons("prj", PRJ)],
        states={step.value: answers for step in Step},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW,
        persistent=True,
        allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handler(conversation())
    application.add_handlers([command("projects", list_projects), command("proposals", proposals)])
