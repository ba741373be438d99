"""The command line: settings errors in one sentence, and a bot that survives `kill -9`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from telegram import Bot

from bot.core.db import Database
from bot.organizations.models import RegistrationDraft
from bot.playground.emulator import BotApiEmulator
from tests.harness import answered

CLEAN_ENV = {key: value for key, value in os.environ.items() if not key.startswith(("BOT_", "DATABASE_", "ADMIN_", "WEBHOOK_"))}


def voces_bot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**CLEAN_ENV, "VOCES_HOME": str(cwd), **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_files_seal_runs_with_the_bot_stopped_and_says_what_it_did(tmp_path):
    result = voces_bot("files", "seal", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Sealed 0 file(s) stored in clear" in result.stdout


@pytest.mark.parametrize(
    ("setting", "value"),
    [("TIMEZONE", "Mars/Olympus"), ("ADMIN_IDS", "carmen,12"), ("DATABASE_URL", "mysql://x"), ("ID_ENCRYPTION_KEY", "not-a-key"),
     ("WHATSAPP_WEBHOOK_PATH", "whatsapp")],
)
def test_a_malformed_setting_stops_start_up_with_one_sentence_naming_it(tmp_path, setting, value):
    result = voces_bot("run", env={"BOT_TOKEN": "1:x", setting: value}, cwd=tmp_path)
    assert result.returncode == 2
    assert f"The setting {setting}" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_works_from_any_directory(tmp_path):
    result = voces_bot("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.sqlite3").stat().st_size > 0


async def wait_for_polling(emulator: BotApiEmulator, process: subprocess.Popen[bytes], since: int) -> None:
    for _ in range(300):
        if sum(1 for call in list(emulator.calls) if call.method == "setMyCommands") > since:
            return
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "bot exited"
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never started polling")


async def test_a_leader_resumes_at_the_same_step_after_the_bot_is_killed(tmp_path):
    emulator = BotApiEmulator()
    emulator.settle_seconds = 0.4
    await emulator.start()
    database = tmp_path / "voces.sqlite3"
    env = {
        **CLEAN_ENV,
        "BOT_TOKEN": "7000000001:kill-nine",
        "BOT_API_BASE_URL": emulator.base_url,
        "BOT_API_FILE_URL": emulator.base_file_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
    }

    leader = emulator.user(first_name="Carmen", language_code="es")
    first = spawn_bot(env, tmp_path)
    try:
        await wait_for_polling(emulator, first, 0)
        await leader.sends("/start")
        await answered(leader)
        await leader.taps("✅ Acepto")
        await answered(leader)
        await leader.sends("/register")
        await answered(leader)
        await leader.sends("Comedor Popular Santa Rosa")
        await answered(leader)
        await leader.taps("OSB")
        await answered(leader)
        assert "distrito" in leader.last_text
    finally:
        first.send_signal(signal.SIGKILL)                  # no shutdown, no flush
        first.wait()

    polls = sum(1 for call in list(emulator.calls) if call.method == "setMyCommands")
    second = spawn_bot(env, tmp_path)
    try:
        await wait_for_polling(emulator, second, polls)
        await leader.sends("sjl")                        # the district question, answered after the crash
        await answered(leader)
        assert any("San Juan de Lurigancho" in label for label in leader.buttons), leader.last_text
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.wait, 30)  # the emulator must keep answering meanwhile
        await emulator.stop()

    db = Database(f"sqlite+aiosqlite:///{database}")
    async with db.session() as session:
        draft = await session.scalar(select(RegistrationDraft))
        assert draft.answers["name"] == "Comedor Popular Santa Rosa" and draft.answers["kind"] == "osb"
    await db.dispose()


def spawn_bot(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], env={"VOCES_HOME": str(cwd), **env}, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_with_webhook_url_set_the_bot_takes_updates_by_webhook_and_checks_the_secret(tmp_path):
    emulator = BotApiEmulator()
    await emulator.start()
    port = free_port()
    env = {
        **CLEAN_ENV,
        "BOT_TOKEN": "7000000002:webhook",
        "BOT_API_BASE_URL": emulator.base_url,
        "BOT_API_FILE_URL": emulator.base_file_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'voces.sqlite3'}",
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOG_LEVEL": "WARNING",
        # Behind a TLS-terminating proxy: Telegram calls the HTTPS URL, the bot listens on loopback.
        "WEBHOOK_URL": "https://voces.example.org/telegram",
        "WEBHOOK_SECRET": "s3cret-token",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = spawn_bot(env, tmp_path)
    leader = emulator.user(first_name="Rosa", language_code="en")
    update = {"update_id": 1, "message": {
        "message_id": 1, "from": leader.json, "chat": leader.chat.json, "date": 1795000000, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }}
    try:
        for _ in range(300):
            if any(call.method == "setWebhook" for call in list(emulator.calls)):
                break
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else "bot exited"
            await asyncio.sleep(0.05)
        assert (await emulator_webhook_url(emulator)) == "https://voces.example.org/telegram"
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            for _ in range(100):  # the web server starts right after setWebhook
                try:
                    forged = await client.post(url, json=update)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert forged.status_code == 403                      # no secret: refused
            genuine = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            assert genuine.status_code == 200
            # A proxy in front of an active/standby pair asks the webhook server which is active.
            assert (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200
        for _ in range(200):
            if "Before we start: your data" in leader.last_text:
                break
            await asyncio.sleep(0.05)
        assert "Before we start: your data" in leader.last_text
        assert sum(1 for call in list(emulator.calls) if call.method == "sendMessage") == 1
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait, 30)
        await emulator.stop()


async def emulator_webhook_url(emulator: BotApiEmulator) -> str:
    async with Bot("7000000002:webhook", base_url=emulator.base_url) as bot:
        return (await bot.get_webhook_info()).url


async def refusing_bot_api() -> tuple[object, str]:
    """A Bot API that answers every token as Telegram answers a wrong one: 401 Unauthorized."""
    from aiohttp import web

    async def unauthorized(_request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/bot"


@pytest.mark.parametrize("case", ["refused token", "no network", "unreachable postgresql", "sqlite without a file",
                                  "whatsapp port taken"])
async def test_a_failed_start_is_one_sentence_naming_the_cause(tmp_path, case):
    env = {"BOT_TOKEN": "1:wrong", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "ID_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    runner = None
    if case == "refused token":
        runner, env["BOT_API_BASE_URL"] = await refusing_bot_api()
    elif case == "no network":
        env["BOT_API_BASE_URL"] = f"http://127.0.0.1:{free_port()}/bot"   # nothing listens there
    elif case == "unreachable postgresql":
        env["DATABASE_URL"] = f"postgresql://voces@127.0.0.1:{free_port()}/voces"
    elif case == "whatsapp port taken":
        runner, url = await refusing_bot_api()                          # something listening already
        del env["BOT_TOKEN"]                                            # WhatsApp alone
        env.update({"WHATSAPP_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1", "WHATSAPP_APP_SECRET": "s",
                    "WHATSAPP_VERIFY_TOKEN": "v", "WHATSAPP_WEBHOOK_LISTEN": "127.0.0.1",
                    "WHATSAPP_WEBHOOK_PORT": url.rsplit(":", 1)[1].split("/")[0]})
    else:
        env["DATABASE_URL"] = "sqlite://"
    try:
        result = await asyncio.to_thread(voces_bot, "run", env=env, cwd=tmp_path)
    finally:
        if runner is not None:
            await runner.cleanup()  # type: ignore[attr-defined]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    expected = {"refused token": "BOT_TOKEN", "no network": "BOT_API_BASE_URL",
                "unreachable postgresql": "DATABASE_URL", "sqlite without a file": "DATABASE_URL",
                "whatsapp port taken": "WHATSAPP_WEBHOOK_PORT"}[case]
    assert expected in last, result.stderr


def test_a_misspelled_key_in_env_is_named(tmp_path):
    (tmp_path / ".env").write_text("BOT_TOKN=123:abc\n")
    result = voces_bot("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKN" in result.stderr and "did you mean BOT_TOKEN" in result.stderr


def test_dev_py_answers_help_before_any_set_up():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(root / "dev.py"), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "python3 dev.py test" in result.stdout
    assert "Installing" not in result.stdout + result.stderr
    unknown = subprocess.run([sys.executable, str(root / "dev.py"), "--frobnicate"], capture_output=True, text=True, timeout=30)
    assert unknown.returncode != 0 and "unknown action" in unknown.stderr


def test_relative_paths_and_env_are_taken_from_the_home_directory_not_the_current_one(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("DATABASE_URL=sqlite:///data/voces.sqlite3\n")
    result = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env={**CLEAN_ENV, "VOCES_HOME": str(home)},
                            cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (home / "data" / "voces.sqlite3").stat().st_size > 0
    assert list(elsewhere.iterdir()) == []
