"""Ways to name a song, through the real bot on the fake Discord: links, right-click, what
I'm playing, an attached playlist. The index is an MPD build (every song has its Spotify
URI); outside services are the fakes on 127.0.0.1 (tests/support/fakelinks.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.bot import SongsimBot
from bot.services import Services
from bot.settings import Settings
from tests.support.fakediscord import EPHEMERAL, FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.mpd_index import SONGS, build_mpd_index

pytest.importorskip("index.read.api")

LUCKY_ID = SONGS[0][2]
LUCKY = "Songs like Get Lucky — Daft Punk"
NOT_IN_INDEX = "4uLU6hMCjMI75M1A2tKUQC"  # a real-looking Spotify id the MPD slice lacks


@pytest.fixture(scope="module")
def mpd_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mpd_index(tmp_path_factory.mktemp("mpd"))


@pytest_asyncio.fixture
async def links() -> AsyncIterator[FakeLinks]:
    async with FakeLinks() as fake:
        yield fake


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

    empty = await fake_discord.send_message("lol", author=bob)
    inter = await fake_discord.context_menu("Find similar songs", empty)
    await inter.wait_answer()
    follow = await fake_discord.wait_for_request("POST", webhook(fake_discord))
    assert "No such song" in follow.json["embeds"][0]["title"]
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


# --- what I'm playing --------------------------------------------------------------------------


async def eventually(condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


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
