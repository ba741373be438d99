"""What a leader does around a session they attended, and votes: /checkin (or the button while
check-in is open), /mytrainings with certificates, /verify (public, also by the certificate's
link), the 1–5 rating and comment after a session, and the topic vote's ballot (/topics).

Callback data: tr:here:<session>, tr:cert:<session>, tr:rate:<session>:<1-5>,
vote:pick:<vote>:<topic>; checked on arrival like the rest of the trainings area.
"""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot.core.i18n import Translator
from bot.core.labels import ENROLLMENT_STATE_NAMES
from bot.core.textlimits import shorten
from bot.core.validation import InvalidInput
from bot.documents.certificate import CertificateText, certificate_pdf
from bot.trainings import feedback, records, views
from bot.trainings.models import EnrollmentState, Topic
from handlers.common import (
    END,
    answer_button,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    remember_step,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.trainings.browse import refuse, session_id_of

VERIFY_PREFIX = "verify_"
FEEDBACK_FLOW = "training_feedback"
# Where the feedback flow kept its session in PTB's user data before it was a FeedbackDraft: a
# comment asked for before the upgrade is still read from there once.
LEGACY_SESSION = "feedback_session"


def verify_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={VERIFY_PREFIX}{code}"


# --- check-in, /mytrainings, certificates, /verify ------------------------------------------------


async def checkin(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    code = " ".join(context.args or [])
    if not code:
        await reply(update, context, _("Send the code the coordinator gives in the room or the call, for example /checkin K7M2QX."))
        return
    await record_checkin(update, context, code=code)


async def record_checkin(update: Update, context: VocesContext, *, code: str | None = None, session_id: int | None = None) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            if code is None:
                found = await views.check_in_by_button(session, user_id=context.person.id, session_id=session_id or 0, now=runtime.clock.now())  # type: ignore[union-attr]
            else:
                found = await records.check_in(session, user_id=context.person.id, code=code, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    if found is None:
        raise StaleButton(session_id)
    training = found
    await answer_button(update, context)
    await reply(update, context, context.addressed("🙋 Checked in: welcome to <b>%(title)s</b>!") % {"title": escape(training.title)})


async def here(update: Update, context: VocesContext) -> None:
    await record_checkin(update, context, session_id=session_id_of(update.callback_query.data))  # type: ignore[union-attr]




async def my_trainings(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    i18n = context.i18n
    async with context.runtime.database.session() as session:
        history = await records.history_of(session, user_id=context.person.id)  # type: ignore[union-attr]
    if not history:
        await reply(update, context, _("You have not enrolled in any training yet. See what is coming with /trainings."))
        return
    lines = [_("<b>Your trainings</b>")]
    rows: list[list[tuple[str, str]]] = []
    for entry in history[:30]:
        training = entry.training
        line = f"• {i18n.date(training.starts_at, 'medium')}: {escape(training.title)} — {_(ENROLLMENT_STATE_NAMES[entry.state])}"
        if entry.certificate_code:
            line += " " + _("(certificate %(code)s)") % {"code": entry.certificate_code}
        lines.append(line)
        if entry.state is EnrollmentState.ATTENDED and training.ends_at <= context.runtime.clock.now():
            rows.append([(_("📄 Certificate: %(title)s") % {"title": shorten(training.title, 40)}, f"tr:cert:{training.id}")])
        elif training.starts_at > context.runtime.clock.now():
            rows.append([(f"🗓 {shorten(training.title, 48)}", f"tr:open:{training.id}")])
    await reply(update, context, "\n".join(lines), reply_markup=keyboard(rows[:20]) if rows else None)


async def send_certificate(update: Update, context: VocesContext) -> None:
    session_id = session_id_of(update.callback_query.data)  # type: ignore[union-attr]
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            certificate, training, topics = await views.certificate(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                                    now=runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    i18n = context.i18n
    _ = i18n.gettext
    hours = (training.ends_at - training.starts_at).total_seconds() / 3600
    username = context.bot.username
    text = CertificateText(
        heading=_("Certificate of attendance"),
        preamble=_("This certifies that"),
        holder=certificate.holder_name,
        organization_line=_("of %(organization)s") % {"organization": certificate.organization_name} if certificate.organization_name else None,
        attended=_("attended the training"),
        session_title=training.title,
        details=i18n.ngettext("on %(date)s, %(hours)s hour, topic: %(topic)s", "on %(date)s, %(hours)s hours, topic: %(topic)s", round(hours))
        % {"date": i18n.date(training.starts_at, "long"), "hours": i18n.number(round(hours, 1)),
           "topic": topics[training.topic].name(i18n.language) if training.topic in topics else training.topic},
        issuer=_("Capacity-building programme for social organizations of Lima and Callao"),
        code_line=_("Verification code: %(code)s") % {"code": certificate.code},
        verify_hint=_("Scan the QR code or send /verify %(code)s to @%(bot)s") % {"code": certificate.code, "bot": username},
        verify_url=verify_link(username, certificate.code),
    )
    await context.bot.send_document(
        # Drawing a PDF takes a moment of CPU: off the event loop, so others are answered meanwhile.
        update.effective_chat.id, InputFile(await asyncio.to_thread(certificate_pdf, text),  # type: ignore[union-attr]
                                            filename=_("certificate-%(code)s.pdf") % {"code": certificate.code}),
        caption=_("📄 Your certificate for <b>%(title)s</b>. Code: %(code)s") % {"title": escape(training.title), "code": certificate.code},
    )


async def verify(update: Update, context: VocesContext) -> None:
    """Public: anyone holding a certificate's code can ask whether it is genuine."""
    code = " ".join(context.args or [])
    await answer_verification(update, context, code)


async def verify_from_link(update: Update, context: VocesContext) -> None:
    await answer_verification(update, context, (context.args or [""])[0].removeprefix(VERIFY_PREFIX))


async def answer_verification(update: Update, context: VocesContext, code: str) -> None:
    _ = context.gettext
    if not code.strip():
        await reply(update, context, _("Send the certificate's code, for example /verify ABCD2345."))
        return
    async with context.runtime.database.session() as session:
        found = await records.verify(session, code=code)
    if found is None:
        await reply(update, context, _("❌ No certificate with the code %(code)s was issued by this programme.") % {"code": escape(records.normalize_code(code))})
        return
    certificate, training = found.certificate, found.training
    lines = [
        _("✅ Genuine certificate %(code)s.") % {"code": certificate.code},
        _("Issued to <b>%(name)s</b>%(organization)s for attending <b>%(title)s</b> on %(date)s.") % {
            "name": escape(certificate.holder_name),
            "organization": f" ({escape(certificate.organization_name)})" if certificate.organization_name else "",
            "title": escape(training.title), "date": context.i18n.date(training.starts_at, "long"),
        },
    ]
    await reply(update, context, "\n".join(lines))


# --- feedback: a rating, then an optional comment -------------------------------------------------


async def rated(update: Update, context: VocesContext) -> object:
    data = update.callback_query.data  # type: ignore[union-attr]
    session_id, rating = session_id_of(data), session_id_of(data, 3)
    try:
        async with context.runtime.database.session() as session:
            step = await feedback.rate(session, user_id=context.person.id, session_id=session_id, rating=rating,  # type: ignore[union-attr]
                                       now=context.runtime.clock.now())
    except InvalidInput as error:
        await refuse(update, context, error)
        return END
    await answer_button(update, context)
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    await remember_step(update, context, FEEDBACK_FLOW, step.name)
    _ = context.gettext
    await edit_or_reply(update, context, _("Thank you for your rating: %(rating)s ⭐. Would you like to add a comment? Write it now, or send /skip.") % {"rating": rating})
    return step.name


async def feedback_comment(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    legacy = (context.user_data or {}).get(LEGACY_SESSION)
    async with context.runtime.database.session() as session:
        step = await feedback.answer(session, user_id=context.person.id, value=update.message.text or "",  # type: ignore[union-attr]
                                     at_session=int(legacy) if legacy else None)
    if step.problem is not None:
        await reply(update, context, error_text(context, step.problem) + "\n\n" + _("Write your comment, or send /skip."))
        return step.name
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    if step.saved:
        await reply(update, context, _("Thank you! The coordinators will read it."))
    return await leave(update, context, FEEDBACK_FLOW)


async def skip_comment(update: Update, context: VocesContext) -> object:
    async with context.runtime.database.session() as session:
        await feedback.skip(session, user_id=context.person.id)  # type: ignore[union-attr]
    context.user_data.pop(LEGACY_SESSION, None)  # type: ignore[union-attr]
    await reply(update, context, context.gettext("All right. Thank you for your rating!"))
    return await leave(update, context, FEEDBACK_FLOW)


# --- the topic vote's ballot ------------------------------------------------------------------------


def ballot_view(i18n: Translator, tally_topics: list[Topic], chosen: set[str], vote_id: int, max_choices: int) -> tuple[str, object]:
    _ = i18n.gettext
    text = i18n.ngettext(
        "<b>Which topic should the next trainings cover?</b>\nChoose up to %(count)s topic; tap again to remove it. You can change your choice until the vote closes.",
        "<b>Which topics should the next trainings cover?</b>\nChoose up to %(count)s topics; tap again to remove one. You can change your choice until the vote closes.",
        max_choices,
    ) % {"count": max_choices}
    rows = [[(("✅ " if topic.code in chosen else "") + topic.name(i18n.language), f"vote:pick:{vote_id}:{topic.code}")] for topic in tally_topics]
    return text, keyboard(rows)


async def show_ballot(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    async with context.runtime.database.session() as session:
        ballot = await views.ballot(session, user_id=context.person.id)  # type: ignore[union-attr]
    if ballot is None:
        await reply(update, context, _("There is no topic vote open right now."))
        return
    text, markup = ballot_view(context.i18n, ballot.topics, ballot.chosen, ballot.vote_id, ballot.max_choices)
    await reply(update, context, text, reply_markup=markup)


async def pick_topic(update: Update, context: VocesContext) -> None:
    parts = (update.callback_query.data or "").split(":")  # type: ignore[union-attr]
    if len(parts) != 4:
        raise StaleButton(parts)
    vote_id, code = button_number(parts[2]), parts[3]
    try:
        async with context.runtime.database.session() as session:
            ballot = await views.toggle_choice(session, vote_id=vote_id, user_id=context.person.id, topic=code)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    text, markup = ballot_view(context.i18n, ballot.topics, ballot.chosen, vote_id, ballot.max_choices)
    await edit_or_reply(update, context, text, reply_markup=markup)
