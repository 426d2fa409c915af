"""Pathological names never cost a reply: Discord accepts everything the bot sends.

Over an index of 300-character, markdown-only, mention, emoji, right-to-left and nameless
songs, artists and playlists (:mod:`tests.support.extreme_index`), a user in English and
one in German use every slash command, autocomplete, button, menu, the context menu and
the prefix commands. The fake Discord checks each body against Discord's limits (embed
parts and totals, components, choices, content), the 3 s deadline and answering once; a
body Discord would refuse is a reply the user never gets, so none may be refused; and
none of them may ping anyone (each carries ``allowed_mentions`` that parses nothing).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.bot import SongsimBot
from bot.services import Services
from tests.support.extreme_index import (
    ARTISTS,
    EVERYONE,
    LONG,
    MARKDOWN,
    TITLES,
    ZALGO,
    build_extreme_index,
    song_ref,
)
from tests.support.fakediscord import FakeDiscord

pytest.importorskip("index.read.api")

SONGS = [song_ref(a, t) for a, t in [(LONG, LONG), (MARKDOWN, MARKDOWN), (ZALGO, TITLES[6]),
                                     (EVERYONE, "Normal Song"), ("", ZALGO), ("Normal", LONG)]]  # fmt: skip
PRESSES = 8  # at most, on one message (a press on More brings new buttons)
TYPED = ["Normal Song", "aaaa", "@everyone", "*_~", "🎵", "Z̷̛̖"]


@pytest.fixture(scope="module")
def song_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_extreme_index(tmp_path_factory.mktemp("extreme") / "songs.sqlite")


async def settled(fake: FakeDiscord, quiet: float = 0.05, timeout: float = 20.0) -> None:
    """Wait until the bot has sent nothing for ``quiet`` seconds (its deferred work done)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = -1
    while seen != len(fake.requests.entries):
        assert loop.time() < deadline, "the bot never stopped sending"
        seen = len(fake.requests.entries)
        await asyncio.sleep(quiet)


async def press_everything(fake: FakeDiscord, locale: str, done: set[tuple[int, str]]) -> None:
    """Press every enabled button and pick the first options of every menu the bot posted
    (each component once, found by its custom id on the message as it is now)."""
    bot_id = str(fake.bot_user.id)
    for mid in [m for m, msg in fake.messages.items() if msg["author"]["id"] == bot_id]:
        for _press in range(PRESSES):
            rows = fake.messages[mid].get("components") or []
            left = [c for row in rows for c in row["components"] if not c.get("disabled")]
            left = [c for c in left if (mid, c["custom_id"]) not in done]
            if not left:
                break
            comp = left[0]
            key = (mid, comp["custom_id"])
            done.add(key)
            if comp["type"] == 2:
                await fake.click(mid, custom_id=key[1], user=fake.owner, locale=locale)
            else:
                for option in comp["options"][:3]:
                    await fake.select(
                        mid, [option["value"]], custom_id=key[1], user=fake.owner, locale=locale
                    )
            await settled(fake)


@pytest.mark.parametrize("locale", ["en-US", "de"])
async def test_every_reply_to_pathological_names_reaches_the_user(
    fake_discord: FakeDiscord, start_bot, services: Services, locale: str
) -> None:
    fake = fake_discord
    fake.guild_locale = locale  # prefix commands answer in the server's language
    await start_bot(SongsimBot(services))
    await fake.send_message("!sync global", author=fake.owner)
    await settled(fake)
    asked = []

    async def slash(name: str, options: dict) -> None:
        asked.append(await fake.slash(name, options, user=fake.owner, locale=locale))
        await settled(fake)

    async def complete(name: str, option: str, text: str) -> None:
        focused = {option: text}
        await fake.autocomplete(name, focused, focused=option, user=fake.owner, locale=locale)

    for song in SONGS:
        await slash("similar", {"song": song})
        await slash("like", {"song": song})
    for text in TYPED:
        for name, option in [("similar", "song"), ("mix", "songs"), ("artist", "name"),
                             ("block", "artist"), ("unlike", "song"), ("unblock", "artist")]:  # fmt: skip
            await complete(name, option, text)
    await complete("mix", "songs", f"{SONGS[0]} | {SONGS[1]} | aaaa")
    for artist in [a for a in ARTISTS if a]:
        await slash("artist", {"name": artist})
        await slash("block", {"artist": artist})
    await slash("similar", {"song": "aaaa"})  # did you mean…
    await slash("mix", {"songs": " | ".join(SONGS[:5])})
    for name in ["likes", "foryou", "blocks", "export", "about", "help", "settings", "privacy"]:
        await slash(name, {})
    await slash("settings", {"setting": "words", "value": "add " + MARKDOWN})
    await slash("privacy", {"action": "export"})
    said = fake.add_message(f"{ZALGO} - {ZALGO}")
    asked.append(
        await fake.context_menu("Find similar songs", said, user=fake.owner, locale=locale)
    )
    for text in [f"!similar {SONGS[1]}", f"!artist {MARKDOWN}", f"!mix {SONGS[0]} | {SONGS[2]}",
                 "!likes", "!blocks", "!foryou", "!help", "!about", "!settings"]:  # fmt: skip
        await fake.send_message(text, author=fake.owner)
    await settled(fake)
    done: set[tuple[int, str]] = set()
    await press_everything(fake, locale, done)
    await press_everything(fake, locale, done)  # the menus the first presses posted
    await settled(fake, quiet=0.5)  # the last deferred answers too

    assert len(done) > 20 and len(fake.message_bodies()) > 60
    refused = [(r.method, r.path, r.response) for r in fake.requests.entries if r.status >= 400]
    assert refused == []
    for interaction in [*asked, *fake.interactions.values()]:
        assert interaction.answered.is_set() and not interaction.refusals, interaction.payload
    for request, body in fake.message_bodies():  # and none of them pings anyone
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], request.path
        assert not any(mentions.get(k) for k in ("users", "roles", "replied_user")), request.path
