"""Small writes of the WhatsApp channel made together (a group commit): the webhook's deliveries
(webhook.py) and the worker's "answered" marks (worker.py) arrive side by side from many
people at once, and one transaction for all that arrived while the last one was written costs
far less than one each. Nobody is told their item is written before its transaction committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class Together(Generic[Item, Result]):
    """Items written in shared transactions, one at a time, each taking every item that arrived
    while the one before was written. `write_all` writes a list of items in one transaction and
    returns each one's result in order; `write` returns an item's result once that committed.
    Should a shared transaction fail, each of its items is written alone, so one bad item never
    fails the others; an item that fails alone raises its error to its caller."""

    def __init__(self, write_all: Callable[[list[Item]], Awaitable[list[Result]]], *, name: str) -> None:
        self._write_all = write_all
        self._name = name
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> Result:
        written: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_while_waiting(), name=self._name)
        return await asyncio.shield(written)  # the writer goes on if this call is dropped

    async def finished(self) -> None:
        """Until what was handed over is written (or failed)."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    async def _write_while_waiting(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                if not await self._write(batch) and len(batch) > 1:
                    for one in batch:
                        await self._write([one])
        finally:
            self._writer = None
            for _item, written in batch + self._waiting:  # only if this task was cancelled
                if not written.done():
                    written.set_exception(RuntimeError(f"{self._name} stopped before this was written"))

    async def _write(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> bool:
        try:
            results = await self._write_all([item for item, _written in batch])
        except Exception as error:  # noqa: BLE001 - nothing of these was written
            if len(batch) > 1:  # each is tried alone next
                log.warning("%s: %d items could not be written together", self._name, len(batch), exc_info=True)
            elif not batch[0][1].done():
                batch[0][1].set_exception(error)
            return False
        for (_item, written), result in zip(batch, results, strict=True):
            if not written.done():
                written.set_result(result)
        return True
