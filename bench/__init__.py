"""Benchmarks: run by hand (`python -m bench`, see bench/README.md), never by the test suite.

What every benchmark shares: a throwaway PostgreSQL database and the table of results.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

# backend, measure, value, target, result ("pass", "FAIL" or "" when there is no target)
Row = tuple[str, str, str, str, str]
HEADER: Row = ("backend", "measure", "value", "target", "result")


async def create_postgres_database(server_url: str) -> str:
    """A new, empty database on the given server, so that no existing data is touched."""
    url = make_url(server_url).set(drivername="postgresql+asyncpg")
    name = f"voces_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    await admin.dispose()


def print_table(rows: list[Row]) -> None:
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def any_failed(rows: list[Row]) -> bool:
    return any(row[4] == "FAIL" for row in rows)


def run_on_both_backends(name: str, bench: Callable[[str, str, Path], list[Row]]) -> int:
    """Run `bench(backend, database_url, storage_dir)` on SQLite, then on PostgreSQL when
    VOCES_BENCH_POSTGRES_URL names a server; print the table; exit 1 when a target is missed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # PTB's advice about per_message in ConversationHandlers; Voces's flows are per chat.
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="voces-bench-") as workdir:
        files = Path(workdir) / "files"
        rows += bench("sqlite", f"sqlite+aiosqlite:///{Path(workdir) / f'{name}.sqlite3'}", files)
        if server_url := os.environ.get("VOCES_BENCH_POSTGRES_URL"):
            database_url = asyncio.run(create_postgres_database(server_url))
            try:
                rows += bench("postgresql", database_url, files)
            finally:
                asyncio.run(drop_postgres_database(database_url))
    print_table(rows)
    return 1 if any_failed(rows) else 0
