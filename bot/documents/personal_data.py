"""/mydata's file: everything held on a person, as JSON (portable, every record) and as a
readable text (the same summary the chat shows, without HTML)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def as_json(records: dict[str, list[dict[str, Any]]], *, generated_at: str) -> bytes:
    document = {"generated_at": generated_at, "records": records}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, default=str).encode()


def as_text(summary_html: str) -> bytes:
    """The chat's summary (Telegram HTML) as plain text a phone opens."""
    return html.unescape(_TAG.sub("", summary_html)).strip().encode() + b"\n"
