"""Telegram: first contact and consent, /settings, /correct, /role."""
