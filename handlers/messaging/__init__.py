"""Telegram: delivering reminders and the buttons under them."""
