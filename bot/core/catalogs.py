"""Maintaining the translation catalogs (developer commands behind `voces-bot i18n`).

English is the source language, so the English catalog's translations equal the msgids; they
are filled in here so that both catalogs are complete and nothing falls through untranslated.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot import resource_dir
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import DOMAIN

SOURCE_LANGUAGE = "en"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    locales = resource_dir("locales")
    root = locales.parent
    template = locales / f"{DOMAIN}.pot"
    previous = Path.cwd()
    os.chdir(root)
    try:
        _pybabel("extract", "-F", "babel.cfg", "-k", "N_", "-k", "PN_:1c,2", "-k", "addressed", "-k", "plural:1,2", "--no-location", "--sort-output",
                 "--project", "voces-bot", "-o", str(template), ".")
    finally:
        os.chdir(previous)
    for language in SUPPORTED_LANGUAGES:
        po = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            _pybabel("update", "-i", str(template), "-d", str(locales), "-D", DOMAIN, "-l", language,
                     "--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap")
        else:
            _pybabel("init", "-i", str(template), "-d", str(locales), "-D", DOMAIN, "-l", language, "--no-wrap")
    _fill_source_language(locales / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po")


def _fill_source_language(po_path: Path) -> None:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=SOURCE_LANGUAGE)
    for message in catalog:
        if isinstance(message.id, tuple):  # plural forms: English has two, singular and plural
            if not all(message.string or ("",)):
                message.string = tuple(message.id)
        elif message.id and not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)


def compile_all() -> None:
    _pybabel("compile", "-d", str(resource_dir("locales")), "-D", DOMAIN)


def problems() -> list[str]:
    """Untranslated or fuzzy entries, per catalog."""
    found = []
    for language in SUPPORTED_LANGUAGES:
        po_path = resource_dir("locales") / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            found.append(f"{po_path}: missing")
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{language}: untranslated: {message.id!r}")
            if message.fuzzy:
                found.append(f"{language}: fuzzy: {message.id!r}")
    return found


def run(command: str) -> int:
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    else:
        listed = problems()
        for line in listed:
            print(line, file=sys.stderr)
        return 1 if listed else 0
    return 0
