"""Holds: the fake stops at one point before answering, until the test lets it go on.

A test that must act while the client is *in* some state (waiting for HELLO on a new
connection, waiting for READY after IDENTIFY, waiting for the answer to a REST call) asks
for a hold, waits until the fake has reached it, acts (e.g. signals the bot's process), and
then releases it or leaves it held. Nothing depends on timing: the client cannot leave that
state before the hold is released. Every hold is released when the fake stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")


class Hold:
    """One held answer: ``await hold.reached()``, then ``hold.release()`` (or never)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._reached = asyncio.Event()
        self._released = asyncio.Event()

    @property
    def is_reached(self) -> bool:
        return self._reached.is_set()

    async def reached(self, timeout: float = 10.0) -> None:
        """Return once the fake is holding (the client is waiting for this answer)."""
        try:
            await asyncio.wait_for(self._reached.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"the fake never reached the hold on {self.what}") from None

    def release(self) -> None:
        """Let the fake answer now."""
        self._released.set()

    async def hold_here(self) -> None:
        """Called by the fake at the held point: mark it reached and wait for release."""
        self._reached.set()
        await self._released.wait()

    def __repr__(self) -> str:
        state = "released" if self._released.is_set() else "reached" if self.is_reached else "set"
        return f"<Hold {self.what} {state}>"


class Holds(Generic[K]):
    """Pending one-shot holds, each for the next time the fake gets to a matching point."""

    def __init__(self) -> None:
        self._pending: list[tuple[Callable[[K], bool], Hold]] = []
        self._all: list[Hold] = []

    def add(self, matches: Callable[[K], bool], what: str) -> Hold:
        hold = Hold(what)
        self._pending.append((matches, hold))
        self._all.append(hold)
        return hold

    def take(self, point: K) -> Hold | None:
        """The first pending hold for ``point`` (it no longer waits for another), or None."""
        for entry in self._pending:
            if entry[0](point):
                self._pending.remove(entry)
                return entry[1]
        return None

    def release_all(self) -> None:
        for hold in self._all:
            hold.release()
        self._pending.clear()
