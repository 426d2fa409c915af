"""Server settings and a user's data, through the real discord.py client and the fake Discord:
a change applies to the next command, members without Manage Server are refused, Why?
filters or hides playlist names, and a user exports and deletes what songsim keeps."""

from __future__ import annotations

import asyncio
import json
import re

import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from bot.bot import SongsimBot
from bot.replies.settings import NOT_ALLOWED
from bot.services import Services
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import EPHEMERAL, FakeDiscord, find_component

pytest.importorskip("index.read.api")


@pytest_asyncio.fixture
async def bot(start_bot, services: Services, fake_discord: FakeDiscord) -> SongsimBot:
    started = await start_bot(SongsimBot(services))
    # These tests run more commands per user than the shared cooldown allows in 10 s.
    started.cooldown = commands.CooldownMapping.from_cooldown(1000, 10, commands.BucketType.user)
    await fake_discord.send_message("!sync global", author=fake_discord.owner)
    await fake_discord.wait_for_request("POST", channel_path(fake_discord))
    return started


def channel_path(fake: FakeDiscord, channel_id: int | None = None) -> str:
    return f"/channels/{channel_id or fake.channel_id}/messages"


def webhook(fake: FakeDiscord) -> str:
    return f"/webhooks/{fake.application_id}/*"


async def slash_answer(fake: FakeDiscord, name: str, options=None, **kw) -> tuple[dict, dict]:
    """Run ``/name`` and return (the stored answer message, its first embed)."""
    inter = await fake.slash(name, options or {}, **kw)
    await inter.wait_answer()
    await fake.wait_for_request("POST", webhook(fake))
    message = fake.messages[inter.original_id]
    return message, message["embeds"][0]


async def setting(fake: FakeDiscord, name: str, value: str, **kw) -> dict:
    message, embed = await slash_answer(fake, "settings", {"setting": name, "value": value}, **kw)
    assert message["flags"] & EPHEMERAL
    return embed


async def prefix_reply(fake: FakeDiscord, text: str, channel_id: int | None = None) -> dict:
    await fake.send_message(text, channel_id=channel_id)
    sent = await fake.wait_for_request("POST", channel_path(fake, channel_id))
    return sent.json["embeds"][0]


async def test_a_settings_change_applies_to_the_next_command(fake_discord: FakeDiscord, bot):
    before = await prefix_reply(fake_discord, f"!similar {SEED}")
    assert "Discovery: closest" in before["footer"]["text"]

    saved = await setting(fake_discord, "discovery", "popular")
    assert saved["description"].startswith("**Saved.**")
    after = await prefix_reply(fake_discord, f"!similar {SEED}")
    assert "Discovery: popular" in after["footer"]["text"]
    flagged = await prefix_reply(fake_discord, f"!similar {SEED} --closest")  # theirs wins
    assert "Discovery: closest" in flagged["footer"]["text"]

    await setting(fake_discord, "replies", "private")
    inter = await fake_discord.slash("similar", {"song": SEED})
    assert (await inter.wait_answer())["data"]["flags"] & EPHEMERAL  # "thinking…" is private
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert fake_discord.messages[inter.original_id]["flags"] & EPHEMERAL

    _, shown = await slash_answer(fake_discord, "settings")  # no options: every value
    values = {f["name"]: f["value"] for f in shown["fields"]}
    assert values["discovery"].startswith("`popular`")
    assert values["replies"].startswith("`private`")
    assert values["why_names"].startswith("`filtered`")  # the default


async def test_a_member_without_manage_server_is_refused(fake_discord: FakeDiscord, bot):
    bob = fake_discord.add_user("bob")
    await fake_discord.set_permissions(bob, discord.Permissions(send_messages=True))
    message, embed = await slash_answer(
        fake_discord, "settings", {"setting": "why_names", "value": "shown"}, user=bob
    )
    assert message["flags"] & EPHEMERAL and embed["description"] == NOT_ALLOWED
    assert bot.services.user_db.servers.get(fake_discord.guild_id).why_names == "filtered"

    refused = await prefix_reply(fake_discord, "!settings why_names shown")
    assert refused["description"].startswith("**Saved.**")  # alice manages the server
    await fake_discord.send_message("!settings why_names hidden", author=bob)
    sent = await fake_discord.wait_for_request("POST", channel_path(fake_discord))
    assert sent.json["embeds"][0]["description"] == NOT_ALLOWED  # roles say so too
    assert bot.services.user_db.servers.get(fake_discord.guild_id).why_names == "shown"

    synced = {c["name"]: c for c in fake_discord.synced_commands()}
    assert synced["settings"]["contexts"] == [0]  # servers only
    assert int(synced["settings"]["default_member_permissions"]) == 1 << 5  # Manage Server
    await fake_discord.send_message("!settings", dm=True)  # a DM has no server to set
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert dm.json["embeds"][0]["description"] == "That only works in a server."


async def why_of_first_song(fake: FakeDiscord) -> dict:
    await fake.send_message(f"!similar {SEED}")
    sent = await fake.wait_for_request("POST", channel_path(fake))
    why = await fake.click(sent.response, label="Why?")
    await why.wait_answer()  # a private "thinking…", then the menu in its place
    shown = await fake.wait_for_request("POST", webhook(fake))
    menu = find_component(shown.json, type=3)
    picked = await fake.select(fake.messages[why.original_id], [menu["options"][0]["value"]])
    await picked.wait_answer()
    edit = await fake.wait_for_request("PATCH", webhook(fake))
    return edit.json["embeds"][0]


async def test_why_filters_then_hides_playlist_names(fake_discord: FakeDiscord, bot):
    shown = await why_of_first_song(fake_discord)
    examples = shown["fields"][0]["value"]
    assert "gym" in examples and "Road trip" in examples

    await setting(fake_discord, "words", "add gym")  # the server's own word
    filtered = await why_of_first_song(fake_discord)
    examples = filtered["fields"][0]["value"]
    assert "gym" not in examples and "• a playlist" in examples and "Road trip" in examples

    await setting(fake_discord, "why_names", "hidden")
    hidden = await why_of_first_song(fake_discord)
    assert not hidden.get("fields") and "Road trip" not in json.dumps(hidden)
    assert hidden["footer"]["text"] == "Playlist names are hidden in this server."
    assert "3 playlists" in hidden["description"]


async def test_song_names_filtered_only_when_the_server_asks(fake_discord: FakeDiscord, bot):
    await setting(fake_discord, "words", "add punk")
    plain = await prefix_reply(fake_discord, f"!similar {SEED}")
    assert "Daft Punk" in plain["title"]
    await setting(fake_discord, "song_names", "filtered")
    masked = await prefix_reply(fake_discord, f"!similar {SEED}")
    assert masked["title"] == "Songs like One More Time — Daft P\\*\\*\\*"
    visible = re.sub(r"\]\([^)]*\)", "]", masked["description"])  # link targets aside
    assert "Punk" not in visible and "Daft P\\*\\*\\*" in visible
    await prefix_reply(fake_discord, f"!like {SEED}")  # and the suggestions while typing
    liked = await fake_discord.autocomplete("unlike", {"song": ""}, focused="song")
    assert liked == [{"name": "1. One More Time — Daft P***", "value": "1"}]
    await fake_discord.send_message(f"!similar {SEED}", dm=True)  # a DM has no server
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert "Daft Punk" in dm.json["embeds"][0]["title"]


async def test_prefix_channels_and_commands_turned_off(fake_discord: FakeDiscord, bot):
    music = fake_discord.add_channel("music")
    await fake_discord.dispatch("CHANNEL_CREATE", fake_discord.channels[music])
    await setting(fake_discord, "prefix_channels", "add #music")
    in_general = lambda r: r.matches("POST", channel_path(fake_discord))  # noqa: E731
    before = len(fake_discord.requests.matching(in_general))
    await fake_discord.send_message(f"!similar {SEED}")  # #general: left unanswered
    answered = await prefix_reply(fake_discord, f"!similar {SEED}", channel_id=music)
    assert answered["title"].startswith("Songs like")
    await asyncio.sleep(0.2)
    assert len(fake_discord.requests.matching(in_general)) == before

    inter = await fake_discord.slash("similar", {"song": SEED})  # slash works everywhere
    assert (await inter.wait_answer())["data"]["flags"] & EPHEMERAL
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["footer"]["text"].endswith(
        "Only you can see this: in this server songsim answers in public in #music."
    )

    await setting(fake_discord, "commands_off", "add mix")
    off = await prefix_reply(fake_discord, f"!mix {SEED} | queen - bohemian rhapsody", music)
    assert off["description"] == "This server has turned `mix` off."
    inter = await fake_discord.slash("mix", {"songs": f"{SEED} | queen - bohemian rhapsody"})
    refusal = await inter.wait_answer()
    assert refusal["data"]["flags"] & EPHEMERAL
    assert refusal["data"]["embeds"][0]["description"] == "This server has turned `mix` off."


async def test_privacy_shows_exports_and_deletes_after_confirmation(fake_discord: FakeDiscord, bot):
    await prefix_reply(fake_discord, f"!like {SEED}")
    await prefix_reply(fake_discord, "!block queen")
    db = bot.services.user_db
    me = fake_discord.user.id

    message, shown = await slash_answer(fake_discord, "privacy")
    assert message["flags"] & EPHEMERAL
    fields = {f["name"]: f["value"] for f in shown["fields"]}
    assert "One More Time — Daft Punk" in fields["Liked songs (1)"]
    assert fields["Blocked artists (1)"] == "Queen"

    inter = await fake_discord.slash("privacy", {"action": "export"})
    await inter.wait_answer()
    sent = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    data = json.loads(sent.file_data["songsim-my-data.json"])
    assert data["user_id"] == str(me)
    assert [(x["artist"], x["title"]) for x in data["likes"]] == [("Daft Punk", "One More Time")]
    assert [x["artist"] for x in data["blocked_artists"]] == ["Queen"]

    inter = await fake_discord.slash("privacy", {"action": "delete"})
    await inter.wait_answer()
    await fake_discord.wait_for_request("POST", webhook(fake_discord))
    prompt = fake_discord.messages[inter.original_id]
    assert prompt["flags"] & EPHEMERAL and await db.count(me) == 1  # nothing deleted yet
    stranger = fake_discord.add_user("mallory")
    refused = await fake_discord.click(prompt, label="Delete my data", user=stranger)
    assert (await refused.wait_answer())["data"]["flags"] & EPHEMERAL
    assert await db.count(me) == 1
    pressed = await fake_discord.click(prompt, label="Delete my data")
    again = await fake_discord.click(prompt, label="Delete my data")  # a double click
    assert (await pressed.wait_answer())["type"] == 6  # acknowledged, then the prompt edited
    assert (await again.wait_answer())["type"] == 6  # acknowledged; "Deleted" stands
    done = await fake_discord.wait_for_request("PATCH", webhook(fake_discord))
    assert done.json["embeds"][0]["title"] == "Deleted" and done.json["components"] == []
    assert await db.likes(me) == [] and await db.blocks(me) == []
    kept = fake_discord.messages[inter.original_id]["embeds"][0]
    assert kept["title"] == "Deleted" and "0 liked songs" not in kept["description"]


async def test_privacy_in_a_channel_points_to_a_private_place(fake_discord: FakeDiscord, bot):
    await prefix_reply(fake_discord, f"!like {SEED}")
    told = await prefix_reply(fake_discord, "!privacy export")
    assert "only you see its answer" in told["description"]
    await fake_discord.send_message("!privacy export", dm=True)
    dm = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.user.dm_channel_id}/messages"
    )
    assert "songsim-my-data.json" in dm.file_data
