"""Backups while the bot runs, and putting one back (`voces-bot backup FOLDER`, `voces-bot restore ARCHIVE`).

One archive, `voces-backup-<UTC time>.tar.gz`, readable by its owner only (0600):

- `database/voces.sqlite3`: the SQLite database as one consistent snapshot, taken with SQLite's
  online backup while the bot goes on writing (copying the file instead can catch half a write,
  or miss what is still in the write-ahead log). On PostgreSQL the database is `pg_dump`'s to
  back up; the archive then holds the documents only, and says so.
- `files/…`: every stored document as it is on disk, already encrypted with the identity-number
  key. Stored files never change (their name is their content's hash) and are written before
  the row naming them is committed, so every document the snapshot names is there, unless it
  was erased (or was past retention) between the snapshot and the copy: then it is gone on
  purpose, and the count says so.
- `manifest.json`: when, which schema revision, how many files.

The key is not in the archive, on purpose: whoever holds both reads everything. Keep it apart
(the README says how). A backup also keeps people who have since erased their data until the
backup itself is deleted: keep backups no longer than you need them.

With BACKUP_DIR set the bot takes one every night and deletes those older than
BACKUP_KEEP_DAYS (handlers/backups.py).

Restoring writes the database and the documents where the settings say, into a home with
neither (it never overwrites), with the bot stopped; the next `voces-bot run` upgrades an older
schema as usual.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.private import FILE_MODE, private_folder

ARCHIVE_STAMP = "voces-backup-%Y%m%d-%H%M%S.tar.gz"  # in UTC
DATABASE_MEMBER = "database/voces.sqlite3"
FILES_FOLDER = "files"
MANIFEST_MEMBER = "manifest.json"


class BackupRefused(Exception):
    """Why a backup or a restore cannot be done, in one sentence for the operator."""


@dataclass(frozen=True)
class BackupReport:
    archive: Path
    database_included: bool  # False on PostgreSQL: pg_dump's job
    files: int
    files_gone: int  # named by the snapshot, erased or past retention before they were copied


@dataclass(frozen=True)
class RestoreReport:
    database: Path | None
    files: int


def sqlite_file(settings: Settings) -> Path | None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return None
    return Path(url.database or "")


def take(settings: Settings, folder: Path, *, now: datetime) -> BackupReport:
    database = sqlite_file(settings)
    if database is not None and not database.is_file():
        raise BackupRefused(f"There is no database at {database} to back up (DATABASE_URL).")
    private_folder(folder)
    target = folder / now.astimezone(UTC).strftime(ARCHIVE_STAMP)
    if target.exists():
        raise BackupRefused(f"{target} exists already: wait a second, or choose another folder.")
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as scratch:
        snapshot = Path(scratch) / "voces.sqlite3"
        named: set[str] = set()
        revision = None
        if database is not None:
            _snapshot_sqlite(database, snapshot)
            revision, named = _read_snapshot(snapshot)
        # Written beside the target and renamed: an interrupted backup never looks finished.
        partial = Path(scratch) / target.name
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            if database is not None:
                archive.add(snapshot, arcname=DATABASE_MEMBER)
            copied = _add_files(archive, settings.storage_dir)
            manifest = {
                "taken_at": now.isoformat(), "schema_revision": revision, "files": len(copied),
                "database": "included" if database is not None else "not included: PostgreSQL is backed up with pg_dump",
            }
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest, indent=2).encode())
        os.replace(partial, target)
    return BackupReport(target, database is not None, len(copied), len(named - copied))


def rotate(folder: Path, *, keep: timedelta, now: datetime) -> list[Path]:
    """Delete the backups in `folder` taken longer than `keep` ago (by the time in their name);
    returns what was deleted. Other files there are left alone."""
    deleted = []
    for path in sorted(folder.glob("voces-backup-*.tar.gz")):
        try:
            taken = datetime.strptime(path.name, ARCHIVE_STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours
        if taken < now - keep:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def _snapshot_sqlite(database: Path, snapshot: Path) -> None:
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(snapshot)
    try:
        source.backup(copy)  # all pages in one step, under one read transaction: consistent
    finally:
        copy.close()
        source.close()
    snapshot.chmod(FILE_MODE)


def _read_snapshot(snapshot: Path) -> tuple[str | None, set[str]]:
    """The schema revision, and the stored files the snapshot's rows name."""
    connection = sqlite3.connect(snapshot)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        named = {path for (path,) in connection.execute(
            "SELECT storage_path FROM stored_files UNION SELECT storage_path FROM project_files"
        )}
    finally:
        connection.close()
    return (revision[0] if revision else None), named


def _add_files(archive: tarfile.TarFile, root: Path) -> set[str]:
    copied: set[str] = set()
    if not root.is_dir():
        return copied
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith(".incoming-"):  # a save in progress
            continue
        relative = path.relative_to(root).as_posix()
        try:
            archive.add(path, arcname=f"{FILES_FOLDER}/{relative}")
        except FileNotFoundError:
            continue  # erased while the backup ran
        copied.add(relative)
    return copied


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = FILE_MODE
    archive.addfile(info, io.BytesIO(content))


def restore(settings: Settings, archive_path: Path) -> RestoreReport:
    if not archive_path.is_file():
        raise BackupRefused(f"There is no backup at {archive_path}.")
    database = sqlite_file(settings)
    if database is not None and database.exists():
        raise BackupRefused(f"A database exists at {database}: restore into a home without one (move it away first).")
    storage = settings.storage_dir
    if storage.is_dir() and any(path.is_file() for path in storage.rglob("*")):
        raise BackupRefused(f"{storage} holds documents already: restore into an empty STORAGE_DIR.")
    try:
        opened = tarfile.open(archive_path, mode="r:gz")
    except (tarfile.TarError, OSError) as error:
        raise BackupRefused(f"{archive_path} is not a Voces backup ({error}).") from error
    with opened as archive:
        members = {member.name: member for member in archive.getmembers()}
        if MANIFEST_MEMBER not in members:
            raise BackupRefused(f"{archive_path} is not a Voces backup (it has no {MANIFEST_MEMBER}).")
        restored_database = None
        if DATABASE_MEMBER in members:
            if database is None:
                raise BackupRefused("This backup holds an SQLite database, but DATABASE_URL names PostgreSQL: point it at an SQLite file.")
            _extract(archive, members[DATABASE_MEMBER], database)
            restored_database = database
        files = 0
        for name, member in members.items():
            if not name.startswith(f"{FILES_FOLDER}/") or not member.isfile():
                continue
            relative = Path(name.removeprefix(f"{FILES_FOLDER}/"))
            if relative.is_absolute() or ".." in relative.parts:
                raise BackupRefused(f"{archive_path} names a file outside the store ({name}): not restored.")
            _extract(archive, member, storage / relative)
            files += 1
    return RestoreReport(restored_database, files)


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = archive.extractfile(member)
    assert source is not None, "a regular file"
    private_folder(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file, source:
        while chunk := source.read(1024 * 1024):
            file.write(chunk)
