"""The bot's client for the WhatsApp Cloud API, with pywa's async client kept behind it.

pywa (``pywa_async``) builds the requests and turns Meta's error answers into typed errors;
this module is all the rest of Voces sees of it: plain arguments in, a message id out, and
errors mapped to the few kinds the channel acts on (back off, unreachable, outside the window,
bad request, bad token). pywa's own web server and in-memory listeners are not used: the
webhook is the channel's own (``handlers/whatsapp/webhook.py``).

The Graph base comes from the caller (``WHATSAPP_API_BASE_URL``): ``https://graph.facebook.com``
in production, the stand-in (``bot.playground.whatsapp``) in tests and the playground. pywa
fixes its base in the constructor, so the client owns the httpx session and points it at the
setting afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from pywa_async import WhatsApp
from pywa_async import errors as pywa_errors
from pywa_async.types import Button, Command, Section, SectionList, SectionRow, URLButton
from pywa_async.types.templates import TemplateLanguage

DEFAULT_API_VERSION = "22.0"
_VERSIONED = re.compile(r"/v\d+\.\d+/?$")

# Codes (see shared/reference/whatsapp.md) and what the channel does about them.
BACK_OFF_SECONDS = {130429: 1.0, 131056: 6.0, 131048: 60.0, 80007: 60.0, 4: 60.0, 131049: 24 * 3600.0}
UNREACHABLE_CODES = frozenset({131026})
OUTSIDE_WINDOW_CODES = frozenset({131047})
NO_TEMPLATE_CODES = frozenset({132001})
AUTH_CODES = frozenset({190})
UNAVAILABLE_CODES = frozenset({1, 2, 131000, 131016})  # unknown error, service unavailable


class WhatsAppApiError(Exception):
    """An error answer of the Cloud API (or one reported later in a status webhook)."""

    def __init__(self, code: int, message: str, details: str | None = None, *, http_status: int | None = None) -> None:
        super().__init__(f"({code}) {message}" + (f": {details}" if details else ""))
        self.code = code
        self.message = message
        self.details = details
        self.http_status = http_status


class BackOff(WhatsAppApiError):
    """Too fast (throughput 130429, pair rate 131056, spam 131048, account 80007) or the
    person's marketing cap (131049): wait ``retry_after`` seconds, then try again."""

    @property
    def retry_after(self) -> timedelta:
        return timedelta(seconds=BACK_OFF_SECONDS.get(self.code, 60.0))


class Unreachable(WhatsAppApiError):
    """Not on WhatsApp, an old app, terms not accepted (131026): do not retry."""


class OutsideWindow(WhatsAppApiError):
    """More than 24 hours since the person last wrote (131047): only a template goes."""


class BadRequest(WhatsAppApiError):
    """The message itself is wrong (131009 a limit, 132000 template parameters, 100 …)."""


class NoTemplate(BadRequest):
    """No approved template by that name in that language (132001)."""


class Unavailable(WhatsAppApiError):
    """Meta's side failed or could not be reached (5xx, 131016, a network error): try later."""


class AuthFailed(WhatsAppApiError):
    """A bad or expired token (190, HTTP 401): stop and alert."""


def error_for(code: int, message: str, details: str | None = None, *, http_status: int | None = None) -> WhatsAppApiError:
    """The typed error for a code, from a send's answer or a ``failed`` status webhook."""
    kind: type[WhatsAppApiError]
    if code in BACK_OFF_SECONDS:
        kind = BackOff
    elif code in UNREACHABLE_CODES:
        kind = Unreachable
    elif code in OUTSIDE_WINDOW_CODES:
        kind = OutsideWindow
    elif code in NO_TEMPLATE_CODES:
        kind = NoTemplate
    elif code in AUTH_CODES or http_status == 401:
        kind = AuthFailed
    elif code in UNAVAILABLE_CODES or (http_status or 0) >= 500:
        kind = Unavailable
    elif (http_status is not None and 400 <= http_status < 500) or code in (100, 131008, 131009, 132000):
        kind = BadRequest
    else:
        kind = WhatsAppApiError
    return kind(code, message, details, http_status=http_status)


def error_from_status(errors: Sequence[dict]) -> WhatsAppApiError:
    """The typed error for a status webhook's ``errors`` (a ``failed`` status)."""
    first = errors[0] if errors else {}
    data = first.get("error_data") or {}
    return error_for(int(first.get("code", 0)), str(first.get("title") or first.get("message") or ""), data.get("details"))


def _mapped(error: pywa_errors.WhatsAppError) -> WhatsAppApiError:
    return error_for(error.code, error.message, error.details, http_status=error.status_code)


@dataclass(frozen=True)
class Choice:
    """A reply button or a list row: the id the answer comes back with, and its title."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListSection:
    title: str
    rows: Sequence[Choice]


@dataclass(frozen=True)
class DownloadedMedia:
    content: bytes
    mime_type: str
    sha256: str


class WhatsAppClient:
    """Sends for one business phone number. Every send returns the message's wamid; a 200
    never means delivered (that comes in a status webhook)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        phone_number_id: str,
        api_version: str = DEFAULT_API_VERSION,
        timeout: float = 20.0,
    ) -> None:
        self.phone_number_id = phone_number_id
        self._session = httpx.AsyncClient(timeout=timeout)
        self._wa = WhatsApp(
            phone_id=phone_number_id, token=token, session=self._session, api_version=api_version,
            validate_updates=False,
        )  # fmt: skip
        base = base_url.rstrip("/")
        self._session.base_url = base if _VERSIONED.search(base) else f"{base}/v{api_version}"

    async def close(self) -> None:
        await self._session.aclose()

    async def __aenter__(self) -> WhatsAppClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _call(self, coroutine):  # noqa: ANN001, ANN202 - any pywa call
        try:
            return await coroutine
        except pywa_errors.WhatsAppError as error:
            raise _mapped(error) from error
        except httpx.HTTPStatusError as error:  # a media download answered with no JSON
            status = error.response.status_code
            raise error_for(190 if status == 401 else status, error.response.reason_phrase, http_status=status) from error
        except httpx.TransportError as error:
            raise Unavailable(0, f"no answer from the Cloud API: {error!r}") from error

    # -- messages ----------------------------------------------------------------------------

    async def send_text(self, to: str, text: str, *, reply_to: str | None = None, preview_url: bool = False) -> str:
        sent = await self._call(self._wa.send_message(to=to, text=text, preview_url=preview_url, reply_to_message_id=reply_to))
        return sent.id

    async def send_buttons(
        self, to: str, body: str, choices: Sequence[Choice], *, header: str | None = None, footer: str | None = None
    ) -> str:
        """Up to three reply buttons (titles ≤ 20 characters, unique)."""
        buttons = [Button(title=choice.title, callback_data=choice.id) for choice in choices]
        sent = await self._call(self._wa.send_message(to=to, text=body, header=header, footer=footer, buttons=buttons))
        return sent.id

    async def send_list(
        self,
        to: str,
        body: str,
        button: str,
        sections: Sequence[ListSection],
        *,
        header: str | None = None,
        footer: str | None = None,
    ) -> str:
        """A list (one button ≤ 20 characters opening up to ten rows in all)."""
        section_list = SectionList(
            button_title=button,
            sections=[
                Section(
                    title=section.title,
                    rows=[SectionRow(title=row.title, callback_data=row.id, description=row.description) for row in section.rows],
                )
                for section in sections
            ],
        )
        sent = await self._call(self._wa.send_message(to=to, text=body, header=header, footer=footer, buttons=section_list))
        return sent.id

    async def send_link(self, to: str, body: str, label: str, url: str, *, footer: str | None = None) -> str:
        """A link as a URL button (cta_url)."""
        sent = await self._call(self._wa.send_message(to=to, text=body, footer=footer, buttons=URLButton(title=label, url=url)))
        return sent.id

    async def send_document(
        self, to: str, *, media_id: str | None = None, link: str | None = None, filename: str | None = None, caption: str | None = None
    ) -> str:
        named = {"filename": filename} if filename is not None else {}
        sent = await self._call(self._wa.send_document(to=to, document=_media(media_id, link), caption=caption, **named))
        return sent.id

    async def send_image(self, to: str, *, media_id: str | None = None, link: str | None = None, caption: str | None = None) -> str:
        sent = await self._call(self._wa.send_image(to=to, image=_media(media_id, link), caption=caption))
        return sent.id

    async def send_template(
        self, to: str, name: str, language: str, *, body: Sequence[str] = (), button_payloads: Sequence[str] = ()
    ) -> str:
        """An approved template by name and language, its body's parameters in order and the
        payload each quick-reply button answers with."""
        components: list[dict] = []
        if body:
            components.append({"type": "body", "parameters": [{"type": "text", "text": value} for value in body]})
        components += [
            {"type": "button", "sub_type": "quick_reply", "index": str(index), "parameters": [{"type": "payload", "payload": payload}]}
            for index, payload in enumerate(button_payloads)
        ]
        sent = await self._call(self._wa.send_template(to=to, name=name, language=TemplateLanguage(language), params=components))
        return sent.id

    async def set_commands(self, commands: Sequence[tuple[str, str]]) -> None:
        """The number's "/" command list (one for everyone, at most 30): names and hints."""
        await self._call(self._wa.update_conversational_automation(commands=[Command(name, hint) for name, hint in commands]))

    async def mark_read(self, message_id: str) -> None:
        await self._call(self._wa.mark_message_as_read(message_id))

    # -- media -------------------------------------------------------------------------------

    async def upload(self, content: bytes, *, mime_type: str, filename: str) -> str:
        """Upload a file to send by id; returns the media id."""
        media = await self._call(self._wa.upload_media(media=content, mime_type=mime_type, filename=filename))
        return str(media.id)

    async def download(self, media_id: str) -> DownloadedMedia:
        """An inbound file by its media id. The URL lives minutes: call at once."""
        found = await self._call(self._wa.get_media_url(media_id))
        content = await self._call(self._wa.get_media_bytes(found.url))
        return DownloadedMedia(content, found.mime_type, found.sha256)


def _media(media_id: str | None, link: str | None) -> str:
    if (media_id is None) == (link is None):
        raise ValueError("give exactly one of media_id and link")
    if media_id is not None and not media_id.isdigit():
        raise ValueError("a media id is a number; pywa would read anything else as a file or base64")
    return media_id or str(link)
