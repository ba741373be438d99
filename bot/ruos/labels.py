"""How a RUOS registration's stage reads."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.ruos.models import RegistrationStage

RUOS_STAGE = {
    RegistrationStage.PREPARING: N_("🛠 preparing the documents"),
    RegistrationStage.SUBMITTED: N_("📨 handed in to the municipality"),
    RegistrationStage.OBSERVED: N_("📝 observed by the municipality"),
    RegistrationStage.REGISTERED: N_("🎉 registered in the RUOS"),
}
