"""The command line: `voces-bot run | playground | db upgrade | db revision | i18n ... | files seal | backup | restore`.

This is the one module of `bot/` that wires the Telegram layer (`handlers/`) to the domain.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.core.config import Settings, SettingsError, load_settings

BOTFATHER_HELP = """\
BOT_TOKEN is not set, so there is no Telegram bot to connect to.
To get a token: open Telegram, talk to @BotFather, send /newbot, choose a name and a username,
and copy the token it gives you into .env as BOT_TOKEN=... (see .env.example).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="voces-bot", description="Voces Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot (long polling, or a webhook when WEBHOOK_URL is set)")
    # Without BOT_TOKEN, `run` starts the playground: these move it, as for `playground`.
    run.add_argument("--port", type=int, default=8080, help="the playground's port when BOT_TOKEN is unset")
    run.add_argument("--host", default="127.0.0.1", help="the playground's address when BOT_TOKEN is unset")
    playground = commands.add_parser("playground", help="try the bot in a browser, no Telegram needed")
    playground.add_argument("--port", type=int, default=8080)
    playground.add_argument("--host", default="127.0.0.1")
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="upgrade the schema to the newest migration")
    revision = db.add_parser("revision", help="write a migration from the models' changes")
    revision.add_argument("-m", "--message", required=True)
    i18n = commands.add_parser("i18n", help="translation catalogs").add_subparsers(dest="i18n_command", required=True)
    i18n.add_parser("extract", help="extract messages and update both catalogs")
    i18n.add_parser("compile", help="compile the catalogs to .mo files")
    i18n.add_parser("check", help="fail if a catalog has an untranslated or fuzzy message")
    commands.add_parser("keygen", help="print a new ID_ENCRYPTION_KEY")
    files = commands.add_parser("files", help="the stored files").add_subparsers(dest="files_command", required=True)
    files.add_parser("seal", help="encrypt files stored in clear before the store encrypted (bot stopped)")
    backup = commands.add_parser("backup", help="back up the database and the documents, while the bot runs")
    backup.add_argument("folder", type=Path, help="where to write the archive: another disk, ideally")
    restore = commands.add_parser("restore", help="put a backup back, into a home without data (bot stopped)")
    restore.add_argument("archive", type=Path, help="a voces-backup-….tar.gz")
    args = parser.parse_args(argv)

    if args.command == "keygen":
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode("ascii"))
        return 0

    if args.command == "i18n":
        from bot.core import catalogs

        return catalogs.run(args.i18n_command)

    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and those carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB at DEBUG logs every update and every message sent, with people's names, phones and
    # identity numbers as typed; our own DEBUG logs name people by internal id only.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))
    if settings.log_level != "DEBUG":
        # Alembic lists its plugins at import; the periodic reminders job would log every two
        # seconds, and the upgrade at every start would describe its database.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        if args.command != "db":
            for noisy in ("apscheduler", "alembic"):
                logging.getLogger(noisy).setLevel(logging.WARNING)

    from bot.core import migrate

    if args.command == "db":
        if args.db_command == "upgrade":
            migrate.upgrade(settings.database_url)
        else:
            migrate.new_revision(settings.database_url, args.message)
        return 0
    if args.command == "files":
        return seal_files(settings)
    if args.command in ("backup", "restore"):
        return back_up(settings, args.folder) if args.command == "backup" else restore_backup(settings, args.archive)
    if args.command == "playground":
        return run_playground(settings, host=args.host, port=args.port)
    if not settings.bot_token and not settings.whatsapp_enabled:
        print(BOTFATHER_HELP, file=sys.stderr)
        print("Starting the local playground instead.\n", file=sys.stderr)
        return run_playground(settings, host=args.host, port=args.port)
    # PTB logs a failed start with its whole traceback before raising; the sentence below says
    # what it means instead.
    logging.getLogger("telegram.ext").addFilter(_QuietBootstrapFailure())
    try:
        return run_bot(settings)
    except Exception as error:  # noqa: BLE001 - turned into one sentence, or raised as it is
        sentence = explain_start_up_failure(error, settings)
        if sentence is None:
            raise
        logging.getLogger("voces").debug("start-up failed", exc_info=error)
        print(sentence, file=sys.stderr)
        return 2


def seal_files(settings: Settings) -> int:
    import asyncio

    from bot.console.file_sealing import seal_clear_files
    from bot.core import instance_lock, migrate
    from bot.core.db import Database
    from bot.core.runtime import Runtime

    lock = instance_lock.for_database(settings.database_url)
    if not lock.try_acquire():
        print("The bot is running on this database: stop it, then seal the files.", file=sys.stderr)
        return 2
    try:
        migrate.upgrade(settings.database_url)
        runtime = Runtime(settings=settings, database=Database(settings.database_url))

        async def seal() -> None:
            try:
                report = await seal_clear_files(runtime.database, runtime.files)
            finally:
                await runtime.database.dispose()
            print(f"Sealed {report.sealed} file(s) stored in clear; {report.missing} row(s) name a file that is not in the store.")

        asyncio.run(seal())
    finally:
        lock.release()
    return 0


def back_up(settings: Settings, folder: Path) -> int:
    from datetime import UTC, datetime

    from bot.core import backup

    try:
        report = backup.take(settings, folder, now=datetime.now(UTC))
    except backup.BackupRefused as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Backed up to {report.archive}: "
          + ("the database and " if report.database_included else "")
          + f"{report.files} stored file(s).")
    if not report.database_included:
        print(f"The database is not in it: {report.database_note}. Back it up with pg_dump (see the README).")
    if report.files_gone:
        print(f"{report.files_gone} file(s) were erased, or were past retention, while the backup ran.")
    print("The identity-number key is not in the archive: keep a copy of it apart from the backups.")
    return 0


def restore_backup(settings: Settings, archive: Path) -> int:
    from bot.core import backup, instance_lock
    from bot.core.private import private_folder

    database = backup.sqlite_file(settings)
    if database is not None:
        private_folder(database.parent)  # before the lock file makes it with the default mode
    lock = instance_lock.for_database(settings.database_url)
    if not lock.try_acquire():
        print("The bot is running on this database: stop it, then restore.", file=sys.stderr)
        return 2
    try:
        report = backup.restore(settings, archive)
    except backup.BackupRefused as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        lock.release()
    print(f"Restored {report.files} stored file(s)"
          + (f" and the database ({report.database})" if report.database else " (the backup holds no database)")
          + ". The next `voces-bot run` upgrades its schema if it is older; it needs the same ID_ENCRYPTION_KEY.")
    return 0


class _QuietBootstrapFailure(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def explain_start_up_failure(error: BaseException, settings: Settings) -> str | None:
    """What an operator needs from a failed start: the cause and what to check, in one sentence."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, OperationalError
    from telegram.error import InvalidToken, NetworkError

    from handlers.health import ListenFailed

    database = make_url(settings.database_url).render_as_string(hide_password=True)
    if isinstance(error, ListenFailed):
        return str(error)
    if isinstance(error, InvalidToken):
        return "Telegram refused BOT_TOKEN: copy the token @BotFather gave you again (it looks like 123456789:AA...)."
    if isinstance(error, NetworkError):
        return (f"Telegram could not be reached at {settings.bot_api_base_url} ({error.message}): "
                "check the network, or BOT_API_BASE_URL if you use a local Bot API server.")
    reason = error
    while reason.__cause__ is not None or reason.__context__ is not None:
        if isinstance(reason, (OSError, OperationalError, DBAPIError)):
            break
        reason = reason.__cause__ or reason.__context__  # type: ignore[assignment]
    if isinstance(reason, (OSError, OperationalError, DBAPIError)) or type(reason).__module__.startswith("asyncpg"):
        detail = str(getattr(reason, "orig", None) or reason).splitlines()[0][:200]
        return (f"The database at DATABASE_URL ({database}) could not be opened ({detail}): "
                "check that the server runs and that the URL, user and password are right.")
    return None


def run_bot(settings: Settings) -> int:
    from telegram import Update

    from bot.core import instance_lock, migrate
    from bot.core.db import Database
    from bot.core.private import log_where_data_lives
    from bot.core.runtime import Runtime
    from handlers.app import build_application
    from handlers.health import StandbyHealth

    # One active instance per database (bot/core/instance_lock.py). The lock comes before the
    # upgrade, so a standby never migrates the schema under a running instance. Meanwhile its
    # webhook ports answer 503, so a proxy in front of both sends everything to the active one.
    lock = instance_lock.for_database(settings.database_url)
    standby: StandbyHealth | None = None
    try:
        if not lock.try_acquire() and settings.webhook_addresses:
            standby = StandbyHealth(settings.webhook_addresses)
            standby.start()
        instance_lock.wait_until_active(lock)
    except instance_lock.StoppedWhileStandby:
        lock.release()
        return 0
    finally:
        if standby is not None:
            standby.stop()
    try:
        migrate.upgrade(settings.database_url)
        runtime = Runtime(settings=settings, database=Database(settings.database_url))
        log_where_data_lives(settings)  # and warns when the key sits beside the data
        if settings.webhook_addresses:
            # Telegram's webhook, WhatsApp's, or both: served on aiohttp with /health.
            import asyncio

            from handlers import channels

            asyncio.run(channels.serve(runtime, is_active=lambda: not lock.lost))
        else:
            from handlers.app import build_application

            build_application(runtime).run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        lock.release()
    # Stopped because the lock was lost: a supervisor should start it again, as the standby.
    return 1 if lock.lost else 0


def run_playground(settings: Settings, *, host: str, port: int) -> int:
    from bot.playground import server
    from handlers.channels import ChannelsInLoop

    return server.run(settings, bot=ChannelsInLoop(), host=host, port=port)


if __name__ == "__main__":
    sys.exit(main())
