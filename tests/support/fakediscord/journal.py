"""What the client sent, in order, and a way for a test to wait for the next matching entry.

Each entry is handed to at most one waiter ("consumed"), so two successive
``wait_for_request`` calls for the same route return two different requests, and a request
that arrived before the test started waiting is still found.
"""

from __future__ import annotations

import asyncio
import fnmatch
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar


@dataclass
class RecordedRequest:
    """One REST call from the client, with the fake's answer."""

    method: str
    path: str  # without the /api/vN prefix, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # parsed JSON body (payload_json for multipart), or None
    headers: dict[str, str]
    at: float = field(default_factory=time.perf_counter)
    files: list[str] = field(default_factory=list)
    file_data: dict[str, bytes] = field(default_factory=dict)  # attached files by name
    status: int | None = None
    response: Any = None
    consumed: bool = False

    def matches(self, method: str | None, path: str | None) -> bool:
        if method is not None and self.method != method.upper():
            return False
        return path is None or path_matches(path, self.path)

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status}>"


@dataclass
class GatewayFrame:
    """One payload the client sent on the gateway (op 1, 2, 6, 8, ...)."""

    op: int
    d: Any
    connection: int = 0  # which connection it came on: 1 for the first, 2 for the next...
    at: float = field(default_factory=time.perf_counter)
    consumed: bool = False


def path_matches(pattern: str, path: str) -> bool:
    """Exact match, or shell-style when the pattern holds ``*``/``?`` (``/webhooks/*``)."""
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(path, pattern)
    return pattern == path


T = TypeVar("T", RecordedRequest, GatewayFrame)


class Journal(Generic[T]):
    """An append-only log whose entries can be awaited one by one."""

    def __init__(self) -> None:
        self.entries: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def append(self, entry: T) -> None:
        self.entries.append(entry)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(entry):
                entry.consumed = True
                future.set_result(entry)
                self._waiters.remove((predicate, future))
                return

    async def wait(self, predicate: Callable[[T], bool], timeout: float, what: str) -> T:
        for entry in self.entries:
            if not entry.consumed and predicate(entry):
                entry.consumed = True
                return entry
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recent = ", ".join(repr(e) for e in self.entries[-8:]) or "nothing"
            raise AssertionError(f"no {what} within {timeout} s; last seen: {recent}") from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def matching(self, predicate: Callable[[T], bool]) -> list[T]:
        return [e for e in self.entries if predicate(e)]
