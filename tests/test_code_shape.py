"""The house rules the code keeps: lint clean, no Telegram in the domain, complete catalogs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core import catalogs
from bot.core.config import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing_including_telegram_imports_in_the_domain():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "bot", "handlers", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_message_in_the_code_is_translated_in_every_language():
    in_code = set()
    method_map = [("bot/**.py", "python"), ("handlers/**.py", "python")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        in_code.add(message if isinstance(message, str) else message[0])
    assert len(in_code) > 100, "the extraction found no messages: check the method map"
    for language in SUPPORTED_LANGUAGES:
        with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
        missing = sorted(in_code - translated)
        assert not missing, f"{language}: {len(missing)} untranslated, first: {missing[:5]}"
    assert catalogs.problems() == []


def test_the_whatsapp_channel_imports_nothing_of_telegram_nor_of_telegrams_handlers():
    """WhatsApp renders the domain's screens itself (reminders and notices included,
    bot/messaging/reminder_screens.py): no module of handlers/whatsapp/ imports the Telegram
    library or the Telegram side of an area, not even inside a function."""
    allowed = ("handlers.whatsapp", "handlers.health")
    found = []
    for path in sorted((ROOT / "handlers" / "whatsapp").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                if name.split(".")[0] == "telegram" or (name.startswith("handlers") and not name.startswith(allowed)):
                    found.append(f"{path.name}: {name}")
    assert found == []
