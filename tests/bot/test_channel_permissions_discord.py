"""A channel that does not let songsim post, or post embeds: prefix commands there get a
plain-text sentence naming the missing permission, or silence without a traceback; slash
commands there still get their answer. Against the fake Discord, which refuses posts as
Discord does (403 50013) and drops embeds from a text message without Embed Links."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest
import pytest_asyncio
from discord.ext import commands

from bot.bot import SongsimBot
from bot.services import Services
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import FakeDiscord

pytest.importorskip("index.read.api")


@pytest_asyncio.fixture
async def bot(start_bot, services: Services, fake_discord: FakeDiscord) -> SongsimBot:
    started = await start_bot(SongsimBot(services))
    started.cooldown = commands.CooldownMapping.from_cooldown(1000, 10, commands.BucketType.user)
    return started


def path(channel_id: int) -> str:
    return f"/channels/{channel_id}/messages"


async def deny(fake: FakeDiscord, bot: SongsimBot, **perms: bool) -> None:
    """Overwrite the bot's own permissions in #general, and wait until the bot knows."""
    await fake.set_channel_permissions(
        fake.channel_id, fake.bot_user, deny=discord.Permissions(**perms)
    )
    channel = bot.get_channel(fake.channel_id)
    for _ in range(100):
        mine = channel.permissions_for(channel.guild.me)
        if not any(getattr(mine, name) for name in perms):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never saw the channel's new permissions")


async def test_without_embed_links_a_prefix_command_says_so_in_text(
    fake_discord: FakeDiscord, bot, caplog
):
    await deny(fake_discord, bot, embed_links=True)
    caplog.set_level(logging.INFO)
    await fake_discord.send_message(f"!similar {SEED}")
    sent = await fake_discord.wait_for_request("POST", path(fake_discord.channel_id))
    assert sent.status == 200, sent.response
    assert "Embed Links" in sent.json["content"]
    assert not sent.json.get("embeds")
    assert sent.json["allowed_mentions"]["parse"] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    # The same question as a slash command is answered in full: interactions are not limited.
    inter = await fake_discord.slash("similar", {"song": SEED})
    await inter.wait_answer()
    await fake_discord.wait_for_request("POST", f"/webhooks/{fake_discord.application_id}/*")
    answer = fake_discord.messages[inter.original_id]
    assert answer["embeds"] and answer["embeds"][0]["title"]


async def test_without_send_messages_nothing_is_posted_and_nothing_fails(
    fake_discord: FakeDiscord, bot, caplog
):
    await deny(fake_discord, bot, send_messages=True)
    caplog.set_level(logging.INFO)
    await fake_discord.send_message(f"!similar {SEED}")
    await fake_discord.send_message(f"!similar {SEED}", dm=True)  # answered after the first
    dm = await fake_discord.wait_for_request("POST", path(fake_discord.user.dm_channel_id))
    assert dm.json["embeds"], "a DM answer is an embed"
    general = f"/channels/{fake_discord.channel_id}/"
    posts = [r for r in fake_discord.requests.entries if r.path.startswith(general)]
    assert posts == [], "nothing may be posted, not even typing, where the bot cannot post"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("not answered" in r.getMessage() for r in caplog.records)


async def test_the_fake_refuses_posts_as_discord_does(fake_discord: FakeDiscord, bot):
    channel = bot.get_channel(fake_discord.channel_id)
    await deny(fake_discord, bot, embed_links=True)
    with pytest.raises(discord.Forbidden) as refused:
        await channel.send(embed=discord.Embed(title="only an embed"))
    assert refused.value.code == 50013
    text = await channel.send("with text", embed=discord.Embed(title="dropped"))
    assert text.content == "with text" and text.embeds == []

    await fake_discord.set_channel_permissions(
        fake_discord.channel_id, None, deny=discord.Permissions(view_channel=True)
    )
    await asyncio.sleep(0.1)
    with pytest.raises(discord.Forbidden) as hidden:
        await channel.send("hello")
    assert hidden.value.code == 50001


async def test_a_channel_the_cache_does_not_hold_is_still_answered(fake_discord, bot, caplog):
    """discord.py gives a message from a channel it has not cached (here: created after
    the bot connected, with no CHANNEL_CREATE) a partial channel with no permissions at
    all; the check must not read that as "may not post" and stay silent."""
    unseen = fake_discord.add_channel("created-later")
    assert bot.get_channel(unseen) is None
    await fake_discord.send_message(f"!similar {SEED}", channel_id=unseen)
    sent = await fake_discord.wait_for_request("POST", path(unseen))
    assert sent.status == 200 and sent.json["embeds"][0]["title"]
