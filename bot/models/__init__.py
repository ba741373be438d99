"""Every model module is imported here so that Base.metadata is complete (Alembic, tests)."""

from bot.models import (
    broadcasts,  # noqa: F401
    console,  # noqa: F401
    conversations,  # noqa: F401
    organizations,  # noqa: F401
    people,  # noqa: F401
    projects,  # noqa: F401
    reminders,  # noqa: F401
    ruos,  # noqa: F401
    trainings,  # noqa: F401
    whatsapp,  # noqa: F401
)
