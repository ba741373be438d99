"""/myorg, /invite and joining by link, co-leaders, and staff verification (the registration
card that the staff console's /pending opens).

Callback data (checked on arrival: the person must still lead the organization, or be staff):

    org:show                              the card again (what an old `org:` button shows too)
    org:switch, org:act:<org>             act for another organization the person leads
    org:edit, org:field:<field>           the fields, and one field's question
    org:set:kind|district:<value>         a choice for a field
    org:focus:<area>                      add or remove a focus area
    org:board:p<page>, org:rmboard:<id>   the board, a page of it, removing a member
    org:addboard, org:brole:<role>, org:bdoc:<type>   adding a member, step by step
    org:leaders, org:invite               the leaders, a new invitation link
    org:rmlead:<user>, org:owner:<user>   remove a co-leader, make them the owner
    org:view:<org>                        staff: the registration card and its latest changes
    org:verify:<org>:<status seen>        staff: verify it, from the status they saw
    org:verifyok:<org>:<status seen>      staff: yes, verify it (after the reasons to think twice)
    org:changes:<org>:<status seen>       staff: ask for changes (the comment is asked next)

Read in this order: common.py, card.py (/myorg), editing.py, board.py, leaders.py, review.py.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.organizations.organizations import INVITE_PREFIX
from handlers.commands import command
from handlers.common import NOT_TYPED, ButtonTable, area_buttons, leave, reply
from handlers.context import VocesContext
from handlers.organizations.board import (
    add_board_member,
    board_document,
    board_page,
    board_role,
    remove_board_member,
)
from handlers.organizations.card import act, show, switch
from handlers.organizations.common import FLOW, REVIEW_FLOW, not_typed_for, plan_term_reminders
from handlers.organizations.editing import (
    FOLLOWING,
    TEXT_FIELDS,
    choose_field,
    edit_menu,
    set_choice,
    toggle_focus,
    typed_answer_for,
)
from handlers.organizations.leaders import (
    invite,
    join,
    join_after_consent,
    make_owner,
    remove_leader,
    show_leaders,
)
from handlers.organizations.review import (
    ask_for_changes,
    changes_comment,
    comment_question,
    staff_view,
    verify,
    verify_confirmed,
)

__all__ = ["plan_term_reminders", "register"]


async def cancel(update: Update, context: VocesContext) -> int:
    await reply(update, context, context.gettext("Cancelled. Nothing was changed."))
    await leave(update, context, REVIEW_FLOW)
    return await leave(update, context, FLOW)


async def other_command(update: Update, context: VocesContext) -> int:
    context.voces.dispatch_again(update)
    await leave(update, context, REVIEW_FLOW)
    return await leave(update, context, FLOW)


NUMBER, SEEN = r"\d+", r"\d+(?::[a-z_]+)?"  # an id; an organization and the status its card showed
ORG: ButtonTable = {
    "show": (None, show),
    "switch": (None, switch),
    "act": (NUMBER, act),
    "edit": (None, edit_menu),
    "field": (r"[a-z]+", choose_field),
    "set": (r"(?:kind|district):[\w-]+", set_choice),
    "focus": (r"[a-z_]+", toggle_focus),
    "board": (r"p\d+", board_page),
    "rmboard": (NUMBER, remove_board_member),
    "addboard": (None, add_board_member),
    "brole": (r"[a-z]+", board_role),
    "bdoc": (r"[A-Z-]+", board_document),
    "leaders": (None, show_leaders),
    "invite": (None, invite),
    "rmlead": (NUMBER, remove_leader),
    "owner": (NUMBER, make_owner),
    "view": (NUMBER, staff_view),
    "verify": (SEEN, verify),
    "verifyok": (SEEN, verify_confirmed),
    "changes": (SEEN, ask_for_changes),  # staff's comment: the review conversation
}
REVIEWING = ("changes",)


def register(application) -> None:  # noqa: ANN001
    # Every org: button but staff's "ask for changes" enters the editing conversation: a field's
    # question sets its step, every other button ends it (each returns END, as a card replaces
    # the question); "ask for changes" enters the review conversation, whose step is the comment.
    edits = ConversationHandler(
        entry_points=[area_buttons("org", ORG, [action for action in ORG if action not in REVIEWING])],
        states={
            step: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_answer_for(step)), MessageHandler(NOT_TYPED, not_typed_for(step))]
            for step in [*TEXT_FIELDS.values(), *FOLLOWING.values(), "district", "board_name", "board_number"]
        },
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=FLOW, persistent=True, allow_reentry=True,
    )
    review = ConversationHandler(
        entry_points=[area_buttons("org", ORG, REVIEWING)],
        states={"comment": [
            MessageHandler(filters.TEXT & ~filters.COMMAND, changes_comment),
            MessageHandler(NOT_TYPED, not_typed_for("comment", comment_question)),
        ]},
        fallbacks=[command("cancel", cancel), MessageHandler(filters.COMMAND, other_command)],
        name=REVIEW_FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([
        CommandHandler("start", join, filters=filters.Regex(rf"^/start {INVITE_PREFIX}")),
        edits,
        review,
        command("myorg", show),
        command("invite", invite),
    ])
    # After onboarding's "accept" (group 0) has stored consent: finish a pending invitation.
    application.add_handler(CallbackQueryHandler(join_after_consent, pattern=r"^consent:yes$"), group=1)
