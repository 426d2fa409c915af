"""SIGTERM and SIGINT → one ``close()`` of the Discord client, whatever it is doing.

Only the standard library is imported here: ``songsim bot`` installs these handlers before
it imports discord.py (most of a second), so a signal during start-up is not lost either.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable
from typing import Protocol

log = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> Awaitable[None]: ...


class StopSignals:
    """SIGTERM and SIGINT close the client being watched, once; later signals are noted.

    Installed with ``loop.add_signal_handler`` as soon as the event loop runs, before the
    client exists: a signal that comes first (while the index opens) is remembered and the
    client is closed as soon as it is watched, or never started (see :attr:`requested`).
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, stopping: str = "gateway, HTTP session, then the databases") -> None:
        self.stopping = stopping  # what the log line says is being closed
        self.received: str | None = None
        self._client: Closable | None = None
        self._closing: asyncio.Task[None] | None = None
        self._installed: list[int] = []

    @property
    def requested(self) -> bool:
        return self.received is not None

    def install(self) -> StopSignals:
        loop = asyncio.get_running_loop()
        for sig in self.SIGNALS:
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - not on Windows
                continue
            self._installed.append(sig)
        return self

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._installed:
            loop.remove_signal_handler(sig)
        self._installed.clear()

    def watch(self, client: Closable) -> None:
        """Close ``client`` on the next signal, or now if one came already."""
        self._client = client
        self._closing = None
        if self.requested:
            self._close()

    def _on_signal(self, sig: int) -> None:
        name = signal.Signals(sig).name
        if self.requested:
            log.info("%s received while stopping; still stopping", name)
            return
        self.received = name
        log.info("%s received: stopping (%s)", name, self.stopping)
        self._close()

    def _close(self) -> None:
        if self._client is not None and self._closing is None:
            self._closing = asyncio.ensure_future(self._client.close())
            # Its outcome is the client's own: whoever awaits close() (``async with``) sees it.
            self._closing.add_done_callback(lambda t: t.cancelled() or t.exception())
