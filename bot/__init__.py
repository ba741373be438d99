"""Voces: the domain of the bot (services, models, scheduling, i18n). No Telegram in here."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Find a top-level resource folder (locales, migrations) from any working directory.

    In a checkout or an editable install they sit next to the package; in a wheel they are
    copied into ``bot/_data/``.
    """
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name!r} folder is missing from the installation")
