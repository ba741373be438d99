"""Personal data at rest and in logs: documents are kept encrypted with the identity-number
key, what the bot creates is readable by its owner only, file types are decided by their first
bytes, the start-up log says where the key is, and a failed write logs no one's data."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.console.file_sealing import seal_clear_files
from bot.core.config import load_settings
from bot.core.crypto import IdNumberCipher, key_from_file
from bot.core.db import Database
from bot.core.private import log_where_data_lives
from bot.core.storage import FileStore
from bot.ruos.models import StoredFile
from tests.flows import consented
from tests.test_ruos import leader, organization_led_by, sends_a_document, staff_member  # noqa: F401 - fixtures

# A board list as a scanner writes it: the identity numbers are in the PDF's text.
BOARD_LIST = (
    b"%PDF-1.4\n1 0 obj <<>> stream\nBT (Carmen Rojas Perez - CE 001234567 - 987654321) Tj ET\n"
    b"endstream endobj\ntrailer <<>>\n%%EOF\n"
)
HTML_QUOTING_PDF = b"<!DOCTYPE html><html><body><p>Save it as %PDF-1.7 first</p><script>alert(1)</script></body></html>"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(root: Path) -> bytes:
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


# --- documents: encrypted on disk, the original when read ------------------------------------


async def test_a_board_list_is_kept_encrypted_and_staff_receive_the_original(bot, leader, staff_member):  # noqa: F811
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("List of the board")
    await leader.taps("Upload")
    await leader.uploads_document(BOARD_LIST, "nomina.pdf", "application/pdf")
    assert "pages received: 1" in leader.last_text
    await leader.taps("Done")

    on_disk = everything_under(bot.storage_dir)
    assert on_disk                                                                   # something was kept...
    for secret in (b"001234567", b"987654321", b"Carmen Rojas", b"%PDF-"):
        assert secret not in on_disk                                                 # ...but nothing readable
    async with await bot.session() as session:
        stored = await session.scalar(select(StoredFile))
    assert stored.storage_path.endswith(".enc") and stored.size == len(BOARD_LIST)
    assert mode(bot.storage_dir / stored.storage_path) == 0o600

    await staff_member.sends("/review")
    await staff_member.taps("List of the board")
    assert [document.content for document in staff_member.documents] == [BOARD_LIST]


async def test_files_kept_in_clear_before_the_store_encrypted_are_sealed_and_still_reach_staff(bot, leader, staff_member):  # noqa: F811
    await organization_led_by(bot, leader)
    await sends_a_document(leader, "List of the board", BOARD_LIST, "nomina.pdf")
    async with await bot.session() as session:  # as it was stored before the store encrypted
        stored = await session.scalar(select(StoredFile))
        (bot.storage_dir / stored.storage_path).unlink()
        stored.storage_path = stored.storage_path.removesuffix(".enc")
        (bot.storage_dir / stored.storage_path).write_bytes(BOARD_LIST)
    assert b"001234567" in everything_under(bot.storage_dir)

    report = await seal_clear_files(bot.runtime.database, bot.runtime.files)

    assert (report.sealed, report.missing) == (1, 0)
    assert b"001234567" not in everything_under(bot.storage_dir)
    async with await bot.session() as session:
        assert (await session.scalar(select(StoredFile.storage_path))).endswith(".enc")
    await staff_member.sends("/review")
    await staff_member.taps("List of the board")
    assert [document.content for document in staff_member.documents] == [BOARD_LIST]
    assert (await seal_clear_files(bot.runtime.database, bot.runtime.files)).sealed == 0   # nothing left to seal


def test_the_same_bytes_are_stored_once_and_a_file_kept_in_clear_before_still_reads(tmp_path):
    store = FileStore(tmp_path / "files", cipher=IdNumberCipher(Fernet.generate_key()))
    first, again = store.save(BOARD_LIST), store.save(BOARD_LIST)
    assert first == again and len([p for p in (tmp_path / "files").rglob("*") if p.is_file()]) == 1
    assert store.read(first.path) == BOARD_LIST

    legacy = f"{first.sha256[:2]}/{first.sha256}"                         # as stored before encryption
    (tmp_path / "files" / legacy).write_bytes(BOARD_LIST)
    assert store.read(legacy) == BOARD_LIST


def test_a_stored_file_can_be_deleted_and_a_missing_one_is_no_error(tmp_path):
    store = FileStore(tmp_path / "files", cipher=IdNumberCipher(Fernet.generate_key()))
    saved = store.save(BOARD_LIST)
    legacy = f"{saved.sha256[:2]}/{saved.sha256}"
    (tmp_path / "files" / legacy).write_bytes(BOARD_LIST)
    assert store.delete(saved.path) is True and store.delete(legacy) is True
    assert everything_under(tmp_path / "files") == b""
    assert store.delete(saved.path) is False
    with pytest.raises(ValueError):
        store.delete("../voces.sqlite3")                                  # rows never point outside


def test_a_file_sealed_with_another_key_does_not_read(tmp_path):
    from cryptography.fernet import InvalidToken

    saved = FileStore(tmp_path, cipher=IdNumberCipher(Fernet.generate_key())).save(BOARD_LIST)
    with pytest.raises(InvalidToken):
        FileStore(tmp_path, cipher=IdNumberCipher(Fernet.generate_key())).read(saved.path)


# --- what the bot creates is private ---------------------------------------------------------


async def test_the_database_the_documents_and_the_key_are_created_readable_by_their_owner_only(tmp_path):
    data = tmp_path / "fresh" / "data"
    database = Database(f"sqlite+aiosqlite:///{data / 'voces.sqlite3'}")
    try:
        async with database.session() as session:                         # WAL: -wal and -shm appear
            await session.execute(text("CREATE TABLE notes (body TEXT)"))
            await session.execute(text("INSERT INTO notes VALUES ('Carmen')"))
        created = sorted(path.name for path in data.iterdir())
        assert created == ["voces.sqlite3", "voces.sqlite3-shm", "voces.sqlite3-wal"]
        assert {name: mode(data / name) for name in created} == dict.fromkeys(created, 0o600)
    finally:
        await database.dispose()
    assert mode(data) == mode(data.parent) == 0o700                       # the folders the bot made

    key = key_from_file(tmp_path / "keys" / "voces" / "id-encryption.key")
    assert mode(tmp_path / "keys" / "voces" / "id-encryption.key") == 0o600
    assert mode(tmp_path / "keys" / "voces") == mode(tmp_path / "keys") == 0o700

    saved = FileStore(data / "files", cipher=IdNumberCipher(key)).save(BOARD_LIST)
    assert mode(data / "files" / saved.path) == 0o600
    assert mode(data / "files") == mode((data / "files" / saved.path).parent) == 0o700


# --- the start-up log says where the key is --------------------------------------------------


def settings(tmp_path: Path, **overrides):  # noqa: ANN201
    values = {
        "database_url": f"sqlite:///{tmp_path / 'data' / 'voces.sqlite3'}",
        "id_key_file": tmp_path / "data" / "id-encryption.key",
        "storage_dir": tmp_path / "data" / "files",
        "_env_file": None,
    }
    return load_settings(**(values | overrides))


def test_the_start_up_log_warns_when_the_key_file_sits_beside_the_data(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    log_where_data_lives(settings(tmp_path))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(tmp_path / "data" / "id-encryption.key") in warnings[0]
    assert "ID_ENCRYPTION_KEY" in warnings[0] and "copies the data folder" in warnings[0]
    said = caplog.text
    assert str(tmp_path / "data" / "voces.sqlite3") in said and str(tmp_path / "data" / "files") in said


def test_the_start_up_log_is_calm_when_the_key_lives_elsewhere(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    log_where_data_lives(settings(tmp_path, id_encryption_key=Fernet.generate_key().decode()))
    log_where_data_lives(settings(tmp_path, id_key_file=tmp_path / "secrets" / "voces.key"))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "from ID_ENCRYPTION_KEY" in caplog.text and str(tmp_path / "secrets" / "voces.key") in caplog.text


def test_a_postgresql_password_is_not_logged(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    log_where_data_lives(settings(tmp_path, database_url="postgresql://voces:s3cret@db.example/voces"))
    assert "db.example/voces" in caplog.text and "s3cret" not in caplog.text


# --- file types by their first bytes ---------------------------------------------------------


async def test_an_html_page_that_quotes_the_pdf_header_is_refused(bot, leader):  # noqa: F811
    await organization_led_by(bot, leader)
    await leader.sends("/ruos")
    await leader.taps("List of the board")
    await leader.taps("Upload")
    await leader.uploads_document(HTML_QUOTING_PDF, "nomina.pdf", "application/pdf")
    assert "That file is a web page" in leader.last_text
    await leader.uploads_document(b"\n" + BOARD_LIST, "nomina.pdf", "application/pdf")   # not at the start
    assert "does not look like a PDF or a photo" in leader.last_text
    await leader.uploads_document(BOARD_LIST, "nomina.pdf", "application/pdf")           # the real one
    assert "pages received: 1" in leader.last_text
    async with await bot.session() as session:
        assert len((await session.scalars(select(StoredFile))).all()) == 1


# --- a failed write logs no one's data -------------------------------------------------------


async def refuse_writes_to(bot, table: str) -> None:
    """Make the database refuse every change to `table` from now on, as a full disk or a
    broken constraint would. On PostgreSQL through a CHECK constraint, whose error quotes the
    failing row back: the worst case for a log."""
    async with await bot.session() as session:
        if bot.database_url.startswith("sqlite"):
            for event in ("INSERT", "UPDATE"):
                await session.execute(text(
                    f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                ))
        else:
            await session.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT ck_refused_by_the_test CHECK (false) NOT VALID"))


@pytest.mark.allow_errors
async def test_a_failed_write_logs_no_phone_name_or_identity_number(bot, newcomer, caplog):
    # Everything our code logs, and SQLAlchemy's own statement log as `echo` would write it.
    for logger in ("bot", "handlers", "voces"):
        caplog.set_level(logging.DEBUG, logger=logger)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    await consented(newcomer)
    await newcomer.sends("/register")
    await newcomer.sends("Mujeres Emprendedoras del Callao")
    await newcomer.taps("OSB")
    await newcomer.sends("carmen legua")
    await newcomer.taps("Carmen de la Legua Reynoso")
    await newcomer.sends("Av. Argentina 1234")
    await newcomer.sends("2021")
    for count in ("10", "20", "0"):
        await newcomer.sends(count)
    await newcomer.taps("Salud")
    await newcomer.taps("Listo")
    await newcomer.sends("987654321")
    await newcomer.taps("Presidencia")
    await newcomer.sends("Carmen Rojas Pérez")
    await newcomer.taps("Carné de extranjería")

    # The draft, which now holds the phone and the name, can no longer be saved.
    await refuse_writes_to(bot, "registration_drafts")
    await newcomer.sends("001234567")
    assert any("algo falló de mi lado" in reply for reply in newcomer.texts_since_last_action)

    logged = caplog.text
    assert "failed to handle update" in logged and "registration_drafts" in logged   # it was logged, in full
    for personal in ("987654321", "Carmen Rojas", "Rojas Pérez", "001234567"):
        assert personal not in logged, f"{personal!r} is in the log"


def test_the_start_up_log_warns_about_data_others_can_read(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    (tmp_path / "data" / "files").mkdir(parents=True, mode=0o700)
    (tmp_path / "data" / "voces.sqlite3").touch(mode=0o644)                # made before the bot made it private
    log_where_data_lives(settings(tmp_path, id_encryption_key=Fernet.generate_key().decode()))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "voces.sqlite3 can be read by other users" in warnings[0] and "chmod 600" in warnings[0]
