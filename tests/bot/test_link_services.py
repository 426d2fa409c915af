"""Pasted links read through the services' fakes on 127.0.0.1 (no internet).

What a user notices: a YouTube, Apple Music or Deezer link finds its song; a link the
service does not know, a slow or broken service, or a rate limit gives one sentence
asking for "artist - title" instead of an error, within the reply's time; a link pasted
twice (or after a restart) is not asked about again; nothing ever raises into a reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.links import LinkReader, LinkSeed
from bot.spotify import HIT_TTL, MISS_TTL
from tests.support.fakelinks import FakeLinks

VID = "dQw4w9WgXcQ"
TOPIC = "Xy7b0RJt9aQ"
SID = "69kOkLUCkxIZYexIgSG8rq"
YOUTUBE = f"https://youtu.be/{VID}"
APPLE = "https://music.apple.com/us/album/get-lucky/617154241?i=617154366"
DEEZER = "https://www.deezer.com/fr/track/67238735"
SPOTIFY = f"https://open.spotify.com/track/{SID}?si=abc"


class Clock:
    """A wall clock the test moves by hand (cache expiry, rate-limit pauses)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def fake() -> AsyncIterator[FakeLinks]:
    async with FakeLinks(slow_seconds=1.0) as server:
        server.add_video(VID, "Rick Astley - Never Gonna Give You Up (Official Music Video)",
                         "Rick Astley")  # fmt: skip
        server.add_video(TOPIC, "Yesterday - Remastered 2009", "The Beatles - Topic")
        server.add_video("NoEmbed0001", "Artist - Song", "Artist", embeddable=False)
        server.add_video("Decoration1", "(Official Video)", "Someone")
        server.add_itunes("617154366", "Daft Punk", "Get Lucky (feat. Pharrell Williams)",
                          album_id="617154241")  # fmt: skip
        server.add_itunes("1500000001", "Aimer", "Kataomoi", stores=("jp",))
        server.add_deezer("67238735", "Daft Punk", "Get Lucky", "(Radio Edit)")
        server.add_spotify(SID, "Get Lucky (feat. Pharrell Williams and Nile Rodgers)")
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_reader(
    fake: FakeLinks, tmp_path: Path, clock: Clock
) -> AsyncIterator[Callable[..., LinkReader]]:
    """Started readers on one shared session, pointed at the fake; closed at the end."""
    made: list[LinkReader] = []
    async with aiohttp.ClientSession() as session:

        async def make(db: Path | None | str = "default", **kw) -> LinkReader:
            path = tmp_path / "bot.sqlite" if db == "default" else db
            reader = LinkReader(session, path, urls=fake.urls, clock=clock, **kw)
            await reader.start()
            made.append(reader)
            return reader

        yield make
        for reader in made:
            await reader.close()


def song(seed: LinkSeed | None) -> str | None:
    assert seed is not None
    assert seed.failure is None, seed.failure
    return seed.query


def failed(seed: LinkSeed | None, kind: str) -> str:
    assert seed is not None and seed.failure is not None, seed
    assert seed.failure.kind == kind, seed.failure
    assert seed.query is None and seed.track is None
    return seed.failure.message


async def _not_in_index(uri: str) -> None:
    """An index without the link's URI: Spotify links are then named by Spotify."""
    return None


# --- each service answers --------------------------------------------------------------------


async def test_youtube_video_becomes_artist_and_title(fake: FakeLinks, make_reader) -> None:
    reader = await make_reader()
    seed = await reader.read(f"this one <{YOUTUBE}>")
    assert song(seed) == "Rick Astley - Never Gonna Give You Up"
    assert (seed.service, seed.source, seed.url) == ("youtube", "link", YOUTUBE)
    (call,) = fake.calls
    assert call.params == {"url": f"https://www.youtube.com/watch?v={VID}", "format": "json"}


async def test_youtube_music_topic_upload_reads_the_channel_as_artist(make_reader) -> None:
    reader = await make_reader()
    seed = await reader.read(f"https://music.youtube.com/watch?v={TOPIC}&list=RDAMVM")
    assert song(seed) == "The Beatles - Yesterday"


async def test_apple_music_link_uses_the_itunes_lookup_in_its_store(
    fake: FakeLinks, make_reader
) -> None:
    reader = await make_reader()
    assert song(await reader.read(APPLE)) == "Daft Punk - Get Lucky (feat. Pharrell Williams)"
    assert fake.calls[-1].params == {"id": "617154366", "country": "us"}
    # Sold only in Japan: found through a Japanese link, not through an American one.
    assert song(await reader.read("https://music.apple.com/jp/song/x/1500000001")) == (
        "Aimer - Kataomoi"
    )
    failed(await reader.read("https://music.apple.com/us/song/x/1500000001"), "not_found")


async def test_deezer_link_reads_the_title_without_its_version(make_reader) -> None:
    reader = await make_reader()
    assert song(await reader.read(DEEZER)) == "Daft Punk - Get Lucky"


async def test_lastfm_link_needs_no_request(fake: FakeLinks, make_reader) -> None:
    reader = await make_reader()
    seed = await reader.read("https://www.last.fm/music/AC%2FDC/_/Back+in+Black")
    assert song(seed) == "AC/DC - Back in Black"
    assert fake.count() == 0


async def test_text_without_a_link_is_not_a_link_seed(fake: FakeLinks, make_reader) -> None:
    reader = await make_reader()
    assert await reader.read("daft punk - get lucky") is None
    assert fake.count() == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M", "playlist"),
        ("https://soundcloud.com/daftpunk/get-lucky", "other"),
        ("https://deezer.page.link/AbCdEf", "short_link"),
        ("https://www.youtube.com/watch?v=short", "broken"),
    ],
)
async def test_unsupported_links_answer_with_their_sentence_and_no_request(
    fake: FakeLinks, make_reader, text: str, kind: str
) -> None:
    reader = await make_reader()
    message = failed(await reader.read(text), kind)
    assert "artist - title" in message or "Exportify" in message
    assert fake.count() == 0


# --- not found, broken, slow, rate limited -------------------------------------------------

NOT_FOUND_LINKS = [
    ("https://youtu.be/Unknown0001", "youtube"),
    ("https://youtu.be/NoEmbed0001", "youtube"),  # 401: embedding turned off
    ("https://music.apple.com/us/album/x/617154241?i=999", "apple"),  # resultCount 0
    ("https://music.apple.com/us/song/x/617154241", "apple"),  # an album's id
    ("https://www.deezer.com/track/1", "deezer"),  # HTTP 200 with error code 800
]


@pytest.mark.parametrize(("url", "service"), NOT_FOUND_LINKS)
async def test_links_the_service_does_not_know(make_reader, url: str, service: str) -> None:
    reader = await make_reader()
    seed = await reader.read(url)
    message = failed(seed, "not_found")
    assert seed.service == service
    assert "artist - title" in message


async def test_a_video_title_with_no_song_in_it(make_reader) -> None:
    reader = await make_reader()
    message = failed(await reader.read("https://youtu.be/Decoration1"), "not_found")
    assert "which song" in message


async def test_youtube_answering_forbidden_with_http_200(fake: FakeLinks, make_reader) -> None:
    fake.fail_next("youtube", "refused")
    reader = await make_reader()
    failed(await reader.read(YOUTUBE), "not_found")


LINKS = [(YOUTUBE, "youtube"), (APPLE, "itunes"), (DEEZER, "deezer"), (SPOTIFY, "spotify")]


@pytest.mark.parametrize(("url", "service"), LINKS)
@pytest.mark.parametrize("mode", ["malformed", "wrong_shape", "500"])
async def test_broken_answers_ask_for_artist_dash_title(
    fake: FakeLinks, make_reader, url: str, service: str, mode: str
) -> None:
    fake.fail_next(service, mode)
    reader = await make_reader()
    seed = await reader.read(url, find_uri=_not_in_index)
    message = failed(seed, "unavailable")
    assert "couldn't read" in message and "artist - title" in message
    # Nothing was cached: the next paste asks again and gets the song.
    assert song(await reader.read(url, find_uri=_not_in_index))
    assert fake.count(service) == 2


@pytest.mark.parametrize(("url", "service"), LINKS)
async def test_a_slow_service_costs_at_most_the_timeout(
    fake: FakeLinks, make_reader, url: str, service: str
) -> None:
    fake.fail_next(service, "slow")
    reader = await make_reader(timeout=0.3)
    started = time.monotonic()
    seed = await reader.read(url, find_uri=_not_in_index)
    assert time.monotonic() - started < 0.8
    assert "in time" in failed(seed, "timeout")


@pytest.mark.parametrize(("url", "service"), LINKS)
async def test_429_pauses_the_service_until_retry_after(
    fake: FakeLinks, make_reader, clock: Clock, url: str, service: str
) -> None:
    fake.fail_next(service, "429", retry_after=120)
    reader = await make_reader()
    seed = await reader.read(url, find_uri=_not_in_index)
    message = failed(seed, "rate_limited")
    assert seed.failure.retry_after == 120
    assert "in 2 minutes" in message
    # While paused: the same answer at once, without asking.
    failed(await reader.read(url, find_uri=_not_in_index), "rate_limited")
    assert fake.count(service) == 1
    clock.advance(121)
    assert song(await reader.read(url, find_uri=_not_in_index))
    assert fake.count(service) == 2


async def test_itunes_403_and_deezer_quota_are_rate_limits(fake: FakeLinks, make_reader) -> None:
    fake.fail_next("itunes", "forbidden")
    fake.fail_next("deezer", "quota")
    reader = await make_reader()
    failed(await reader.read(APPLE), "rate_limited")
    failed(await reader.read(DEEZER), "rate_limited")


# --- the cache -----------------------------------------------------------------------------


async def test_a_second_read_makes_no_request_even_after_a_restart(
    fake: FakeLinks, make_reader, tmp_path: Path
) -> None:
    reader = await make_reader()
    for url, _ in LINKS:
        first = await reader.read(url, find_uri=_not_in_index)
        assert first is not None and first.ok
    asked = fake.count()
    assert asked == 4
    for url, _ in LINKS:
        again = await reader.read(url, find_uri=_not_in_index)
        assert again == await reader.read(url, find_uri=_not_in_index)
    restarted = await make_reader()
    for url, _ in LINKS:
        assert (await restarted.read(url, find_uri=_not_in_index)).query
    assert fake.count() == asked


async def test_not_found_is_remembered_for_a_day_names_for_a_month(
    fake: FakeLinks, make_reader, clock: Clock
) -> None:
    reader = await make_reader()
    failed(await reader.read("https://www.deezer.com/track/1"), "not_found")
    assert song(await reader.read(DEEZER))
    failed(await reader.read("https://www.deezer.com/track/1"), "not_found")
    assert fake.count("deezer") == 2
    clock.advance(MISS_TTL + 1)
    failed(await reader.read("https://www.deezer.com/track/1"), "not_found")
    assert song(await reader.read(DEEZER))
    assert fake.count("deezer") == 3  # the miss expired, the name did not
    clock.advance(HIT_TTL)
    assert song(await reader.read(DEEZER))
    assert fake.count("deezer") == 4  # the name expired after a month


async def test_a_cache_that_cannot_be_opened_falls_back_to_memory(
    fake: FakeLinks, make_reader, tmp_path: Path
) -> None:
    folder = tmp_path / "a folder, not a file"
    folder.mkdir()
    reader = await make_reader(db=folder)
    assert song(await reader.read(DEEZER))
    assert song(await reader.read(DEEZER))
    assert fake.count("deezer") == 1


# --- nothing raises --------------------------------------------------------------------------


async def test_nothing_raises_whatever_the_services_do(fake: FakeLinks, make_reader) -> None:
    reader = await make_reader(timeout=0.3)
    texts = [url for url, _ in LINKS] + [
        "https://www.last.fm/music/+/_/+",
        "https://", "spotify:", "<>", "", "https://youtu.be/" + "x" * 11,
        "https://music.apple.com/zz/song/x/1", "https://www.deezer.com/track/99999999999999999999",
    ]  # fmt: skip
    modes = ["malformed", "wrong_shape", "500", "429", "slow", "quota", "forbidden", "refused"]
    for mode in modes:
        for service in ("youtube", "spotify", "itunes", "deezer"):
            fake.fail_next(service, mode, times=3)
        for text in texts:
            seed = await reader.read(text, find_uri=_not_in_index)
            assert seed is None or isinstance(seed, LinkSeed)
            if seed is not None and seed.failure is not None:
                assert seed.failure.message.endswith(".")


async def test_a_closed_session_is_a_failure_not_an_exception(fake: FakeLinks, tmp_path: Path):
    session = aiohttp.ClientSession()
    await session.close()
    async with LinkReader(session, None, urls=fake.urls) as reader:
        failed(await reader.read(DEEZER), "unavailable")


async def test_an_unreachable_service_is_a_failure(make_reader) -> None:
    from bot.links import ServiceUrls

    async with aiohttp.ClientSession() as session:
        # Port 9 on 127.0.0.1: nothing listens (connection refused, still no internet).
        urls = ServiceUrls(*(["http://127.0.0.1:9/x"] * 4))
        async with LinkReader(session, None, urls=urls, timeout=0.5) as reader:
            seed = await reader.read(YOUTUBE)
            assert seed.failure is not None
            assert seed.failure.kind in ("unavailable", "timeout")


async def test_concurrent_reads_all_answer(fake: FakeLinks, make_reader) -> None:
    reader = await make_reader()
    seeds = await asyncio.gather(
        *(reader.read(url, find_uri=_not_in_index) for url, _ in LINKS * 5)
    )
    assert all(s is not None and s.ok for s in seeds)
