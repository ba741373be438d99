"""Staff verification: the registration card the staff console's /pending opens, with its
latest changes; verifying it, or asking for changes with a comment for its leaders.
"""

from __future__ import annotations

from telegram import Update

from bot.core.transitions import AlreadyDone
from bot.core.validation import InvalidInput
from bot.organizations import labels, organizations
from bot.organizations.cautions import NeedsConfirmation
from bot.organizations.models import VerificationStatus
from bot.people import people
from bot.people.models import Role
from handlers.common import (
    END,
    answer_button,
    ask,
    cautions_text,
    error_text,
    escape,
    keyboard,
    leave,
    remember,
    reply,
    say_already_done,
)
from handlers.context import VocesContext
from handlers.guards import button_part
from handlers.organizations.card import card_screen
from handlers.organizations.common import REVIEW_FLOW
from handlers.ruos.common import today_of


def staff_only(callback):  # noqa: ANN001, ANN201
    async def guarded(update: Update, context: VocesContext):  # noqa: ANN202
        if context.person is None or context.person.role is not Role.STAFF:
            await answer_button(update, context)
            await reply(update, context, context.gettext("This command is for programme staff."))
            return END
        return await callback(update, context)

    return guarded


def comment_question(context: VocesContext, _step: str = "comment") -> str:
    return context.gettext("What needs to change? Your comment goes to the organization's leaders.")


@staff_only
async def staff_view(update: Update, context: VocesContext) -> int:
    await answer_button(update, context)
    _ = context.gettext
    organization_id = button_part(update.callback_query.data, -1)  # type: ignore[union-attr]
    async with context.runtime.database.session() as session:
        staff = await people.get(session, context.person.id)  # type: ignore[union-attr]
        organization, changes = await organizations.for_review(session, staff=staff, organization_id=organization_id,
                                                               now=context.runtime.clock.now())
    if organization is None:
        await reply(update, context, _("That organization no longer exists."))
        return END
    text = card_screen(context, organization).text
    if changes:
        text += "\n\n" + _("<b>Latest changes</b>") + "\n" + "\n".join(
            f"• {context.i18n.datetime(c.changed_at, 'short')}: {escape(c.field)}: {escape(c.old_value or '—')} → {escape(c.new_value or '—')}"
            for c in changes
        )
    # The buttons carry the status staff see now: a review from it finds it unchanged, or is refused.
    seen = f"{organization_id}:{organization.status.value}"
    rows = [[(_("✅ Verify"), f"org:verify:{seen}"), (_("✏️ Needs changes"), f"org:changes:{seen}")]]
    await reply(update, context, text, reply_markup=keyboard(rows))
    return END


@staff_only
async def verify(update: Update, context: VocesContext) -> int:
    # Answered after the review: a second tap is told "already done" on the button itself.
    organization_id, seen = review_target(update.callback_query.data)  # type: ignore[union-attr]
    return await record_review(update, context, organization_id, VerificationStatus.VERIFIED, None, seen)


@staff_only
async def verify_confirmed(update: Update, context: VocesContext) -> int:
    """"Yes, verify" after the reasons to think twice: the same review, from the same status seen."""
    organization_id, seen = review_target(update.callback_query.data)  # type: ignore[union-attr]
    return await record_review(update, context, organization_id, VerificationStatus.VERIFIED, None, seen, confirmed=True)


def review_target(data: str) -> tuple[int, VerificationStatus | None]:
    """`org:verify:<id>:<status seen>` (buttons older than the status give only the id)."""
    parts = data.split(":")
    return button_part(data, 2), VerificationStatus(parts[3]) if len(parts) > 3 else None


@staff_only
async def ask_for_changes(update: Update, context: VocesContext) -> str:
    await answer_button(update, context)
    organization_id, seen = review_target(update.callback_query.data)  # type: ignore[union-attr]
    await remember(update, context, reviewing_organization=organization_id, reviewing_status=seen.value if seen else None)
    return await ask(update, context, flow=REVIEW_FLOW, step="comment", text=comment_question(context))


async def changes_comment(update: Update, context: VocesContext) -> str | int:
    organization_id = (context.user_data or {}).get("reviewing_organization")
    if organization_id is None:
        return await leave(update, context, REVIEW_FLOW)
    seen = (context.user_data or {}).get("reviewing_status")
    return await record_review(update, context, organization_id, VerificationStatus.NEEDS_CHANGES, update.effective_message.text,  # type: ignore[union-attr]
                               VerificationStatus(seen) if seen else None)


async def record_review(update: Update, context: VocesContext, organization_id: int, status: VerificationStatus, comment: str | None,
                        seen: VerificationStatus | None = None, *, confirmed: bool = False) -> str | int:
    _ = context.gettext
    runtime = context.runtime
    try:
        async with runtime.database.session() as session:
            staff = await people.get(session, context.person.id)  # type: ignore[union-attr]
            result = await organizations.review(session, staff=staff, organization_id=organization_id, status=status, comment=comment,
                                                seen=seen, now=runtime.clock.now(), today=today_of(runtime), confirmed=confirmed)
    except NeedsConfirmation as error:
        await answer_button(update, context)
        ok = f"org:verifyok:{organization_id}" + (f":{seen.value}" if seen else "")
        await reply(update, context, _("⚠️ Before you verify it:") + "\n" + cautions_text(context, error) + "\n\n" + _("Verify it anyway?"),
                    reply_markup=keyboard([[(_("✅ Yes, verify"), ok), (_("No"), f"org:view:{organization_id}")]]))
        return END
    except AlreadyDone as error:  # a second tap, or another staff member first: nobody is told again
        await remember(update, context, reviewing_organization=None, reviewing_status=None)
        await leave(update, context, REVIEW_FLOW)
        await say_already_done(update, context, error)
        return END
    except InvalidInput as error:
        await answer_button(update, context)
        if status is VerificationStatus.NEEDS_CHANGES and update.effective_message and update.effective_message.text:
            return await ask(update, context, flow=REVIEW_FLOW, step="comment", text=f"⚠️ {error_text(context, error)}")
        await reply(update, context, error_text(context, error))
        return END
    await answer_button(update, context)
    await remember(update, context, reviewing_organization=None, reviewing_status=None)
    await leave(update, context, REVIEW_FLOW)
    name = escape(result.organization.name)
    await reply(update, context, _("Done: %(name)s is now %(status)s. Its leaders were told.") % {"name": name, "status": _(labels.STATUS[status])})
    return END
