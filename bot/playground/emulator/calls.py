"""One Bot API request as it arrives: its parameters from any body, and its keyboard checked."""

from __future__ import annotations

import itertools
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from bot.playground.emulator.state import (
    _URL_BUTTON,
    INLINE_BUTTON_ACTIONS,
    JSON_PARAMETERS,
    MAX_CALLBACK_DATA_BYTES,
    MAX_INLINE_BUTTONS,
    EmulatedBot,
    JsonDict,
    PrivateChat,
    _bad_request,
    _Upload,
)


class _Call:
    """One incoming Bot API request: the bot its token names, its decoded parameters and its uploads."""

    def __init__(self, bot: EmulatedBot, values: JsonDict, uploads: dict[str, _Upload]) -> None:
        self.bot = bot
        self.uploads = uploads
        self.chat: PrivateChat | None = None
        self.values = dict(values)
        for name in JSON_PARAMETERS.intersection(self.values):
            value = self.values[name]
            if isinstance(value, str):
                try:
                    self.values[name] = json.loads(value)
                except ValueError:
                    raise _bad_request(
                        f"can't parse {name.replace('_', ' ')} JSON object"
                    ) from None

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        return value is True or str(value).lower() in ("true", "1")

    def recorded_params(self) -> JsonDict:
        return {
            **self.values,
            **{name: upload.file_name or name for name, upload in self.uploads.items()},
        }


async def _read_parameters(request: web.Request) -> tuple[JsonDict, dict[str, _Upload]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    values: JsonDict = dict(request.query)
    uploads: dict[str, _Upload] = {}
    if not request.body_exists:
        return values, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad_request("can't parse JSON object") from None
        if isinstance(body, dict):
            values.update(body)
    elif request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pass
    elif request.method in request.POST_METHODS:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                uploads[name] = _Upload(value.filename, value.content_type, value.file.read())
            else:
                values[name] = value
    else:
        # Telegram reads a form on any method; aiohttp's post() ignores it on a GET, which some
        # clients (pyTelegramBotAPI's async one) send with the offset of getUpdates in the body.
        await _read_form_of_any_method(request, values, uploads)
    return values, uploads


async def _read_form_of_any_method(
    request: web.Request, values: JsonDict, uploads: dict[str, _Upload]
) -> None:
    if request.content_type == "application/x-www-form-urlencoded":
        values.update(parse_qsl(await request.text(), keep_blank_values=True))
        return
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type")
            uploads[part.name] = _Upload(part.filename, content_type, await part.read())
        else:
            values[part.name] = await part.text()


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict):
            raise _bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        if not isinstance(button.get("text"), str):
            raise _bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        actions = [action for action in INLINE_BUTTON_ACTIONS if action in button]
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        if len(actions) > 1:
            raise _bad_request(
                f"can't parse inline keyboard button: exactly one of {actions} must be used"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not _URL_BUTTON.match(str(button["url"])):
            raise _bad_request(
                f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
            )
