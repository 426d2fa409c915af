"""pytest fixtures: ``fake_discord`` (a running, patched-in FakeDiscord) and ``start_bot``.

Use with ``pytest_plugins = ["tests.support.fakediscord.fixtures"]`` in a conftest, or
``from tests.support.fakediscord.fixtures import fake_discord, start_bot`` in a test module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import discord
import pytest_asyncio

from .client import start_client, stop_client
from .server import FakeDiscord

StartBot = Callable[..., Awaitable[discord.Client]]


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A FakeDiscord on a free 127.0.0.1 port; discord.py in this process points at it."""
    async with FakeDiscord() as fake:
        yield fake


@pytest_asyncio.fixture
async def start_bot(fake_discord: FakeDiscord) -> AsyncIterator[StartBot]:
    """``bot = await start_bot(MyBot(...))``: starts it against the fake and waits for READY.

    Every bot started this way is closed when the test ends.
    """
    started: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def _start(
        client: discord.Client, *, timeout: float = 10.0, token: str | None = None
    ) -> discord.Client:
        task = await start_client(fake_discord, client, timeout=timeout, token=token)
        started.append((client, task))
        return client

    yield _start
    for client, task in reversed(started):
        await stop_client(client, task)
