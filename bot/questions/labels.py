"""How the questions area's codes read to a person: N_-marked, translated where shown."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.questions.models import FeedbackKind, FeedbackState, QuestionState, QuestionTopic

TOPIC_NAMES = {
    QuestionTopic.ORGANIZATION: N_("My organization"),
    QuestionTopic.RUOS: N_("RUOS"),
    QuestionTopic.PROJECT: N_("A project"),
    QuestionTopic.TRAINING: N_("A training"),
    QuestionTopic.OTHER: N_("Something else"),
}
STATE_NAMES = {
    QuestionState.DRAFT: N_("being written"),
    QuestionState.OPEN: N_("waiting for the team"),
    QuestionState.TAKEN: N_("the team is on it"),
    QuestionState.ANSWERED: N_("answered"),
    QuestionState.CLOSED: N_("closed"),
}
FEEDBACK_KIND_NAMES = {FeedbackKind.SUGGESTION: N_("Suggestion"), FeedbackKind.COMPLAINT: N_("Complaint")}
FEEDBACK_STATE_NAMES = {FeedbackState.NEW: N_("new"), FeedbackState.READ: N_("read"), FeedbackState.ANSWERED: N_("answered"),
                        FeedbackState.CLOSED: N_("closed")}
