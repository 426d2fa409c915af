"""Spotify links and artwork against a fake Spotify Web API on 127.0.0.1 (no internet).

What a user would notice: the right link or none (never a wrong one), replies that never
wait longer than their timeout, a rate limit that pauses links instead of the bot, lookups
that are not repeated after a restart, and a wrong secret that turns links off with one
clear log line that does not contain it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.settings import Secret, Settings
from bot.spotify import HIT_TTL, MISS_TTL, SpotifyCache, SpotifyInfo, SpotifyLinks
from index import model as answers
from tests.support.fakespotify import FakeSpotify


def Track(  # noqa: N802 - reads like the dataclass it builds
    track_id: int, artist_id: int, artist: str, title: str, *, spotify_uri: str | None = None
) -> answers.Track:
    """The read path's real ``Track``; lookups only read its names and URI."""
    return answers.Track(track_id, artist_id, artist, title, playlists=1, spotify_uri=spotify_uri)


class Clock:
    """A wall clock the test moves by hand (TTLs, rate-limit pauses)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


HEY_JUDE = Track(1, 1, "The Beatles", "Hey Jude")
YESTERDAY = Track(2, 1, "The Beatles", "Yesterday - Remastered 2009")
UNKNOWN = Track(3, 2, "Nobody Anyone Knows", "A Song Spotify Lacks")


@pytest.fixture
def fake() -> FakeSpotify:
    with FakeSpotify() as server:
        server.add(
            "heyjude1", "Hey Jude - Remastered 2015", "The Beatles", image_url="http://img/hj"
        )
        server.add("yesterday1", "Yesterday", "The Beatles", image_url="http://img/y")
        server.add("uri0track1", "Blackbird", "The Beatles", image_url="http://img/bb")
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_links(
    fake: FakeSpotify, tmp_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., SpotifyLinks]]:
    """Started SpotifyLinks pointed at the fake, all closed when the test ends."""
    made: list[SpotifyLinks] = []

    async def make(
        secret: str | None = None, db: Path | str | None = "default", **kw
    ) -> SpotifyLinks:
        """``db`` None keeps the cache in memory; by default it is a file in tmp_path."""
        links = SpotifyLinks.create(
            fake.client_id,
            fake.client_secret if secret is None else secret,
            tmp_path / "bot.sqlite" if db == "default" else db,
            api_prefix=fake.api_prefix,
            token_url=fake.token_url,
            request_timeout=5.0,
            clock=clock,
            **kw,
        )
        await links.start()
        made.append(links)
        return links

    yield make
    for links in made:
        await links.close()


async def test_good_match_gives_link_and_album_art(fake: FakeSpotify, make_links) -> None:
    links = await make_links()
    fake.reset_calls()
    got = await links.lookup([HEY_JUDE, YESTERDAY], timeout=5.0)
    assert got[HEY_JUDE.track_id] == SpotifyInfo(
        "https://open.spotify.com/track/heyjude1", "http://img/hj?size=300"
    )
    # Version suffixes on either side are ignored: our remaster matches Spotify's plain title.
    assert got[YESTERDAY.track_id].url == "https://open.spotify.com/track/yesterday1"
    searches = [c for c in fake.calls if c.path == "/v1/search"]
    assert len(searches) == 2
    assert all(int(c.params["limit"]) <= 10 for c in searches)
    assert fake.count() == 2


async def test_near_misses_are_rejected_and_the_miss_is_cached(
    fake: FakeSpotify, make_links
) -> None:
    # Same title by another artist, a similar title by the same artist, a cover.
    fake.add("pickett", "Hey Jude", "Wilson Pickett", image_url="http://img/wp")
    fake.add("judy", "Hey Judy", "The Beetles")
    fake.add("cover", "Let It Be (Hey Jude Cover)", "The Beatles Tribute Band")
    song = Track(9, 9, "The Beatles", "Let It Be")
    links = await make_links()
    fake.reset_calls()
    assert await links.lookup([song], timeout=5.0) == {}
    assert fake.count("/v1/search") == 1
    # Asking again costs nothing: "not found" is remembered too.
    assert await links.lookup([song], timeout=5.0) == {}
    assert fake.count("/v1/search") == 1


async def test_index_uri_gives_link_without_search(fake: FakeSpotify, make_links) -> None:
    song = Track(5, 1, "The Beatles", "Blackbird", spotify_uri="spotify:track:uri0track1")
    links = await make_links()
    fake.reset_calls()
    # No art wanted for it: the link comes from the URI alone, zero API calls.
    got = await links.lookup([song], timeout=5.0, artwork_for=set())
    assert got == {5: SpotifyInfo("https://open.spotify.com/track/uri0track1")}
    assert fake.count() == 0
    # Art wanted: one GET /tracks/{id}, never a search; then cached.
    got = await links.lookup([song], timeout=5.0)
    assert got[5].image_url == "http://img/bb?size=300"
    assert [c.path for c in fake.calls] == ["/v1/tracks/uri0track1"]
    await links.lookup([song], timeout=5.0)
    assert fake.count() == 1


async def test_unknown_uri_keeps_its_link_without_art(fake: FakeSpotify, make_links) -> None:
    song = Track(6, 1, "The Beatles", "Gone", spotify_uri="spotify:track:gone0000")
    links = await make_links()
    got = await links.lookup([song], timeout=5.0)
    assert got == {6: SpotifyInfo("https://open.spotify.com/track/gone0000", None)}


async def test_rate_limit_pauses_lookups_until_retry_after(
    fake: FakeSpotify, make_links, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    links = await make_links()
    fake.reset_calls()
    fake.fail_next("/v1/search", 429, retry_after=120)
    assert await links.lookup([HEY_JUDE], timeout=5.0) == {}
    assert 115 < links.paused_for <= 120

    # While paused: replies go out at once without links, and Spotify is not asked.
    uri_song = Track(5, 1, "The Beatles", "Blackbird", spotify_uri="spotify:track:uri0track1")
    start = time.monotonic()
    got = await links.lookup([HEY_JUDE, YESTERDAY, uri_song], timeout=5.0)
    assert time.monotonic() - start < 1.0
    assert got == {5: SpotifyInfo("https://open.spotify.com/track/uri0track1")}
    assert fake.count() == 1
    paused_lines = [r for r in caplog.records if "rate limit" in r.getMessage()]
    assert len(paused_lines) == 1 and paused_lines[0].levelno == logging.WARNING
    # The 429 was not remembered as "not found".
    clock.advance(121)
    got = await links.lookup([HEY_JUDE, YESTERDAY], timeout=5.0)
    assert set(got) == {HEY_JUDE.track_id, YESTERDAY.track_id}
    assert fake.count("/v1/search") == 3
    assert any("resumed" in r.getMessage() for r in caplog.records)


async def test_server_error_is_retried_then_succeeds(fake: FakeSpotify, make_links) -> None:
    links = await make_links()
    fake.reset_calls()
    fake.fail_next("/v1/search", 500)
    got = await links.lookup([HEY_JUDE], timeout=5.0)
    assert got[HEY_JUDE.track_id].url == "https://open.spotify.com/track/heyjude1"
    assert fake.count("/v1/search") == 2


async def test_persistent_server_errors_are_not_cached_as_misses(
    fake: FakeSpotify, make_links
) -> None:
    links = await make_links()
    fake.fail_next("/v1/search", 503, times=3)
    assert await links.lookup([HEY_JUDE], timeout=5.0) == {}
    assert links.paused_for == 0  # a 5xx is not a rate limit
    got = await links.lookup([HEY_JUDE], timeout=5.0)
    assert HEY_JUDE.track_id in got


async def test_slow_spotify_never_delays_the_reply(fake: FakeSpotify, make_links) -> None:
    links = await make_links()
    fake.reset_calls()
    fake.set_delay("/v1/search", 1.5)
    start = time.monotonic()
    got = await links.lookup([HEY_JUDE], timeout=0.2)
    elapsed = time.monotonic() - start
    assert got == {}
    assert 0.15 < elapsed < 1.0
    # The lookup finishes in the background and fills the cache for the next reply.
    await links.drain(timeout=5.0)
    fake.set_delay("/v1/search", 0)
    got = await links.lookup([HEY_JUDE], timeout=0.2)
    assert HEY_JUDE.track_id in got
    assert fake.count("/v1/search") == 1


async def test_concurrent_replies_share_one_lookup_per_song(fake: FakeSpotify, make_links) -> None:
    links = await make_links(concurrency=2)
    fake.reset_calls()
    fake.set_delay("/v1/search", 0.2)
    songs = [Track(100 + i, 100 + i, f"Artist {i}", f"Song {i}") for i in range(6)]
    await asyncio.gather(links.lookup(songs, timeout=5.0), links.lookup(songs, timeout=5.0))
    assert fake.count("/v1/search") == 6
    assert fake.max_active <= 2


async def test_a_reply_whose_cache_read_is_late_reuses_a_lookup_that_finished_meanwhile(
    fake: FakeSpotify, make_links, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy bot can resume a reply after its cache read long after the read was made.

    If another reply looked the same song up and finished in between, the late reply
    finds no row in what it read and no lookup in flight; it must still not ask Spotify
    again.
    """
    links = await make_links()
    fake.reset_calls()
    real_get_many = SpotifyCache.get_many
    read, resume = asyncio.Event(), asyncio.Event()
    late = [True]  # only the first read, the late reply's, is held back

    async def get_many(self: SpotifyCache, keys):
        found = await real_get_many(self, keys)
        if late:
            late.clear()
            read.set()
            await resume.wait()
        return found

    monkeypatch.setattr(SpotifyCache, "get_many", get_many)
    slow = asyncio.create_task(links.lookup([HEY_JUDE], timeout=5.0))
    await asyncio.wait_for(read.wait(), 5.0)  # it read the cache: nothing there yet
    fast = await links.lookup([HEY_JUDE], timeout=5.0)
    assert HEY_JUDE.track_id in fast and fake.count("/v1/search") == 1
    resume.set()
    assert await slow == fast
    assert fake.count("/v1/search") == 1


async def test_cache_survives_a_restart(
    fake: FakeSpotify, make_links, tmp_path: Path, clock: Clock
) -> None:
    db = tmp_path / "restart.sqlite"
    first = await make_links(db=db)
    before = await first.lookup([HEY_JUDE, UNKNOWN], timeout=5.0)
    await first.close()

    second = await make_links(db=db)
    fake.reset_calls()
    assert await second.lookup([HEY_JUDE, UNKNOWN], timeout=5.0) == before
    assert HEY_JUDE.track_id in before and UNKNOWN.track_id not in before
    assert fake.count() == 0

    # Misses expire after a day, hits only after a month.
    clock.advance(MISS_TTL + 60)
    await second.lookup([HEY_JUDE, UNKNOWN], timeout=5.0)
    assert [c.params["q"] for c in fake.calls if c.path == "/v1/search"] == [
        "track:A Song Spotify Lacks artist:Nobody Anyone Knows"
    ]
    clock.advance(HIT_TTL)
    await second.lookup([HEY_JUDE], timeout=5.0)
    assert fake.count("/v1/search") == 2


async def test_wrong_secret_disables_links_with_one_log_line(
    fake: FakeSpotify, make_links, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-do-not-log"
    links = await make_links(secret=secret)
    assert not links.enabled
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "SPOTIFY_CLIENT_SECRET" in errors[0].getMessage()
    fake.reset_calls()
    assert await links.lookup([HEY_JUDE], timeout=5.0) == {}
    assert fake.count() == 0
    encoded = base64.b64encode(f"{fake.client_id}:{secret}".encode()).decode()
    assert secret not in caplog.text and encoded not in caplog.text
    assert secret not in repr(links)


async def test_credentials_never_logged_in_normal_use(
    fake: FakeSpotify, make_links, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    links = await make_links()
    fake.fail_next("/v1/search", 429, retry_after=5)
    await links.lookup([HEY_JUDE, UNKNOWN], timeout=5.0)
    encoded = base64.b64encode(f"{fake.client_id}:{fake.client_secret}".encode()).decode()
    assert caplog.records  # something was logged, at DEBUG too
    assert fake.client_secret not in caplog.text and encoded not in caplog.text
    assert "fake-token-" not in caplog.text  # nor the bearer token
    assert fake.client_secret not in repr(links)


async def test_no_token_cache_file_is_written(
    fake: FakeSpotify, make_links, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    links = await make_links(db=tmp_path / "db" / "bot.sqlite")
    await links.lookup([HEY_JUDE], timeout=5.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db"]


async def test_without_credentials_nothing_happens(
    fake: FakeSpotify, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for links in (
        SpotifyLinks.disabled(),
        SpotifyLinks.from_env(tmp_path / "x.sqlite", environ={}),
        SpotifyLinks.from_env(tmp_path / "x.sqlite", environ={"SPOTIFY_CLIENT_ID": "id"}),
    ):
        await links.start()
        assert not links.enabled
        assert await links.lookup([HEY_JUDE], timeout=5.0) == {}
        await links.close()
    assert fake.calls == []
    assert not (tmp_path / "x.sqlite").exists()
    assert any("SPOTIFY_CLIENT_SECRET is not set" in r.getMessage() for r in caplog.records)


async def test_from_settings_reads_the_settings_object(fake: FakeSpotify, tmp_path: Path) -> None:
    on = SpotifyLinks.from_settings(
        Settings(
            spotify_client_id=fake.client_id, spotify_client_secret=Secret(fake.client_secret)
        ),
        tmp_path / "s.sqlite",
        api_prefix=fake.api_prefix,
        token_url=fake.token_url,
    )
    off = SpotifyLinks.from_settings(Settings(), tmp_path / "s.sqlite")
    await on.start()
    try:
        assert on.enabled and not off.enabled
        assert HEY_JUDE.track_id in await on.lookup([HEY_JUDE], timeout=5.0)
    finally:
        await on.close()


async def test_api_calls_for_a_cold_and_a_warm_reply_of_ten_songs(
    fake: FakeSpotify, make_links
) -> None:
    """The figure the issue's closing note needs: calls per /similar, cold and warm."""
    songs = []
    for i in range(10):
        fake.add(f"song{i}", f"Track Number {i}", f"Band {i}", image_url=f"http://img/{i}")
        songs.append(Track(200 + i, 200 + i, f"Band {i}", f"Track Number {i}"))
    links = await make_links()
    fake.reset_calls()
    cold = await links.lookup(songs, timeout=5.0)
    cold_calls = fake.count()
    fake.reset_calls()
    warm = await links.lookup(songs, timeout=5.0)
    warm_calls = fake.count()
    assert len(cold) == 10 and warm == cold
    assert (cold_calls, warm_calls) == (10, 0)  # one search per song, then none

    # An index with Spotify URIs: links are free; art only for the seed costs one call.
    uri_songs = [
        Track(
            300 + i, 300 + i, f"Band {i}", f"Track Number {i}", spotify_uri=f"spotify:track:song{i}"
        )
        for i in range(10)
    ]
    fresh = await make_links(db=None)
    fake.reset_calls()
    got = await fresh.lookup(uri_songs, timeout=5.0, artwork_for={uri_songs[0].track_id})
    assert len(got) == 10 and got[300].image_url and got[301].image_url is None
    assert fake.count() == 1
    print(
        f"\nSpotify API calls for 10 songs: cold {cold_calls}, warm {warm_calls}; "
        f"with index URIs and seed art: cold {fake.count()}"
    )
