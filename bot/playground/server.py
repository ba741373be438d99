"""The playground: try the bot in a browser, with no Telegram, no WhatsApp, no token and no network.

One process serves it all on one port: the project's Bot API emulator, the real bot polling it
(built by ``handlers.app.build_application``, exactly as in production), and a chat page
(``static/``) that talks to the emulator's client API as a Telegram app would. Beside it, the
WhatsApp Cloud API stand-in (``whatsapp/``) on a loopback port of its own: the same bot's
WhatsApp channel sends through its Graph endpoints and receives its signed webhooks, configured
with a generated token, app secret and verify token; the WhatsApp-like page (``/whatsapp``)
talks to the stand-in's JSON API, served on the playground's port too::

    voces-bot playground --port 8080          # blocks until Ctrl-C or SIGTERM

    async with Playground(settings, bot=ChannelsInLoop(), port=0) as playground:   # in tests
        page.goto(playground.url)

The playground never touches the real bot's data: its database, identity-number key and files
live under ``data/playground/``, seeded with demo people and organizations (``seed.py``). The
chats themselves (what each person sees) are kept beside them in ``emulator/``, saved as they
change, so a restart shows every chat as it was, as Telegram would.
The bot itself comes from the caller (``cli.py`` passes ``handlers.channels.ChannelsInLoop``), so this
module, like the rest of ``bot/``, knows nothing of Telegram's library.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import signal
import sys
from pathlib import Path
from types import TracebackType
from typing import Protocol

from aiohttp import web

from bot.core import migrate
from bot.core.config import Settings, home_directory
from bot.core.db import Database
from bot.core.runtime import Runtime
from bot.playground import seed, seed_whatsapp
from bot.playground.emulator import BotApiEmulator
from bot.playground.emulator.archive import ChatArchive
from bot.playground.whatsapp import CloudApiStandIn
from bot.playground.whatsapp.client_api import ClientApi as StandInClientApi


class Bot(Protocol):
    """The chat layer, started on the playground's runtime (handlers.channels.ChannelsInLoop)."""

    # Where the WhatsApp channel takes Meta's webhooks once started (None: no such channel).
    whatsapp_webhook_url: str | None

    async def start(self, runtime: Runtime) -> None: ...

    async def stop(self) -> None: ...

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_FILES = ("index.html", "playground.css", "playground.js", "whatsapp.html", "whatsapp.css", "whatsapp.js")
DEFAULT_DATA_DIR = Path("data/playground")
# The emulator takes the bot's id from the token, as Telegram does.
PLAYGROUND_TOKEN = "7000000001:PLAYGROUND"
DATABASE_FILE = "voces.sqlite3"


class PlaygroundError(Exception):
    """The playground cannot start; the message says why in one sentence."""


def playground_settings(
    settings: Settings, *, emulator: BotApiEmulator, standin: CloudApiStandIn, verify_token: str, data_dir: Path
) -> Settings:
    """The bot's settings pointed at the emulator, the stand-in and the playground's own data:
    both channels, with tokens made up for the occasion (no real one of either kind)."""
    return settings.model_copy(
        update={
            "bot_token": PLAYGROUND_TOKEN,
            "bot_api_base_url": emulator.base_url,
            "bot_api_file_url": emulator.base_file_url,
            "webhook_url": None,
            "whatsapp_token": standin.token,
            "whatsapp_phone_number_id": standin.phone_number_id,
            "whatsapp_app_secret": standin.app_secret,
            "whatsapp_verify_token": verify_token,
            "whatsapp_api_base_url": standin.graph_url(),
            "whatsapp_webhook_listen": "127.0.0.1",
            "database_url": f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}",
            "admin_ids": settings.admin_ids | {seed.STAFF.telegram_id},
            # Its own key, beside its own database: the real key never encrypts demo data.
            "id_encryption_key": None,
            "id_key_file": data_dir / "id-encryption.key",
            "storage_dir": data_dir / "files",
        }
    )


class Playground:
    """The emulator, the seeded bot and the chat page, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        *,
        bot: Bot,
        host: str = "127.0.0.1",
        port: int = 8080,
        data_dir: Path = DEFAULT_DATA_DIR,
    ) -> None:
        self.emulator = BotApiEmulator(token=PLAYGROUND_TOKEN)
        # Fresh secrets at each start: the stand-in signs its webhooks with the app secret and
        # checks the bot's bearer token, as Meta does.
        self.standin = CloudApiStandIn(token=f"PLAYGROUND-{secrets.token_urlsafe(16)}", app_secret=secrets.token_hex(16))
        self.verify_token = secrets.token_urlsafe(16)
        self.host = host
        self.port = port
        self.data_dir = data_dir
        self.settings = settings
        self.people: list[seed.DemoPerson] = []
        self.whatsapp_people: list[seed_whatsapp.WhatsAppDemoPerson] = []
        self.runtime: Runtime | None = None
        self.bot = bot
        self._bot_started = False

    @property
    def url(self) -> str:
        return self.emulator.url

    async def start(self) -> None:
        router = self.emulator.web_app.router
        router.add_get("/", self._page_file)
        router.add_get("/static/{name}", self._page_file)
        router.add_get("/whatsapp", self._page_file)
        router.add_get("/playground/people", self._people)
        StandInClientApi(self.standin).register(router)  # the WhatsApp page's, on this port
        try:
            await self.emulator.start(self.host, self.port)
        except OSError as error:
            raise PlaygroundError(
                f"The playground cannot listen on {self.host}:{self.port} "
                f"({error.strerror or error}): choose another port with --port."
            ) from error
        try:
            await self.standin.start("127.0.0.1", 0)
            settings = playground_settings(
                self.settings, emulator=self.emulator, standin=self.standin, verify_token=self.verify_token,
                data_dir=self.data_dir,
            )
            self._keep_chats()
            await asyncio.to_thread(migrate.upgrade, settings.database_url)
            self.runtime = Runtime(settings=settings, database=Database(settings.database_url))
            self.people = await seed.seed(self.runtime)
            for person in self.people:
                self.emulator.user(
                    person.telegram_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    language_code="es",
                    phone_number=person.phone_number,
                )
            self.whatsapp_people = await seed_whatsapp.seed(self.runtime)
            for wa_person in self.whatsapp_people:
                self.standin.person(wa_person.wa_id, name=wa_person.name)
            # In this loop, as the tests run it, so the page and the bot share it.
            await self.bot.start(self.runtime)
            self._bot_started = True
            if self.bot.whatsapp_webhook_url is not None:
                # As the app's dashboard does: Meta's GET handshake, then the webhooks flow.
                await self.standin.subscribe(self.bot.whatsapp_webhook_url, verify_token=self.verify_token)
        except BaseException:
            await self.stop()
            raise

    def _keep_chats(self) -> None:
        """Restore the saved chats, unless the database they belong to is gone."""
        chats = self.data_dir / "emulator"
        if not (self.data_dir / DATABASE_FILE).exists():
            shutil.rmtree(chats, ignore_errors=True)  # a fresh database: fresh chats too
        self.emulator.keep_chats(ChatArchive(chats))

    async def stop(self) -> None:
        if self._bot_started:
            await self.bot.stop()
            self._bot_started = False
        if self.runtime is not None:
            await self.runtime.database.dispose()
            self.runtime = None
        await self.standin.stop()
        await self.emulator.stop()

    async def __aenter__(self) -> Playground:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _page_file(self, request: web.Request) -> web.FileResponse:
        name = request.match_info.get("name", "whatsapp.html" if request.path == "/whatsapp" else "index.html")
        if name not in PAGE_FILES:
            raise web.HTTPNotFound()
        # Revalidated on every load, so a page open across an upgrade never mixes versions.
        return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})

    async def _people(self, request: web.Request) -> web.Response:
        """Who the page can be, in the switcher's order, and the bot's name for the header."""
        # None until the bot runs (its menus set): a page opened meanwhile waits and asks again.
        ready = self.people if self._bot_started else []
        switchable = [person for person in ready if person.demo_role is not seed.DemoRole.BACKGROUND]
        on_whatsapp = self.whatsapp_people if self._bot_started and self.standin.outbox.callback_url else []
        return web.json_response(
            {
                "bot": {"first_name": self.emulator.bot_first_name, "username": self.emulator.bot_username},
                "people": [
                    {
                        "id": person.telegram_id,
                        "role": person.demo_role.value,
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                    }
                    for person in switchable
                ],
                "whatsapp": [
                    {"wa_id": person.wa_id, "role": person.demo_role.value, "name": person.name,
                     "first_name": person.first_name}
                    for person in on_whatsapp
                ],
            }
        )


async def serve(settings: Settings, *, bot: Bot, host: str, port: int, data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Run the playground until SIGINT or SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signal_number, stopping.set)
        except (NotImplementedError, RuntimeError):
            pass  # Windows: Ctrl-C still interrupts asyncio.run, which unwinds the playground.
    async with Playground(settings, bot=bot, host=host, port=port, data_dir=data_dir) as playground:
        print(f"Voces playground: open {playground.url} in your browser (Ctrl-C to stop)", flush=True)
        await stopping.wait()
    print("Voces playground stopped.", flush=True)


def run(settings: Settings, *, bot: Bot, host: str, port: int) -> int:
    """Serve the playground until stopped; the exit code for the command line."""
    try:
        asyncio.run(serve(settings, bot=bot, host=host, port=port, data_dir=home_directory() / DEFAULT_DATA_DIR))
    except PlaygroundError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
