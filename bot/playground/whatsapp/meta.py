"""Meta's side of the contract: the Cloud API's limits, error codes and error answers.

Numbers from ``shared/reference/whatsapp.md`` (Meta's developer documentation). Every error the
stand-in answers has Meta's shape::

    {"error": {"message": "(#131009) Parameter value is not valid", "type": "OAuthException",
               "code": 131009, "error_data": {"messaging_product": "whatsapp", "details": "…"},
               "fbtrace_id": "A…"}}
"""

from __future__ import annotations

import secrets
from typing import Any

JsonDict = dict[str, Any]

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_CAPTION = 1024
MAX_HEADER_TEXT = 60
MAX_FOOTER = 60
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_LIST_SECTIONS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_SECTION_TITLE = 24
MAX_LIST_BUTTON = 20
MAX_CTA_DISPLAY_TEXT = 20
MAX_TEMPLATE_BODY = 1024

WINDOW_HOURS = 24
MEDIA_URL_MINUTES = 5
DEFAULT_MESSAGES_PER_SECOND = 80.0
# Meta's pair rate: a burst of about 45 messages to one person, then one every 6 seconds.
DEFAULT_PAIR_BURST = 45
DEFAULT_PAIR_WINDOW_SECONDS = 6.0

# Media kinds the messages endpoint takes, with the formats and sizes WhatsApp accepts.
MEDIA_LIMITS: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/jpeg", "image/png"}), 5 * 1024 * 1024),
    "document": (
        frozenset(
            {
                "text/plain", "application/pdf", "application/msword",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.ms-excel",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.ms-powerpoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                # Voces sends calendars as documents; WhatsApp passes any type as a document.
                "text/calendar", "application/octet-stream", "application/zip", "text/csv",
                "application/json",
            }
        ),
        100 * 1024 * 1024,
    ),
    "audio": (frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}), 16 * 1024 * 1024),
    "video": (frozenset({"video/mp4", "video/3gpp"}), 16 * 1024 * 1024),
    "sticker": (frozenset({"image/webp"}), 500 * 1024),
}  # fmt: skip

# Error codes (see the reference's table).
AUTH = 190
INVALID_PARAMETER = 100
BAD_PARAMETER = 131009
MISSING_PARAMETER = 131008
UNDELIVERABLE = 131026
OUTSIDE_WINDOW = 131047
SPAM_RATE = 131048
MARKETING_LIMIT = 131049
UNSUPPORTED_TYPE = 131051
MEDIA_UPLOAD = 131053
PAIR_RATE = 131056
THROUGHPUT = 130429
TEMPLATE_PARAMETERS = 132000
NO_TEMPLATE = 132001

TITLES = {
    AUTH: "Invalid OAuth access token - Cannot parse access token",
    INVALID_PARAMETER: "Invalid parameter",
    BAD_PARAMETER: "Parameter value is not valid",
    MISSING_PARAMETER: "Required parameter is missing",
    UNDELIVERABLE: "Message undeliverable",
    OUTSIDE_WINDOW: "Re-engagement message",
    SPAM_RATE: "Spam rate limit hit",
    MARKETING_LIMIT: "Per-user marketing message limit hit",
    UNSUPPORTED_TYPE: "Message type unknown",
    MEDIA_UPLOAD: "Media upload error",
    PAIR_RATE: "(Business Account, Consumer Account) pair rate limit hit",
    THROUGHPUT: "Rate limit hit",
    TEMPLATE_PARAMETERS: "Number of parameters does not match the expected number of params",
    NO_TEMPLATE: "Template name does not exist in the translation",
}
WINDOW_DETAILS = (
    "Message failed to send because more than 24 hours have passed since the customer last "
    "replied to this number."
)
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)


class GraphApiError(Exception):
    """An error answer of the Graph API: HTTP status and Meta's error object."""

    def __init__(self, code: int, details: str = "", *, status: int = 400, message: str | None = None) -> None:
        self.code = code
        self.details = details
        self.status = status
        self.message = message or f"(#{code}) {TITLES.get(code, 'Error')}"
        super().__init__(f"{self.message}: {details}" if details else self.message)

    def as_json(self) -> JsonDict:
        return {
            "error": {
                "message": self.message,
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": fbtrace_id(),
            }
        }


def bad(details: str) -> GraphApiError:
    """131009, the answer to a value out of WhatsApp's limits."""
    return GraphApiError(BAD_PARAMETER, details)


def missing(details: str) -> GraphApiError:
    return GraphApiError(MISSING_PARAMETER, details)


def unauthorized() -> GraphApiError:
    return GraphApiError(AUTH, "", status=401, message=TITLES[AUTH])


def no_object(object_id: str) -> GraphApiError:
    """Graph's answer about an id it does not know (a phone number id, a media id)."""
    return GraphApiError(
        INVALID_PARAMETER,
        "",
        message=(
            f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation."
        ),
    )


def status_error(code: int, details: str = "") -> JsonDict:
    """An entry of ``statuses[].errors`` in a ``failed`` status webhook."""
    title = TITLES.get(code, "Error")
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or title},
        "href": ERROR_HREF,
    }
