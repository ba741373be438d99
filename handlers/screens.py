"""Screens (bot/core/screens.py) on Telegram: the text as it is (the screens' markup is Telegram
HTML), the choices as an inline keyboard whose callback data are the choices' ids, laid out
for a phone as `handlers.common.keyboard` lays out every keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.core.screens import Choice, Screen
from bot.core.textlimits import fit_label, fit_rows

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def inline_keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    """The screen's choices as buttons: a row too wide for a phone is split, a label too long
    for its row shortened at a word (bot.core.textlimits.fit_rows), as for every keyboard."""
    if not screen.rows:
        return None
    laid = fit_rows(screen.rows, label=lambda choice: choice.label)
    return InlineKeyboardMarkup([[_button(choice, len(row)) for choice in row] for row in laid])


def _button(choice: Choice, buttons_in_row: int) -> InlineKeyboardButton:
    label = fit_label(choice.label, buttons_in_row)
    if choice.is_link:
        return InlineKeyboardButton(label, url=choice.url)
    return InlineKeyboardButton(label, callback_data=choice.id)


def render(screen: Screen) -> tuple[str, Markup]:
    """(HTML text, reply markup) for `reply` / `ask` / `edit_or_reply`."""
    if screen.contact_label:
        return screen.text, ReplyKeyboardMarkup(
            [[KeyboardButton(screen.contact_label, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return screen.text, inline_keyboard(screen)
