"""What the team sees of /ask and /opinion, as screens (bot/core/screens.py): /inbox, a question's
thread with where it comes from and what may be done about it, the saved answers, what was sent;
/complaints, one complaint or suggestion, and who reads complaints. (What a leader sees:
bot/questions/screens.py.)

The choices' ids are the Telegram callback data (`ask:open:<q>`, `ask:take:<q>`, `opn:open:<f>` …),
so buttons left in a chat by an older version keep working."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, screen
from bot.people.models import User
from bot.questions import questions
from bot.questions.labels import FEEDBACK_KIND_NAMES, FEEDBACK_STATE_NAMES, STATE_NAMES
from bot.questions.models import (
    Feedback,
    FeedbackKind,
    FeedbackState,
    Question,
    QuestionState,
    SavedAnswer,
)
from bot.questions.screens import about_text, thread_text

TAKEN = N_("✋ It is yours: answer it when you are ready.")


# --- /inbox and a question's thread ----------------------------------------------------------------


def _age(i18n: Translator, question: Question, now: datetime) -> str:
    days = questions.waiting_days(question, now)
    return i18n.ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def inbox(i18n: Translator, waiting: Sequence[Question], *, now: datetime) -> Screen:
    """The questions waiting in the team member's districts, oldest first (the first twenty)."""
    _ = i18n.gettext
    if not waiting:
        return screen(_("📥 No questions are waiting in your districts."))
    rows = [[Choice(f"ask:open:{q.id}", f"{questions.reference(q)} · {_age(i18n, q, now)} · {_(STATE_NAMES[q.state])}"[:30])]
            for q in waiting[:20]]
    text = i18n.ngettext("📥 <b>%(n)d question is waiting</b>, oldest first:",
                         "📥 <b>%(n)d questions are waiting</b>, oldest first:", len(waiting)) % {"n": len(waiting)}
    return screen(text, rows)


def thread(i18n: Translator, card: questions.Card, *, viewer_id: int, note: str | None = None) -> Screen:
    """A question as the team sees it: who asked, from which organization, about what, who has
    taken it, the thread; Take it (unless the viewer holds it), Answer, Saved and Close while it
    is open, its files, and the way back to the inbox. `note`: a line under it (screen markup)."""
    _ = i18n.gettext
    question, messages, names = card.question, card.messages, card.names
    lines = [_("❓ <b>Question %(ref)s</b> · %(state)s") % {"ref": questions.reference(question), "state": _(STATE_NAMES[question.state])},
             _("From: %(name)s") % {"name": escape(names.get(question.asker_id, "—"))}]
    if card.organization is not None:
        lines.append(_("Organization: %(name)s") % {"name": escape(card.organization)})
    lines.append(_("About: %(about)s") % {"about": about_text(i18n, question)})
    if question.taken_by_id:
        lines.append(_("Taken by: %(name)s") % {"name": escape(names.get(question.taken_by_id, "—"))})
    lines += ["", thread_text(i18n, messages, names, for_team=True)]
    if note:
        lines += ["", note]
    rows: list[list[Choice]] = []
    if question.state is not QuestionState.CLOSED:
        if question.taken_by_id != viewer_id:
            rows.append([Choice(f"ask:take:{question.id}", _("✋ Take it"))])
        rows.append([Choice(f"ask:ans:{question.id}", _("✍️ Answer")), Choice(f"ask:saved:{question.id}", _("📋 Saved"))])
        rows.append([Choice(f"ask:end:{question.id}", _("✅ Close it"))])
    rows += [[Choice(f"ask:file:{m.id}", "📎 " + m.file_name[:24])] for m in messages if m.file_path and m.file_name]
    rows.append([Choice("ask:inbox", _("📥 Inbox"))])
    return screen("\n".join(lines), rows)


def write_answer(i18n: Translator, question_id: int) -> Screen:
    return screen(i18n.gettext("Write your answer to %(ref)s, or a question back (a photo or a document may go with it).")
                  % {"ref": questions.reference(question_id)})


def answer_sent(i18n: Translator, question: Question | int, *, keep: int | None = None) -> Screen:
    """The answer went to who asked; `keep`: the message a "Keep as saved answer" button keeps."""
    rows = [[Choice(f"ask:keep:{keep}", i18n.gettext("💾 Keep as saved answer"))]] if keep is not None else []
    return screen(i18n.gettext("✅ Sent to who asked %(ref)s.") % {"ref": questions.reference(question)}, rows)


def closed(i18n: Translator, question_id: int) -> Screen:
    return screen(i18n.gettext("✅ Question %(ref)s is closed; who asked was told.") % {"ref": questions.reference(question_id)})


# --- saved answers -----------------------------------------------------------------------------------


def saved_answers(i18n: Translator, question_id: int, found: Sequence[SavedAnswer]) -> Screen:
    """The saved answers in the asker's language (the first ten), to preview one."""
    _ = i18n.gettext
    if not found:
        return screen(_("There are no saved answers in this person's language yet. After you answer, "
                        "“💾 Keep as saved answer” keeps yours."))
    rows = [[Choice(f"ask:pick:{question_id}:{answer.id}", answer.title[:30])] for answer in found[:10]]
    return screen(_("<b>Saved answers</b> in the language of who asked:"), rows)


def saved_answer(i18n: Translator, question_id: int, answer: SavedAnswer) -> Screen:
    """A saved answer as it would go, with Send it and the way back to the question."""
    _ = i18n.gettext
    return screen(f"📌 <b>{escape(answer.title)}</b>\n\n{escape(answer.text)}",
                  [[Choice(f"ask:use:{question_id}:{answer.id}", _("📤 Send it"))], [Choice(f"ask:open:{question_id}", _("⬅️ Back"))]])


def title_wanted(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Give this answer a short title, as a leader would ask it (up to 60 characters)."))


def kept(i18n: Translator, answer: SavedAnswer) -> Screen:
    return screen(i18n.gettext("💾 Kept as a saved answer: “%(title)s”.") % {"title": answer.title})


# --- /complaints ---------------------------------------------------------------------------------------


def complaints(i18n: Translator, found: Sequence[Feedback], *, staff: bool) -> Screen:
    """What this person may read, open ones first (the first twenty); staff choose who reads complaints."""
    _ = i18n.gettext
    rows = [[Choice(f"opn:open:{f.id}", f"{'⚠️' if f.kind is FeedbackKind.COMPLAINT else '💡'} #{f.id} · {i18n.date(f.sent_on, 'short')} · "
                    f"{_(FEEDBACK_STATE_NAMES[f.state])}"[:30])] for f in found[:20]]
    if staff:
        rows.append([Choice("opn:who", _("👥 Who reads complaints"))])
    text = (_("<b>Complaints and suggestions</b>, oldest first:") if found
            else _("Nothing is waiting: no open complaints or suggestions."))
    return screen(text, rows)


def who_reads(i18n: Translator, team: Sequence[tuple[User, bool]]) -> Screen:
    """Staff and coordinators, ticked if they read complaints: a tap changes it."""
    rows = [[Choice(f"opn:set:{member.id}:{0 if handles else 1}", f"{'✅' if handles else '▫️'} {member.display_name or member.id}"[:30])]
            for member, handles in team[:30]]
    return screen(i18n.gettext("<b>Who reads complaints</b>\nOnly the people ticked here read them; tap a name to change it."), rows)


def feedback(i18n: Translator, found: Feedback, *, sender: User | None) -> Screen:
    """One complaint or suggestion; Answer while its sender left a way back and it is open."""
    _ = i18n.gettext
    lines = [f"<b>{_(FEEDBACK_KIND_NAMES[found.kind])} #{found.id}</b> · {_(FEEDBACK_STATE_NAMES[found.state])}",
             _("Sent: %(day)s") % {"day": i18n.date(found.sent_on)},
             _("From: %(name)s") % {"name": escape(sender.display_name or "—") if sender else _("anonymous")},
             "", escape(found.text)]
    if found.answer:
        lines += ["", _("Answer: %(text)s") % {"text": escape(found.answer)}]
    rows = []
    if found.sender_id and found.state in (FeedbackState.NEW, FeedbackState.READ):
        rows.append([Choice(f"opn:ans:{found.id}", _("✍️ Answer"))])
    if found.state is not FeedbackState.CLOSED:
        rows.append([Choice(f"opn:close:{found.id}", _("✅ Close it"))])
    return screen("\n".join(lines), rows)


def write_feedback_answer(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Write the answer; the sender gets it in their chat."))


def feedback_answered(i18n: Translator) -> Screen:
    return screen(i18n.gettext("✅ Answer sent."))


def feedback_closed(i18n: Translator) -> Screen:
    return screen(i18n.gettext("✅ Closed."))
