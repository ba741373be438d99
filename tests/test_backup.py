"""`voces-bot backup` while the bot runs, and `voces-bot restore` into a new home: the
organization, its board (identity numbers still encrypted) and its documents come back, and
the bot goes on from them."""

from __future__ import annotations

import asyncio
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models.ruos import StoredFile
from handlers.backups import run_backup
from tests.harness import TEST_ID_KEY, BotUnderTest
from tests.test_command_line import voces_bot
from tests.test_ruos import PDF, organization_led_by, sends_a_document


def cli(*args: str, home: Path, database_url: str, storage: Path):  # noqa: ANN201
    env = {"DATABASE_URL": database_url, "STORAGE_DIR": str(storage), "ID_ENCRYPTION_KEY": TEST_ID_KEY}
    return asyncio.to_thread(voces_bot, *args, env=env, cwd=home)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_backup_taken_while_the_bot_runs_restores_into_a_new_home_and_the_bot_goes_on(bot, database_url, tmp_path):
    leader = bot.user(first_name="Carmen", language_code="en")
    await organization_led_by(bot, leader)
    await sends_a_document(leader, "Request with sworn statement", PDF, "solicitud.pdf")

    taken = await cli("backup", str(tmp_path / "backups"), home=tmp_path, database_url=database_url, storage=bot.storage_dir)
    assert taken.returncode == 0, taken.stderr
    assert "the database and 1 stored file(s)" in taken.stdout and "key is not in the archive" in taken.stdout
    (archive,) = (tmp_path / "backups").glob("voces-backup-*.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        contents = b"".join(opened.extractfile(m).read() for m in opened.getmembers() if m.isfile())  # type: ignore[union-attr]
    assert "database/voces.sqlite3" in names and "manifest.json" in names
    assert sum(name.startswith("files/") for name in names) == 1
    assert PDF not in contents and b"001234567" not in contents           # documents and ID numbers stay encrypted

    # A new home: the restored bot has the organization and the document, on the same key.
    home = tmp_path / "new-home"
    home.mkdir()
    restored_url, restored_files = f"sqlite:///{home}/voces.sqlite3", home / "files"
    done = await cli("restore", str(archive), home=home, database_url=restored_url, storage=restored_files)
    assert done.returncode == 0, done.stderr
    assert "Restored 1 stored file(s) and the database" in done.stdout
    again = await cli("restore", str(archive), home=home, database_url=restored_url, storage=restored_files)
    assert again.returncode == 2 and "A database exists" in again.stderr   # never over what is there

    await bot.stop()
    restored = BotUnderTest(emulator=bot.emulator, database_url=f"sqlite+aiosqlite:///{home}/voces.sqlite3", storage_dir=restored_files)
    await restored.start()
    try:
        await leader.sends("/ruos")
        assert "📤 Request with sworn statement — sent, waiting for the programme's review" in leader.last_text
        async with await restored.session() as session:
            path = await session.scalar(select(StoredFile.storage_path))
        assert restored.runtime is not None and restored.runtime.files.read(path) == PDF
    finally:
        await restored.stop()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_on_postgresql_the_backup_holds_the_documents_and_points_to_pg_dump(bot, database_url, tmp_path):
    taken = await cli("backup", str(tmp_path / "backups"), home=tmp_path, database_url=database_url, storage=bot.storage_dir)
    assert taken.returncode == 0, taken.stderr
    assert "back it up with pg_dump" in taken.stdout
    (archive,) = (tmp_path / "backups").glob("voces-backup-*.tar.gz")
    with tarfile.open(archive) as opened:
        assert "database/voces.sqlite3" not in opened.getnames() and "manifest.json" in opened.getnames()


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
