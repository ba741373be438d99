"""/preguntar (/ask) and /opinion on WhatsApp: the same domain (bot/questions/) and screens
(bot/questions/screens.py) as Telegram, the same choice ids. What is typed goes to the flow the
last screen asked for: `ask` (the question), `ask:reply:<q>` (a reply in a thread), `opinion:<s|c>:<0|1>`.
A photo or a document sent with a question or a reply (its caption as the words) is fetched at
once by its media id and kept as on Telegram (`questions.keep_file`: judged by its bytes, a
photo's metadata removed, encrypted); the team opens it from the thread's card."""

from __future__ import annotations

from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.screens import escape, screen
from bot.core.validation import InvalidInput, parse_id
from bot.people.authority import NotAllowed
from bot.questions import feedback, questions, saved
from bot.questions import screens as shown
from bot.questions.models import FeedbackKind, QuestionState
from handlers.whatsapp.reply import Reply

ASK = "ask"
REPLY = "ask:reply:"
OPINION = "opinion:"


def said(i18n, error: InvalidInput) -> str:  # noqa: ANN001 - a Translator
    """What went wrong, in the person's language, their own words escaped."""
    params = {name: escape(value) if isinstance(value, str) else value for name, value in error.params.items()}
    return i18n.gettext(error.message) % params if params else i18n.gettext(error.message)


def owns(flow: str | None) -> bool:
    return flow is not None and (flow == ASK or flow.startswith(REPLY) or flow.startswith(OPINION))


async def command(session: DbSession, *, runtime: Runtime, reply: Reply, name: str) -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    if name == "opinion":
        reply.show(shown.opinion_start(i18n))
        return
    if await questions.draft_of(session, user_id=person.id) is not None:  # written before, not yet sent
        reply.show(shown.about(i18n, await questions.choices_for(session, user=person, now=runtime.clock.now())), flow=ASK)
        return
    faq = await saved.frequent(session, language=person.language)
    asked = await questions.asked_by(session, user_id=person.id)
    reply.show(shown.ask_start(i18n, faq=faq, asked_before=bool(asked)), flow=ASK)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, flow: str, text: str) -> None:
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    try:
        if flow == ASK:
            async with session.begin_nested():
                await questions.write(session, user=person, text=text, now=now)
            reply.show(shown.about(i18n, await questions.choices_for(session, user=person, now=now)), flow=ASK)
        elif flow.startswith(REPLY):
            question_id = parse_id(flow.removeprefix(REPLY)) or 0
            async with session.begin_nested():
                done = await questions.reply(session, user=person, question_id=question_id, text=text, now=now)
            reply.show(shown.reply_sent(i18n, done.question))
        else:
            kind_code, _sep, anonymous = flow.removeprefix(OPINION).partition(":")
            if anonymous not in ("0", "1"):  # typed before saying whether with their name: ask that first
                reply.show(shown.anonymity(i18n), flow=flow)
                return
            kind = FeedbackKind.COMPLAINT if kind_code == "c" else FeedbackKind.SUGGESTION
            async with session.begin_nested():
                await feedback.send(session, user=person, kind=kind, anonymous=anonymous == "1", text=text, now=now)
            reply.show(shown.opinion_sent(i18n, anonymous=anonymous == "1"))
    except LookupError:
        reply.show(screen(i18n.gettext("This question is no longer available.")))
    except InvalidInput as error:  # said, and the same question again (what was typed is kept in the draft)
        reply.show(screen("⚠️ " + said(i18n, error)), flow=flow)


async def sent_file(session: DbSession, *, runtime: Runtime, reply: Reply, flow: str | None) -> bool:
    """A photo or a document where a question or a reply is being written; False for any other."""
    person, media = reply.person, reply.media
    assert person is not None
    if media is None or reply.download is None or flow is None or not (flow == ASK or flow.startswith(REPLY)):
        return False
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    try:
        file = questions.keep_file(runtime.files, content=await reply.fetch()(), name=media.filename)
        if flow == ASK:
            async with session.begin_nested():
                await questions.write(session, user=person, text=media.caption or "", file=file, now=now)
            reply.show(shown.about(i18n, await questions.choices_for(session, user=person, now=now)), flow=ASK)
            return True
        async with session.begin_nested():
            done = await questions.reply(session, user=person, question_id=parse_id(flow.removeprefix(REPLY)) or 0,
                                         text=media.caption or "", file=file, now=now)
        reply.show(shown.reply_sent(i18n, done.question))
    except LookupError:
        reply.show(screen(i18n.gettext("This question is no longer available.")))
    except (InvalidInput, NotAllowed) as error:  # a file it does not keep: said, and the same question again
        reply.show(screen("⚠️ " + said(i18n, error)), flow=flow)
    return True


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """The ask:/opn: choices a leader meets; False for any other."""
    person = reply.person
    assert person is not None
    i18n = runtime.translator(person.language)
    now = runtime.clock.now()
    action, _sep, rest = choice.partition(":")[2].partition(":")
    try:
        if choice.startswith("ask:about:"):
            async with session.begin_nested():
                done = await questions.send(session, user=person, about=choice.removeprefix("ask:about:"), now=now)
            reply.show(shown.sent(i18n, done.question))
        elif choice.startswith("ask:faq:"):
            reply.show(shown.frequent(i18n, await saved.get(session, answer_id=parse_id(rest) or 0)), flow=ASK)
        elif choice == "ask:mine":
            reply.show(shown.mine(i18n, await questions.asked_by(session, user_id=person.id)))
        elif choice.startswith("ask:view:"):
            reply.show(shown.thread(i18n, await questions.card(session, user_id=person.id, question_id=parse_id(rest) or 0)))
        elif choice.startswith("ask:reply:"):
            question = await questions.for_asker(session, user_id=person.id, question_id=parse_id(rest) or 0)
            if question.state is QuestionState.CLOSED:
                reply.show(screen(i18n.gettext(questions.ALREADY_CLOSED)))
            else:
                reply.show(shown.write_reply(i18n, question.id), flow=f"{REPLY}{question.id}")
        elif choice.startswith("ask:close:"):
            async with session.begin_nested():
                await questions.close(session, user=person, question_id=parse_id(rest) or 0, now=now)
            reply.show(shown.closed(i18n, parse_id(rest) or 0))
        elif choice in ("opn:kind:s", "opn:kind:c"):
            reply.show(shown.anonymity(i18n), flow=f"{OPINION}{choice[-1]}")
        else:
            return False
    except LookupError:
        return False
    except (InvalidInput, NotAllowed) as error:  # a second tap, someone else's question: said plainly
        reply.show(screen(said(i18n, error)))
    return True


async def anonymity_chosen(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str, flow: str | None) -> bool:
    """opn:anon:<0|1>, answered to the screen that asked it (its flow says which kind)."""
    person = reply.person
    assert person is not None
    if choice not in ("opn:anon:0", "opn:anon:1") or flow is None or not flow.startswith(OPINION):
        return False
    kind = flow.removeprefix(OPINION)[:1]
    reply.show(shown.write_opinion(runtime.translator(person.language)), flow=f"{OPINION}{kind}:{choice[-1]}")
    return True
