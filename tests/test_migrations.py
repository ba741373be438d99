"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.models  # noqa: F401 - every table on the metadata
from bot.core.db import Base, create_engine


async def test_autogenerate_finds_no_difference_between_models_and_migrations(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []
