"""Forged callback data, whatever its numbers: every press is answered exactly once (Telegram
refuses a second answer with "query is too old"), as an old button, and nothing fails.

Ids are INTEGER columns (32 bits on PostgreSQL, 64 on SQLite): a number past them, or digits
Python reads but the database does not ("²"), must never reach a query.
"""

from __future__ import annotations

from sqlalchemy import select
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, ConversationHandler

from bot.broadcasts.models import Broadcast
from tests.flows import consented
from tests.test_broadcasts import coordinator, leaders_in

HUGE = "99999999999999999999"          # overflows SQLite's INTEGER too
PAST_POSTGRES = str(2**31)             # fits SQLite, not PostgreSQL's INTEGER

# Callback data of every area, with N where a number goes.
FORGED = (
    "bc:show:N", "bc:aud:N", "bc:audk:N:role", "bc:nodist:N", "bc:kinds:N", "bc:sess:N", "bc:topics:N", "bc:preview:N", "bc:now:N",
    "bc:approve:N", "bc:reject:N", "bc:cancel:N", "bc:text:N:es", "bc:file:N", "bc:btns:N", "bc:dist:N", "bc:when:N",
    "bc:t:N:leaders:yes", "bc:adddist:N:070101", "bc:kind:N:trainings",
    "org:act:N", "org:rmboard:N", "org:rmlead:N", "org:owner:N", "org:view:N", "org:verify:N", "org:changes:N",
    "org:board:pN",
    "role:pick:N", "role:set:N:leader", "role:ok:N:leader", "role:who:pN",
    "tr:open:N", "tr:enroll:N", "tr:leave:N", "tr:take:N", "tr:pass:N", "tr:here:N", "tr:cert:N", "tr:rate:N:5",
    "tr:list:pN", "vote:pick:N:leadership",
    "trc:open:N", "trc:cancel:N", "trc:cancelok:N", "trc:roster:N", "trc:mark:N:N:1", "trc:xlsx:N", "trc:checkin:N",
    "trc:close:N", "trc:voteclose:N", "trc:edit:N", "trc:list:pN",
    "rem:done:N", "rem:later:N",
    "con:org:N", "con:mark:N:inactive", "con:audit:uN:p1", "con:audit:oN:p1", "con:pending:pN",
    "prj:open:N", "prj:doc:N", "prj:to:N:selected", "prj:cm:N", "prj:fund:N", "prj:rev:N", "prj:list:pN", "prj:open",
    "rep:go:N", "rep:rv:N", "rep:ok:N", "rep:no:N", "rep:ro:N", "rep:rok:N", "rep:pdf:N", "rep:rl:pN",
    "ruos:i:N", "ruos:u:N", "ruos:x:N", "ruos:xy:N", "ruos:status:N", "ruos:to:N", "ruos:rv:N", "ruos:ok:N",
    "ruos:no:N", "ruos:review:pN", "ruos:list:N",
    "reg:rm:N", "reg:edit:pN", "reg:kind:N", "set:quiet:N", "me:sex:N", "consent:lang:N", "lang:N",
)


def told_old(person) -> bool:  # noqa: ANN001
    """Told the button is no longer active: on the button, or in the chat when the press had
    been acknowledged before it was found stale."""
    said = " ".join([person.last_alert or "", *person.texts_since_last_action])
    return "no longer active" in said or "ya no está activo" in said


def answers(bot) -> list:  # noqa: ANN001
    return [call for call in bot.emulator.calls if call.method == "answerCallbackQuery"]


async def test_a_leaders_forged_broadcast_button_is_answered_once_and_a_huge_id_is_an_old_button(bot):
    (rosa,) = await leaders_in(bot, "070101", "en")
    await rosa.sends("/help")
    luis = await coordinator(bot)
    await luis.sends("/broadcast")
    async with await bot.session() as session:
        draft = await session.scalar(select(Broadcast.id))
    before = len(answers(bot))
    await rosa.taps_data(f"bc:btns:{draft}")                  # a leader, not a coordinator
    assert told_old(rosa)
    await luis.taps_data(f"bc:aud:{HUGE}")
    assert told_old(luis)
    await luis.taps_data(f"bc:t:{draft}:session:{HUGE}")     # a forged choice is not kept
    assert "Audience: nobody chosen yet" in luis.last_text
    pressed = answers(bot)[before:]
    assert [call.error for call in pressed] == [None, None, None], pressed
    await luis.sends("/broadcast")                            # the draft still shows
    assert "Broadcast" in luis.last_text and "Sorry" not in luis.last_text


async def test_forged_numbers_in_every_area_are_old_buttons_answered_exactly_once(bot, staff):
    await consented(staff)
    (rosa,) = await leaders_in(bot, "070101", "en")
    await rosa.sends("/help")
    before = len(answers(bot))
    presses = 0
    for data in FORGED:                                       # staff pass every gate, a leader few
        for person, number in ((staff, HUGE), (rosa, PAST_POSTGRES)):
            await person.taps_data(data.replace("N", number))
            presses += 1
    for data in ("bc:aud:²", "tr:open:²", "org:act:²", "prj:open:²", "ruos:i:²", "con:org:²"):  # digits only to Python
        await staff.taps_data(data)
        presses += 1
    # Data of another shape than its action's (too few parts, too many, a word for a number) is
    # an old button in every area, whichever step the person is at.
    for data in ("bc:aud:1:2", "con:org:x", "trc:mark:1:2:7", "prj:open", "rep:ok:1", "ruos:list:1", "ask:view:x",
                 "opn:kind:z", "reg:rm:x", "rem:done:1\n"):
        await staff.taps_data(data)
        presses += 1
        assert told_old(staff), data
    pressed = answers(bot)[before:]
    refused = [(call.params, call.error) for call in pressed if call.error]
    assert not refused, refused[:5]
    assert len(pressed) == presses                            # every press answered, once

    # Numbers typed after a command, or in a link, are read the same way.
    for command in (f"/role {HUGE}", f"/ruos {HUGE}", f"/scope {HUGE} callao", f"/audit {HUGE}"):
        await staff.sends(command)
    await rosa.sends(f"/start training_{HUGE}")
    assert "Trainings" in rosa.last_text or "trainings" in rosa.last_text   # the calendar instead


async def test_a_press_no_part_of_the_bot_answers_is_still_answered_once(bot):
    async def silent(update, context):  # noqa: ANN001, ANN202 - a feature that forgets to answer
        raise ApplicationHandlerStop

    bot.application.add_handler(CallbackQueryHandler(silent, pattern=r"^silent$"), group=-7)
    (rosa,) = await leaders_in(bot, "070101", "en")
    await rosa.sends("/help")
    before = len(answers(bot))
    await rosa.taps_data("silent")
    assert [call.error for call in answers(bot)[before:]] == [None]


def callback_handlers(handlers):  # noqa: ANN001, ANN201
    """Every CallbackQueryHandler with a pattern, conversations' entry points and states included."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from callback_handlers(handler.entry_points)
            for state in handler.states.values():
                yield from callback_handlers(state)
            yield from callback_handlers(handler.fallbacks)
        elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
            yield handler


# Every prefix a button of the bot carries on Telegram.
AREA_PREFIXES = ("consent", "lang", "privacy", "me", "role", "set", "org", "reg", "rem", "bc", "con", "tr", "trc", "vote",
                 "prj", "rep", "ruos", "ask", "opn")


async def test_every_areas_buttons_are_routed_by_one_table_per_prefix(bot):
    """Rule 7 (docs/architecture.md): one helper, handlers.common.area_buttons, builds every
    area's CallbackQueryHandler from its table of action → (shape, function), answered through
    handlers.common.dispatch_button; a conversation needing the press has it as its entry."""
    routed: dict[str, set[str]] = {}
    for handler in callback_handlers(bot.application.handlers[0]):
        prefix = getattr(handler.pattern, "pattern", str(handler.pattern)).lstrip("^").split(":")[0]
        routed.setdefault(prefix, set()).add(handler.callback.__qualname__)
    assert set(AREA_PREFIXES) <= routed.keys(), set(AREA_PREFIXES) - routed.keys()
    for prefix, callbacks in routed.items():
        assert callbacks == {"area_buttons.<locals>.on_button"}, (prefix, callbacks)
