"""Stopping the Discord client cleanly at any moment: SIGTERM (``docker stop``) or Ctrl-C.

discord.py's ``Client.close()`` expects a connected gateway. Called while the client is
between two connections (resuming, or waiting to IDENTIFY again after Discord refused a
resume), it closes the HTTP session under the handshake; the reconnect loop then writes to
a closing transport and dispatches an event on a client that has no event loop any more,
and the process exits 1 with a traceback. :class:`CleanStop` stops in an order without
that race:

1. the task running login and the reconnect loop is cancelled wherever it waits (a REST
   call, a handshake, the pause before a new IDENTIFY, the next event), so discord.py
   never reconnects or dispatches after this point;
2. an open gateway connection is closed with 1000, which ends the session on Discord's
   side (the bot shows offline at once, not after a heartbeat timeout);
3. commands already running get :data:`STOP_GRACE` seconds to send their answer (no new
   ones can arrive), and the rest are cancelled;
4. discord.py's own close: its state and the HTTP session.

The caller closes the databases after that (``Services.close``);
:class:`bot.stop_signals.StopSignals` turns SIGTERM and SIGINT into one such close.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord

log = logging.getLogger(__name__)

STOP_GRACE = 5.0  # seconds running commands get to answer; `docker stop` waits 10 s in all
CANCEL_WAIT = 1.0  # seconds a cancelled command, or discord.py's loop, gets to unwind
START_CANCELS = 3  # times discord.py's loop is cancelled before closing under it anyway

# The tasks discord.py runs event handlers, commands, and component/modal callbacks in
# (``Client._schedule_event``, ``CommandTree._from_interaction``, ``discord.ui``).
HANDLER_TASKS = (
    "discord.py: ",
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
)

# What a connection being closed under the client raises when the stop wins a race with it
# (e.g. discord.py had just sent a frame when its task was cancelled). Only these are
# ignored, and only while stopping; anything else is a bug and is raised.
SHUTDOWN_RACES: tuple[type[BaseException], ...] = (
    ConnectionResetError,  # includes aiohttp's ClientConnectionResetError
    aiohttp.ClientConnectionError,
    discord.ConnectionClosed,
)


class CleanStop:
    """Mixin for a ``discord.Client`` subclass (listed before it): ``close()`` stops the
    client wherever it is, and ``start()`` then returns normally."""

    ws: Any
    loop: Any
    _stop_task: asyncio.Task[None] | None = None
    _start_task: asyncio.Task[Any] | None = None  # the task inside start(), while it is
    _start_ended: asyncio.Event | None = None
    _start_cancels = 0  # cancellations close() sent into start()

    @property
    def stopping(self) -> bool:
        """True once :meth:`close` was called."""
        return self._stop_task is not None

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        """Log in and serve until closed; :meth:`close` may cancel this at any point, and it
        then returns normally (the ``asyncio.timeout`` way: cancel, then uncancel)."""
        if self.stopping:
            return
        me = asyncio.current_task()
        assert me is not None
        self._start_task, self._start_ended, self._start_cancels = me, asyncio.Event(), 0
        try:
            await super().start(token, reconnect=reconnect)  # type: ignore[misc]
        except asyncio.CancelledError:
            if not self._start_cancels or _uncancel(me, self._start_cancels):
                raise  # cancelled by someone else as well: theirs to handle
        except SHUTDOWN_RACES as exc:
            if not self.stopping:
                raise
            log.debug("The connection closed under discord.py while stopping: %r", exc)
        else:
            if self._start_cancels:  # swallowed on the way; the count must not linger
                _uncancel(me, self._start_cancels)
        finally:
            self._start_task = None
            self._start_ended.set()

    async def close(self) -> None:
        """Stop (see the module docstring); later calls wait for the same stop."""
        if self._stop_task is None:
            caller = asyncio.current_task()
            self._stop_task = asyncio.create_task(
                self._stop_in_order(caller), name="songsim-discord-stop"
            )
        await asyncio.shield(self._stop_task)

    async def _stop_in_order(self, caller: asyncio.Task[Any] | None) -> None:
        await self._end_start(caller)
        ws = self.ws
        if ws is not None and ws.open:
            await ws.close(code=1000)
            log.debug("Gateway connection closed (1000): the session has ended")
        await finish_handlers(STOP_GRACE, exclude={caller})
        await super().close()  # type: ignore[misc]
        log.debug("Discord client closed (HTTP session included)")

    async def _end_start(self, caller: asyncio.Task[Any] | None) -> None:
        """Cancel ``start()`` wherever it waits, and wait until it has returned."""
        for _ in range(START_CANCELS):
            task, ended = self._start_task, self._start_ended
            if task is None or task is caller or ended is None:
                return  # not running, or discord.py itself is closing from inside it
            self._start_cancels += 1
            task.cancel()
            try:
                await asyncio.wait_for(ended.wait(), CANCEL_WAIT)
                return
            except TimeoutError:  # the cancellation was swallowed on the way: again
                log.debug("discord.py did not stop at the first cancellation; again")

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """As discord.py's, except after close: a closed client has no loop to run it on."""
        if self.loop is discord.utils.MISSING:
            log.debug("Event %r after the client closed; not dispatched", event_name)
            return
        super().dispatch(event_name, *args, **kwargs)  # type: ignore[misc]


async def finish_handlers(grace: float, *, exclude: set[asyncio.Task[Any] | None]) -> None:
    """Let running event handlers and commands end within ``grace`` s; cancel the rest."""
    me = asyncio.current_task()
    running = {
        task
        for task in asyncio.all_tasks()
        if task is not me
        and task not in exclude
        and not task.done()
        and task.get_name().startswith(HANDLER_TASKS)
    }
    if not running:
        return
    log.info("Waiting up to %.0f s for %d running command(s)", grace, len(running))
    _, late = await asyncio.wait(running, timeout=grace)
    if late:
        log.warning("Stopped %d command(s) still running after %.0f s", len(late), grace)
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=CANCEL_WAIT)


def _uncancel(task: asyncio.Task[Any], times: int) -> int:
    """Take back ``times`` cancellations of ``task``; how many others are left."""
    left = task.cancelling()
    for _ in range(times):
        left = task.uncancel()
    return left
