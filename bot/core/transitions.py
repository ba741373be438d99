"""State changes that happen once: each says which state it expects, and the database decides.

A button arrives long after the message that carried it, sometimes twice (a double tap), and
two people may press at the same moment. Reading a row and then writing it lets both presses
through. Instead every change a button makes is one conditional statement:

    UPDATE invites SET used_at = :now, used_by_id = :me
    WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now

and when no row matched, someone (or the same tap, earlier) got there first: `AlreadyDone`,
which the chat layer answers with a short "already done" and tells nobody again. On
PostgreSQL (READ COMMITTED) a second UPDATE waits for the first one's commit and then
evaluates its WHERE again against the committed row, so exactly one of them matches; SQLite
has one writer at a time.

`where` maps column names to what the row must hold now: a value (`=`), None (`IS NULL`), or a
tuple, list or set of values (`IN`); `also` adds conditions that are not equalities. Objects of
the session that the statement changed are updated in place (``synchronize_session="fetch"``),
so the rest of the update reads the new state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from bot.core.i18n import N_
from bot.core.validation import InvalidInput

ALREADY_DONE = N_("That was already done.")


class AlreadyDone(InvalidInput):
    """The record is no longer in the state the action expects: nothing was changed.

    Subclasses (or instances with their own message) say what happened in the area's words.
    """

    def __init__(self, message: str = ALREADY_DONE, **params: object) -> None:
        super().__init__(message, **params)


def _conditions(model: type[DeclarativeBase], where: Mapping[str, Any], also: Iterable[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name, expected in where.items():
        column = getattr(model, name)
        if expected is None:
            conditions.append(column.is_(None))
        elif isinstance(expected, tuple | list | set | frozenset):
            conditions.append(column.in_(list(expected)))
        else:
            conditions.append(column == expected)
    conditions.extend(also)
    if not conditions:
        raise ValueError("a transition needs the state it expects")
    return conditions


async def transition(
    session: AsyncSession,
    model: type[DeclarativeBase],
    *,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
    also: Iterable[ColumnElement[bool]] = (),
    already: AlreadyDone | None = None,
) -> int:
    """UPDATE the rows in the expected state; AlreadyDone (or `already`) if there were none.

    Returns how many rows changed (one, when `where` names a row by its key).
    """
    result = await session.execute(
        update(model)
        .where(*_conditions(model, where, also))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return _changed(result, already)


async def delete_once(
    session: AsyncSession,
    model: type[DeclarativeBase],
    *,
    where: Mapping[str, Any],
    also: Iterable[ColumnElement[bool]] = (),
    already: AlreadyDone | None = None,
) -> int:
    """DELETE the rows in the expected state; AlreadyDone (or `already`) if there were none."""
    result = await session.execute(
        delete(model).where(*_conditions(model, where, also)).execution_options(synchronize_session="fetch")
    )
    return _changed(result, already)


def _changed(result: Any, already: AlreadyDone | None) -> int:
    changed = int(result.rowcount)
    if changed == 0:  # someone (or the same tap, twice) got there first
        raise already if already is not None else AlreadyDone()
    return changed
