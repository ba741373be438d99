"""Telling people: notices rendered for the recipient (`render`) and handed to the channel the
recipient uses (`channels`), by the reminders engine (bot/reminders.py). The outbox itself,
where services write notices in their own transaction, is bot/services/notices.py."""
