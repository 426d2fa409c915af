"""The real bot on the fake Discord over an MPD-built index, its links read by the fake
services: helpers shared by the tests of the ways to name a song (issue 17).

The fixtures (``mpd_index``, ``links``, ``services``, ``bot``) are in
``tests/bot/seeds/conftest.py``; ``ask`` sends a command as the owner (whom the per-user
cooldown spares) and returns the reply's embed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.services import Services
from bot.settings import Settings
from tests.support.fakediscord import FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.mpd_index import SONGS

LUCKY_ID = SONGS[0][2]
LUCKY = "Songs like Get Lucky — Daft Punk"
NOT_IN_INDEX = "4uLU6hMCjMI75M1A2tKUQC"  # a real-looking Spotify id the MPD slice lacks


async def open_services(
    mpd_index: Path, folder: Path, fake: FakeDiscord, links: FakeLinks, **env: str
) -> Services:
    settings = Settings.from_mapping(
        {
            "SONGSIM_INDEX": str(mpd_index),
            "SONGSIM_USER_DB": str(folder / "users.sqlite"),
            "SONGSIM_OWNER_IDS": str(fake.owner.id),
            **env,
        }
    )
    return await Services.open(settings, spotify=False, link_urls=links.urls)


def general(fake: FakeDiscord) -> str:
    return f"/channels/{fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def ask(fake: FakeDiscord, text: str, **kwargs) -> dict:
    """Send ``text`` in #general (by the owner, whom the cooldown spares, unless an
    ``author`` is given); the embed the bot answers with."""
    kwargs.setdefault("author", fake.owner)
    await fake.send_message(text, **kwargs)
    sent = await fake.wait_for_request("POST", general(fake))
    return sent.json["embeds"][0]


async def sync_global(fake: FakeDiscord) -> None:
    await fake.send_message("!sync global", author=fake.owner)
    await fake.wait_for_request("POST", general(fake))


def assert_mentions_disabled(fake: FakeDiscord) -> None:
    bodies = fake.message_bodies()
    assert bodies
    for req, body in bodies:
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], (req.path, body)


async def eventually(condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.01)
