"""Every model module is imported here so that Base.metadata is complete (Alembic, tests)."""

from bot.broadcasts import models as broadcasts
from bot.console import models as console
from bot.core import conversation_models as conversations
from bot.messaging import models as reminders
from bot.organizations import models as organizations
from bot.people import models as people
from bot.projects import models as projects
from bot.ruos import models as ruos
from bot.trainings import models as trainings

__all__ = ["broadcasts", "console", "conversations", "organizations", "people", "projects",
           "reminders", "ruos", "trainings"]
