"""The other side of `bench_whatsapp`, in a process of its own as Meta's servers and the people
are in production: the Cloud API stand-in (its aiohttp server, limits on, signed webhooks side
by side) and the crowd that writes through it. The bot's process drives it over a pipe; the
two talk to each other only over HTTP (the bot's client to the stand-in's Graph endpoints, the
stand-in's webhooks to the bot's).

Commands, each answered once (an exception comes back as ``Failed`` with its traceback):
``("subscribe", url, verify_token)``, ``("steps", "warm-up" | "measured")``, ``("stop",)``.
"""

from __future__ import annotations

import asyncio
import time as wall
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bot.core.clock import SystemClock
from bot.organizations import registration_screens as asking
from bot.playground.whatsapp import CloudApiStandIn, WhatsAppPerson, meta

# Under this load an answer can take many seconds; the stand-in's default gives up at 15.
ACTION_TIMEOUT_SECONDS = 120.0
SETTLE_SECONDS = 120.0  # for the status webhooks still on their way after the last step
DISTRICT_TYPED = "carmen legua"
DISTRICT_PREFIX = f"{asking.PREFIX}:district:"

Action = Callable[[WhatsAppPerson], Awaitable[Any]]


@dataclass(frozen=True)
class Someone:
    """A person of the crowd, as the bot's database knows them."""

    wa_id: str
    user_id: str  # the BSUID
    name: str


@dataclass(frozen=True)
class Ready:
    graph_url: str
    phone_number_id: str
    app_secret: str
    crowd: list[Someone]


@dataclass(frozen=True)
class Steps:
    """One crowd run, as the stand-in's process saw it."""

    seconds: float  # from everyone's first message to the last answer
    latencies: list[float]
    processor: float  # this process's processor time, the steps and their status webhooks
    messages: int  # the bot's sends the API accepted during the steps
    busiest_second: int  # the most of them in any one second
    throughput_refused: int  # 130429 answers since the stand-in started
    offered_the_list: int  # people whose newest choices hold the district list


@dataclass(frozen=True)
class Failed:
    error: str


async def chooses_the_district(person: WhatsAppPerson) -> None:
    """The district list's row, tapped: the webhook brings its id."""
    row = next(choice for choice in person.choices if choice.id.startswith(DISTRICT_PREFIX))
    await person.presses(row.id)


ACTIONS: dict[str, list[Action]] = {
    "warm-up": [lambda person: person.writes(DISTRICT_TYPED)],
    "measured": [
        chooses_the_district,
        lambda person: person.writes("Av. Argentina 1234"),
        lambda person: person.writes("2021"),
    ],
}


def busiest_second(moments: list[float]) -> int:
    """The most of these moments (seconds, sorted) in any one-second window."""
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moments[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def crowd_steps(crowd: list[WhatsAppPerson], actions: list[Action]) -> tuple[float, list[float]]:
    """Everyone at once, each taking the actions in order, each waiting for the bot's answer
    before the next; every step timed."""
    latencies: list[float] = []

    async def one_person(person: WhatsAppPerson) -> None:
        for action in actions:
            started = wall.perf_counter()
            await action(person)
            latencies.append(wall.perf_counter() - started)

    started = wall.perf_counter()
    await asyncio.gather(*(one_person(person) for person in crowd))
    return wall.perf_counter() - started, latencies


async def steps(standin: CloudApiStandIn, crowd: list[WhatsAppPerson], name: str) -> Steps:
    sent_before = len(standin.sent)
    processor = wall.process_time()
    seconds, latencies = await crowd_steps(crowd, ACTIONS[name])
    await standin.webhooks_settled(SETTLE_SECONDS)
    processor = wall.process_time() - processor
    sent = standin.sent[sent_before:]
    return Steps(
        seconds=seconds, latencies=latencies, processor=processor, messages=len(sent),
        busiest_second=busiest_second(sorted(message.sent_at.timestamp() for message in sent)),
        throughput_refused=sum(1 for call in standin.calls if call.error_code == meta.THROUGHPUT),
        offered_the_list=sum(any(c.id.startswith(DISTRICT_PREFIX) for c in person.choices) for person in crowd),
    )


async def serve(connection: Connection, *, token: str, people: int, first_wa_id: int, webhook_concurrency: int) -> None:
    standin = CloudApiStandIn(token=token, clock=SystemClock(), webhook_concurrency=webhook_concurrency)
    standin.expect_answer = True  # the bot is elsewhere: an action ends when its answer arrives
    standin.action_timeout = ACTION_TIMEOUT_SECONDS
    assert standin.messages_per_second == meta.DEFAULT_MESSAGES_PER_SECOND, "the throughput limit must be on"
    await standin.start()
    try:
        crowd = [standin.person(str(first_wa_id + n), name=f"Líder {n}") for n in range(people)]
        connection.send(Ready(standin.graph_url(), standin.phone_number_id, standin.app_secret,
                              [Someone(p.wa_id, p.user_id, p.name) for p in crowd]))
        while True:
            command, *args = await asyncio.to_thread(connection.recv)
            if command == "stop":
                return
            try:
                if command == "subscribe":
                    url, verify_token = args
                    await standin.subscribe(url, verify_token=verify_token)
                    connection.send(None)
                elif command == "steps":
                    connection.send(await steps(standin, crowd, *args))
                else:
                    raise ValueError(f"unknown command {command!r}")
            except Exception:  # noqa: BLE001 - told to the bot's process, which stops the round
                connection.send(Failed(traceback.format_exc()))
    finally:
        await standin.stop()


def main(connection: Connection, **settings: Any) -> None:
    """The process's target (spawned: a fresh interpreter, no event loop inherited)."""
    try:
        asyncio.run(serve(connection, **settings))
    finally:
        connection.close()
