"""The WhatsApp channel (Meta's Cloud API), over the same domain as Telegram.

- `webhook`: Meta's handshake, signed deliveries stored once, /health;
- `worker`: answers what was stored, each sender in order, after the answer's commit;
- `first_contact`: meets the sender, the language and the data notice, then `router`;
- `router`: typed commands and menu words, choices by id, typed answers for the flow shown last;
  the areas: `people_area` (/language, /settings, /mydata, /deletedata, /stop and /start),
  `correct` (/correct), `registration` (/register on the domain's step machine), `leaders`
  (/invite as a wa.me link), `myorg` (/myorg: the card, its fields, the board, the co-leaders);
- `render`: a screen as Cloud API messages within WhatsApp's limits, and a reply read back;
- `outgoing`: uploading a screen's files and sending it (`send_screen` for messages the bot
  starts); `channel`: the server, the worker and `ClientSender` over `client` (pywa behind it).
"""
