#!/usr/bin/env python3
"""Set everything up, then run the bot or the tests. Needs only Python 3.11+.

    python3 dev.py run [--port 8099]   # the bot (without BOT_TOKEN: the local playground)
    python3 dev.py test [pytest args]  # the whole test suite (a worker per core: -n 0 for one)
    python3 dev.py bench               # the benchmarks
    python3 dev.py setup               # only set up
    python3 dev.py lock                # refresh constraints.txt to the newest allowed versions
    python3 dev.py <voces-bot command> # e.g. `python3 dev.py db upgrade`, `python3 dev.py keygen`

Setup is idempotent: a virtual environment in .venv with the project installed (editable, with
the postgres and dev extras) at the versions pinned in constraints.txt, and the translation
catalogs compiled. The `voces-bot` command itself lives in .venv/bin (activate the venv with
`. .venv/bin/activate`, or call it through this script).
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
CONSTRAINTS = ROOT / "constraints.txt"
VOCES_BOT_COMMANDS = ("playground", "db", "i18n", "keygen", "files", "backup", "restore")


def run(*command: str | Path, **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def setup(*, constrained: bool = True) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older Python
        sys.exit("Voces needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes()).hexdigest()
    if not constrained or not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing Voces and its dependencies ...", flush=True)
        pins = ["-c", str(CONSTRAINTS)] if constrained else ["--upgrade"]
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", *pins, "-e", ".[postgres,dev]")
        STAMP.write_text(wanted if constrained else "")
    run(BIN / "voces-bot", "i18n", "compile")


def workers(pytest_args: list[str]) -> list[str]:
    """The suite waits on the bot and the databases much of the time: one pytest-xdist worker
    per core, up to four, unless the caller chose (`-n 0` runs in one process). Each worker
    runs its own bots, emulator and databases; on PostgreSQL a bot may hold 30 connections, so
    the server wants about 60 per worker (`.ci/run` allows 300)."""
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) for arg in pytest_args):
        return []
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return ["-n", str(min(cores, 4))]


def lock() -> None:
    """Install the newest versions pyproject.toml allows, then pin them in constraints.txt."""
    setup(constrained=False)
    frozen = subprocess.run(
        [str(BIN / "python"), "-m", "pip", "freeze", "--exclude-editable"],
        check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout
    lines = [line for line in frozen.splitlines() if line and not line.startswith(("-e ", "voces-bot"))]
    header = "# Versions CI and `python3 dev.py` install. Refresh with `python3 dev.py lock`.\n"
    CONSTRAINTS.write_text(header + "\n".join(lines) + "\n")
    STAMP.unlink(missing_ok=True)
    print(f"wrote {CONSTRAINTS.name} ({len(lines)} packages)")


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else "run"
    extra = sys.argv[2:]
    if action in ("-h", "--help", "help"):
        print(__doc__)
        return
    known = ("run", "test", "bench", "setup", "lock", *VOCES_BOT_COMMANDS)
    if action not in known:
        sys.exit(f"unknown action {action!r}: use {', '.join(known)} (or --help)")
    if action == "lock":
        lock()
        return
    setup()
    if action == "run":
        os.execv(BIN / "voces-bot", [str(BIN / "voces-bot"), "run", *extra])
    elif action == "test":
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *workers(extra), *extra])
    elif action == "bench":
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "bench", *extra])
    elif action in VOCES_BOT_COMMANDS:
        os.execv(BIN / "voces-bot", [str(BIN / "voces-bot"), action, *extra])


if __name__ == "__main__":
    main()
