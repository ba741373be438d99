"""The bot's WhatsApp channel under test: the project's Cloud API stand-in
(bot/playground/whatsapp/) and the channel (webhook, worker, client) pointed at each other.

People are the stand-in's: ``ana = wa.person("Ana")``, ``await ana.writes("hola")``,
``await ana.presses("lang:es")`` or ``await ana.chooses("Español")``, then ``ana.last`` (the
newest message, with ``.text``, ``.kind``, ``.choices``), ``ana.choices``, ``ana.texts`` (what came
since her last action) and ``ana.files``. Each action returns once the bot answered it: the
worker tells the stand-in each message it is done with.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import load_settings
from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.messaging import window
from bot.organizations.models import (
    LeaderRole,
    Leadership,
    Organization,
    OrganizationKind,
    VerificationStatus,
)
from bot.people.models import User
from bot.playground.whatsapp import CloudApiStandIn, WhatsAppPerson
from handlers.broadcasts.delivery import TelegramBroadcasts
from handlers.messaging.reminders import deliverer as telegram_deliverer
from handlers.whatsapp.channel import ClientSender, WhatsAppChannel
from handlers.whatsapp.deliver import WhatsAppBroadcasts, WhatsAppDeliverer
from tests.harness import TEST_ID_KEY

TOKEN = "EAAG-token-for-the-stand-in"
CALLAO = "070101"
VERIFY_TOKEN = "verify-me"


@dataclass
class WhatsAppUnderTest:
    database_url: str
    storage_dir: Path
    clock: FakeClock = field(default_factory=FakeClock)
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    standin: CloudApiStandIn | None = None
    channel: WhatsAppChannel | None = None
    runtime: Runtime | None = None
    sender: ClientSender | None = None

    async def start(self) -> None:
        if self.standin is None:
            self.standin = CloudApiStandIn(token=TOKEN, clock=self.clock)
            self.standin.expect_processed_signal = True
            await self.standin.start()
        standin = self.standin
        settings = load_settings(**{
            "database_url": self.database_url, "id_encryption_key": TEST_ID_KEY, "storage_dir": self.storage_dir,
            "whatsapp_token": TOKEN, "whatsapp_phone_number_id": standin.phone_number_id,
            "whatsapp_app_secret": standin.app_secret, "whatsapp_verify_token": VERIFY_TOKEN,
            "whatsapp_api_base_url": standin.graph_url(), "_env_file": None, **self.settings_overrides,
        })
        self.runtime = Runtime(settings=settings, database=Database(self.database_url), clock=self.clock)
        self.sender = ClientSender.from_settings(settings)
        self.channel = WhatsAppChannel(self.runtime, self.sender, poll_seconds=0.2, on_done=standin.mark_processed)
        await self.channel.start(host="127.0.0.1", port=0)
        await self.sender.publish_commands(self.runtime)
        await standin.subscribe(f"http://127.0.0.1:{self.channel.port}{settings.whatsapp_webhook_path}",
                                verify_token=VERIFY_TOKEN)

    async def stop(self, *, standin: bool = True) -> None:
        if self.channel is not None:
            await self.channel.stop()
            self.channel = None
        if self.sender is not None:
            await self.sender.close()
            self.sender = None
        if self.runtime is not None:
            await self.runtime.database.dispose()
        if standin and self.standin is not None:
            await self.standin.stop()
            self.standin = None

    async def restart(self) -> None:
        """A brand-new channel (and runtime) on the same database and stand-in."""
        await self.stop(standin=False)
        await self.start()

    def person(self, name: str = "Rosa", *, wa_id: str | None = None, hides_number: bool = False) -> WhatsAppPerson:
        assert self.standin is not None
        return self.standin.person(wa_id, name=name, hides_number=hides_number)

    def session(self):  # noqa: ANN201 - an async context manager
        assert self.runtime is not None
        return self.runtime.database.session()

    async def settled(self) -> None:
        assert self.channel is not None
        await self.channel.worker.idle()


@pytest.fixture
async def wa(database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
             request: pytest.FixtureRequest) -> AsyncIterator[WhatsAppUnderTest]:
    # Beside the Telegram bot (a story on both channels): one clock, one file store, and each
    # side's engine delivers to people on either channel, as in one process serving both.
    bot = request.getfixturevalue("bot") if "bot" in request.fixturenames else None
    under_test = WhatsAppUnderTest(database_url=database_url, storage_dir=bot.storage_dir if bot else tmp_path / "wa-files",
                                   **({"clock": bot.clock} if bot is not None else {}))
    await under_test.start()
    if bot is not None:
        side_by_side(bot, under_test)
    yield under_test
    await under_test.stop()
    # A story that passed while the worker failed to answer someone did not pass.
    failures = [r.getMessage() for r in caplog.records
                if r.name.startswith("handlers.whatsapp") and r.levelno >= logging.ERROR]
    assert not failures, f"the WhatsApp channel hit errors during the test: {failures}"


def side_by_side(bot: Any, wa: WhatsAppUnderTest) -> None:
    """Telegram's bot and the WhatsApp channel, each on its runtime, deliver to either channel."""
    assert bot.runtime is not None and bot.application is not None and wa.runtime is not None and wa.sender is not None
    bot.runtime.channels.add("whatsapp", WhatsAppDeliverer(bot.runtime, wa.sender))
    bot.runtime.broadcasts.add("whatsapp", WhatsAppBroadcasts(bot.runtime, wa.sender))
    wa.runtime.channels.add("telegram", telegram_deliverer(bot.application))
    wa.runtime.broadcasts.add("telegram", TelegramBroadcasts(bot.application))


async def consented(person: WhatsAppPerson, *, language: str = "es") -> None:
    """First contact done: the language chosen and the data notice accepted."""
    await person.writes("hola")
    await person.presses(f"lang:{language}")
    await person.presses("consent:yes")


async def arrives(person: WhatsAppPerson, test, timeout: float = 10.0):  # noqa: ANN001, ANN201, ASYNC109 - a deadline
    """The newest message the person received that passes `test`, waiting for it (a notice or
    a reminder arrives on its own, not as the answer to an action)."""
    for _tick in range(int(timeout / 0.05)):
        found = [message for message in person.received if test(message)]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing of the kind arrived; the last reads {person.last_text!r}")


async def leading_in_callao(wa: WhatsAppUnderTest, person: WhatsAppPerson) -> int:
    """The WhatsApp person leads an organization in Callao (rows straight to the database)."""
    async with wa.session() as session:
        user = await session.scalar(select(User).where(User.wa_id == person.wa_id))
        now = wa.clock.now()
        organization = Organization(name="Mujeres del Callao", kind=OrganizationKind.OSB, district_ubigeo=CALLAO, address="Av. 1",
                                    founded_year=2020, contact_phone="+51987654321", board_term_start=date(2025, 1, 1),
                                    board_term_end=date(2027, 1, 1), status=VerificationStatus.VERIFIED, created_at=now, updated_at=now)
        session.add(organization)
        await session.flush()
        session.add(Leadership(user_id=user.id, organization_id=organization.id, role=LeaderRole.OWNER, joined_at=now, acting=True))
        return user.id


def register_templates(wa: WhatsAppUnderTest) -> None:
    """The templates of bot/data/whatsapp_templates as registered with Meta, for the stand-in."""
    assert wa.standin is not None
    for (language, _kind), template in window.load_templates().items():
        wa.standin.register_template(template.name, language, body=template.body, category=template.category,
                                     quick_replies=(template.button_text,))
