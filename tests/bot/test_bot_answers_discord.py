"""Answers people can use, on Discord (the real discord.py client, the fake Discord on
127.0.0.1): listen links under each song, the Export button and /export, "other artists
only", liked songs left out, and blocked artists left out of every page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from discord.ext import commands

from bot.bot import SongsimBot
from bot.services import Services
from bot.user_db import MAX_BLOCKS
from bot.views import NOT_YOURS
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component

pytest.importorskip("index.read.api")

LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")
SONG_LINE = re.compile(r"^\*\*(\d+)\.\*\* ")
HOSTS = {"YT Music": "music.youtube.com", "Apple": "music.apple.com", "Deezer": "www.deezer.com"}


@pytest_asyncio.fixture
async def bot(start_bot, services: Services, fake_discord: FakeDiscord) -> SongsimBot:
    started = await start_bot(SongsimBot(services))
    # These tests play one user asking many times; the per-user cooldown has its own test.
    started.cooldown = commands.CooldownMapping.from_cooldown(1000, 1.0, commands.BucketType.user)
    await fake_discord.send_message("!sync global", author=fake_discord.owner)
    await fake_discord.wait_for_request("POST", general(fake_discord))
    return started


def general(fake: FakeDiscord) -> str:
    return f"/channels/{fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def ask(fake: FakeDiscord, text: str) -> dict:
    """A prefix command's answer (the message the bot sent, as stored)."""
    await fake.send_message(text)
    sent = await fake.wait_for_request("POST", general(fake))
    return sent.response


async def slash(fake: FakeDiscord, name: str, options: dict) -> dict:
    """A slash command's answer body (the follow-up after the defer)."""
    inter = await fake.slash(name, options)
    assert (await inter.wait_answer())["type"] == 5
    return (await fake.wait_for_request("POST", webhook(fake))).json


def songs(message: dict) -> list[str]:
    """The numbered song lines of a list embed."""
    lines = message["embeds"][0]["description"].split("\n")
    return [line for line in lines if SONG_LINE.match(line)]


async def every_page(fake: FakeDiscord, message: dict) -> list[str]:
    """The song lines of every page, pressing More until it is disabled."""
    found = songs(message)
    message_id = int(message["id"])
    while not find_component(fake.messages[message_id], label="More")["disabled"]:
        await (await fake.click(fake.messages[message_id], label="More")).wait_answer()
        await fake.wait_for_request("PATCH", webhook(fake))
        found += songs(fake.messages[message_id])
    return found


async def test_each_song_has_well_formed_listen_links(fake_discord: FakeDiscord, bot) -> None:
    body = await slash(fake_discord, "similar", {"song": SEED})
    lines = body["embeds"][0]["description"].split("\n")
    numbered = [i for i, line in enumerate(lines) if SONG_LINE.match(line)]
    assert len(numbered) >= 5
    for i in numbered:
        listen = lines[i + 1]
        assert listen.startswith("-# Listen: "), listen
        links = dict(LINK.findall(listen))
        assert list(links) == ["YT Music", "Apple", "Deezer"]
        for label, host in HOSTS.items():
            url = urlsplit(links[label])
            assert url.scheme == "https" and url.netloc == host
            assert " " not in links[label] and "(" not in links[label]
    dance = next(i for i in numbered if "D.A.N.C.E. — Justice" in lines[i])
    for label, url in LINK.findall(lines[dance + 1]):
        assert "Justice%20D.A.N.C.E." in url, (label, url)  # searches for "artist title"


async def test_export_button_attaches_three_files_for_the_asker_only(
    fake_discord: FakeDiscord, bot
) -> None:
    sent = await ask(fake_discord, f"!similar {SEED}")
    listed = await every_page(fake_discord, sent)
    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.click(sent, label="Export", user=stranger)
    answer = await refused.wait_answer()
    assert answer["data"]["content"] == NOT_YOURS and answer["data"]["flags"] & EPHEMERAL

    pressed = await fake_discord.click(fake_discord.messages[int(sent["id"])], label="Export")
    assert (await pressed.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["flags"] & EPHEMERAL
    said = follow.json["embeds"][0]["description"]  # no links: the tools that go by name
    assert "as CSV and JSPF; none has a Spotify link" in said
    assert "finds the songs by name" in said and "Paste the links" not in said
    files = follow.file_data
    assert sorted(Path(n).suffix for n in files) == [".csv", ".jspf", ".txt"]
    by_kind = {Path(n).suffix: data for n, data in files.items()}
    rows = list(csv.reader(io.StringIO(by_kind[".csv"].decode("utf-8"))))
    assert rows[0] == ["Artist Name(s)", "Track Name", "Track URI"]
    assert len(rows) - 1 == len(listed)  # every page of the list, not only the first
    assert ["Justice", "D.A.N.C.E.", ""] in rows
    playlist = json.loads(by_kind[".jspf"])["playlist"]
    assert playlist["title"] == "Songs like One More Time — Daft Punk"
    assert [t["title"] for t in playlist["track"]] == [r[1].lstrip("'") for r in rows[1:]]
    text = by_kind[".txt"].decode("utf-8")
    assert "Justice - D.A.N.C.E." in text


async def test_export_command_without_and_with_a_list(fake_discord: FakeDiscord, bot) -> None:
    body = await slash(fake_discord, "export", {})
    assert "There is no list to export yet" in body["embeds"][0]["description"]
    assert body["flags"] & EPHEMERAL

    await ask(fake_discord, "!mix daft punk - one more time | queen - bohemian rhapsody")
    await fake_discord.send_message("!export")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert len(sent.file_data) == 3
    assert json.loads(sent.file_data[next(n for n in sent.files if n.endswith(".jspf"))])
    inter = await fake_discord.slash("export", {})
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert sorted(follow.file_data) == sorted(sent.file_data)  # the same list, privately
    assert follow.json["flags"] & EPHEMERAL


async def test_other_artists_only_leaves_out_the_seeds_artist(
    fake_discord: FakeDiscord, bot
) -> None:
    everyone = songs(await ask(fake_discord, f"!similar {SEED}"))
    assert any("— Daft Punk" in line for line in everyone)
    body = await slash(fake_discord, "similar", {"song": SEED, "other_artists": True})
    others = [
        line for line in body["embeds"][0]["description"].split("\n") if SONG_LINE.match(line)
    ]
    assert others and not any("— Daft Punk" in line for line in others)
    assert "hidden by “other artists only”" in body["embeds"][0]["footer"]["text"]
    flagged = songs(await ask(fake_discord, f"!similar {SEED} --other-artists --deep-cuts"))
    assert flagged and not any("— Daft Punk" in line for line in flagged)


async def test_liked_songs_are_left_out_unless_asked_for(fake_discord: FakeDiscord, bot) -> None:
    await ask(fake_discord, "!like justice - d.a.n.c.e.")
    sent = await ask(fake_discord, f"!similar {SEED}")
    assert not any("D.A.N.C.E." in line for line in await every_page(fake_discord, sent))
    assert "hidden by your likes" in sent["embeds"][0]["footer"]["text"]
    again = await ask(fake_discord, f"!similar {SEED} --include-liked")
    assert any("D.A.N.C.E." in line for line in await every_page(fake_discord, again))


async def test_a_blocked_artist_is_on_no_page_until_unblocked(
    fake_discord: FakeDiscord, bot
) -> None:
    blocked = await slash(fake_discord, "block", {"artist": "queen"})
    assert blocked["flags"] & EPHEMERAL
    assert "Blocked **Queen**" in blocked["embeds"][0]["description"]  # the index's spelling
    sent = await ask(fake_discord, f"!similar {SEED}")
    pages = await every_page(fake_discord, sent)
    assert len(pages) > 10  # more than one page was checked
    assert not any("— Queen" in line for line in pages)
    mix = await ask(fake_discord, "!mix daft punk - one more time | queen - bohemian rhapsody")
    assert not any("— Queen" in line for line in await every_page(fake_discord, mix))
    artists = await ask(fake_discord, "!artist daft punk")
    assert "Queen" not in artists["embeds"][0]["description"]

    listed = await slash(fake_discord, "blocks", {})
    assert "**1.** Queen" in listed["embeds"][0]["description"]
    unblocked = await slash(fake_discord, "unblock", {"artist": "1"})
    assert "Unblocked **Queen**" in unblocked["embeds"][0]["description"]
    sent = await ask(fake_discord, f"!similar {SEED}")
    assert any("— Queen" in line for line in await every_page(fake_discord, sent))


async def test_blocking_every_artist_says_why_the_list_is_empty(
    fake_discord: FakeDiscord, bot
) -> None:
    for name in ("daft punk", "justice", "queen", "**Bold**", "maroon 5", "various"):
        await ask(fake_discord, f"!block {name}")
    sent = await ask(fake_discord, f"!similar {SEED}")
    text = sent["embeds"][0]["description"]
    assert "Every recommendation here is by an artist you blocked" in text
    assert "No song shares" not in text
    listed = (await ask(fake_discord, "!blocks"))["embeds"][0]["description"]
    assert "\\*\\*Bold\\*\\*" in listed  # a stranger's name is shown, not rendered


async def test_the_block_cap_is_explained(
    fake_discord: FakeDiscord, bot, services: Services
) -> None:
    for i in range(MAX_BLOCKS):
        await services.user_db.block_artist(fake_discord.user.id, f"artist {i}")
    body = await slash(fake_discord, "block", {"artist": "queen"})
    text = body["embeds"][0]["description"]
    assert f"at most {MAX_BLOCKS} artists" in text and "/unblock" in text
    empty = await slash(fake_discord, "unblock", {"artist": "nobody at all"})
    assert "is not one of your blocked artists" in empty["embeds"][0]["description"]


async def _answer_text(fake: FakeDiscord, inter) -> str:
    """A slash command's answer as the user reads it: the reply, or the follow-up."""
    answer = await inter.wait_answer()
    if answer["type"] == 5:
        answer = {"data": (await fake.wait_for_request("POST", webhook(fake))).json}
    return json.dumps(answer["data"], ensure_ascii=False)


@pytest.mark.parametrize(
    ("locale", "artist", "likes"), [("en-US", "/artist", "/likes"), ("de", "/künstler", "/likes")]
)
async def test_a_slash_answer_names_the_slash_commands_its_reader_sees(
    fake_discord: FakeDiscord, bot, locale: str, artist: str, likes: str
) -> None:
    """Where `!` commands may not work (a DM, a user install, a channel without them)."""
    text = await _answer_text(
        fake_discord, await fake_discord.slash("artist", {"name": " "}, locale=locale)
    )
    assert f"`{artist} daft punk`" in text and "`!artist" not in text
    await fake_discord.slash("like", {"song": SEED}, locale=locale)
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    text = await _answer_text(
        fake_discord, await fake_discord.slash("unlike", {"song": "5"}, locale=locale)
    )
    assert f"`{likes}`" in text and "`!likes`" not in text
    message = await ask(fake_discord, "!unlike 5")  # a message: the prefix it was typed with
    assert "`!likes`" in message["embeds"][0]["description"]


@pytest.mark.parametrize(
    ("name", "options", "said"),
    [
        ("mix", {"songs": "daft punk - one more time"}, "separated by"),  # one song is no mix
        ("similar", {"song": f"{SEED} --loud"}, "is not a discovery setting"),
    ],
)
async def test_a_note_for_the_asker_alone_is_not_shown_in_the_channel(
    fake_discord: FakeDiscord, bot, name: str, options: dict, said: str
) -> None:
    before = set(fake_discord.messages)
    inter = await fake_discord.slash(name, options)
    thinking = await inter.wait_answer()
    assert thinking["type"] == 5 and not (thinking.get("data") or {}).get("flags", 0) & EPHEMERAL
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert said in follow.json["embeds"][0]["description"]
    shown = [m for i, m in fake_discord.messages.items() if i not in before]
    assert shown and all(m["flags"] & EPHEMERAL for m in shown)  # the public "thinking…" is gone
