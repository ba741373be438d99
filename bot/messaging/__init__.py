"""Messages the bot starts on its own: the reminders engine and the notices it delivers."""
