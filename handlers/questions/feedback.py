"""/opinion: anyone sends a suggestion or a complaint, with their name or anonymously (told
first what anonymous means: nothing kept says who sent it, so nobody can answer). /complaints
(/quejas): the people staff designated read complaints (each reading is in the audit log),
staff read suggestions; either answers the sender who left a way back, and closes it."""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.people import people
from bot.people.models import Role
from bot.questions import feedback
from bot.questions.labels import FEEDBACK_KIND_NAMES, FEEDBACK_STATE_NAMES
from bot.questions.models import FeedbackKind, FeedbackState
from handlers.common import (
    answer_button,
    ask,
    edit_or_reply,
    error_text,
    escape,
    keyboard,
    leave,
    remember,
    reply,
)
from handlers.context import VocesContext
from handlers.guards import StaleButton, button_number
from handlers.questions.common import FLOW, TARGET, TYPING, person

CHOSEN = "opinion"  # user_data: "<kind>:<anonymous 0|1>" until the text arrives


def _stale(update: Update) -> StaleButton:
    return StaleButton(update.callback_query.data if update.callback_query and update.callback_query.data else "")


async def start(update: Update, context: VocesContext) -> None:
    _ = context.gettext
    await remember(update, context, **{CHOSEN: None})
    await reply(update, context, "\n".join([
        _("💬 <b>Suggestions and complaints</b>"),
        _("Tell the programme what could be better, or complain about something that went wrong. What do you want to send?")]),
        reply_markup=keyboard([[(_("💡 A suggestion"), "opn:kind:s")], [(_("⚠️ A complaint"), "opn:kind:c")]]))


async def choose_kind(update: Update, context: VocesContext, args: list[str]) -> None:
    _ = context.gettext
    kind = {"s": "s", "c": "c"}.get(args[0])
    if kind is None:
        raise _stale(update)
    await answer_button(update, context)
    await remember(update, context, **{CHOSEN: kind})
    await edit_or_reply(update, context, "\n\n".join([
        _("Do you want to send it with your name, or anonymously?"),
        _("<b>Anonymously</b>: nothing that says who you are is kept with it (not your name, your number or your "
          "language, only the day), and so nobody can answer you."),
        _("<b>With your name</b>: only the people who handle it read it, and they can answer you here.")]),
        reply_markup=keyboard([[(_("👤 With my name"), "opn:anon:0")], [(_("🕶 Anonymously"), "opn:anon:1")]]))


async def choose_anonymity(update: Update, context: VocesContext, args: list[str]) -> object:
    _ = context.gettext
    chosen = (context.user_data or {}).get(CHOSEN)
    if args[0] not in ("0", "1") or chosen not in ("s", "c"):
        raise _stale(update)
    await answer_button(update, context)
    await remember(update, context, **{CHOSEN: f"{chosen}:{args[0]}", TARGET: "feedback"})
    return await ask(update, context, flow=FLOW, step=TYPING, text=_("Write it in one message."))


async def on_text(update: Update, context: VocesContext, text: str) -> object:
    _ = context.gettext
    runtime = context.runtime
    chosen = str((context.user_data or {}).get(CHOSEN) or "")
    kind_code, _sep, anonymous = chosen.partition(":")
    if kind_code not in ("s", "c") or anonymous not in ("0", "1"):
        await remember(update, context, **{TARGET: None, CHOSEN: None})
        return await leave(update, context, FLOW)
    kind = FeedbackKind.SUGGESTION if kind_code == "s" else FeedbackKind.COMPLAINT
    try:
        async with runtime.database.session() as session:
            await feedback.send(session, user=person(context), kind=kind, anonymous=anonymous == "1", text=text,
                                       now=runtime.clock.now())
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return TYPING
    await remember(update, context, **{TARGET: None, CHOSEN: None})
    lines = [_("✅ Sent. Thank you for telling us.")]
    lines.append(_("It went without your name: nobody can answer it.") if anonymous == "1"
                 else _("If they answer, you will get it here."))
    await reply(update, context, "\n".join(lines))
    return await leave(update, context, FLOW)


async def listing(update: Update, context: VocesContext, args: list[str] | None = None) -> None:
    _ = context.gettext
    staff = person(context).role is Role.STAFF
    try:
        async with context.runtime.database.session() as session:
            found = await feedback.listing(session, user_id=person(context).id)
    except InvalidInput as error:
        await answer_button(update, context)
        await reply(update, context, error_text(context, error))
        return
    await answer_button(update, context)
    rows = [[(f"{'⚠️' if f.kind is FeedbackKind.COMPLAINT else '💡'} #{f.id} · {context.i18n.date(f.sent_on, 'short')} · "
              f"{_(FEEDBACK_STATE_NAMES[f.state])}"[:30], f"opn:open:{f.id}")] for f in found[:20]]
    if staff:
        rows.append([(_("👥 Who reads complaints"), "opn:who")])
    text = (_("<b>Complaints and suggestions</b>, oldest first:") if found
            else _("Nothing is waiting: no open complaints or suggestions."))
    await edit_or_reply(update, context, text, reply_markup=keyboard(rows) if rows else None)


async def who_handles(update: Update, context: VocesContext, args: list[str]) -> None:
    """Staff choose who reads complaints: nobody else does, staff included."""
    _ = context.gettext
    try:
        async with context.runtime.database.session() as session:
            team = await feedback.who_may_handle(session, staff_id=person(context).id)
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    await answer_button(update, context)
    rows = [[(f"{'✅' if handles else '▫️'} {member.display_name or member.id}"[:30], f"opn:set:{member.id}:{0 if handles else 1}")]
            for member, handles in team[:30]]
    await edit_or_reply(update, context, _("<b>Who reads complaints</b>\nOnly the people ticked here read them; tap a name to change it."),
                        reply_markup=keyboard(rows))


async def set_handler(update: Update, context: VocesContext, args: list[str]) -> None:
    if args[1] not in ("0", "1"):
        raise _stale(update)
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            await feedback.designate(session, staff_id=person(context).id, user_id=button_number(args[0]), handles=args[1] == "1",
                                     now=runtime.clock.now())
    except AlreadyDone:
        pass  # a second tap: the list below shows how things stand
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    await who_handles(update, context, args)


async def open_one(update: Update, context: VocesContext, args: list[str]) -> None:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            found = await feedback.read(session, user_id=person(context).id, feedback_id=button_number(args[0]), now=runtime.clock.now())
            sender = await people.get(session, found.sender_id) if found.sender_id else None
    except LookupError:
        raise _stale(update) from None
    except InvalidInput as error:
        await answer_button(update, context, error_text(context, error), alert=True)
        return
    lines = [f"<b>{_(FEEDBACK_KIND_NAMES[found.kind])} #{found.id}</b> · {_(FEEDBACK_STATE_NAMES[found.state])}",
             _("Sent: %(day)s") % {"day": context.i18n.date(found.sent_on)},
             _("From: %(name)s") % {"name": escape(sender.display_name or "—") if sender else _("anonymous")},
             "", escape(found.text)]
    if found.answer:
        lines += ["", _("Answer: %(text)s") % {"text": escape(found.answer)}]
    rows = []
    if found.sender_id and found.state in (FeedbackState.NEW, FeedbackState.READ):
        rows.append([(_("✍️ Answer"), f"opn:ans:{found.id}")])
    if found.state is not FeedbackState.CLOSED:
        rows.append([(_("✅ Close it"), f"opn:close:{found.id}")])
    await answer_button(update, context)
    await edit_or_reply(update, context, "\n".join(lines), reply_markup=keyboard(rows) if rows else None)


async def start_answer(update: Update, context: VocesContext, args: list[str]) -> object:
    feedback_id = button_number(args[0])
    await answer_button(update, context)
    await remember(update, context, **{TARGET: f"fanswer:{feedback_id}"})
    return await ask(update, context, flow=FLOW, step=TYPING, text=context.gettext("Write the answer; the sender gets it in their chat."))


async def on_answer(update: Update, context: VocesContext, feedback_id: int, text: str) -> object:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            found = await feedback.answer(session, user_id=person(context).id, feedback_id=feedback_id, text=text, now=runtime.clock.now())
            await people.get(session, found.sender_id) if found.sender_id else None
    except LookupError:
        await remember(update, context, **{TARGET: None})
        return await leave(update, context, FLOW)
    except InvalidInput as error:
        await reply(update, context, "⚠️ " + error_text(context, error))
        return TYPING
    await remember(update, context, **{TARGET: None})
    await reply(update, context, context.gettext("✅ Answer sent."))
    return await leave(update, context, FLOW)


async def close(update: Update, context: VocesContext, args: list[str]) -> None:
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            await feedback.close(session, user_id=person(context).id, feedback_id=button_number(args[0]), now=runtime.clock.now())
    except LookupError:
        raise _stale(update) from None
    await answer_button(update, context)
    await edit_or_reply(update, context, context.gettext("✅ Closed."))
