"""An in-process WhatsApp Cloud API (Graph API) stand-in, for tests, benchmarks and the playground.

The bot's WhatsApp client talks to it over HTTP on loopback exactly as it would talk to
graph.facebook.com, and its webhook receives from it what Meta would POST::

    async with CloudApiStandIn(clock=clock) as standin:
        client = WhatsAppClient(base_url=standin.graph_url(), token="T", phone_number_id=
                                standin.phone_number_id)
        await standin.subscribe("http://127.0.0.1:8443/whatsapp", verify_token="v")
        rosa = standin.person(name="Rosa")
        await rosa.writes("hola")            # returns once the bot has handled the webhook
        await rosa.presses("menu:register")  # a reply button or list row, by its id
        assert rosa.last.kind == "list"

Three faces:

* **The Graph endpoints** (``graph``): ``POST /{version}/{phone_number_id}/messages`` for text
  (≤ 4 096), reply buttons (1–3, titles ≤ 20 and unique, body ≤ 1 024), lists (≤ 10 rows in all,
  row title ≤ 24, description ≤ 72, button ≤ 20), cta_url, image/document/audio/video/sticker by
  media id or link (caption ≤ 1 024), registered templates (132001 for an unknown name or
  language, 132000 for a wrong parameter count) and mark-as-read; media upload, the media URL
  (five minutes on the clock) and its download, all behind the bearer token. Errors in Meta's
  shape (``meta``); 80 messages a second per number (130429) and the pair rate (131056).
* **The people** (``people.WhatsAppPerson``): write, press a button or list row by id (or
  choose by title), send images, documents, a location, a contact card or an unsupported kind;
  read what they received, each message with its type and interactive structure. Actions wait
  until the bot answered the webhook with a 200 and then handled it (the processed signal
  ``mark_processed(wamid)`` when ``expect_processed_signal``, else a quiet moment).
* **The webhooks** (``webhooks``): Meta's envelope (``object=whatsapp_business_account``,
  metadata, contacts with ``wa_id``, profile name and the business-scoped ``user_id``,
  messages with id/timestamp/type), signed with ``X-Hub-Signature-256`` over the raw body;
  status webhooks sent, delivered, read and failed; anything but a 200 delivered again after
  15 s, 1 min, 5 min… read on the stand-in's clock, so a test moves a ``FakeClock`` instead of
  waiting; ``deliver_again`` repeats one as Meta does after a slow answer, ``post_raw`` posts
  any body (with a forged signature if asked); ``verify_callback`` plays Meta's GET handshake
  against a bot's webhook.

And for the playground's page, ``client_api``: the same people over JSON under ``/_standin/``
(people, a long-polled chat in both directions, write, press, upload, location, media).

The 24-hour window: a person's message opens it on the clock; a non-template message to someone
whose window is closed is accepted (a wamid) and reported ``failed`` with 131047 in a status
webhook, as Meta does; a send to an unknown or unreachable number fails the same way with 131026.

Deliberate simplifications: one business number; links in media messages are recorded, never
fetched; no groups, reactions, flows or calls; pricing in status webhooks is indicative.
"""

from bot.playground.whatsapp.graph import GraphCall, StoredMedia
from bot.playground.whatsapp.meta import GraphApiError
from bot.playground.whatsapp.outgoing import BusinessMessage, Choice, Template
from bot.playground.whatsapp.people import ReceivedFile, WhatsAppPerson
from bot.playground.whatsapp.server import CloudApiStandIn
from bot.playground.whatsapp.webhooks import Delivery, sign, verify_callback

__all__ = [
    "BusinessMessage",
    "Choice",
    "CloudApiStandIn",
    "Delivery",
    "GraphApiError",
    "GraphCall",
    "ReceivedFile",
    "StoredMedia",
    "Template",
    "WhatsAppPerson",
    "sign",
    "verify_callback",
]
