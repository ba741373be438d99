"""Languages: gettext catalogs through Babel, and dates and numbers in the user's locale.

Source strings (msgids) are English; Spanish is the default language of the bot. Catalogs live
in ``locales/<lang>/LC_MESSAGES/messages.po``; setup compiles them to ``.mo``. Should a compiled
catalog be missing or older than its ``.po`` (a fresh checkout, an edited translation), it is
compiled in memory at start so the bot never speaks from a stale catalog.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from bot import resource_dir
from bot.core.config import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)
DOMAIN = "messages"


GENDERED = ("female", "male")  # the declared sexes a message may agree with (bot.people.models.Sex)


def PN_(context: str, message: str) -> str:
    """Mark a message's version for a `pgettext` context, for extraction only (as N_)."""
    del context
    return message


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (it is translated when shown)."""
    return message


def normalize_language(code: str | None, default: str) -> str:
    """Telegram's language_code ("es-419", "en-US", "pt-br") to a language the bot speaks."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED_LANGUAGES:
            return base
    return default


@cache
def _translations(language: str) -> NullTranslations:
    directory = resource_dir("locales") / language / "LC_MESSAGES"
    po_path, mo_path = directory / f"{DOMAIN}.po", directory / f"{DOMAIN}.mo"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as mo:
            return Translations(mo, domain=DOMAIN)
    if po_path.exists():
        return Translations(io.BytesIO(_compile(po_path)), domain=DOMAIN)
    log.warning("no catalog for %s: showing source strings", language)
    return NullTranslations()


def _compile(po_path: Path) -> bytes:
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


class Translator:
    """Everything a reply needs to speak one language: strings, dates, numbers."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        self.language = language
        self.zone = zone
        self.locale = Locale.parse(language)
        self._catalog = _translations(language)

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._catalog.pgettext(context, message)

    def addressed(self, message: str, sex: str | None) -> str:
        """A message that speaks to the person: in Spanish a word such as "bienvenida" or
        "inscrito" agrees with them, so it has a version per declared sex (a `pgettext` context
        "female" or "male", listed in bot/people/labels.py ADDRESSED); anyone else, or a message with
        no such version, gets its neutral wording."""
        if sex in GENDERED:
            found = self._catalog.pgettext(sex, message)
            if found and found != message:
                return found
        return self._catalog.gettext(message)

    def date(self, value: date, format: str = "long") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        return babel_format_date(value, format=format, locale=self.locale)

    def month_year(self, value: date) -> str:
        return format_skeleton("yMMMM", value, locale=self.locale)

    def datetime(self, value: datetime, format: str = "medium") -> str:
        return babel_format_datetime(value, format=format, tzinfo=self.zone, locale=self.locale)

    def time(self, value: datetime, format: str = "short") -> str:
        return babel_format_time(value, format=format, tzinfo=self.zone, locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, fraction: float) -> str:
        return format_percent(fraction, locale=self.locale)


@cache
def translator(language: str, zone_name: str = "America/Lima") -> Translator:
    return Translator(language, ZoneInfo(zone_name))
