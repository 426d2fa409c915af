"""Fixtures shared by the bot's tests against the fake Discord (``tests.support.fakediscord``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.services import Services
from tests.support.bot_fixtures import open_services
from tests.support.fakediscord import FakeDiscord


@pytest_asyncio.fixture
async def services(
    song_index: Path, tmp_path: Path, fake_discord: FakeDiscord
) -> AsyncIterator[Services]:
    """The bot's services over the test module's ``song_index``, the fake Discord's owner
    as the bot's owner. A module with other needs defines its own ``services``."""
    async with open_services(song_index, tmp_path, owner=fake_discord.owner.id) as s:
        yield s
