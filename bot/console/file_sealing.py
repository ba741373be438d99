"""Sealing the files stored in clear before the file store encrypted (`voces-bot files seal`).

Every file the store writes now is encrypted (bot/core/storage.py); files saved earlier sit in clear
under a name without the ``.enc`` suffix, and the rows pointing to them still read them. Sealing
writes each one again encrypted, points every row (RUOS uploads, project evidence) to the sealed
copy, commits, and only then removes the clear file, so an interruption at any moment leaves
every row pointing to a file that exists. Run it with the bot stopped: a bot reading a clear
file at the moment it is removed would fail that one read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.db import Database
from bot.core.storage import ENCRYPTED_SUFFIX, FileStore
from bot.projects.models import ProjectFile
from bot.ruos.models import StoredFile

log = logging.getLogger(__name__)
FILE_TABLES = (StoredFile, ProjectFile)  # every row that names a stored file


@dataclass(frozen=True)
class SealingReport:
    sealed: int  # clear files now encrypted, rows repointed
    missing: int  # rows naming a clear file that is not on disk (left as they are)


async def clear_paths(session: AsyncSession) -> list[str]:
    paths: set[str] = set()
    for table in FILE_TABLES:
        paths |= set(await session.scalars(select(table.storage_path).where(table.storage_path.not_like(f"%{ENCRYPTED_SUFFIX}"))))
    return sorted(paths)


async def seal_clear_files(database: Database, store: FileStore) -> SealingReport:
    sealed = missing = 0
    async with database.session() as session:
        paths = await clear_paths(session)
    for path in paths:
        try:
            content = store.read(path)
        except FileNotFoundError:
            log.warning("a stored-file row names %s, which is not in the file store", path)
            missing += 1
            continue
        saved = store.save(content)
        async with database.session() as session:
            for table in FILE_TABLES:
                await session.execute(update(table).where(table.storage_path == path).values(storage_path=saved.path))
        store.delete(path)  # committed above: every row already points to the sealed copy
        sealed += 1
    return SealingReport(sealed=sealed, missing=missing)
