"""What a leader sees of /ask and /opinion, as screens any channel renders (bot/core/screens.py).
The choices' ids are the Telegram callback data (`ask:…`, `opn:…`), so every channel routes them
the same way."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import N_, Translator
from bot.core.screens import Choice, Screen, escape, screen
from bot.questions import questions
from bot.questions.labels import STATE_NAMES, TOPIC_NAMES
from bot.questions.models import Question, QuestionMessage, QuestionState, SavedAnswer

EXPECT = N_("The team answers within two working days; I will write to you here.")
ICONS = {"org": "🏠", "ruos": "📋", "prj": "💡", "tr": "🎓", "other": "💬"}


def ask_start(i18n: Translator, *, faq: Sequence[SavedAnswer], asked_before: bool) -> Screen:
    """/ask: write the question; the frequent questions, and the leader's own, first."""
    _ = i18n.gettext
    text = "\n".join([_("❓ <b>Ask the programme</b>"),
                      _("Write your question in one message; you may add a photo or a document."), _(EXPECT)])
    rows = []
    if faq:
        text += "\n\n" + _("Maybe it is already answered here:")
        rows += [[Choice(f"ask:faq:{answer.id}", "📌 " + answer.title)] for answer in faq]
    if asked_before:
        rows.append([Choice("ask:mine", _("📂 My questions"))])
    return screen(text, rows)


def about(i18n: Translator, choices: Sequence[questions.About]) -> Screen:
    """What the question is about, from what the leader has."""
    _ = i18n.gettext
    rows = []
    for choice in choices:
        kind = choice.code.split(":")[0]
        label = choice.words if choice.words and kind in ("prj", "tr") else _(TOPIC_NAMES[choice.topic])
        rows.append([Choice(f"ask:about:{choice.code}", f"{ICONS[kind]} {label}")])
    return screen(_("What is your question about?"), rows)


def sent(i18n: Translator, question: Question) -> Screen:
    _ = i18n.gettext
    return screen("\n".join([_("✅ Sent. Your question is number <b>%(ref)s</b>.") % {"ref": questions.reference(question)},
                             _(EXPECT)]))


def frequent(i18n: Translator, answer: SavedAnswer) -> Screen:
    return screen(f"📌 <b>{escape(answer.title)}</b>\n\n{escape(answer.text)}\n\n"
                  + i18n.gettext("Still have a question? Write it here."))


def mine(i18n: Translator, asked: Sequence[Question]) -> Screen:
    _ = i18n.gettext
    if not asked:
        return screen(_("You have not asked any questions yet. Send /ask to ask one."))
    return screen(_("<b>Your questions</b>"),
                  [[Choice(f"ask:view:{q.id}", f"{questions.reference(q)} · {_(STATE_NAMES[q.state])}")] for q in asked])


def thread(i18n: Translator, card: questions.Card) -> Screen:
    """The asker's own view of a thread: the team is "the team"; Reply and Close while open."""
    _ = i18n.gettext
    question = card.question
    lines = [_("❓ <b>Question %(ref)s</b> · %(state)s") % {"ref": questions.reference(question), "state": _(STATE_NAMES[question.state])},
             _("About: %(about)s") % {"about": about_text(i18n, question)}, ""]
    for message in card.messages[-12:]:
        who = _("The team") if message.from_team else card.names.get(message.author_id or 0, "—")
        body = escape(message.text) if message.text else ""
        if message.file_name:
            body += ("\n" if body else "") + "📎 " + escape(message.file_name)
        lines.append(f"{'🧑‍💼' if message.from_team else '👤'} <b>{escape(who)}</b> · {i18n.datetime(message.sent_at, 'short')}\n{body}")
    rows = [] if question.state is QuestionState.CLOSED else [
        [Choice(f"ask:reply:{question.id}", _("↩️ Reply")), Choice(f"ask:close:{question.id}", _("✅ Close it"))]]
    return screen("\n".join(lines), rows)


def thread_text(i18n: Translator, messages: Sequence[QuestionMessage], names: dict[int, str], *, for_team: bool) -> str:
    """The thread, oldest first (the last twelve messages); the leader sees "The team" where the
    team sees who wrote."""
    lines = []
    for message in messages[-12:]:
        if message.from_team:
            who = (names.get(message.author_id or 0) or i18n.gettext("The team")) if for_team else i18n.gettext("The team")
            icon = "🧑‍💼"
        else:
            who = names.get(message.author_id or 0) or "—"
            icon = "👤"
        when = i18n.datetime(message.sent_at, "short")
        body = escape(message.text) if message.text else ""
        if message.file_name:
            body += ("\n" if body else "") + "📎 " + escape(message.file_name)
        lines.append(f"{icon} <b>{escape(who)}</b> · {when}\n{body}")
    return "\n\n".join(lines)


def about_text(i18n: Translator, question: Question) -> str:
    name = i18n.gettext(TOPIC_NAMES[question.topic])
    return f"{name}: {escape(question.topic_words)}" if question.topic_words and question.topic.value in ("project", "training") else name


def write_reply(i18n: Translator, question_id: int) -> Screen:
    return screen(i18n.gettext("Write your reply about %(ref)s (a photo or a document may go with it).")
                  % {"ref": questions.reference(question_id)})


def reply_sent(i18n: Translator, question: Question) -> Screen:
    return screen(i18n.gettext("✅ Sent. The team will see it in %(ref)s.") % {"ref": questions.reference(question)})


def closed(i18n: Translator, question_id: int) -> Screen:
    return screen(i18n.gettext("✅ Question %(ref)s is closed. Thank you!") % {"ref": questions.reference(question_id)})


# --- /opinion ------------------------------------------------------------------------------------


def opinion_start(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen("\n".join([_("💬 <b>Suggestions and complaints</b>"),
                             _("Tell the programme what could be better, or complain about something that went wrong. What do you want to send?")]),
                  [[Choice("opn:kind:s", _("💡 A suggestion"))], [Choice("opn:kind:c", _("⚠️ A complaint"))]])


def anonymity(i18n: Translator) -> Screen:
    _ = i18n.gettext
    return screen("\n\n".join([
        _("Do you want to send it with your name, or anonymously?"),
        _("<b>Anonymously</b>: nothing that says who you are is kept with it (not your name, your number or your "
          "language, only the day), and so nobody can answer you."),
        _("<b>With your name</b>: only the people who handle it read it, and they can answer you here.")]),
        [[Choice("opn:anon:0", _("👤 With my name"))], [Choice("opn:anon:1", _("🕶 Anonymously"))]])


def write_opinion(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Write it in one message."))


def opinion_sent(i18n: Translator, *, anonymous: bool) -> Screen:
    _ = i18n.gettext
    return screen("\n".join([_("✅ Sent. Thank you for telling us."),
                             _("It went without your name: nobody can answer it.") if anonymous
                             else _("If they answer, you will get it here.")]))
