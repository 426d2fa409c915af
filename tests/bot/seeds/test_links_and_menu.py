"""Links as the song and the right-click menu, through the real bot on the fake Discord. The
index is an MPD build (every song has its Spotify URI); outside services are the fakes on
127.0.0.1 (tests/support/fakelinks.py)."""

from __future__ import annotations

import time

import pytest

from tests.support.fakediscord import EPHEMERAL, FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.seed_bot import (
    LUCKY,
    LUCKY_ID,
    NOT_IN_INDEX,
    ask,
    assert_mentions_disabled,
    general,
    sync_global,
    webhook,
)

pytest.importorskip("index.read.api")


# --- links as the song -------------------------------------------------------------------------


SPOTIFY_FORMS = [
    f"https://open.spotify.com/track/{LUCKY_ID}",
    f"https://open.spotify.com/intl-de/track/{LUCKY_ID}?si=0123456789abcdef&utm_source=copy",
    f"spotify:track:{LUCKY_ID}",
    f"<https://open.spotify.com/track/{LUCKY_ID}>",
    f"listen to this: https://open.spotify.com/track/{LUCKY_ID}!",
    "https://www.last.fm/music/Daft+Punk/_/Get+Lucky",
    "https://www.last.fm/music/Daft%20Punk/_/Get%20Lucky",
]


async def test_every_spotify_and_lastfm_link_form_finds_the_song_offline(
    fake_discord: FakeDiscord, bot, links: FakeLinks
) -> None:
    for form in SPOTIFY_FORMS:
        embed = await ask(fake_discord, f"!similar {form}")
        assert embed["title"] == LUCKY, form
    assert links.count() == 0  # the index's URIs and Last.fm's path: no service asked
    assert_mentions_disabled(fake_discord)


async def test_slash_similar_and_like_take_a_link(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    inter = await fake_discord.slash("similar", {"song": SPOTIFY_FORMS[1]})
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == LUCKY

    inter = await fake_discord.slash("like", {"song": f"spotify:track:{LUCKY_ID}"})
    await inter.wait_answer()
    liked = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "Liked **Get Lucky**" in liked.json["embeds"][0]["description"]

    mixed = await ask(
        fake_discord, f"!mix https://open.spotify.com/track/{LUCKY_ID} | toto - africa"
    )
    assert mixed["title"] == "Your mix" and "Get Lucky" in mixed["description"]
    assert_mentions_disabled(fake_discord)


async def test_a_youtube_link_is_read_by_its_service(
    fake_discord: FakeDiscord, bot, links: FakeLinks
) -> None:
    links.add_video(
        "dQw4w9WgXcQ", "Daft Punk - Get Lucky (Official Video) ft. Pharrell", "Daft Punk"
    )
    links.add_video("aaaaaaaaaaa", "Bohemian Rhapsody (Remastered 2011)", "Queen - Topic")
    embed = await ask(fake_discord, "!similar https://youtu.be/dQw4w9WgXcQ")
    assert embed["title"] == LUCKY
    embed = await ask(
        fake_discord, "!s https://music.youtube.com/watch?v=aaaaaaaaaaa&feature=share"
    )
    assert embed["title"] == "Songs like Bohemian Rhapsody — Queen"
    assert links.count("youtube") == 2
    await ask(fake_discord, "!similar https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert links.count("youtube") == 2  # the second paste came from the cache


@pytest.mark.parametrize(
    ("failure", "sentence"),
    [("slow", "didn't answer in time"), ("429", "asked me to slow down"), ("500", "right now")],
)
async def test_a_failing_service_still_answers_within_the_budget(
    fake_discord: FakeDiscord, bot, links: FakeLinks, failure: str, sentence: str
) -> None:
    links.slow_seconds = 5.0
    links.fail_next("youtube", failure, retry_after=120)
    asked = time.perf_counter()
    await fake_discord.send_message("!similar https://youtu.be/bbbbbbbbbbb")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord), timeout=6)
    assert sent.at - asked < 3.0
    text = sent.json["embeds"][0]["description"]
    assert sentence in text and "`artist - title`" in text


async def test_a_slow_service_answers_a_slash_command_in_time(
    fake_discord: FakeDiscord, bot, links: FakeLinks
) -> None:
    await sync_global(fake_discord)
    links.set_delay("youtube", 5.0)
    asked = time.perf_counter()
    inter = await fake_discord.slash("similar", {"song": "https://youtu.be/ccccccccccc"})
    assert (await inter.wait_answer())["type"] == 5  # deferred before the lookup
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord), timeout=6)
    assert follow.at - asked < 3.0
    assert "didn't answer in time" in follow.json["embeds"][0]["description"]


async def test_links_that_name_no_song_say_what_works(fake_discord: FakeDiscord, bot) -> None:
    other = await ask(fake_discord, "!similar https://example.com/some/page")
    assert (
        "Spotify, YouTube, YouTube Music, Apple Music, Deezer and Last.fm" in (other["description"])
    )
    playlist = await ask(
        fake_discord, "!similar https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
    )
    assert "since February 2026" in playlist["description"]
    assert "Exportify" in playlist["description"] and "/mix" in playlist["description"]
    mix = await ask(fake_discord, "!mix https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M")
    assert "Exportify" in mix["description"]


async def test_a_title_only_link_offers_choices_not_a_sure_match(
    fake_discord: FakeDiscord, bot, links: FakeLinks
) -> None:
    links.add_spotify(NOT_IN_INDEX, "Get Lucky")  # oEmbed names the title, not the artist
    await fake_discord.send_message(f"!similar https://open.spotify.com/track/{NOT_IN_INDEX}")
    sent = await fake_discord.wait_for_request("POST", general(fake_discord))
    embed = sent.json["embeds"][0]
    assert embed["title"] == "Did you mean…"
    assert "only the song's title" in embed["description"]
    assert "Get Lucky" in embed["description"]
    assert sent.json["components"]  # the choices, to pick from


# --- right-click a message -------------------------------------------------------------------


async def test_right_click_in_a_guild_a_dm_and_a_group_dm(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    bob = fake_discord.add_user("bob")
    posted = await fake_discord.send_message(
        f"this one slaps <@{bob.id}> https://open.spotify.com/track/{LUCKY_ID}?si=x", author=bob
    )
    inter = await fake_discord.context_menu("Find similar songs", posted)
    assert (await inter.wait_answer())["type"] == 5
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == LUCKY
    assert follow.json["components"]  # More / Why? for the one who right-clicked

    in_dm = await fake_discord.send_message("queen - bohemian rhapsody", dm=True)  # no command
    inter = await fake_discord.context_menu("Find similar songs", in_dm)
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == "Songs like Bohemian Rhapsody — Queen"

    group = fake_discord.group_dm(fake_discord.user, bob)
    said = fake_discord.add_message("**Toto** - Africa", author=bob, channel_id=group)
    inter = await fake_discord.context_menu("Find similar songs", said, install="user")
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert follow.json["embeds"][0]["title"] == "Songs like Africa — Toto"

    for text in ("lol", ""):  # no such song; nothing to read (an image only)
        empty = await fake_discord.send_message(text, author=bob)
        before = set(fake_discord.messages)
        inter = await fake_discord.context_menu("Find similar songs", empty)
        await inter.wait_answer()
        follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
        said = follow.json["embeds"][0]
        assert "No such song" in said.get("title", "") or "no song link" in said["description"]
        shown = [m for i, m in fake_discord.messages.items() if i not in before]
        assert shown and all(m["flags"] & EPHEMERAL for m in shown)  # a miss is not posted
    assert_mentions_disabled(fake_discord)


async def test_the_menu_shares_the_cooldown_and_fails_politely(
    fake_discord: FakeDiscord, bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_global(fake_discord)
    posted = await fake_discord.send_message("toto - africa", author=fake_discord.owner)
    for _ in range(5):  # the shared cooldown: 5 commands per 10 s
        await (await fake_discord.context_menu("Find similar songs", posted)).wait_answer()
        await fake_discord.wait_for_request("POST", webhook(fake_discord))
    refused = await (await fake_discord.context_menu("Find similar songs", posted)).wait_answer()
    assert refused["type"] == 4 and refused["data"]["flags"] & EPHEMERAL
    assert "ask again in" in refused["data"]["embeds"][0]["description"]

    async def broken(*args, **kwargs):
        raise RuntimeError("the index fell over")

    monkeypatch.setattr("bot.replies.Answers.similar", broken)
    inter = await fake_discord.context_menu("Find similar songs", posted, user=fake_discord.owner)
    await inter.wait_answer()
    sorry = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "something went wrong" in sorry.json["embeds"][0]["description"]
    assert fake_discord.messages[int(sorry.response["id"])]["flags"] & EPHEMERAL


async def test_the_menu_is_synced_everywhere(fake_discord: FakeDiscord, bot) -> None:
    await sync_global(fake_discord)
    menu = {c["name"]: c for c in fake_discord.synced_commands()}["Find similar songs"]
    assert menu["type"] == 3 and menu["contexts"] == [0, 1, 2]
    assert menu["integration_types"] == [0, 1]
