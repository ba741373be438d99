"""What a leader does around a session they attended, and votes: /checkin (or the button while
check-in is open), /mytrainings with certificates, /verify (public, also by the certificate's
link), the 1–5 rating and comment after a session, and the topic vote's ballot (/topics).

Callback data: tr:here:<session>, tr:cert:<session>, tr:rate:<session>:<1-5>,
vote:pick:<vote>:<topic>; checked on arrival like the rest of the trainings area.
"""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.i18n import Translator
from bot.core.labels import ENROLLMENT_STATE_NAMES
from bot.core.textlimits import shorten
from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput, parse_text
from bot.documents.certificate import CertificateText, certificate_pdf
from bot.trainings import records
from bot.trainings import sessions as trainings
from bot.trainings.models import EnrollmentState, Topic
from handlers.commands import command
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
from handlers.trainings.browse import refuse, session_id_of, topic_map

VERIFY_PREFIX = "verify_"
FEEDBACK_FLOW = "training_feedback"


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
                training = await trainings.get_session(session, session_id or 0)
                if training is None:
                    raise StaleButton(session_id)
                code = training.checkin_code or "-"
            training = await records.check_in(session, user_id=context.person.id, code=code, now=runtime.clock.now())  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return
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
            certificate, training = await records.certificate_for(session, session_id=session_id, user_id=context.person.id,  # type: ignore[union-attr]
                                                                  now=runtime.clock.now())
            topics = await topic_map(session)
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
            await records.rate(session, user_id=context.person.id, session_id=session_id, rating=rating)  # type: ignore[union-attr]
    except InvalidInput as error:
        await refuse(update, context, error)
        return END
    await answer_button(update, context)
    context.user_data["feedback_session"] = session_id  # type: ignore[index]
    await remember_step(update, context, FEEDBACK_FLOW, "comment")
    _ = context.gettext
    await edit_or_reply(update, context, _("Thank you for your rating: %(rating)s ⭐. Would you like to add a comment? Write it now, or send /skip.") % {"rating": rating})
    return "comment"


async def feedback_comment(update: Update, context: VocesContext) -> object:
    _ = context.gettext
    session_id = (context.user_data or {}).get("feedback_session")
    try:
        text = parse_text(update.message.text or "", field_max=1000, multiline=True)  # type: ignore[union-attr]
        async with context.runtime.database.session() as session:
            await records.comment(session, user_id=context.person.id, session_id=int(session_id or 0), text=text)  # type: ignore[union-attr]
    except AlreadyDone:
        return await leave(update, context, FEEDBACK_FLOW)
    except InvalidInput as error:
        await reply(update, context, error_text(context, error) + "\n\n" + _("Write your comment, or send /skip."))
        return "comment"
    await reply(update, context, _("Thank you! The coordinators will read it."))
    return await leave(update, context, FEEDBACK_FLOW)


async def skip_comment(update: Update, context: VocesContext) -> object:
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
        vote = await records.current_vote(session)
        if vote is None:
            await reply(update, context, _("There is no topic vote open right now."))
            return
        chosen = await records.ballot_of(session, vote_id=vote.id, user_id=context.person.id)  # type: ignore[union-attr]
        every = await trainings.topics(session)
    text, markup = ballot_view(context.i18n, every, chosen, vote.id, vote.max_choices)
    await reply(update, context, text, reply_markup=markup)


async def pick_topic(update: Update, context: VocesContext) -> None:
    parts = (update.callback_query.data or "").split(":")  # type: ignore[union-attr]
    if len(parts) != 4:
        raise StaleButton(parts)
    vote_id, code = button_number(parts[2]), parts[3]
    try:
        async with context.runtime.database.session() as session:
            chosen = await records.toggle_choice(session, vote_id=vote_id, user_id=context.person.id, topic=code)  # type: ignore[union-attr]
            vote = await records.current_vote(session)
            every = await trainings.topics(session)
    except InvalidInput as error:
        await refuse(update, context, error)
        return
    await answer_button(update, context)
    text, markup = ballot_view(context.i18n, every, chosen, vote_id, vote.max_choices if vote else len(chosen))
    await edit_or_reply(update, context, text, reply_markup=markup)


def register(application) -> None:  # noqa: ANN001
    feedback = ConversationHandler(
        entry_points=[CallbackQueryHandler(rated, pattern=r"^tr:rate:\d+:[1-5]$")],
        states={"comment": [MessageHandler(filters.TEXT & ~filters.COMMAND, feedback_comment)]},
        fallbacks=[command("skip", skip_comment), command("cancel", skip_comment)],
        name=FEEDBACK_FLOW, persistent=True, allow_reentry=True,
    )
    application.add_handlers([
        CommandHandler("start", verify_from_link, filters=filters.Regex(rf"^/start {VERIFY_PREFIX}")),
        feedback,
        command("mytrainings", my_trainings),
        command("checkin", checkin),
        command("verify", verify),
        command("topics", show_ballot),
        CallbackQueryHandler(here, pattern=r"^tr:here:\d+$"),
        CallbackQueryHandler(send_certificate, pattern=r"^tr:cert:\d+$"),
        CallbackQueryHandler(pick_topic, pattern=r"^vote:pick:\d+:[a-z0-9_]+$"),
    ])
