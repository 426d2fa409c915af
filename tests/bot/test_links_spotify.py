"""Spotify links end to end: the index's URIs offline, then Spotify's API, then its oEmbed.

What a user notices: on an index built from Million Playlist Dataset slices, every form
of a Spotify link to a song in the index is that song, with no network at all (and a
Last.fm or YouTube link finds it through its names); a Spotify link the index lacks is
named by Spotify's Web API when the bot has credentials (one call, then cached), by the
keyless oEmbed title otherwise, and a rate limit or a slow API never holds the reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.links import LinkReader, ServiceUrls
from bot.links.reader import BUSY_NOTE, NO_CREDENTIALS_NOTE, TITLE_ONLY_NOTE
from bot.spotify import SpotifyLinks
from index.read.api import SongIndex
from tests.support.fakelinks import FakeLinks
from tests.support.fakespotify import FakeSpotify
from tests.support.mpd_index import SONGS, build_mpd_index

NOWHERE = ServiceUrls(*(["http://127.0.0.1:9/nothing-listens-here"] * 4))
SID = "5W3cjX2J3tjhG8zb6u0qHn"  # a track the index does not hold


def link_forms(sid: str) -> list[str]:
    return [
        f"https://open.spotify.com/track/{sid}",
        f"https://open.spotify.com/track/{sid}?si=0a1b2c3d4e5f6789",
        f"https://open.spotify.com/intl-de/track/{sid}?si=x&nd=1",
        f"<https://open.spotify.com/track/{sid}>",
        f"open.spotify.com/track/{sid}",
        f"spotify:track:{sid}",
        f"listen to this: https://open.spotify.com/intl-ja/track/{sid}!",
    ]


@pytest.fixture(scope="module")
def mpd_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mpd_index(tmp_path_factory.mktemp("mpd-links"))


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.mark.parametrize(("artist", "title", "sid"), SONGS)
async def test_every_spotify_link_form_finds_the_indexed_track_offline(
    mpd_index: Path, session: aiohttp.ClientSession, artist: str, title: str, sid: str
) -> None:
    with SongIndex.open(mpd_index) as idx:

        async def find(uri: str):
            return await asyncio.to_thread(idx.track_by_spotify_uri, uri)

        # Every service address leads nowhere: a network call would fail the read.
        async with LinkReader(session, None, urls=NOWHERE) as reader:
            for text in link_forms(sid):
                seed = await reader.read(text, find_uri=find)
                assert seed is not None and seed.ok, (text, seed)
                assert seed.track is not None, text
                assert (seed.track.artist, seed.track.title) == (artist, title)


@pytest.mark.parametrize(("artist", "title", "sid"), SONGS)
async def test_lastfm_links_resolve_to_the_indexed_track(
    mpd_index: Path, session: aiohttp.ClientSession, artist: str, title: str, sid: str
) -> None:
    url = "https://www.last.fm/music/{}/_/{}".format(
        *(x.replace("'", "%27").replace(" ", "+") for x in (artist, title))
    )
    with SongIndex.open(mpd_index) as idx:
        async with LinkReader(session, None, urls=NOWHERE) as reader:
            seed = await reader.read(url)
            assert seed is not None and seed.query
            match = idx.resolve(seed.query).match
            assert match is not None and (match.artist, match.title) == (artist, title)


async def test_a_youtube_video_resolves_to_the_indexed_track(
    mpd_index: Path, session: aiohttp.ClientSession
) -> None:
    async with FakeLinks() as fake:
        fake.add_video("FTQbiNvZqaY", "TOTO - Africa (Official HD Video)", "TOTOVEVO")
        async with LinkReader(session, None, urls=fake.urls) as reader:
            seed = await reader.read("https://www.youtube.com/watch?v=FTQbiNvZqaY")
    assert seed is not None and seed.query == "TOTO - Africa"
    with SongIndex.open(mpd_index) as idx:
        match = idx.resolve(seed.query).match
        assert match is not None and (match.artist, match.title) == ("Toto", "Africa")


# --- without credentials: the keyless oEmbed -------------------------------------------


@pytest.fixture
async def oembed() -> AsyncIterator[FakeLinks]:
    async with FakeLinks() as fake:
        fake.add_spotify(SID, "Levitating (feat. DaBaby)")
        yield fake


async def _nowhere(uri: str):
    return None


async def test_without_a_lookup_a_spotify_link_gives_its_uri_and_asks_nothing(
    oembed: FakeLinks, session
) -> None:
    async with LinkReader(session, None, urls=oembed.urls) as reader:
        seed = await reader.read(f"https://open.spotify.com/track/{SID}?si=1")
        assert seed is not None and seed.ok
        assert (seed.spotify_uri, seed.query, seed.track) == (f"spotify:track:{SID}", None, None)
        assert oembed.count() == 0
        named = await reader.names(seed)  # the second step, once the index said "not here"
    assert named.query == "Levitating (feat. DaBaby)"


async def test_without_credentials_spotify_gives_the_title_only_and_says_so(
    oembed: FakeLinks, session
) -> None:
    async with LinkReader(session, None, urls=oembed.urls) as reader:
        seed = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
    assert seed is not None and seed.query == "Levitating (feat. DaBaby)"
    assert seed.title_only and seed.artist is None
    assert seed.note == TITLE_ONLY_NOTE and "SPOTIFY_CLIENT_ID" in seed.note
    assert oembed.calls[0].params == {"url": f"https://open.spotify.com/track/{SID}"}


async def test_without_credentials_a_failed_spotify_link_says_what_would_help(
    oembed: FakeLinks, session
) -> None:
    oembed.fail_next("spotify", "500")
    async with LinkReader(session, None, urls=oembed.urls) as reader:
        seed = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
        unknown = await reader.read("spotify:track:0000000000000000000000", find_uri=_nowhere)
    assert seed is not None and seed.failure is not None
    assert seed.failure.kind == "unavailable" and seed.note == NO_CREDENTIALS_NOTE
    assert unknown is not None and unknown.failure is not None
    assert unknown.failure.kind == "not_found"


async def test_an_index_that_fails_does_not_cost_the_link(oembed: FakeLinks, session) -> None:
    async def broken(uri: str):
        raise RuntimeError("disk on fire")

    async with LinkReader(session, None, urls=oembed.urls) as reader:
        seed = await reader.read(f"spotify:track:{SID}", find_uri=broken)
    assert seed is not None and seed.query == "Levitating (feat. DaBaby)"


# --- with credentials: Spotify's Web API -------------------------------------------------


@pytest.fixture
def spotify() -> FakeSpotify:
    with FakeSpotify() as server:
        server.add(SID, "Levitating (feat. DaBaby)", "Dua Lipa", "DaBaby")
        yield server


@pytest.fixture
async def links(spotify: FakeSpotify, tmp_path: Path) -> AsyncIterator[SpotifyLinks]:
    made = SpotifyLinks.create(
        spotify.client_id,
        spotify.client_secret,
        tmp_path / "bot.sqlite",
        api_prefix=spotify.api_prefix,
        token_url=spotify.token_url,
        request_timeout=5.0,
    )
    await made.start()
    yield made
    await made.close()


async def test_credentials_name_the_artist_with_one_cached_call(
    spotify: FakeSpotify, links: SpotifyLinks, oembed: FakeLinks, session, tmp_path: Path
) -> None:
    spotify.reset_calls()
    db = tmp_path / "bot.sqlite"
    async with LinkReader(session, db, spotify=links, urls=oembed.urls) as reader:
        seed = await reader.read(f"https://open.spotify.com/track/{SID}", find_uri=_nowhere)
        assert seed is not None and seed.ok
        assert seed.query == "Dua Lipa - Levitating (feat. DaBaby)"  # the first credited artist
        assert not seed.title_only and seed.note is None
        again = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
        assert again is not None and again.query == seed.query
    async with LinkReader(session, db, spotify=links, urls=oembed.urls) as restarted:
        later = await restarted.read(f"spotify:track:{SID}", find_uri=_nowhere)
        assert later is not None and later.query == seed.query
    assert spotify.count("/v1/tracks/") == 1
    assert oembed.count() == 0


async def test_a_track_spotify_does_not_know_is_not_found_without_more_calls(
    spotify: FakeSpotify, links: SpotifyLinks, oembed: FakeLinks, session
) -> None:
    async with LinkReader(session, None, spotify=links, urls=oembed.urls) as reader:
        seed = await reader.read("spotify:track:0000000000000000000000", find_uri=_nowhere)
    assert seed is not None and seed.failure is not None
    assert seed.failure.kind == "not_found"
    assert oembed.count() == 0


async def test_a_rate_limited_api_falls_back_to_the_oembed_title(
    spotify: FakeSpotify, links: SpotifyLinks, oembed: FakeLinks, session
) -> None:
    spotify.fail_next("/v1/tracks/", 429, retry_after=600)
    async with LinkReader(session, None, spotify=links, urls=oembed.urls) as reader:
        seed = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
        assert seed is not None and seed.query == "Levitating (feat. DaBaby)"
        assert seed.title_only and seed.note == BUSY_NOTE
        assert links.paused_for > 500
        calls = spotify.count("/v1/tracks/")
        await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
    assert spotify.count("/v1/tracks/") == calls  # paused: the API is not asked again


async def test_a_slow_api_never_holds_the_reply_past_the_timeout(
    spotify: FakeSpotify, links: SpotifyLinks, oembed: FakeLinks, session
) -> None:
    spotify.set_delay("/v1/tracks/", 2.0)
    async with LinkReader(session, None, spotify=links, urls=oembed.urls, timeout=0.5) as reader:
        started = time.monotonic()
        seed = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
        assert time.monotonic() - started < 1.0
    assert seed is not None and seed.failure is not None
    assert seed.failure.kind == "timeout"
    spotify.set_delay("/v1/tracks/", 0)


async def test_links_turned_off_read_like_no_credentials(oembed: FakeLinks, session) -> None:
    off = SpotifyLinks.disabled("Spotify links are off.")
    async with LinkReader(session, None, spotify=off, urls=oembed.urls) as reader:
        seed = await reader.read(f"spotify:track:{SID}", find_uri=_nowhere)
    assert seed is not None and seed.query == "Levitating (feat. DaBaby)"
    assert seed.note == TITLE_ONLY_NOTE
    assert await off.track_object(SID) is None
