#!/usr/bin/env python3
"""Set everything up, then run the bot or the tests. Needs only Python 3.11+.

    python3 dev.py run      # the bot (without BOT_TOKEN: the local playground in a browser)
    python3 dev.py test     # the whole test suite
    python3 dev.py bench    # the benchmarks

Setup is idempotent: a virtual environment in .venv with the project installed (editable, with
the postgres and dev extras) and the translation catalogs compiled.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".voces-installed"


def run(*command: str | Path, **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older Python
        sys.exit("Voces needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Voces and its dependencies ...", flush=True)
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[postgres,dev]")
        STAMP.write_text(wanted)
    run(BIN / "voces-bot", "i18n", "compile")


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else "run"
    extra = sys.argv[2:]
    setup()
    if action == "run":
        os.execv(BIN / "voces-bot", [str(BIN / "voces-bot"), "run", *extra])
    elif action == "test":
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *extra])
    elif action == "bench":
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "bench", *extra])
    elif action != "setup":
        sys.exit(f"unknown action {action!r}: use run, test, bench or setup")


if __name__ == "__main__":
    main()
