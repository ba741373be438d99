"""How a place in a session reads: to the person, and in a coordinator's lists."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.trainings.models import EnrollmentState

# A person's own place in a session, said to them.
ENROLLMENT_STATE_NAMES = {
    EnrollmentState.ENROLLED: N_("enrolled"),
    EnrollmentState.WAITLISTED: N_("on the waitlist"),
    EnrollmentState.OFFERED: N_("a seat is held for you"),
    EnrollmentState.ATTENDED: N_("attended"),
    EnrollmentState.NO_SHOW: N_("did not attend"),
}

# The same states in a coordinator's lists, which speak about the people, not to them.
ENROLLMENT_STATE_IN_LISTS = {
    EnrollmentState.ENROLLED: N_("on the list"),
    EnrollmentState.WAITLISTED: N_("on the waitlist"),
    EnrollmentState.OFFERED: N_("offered a freed seat"),
    EnrollmentState.ATTENDED: N_("were present"),
    EnrollmentState.NO_SHOW: N_("were absent"),
}
