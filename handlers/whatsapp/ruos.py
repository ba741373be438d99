"""/ruos on WhatsApp, for leaders: the organization's checklist, a requirement's card, sending
its files (a PDF or photos) and "✅ Done", taking pages back, the registration status and its
moves (the questions a move asks are answered by typing).

The screens are the domain's (bot/ruos/screens.py) and so is what comes next (the step machine,
bot/ruos/conversation.py), the same calls as Telegram's handlers (handlers/ruos/checklist.py,
uploads.py) make; the choices' ids are Telegram's callback data (`ruos:list:…`, `ruos:i:…`,
`ruos:u:…`, `ruos:done`, `ruos:x:…`, `ruos:xy:…`, `ruos:status:…`, `ruos:to:…`); staff's
(/review) stay on Telegram. A file sent during the upload step (an image
or a document message) is fetched by its media id while its message is answered (the URL lives
minutes), then kept by the same domain call as on Telegram: the bytes decide what it is, it is
cleaned of metadata and stored encrypted. A refused file is said with the Done choice again; the
upload goes on.
"""

from __future__ import annotations

import logging

from bot import ruos as domain
from bot.core.db import DbSession
from bot.core.runtime import Runtime
from bot.core.screens import screen
from bot.core.validation import InvalidInput, parse_id
from bot.people.authority import NotAllowed
from bot.ruos import Step, public_registry
from bot.ruos import conversation as flow
from bot.ruos import screens as shown
from handlers.whatsapp.render import Sent
from handlers.whatsapp.reply import Reply
from handlers.whatsapp.trainings import refusal

log = logging.getLogger(__name__)

PREFIX = "ruos:"
UPLOAD_FLOW = "ruos_upload"  # a requirement's files awaited: typed text is answered by the step machine
STAGE_FLOW = "ruos_stage"  # a registration move's question asked: the next typed text answers it
FLOWS = (UPLOAD_FLOW, STAGE_FLOW)


def _at(runtime: Runtime) -> flow.Catalogue:
    now = runtime.clock.now()
    return flow.Catalogue(runtime.requirements, now.astimezone(runtime.settings.zone).date(), now,
                          runtime.reminders.quiet_hours)


def _person_id(reply: Reply) -> int:
    assert reply.person is not None
    return reply.person.id


async def command(session: DbSession, *, runtime: Runtime, reply: Reply, args: str = "") -> None:
    """/ruos: the checklist of the organization the leader acts for."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    user_id = _person_id(reply)
    await flow.end(session, user_id=user_id)  # /ruos leaves an upload under way, as on Telegram
    opened = await flow.open_ruos(session, user_id=user_id, args=args.split())
    if opened.organization_id is None:
        assert opened.refusal is not None
        reply.show(shown.said(i18n, opened.refusal))
        return
    try:
        await show_checklist(session, runtime=runtime, reply=reply, organization_id=opened.organization_id, procedure_code=None)
    except InvalidInput as error:
        reply.show(shown.refused(refusal(i18n, error)))


async def show_checklist(session: DbSession, *, runtime: Runtime, reply: Reply, organization_id: int,
                         procedure_code: str | None) -> None:
    assert reply.person is not None
    found = await flow.checklist_screen(session, user_id=_person_id(reply), organization_id=organization_id,
                                        procedure_code=procedure_code, at=_at(runtime))
    reply.show(shown.checklist(runtime.translator(reply.person.language), found))


async def pressed(session: DbSession, *, runtime: Runtime, reply: Reply, choice: str) -> bool:
    """A /ruos choice a leader pressed; False for one this channel does not answer (or forged)."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    parts = choice.removeprefix(PREFIX).split(":")
    action, args = parts[0], parts[1:]
    try:
        if action == "done" and not args:
            await _done(session, runtime=runtime, reply=reply)
            return True
        organization_id = parse_id(args[0]) if args else None
        if organization_id is None:
            return False
        if action == "list" and len(args) == 2:
            await flow.end(session, user_id=_person_id(reply))
            await show_checklist(session, runtime=runtime, reply=reply, organization_id=organization_id, procedure_code=args[1])
        elif action == "status" and len(args) == 1:
            await flow.end(session, user_id=_person_id(reply))
            await show_status(session, runtime=runtime, reply=reply, organization_id=organization_id)
        elif action == "to" and len(args) == 2:
            turn = await flow.move_stage(session, user_id=_person_id(reply), organization_id=organization_id, target=args[1],
                                         at=_at(runtime))
            await _stage_turn(session, runtime=runtime, reply=reply, turn=turn)
        elif action in ("i", "u", "x", "xy") and len(args) == 3:
            await _on_item(session, runtime=runtime, reply=reply, action=action, organization_id=organization_id,
                           procedure_code=args[1], item_code=args[2])
        else:
            return False
    except NotAllowed as error:
        await flow.end(session, user_id=_person_id(reply))
        reply.show(shown.refused(refusal(i18n, error)))
    except InvalidInput as error:
        reply.show(shown.refused(refusal(i18n, error)))
    return True


async def _on_item(session: DbSession, *, runtime: Runtime, reply: Reply, action: str, organization_id: int,
                   procedure_code: str, item_code: str) -> None:
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    user_id, at = _person_id(reply), _at(runtime)
    where = {"organization_id": organization_id, "procedure_code": procedure_code, "item_code": item_code}
    if action == "u":
        turn = await flow.begin_upload(session, user_id=user_id, at=at, **where)
        assert turn.requirement is not None
        reply.show(shown.upload_prompt(i18n, turn.requirement), flow=UPLOAD_FLOW)
        return
    await flow.end(session, user_id=user_id)
    if action == "xy":
        await flow.withdraw(session, user_id=user_id, at=at, **where)
    checklist, view = await flow.item(session, user_id=user_id, at=at, **where)
    reply.show(shown.take_back(i18n, checklist, view) if action == "x" else shown.item_card(i18n, checklist, view))


async def _done(session: DbSession, *, runtime: Runtime, reply: Reply) -> None:
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    turn = await flow.done_uploading(session, user_id=_person_id(reply))
    await flow.end(session, user_id=_person_id(reply))
    if turn.done_uploading is None:
        assert turn.ended is not None
        reply.show(screen(refusal(i18n, turn.ended)))
        return
    organization_id, procedure_code = turn.done_uploading
    await show_checklist(session, runtime=runtime, reply=reply, organization_id=organization_id, procedure_code=procedure_code)


async def show_status(session: DbSession, *, runtime: Runtime, reply: Reply, organization_id: int,
                      problem: str | None = None) -> None:
    """The registration status: its stage and dates, and the moves the leader may record."""
    assert reply.person is not None
    found = await flow.checklist_screen(session, user_id=_person_id(reply), organization_id=organization_id,
                                        procedure_code=None, at=_at(runtime), plan=False)
    reply.show(shown.status(runtime.translator(reply.person.language), found, problem=problem))


async def _stage_turn(session: DbSession, *, runtime: Runtime, reply: Reply, turn: flow.Turn) -> None:
    """A registration move's next question, or where it ended (as handlers/ruos/stages.py)."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    if turn.asks is not None:
        problem = refusal(i18n, turn.problem) if turn.problem is not None else None
        reply.show(shown.question(i18n, turn.asks, problem=problem), flow=STAGE_FLOW)
    elif turn.stage_changed and turn.ended is not None and turn.organization_id is not None:
        await show_status(session, runtime=runtime, reply=reply, organization_id=turn.organization_id,
                          problem=refusal(i18n, turn.ended))
    elif turn.ended is not None:  # no longer a leader of it: no question again
        reply.show(shown.refused(refusal(i18n, turn.ended)))
    else:
        assert turn.stage is not None and turn.organization_id is not None
        reply.show(shown.stage_saved(i18n, turn.stage))
        await show_checklist(session, runtime=runtime, reply=reply, organization_id=turn.organization_id, procedure_code=None)


async def typed(session: DbSession, *, runtime: Runtime, reply: Reply, text: str) -> bool:
    """Text while a requirement's files are awaited (the same question again) or a move's
    question waits (its answer). False: no such step is under way any more (the text is for
    the router), or it is a staff step, answered on Telegram."""
    assert reply.person is not None
    turn = await flow.answer(session, user_id=_person_id(reply), value=text, at=_at(runtime))
    if turn is not None and turn.asks is Step.UPLOAD:
        reply.show(shown.waiting_for_file(runtime.translator(reply.person.language), turn.requirement), flow=UPLOAD_FLOW)
        return True
    if turn is None or turn.asks is Step.REASON or turn.review is not None or turn.inscription is not None \
            or turn.asks in public_registry.STEPS:
        await flow.end(session, user_id=_person_id(reply))
        return False
    await _stage_turn(session, runtime=runtime, reply=reply, turn=turn)
    return True


async def received(session: DbSession, *, runtime: Runtime, reply: Reply, sent: Sent) -> bool:
    """A document or a photo for the requirement being uploaded; False when no upload is under
    way (the file is no answer to anything here)."""
    assert reply.person is not None
    i18n = runtime.translator(reply.person.language)
    user_id = _person_id(reply)
    target = await flow.upload_target(session, user_id=user_id, catalogue=runtime.requirements)
    if target is None or reply.download is None:
        return False
    try:
        # What the phone says a document is decides nothing: the bytes do (bot/core/uploads.py).
        # WhatsApp itself holds files to its limits (images 5 MB, documents 100 MB); an empty
        # one, or one whose bytes are no document or photo, the domain refuses.
        content = await reply.download(sent.media_id)
        kept = await flow.receive_file(session, user_id=user_id, store=runtime.files, at=_at(runtime),
                                       upload=domain.Upload(content, sent.name, sent.media_id, None))
    except NotAllowed as error:  # removed from the organization since the upload step began
        await flow.end(session, user_id=user_id)
        reply.show(shown.refused(refusal(i18n, error)))
        return True
    except InvalidInput as error:
        reply.show(shown.file_refused(i18n, refusal(i18n, error)), flow=UPLOAD_FLOW)
        return True
    if kept is None:
        return False
    log.info("user %s sent a %s for a RUOS requirement on WhatsApp", user_id, sent.kind)
    reply.show(shown.file_received(i18n, kept.requirement, kept.receipt), flow=UPLOAD_FLOW)
    return True
