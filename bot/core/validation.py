"""Turning what a leader typed into clean values, or saying precisely what a good answer is.

Every parser returns a clean value or raises `InvalidInput` carrying an English msgid and its
parameters; the chat layer translates it with ``_(error.message) % error.params``. No parser
formats prose itself.

Decisions worth knowing:
- Dates are read day first (15/03/2021), as written in Peru and Venezuela. Years need four
  digits, so "15/03/21" is refused with a message asking for the full year.
- Board term dates (`parse_date`) need the day: the election acta and the board nómina give
  exact start and end dates, and renewal reminders need a day to fire on.
- Phones: any valid number of any country is accepted, because members keep Venezuelan,
  Colombian or other lines. Without a country code a number is read as Peruvian and, when it
  is not a valid Peruvian number, as Venezuelan, so "0412 1234567" (the Venezuelan national way,
  leading 0) and "58 412 1234567" work without the "+".
- Identity numbers: DNI (8 digits) and CSR (9 digits, per peru.md) are checked exactly; CE,
  CPP, PTP and passports are only checked leniently (6 to 12 letters and digits, at least one
  digit) because no official format was confirmed: sources disagree on the CE (9 digits, or up
  to 12 letters and digits).
- Free text (`clean_text`, behind every parser here): NFC, and no control characters, NUL,
  zero-width or bidi characters. Nobody means to type them; a NUL fails the statement on
  PostgreSQL and a U+202E turns a name around in staff's lists. Zero-width joiners go too, so
  an emoji family typed into a name shows as its members.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

import phonenumbers

from bot.core.i18n import N_


class InvalidInput(ValueError):
    """What the person typed cannot be used; `message` says what a valid answer looks like."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# ---------------------------------------------------------------------------------------------
# Dates

FIRST_YEAR = 1900

# Spanish (with Peru's "setiembre") and English names, and the abbreviations people write.
_MONTH_NAMES = (
    ("enero", "january", "ene", "jan"),
    ("febrero", "february", "feb"),
    ("marzo", "march", "mar"),
    ("abril", "april", "abr", "apr"),
    ("mayo", "may"),
    ("junio", "june", "jun"),
    ("julio", "july", "jul"),
    ("agosto", "august", "ago", "aug"),
    ("septiembre", "setiembre", "september", "sep", "sept", "set"),
    ("octubre", "october", "oct"),
    ("noviembre", "november", "nov"),
    ("diciembre", "december", "dic", "dec"),
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

_SEPARATOR = r"\s*[/.\-]\s*"
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d+)")
_ISO_DATE = re.compile(rf"(\d{{4}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,2}})")
_MONTH_YEAR = re.compile(rf"(\d{{1,2}}){_SEPARATOR}(\d+)")
_DIGITS = re.compile(r"\d+")
# Words between the parts of a written date: "15 de marzo de 2021", "March 15, 2021".
_DATE_FILLER_WORDS = frozenset({"de", "del", "of", "the"})

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year (founding dates often are)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        self.as_date()  # raises ValueError for a day or month that does not exist

    def as_date(self) -> date:
        """The first day of the period: March 2021 → 2021-03-01, 2021 → 2021-01-01."""
        month = 1 if self.month is None else self.month
        return date(self.year, month, 1 if self.day is None else self.day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"


def parse_past_date(text: str, *, today: date) -> PartialDate:
    """A date on or before today, to the day, the month or the year.

    Accepts "15/03/2021", "15-03-2021", "15.3.2021", "2021-03-15", "15 de marzo de 2021",
    "marzo 2021", "mar 2021", "March 2021", "03/2021" and "2021".
    """
    partial = _parse_partial_date(text)
    if partial.as_date() > today:
        raise InvalidInput(
            N_(
                "That date is in the future. Send a date that has already passed, "
                "for example 15/03/2021, March 2021 or 2021."
            )
        )
    return partial


def parse_date(text: str) -> date:
    """A full date with its day, such as the start or end of a board's term (future allowed)."""
    partial = _parse_partial_date(text)
    if partial.precision != "day":
        raise InvalidInput(
            N_("Send the full date, with the day, month and year, for example 15/03/2027.")
        )
    return partial.as_date()


# A board's term, as organizations elect them: it began at most this many years ago, and lasts
# at most this many (Peru's OSB and OSV elect boards for one to four years).
TERM_STARTED_YEARS_MAX = 6
TERM_YEARS_MAX = 6
# Members of one board (a board list for the registry names a handful; forty is far past any).
BOARD_MAX = 40
BOARD_FULL = N_("A board has at most %(maximum)s members in Voces, and this one has them all.")


def day_text(day: date) -> str:
    """A day as parse_date reads it back in every language: 05/12/2026."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def parse_date_within(text: str, *, first: date, last: date) -> date:
    """A full date from `first` to `last` (a report's period); the refusal names both."""
    day = parse_date(text)
    if not first <= day <= last:
        raise InvalidInput(N_("That date is outside this report's period. Send a date from %(first)s to %(last)s."),
                           first=day_text(first), last=day_text(last))
    return day


def check_term_dates(start: date, end: date) -> None:
    """A board's term must end after it starts, and within TERM_YEARS_MAX years."""
    if end <= start:
        raise InvalidInput(
            N_("The term must end after it starts. Send an end date later than the start date.")
        )
    check_between(end, earliest=start, latest=years_after(start, TERM_YEARS_MAX), message=N_(
        "A board's term lasts at most %(years)s years: send an end date from %(earliest)s to %(latest)s."),
        years=TERM_YEARS_MAX)


def check_term_start(start: date, *, today: date) -> None:
    """A current board's term began at most TERM_STARTED_YEARS_MAX years ago, and within a year."""
    check_between(start, earliest=years_after(today, -TERM_STARTED_YEARS_MAX), latest=years_after(today, 1), message=N_(
        "Send the start of the current board's term, from %(earliest)s to %(latest)s."))


def years_after(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_between(day: date, *, earliest: date, latest: date, message: str, **params: object) -> date:
    """`day`, when it is from `earliest` to `latest`; otherwise `message` (which may name both,
    written the way people type dates) is refused with it."""
    if not earliest <= day <= latest:
        raise InvalidInput(message, earliest=f"{earliest:%d/%m/%Y}", latest=f"{latest:%d/%m/%Y}", **params)
    return day


def _parse_partial_date(text: str) -> PartialDate:
    year, month, day = _read_date_parts(fold_text(clean_text(text)))
    if year < FIRST_YEAR:
        raise InvalidInput(
            N_(
                "The year must be %(first_year)s or later. Check the year and send the date again, for example 15/03/2021."
            ),
            first_year=FIRST_YEAR,
        )
    try:
        return PartialDate(year, month, day)
    except (ValueError, OverflowError):
        raise InvalidInput(
            N_(
                "That date does not exist in the calendar. Check the day and the month, for example 15/03/2021."
            )
        ) from None


def _read_date_parts(text: str) -> tuple[int, int | None, int | None]:
    """(year, month, day) as written, not yet checked against the calendar."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
        return int(year), int(month), int(day)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = match.groups()
        return _four_digit_year(year), int(month), int(day)
    if match := _MONTH_YEAR.fullmatch(text):
        month, year = match.groups()
        return _four_digit_year(year), int(month), None
    if _DIGITS.fullmatch(text):
        return _four_digit_year(text), None, None
    return _read_written_date(text)


def _read_written_date(text: str) -> tuple[int, int | None, int | None]:
    words = [w for w in re.sub(r"[,.]", " ", text).split() if w not in _DATE_FILLER_WORDS]
    month_positions = [i for i, word in enumerate(words) if word in _MONTHS]
    numbers = [word for word in words if _DIGITS.fullmatch(word)]
    if len(month_positions) != 1 or len(numbers) != len(words) - 1 or words[-1] not in numbers:
        raise _unreadable_date()
    month = _MONTHS[words[month_positions[0]]]
    if len(words) == 2 and month_positions == [0]:  # "marzo 2021"
        return _four_digit_year(words[-1]), month, None
    if len(words) == 3 and len(numbers[0]) <= 2:  # "15 marzo 2021" or "March 15 2021"
        return _four_digit_year(words[-1]), month, int(numbers[0])
    raise _unreadable_date()


def _four_digit_year(digits: str) -> int:
    if len(digits) != 4:
        raise InvalidInput(N_("Write the year with four digits, for example 15/03/2021 or 2021."))
    return int(digits)


def _unreadable_date() -> InvalidInput:
    return InvalidInput(
        N_("I could not read that date. Send it like 15/03/2021, March 2021 or 2021.")
    )


# ---------------------------------------------------------------------------------------------
# Counts

# "1.200", "1,200" and "1 200" all mean twelve hundred; groups must have exactly three digits.
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*")
_NEGATIVE_NUMBER = re.compile(r"-\s*\d[\d.,\s]*")
_DECIMAL_NUMBER = re.compile(r"\d*[.,]\d+")


def parse_count(text: str, *, maximum: int = 100_000) -> int:
    """A whole number of people, sessions, … from 0 to `maximum`."""
    cleaned = clean_text(text)
    if _DIGITS.fullmatch(cleaned) or _GROUPED_NUMBER.fullmatch(cleaned):
        count = int(re.sub(r"\D", "", cleaned))
    elif _NEGATIVE_NUMBER.fullmatch(cleaned):
        raise InvalidInput(
            N_("The number cannot be negative. Send a whole number, for example 12.")
        )
    elif _DECIMAL_NUMBER.fullmatch(cleaned):
        raise InvalidInput(N_("Send a whole number, without decimals, for example 12."))
    else:
        raise InvalidInput(N_("Send the number in digits, for example 12."))
    if count > maximum:
        raise InvalidInput(
            N_("That number is too large. Send a number from 0 to %(maximum)s."), maximum=maximum
        )
    return count


# ---------------------------------------------------------------------------------------------
# Numbers that arrive in callback data

# Ids are INTEGER columns: 64 bits on SQLite, but 32 on PostgreSQL. A number past what the
# database holds names no row, and asking for it would fail the statement (an overflow).
ID_MAX = 2**31 - 1
TELEGRAM_ID_MAX = 2**63 - 1  # Telegram's ids are BIGINT columns
_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also takes "²" and "١"


def parse_id(text: str | None, *, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """A record's id, a page or a position carried by a button or a command (`minimum` to
    `maximum`), or None: a number past what the database holds names nothing there."""
    if text is None or not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


# ---------------------------------------------------------------------------------------------
# Phones

HOME_REGION = "PE"
# Most members who are not Peruvian write their Venezuelan number the national way.
SECOND_REGION = "VE"


def parse_phone(text: str) -> str:
    """A valid phone number of any country, in E.164 ("+51987654321").

    Spaces, dashes, dots and parentheses are fine. Without a country code the number is read
    as Peruvian and, failing that, as Venezuelan.
    """
    text = clean_text(text)
    for region in (HOME_REGION, SECOND_REGION):
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidInput(
        N_(
            "That is not a valid phone number. Send a Peruvian number such as 987 654 321, "
            "or include the country code, for example +58 412 1234567."
        )
    )


def format_phone_for_display(e164: str) -> str:
    """A stored number as people read it: "+51987654321" → "+51 987 654 321"."""
    number = phonenumbers.parse(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# ---------------------------------------------------------------------------------------------
# Identity documents


class IdDocumentType(StrEnum):
    """Documents board members hold; values are the codes in the reference table (peru.md 1.3)."""

    DNI = "DNI"
    CE = "CE"
    CPP = "CPP"
    PTP = "PTP"
    PASSPORT = "PAS"
    VE_CEDULA = "CI-VE"
    REFUGEE_APPLICANT = "CSR"


@dataclass(frozen=True)
class _IdNumberRule:
    pattern: re.Pattern[str]
    message: str


# Letters and digits with at least one digit: no official format was confirmed for these.
_LENIENT_ID = re.compile(r"(?=.*\d)[A-Z0-9]{6,12}")

_ID_NUMBER_RULES: dict[IdDocumentType, _IdNumberRule] = {
    IdDocumentType.DNI: _IdNumberRule(
        re.compile(r"\d{8}"),
        N_("A DNI number has exactly 8 digits, for example 45678912. Send it again."),
    ),
    IdDocumentType.CE: _IdNumberRule(
        _LENIENT_ID,
        N_(
            "Send the carné de extranjería number as printed on the card: 6 to 12 letters and digits, for example 001234567."
        ),
    ),
    IdDocumentType.CPP: _IdNumberRule(
        _LENIENT_ID,
        N_(
            "Send the CPP number as printed on the card: 6 to 12 letters and digits, for example 001234567."
        ),
    ),
    IdDocumentType.PTP: _IdNumberRule(
        _LENIENT_ID,
        N_(
            "Send the PTP number as printed on the card: 6 to 12 letters and digits, for example 001234567."
        ),
    ),
    IdDocumentType.PASSPORT: _IdNumberRule(
        _LENIENT_ID,
        N_(
            "Send the passport number as printed in the passport: 6 to 12 letters and digits, for example 123456789."
        ),
    ),
    IdDocumentType.VE_CEDULA: _IdNumberRule(
        re.compile(r"\d{6,9}"),
        N_("A Venezuelan cédula number has 6 to 9 digits, for example V-12345678. Send it again."),
    ),
    IdDocumentType.REFUGEE_APPLICANT: _IdNumberRule(
        re.compile(r"\d{9}"),
        N_(
            "A refugee applicant card (CSR) number has exactly 9 digits, for example 123456789. Send it again."
        ),
    ),
}

# The cédula's letter says Venezuelan (V) or foreign resident (E); the number alone identifies it.
_CEDULA_PREFIX = re.compile(r"^[VE](?=\d)")


def normalize_id_number(doc_type: IdDocumentType, text: str) -> str:
    """The number without spaces, dots or dashes, in capitals, checked against the type's format."""
    number = re.sub(r"[\s.\-]", "", clean_text(text)).upper()
    if doc_type is IdDocumentType.VE_CEDULA:
        number = _CEDULA_PREFIX.sub("", number, count=1)
    rule = _ID_NUMBER_RULES[doc_type]
    if not rule.pattern.fullmatch(number):
        raise InvalidInput(rule.message)
    return number


def mask_id_number(number: str) -> str:
    """Show only the last four characters: "45678912" → "****8912"; short numbers → "****"."""
    return "****" + (number[-4:] if len(number) > 4 else "")


# ---------------------------------------------------------------------------------------------
# Free text


# Characters nobody means to type into a name or an answer: controls (NUL fails a statement
# on PostgreSQL), zero-width spaces and joiners, bidi marks, embeddings, overrides and isolates
# (U+202E would turn a name around in staff's lists), word joiners and the byte order mark.
# Whitespace controls (tab, line breaks) are kept here and tidied like spaces.
_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85")
_INVISIBLE = {
    code: None
    for code in (
        *range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, *range(0x200B, 0x2010),
        *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF,
    )
    if chr(code) not in _WHITESPACE_CONTROLS
}  # fmt: skip
# Letters that show as blank space (Hangul fillers, the blank Braille pattern): kept, since they
# are letters, but a name made only of them is as empty as one made of nothing.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """What a person typed, fit to store and show: NFC, no invisible characters, tidy spaces.

    Runs of spaces become one space and the ends are trimmed; with `multiline`, line breaks
    stay (at most one blank line in a row), otherwise they become spaces too.
    """
    visible = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    if not multiline:
        return " ".join(visible.split())
    lines = [" ".join(line.split()) for line in visible.splitlines()]
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidied.strip("\n")


def has_visible_characters(text: str) -> bool:
    return any(not c.isspace() and c not in _BLANK_LETTERS for c in text)


def parse_text(text: str, *, field_max: int, min_length: int = 1, multiline: bool = False) -> str:
    """Text cleaned by `clean_text`; refused when empty, only invisible, too short or too long."""
    cleaned = clean_text(text, multiline=multiline)
    if not has_visible_characters(cleaned):
        if text.strip():
            raise InvalidInput(
                N_(
                    "I cannot see any letters or digits in that: it is made only of invisible characters. "
                    "Please write the answer again."
                )
            )
        raise InvalidInput(N_("The message is empty. Send the answer as text."))
    if len(cleaned) < min_length:
        raise InvalidInput(
            N_("That is too short. Send at least %(minimum)s characters."), minimum=min_length
        )
    if len(cleaned) > field_max:
        raise InvalidInput(
            N_(
                "That is too long: the limit is %(limit)s characters and yours has %(length)s. Send a shorter version."
            ),
            limit=field_max,
            length=len(cleaned),
        )
    return cleaned


def fold_text(text: str) -> str:
    """Lowercase without accents, single spaces: " Breña  Setiembre" → "brena setiembre"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
