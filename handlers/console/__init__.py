"""The staff console in chat: /org, /pending, /stats, /indicators, /export, /quiet, /audit.

Staff and coordinators use it; a coordinator scoped to some districts sees only those
organizations, everywhere (bot/console/audit.py decides, from the database, at every press).
Every read of personal data and every change is in the audit log. Buttons carry ``con:…``
data, checked on arrival: a leader or an out-of-scope coordinator pressing a crafted one is
refused like the command itself. What each shows is bot/console/screens.py's.

Callback data (one handler for them all, CON, through handlers.common.area_buttons):

    con:org:<organization>                    an organization's status
    con:pending:p<n>                          a page of /pending
    con:ind:<month|lastmonth|year|all>        /indicators for a period
    con:mark:<organization>:<state>           staff: mark it active, inactive or dissolved
    con:audit:<a|o<organization>|u<person>>:p<n>   staff: a page of the audit log

Also here: the daily jobs that follow quiet organizations up and apply the retention rules.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import command
from handlers.common import ButtonTable, area_buttons
from handlers.console.audit_log import audit_button, scope, show_audit
from handlers.console.figures import export, indicators, indicators_for, stats
from handlers.console.quiet import daily, mark, quiet, run_followup, run_retention
from handlers.console.status import find_organization, list_pending, organization_button

__all__ = ["register", "run_followup", "run_retention"]


# Every con: button, by action: the shape of what follows it, and the function answering it.
CON: ButtonTable = {
    "org": (r"\d+", organization_button),
    "pending": (r"p\d+", list_pending),
    "ind": (r"[a-z]+", indicators_for),
    "mark": (r"\d+:(active|inactive|dissolved)", mark),
    "audit": (r"[aou]\d*:p\d+", audit_button),
}


def register(application) -> None:  # noqa: ANN001
    application.add_handlers([
        command("org", find_organization),
        command("pending", list_pending),
        command("stats", stats),
        command("indicators", indicators),
        command("export", export),
        command("quiet", quiet),
        command("audit", show_audit),
        command("scope", scope),
        area_buttons("con", CON),
    ])
    if application.job_queue is not None:
        # Every few hours (cheap: a query per table); the first pass a while after start.
        application.job_queue.run_repeating(daily, interval=timedelta(hours=6), first=timedelta(minutes=10), name="follow-up and retention",
                                            job_kwargs={"max_instances": 1, "coalesce": True})
