"""Telegram: first contact and consent, /settings, /correct, /role. What the people area shows
comes from the domain as screens (bot/people/screens.py, rights_screens.py); these modules
route and render them (handlers/people/show.py)."""
