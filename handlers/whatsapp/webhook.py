"""WhatsApp's webhook: Meta's verification, signed deliveries stored at once, health.

- GET `WHATSAPP_WEBHOOK_PATH`: Meta's subscription check (`hub.mode=subscribe`, the verify
  token) answered with `hub.challenge`; anything else 403.
- POST: `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body with the app secret, checked
  over the bytes as they came (re-serialised JSON differs on accents and emoji) in constant
  time; missing 401, wrong 403, and nothing is stored. Then every message is stored, once per
  message id (Meta retries what it thinks went unanswered), and every status report recorded,
  and the answer is 200 once that is committed: the worker (`worker.InboxWorker`) answers
  later, from the database, so a `kill -9` between the 200 and the answer loses nothing.
  Deliveries that arrive while one is being written are written together next, in one
  transaction (`Storing`, together.py: Meta sends a busy number's webhooks side by side), each
  answered 200 only once that transaction committed.
- GET /health: 200 on the active instance with its database, else 503 (handlers/health.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.core.runtime import Runtime
from bot.messaging import whatsapp_inbox
from bot.messaging.whatsapp_inbox import Incoming, StatusReport
from handlers.health import HEALTH_PATH, health_handler
from handlers.whatsapp.together import Together

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
# Meta's deliveries are small; a body past this is not Meta's.
MAX_BODY_BYTES = 3 * 1024 * 1024


def signature_of(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_correctly(body: bytes, header: str, secret: str) -> bool:
    return hmac.compare_digest(signature_of(body, secret).encode(), header.strip().encode())


def build_app(
    runtime: Runtime, *, on_stored: Callable[[list[str]], None], is_active: Callable[[], bool] = lambda: True
) -> web.Application:
    """The WhatsApp webhook server's routes; `on_stored` tells the worker whose new messages
    were stored (after the commit)."""
    settings = runtime.settings
    assert settings.whatsapp_app_secret and settings.whatsapp_verify_token
    secret, verify_token = settings.whatsapp_app_secret, settings.whatsapp_verify_token
    storing = Storing(runtime, on_stored=on_stored)

    async def verify(request: web.Request) -> web.Response:
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(token.encode(), verify_token.encode()):
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403, text="verification refused")

    async def deliver(request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            return web.Response(status=401, text="signature missing")
        if not signed_correctly(body, header, secret):
            log.warning("a WhatsApp webhook call with a wrong signature was refused")
            return web.Response(status=403, text="signature refused")
        try:
            update = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        messages, statuses = read_update(update, now=runtime.clock.now())
        if (messages or statuses) and not await storing.store(Delivery(messages, statuses)):
            # Not stored: Meta tries again later, which is what we want.
            return web.Response(status=503, text="try again")
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_get(settings.whatsapp_webhook_path, verify)
    app.router.add_post(settings.whatsapp_webhook_path, deliver)
    app.router.add_get(HEALTH_PATH, health_handler(is_active=is_active, database_reachable=lambda: runtime.database.ping()))
    return app


@dataclass(frozen=True)
class Delivery:
    """What one webhook call brought, to be stored."""

    messages: list[Incoming]
    statuses: list[StatusReport]


class Storing:
    """Deliveries written to the inbox together (together.Together: a group commit). A delivery
    counts as stored only once its transaction committed; should a shared one fail, each of its
    deliveries is tried alone, so one bad delivery never refuses the others."""

    def __init__(self, runtime: Runtime, *, on_stored: Callable[[list[str]], None]) -> None:
        self.runtime = runtime
        self.on_stored = on_stored  # told whose new messages were stored, after the commit
        self._together: Together[Delivery, None] = Together(self._write, name="whatsapp-webhook-storing")

    async def store(self, delivery: Delivery) -> bool:
        """Whether the delivery was stored (committed)."""
        try:
            await self._together.write(delivery)
        except Exception:  # noqa: BLE001 - whatever failed, nothing of it was stored
            log.exception("a WhatsApp delivery could not be stored")
            return False
        return True

    async def _write(self, deliveries: list[Delivery]) -> list[None]:
        database, clock = self.runtime.database, self.runtime.clock
        async with database.session() as session:
            senders = await whatsapp_inbox.store(session, messages=[m for d in deliveries for m in d.messages],
                                                 now=clock.now())
            await whatsapp_inbox.record_statuses(session, reports=[s for d in deliveries for s in d.statuses])
        if senders:
            self.on_stored(senders)
        return [None] * len(deliveries)


# --- reading Meta's JSON -----------------------------------------------------------------------


def read_update(update: Any, *, now: datetime) -> tuple[list[Incoming], list[StatusReport]]:
    """Messages and status reports in one webhook delivery; what is not understood is skipped.

    Who sent a message: `from` (the wa_id) and the contact's `user_id` (the BSUID, sent since
    2026; `from_user_id` on the message where Meta puts it there), either may be missing:
    payloads from before the BSUID, and people who hide their number, both arrive. A time
    Meta did not send is taken as `now`.
    """
    messages: list[Incoming] = []
    statuses: list[StatusReport] = []
    if not isinstance(update, dict):
        return messages, statuses
    for entry in _dicts(update.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            contacts = _dicts(value.get("contacts"))
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            business = _text(metadata.get("display_phone_number"))
            for message in _dicts(value.get("messages")):
                incoming = _incoming(message, contacts, now, business=business)
                if incoming is not None:
                    messages.append(incoming)
            for status in _dicts(value.get("statuses")):
                report = _status(status, now)
                if report is not None:
                    statuses.append(report)
    return messages, statuses


def _incoming(message: dict[str, Any], contacts: list[dict[str, Any]], now: datetime, *, business: str | None = None
              ) -> Incoming | None:
    """One message; `business` is the number it was sent to (for wa.me links back to it)."""
    message_id = _text(message.get("id"))
    if not message_id:
        return None
    wa_id = _text(message.get("from"))
    contact = next((c for c in contacts if wa_id and _text(c.get("wa_id")) == wa_id), None)
    if contact is None and len(contacts) == 1:
        contact = contacts[0]
    contact = contact or {}
    wa_id = wa_id or _text(contact.get("wa_id"))
    bsuid = _text(message.get("from_user_id")) or _text(contact.get("user_id"))
    if not wa_id and not bsuid:
        return None
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    return Incoming(
        message_id=message_id[:160], wa_id=wa_id[:32] if wa_id else None, bsuid=bsuid[:160] if bsuid else None,
        kind=(_text(message.get("type")) or "unknown")[:24],
        payload={"message": message, "name": _text(profile.get("name")), "business": business},
        sent_at=_moment(message.get("timestamp"), now),
    )


def _status(status: dict[str, Any], now: datetime) -> StatusReport | None:
    message_id, state = _text(status.get("id")), _text(status.get("status"))
    wa_id, bsuid = _text(status.get("recipient_id")), _text(status.get("recipient_user_id"))
    recipient = wa_id or bsuid
    if not message_id or not state or not recipient:
        return None
    error = next(iter(_dicts(status.get("errors"))), {})
    code, title = error.get("code"), _text(error.get("title"))
    return StatusReport(
        message_id=message_id[:160], recipient=recipient[:160], status=state, at=_moment(status.get("timestamp"), now),
        error_code=_error_code(code), error_title=title[:200] if title else None,
        wa_id=wa_id, bsuid=bsuid,
    )


def _error_code(code: Any) -> int | None:
    # Meta's codes are a few digits; one that does not fit the column would fail the POST's
    # transaction every time, and Meta would send it again for days.
    if isinstance(code, int) and not isinstance(code, bool) and 0 <= code < 2**31:
        return code
    return None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _moment(value: Any, now: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
