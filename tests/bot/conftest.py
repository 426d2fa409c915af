"""Fixtures shared by the bot's tests against the fake Discord (``tests.support.fakediscord``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.services import Services
from tests.support.bot_fixtures import build_song_index, open_services
from tests.support.fakediscord import FakeDiscord


@pytest.fixture(scope="module")
def song_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small song index most bot tests answer from (one per test module); a module
    that needs another index defines its own."""
    return build_song_index(tmp_path_factory.mktemp("song-index") / "songs.sqlite")


@pytest_asyncio.fixture
async def services(
    song_index: Path, tmp_path: Path, fake_discord: FakeDiscord
) -> AsyncIterator[Services]:
    """The bot's services over the test module's ``song_index``, the fake Discord's owner
    as the bot's owner. A module with other needs defines its own ``services``."""
    async with open_services(song_index, tmp_path, owner=fake_discord.owner.id) as s:
        yield s
