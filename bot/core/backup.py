"""Backups while the bot runs, and putting one back (`voces-bot backup FOLDER`, `voces-bot restore ARCHIVE`).

One archive, `voces-backup-<UTC time>.tar.gz`, readable by its owner only (0600):

- `database/voces.sqlite3`: the SQLite database as one consistent snapshot, taken with SQLite's
  online backup while the bot goes on writing (copying the file instead can catch half a write,
  or miss what is still in the write-ahead log). On PostgreSQL, `database/voces.pgdump`:
  `pg_dump`'s custom format, itself one consistent snapshot; without a pg_dump on the machine
  the archive holds the documents only, and says so.
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
BACKUP_KEEP_DAYS (handlers/console/backups.py).

Restoring writes the database and the documents where the settings say, into a home with
neither (an SQLite file that does not exist yet, or an empty PostgreSQL database: it never
overwrites), with the bot stopped; the next `voces-bot run` upgrades an older schema as usual.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import Settings
from bot.core.private import FILE_MODE, private_folder

ARCHIVE_STAMP = "voces-backup-%Y%m%d-%H%M%S.tar.gz"  # in UTC
DATABASE_MEMBER = "database/voces.sqlite3"
PG_DUMP_MEMBER = "database/voces.pgdump"
FILES_FOLDER = "files"
MANIFEST_MEMBER = "manifest.json"


class BackupRefused(Exception):
    """Why a backup or a restore cannot be done, in one sentence for the operator."""


@dataclass(frozen=True)
class BackupReport:
    archive: Path
    database_included: bool  # False on PostgreSQL without a pg_dump to run
    files: int
    files_gone: int  # named by the snapshot, erased or past retention before they were copied
    database_note: str = ""  # why the database is not in it


@dataclass(frozen=True)
class RestoreReport:
    database: str | None  # where the database went (a file, or PostgreSQL's database name)
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
        named: set[str] = set()
        revision = None
        note = ""
        if database is not None:
            dump, member = Path(scratch) / "voces.sqlite3", DATABASE_MEMBER
            _snapshot_sqlite(database, dump)
            revision, named = _read_snapshot(dump)
        else:
            dump, member = Path(scratch) / "voces.pgdump", PG_DUMP_MEMBER
            note = _pg_dump(settings.database_url, dump)
        included = not note
        # Written beside the target and renamed: an interrupted backup never looks finished.
        partial = Path(scratch) / target.name
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            if included:
                archive.add(dump, arcname=member)
            copied = _add_files(archive, settings.storage_dir)
            manifest = {
                "taken_at": now.isoformat(), "schema_revision": revision, "files": len(copied),
                "database": member if included else f"not included: {note}",
            }
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest, indent=2).encode())
        os.replace(partial, target)
    return BackupReport(target, included, len(copied), len(named - copied), note)


def _libpq_environment(database_url: str) -> dict[str, str]:
    """pg_dump's and pg_restore's connection, in the environment: a password on the command line
    would show in the machine's process list."""
    url = make_url(database_url)
    values = {"PGHOST": url.host, "PGPORT": str(url.port) if url.port else None, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    return {**os.environ, **{name: str(value) for name, value in values.items() if value}}


def _postgres_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0)
    return str(versions[-1]) if versions else None


def _pg_dump(database_url: str, target: Path) -> str:
    """Dump the database in pg_dump's custom format; returns why not, or "" when done."""
    program = _postgres_program("pg_dump")
    if program is None:
        return "no pg_dump on this machine (install PostgreSQL's client programs)"
    done = subprocess.run([program, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
                          env=_libpq_environment(database_url), capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        return f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    target.chmod(FILE_MODE)
    return ""


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
    with opened as archive, tempfile.TemporaryDirectory(prefix="voces-restore-") as scratch:
        members = {member.name: member for member in archive.getmembers()}
        if MANIFEST_MEMBER not in members:
            raise BackupRefused(f"{archive_path} is not a Voces backup (it has no {MANIFEST_MEMBER}).")
        files = [(name.removeprefix(f"{FILES_FOLDER}/"), member) for name, member in members.items()
                 if name.startswith(f"{FILES_FOLDER}/") and member.isfile()]
        for relative, _member in files:
            if Path(relative).is_absolute() or ".." in Path(relative).parts:
                raise BackupRefused(f"{archive_path} names a file outside the store ({relative}): not restored.")
        restored = None
        if DATABASE_MEMBER in members:
            if database is None:
                raise BackupRefused("This backup holds an SQLite database, but DATABASE_URL names PostgreSQL: point it at an SQLite file.")
            _extract(archive, members[DATABASE_MEMBER], database)
            restored = str(database)
        elif PG_DUMP_MEMBER in members:
            if database is not None:
                raise BackupRefused("This backup holds a PostgreSQL database, but DATABASE_URL names an SQLite file: point it at an empty PostgreSQL database.")
            dump = Path(scratch) / "voces.pgdump"
            _extract(archive, members[PG_DUMP_MEMBER], dump)
            _pg_restore(settings.database_url, dump)
            restored = make_url(settings.database_url).database
        for relative, member in files:
            _extract(archive, member, storage / relative)
    return RestoreReport(restored, len(files))


def _pg_restore(database_url: str, dump: Path) -> None:
    program, psql = _postgres_program("pg_restore"), _postgres_program("psql")
    if program is None or psql is None:
        raise BackupRefused("There is no pg_restore or psql on this machine: install PostgreSQL's client programs.")
    environment = _libpq_environment(database_url)
    tables = subprocess.run([psql, "--no-psqlrc", "--tuples-only", "--no-align", "--command",
                             "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"],
                            env=environment, capture_output=True, text=True, timeout=60, check=False)
    if tables.returncode != 0:
        raise BackupRefused(f"Could not reach the database DATABASE_URL names: {tables.stderr.strip()}")
    if tables.stdout.strip() != "0":
        raise BackupRefused("The database DATABASE_URL names has tables already: restore into an empty database.")
    done = subprocess.run([program, "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={environment['PGDATABASE']}", str(dump)],
                          env=environment, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"pg_restore failed: {done.stderr.strip()}")


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = archive.extractfile(member)
    assert source is not None, "a regular file"
    private_folder(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file, source:
        while chunk := source.read(1024 * 1024):
            file.write(chunk)
