"""Telegram: /broadcast, its audience picker, card, release and delivery."""
