"""Where the bot keeps personal data, and folders and files only their owner can read.

The database, the documents and the key are created private; the start-up log says where each
one is (`log_where_data_lives`). Everything the bot keeps may carry personal data, so what it creates is private from the start
(folders 0700, files 0600) instead of tightened afterwards, when a backup or another account
on the machine may already have read it. Folders and files that already exist are left as
they are: whoever made them chose their modes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import Settings

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create `path` and any missing parent as 0700 (`mkdir(parents=True)` would give the
    parents the default mode)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # made meanwhile by another process
            continue


def private_file(path: Path) -> None:
    """Create an empty `path` as 0600 unless it exists (its folder is made private first)."""
    private_folder(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def log_where_data_lives(settings: Settings) -> None:
    """Say at start-up where the database, the documents and the key are.

    Two things are warnings: a key file beside the data, which protects nothing against
    whoever copies the data folder (a backup, a stolen disk, a shared host) since they get the
    key with it; and a database, folder or key that others on the machine can read (made
    before the bot created them private, say).
    """
    url = make_url(settings.database_url)
    database = Path(url.database).resolve() if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") else None
    if database is not None:
        log.info("database: SQLite file %s", database)
    else:
        log.info("database: %s", url.render_as_string(hide_password=True))
    storage = settings.storage_dir.resolve()
    log.info("documents: %s (encrypted with the identity-number key)", storage)
    private = [storage]
    if database is not None:
        private.append(database)
    if settings.id_encryption_key:
        log.info("identity-number key: from ID_ENCRYPTION_KEY (the environment), not stored with the data")
    else:
        key_file = settings.id_key_file.resolve()
        private.append(key_file)
        beside = {storage.parent} | ({database.parent} if database is not None else set())
        if any(key_file.is_relative_to(folder) for folder in beside):
            log.warning(
                "identity-number key: the key file %s sits beside the data, so whoever copies the "
                "data folder also has the key that decrypts identity numbers and documents. In "
                "production set ID_ENCRYPTION_KEY in the environment (or from a secrets store) "
                "and keep the key away from the database and its backups.",
                key_file,
            )
        else:
            log.info("identity-number key: key file %s (ID_KEY_FILE), away from the data", key_file)
    for path in private:
        if path.exists() and path.stat().st_mode & 0o077:
            log.warning(
                "%s can be read by other users of this machine (mode %o): chmod %s it",
                path, path.stat().st_mode & 0o777, "700" if path.is_dir() else "600",
            )
