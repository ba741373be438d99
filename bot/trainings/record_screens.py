"""What a leader sees around a session they attended, and of the topic vote, as screens
(bot/core/screens.py): /checkin's answers, /mytrainings, the certificate (a PDF, the screen's
file), /verify's answers, the rating asked after a session and its thanks, /topics' ballot.
The sessions themselves: bot/trainings/screens.py.

Choice ids are the callback data Telegram's buttons have always carried: `tr:cert:<session>`,
`tr:open:<session>`, `tr:rate:<session>:<1-5>`, `vote:pick:<vote>:<topic>`.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import Translator
from bot.core.screens import Choice, File, Screen, escape, one_per_row, screen
from bot.core.textlimits import shorten
from bot.documents.certificate import CertificateText, certificate_pdf
from bot.trainings.labels import ENROLLMENT_STATE_NAMES
from bot.trainings.models import Certificate, EnrollmentState, Topic, TrainingSession
from bot.trainings.records import HistoryEntry, Verified
from bot.trainings.screens import open_choice
from bot.trainings.views import BallotView

HISTORY_SHOWN = 30  # sessions listed by /mytrainings
HISTORY_CHOICES = 20  # …and buttons under them


# --- check-in ---------------------------------------------------------------------------------------


def checkin_prompt(i18n: Translator) -> Screen:
    """/checkin without its code."""
    return screen(i18n.gettext("Send the code the coordinator gives in the room or the call, for example /checkin K7M2QX."))


def checked_in(i18n: Translator, training: TrainingSession, *, sex: str | None) -> Screen:
    return screen(i18n.addressed("🙋 Checked in: welcome to <b>%(title)s</b>!", sex) % {"title": escape(training.title)})


# --- /mytrainings and certificates ------------------------------------------------------------------


def my_trainings(i18n: Translator, history: list[HistoryEntry], *, now: datetime) -> Screen:
    """Every session the person enrolled in, with where they stood; a certificate to get for
    each one attended, a session to open for each one to come."""
    _ = i18n.gettext
    if not history:
        return screen(_("You have not enrolled in any training yet. See what is coming with /trainings."))
    lines = [_("<b>Your trainings</b>")]
    choices: list[Choice] = []
    for entry in history[:HISTORY_SHOWN]:
        training = entry.training
        line = f"• {i18n.date(training.starts_at, 'medium')}: {escape(training.title)} — {_(ENROLLMENT_STATE_NAMES[entry.state])}"
        if entry.certificate_code:
            line += " " + _("(certificate %(code)s)") % {"code": entry.certificate_code}
        lines.append(line)
        if entry.state is EnrollmentState.ATTENDED and training.ends_at <= now:
            choices.append(Choice(f"tr:cert:{training.id}", _("📄 Certificate: %(title)s") % {"title": shorten(training.title, 40)}))
        elif training.starts_at > now:
            choices.append(open_choice(i18n, training))
    return screen("\n".join(lines), one_per_row(choices[:HISTORY_CHOICES]))


def certificate(i18n: Translator, found: Certificate, training: TrainingSession, topics: dict[str, Topic], *,
                verify_hint: str, verify_url: str) -> Screen:
    """The certificate of attendance as a PDF with its QR code, and nothing else to read.
    `verify_hint` says how to check it on the person's channel; `verify_url` is the QR's link.
    Drawing the PDF takes a moment of CPU: a channel calls this off its event loop."""
    _ = i18n.gettext
    hours = (training.ends_at - training.starts_at).total_seconds() / 3600
    text = CertificateText(
        heading=_("Certificate of attendance"),
        preamble=_("This certifies that"),
        holder=found.holder_name,
        organization_line=_("of %(organization)s") % {"organization": found.organization_name} if found.organization_name else None,
        attended=_("attended the training"),
        session_title=training.title,
        details=i18n.ngettext("on %(date)s, %(hours)s hour, topic: %(topic)s", "on %(date)s, %(hours)s hours, topic: %(topic)s", round(hours))
        % {"date": i18n.date(training.starts_at, "long"), "hours": i18n.number(round(hours, 1)),
           "topic": topics[training.topic].name(i18n.language) if training.topic in topics else training.topic},
        issuer=_("Capacity-building programme for social organizations of Lima and Callao"),
        code_line=_("Verification code: %(code)s") % {"code": found.code},
        verify_hint=verify_hint,
        verify_url=verify_url,
    )
    caption = _("📄 Your certificate for <b>%(title)s</b>. Code: %(code)s") % {"title": escape(training.title), "code": found.code}
    pdf = File(_("certificate-%(code)s.pdf") % {"code": found.code}, "application/pdf", data=certificate_pdf(text), caption=caption)
    return screen("", files=[pdf])


def verify_hint(i18n: Translator, code: str, *, bot_username: str) -> str:
    """How to check a certificate on Telegram, printed on it."""
    return i18n.gettext("Scan the QR code or send /verify %(code)s to @%(bot)s") % {"code": code, "bot": bot_username}


# --- /verify ------------------------------------------------------------------------------------------


def verify_prompt(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Send the certificate's code, for example /verify ABCD2345."))


def not_genuine(i18n: Translator, code: str) -> Screen:
    """`code` as normalized (bot.trainings.records.normalize_code)."""
    return screen(i18n.gettext("❌ No certificate with the code %(code)s was issued by this programme.") % {"code": escape(code)})


def genuine(i18n: Translator, found: Verified) -> Screen:
    _ = i18n.gettext
    issued, training = found.certificate, found.training
    return screen("\n".join([
        _("✅ Genuine certificate %(code)s.") % {"code": issued.code},
        _("Issued to <b>%(name)s</b>%(organization)s for attending <b>%(title)s</b> on %(date)s.") % {
            "name": escape(issued.holder_name),
            "organization": f" ({escape(issued.organization_name)})" if issued.organization_name else "",
            "title": escape(training.title), "date": i18n.date(training.starts_at, "long"),
        },
    ]))


# --- feedback: a rating, then an optional comment ------------------------------------------------------


def rating_question(i18n: Translator, training: TrainingSession) -> Screen:
    """Asked of everyone who came when the coordinator closes check-in: 1 to 5 stars."""
    text = i18n.gettext("Thank you for coming to <b>%(title)s</b>! How useful was it, from 1 to 5? Your certificate is in /mytrainings.")
    return screen(text % {"title": escape(training.title)},
                  [[Choice(f"tr:rate:{training.id}:{n}", f"{n} ⭐") for n in range(1, 6)]])


def rated(i18n: Translator, rating: int) -> Screen:
    return screen(i18n.gettext("Thank you for your rating: %(rating)s ⭐. Would you like to add a comment? Write it now, or send /skip.")
                  % {"rating": rating})


def comment_again(i18n: Translator, problem: str) -> Screen:
    """The comment could not be kept (`problem`, already translated): the question again."""
    return screen(problem + "\n\n" + i18n.gettext("Write your comment, or send /skip."))


def comment_saved(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Thank you! The coordinators will read it."))


def comment_skipped(i18n: Translator) -> Screen:
    return screen(i18n.gettext("All right. Thank you for your rating!"))


# --- the topic vote's ballot ------------------------------------------------------------------------------


def ballot(i18n: Translator, view: BallotView) -> Screen:
    """Every topic, the person's choices ticked; a choice again removes it."""
    text = i18n.ngettext(
        "<b>Which topic should the next trainings cover?</b>\nChoose up to %(count)s topic; tap again to remove it. You can change your choice until the vote closes.",
        "<b>Which topics should the next trainings cover?</b>\nChoose up to %(count)s topics; tap again to remove one. You can change your choice until the vote closes.",
        view.max_choices,
    ) % {"count": view.max_choices}
    choices = [Choice(f"vote:pick:{view.vote_id}:{topic.code}", ("✅ " if topic.code in view.chosen else "") + topic.name(i18n.language))
               for topic in view.topics]
    return screen(text, one_per_row(choices))


def no_vote(i18n: Translator) -> Screen:
    return screen(i18n.gettext("There is no topic vote open right now."))
