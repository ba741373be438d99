"""What staff are asked to confirm before they vouch for an organization: verifying one whose
board's term has ended, or funding a project of one whose board's term has ended or whose
registration is not verified yet. They are asked once, with the reasons; the confirming press
runs the same service again with `confirmed=True`, so the state it expects (pending, selected)
is still checked when it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.i18n import N_
from bot.core.validation import InvalidInput
from bot.organizations.models import Organization, VerificationStatus

TERM_ENDED = N_("Its board's term ended on %(date)s.")
NOT_VERIFIED = N_("Its registration has not been verified yet.")


@dataclass(frozen=True)
class Caution:
    message: str                # an N_-marked msgid; %(date)s is `on`, shown in the reader's language
    on: date | None = None


class NeedsConfirmation(InvalidInput):
    """Nothing was changed: staff confirm (or not) knowing `cautions`."""

    def __init__(self, cautions: list[Caution]) -> None:
        super().__init__(N_("Please confirm first."))
        self.cautions = cautions


def check(organization: Organization, *, today: date, funding: bool, confirmed: bool) -> None:
    """Raise NeedsConfirmation unless confirmed or there is nothing to say."""
    if confirmed:
        return
    cautions = []
    if organization.board_term_end < today:
        cautions.append(Caution(TERM_ENDED, organization.board_term_end))
    if funding and organization.status is not VerificationStatus.VERIFIED:
        cautions.append(Caution(NOT_VERIFIED))
    if cautions:
        raise NeedsConfirmation(cautions)
