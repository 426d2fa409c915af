"""“What I'm playing” (Discord presences) and a playlist file attached to /mix, through the
real bot on the fake Discord over an MPD-built index."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bot import SongsimBot
from tests.support.fakediscord import FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.seed_bot import (
    LUCKY,
    LUCKY_ID,
    NOT_IN_INDEX,
    ask,
    assert_mentions_disabled,
    eventually,
    general,
    open_services,
    sync_global,
    webhook,
)

pytest.importorskip("index.read.api")


# --- what I'm playing --------------------------------------------------------------------------


async def test_presence_on_answers_the_song_being_played(
    fake_discord: FakeDiscord, start_bot, mpd_index: Path, tmp_path: Path, links: FakeLinks
) -> None:
    fake_discord.set_privileged_intents(presences=True, members=True)
    services = await open_services(
        mpd_index, tmp_path, fake_discord, links, SONGSIM_PRESENCE="true"
    )
    try:
        alice, bob = fake_discord.user, fake_discord.add_user("bob")
        bot = await start_bot(SongsimBot(services))
        assert bot.intents.presences and bot.intents.members
        await fake_discord.set_spotify_activity(
            alice, track_id=LUCKY_ID, title="Get Lucky (feat. Pharrell)", artists=["Daft Punk"]
        )
        # bob's release of the song is not in the index: found by artist and title instead
        await fake_discord.set_spotify_activity(
            bob, track_id=NOT_IN_INDEX, title="Africa", artists=["TOTO"]
        )
        guild = bot.get_guild(fake_discord.guild_id)
        await eventually(lambda: all(guild.get_member(u.id).activities for u in (alice, bob)))

        assert (await ask(fake_discord, "!similar", author=alice))["title"] == LUCKY
        assert (await ask(fake_discord, "!similar", author=bob))["title"] == (
            "Songs like Africa — Toto"
        )
        await sync_global(fake_discord)
        inter = await fake_discord.slash("similar", {})
        await inter.wait_answer()
        follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
        assert follow.json["embeds"][0]["title"] == LUCKY

        await fake_discord.clear_activity(alice)
        await eventually(lambda: not guild.get_member(alice.id).activities)
        idle = await ask(fake_discord, "!similar --popular", author=alice)
        assert "don't see you playing anything" in idle["description"]
        await fake_discord.send_message("!similar", dm=True)  # no presence in a DM
        dm = await fake_discord.wait_for_request("POST", f"/channels/{alice.dm_channel_id}/*")
        assert "in a server I'm in" in dm.json["embeds"][0]["description"]
        assert links.count() == 0
    finally:
        await services.close()


async def test_presence_off_says_so_in_one_sentence(fake_discord: FakeDiscord, bot) -> None:
    assert not bot.intents.presences and not bot.intents.members
    await fake_discord.set_spotify_activity(track_id=LUCKY_ID, title="Get Lucky", artists=["x"])
    text = (await ask(fake_discord, "!similar", author=fake_discord.user))["description"]
    assert text.count(". ") == 0 and text.endswith("or paste a song link.")
    assert "`!similar artist - title`" in text
    await sync_global(fake_discord)
    inter = await fake_discord.slash("similar", {}, context="dm", install="user")
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "tell me a song instead" in follow.json["embeds"][0]["description"]


# --- a playlist file as seeds ------------------------------------------------------------------


PLAYLIST = (
    "# my road trip\n"
    f"https://open.spotify.com/track/{LUCKY_ID}\n"
    "queen - bohemian rhapsody\n"
    "just some words\n"
    "**Nobody** - @everyone\n"
    "https://open.spotify.com/album/4m2880jivSbbyEGAKfITCa\n"
    "toto - africa\n"
).encode()


async def test_mix_from_an_attached_file_reports_what_it_could_not_use(
    fake_discord: FakeDiscord, bot
) -> None:
    await sync_global(fake_discord)
    inter = await fake_discord.slash("mix", {}, files={"playlist": ("trip.txt", PLAYLIST)})
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    embed = follow.json["embeds"][0]
    text = embed["description"]
    assert embed["title"] == "Your playlist mix"
    assert "Read 4 songs from trip.txt; 2 lines I couldn't read (lines 4, 6)." in text
    assert "Found 3 songs in the index; 1 song not found" in text
    assert "“\\*\\*Nobody\\*\\* - @\u200beveryone”" in text  # the uploader's text, escaped
    assert "@everyone" not in text
    assert "**1.**" in text

    await fake_discord.send_message("!mix --popular", files={"trip.m3u": PLAYLIST})
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert sent.json["embeds"][0]["title"] == "Your playlist mix"
    assert_mentions_disabled(fake_discord)


async def test_a_file_that_is_not_a_playlist_gets_one_sentence(
    fake_discord: FakeDiscord, bot
) -> None:
    await fake_discord.send_message("!mix", files={"cover.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64})
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    assert "is not a text playlist" in sent.json["embeds"][0]["description"]
    await sync_global(fake_discord)
    inter = await fake_discord.slash("mix", {}, files={"playlist": ("x.txt", b"a\nb\n")})
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "I found no songs in x.txt" in follow.json["embeds"][0]["description"]
