"""What Meta reports later about a broadcast's message it had accepted (a ``failed`` status
webhook): the delivery, counted delivered when the send was accepted, is corrected. 131049
(Meta's per-person marketing cap, "not delivered to maintain healthy ecosystem engagement")
counts as such and is not tried again; 131026 as unreachable; anything else as failed with its
code. A leaf: the inbox (bot/messaging/whatsapp_inbox.py) calls it as statuses arrive."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts.models import MARKETING_CAP, BroadcastDelivery, DeliveryState
from bot.messaging.whatsapp_models import WhatsAppStatus

MARKETING_LIMIT = 131049
UNDELIVERABLE = 131026


async def reported_failed(session: AsyncSession, *, message_id: str, code: int | None) -> bool:
    """Correct the delivery whose message this was (True), if it was a broadcast's."""
    if code == MARKETING_LIMIT:
        state, reason = DeliveryState.FAILED, MARKETING_CAP
    elif code == UNDELIVERABLE:
        state, reason = DeliveryState.BLOCKED, "unreachable (131026)"
    else:
        state, reason = DeliveryState.FAILED, f"WhatsApp {code} (reported later)"
    done = await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.message_id == message_id, BroadcastDelivery.state == DeliveryState.DELIVERED)
        .values(state=state, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def settle(session: AsyncSession, *, broadcast_id: int) -> int:
    """The broadcast's deliveries recorded delivered whose message Meta reported failed (the
    report often comes before the record): corrected now. Returns how many."""
    found = await session.execute(
        select(WhatsAppStatus.message_id, WhatsAppStatus.error_code)
        .join(BroadcastDelivery, BroadcastDelivery.message_id == WhatsAppStatus.message_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.state == DeliveryState.DELIVERED,
               WhatsAppStatus.status == "failed")
    )
    corrected = 0
    for message_id, code in found.all():
        corrected += await reported_failed(session, message_id=message_id, code=code)
    return corrected
