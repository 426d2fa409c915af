"""A server's settings reach buttons pressed after a restart: the new process reads them from
the user database and applies them to what a persistent button answers (Why? names hidden or
filtered, song names filtered), and ``/privacy delete``'s confirmation still deletes —
through the real discord.py client against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.bot.test_bot_restart import Deployment, ask, press, webhook
from tests.support.bot_fixtures import SEED, build_song_index
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component

pytest.importorskip("index.read.api")

HIDDEN = "Playlist names are hidden in this server."


@pytest_asyncio.fixture
async def deployment(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Deployment]:
    d = Deployment(fake_discord, tmp_path, build_song_index(tmp_path / "songs.sqlite"))
    await d.start()
    yield d
    await d.stop()


async def setting(fake: FakeDiscord, text: str) -> None:
    saved = await ask(fake, f"!settings {text}")
    assert saved["embeds"][0]["description"].startswith("**Saved.**"), saved["embeds"][0]


async def why_first_song(fake: FakeDiscord, message_id: int) -> tuple[dict, dict]:
    """Press Why? on the stored message and pick its first song: (the menu, the answer)."""
    why = await fake.click(fake.messages[message_id], label="Why?")
    await why.wait_answer()
    menu_message = (await fake.wait_for_request("POST", webhook(fake))).response
    menu = find_component(menu_message, type=3)
    picked = await fake.select(
        fake.messages[int(menu_message["id"])], [menu["options"][0]["value"]]
    )
    await picked.wait_answer()
    return menu, (await fake.wait_for_request("PATCH", webhook(fake))).json["embeds"][0]


async def test_why_and_more_after_a_restart_follow_the_servers_settings(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    sent = await ask(fake_discord, f"!similar {SEED}")
    message_id = int(sent["id"])
    assert sent["embeds"][0]["title"] == "Songs like One More Time — Daft Punk"
    _, shown = await why_first_song(fake_discord, message_id)
    assert "gym" in shown["fields"][0]["value"]  # the default filter lets it through

    await setting(fake_discord, "why_names hidden")
    await deployment.restart()
    _, hidden = await why_first_song(fake_discord, message_id)
    assert not hidden.get("fields") and "Road trip" not in str(hidden)
    assert hidden["footer"]["text"] == HIDDEN

    await setting(fake_discord, "why_names filtered")
    await setting(fake_discord, "words add gym")
    await setting(fake_discord, "words add punk")
    await setting(fake_discord, "song_names filtered")
    await deployment.restart()
    menu, filtered = await why_first_song(fake_discord, message_id)
    examples = filtered["fields"][0]["value"]
    assert "gym" not in examples and "• a playlist" in examples and "Road trip" in examples
    assert "Daft P\\*\\*\\*" in filtered["description"] and "Punk" not in filtered["description"]
    assert not any("Punk" in str(o) for o in menu["options"])

    await press(fake_discord, message_id, "More")  # a page the new process draws
    await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    page2 = fake_discord.messages[message_id]["embeds"][0]
    assert page2["title"] == "Songs like One More Time — Daft P\\*\\*\\*"


async def test_privacy_delete_confirmed_after_a_restart(
    fake_discord: FakeDiscord, deployment: Deployment
) -> None:
    await ask(fake_discord, f"!like {SEED}")
    inter = await fake_discord.slash("privacy", {"action": "delete"})
    await inter.wait_answer()
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    prompt = fake_discord.messages[inter.original_id]
    assert prompt["flags"] & EPHEMERAL

    bot = await deployment.restart()
    me = fake_discord.user.id
    assert len(await bot.services.user_db.likes(me)) == 1
    pressed = await fake_discord.click(prompt, label="Delete my data")
    assert (await pressed.wait_answer())["type"] == 6  # acknowledged, then the prompt edited
    done = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert done.json["embeds"][0]["title"] == "Deleted"
    assert await bot.services.user_db.likes(me) == []
