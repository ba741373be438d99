"""Settings, read from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

import difflib
import os
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

SUPPORTED_LANGUAGES = ("es", "en")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one sentence naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    bot_token: str | None = None
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # WhatsApp (Meta's Cloud API): either channel may be configured alone. The channel is on
    # when WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are set; its webhook then needs the app
    # secret (every POST is signed with it) and the verify token (Meta's subscription check).
    whatsapp_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v23.0"
    whatsapp_webhook_listen: str = "0.0.0.0"
    whatsapp_webhook_port: int = Field(default=8444, ge=1, le=65535)
    whatsapp_webhook_path: str = "/whatsapp"
    # Meta's throughput per business number (80 a second by default): broadcasts on WhatsApp are
    # paced at this, apart from Telegram's 30.
    whatsapp_messages_per_second: float = Field(default=80.0, gt=0)
    # Meta's messaging limit: people reached outside their 24-hour window in a moving 24 hours
    # (250 for a new business portfolio, then 2 000, 10 000, 100 000). Broadcast recipients past
    # it wait until it frees up.
    whatsapp_daily_limit: int = Field(default=250, ge=1)
    database_url: str = "sqlite+aiosqlite:///data/voces.sqlite3"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "America/Lima"
    default_language: str = "es"
    log_level: str = "INFO"
    # Identity numbers are encrypted with this key; unset, a key file is created under data/.
    id_encryption_key: str | None = None
    id_key_file: Path = Path("data/id-encryption.key")
    storage_dir: Path = Path("data/files")
    requirements_dir: Path | None = None
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(8, 0)
    reminder_grace_hours: float = Field(default=12.0, ge=0)
    # A tick with nothing due costs about 2 ms (bench/bench_reminders.py); reminders fire within it.
    reminder_interval_seconds: float = Field(default=2.0, gt=0)
    # A broadcast reaching more people than this waits for a second coordinator's approval.
    broadcast_approval_threshold: int = Field(default=200, ge=0)
    # A seat freed in a full training is held this long for the first in line.
    training_claim_hours: float = Field(default=24.0, gt=0)
    # Follow-up: an organization none of whose leaders wrote for this long gets a check-in,
    # and is listed for staff if still silent QUIET_LISTING_DAYS after it.
    quiet_after_days: int = Field(default=45, ge=1)
    quiet_listing_days: int = Field(default=7, ge=1)
    # Retention: replaced or withdrawn uploads, the audit log (with the history of edits to
    # organizations) and settled reminders are deleted past these ages; people who withdrew
    # consent and never came back are erased.
    retention_replaced_upload_days: int = Field(default=180, ge=1)
    retention_audit_days: int = Field(default=730, ge=1)
    retention_reminder_days: int = Field(default=90, ge=1)
    retention_withdrawn_days: int = Field(default=90, ge=1)
    # Set, the bot backs itself up there every night (bot/core/backup.py) and deletes its backups
    # older than BACKUP_KEEP_DAYS, so what someone erased is gone from the backups too by then.
    backup_dir: Path | None = None
    backup_keep_days: int = Field(default=30, ge=1)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be Telegram user ids separated by commas") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known IANA time zone such as America/Lima") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("id_encryption_key")
    @classmethod
    def _fernet_key(cls, value: str | None) -> str | None:
        if value and not _valid_fernet_key(value):
            raise ValueError("is not a valid key: create one with `voces-bot keygen`")
        return value or None

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # People paste the URL their hosting gives them; add the async driver for them.
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            value = "sqlite+aiosqlite://" + value.removeprefix("sqlite://")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be an sqlite:// or postgresql:// URL")
        if value.startswith("sqlite+aiosqlite://") and not value.removeprefix("sqlite+aiosqlite://").strip("/"):
            raise ValueError("must name a database file, for example sqlite:///data/voces.sqlite3")
        return value

    @field_validator("whatsapp_webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or value.rstrip("/") == "":
            raise ValueError("must be a path starting with /, such as /whatsapp")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        # Half a WhatsApp configuration would start a webhook that refuses every message.
        whatsapp = {
            "whatsapp_token": self.whatsapp_token, "whatsapp_phone_number_id": self.whatsapp_phone_number_id,
            "whatsapp_app_secret": self.whatsapp_app_secret, "whatsapp_verify_token": self.whatsapp_verify_token,
        }
        given = [name for name, value in whatsapp.items() if value]
        if given and len(given) < len(whatsapp):
            missing = next(name for name, value in whatsapp.items() if not value)
            raise ValueError(f"{missing.upper()} must be set too when {given[0].upper()} is (the WhatsApp channel needs all four)")
        if given and self.bot_token and self.webhook_url and self.webhook_port == self.whatsapp_webhook_port:
            raise ValueError("WHATSAPP_WEBHOOK_PORT must differ from WEBHOOK_PORT (each channel's webhook has its own server)")
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_token and self.whatsapp_phone_number_id)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def webhook_addresses(self) -> list[tuple[str, int]]:
        """Where this instance's webhook servers listen: none when Telegram polls and WhatsApp is off."""
        addresses = [(self.webhook_listen, self.webhook_port)] if self.telegram_enabled and self.webhook_url else []
        if self.whatsapp_enabled:
            addresses.append((self.whatsapp_webhook_listen, self.whatsapp_webhook_port))
        return addresses

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def training_claim(self) -> timedelta:
        """How long a freed seat is held for the first in line."""
        return timedelta(hours=self.training_claim_hours)


def _check_env_file_keys(env_file: object) -> None:
    """A misspelled key in .env (BOT_TOKN) would be ignored silently: name it instead."""
    if not isinstance(env_file, (str, Path)) or not Path(env_file).is_file():
        return
    from dotenv import dotenv_values

    known = {name.upper() for name in Settings.model_fields}
    for key in dotenv_values(env_file):
        if key.upper() not in known:
            close = difflib.get_close_matches(key.upper(), sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise SettingsError(f"The setting {key} in {env_file} is not one Voces knows{hint}.")


def home_directory() -> Path:
    """The one base of every relative path, and where `.env` is read from.

    VOCES_HOME when set; else the source checkout this code runs from (the folder holding
    pyproject.toml, so `voces-bot` finds the repository's .env, database and key from any
    directory); else, for an installed package, the current directory.
    """
    home = os.environ.get("VOCES_HOME")
    if home:
        return Path(home).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "bot" / "core" / "config.py").is_file():
        return checkout
    return Path.cwd()


def _anchored(settings: Settings, home: Path) -> Settings:
    """Relative paths in the settings, made absolute against `home`."""

    def under_home(path: Path | None) -> Path | None:
        return None if path is None else path if path.is_absolute() else home / path

    changes: dict[str, object] = {
        "id_key_file": under_home(settings.id_key_file),
        "storage_dir": under_home(settings.storage_dir),
        "requirements_dir": under_home(settings.requirements_dir),
        "backup_dir": under_home(settings.backup_dir),
    }
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        if not database.is_absolute():
            changes["database_url"] = url.set(database=str(home / database)).render_as_string(hide_password=False)
    return settings.model_copy(update=changes)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one sentence that names the setting.

    `.env` is read from the home directory (see `home_directory`), and relative paths are taken
    from there too, so where the command is started from does not matter.
    """
    home = home_directory()
    overrides.setdefault("_env_file", home / ".env")
    _check_env_file_keys(overrides["_env_file"])
    try:
        return _anchored(Settings(**overrides), home)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings names its setting in the message
            raise SettingsError(f"The setting {message}.") from None
        name = str(first["loc"][0]).upper()
        raise SettingsError(f"The setting {name} {message}.") from None


def _valid_fernet_key(key: str) -> bool:
    """A key Fernet accepts (checked here, so the settings need nothing of `bot.core.crypto`)."""
    try:
        Fernet(key)
    except (ValueError, TypeError):
        return False
    return True
