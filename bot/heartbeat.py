"""A file touched while the bot is connected and ready, for the container's health check.

The health check (``songsim health``) reads the file's age:
a bot that lost its gateway connection, hung, or died stops touching it, so the file grows
old and the container is restarted. The file is removed on a clean shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def touch(path: Path) -> None:
    """Write the current time to ``path`` (atomically, so a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{time.time():.3f}\n")
    os.replace(tmp, path)


def remove_stale(path: Path) -> bool:
    """Delete a heartbeat left by an earlier run (a killed bot cannot remove its own).

    Called when the bot starts, before it is connected: until its first beat, the health
    check must see no heartbeat rather than one that a dead process left behind.
    Returns True when there was a file to remove.
    """
    try:
        Path(path).unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("Cannot remove the old heartbeat file %s (%s)", path, exc.strerror)
        return False
    log.info("Removed a heartbeat file left by an earlier run: %s", path)
    return True


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the heartbeat was last touched, or None when there is no heartbeat."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - mtime)


class Heartbeat:
    """Touch ``path`` every ``interval`` seconds while ``is_alive()`` says the bot is healthy."""

    def __init__(self, path: Path, interval: float, is_alive: Callable[[], bool]) -> None:
        self.path = Path(path)
        self.interval = interval
        self.is_alive = is_alive
        self._task: asyncio.Task[None] | None = None
        self._warned = False

    def start(self) -> None:
        """Start beating; an old file is removed first so only this run's beats count."""
        if self._task is None:
            if not self.is_alive():
                remove_stale(self.path)
            self._task = asyncio.create_task(self._run(), name="songsim-heartbeat")

    def beat(self) -> None:
        """Touch the file now if the bot is healthy (also called on READY and RESUMED)."""
        if not self.is_alive():
            return
        try:
            touch(self.path)
            self._warned = False
        except OSError as exc:
            if not self._warned:  # once, not every interval
                log.warning("Cannot write the heartbeat file %s (%s)", self.path, exc.strerror)
                self._warned = True

    async def _run(self) -> None:
        while True:
            self.beat()
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        """Stop beating and remove the file so a stopped bot never looks healthy."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
