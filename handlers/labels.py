"""How the domain's codes read in a chat: the organizations' tables now live beside the other
domain labels in bot/core/labels.py (the domain's screens need them); kept here under their old names
for the handlers that read them."""

from __future__ import annotations

from bot.core.labels import (
    BOARD_ROLE,
    DOCUMENT,
    DOCUMENT_BUTTON,
    FOCUS,
    FOCUS_BUTTON,
    KIND,
    KIND_BUTTON,
    STATUS,
)

__all__ = ["BOARD_ROLE", "DOCUMENT", "DOCUMENT_BUTTON", "FOCUS", "FOCUS_BUTTON", "KIND", "KIND_BUTTON", "STATUS"]
