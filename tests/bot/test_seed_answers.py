"""Ways to name a song without Discord: the console, ``songsim ask``, and the pieces the cogs
stand on (reading a right-clicked message, the reply clock, presence and file uploads)."""

from __future__ import annotations

import asyncio
import io
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot import seed_reading
from bot.bot import intents
from bot.console import run_console
from bot.replies import Answers
from bot.replies import playlist as playlist_replies
from bot.replies.autocomplete import link_choice
from bot.replies.playlist import Upload
from bot.replies.seeds import Listening, message_song_text
from bot.services import Services
from bot.settings import Settings, SettingsError
from tests.support.fakediscord import FakeDiscord
from tests.support.fakelinks import FakeLinks
from tests.support.mpd_index import SONGS, build_mpd_index

pytest.importorskip("index.read.api")

LUCKY_ID = SONGS[0][2]
LUCKY = "Songs like Get Lucky — Daft Punk"


@pytest.fixture(scope="module")
def mpd_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mpd_index(tmp_path_factory.mktemp("mpd"))


@pytest_asyncio.fixture
async def links() -> AsyncIterator[FakeLinks]:
    async with FakeLinks() as fake:
        yield fake


@pytest_asyncio.fixture
async def services(mpd_index: Path, tmp_path: Path, links: FakeLinks) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(mpd_index), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False, link_urls=links.urls)
    yield s
    await s.close()


async def converse(services: Services, *lines: str) -> str:
    out = io.StringIO()
    assert await run_console(services, io.StringIO("\n".join(lines) + "\n"), out) == 0
    return out.getvalue()


# --- the console ---------------------------------------------------------------------------------


async def test_console_takes_links_and_a_playlist_file(
    services: Services, tmp_path: Path, links: FakeLinks
) -> None:
    links.add_deezer("3135556", "Daft Punk", "Get Lucky", "(Radio Edit)")
    playlist = tmp_path / "road trip.csv"
    playlist.write_text(
        "Track URI,Track Name,Artist Name(s)\n"
        f"spotify:track:{LUCKY_ID},Get Lucky,Daft Punk\n"
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC,Bohemian Rhapsody,Queen\n"
        ",,Queen\n"
        "spotify:track:1111111111111111111111,No Such Song,[Nobody](http://x)\n"
    )
    text = await converse(
        services,
        f"similar spotify:track:{LUCKY_ID}",
        "similar https://www.deezer.com/en/track/3135556",
        f'mix --file "{playlist}" --deep-cuts',
        "mix --file /no/such/file.m3u",
        "mix get lucky --file",
    )
    assert text.count(f"── {LUCKY}") == 2
    assert "── Your playlist mix" in text
    assert "Read 3 songs from road trip.csv; 1 line I couldn't read (line 4)." in text
    assert "Found 2 songs in the index; 1 song not found" in text
    assert "“[Nobody](http://x) - No Such Song”" in text  # shown as written, not as a link
    assert "There is no file at /no/such/file.m3u." in text
    assert "Name the playlist file: mix --file PATH." in text  # not "--file" as a setting
    assert "Discovery: deep cuts" in text


async def test_a_too_big_file_is_refused_before_it_is_downloaded(services: Services) -> None:
    async def never() -> bytes:
        raise AssertionError("downloaded a file that was too big")

    reply = await Answers(services, 1).mix("", upload=Upload("huge.csv", 5_000_000, never))
    assert "huge.csv is 5 MB; I read playlist files up to 1 MB" in reply.embed.description


async def test_a_failed_download_costs_one_sentence(services: Services) -> None:
    async def broken() -> bytes:
        raise ConnectionResetError("the CDN hung up")

    reply = await Answers(services, 1).mix("", upload=Upload("*x*.txt", 10, broken))
    assert (
        reply.embed.description == "I couldn't download \\*x\\*.txt; attach it again in a moment."
    )


async def test_links_of_a_file_share_one_budget(
    services: Services, links: FakeLinks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(playlist_replies, "FILE_LINKS_BUDGET", 0.5)
    links.set_delay("youtube", 1.5)
    data = b"queen - bohemian rhapsody\n" + b"".join(
        f"https://youtu.be/{i:011d}\n".encode() for i in range(20)
    )

    async def read() -> bytes:
        return data

    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await Answers(services, 1).mix("", upload=Upload("l.txt", len(data), read))
    assert loop.time() - started < 1.5
    assert "Found 1 song in the index; 20 songs not found" in reply.embed.description


# --- songsim ask -------------------------------------------------------------------------------


def ask_json(capsys: pytest.CaptureFixture[str], index: Path, query: str) -> dict:
    from bot.cli import main

    code = main(["ask", query, "--index", str(index), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == (0 if doc["match"] else 1)  # 1: no song matched
    return doc


def test_ask_reads_a_link_and_says_so(mpd_index: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(mpd_index.parent)  # no .env here
    doc = ask_json(capsys, mpd_index, f"https://open.spotify.com/intl-fr/track/{LUCKY_ID}?si=1")
    assert doc["source"] == "link"
    assert (doc["match"]["artist"], doc["match"]["title"]) == ("Daft Punk", "Get Lucky")
    assert doc["match"]["spotify_uri"] == f"spotify:track:{LUCKY_ID}"
    assert doc["neighbours"] and doc["query"].startswith("https://open.spotify.com/")

    doc = ask_json(capsys, mpd_index, "https://www.last.fm/music/Toto/_/Africa")
    assert (doc["source"], doc["match"]["title"]) == ("link", "Africa")
    doc = ask_json(capsys, mpd_index, "toto - africa")
    assert (doc["source"], doc["match"]["title"]) == ("text", "Africa")

    doc = ask_json(capsys, mpd_index, "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M")
    assert doc["source"] == "link" and doc["match"] is None and doc["neighbours"] == []
    assert "since February 2026" in doc["message"]


# --- pieces the cogs stand on --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "embeds", "read"),
    [
        ("so good <@123> https://youtu.be/dQw4w9WgXcQ?t=5 !!", [], "https://youtu.be/dQw4w9WgXcQ?t=5"),
        ("<@!5> daft punk - get lucky <:blob:123>", [], "daft punk - get lucky"),
        ("look https://example.com/x", [], "look"),
        ("https://example.com/x", [], "https://example.com/x"),
        ("", [("https://open.spotify.com/track/" + LUCKY_ID, "Get Lucky", "")],
         "https://open.spotify.com/track/" + LUCKY_ID),
        ("", [("", "Now playing: Toto - Africa", "")], "Now playing: Toto - Africa"),
        ("<@1> <#2>", [], ""),
    ],
)  # fmt: skip
def test_a_right_clicked_message_is_read_link_first(content, embeds, read) -> None:
    assert message_song_text(content, embeds) == read


def test_autocomplete_offers_a_pasted_link_as_it_is() -> None:
    short = f"https://open.spotify.com/track/{LUCKY_ID}?si=abc"
    assert link_choice(short) == [(short, short)]
    long = f"https://open.spotify.com/intl-de/track/{LUCKY_ID}?si={'x' * 80}"
    assert link_choice(long) == [(long.split("?")[0], long.split("?")[0])]
    assert link_choice("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=" + "y" * 90) == []


async def test_the_reply_clock_shortens_later_lookups(monkeypatch) -> None:
    now = [100.0]
    monkeypatch.setattr(seed_reading.time, "monotonic", lambda: now[0])

    async def fresh() -> None:
        assert seed_reading.time_left(2.0) == 2.0  # nothing started in this context
        seed_reading.start_reply_clock()
        now[0] += 2.0
        assert seed_reading.time_left(2.0) == pytest.approx(0.7)
        now[0] += 0.9
        assert seed_reading.time_left(2.0) == seed_reading.MIN_LOOKUP
        now[0] += 5.0
        assert seed_reading.time_left(2.0) == 2.0  # an earlier command's clock

    await asyncio.create_task(fresh())


async def test_presence_reads_the_spotify_id_first_then_the_names(services: Services) -> None:
    answers = Answers(services, 1)
    exact = await answers.similar("", listening=Listening(LUCKY_ID, "Something Else", ("X",)))
    assert exact.embed.title == LUCKY
    by_name = await answers.similar("", listening=Listening("0" * 22, "Africa", ("Toto",)))
    assert by_name.embed.title == "Songs like Africa — Toto"
    console = await answers.similar("")  # no presence at all (the console): ask for a song
    assert console.embed.description.startswith("Tell me a song")


def test_presence_setting_and_the_intents_it_asks_for() -> None:
    assert Settings.from_mapping({}).presence is False
    assert Settings.from_mapping({"SONGSIM_PRESENCE": "yes"}).presence is True
    with pytest.raises(SettingsError, match="SONGSIM_PRESENCE"):
        Settings.from_mapping({"SONGSIM_PRESENCE": "sometimes"})
    on, off = intents(True, presence=True), intents(True)
    assert on.presences and on.members and on.message_content
    assert not off.presences and not off.members


@pytest.mark.slow
async def test_a_bot_refused_the_presence_intents_carries_on_without_them(
    fake_discord: FakeDiscord, mpd_index: Path, tmp_path: Path
) -> None:
    from tests.bot.test_bot_process import bot_env, songsim, wait_for_file

    env = bot_env(fake_discord, mpd_index, tmp_path, SONGSIM_PRESENCE="true")
    proc = await songsim(env, "bot", cwd=tmp_path)
    try:
        await wait_for_file(tmp_path / "heartbeat", proc)
        await fake_discord.send_message("!similar")
        reply = await fake_discord.wait_for_request(
            "POST", f"/channels/{fake_discord.channel_id}/messages", timeout=10
        )
        assert "I don't read what people are playing" in reply.json["embeds"][0]["description"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 0 and "Traceback" not in text
    assert text.count("Discord refused the Presence and Server Members intents") == 1
