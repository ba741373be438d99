"""The playground in a browser: headless Chromium drives the chat page, which drives the real
bot through the emulator, all in this test's event loop.

Debian's `chromium` package provides the browser (Playwright only steers it). Where no Chromium
is installed, or Playwright cannot start it, the tests are skipped and say why.

`VOCES_SCREENSHOT=1` also saves the seeded leader's chat as docs/playground.png for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, async_playwright, expect
from sqlalchemy import select

from bot.core.config import load_settings
from bot.people.models import User
from bot.playground import seed, seed_whatsapp
from bot.playground.server import PLAYGROUND_TOKEN, Playground
from handlers.channels import ChannelsInLoop, whatsapp_sender
from handlers.commands import localized

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "playground.png"
WHATSAPP_SCREENSHOT = ROOT / "docs" / "phone-whatsapp-first-contact.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SMALL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# How long the bot's side of the chat must stay unchanged before an action counts as answered.
QUIET_SECONDS = 0.4

pytestmark = pytest.mark.timeout(180)


def chromium_executable() -> str | None:
    candidates = [os.environ.get("VOCES_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    settings = load_settings(_env_file=None)
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=tmp_path / "playground") as running:
        yield running


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    executable = chromium_executable()
    if executable is None:
        pytest.skip("no Chromium to drive: install Debian's `chromium` package (or set VOCES_CHROMIUM)")
    async with async_playwright() as playwright:
        try:
            context = await playwright.chromium.launch_persistent_context(
                tmp_path / "chromium-profile",
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                locale="es-PE",
                viewport={"width": 440, "height": 860},
            )
        except PlaywrightError as error:
            reason = error.message.splitlines()[0]
            pytest.skip(f"Playwright could not start Chromium at {executable}: {reason}")
        try:
            yield context.pages[0] if context.pages else await context.new_page()
        finally:
            await context.close()


class ChatPage:
    """The chat page as a person uses it, in the words of the emulator's SimulatedUser."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def becomes(self, first_name: str) -> None:
        await self.page.locator(".person", has_text=first_name).click()
        await expect(self.page.locator("#you")).to_contain_text(first_name)

    async def sends(self, text: str) -> None:
        before = await self._bot_side()
        await self.page.locator("#text").fill(text)
        await self.page.locator("#text").press("Enter")
        await self._answered(before)

    async def taps(self, label: str) -> None:
        """An inline button of the newest message that has it, or a reply keyboard button."""
        before = await self._bot_side()
        await self.page.get_by_role("button", name=label).last.click()
        await self._answered(before)

    async def clicks(self, target: Locator) -> None:
        """A link or a /command in a message, as a person taps it."""
        before = await self._bot_side()
        await target.click()
        await self._answered(before)

    async def uses_command_menu(self, command: str) -> None:
        before = await self._bot_side()
        await self.page.locator("#menu-button").click()
        await self.page.get_by_role("menuitem", name=command).click()
        await self._answered(before)

    async def uploads(self, file_name: str, mime_type: str, content: bytes) -> None:
        before = await self._bot_side()
        await self.page.locator("#attach-button").click()
        async with self.page.expect_file_chooser() as chooser:
            await self.page.locator("#attach-file").click()
        await (await chooser.value).set_files({"name": file_name, "mimeType": mime_type, "buffer": content})
        await self._answered(before)

    @property
    def bot_messages(self) -> Locator:
        return self.page.locator("#messages .row.bot .text")

    @property
    def own_messages(self) -> Locator:
        return self.page.locator("#messages .row.me")

    async def _bot_side(self) -> str:
        """What the bot has shown: its messages (with their buttons) and the reply keyboard."""
        return await self.page.evaluate(
            """() => [...document.querySelectorAll('#messages .row.bot')]
                  .map((row) => row.dataset.messageId + ':' + row.textContent).join('|')
                + '#' + document.getElementById('reply-keyboard').textContent"""
        )

    async def _answered(self, before: str) -> None:
        """Wait for the bot to change something, then for it to stay quiet for a moment."""
        await self.page.wait_for_function(
            """(before) => [...document.querySelectorAll('#messages .row.bot')]
                  .map((row) => row.dataset.messageId + ':' + row.textContent).join('|')
                + '#' + document.getElementById('reply-keyboard').textContent !== before""",
            arg=before,
            timeout=15_000,
        )
        seen = await self._bot_side()
        while True:
            await self.page.wait_for_timeout(QUIET_SECONDS * 1000)
            now = await self._bot_side()
            if now == seen:
                return
            seen = now


async def test_a_newcomer_onboards_sends_a_file_and_a_leader_sees_her_own_chat(
    page: Page, playground: Playground
):
    chat = ChatPage(page)
    await page.goto(playground.url)
    # Ana has never written to the bot: she is offered first, and her chat is empty.
    await expect(page.locator(".person[aria-pressed=true]")).to_contain_text("Ana")
    await expect(page.locator(".empty")).to_be_visible()

    await chat.sends("/start")
    await expect(chat.bot_messages.last).to_contain_text("Antes de empezar")
    await chat.taps("✅ Acepto")
    # The notice is edited in place (its buttons go) and the next step follows.
    await expect(page.get_by_text("✅ Gracias. Aceptaste el aviso de datos.")).to_be_visible()
    await expect(page.get_by_role("button", name="✅ Acepto")).to_have_count(0)
    await expect(chat.bot_messages.last).to_contain_text("registra tu organización con /registrar")

    # A file outside a flow is not kept; the bot points to /ruos.
    await chat.uploads("acta.pdf", "application/pdf", SMALL_PDF)
    await expect(chat.own_messages.last.locator(".attachment-name")).to_have_text("acta.pdf")
    await expect(chat.bot_messages.last).to_contain_text("abre /ruos")

    # Rosa, the seeded leader, has her own chat: none of Ana's messages, her organization's card.
    await chat.becomes("Rosa")
    await expect(page.get_by_text("acta.pdf")).to_have_count(0)
    await chat.uses_command_menu(f"/{localized('myorg', 'es')}")
    await expect(chat.bot_messages.last).to_contain_text("Mujeres Emprendedoras del Callao")
    await expect(page.get_by_role("button", name="✏️ Editar un dato")).to_be_visible()
    if os.environ.get("VOCES_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=SCREENSHOT)

    # Back to Ana: her chat is as she left it.
    await chat.becomes("Ana")
    await expect(chat.own_messages.last.locator(".attachment-name")).to_have_text("acta.pdf")


async def test_a_newcomer_registers_an_organization_in_the_browser_and_staff_see_it_pending(
    page: Page, playground: Playground
):
    chat = ChatPage(page)
    await page.goto(playground.url)
    await chat.sends("/start")
    await chat.taps("✅ Acepto")
    await chat.sends("/register")
    await chat.sends("Ollas Comunes de Villa El Salvador")
    await chat.taps("OSB")
    await chat.sends("ves")
    await chat.taps("Villa El Salvador")
    await chat.sends("Sector 3, Grupo 12, Mz. B Lt. 4")
    await chat.sends("2022")
    for count in ("12", "18", "0"):
        await chat.sends(count)
    await chat.taps("Salud")
    await chat.taps("Listo")
    # The phone question brings a reply keyboard; its button shares Ana's contact.
    await chat.taps("📱 Compartir mi número")
    await expect(chat.own_messages.last.locator(".attachment-size")).to_have_text("51987100101")
    await expect(page.locator("#reply-keyboard")).to_be_hidden()
    await chat.taps("Presidencia")
    await chat.sends("Ana Rojas Mendoza")
    await chat.taps("DNI")
    await chat.sends("45678912")
    await chat.taps("Esa es toda la junta")
    await chat.sends("01/02/2025")
    await chat.sends("31/01/2027")
    await chat.taps("✅ Confirmar y enviar")
    await expect(chat.bot_messages.last).to_contain_text("quedó registrada")

    await chat.becomes("Carmen")
    await chat.sends("/pending")
    await expect(chat.bot_messages.last).to_contain_text("Ollas Comunes de Villa El Salvador")


async def test_a_restarted_playground_shows_every_chat_as_it_was_and_staff_have_their_menu(tmp_path: Path):
    settings = load_settings(_env_file=None)
    data_dir = tmp_path / "playground"
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=data_dir) as first:
        # Carmen (staff) has never written: her menu is already the staff's, as in Telegram.
        assert localized("pending", "es") in first.emulator.user(seed.STAFF.telegram_id).commands
        rosa = first.emulator.user(seed.LEADER.telegram_id)
        await rosa.sends("/myorg")
        assert "Mujeres Emprendedoras del Callao" in rosa.last_text
        seen, buttons = rosa.messages, rosa.buttons
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=data_dir) as second:
        rosa = second.emulator.user(seed.LEADER.telegram_id)
        assert (rosa.messages, rosa.buttons) == (seen, buttons)
        await rosa.taps(buttons[0])  # the restored card's buttons still work
        assert len(rosa.replies) >= 1



async def test_with_no_token_of_either_kind_the_playground_runs_the_bot_on_telegram_and_on_whatsapp(tmp_path: Path):
    """The README's first command: no BOT_TOKEN, no WHATSAPP_*; the same bot answers both."""
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None and settings.whatsapp_token is None
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=tmp_path / "playground") as running:
        assert running.runtime is not None
        assert running.runtime.settings.telegram_enabled and running.runtime.settings.whatsapp_enabled
        async with aiohttp.ClientSession() as http, http.get(f"{running.url}/playground/people") as response:
            listed = await response.json()
        assert [person["wa_id"] for person in listed["whatsapp"]] == [str(seed_whatsapp.FIRST_WA_ID)]
        rosa = running.emulator.user(seed.LEADER.telegram_id)
        await rosa.sends("/myorg")
        assert "Mujeres Emprendedoras del Callao" in rosa.last_text
        # Milagros writes through the stand-in, which signs the webhook with the generated secret.
        milagros = running.standin.person(listed["whatsapp"][0]["wa_id"])
        # Wait for her answer (one message), not for a quiet moment a garbage collection can fake.
        running.standin.expect_answer = True
        await milagros.writes("hola")
        assert [choice.id for choice in milagros.choices] == ["lang:es", "lang:en"]
    async with Playground(settings, bot=ChannelsInLoop(), port=0, data_dir=tmp_path / "playground") as again:
        # She met the bot: the next start offers a number the bot has never met, for first contact.
        assert [person.wa_id for person in again.whatsapp_people] == [str(seed_whatsapp.FIRST_WA_ID + 1)]


async def test_the_page_behaves_like_telegram_commands_deep_links_scrolling_days_and_menus(
    page: Page, playground: Playground
):
    chat = ChatPage(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A page opened while the playground starts hears of nobody for a moment: it waits.
    answers = {"starting": 2}

    async def starting(route):  # noqa: ANN001
        if answers["starting"]:
            answers["starting"] -= 1
            await route.fulfill(json={"bot": {"first_name": "Voces", "username": "voces_bot"}, "people": []})
        else:
            await route.continue_()

    await page.route("**/playground/people", starting)
    await page.goto(playground.url)
    await expect(page.locator(".person[aria-pressed=true]")).to_contain_text("Ana")
    await page.unroute("**/playground/people")

    # Carmen (staff) has not written since the start: her menu already has the staff's commands.
    await chat.becomes("Carmen")
    await page.locator("#menu-button").click()
    await expect(page.get_by_role("menuitem", name=f"/{localized('pending', 'es')}")).to_be_visible()
    await page.keyboard.press("Escape")

    # A /command in the bot's text is tappable and sends it; a short chat sits at the bottom.
    await chat.becomes("Ana")
    await chat.sends("/start")
    await chat.taps("✅ Acepto")
    await expect(page.locator(".date-separator")).to_have_text("Hoy")
    register = f"/{localized('register', 'es')}"
    await chat.clicks(chat.bot_messages.last.locator("a.bot-command", has_text=register).first)
    await expect(chat.own_messages.last).to_contain_text(register)
    gap = await page.evaluate("""() => {
        const box = document.getElementById('messages'), rows = box.querySelectorAll('.row');
        return box.getBoundingClientRect().bottom - rows[rows.length - 1].getBoundingClientRect().bottom }""")
    assert gap < 40, f"the newest message is {gap}px above the composer"

    # A deep link to this bot opens as /start … in the same chat.
    await chat.becomes("Rosa")
    await chat.sends(f"/{localized('invite', 'es')}")
    # The commands the "/" asked for may arrive after the message went: no menu pops up then.
    await expect(page.locator("#command-menu")).to_be_hidden()
    link = chat.bot_messages.last.locator("a.deep-link")
    await expect(link).to_contain_text("t.me/voces_bot?start=join_")
    await chat.clicks(link)
    await expect(chat.own_messages.last).to_contain_text("/start join_")

    # Scrolled up, a new bot message does not pull the reader down: ↓ appears, counting it.
    for _ in range(3):
        await chat.sends(f"/{localized('help', 'es')}")
    await page.evaluate("document.getElementById('messages').scrollTop = 0")
    await expect(page.locator("#to-bottom")).to_be_visible()
    async with aiohttp.ClientSession() as client:  # the bot writes on its own, as a reminder would
        sent = await client.post(f"{playground.emulator.base_url}{PLAYGROUND_TOKEN}/sendMessage",
                                 json={"chat_id": seed.LEADER.telegram_id, "text": "Recordatorio: mañana vence tu junta"})
        assert sent.status == 200
    await expect(chat.bot_messages.last).to_contain_text("Recordatorio")
    assert await page.evaluate("document.getElementById('messages').scrollTop") == 0
    await expect(page.locator("#unread")).to_have_text("1")
    await page.locator("#to-bottom").click()
    await expect(page.locator("#to-bottom")).to_be_hidden()

    # Nothing is wider than the window, at a desktop's width as at a phone's.
    for width, height in ((1280, 800), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        overflow = await page.evaluate("""() => [document.documentElement, document.getElementById('messages')]
            .some((element) => element.scrollWidth > element.clientWidth + 1)""")
        assert not overflow, f"horizontal overflow at {width}px"
    switcher = await page.locator(".switcher").bounding_box()
    person = await page.locator(".person").first.bounding_box()
    assert switcher["height"] < 2 * person["height"], "the person bar takes more than one row on a phone"
    assert errors == []


CUT_BUTTONS = """() => [...document.querySelectorAll('.inline-button')]
    .filter((button) => button.offsetParent !== null && button.scrollWidth > button.clientWidth + 1)
    .map((button) => button.textContent)"""
PHOTO_SHAPES = """() => [...document.querySelectorAll('#messages img')]
    .filter((image) => image.complete && image.naturalWidth > 0)
    .map((image) => [image.naturalWidth, image.naturalHeight])"""


async def test_at_a_phones_width_the_new_screens_show_every_button_whole_and_charts_upright(
    page: Page, playground: Playground
):
    """Phone first (390 × 844, in Spanish): a leader's report and trainings, a coordinator's
    session and broadcast, staff's /estadisticas. No button label is cut by the page (the
    playground's fonts, as a phone would), and the charts are portrait images."""
    chat = ChatPage(page)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(playground.url)
    shots = os.environ.get("VOCES_SCREENSHOT")
    cut: list[str] = []

    async def look(name: str) -> None:
        cut.extend(f"{name}: {label}" for label in await page.evaluate(CUT_BUTTONS))
        if shots:
            await page.screenshot(path=ROOT / "docs" / f"phone-{name}.png")

    await chat.becomes("Rosa")
    await chat.sends(f"/{localized('report', 'es')}")
    await expect(chat.bot_messages.last).to_contain_text("vence el")
    await look("leader-report")
    await chat.sends(f"/{localized('trainings', 'es')}")
    await look("leader-trainings")

    await chat.becomes("Luis")
    await chat.sends(f"/{localized('mysessions', 'es')}")
    await look("coordinator-sessions")
    await chat.taps("Cultura")
    await look("coordinator-session")
    await chat.sends(f"/{localized('broadcast', 'es')}")
    await chat.taps("👥 Para quién")
    await look("coordinator-broadcast-audience")

    await chat.becomes("Carmen")
    await chat.sends(f"/{localized('stats', 'es')}")
    await expect(page.locator("#messages img")).not_to_have_count(0, timeout=15_000)
    await page.wait_for_function("() => [...document.querySelectorAll('#messages img')].every((i) => i.complete)")
    shapes = await page.evaluate(PHOTO_SHAPES)
    assert len(shapes) >= 2 and all(height > width for width, height in shapes), shapes
    await look("staff-stats")
    assert cut == [], f"button labels cut at 390 px: {cut}"


class WhatsAppPage:
    """The WhatsApp-like page as a person uses it: write, press a button, open a list."""

    BOT_SIDE = "() => [...document.querySelectorAll('#messages .wa-row.bot')].map((row) => row.textContent).join('|')"

    def __init__(self, page: Page) -> None:
        self.page = page

    async def writes(self, text: str) -> None:
        before = await self.page.evaluate(self.BOT_SIDE)
        await self.page.locator("#text").fill(text)
        await self.page.locator("#text").press("Enter")
        await self._answered(before)

    async def presses(self, target: Locator) -> None:
        before = await self.page.evaluate(self.BOT_SIDE)
        await target.click()
        await self._answered(before)

    @property
    def bot_messages(self) -> Locator:
        return self.page.locator("#messages .wa-row.bot")

    @property
    def own_messages(self) -> Locator:
        return self.page.locator("#messages .wa-row.me")

    async def _answered(self, before: str) -> None:
        await self.page.wait_for_function(f"(before) => ({self.BOT_SIDE})() !== before", arg=before, timeout=15_000)
        seen = await self.page.evaluate(self.BOT_SIDE)
        while True:
            await self.page.wait_for_timeout(QUIET_SECONDS * 1000)
            now = await self.page.evaluate(self.BOT_SIDE)
            if now == seen:
                return
            seen = now


OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll('.wa-bubble, .wa-action, .wa-header, .wa-composer')]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5);
  return [document.documentElement.scrollWidth > width, outside.map((element) => element.textContent.slice(0, 40))];
}"""


async def test_on_a_phone_the_whatsapp_demo_leader_says_hola_picks_spanish_and_accepts_the_notice(
    page: Page, playground: Playground
):
    """Phone first (390 × 844): Milagros, from the picker, on the WhatsApp-like page; the same bot
    answers her on its WhatsApp channel, through the stand-in, with reply buttons under its
    messages; a list opens from its button as a bottom sheet and a row goes back by its id."""
    chat = WhatsAppPage(page)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(playground.url)
    await page.locator(".person.on-whatsapp", has_text="Milagros").click()
    await expect(page.locator("#you")).to_have_text("Milagros")

    await chat.writes("hola")
    await expect(chat.own_messages.last).to_contain_text("hola")
    await expect(chat.bot_messages.last).to_contain_text("¿Qué idioma prefieres?")
    await chat.presses(chat.bot_messages.last.get_by_role("button", name="Español"))
    await expect(chat.own_messages.last).to_contain_text("Español")
    await expect(chat.bot_messages.last.get_by_role("button", name="✅ Acepto")).to_be_visible()
    assert await page.evaluate(OVERFLOWING) == [False, []]
    if os.environ.get("VOCES_SCREENSHOT"):
        await page.screenshot(path=WHATSAPP_SCREENSHOT)
    await chat.presses(chat.bot_messages.last.get_by_role("button", name="✅ Acepto"))
    await expect(chat.bot_messages.last).to_contain_text("✅ Gracias. Aceptaste el aviso de datos.")
    assert playground.runtime is not None
    wa_id = playground.whatsapp_people[0].wa_id
    async with playground.runtime.database.session() as session:
        milagros = await session.scalar(select(User).where(User.wa_id == wa_id))
    assert milagros is not None and milagros.has_consented and milagros.language == "es"

    # A list, sent as the bot sends: its button opens a bottom sheet; a row answers with its id.
    sender = whatsapp_sender(playground.runtime.settings)
    rows = [{"id": f"district:{n}", "title": title, "description": "Lima"} for n, title in enumerate(("Ate", "Comas", "Callao", "SJL"))]
    await sender.send(wa_id, {"type": "interactive", "interactive": {
        "type": "list", "body": {"text": "¿En qué *distrito*?"},
        "action": {"button": "Ver distritos", "sections": [{"title": "Distritos", "rows": rows}]}}})
    await sender.close()
    await expect(chat.bot_messages.last.locator("strong")).to_have_text("distrito")
    await chat.bot_messages.last.get_by_role("button", name="Ver distritos").click()
    await expect(page.get_by_role("dialog")).to_be_visible()
    await page.get_by_role("dialog").get_by_role("button", name="Comas").click()
    await expect(page.get_by_role("dialog")).to_be_hidden()
    await expect(chat.own_messages.last).to_contain_text("Comas")
    written = next(entry.written for entry in reversed(playground.standin.person(wa_id).chat) if entry.written)
    assert written.get("interactive", {}).get("list_reply", {}).get("id") == "district:1"

    # A file goes to the bot as a document, with its name; the page shows it as WhatsApp does.
    async with page.expect_file_chooser() as chooser:
        await page.locator("#attach-button").click()
    await (await chooser.value).set_files({"name": "acta.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF})
    await expect(chat.own_messages.last.locator(".wa-document-name")).to_have_text("acta.pdf")
    stored = await chat.own_messages.last.locator("a.wa-document").get_attribute("href")
    assert await page.evaluate("(url) => fetch(url).then((r) => r.text())", stored) == SMALL_PDF.decode()
    assert await page.evaluate(OVERFLOWING) == [False, []]
