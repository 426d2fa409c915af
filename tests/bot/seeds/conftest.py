"""Fixtures for the tests of the ways to name a song: the real bot on the fake Discord over
an MPD-built index, its links read by the fake services (helpers: tests/support/seed_bot.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.services import Services
from tests.support.fakediscord import FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.mpd_index import build_mpd_index
from tests.support.seed_bot import open_services


@pytest.fixture(scope="module")
def mpd_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mpd_index(tmp_path_factory.mktemp("mpd"))


@pytest_asyncio.fixture
async def links() -> AsyncIterator[FakeLinks]:
    async with FakeLinks() as fake:
        yield fake


@pytest_asyncio.fixture
async def services(
    mpd_index: Path, tmp_path: Path, fake_discord: FakeDiscord, links: FakeLinks
) -> AsyncIterator[Services]:
    s = await open_services(mpd_index, tmp_path, fake_discord, links)
    yield s
    await s.close()


@pytest_asyncio.fixture
async def bot(start_bot, services: Services) -> SongsimBot:
    return await start_bot(SongsimBot(services))
