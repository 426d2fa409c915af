"""Start and stop a real discord.py client against a FakeDiscord, surfacing start-up errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord

from .server import FakeDiscord


async def start_client(
    fake: FakeDiscord, client: discord.Client, *, timeout: float = 10.0, token: str | None = None
) -> asyncio.Task[None]:
    """Run ``client.start(token or fake.token)`` in a task and return once the client is READY.

    ``token`` overrides the fake's token (to test a wrong one).

    If the client stops first (bad token, disallowed intents, a crash in ``setup_hook``) its
    exception is raised here instead of a bare timeout. The guild-ready wait discord.py does
    after READY (2 s by default) is cut to 0.1 s: the fake sends its one guild at once.
    """
    state = client._connection  # noqa: SLF001 - the only knob for discord.py's ready delay
    if state.guild_ready_timeout == 2.0:
        state.guild_ready_timeout = 0.1
    task = asyncio.create_task(client.start(token or fake.token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        ready.cancel()
        if task.exception() is not None:
            await client.close()  # frees the HTTP session login opened
        task.result()  # raises the client's start-up error
        raise AssertionError("the client stopped before it was ready")
    if ready not in done:
        ready.cancel()
        await stop_client(client, task)
        raise AssertionError(f"the client was not ready within {timeout} s")
    return task


async def stop_client(
    client: discord.Client, task: asyncio.Task[None], timeout: float = 5.0
) -> None:
    """Close the client and wait for its task, re-raising nothing it raised on the way out."""
    await client.close()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(task, timeout)


@contextlib.asynccontextmanager
async def running(
    fake: FakeDiscord, client: discord.Client, *, timeout: float = 10.0
) -> AsyncIterator[discord.Client]:
    """``async with running(fake, bot):`` — the bot is READY inside and closed after."""
    task = await start_client(fake, client, timeout=timeout)
    try:
        yield client
    finally:
        await stop_client(client, task)
