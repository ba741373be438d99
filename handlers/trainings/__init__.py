"""Telegram: /trainings, /newtraining, /mysessions, check-in and votes.

Every button of the area is routed the one way every area routes them: one
CallbackQueryHandler per callback-data prefix, and a table from the action (the part after
the prefix) to the function that answers it, through `handlers.common.area_buttons`. The
table also gives each action the shape of its arguments, so data of any other shape (an old
or forged button) matches no handler and is answered as every area answers one.

    tr:list:p<page>   tr:open|enroll|leave|take|pass|here|cert:<session>   tr:rate:<session>:<1-5>
    trc:new   trc:edit:<session>   trc:topic|prereq|mode|district:<code>   trc:skip   trc:field:<name>
    trc:save   trc:discard   (the /newtraining conversation's own buttons: only while it is under way)
    trc:list:p<page>   trc:open|cancel|cancelok|xlsx|checkin|close|voteclose:<session or vote>
    trc:roster:<session>[:p<page>]   trc:mark:<session>:<user>:<1|0>   trc:vote:<1-5>
    vote:pick:<vote>:<topic>

Read in this order: browse.py (leaders: the sessions, seats, reminders), admin.py
(/newtraining, rendering bot/trainings/drafts.py's steps), records.py (check-in,
certificates, feedback, ballots), runs.py (coordinators running their sessions).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.trainings import drafts as training_drafts
from handlers.commands import command
from handlers.common import NOT_TYPED, ButtonTable, area_buttons
from handlers.trainings import admin, browse, records, runs

NUMBER, CODE = r"\d+", r"[a-z0-9_]+"


# action: (the shape of what follows it, or None for nothing; the function answering it)
TR: ButtonTable = {
    "list": (r"p\d+", browse.list_trainings),
    "open": (NUMBER, browse.open_session),
    "enroll": (NUMBER, browse.enroll),
    "leave": (NUMBER, browse.leave_session),
    "take": (NUMBER, browse.take_seat),
    "pass": (NUMBER, browse.pass_seat),
    "here": (NUMBER, records.here),
    "cert": (NUMBER, records.send_certificate),
    "rate": (r"\d+:[1-5]", records.rated),  # starts the feedback conversation
}
TRC: ButtonTable = {
    "new": (None, admin.new_training),
    "edit": (NUMBER, admin.edit_session),
    **{kind: (CODE, admin.button_answer) for kind in ("topic", "prereq", "mode", "district")},
    "skip": (None, admin.button_answer),
    "field": (r"[a-z_]+", admin.change_field),
    "save": (None, admin.save),
    "discard": (None, admin.discard),
    "list": (r"p\d+", runs.my_sessions),
    "open": (NUMBER, runs.open_admin_card),
    "cancel": (NUMBER, runs.ask_cancel),
    "cancelok": (NUMBER, runs.cancel_session),
    "roster": (r"\d+(?::p\d+)?", runs.show_roster),
    "mark": (r"\d+:\d+:[01]", runs.mark),
    "xlsx": (NUMBER, runs.export_roster),
    "checkin": (NUMBER, runs.open_checkin),
    "close": (NUMBER, runs.close_checkin),
    "vote": (r"[1-5]", runs.open_vote),
    "voteclose": (NUMBER, runs.close_vote),
}
# The /newtraining conversation's answers: they count only while it is under way.
IN_FLOW = ("topic", "prereq", "mode", "district", "skip", "field", "save", "discard")
VOTE: ButtonTable = {"pick": (r"\d+:[a-z0-9_]+", records.pick_topic)}


def newtraining_conversation() -> ConversationHandler:
    in_flow = area_buttons("trc", TRC, IN_FLOW)
    states: dict[object, list[Any]] = {
        step: [MessageHandler(filters.TEXT & ~filters.COMMAND, admin.typed_answer_for(step)),
               MessageHandler(NOT_TYPED, admin.not_typed_for(step)), in_flow]
        for step in training_drafts.TEXT_STEPS
    }
    states.update({step: [in_flow] for step in ("topic", "mode", "prerequisite_topic", "summary")})
    return ConversationHandler(
        # Every other trc: button enters here, so a coordinator's card works from any step.
        entry_points=[command("newtraining", admin.new_training),
                      area_buttons("trc", TRC, [a for a in TRC if a not in IN_FLOW])],
        states=states,  # type: ignore[arg-type]
        fallbacks=[command("cancel", admin.cancel_flow), MessageHandler(filters.COMMAND, admin.other_command)],
        name=admin.FLOW, persistent=True, allow_reentry=True,
    )


def feedback_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[area_buttons("tr", TR)],  # tr:rate starts it
        states={"comment": [MessageHandler(filters.TEXT & ~filters.COMMAND, records.feedback_comment)]},
        fallbacks=[command("skip", records.skip_comment), command("cancel", records.skip_comment)],
        name=records.FEEDBACK_FLOW, persistent=True, allow_reentry=True,
    )


def register(application) -> None:  # noqa: ANN001
    application.add_handlers([
        CommandHandler("start", browse.open_from_link, filters=filters.Regex(rf"^/start {browse.LINK_PREFIX}")),
        command("trainings", browse.list_trainings),
        newtraining_conversation(),
        command("mysessions", runs.my_sessions),
        command("topicvote", runs.topic_vote),
        command("addtopic", runs.add_topic),
        CommandHandler("start", records.verify_from_link, filters=filters.Regex(rf"^/start {records.VERIFY_PREFIX}")),
        feedback_conversation(),
        command("mytrainings", records.my_trainings),
        command("checkin", records.checkin),
        command("verify", records.verify),
        command("topics", records.show_ballot),
        area_buttons("vote", VOTE),
    ])
