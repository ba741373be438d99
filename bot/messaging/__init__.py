"""Telling people, whatever channel they use.

- the outbox: services write notices in their own transaction (bot/messaging/notices.py); the
  reminders engine (bot/messaging/reminders.py) delivers them, woken by the commit;
- `render`: a notice as its recipient reads it (their language, plural forms, dates);
- `reminder_screens`: what a due reminder or notice says, as a screen, whichever channel
  delivers it (each area's builders, gathered at import);
- `channels`: the engine's deliverer, which passes each reminder or notice to the deliverer
  of the recipient's channel (`User.channel`), added by that channel when it starts;
- `broadcasting`: the broadcast sending task (claims, records, retries), through each
  recipient's channel's `BroadcastChannel`.
"""
