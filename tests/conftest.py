"""Fixtures: a migrated database per test (SQLite always, PostgreSQL when
VOCES_TEST_POSTGRES_URL is set), the Bot API emulator, and the bot running against both."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.core import migrate
from bot.playground.emulator import BotApiEmulator
from tests.harness import STAFF_TELEGRAM_ID, BotUnderTest, labels_cut_on_a_phone, make_database

POSTGRES_URL = os.environ.get("VOCES_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("VOCES_TEST_POSTGRES_URL is not set: PostgreSQL runs in .ci/run")
    import asyncpg

    base = make_url(migrate_url(POSTGRES_URL))
    name = f"voces_template_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(
            user=base.username, password=base.password, host=base.host, port=base.port or 5432, database="postgres"
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    in_a_thread(admin(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    in_a_thread(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def in_a_thread(coroutine) -> None:  # noqa: ANN001
    """Session fixtures are first requested from inside a test's running loop."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, coroutine).result()


def migrate_url(url: str) -> str:
    """Accept plain postgresql:// URLs in the environment."""
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("VOCES_TEST_POSTGRES_URL is not set: PostgreSQL runs in .ci/run")
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    template = request.getfixturevalue(f"{backend}_template")
    url = await make_database(template, backend, tmp_path)
    yield url
    if backend == "postgres":
        import asyncpg

        parsed = make_url(url)
        connection = await asyncpg.connect(
            user=parsed.username, password=parsed.password, host=parsed.host, port=parsed.port or 5432, database="postgres"
        )
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        finally:
            await connection.close()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    emulator.expect_processed_signal = True
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path, request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[BotUnderTest]:
    under_test = BotUnderTest(emulator=emulator, database_url=database_url, storage_dir=tmp_path / "files")
    await under_test.start()
    yield under_test
    await under_test.stop()
    # A story that passed while the error handler apologised to someone did not pass.
    if request.node.get_closest_marker("allow_errors") is None:
        failures = [r.getMessage() for r in caplog.records if r.name == "voces.errors"]
        assert not failures, f"the bot hit errors during the test: {failures}"
    # Phone first: no keyboard the bot showed has a label a 390-pixel phone would cut.
    assert not (cut := labels_cut_on_a_phone(emulator)), f"button labels cut on a phone: {cut}"


@pytest.fixture
def newcomer(bot: BotUnderTest):  # noqa: ANN201
    """Someone writing to the bot for the first time, with Telegram in Spanish."""
    return bot.user(first_name="Carmen", last_name="Rojas", language_code="es")


@pytest.fixture
def staff(bot: BotUnderTest):  # noqa: ANN201
    return bot.user(STAFF_TELEGRAM_ID, first_name="Lucía", language_code="es")
