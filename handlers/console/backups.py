"""The nightly backup, when BACKUP_DIR is set: bot/core/backup.py's archive, then the old ones go.

Taken at 03:30 in the programme's time zone, when nobody is writing to the bot, off the event
loop (the snapshot and the archive are disk work): people are answered meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time, timedelta

from telegram.ext import Application, ContextTypes

from bot.core import backup
from bot.core.runtime import Runtime

log = logging.getLogger(__name__)
NIGHTLY_AT = time(3, 30)


async def run_backup(runtime: Runtime) -> backup.BackupReport | None:
    """Back up now and delete backups past BACKUP_KEEP_DAYS (the nightly job; tests call it)."""
    settings = runtime.settings
    if settings.backup_dir is None:
        return None
    now = runtime.clock.now()
    try:
        report = await asyncio.to_thread(backup.take, settings, settings.backup_dir, now=now)
    except (backup.BackupRefused, OSError) as error:
        log.error("nightly backup failed: %s", error)  # the older backups stay
        return None
    deleted = backup.rotate(settings.backup_dir, keep=timedelta(days=settings.backup_keep_days), now=now)
    log.info("backup: %s (%d stored files%s); %d older backups deleted", report.archive.name, report.files,
             "" if report.database_included else f"; the database is not in it: {report.database_note}", len(deleted))
    return report


async def nightly(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run_backup(context.application.runtime)  # type: ignore[attr-defined]


def register(application: Application) -> None:  # type: ignore[type-arg]
    runtime: Runtime = application.runtime  # type: ignore[attr-defined]
    if runtime.settings.backup_dir is None:
        # Talking to Telegram itself, that is worth a warning; the playground and tests need none.
        production = "api.telegram.org" in runtime.settings.bot_api_base_url
        log.log(logging.WARNING if production else logging.INFO,
                "backups: BACKUP_DIR is not set, so the bot takes none itself (see `voces-bot backup`)")
        return
    if application.job_queue is not None:
        at = NIGHTLY_AT.replace(tzinfo=runtime.settings.zone)
        application.job_queue.run_daily(nightly, time=at, name="nightly backup", job_kwargs={"max_instances": 1, "coalesce": True})
        log.info("backups: every night at %s to %s, kept %d days", NIGHTLY_AT.strftime("%H:%M"), runtime.settings.backup_dir,
                 runtime.settings.backup_keep_days)
