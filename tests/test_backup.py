"""`voces-bot backup` while the bot runs, and `voces-bot restore` into a new home: the
organization, its board (identity numbers still encrypted) and its documents come back, and
the bot goes on from them."""

from __future__ import annotations

import asyncio
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.ruos.models import StoredFile
from handlers.console.backups import run_backup
from tests.harness import TEST_ID_KEY, BotUnderTest
from tests.test_command_line import voces_bot
from tests.test_ruos import PDF, organization_led_by, sends_a_document


def cli(*args: str, home: Path, database_url: str, storage: Path):  # noqa: ANN201
    env = {"DATABASE_URL": database_url, "STORAGE_DIR": str(storage), "ID_ENCRYPTION_KEY": TEST_ID_KEY}
    return asyncio.to_thread(voces_bot, *args, env=env, cwd=home)


async def backed_up_and_restored(bot, database_url: str, tmp_path: Path, *, restore_to: str, dump: str) -> None:
    """A leader's organization and document, backed up while the bot runs, restored into a new
    home (`restore_to`, a database with nothing in it), and the bot going on from there."""
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    await sends_a_document(leader, "Request with sworn", PDF, "solicitud.pdf")

    taken = await cli("backup", str(tmp_path / "backups"), home=tmp_path, database_url=database_url, storage=bot.storage_dir)
    assert taken.returncode == 0, taken.stderr
    assert "the database and 1 stored file(s)" in taken.stdout and "key is not in the archive" in taken.stdout
    (archive,) = (tmp_path / "backups").glob("voces-backup-*.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        contents = b"".join(opened.extractfile(m).read() for m in opened.getmembers() if m.isfile())  # type: ignore[union-attr]
    assert dump in names and "manifest.json" in names
    assert sum(name.startswith("files/") for name in names) == 1
    assert PDF not in contents and b"001234567" not in contents           # documents and ID numbers stay encrypted

    home = tmp_path / "new-home"
    home.mkdir(exist_ok=True)
    restored_files = home / "files"
    done = await cli("restore", str(archive), home=home, database_url=restore_to, storage=restored_files)
    assert done.returncode == 0, done.stderr
    assert "Restored 1 stored file(s) and the database" in done.stdout
    again = await cli("restore", str(archive), home=home, database_url=restore_to, storage=tmp_path / "elsewhere")
    assert again.returncode == 2 and ("A database exists" in again.stderr or "has tables already" in again.stderr)

    await bot.stop()
    restored = BotUnderTest(emulator=bot.emulator, database_url=restore_to.replace("sqlite://", "sqlite+aiosqlite://"),
                            storage_dir=restored_files)
    await restored.start()
    try:
        await leader.sends("/ruos")
        assert "📤 Request with sworn statement — sent, waiting for the programme's review" in leader.last_text
        async with await restored.session() as session:
            path = await session.scalar(select(StoredFile.storage_path))
        assert restored.runtime is not None and restored.runtime.files.read(path) == PDF   # on the same key
    finally:
        await restored.stop()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_backup_taken_while_the_bot_runs_restores_into_a_new_home_and_the_bot_goes_on(bot, database_url, tmp_path):
    await backed_up_and_restored(bot, database_url, tmp_path, restore_to=f"sqlite:///{tmp_path}/new-home/voces.sqlite3",
                                 dump="database/voces.sqlite3")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_on_postgresql_the_backup_holds_a_pg_dump_that_restores_into_an_empty_database(bot, database_url, tmp_path):
    url = make_url(database_url)
    empty = f"voces_restored_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(user=url.username, password=url.password, host=url.host, port=url.port or 5432, database="postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{empty}"')
        await backed_up_and_restored(bot, database_url, tmp_path, restore_to=url.set(database=empty).render_as_string(hide_password=False),
                                     dump="database/voces.pgdump")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        await admin.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_with_backup_dir_set_the_bot_backs_itself_up_every_night_and_keeps_only_the_last_days(bot, tmp_path):
    nightly = tmp_path / "nightly"
    bot.settings_overrides.update(backup_dir=nightly, backup_keep_days=2)
    await bot.restart()
    assert bot.application is not None and bot.application.job_queue is not None
    assert [job.name for job in bot.application.job_queue.jobs()].count("nightly backup") == 1
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)

    taken = []
    for days in (0, 1, 2):                                                 # three nights: the 23rd, 24th and 26th
        bot.clock.advance(timedelta(days=days))
        report = await run_backup(bot.runtime)
        assert report is not None and report.database_included
        taken.append(report.archive.name)
    # Kept: the last two days' (the 24th's is exactly two days old); the 23rd's is gone.
    assert sorted(path.name for path in nightly.iterdir()) == taken[1:]
    assert taken[0] == "voces-backup-20261123-150000.tar.gz"
    # Someone erased is told their copies in the backups go too, and when.
    await leader.sends("/deletedata")
    await leader.taps("Yes, erase my data")
    assert "Copies in the programme's backups, kept in case of a breakdown, are deleted within 2 days" in leader.last_text
