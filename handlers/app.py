"""Builds the Application: persistence, rate limiter, error handler, and the handlers in a
visible order."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.warnings import PTBUserWarning

from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.core.sendbudget import SendBudget
from handlers import console, errors, guards, organizations, projects, questions, ruos, trainings
from handlers.aiohttp_request import AiohttpRequest
from handlers.broadcasts import compose as broadcasts
from handlers.broadcasts.delivery import TelegramBroadcasts
from handlers.console import backups
from handlers.context import OnePersonAtATime, VocesApplication, VocesContext, slot_lent
from handlers.messaging import reminder_answers, reminders
from handlers.organizations import registration
from handlers.people import onboarding, rights, roles, settings
from handlers.persistence import DatabasePersistence
from handlers.projects import reports as project_reports
from handlers.ratelimit import PatientRateLimiter
from handlers.trainings import browse as training_browse

log = logging.getLogger(__name__)


class CommitFirstRequest(AiohttpRequest):
    """Commits the update's work before every request to Telegram.

    So nothing the bot says (a question, a confirmation, a button's acknowledgement) can reach
    a person before what they entered, and the step they are at, is durable: a `kill -9` right
    after any answer loses nothing the answer implies. It also returns the update's database
    connection to the pool while the request is in flight.
    """

    def __init__(self, database: Database, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._database = database

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await self._database.commit()
        return await super().do_request(*args, **kwargs)


def build_application(
    runtime: Runtime,
    *,
    application_class: type[VocesApplication] = VocesApplication,
    max_retries: int = 3,
) -> VocesApplication:
    settings = runtime.settings
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    budget = SendBudget()
    updates = OnePersonAtATime(lines=[training_browse.seat_line], answers_queued=budget.people_waiting)

    @asynccontextmanager
    async def waiting_for_a_place() -> AsyncIterator[None]:
        # A message waiting for its place in the send budget (a crowd, a broadcast) has its
        # update's work committed first (as CommitFirstRequest would next), so the database
        # connection is free for others meanwhile, and lends its update slot.
        await runtime.database.commit()
        async with slot_lent():
            yield

    requests = (
        CommitFirstRequest(runtime.database, connection_pool_size=64, connect_timeout=10, read_timeout=20, pool_timeout=10),
        AiohttpRequest(connect_timeout=10, read_timeout=40),
    )
    application = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(settings.bot_token)
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=runtime.settings.zone))
        .context_types(ContextTypes(context=VocesContext))
        .persistence(DatabasePersistence(runtime.database, runtime.clock))
        # Waits out Telegram's 429 answers (retry_after), spaces bulk sends, and retries
        # requests that never left because the connection failed.
        # Button presses are answered once, and within a second: see OnePersonAtATime.
        .rate_limiter(PatientRateLimiter(max_retries=max_retries, budget=budget, while_waiting=waiting_for_a_place,
                                         first_answer=updates.first_answer))
        .concurrent_updates(updates)
        # Network hiccups on cheap mobile data are common: retry the connection, wait longer.
        # Over aiohttp rather than PTB's httpx: a request costs a fraction (handlers/aiohttp_request.py).
        .request(requests[0])
        .get_updates_request(requests[1])
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    application.runtime = runtime
    application.requests = requests
    _register_handlers(application)
    return application


def _register_handlers(application: VocesApplication) -> None:
    # PTB warns that button presses in a flow are not tracked per message. Voces's flows are per
    # chat on purpose: a button's callback data says what it is for, and old buttons are checked.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    # Group -10: the gatekeeper learns who is talking and their language.
    # Group -5: the consent gate: what needs consent stops here for whoever has not given it.
    # Group 0: features, flows before stand-alone commands, then the fallbacks that answer
    # whatever no feature took.
    guards.register(application)
    registration.register(application)
    # The staff console: its /pending gathers every area's waiting work, registrations too.
    console.register(application)
    backups.register(application)
    rights.register(application)
    organizations.register(application)
    ruos.register(application)
    projects.register(application)
    project_reports.register(application)
    questions.register(application)
    trainings.register(application)
    roles.register(application)
    broadcasts.register(application)
    reminder_answers.register(application)
    settings.register(application)
    onboarding.register(application)
    onboarding.register_fallbacks(application)
    application.add_error_handler(errors.on_error)


async def _post_init(application: VocesApplication) -> None:  # type: ignore[override]
    await onboarding.set_default_menus(application)
    application.broadcasts = application.runtime.broadcasts
    application.broadcasts.add("telegram", TelegramBroadcasts(application))
    await reminders.start_engine(application)


async def _post_stop(application: VocesApplication) -> None:  # type: ignore[override]
    await application.runtime.outgoing.stop()


# --- running inside a caller's event loop (the playground, the tests) ----------------------------


async def start_in_loop(application: VocesApplication, **polling: Any) -> None:
    """Start and poll inside a running event loop, doing what `run_polling` does first."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(**polling)


async def stop_in_loop(application: VocesApplication) -> None:
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
    await application.shutdown()


class PollingBot:
    """The bot for the playground: built on the runtime it is given, polling in its loop."""

    def __init__(self) -> None:
        self.application: VocesApplication | None = None

    async def start(self, runtime: Runtime) -> None:
        self.application = build_application(runtime)
        await start_in_loop(self.application)

    async def stop(self) -> None:
        if self.application is not None:
            await stop_in_loop(self.application)
            self.application = None
