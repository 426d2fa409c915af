"""Replacing the index while the bot runs: reopen on SIGHUP or file change, never a gap.

A rebuilt index is renamed over the old file; the bot must then answer from the new one,
let reads already running finish on the old one, keep the old one when the new file is
broken, and keep old buttons working while their songs are still there (saying so when
a song's id is gone or now names another song).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import signal
import threading
import types
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio

from bot.console import Console, markdown_to_text
from bot.heartbeat import Heartbeat
from bot.replies import Answers
from bot.services import Services
from bot.settings import Settings
from index.build.store import write_index
from index.read.api import IndexOpenError
from tests.support.bot_fixtures import SEED, build_corpus, build_song_index, exact_neighbours

pytest.importorskip("index.read.api")

ALICE = 101
OLD_TITLE = "Songs like One More Time — Daft Punk"
NEW_QUERY = "daft punk - around the world"
NEW_TITLE = "Songs like Around the World — Daft Punk"


def write_fixture_index(out: Path, *, renamed: bool = False) -> Path:
    """The bot test index; ``renamed`` gives song 1 another title (the "rebuilt" index)."""
    corpus = build_corpus()
    if renamed:
        titles = list(corpus.track_titles)
        titles[0] = "Around the World"
        corpus = replace(corpus, track_titles=titles)
    meta = {"source": "bot reload test", "format": "hand-made", "method": "exact", "k": 30,
            "min_playlists": 1, "min_shared": 1, "rows_read": corpus.report.rows_read,
            "rows_malformed": 0, "build_seconds": 0}  # fmt: skip
    write_index(corpus, exact_neighbours(corpus), out, meta)
    return out


def swap_in(target: Path, built: Path) -> None:
    """What a rebuild does: a complete file renamed over the live one."""
    os.replace(built, target)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reload-indexes")
    return {
        "old": write_fixture_index(folder / "old.sqlite"),
        "new": write_fixture_index(folder / "new.sqlite", renamed=True),
        "renumbered": build_song_index(folder / "renumbered.sqlite", reverse=True),
    }


def copy_of(src: Path, dest: Path) -> Path:
    dest.write_bytes(src.read_bytes())
    return dest


@pytest.fixture
def live(built: dict[str, Path], tmp_path: Path) -> Path:
    """The index file the bot is configured with (a fresh copy of the old build)."""
    return copy_of(built["old"], tmp_path / "neighbours.sqlite")


@pytest_asyncio.fixture
async def services(live: Path, tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(live), "SONGSIM_USER_DB": str(tmp_path / "users.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


def title_of(reply) -> str:
    return markdown_to_text(reply.embed.title or "")


def text_of(reply) -> str:
    e = reply.embed
    return markdown_to_text("\n".join(x or "" for x in (e.title, e.description)))


async def test_reopen_answers_from_the_new_file(
    services: Services, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    answers = Answers(services, ALICE)
    assert title_of(await answers.similar(SEED)) == OLD_TITLE
    assert title_of(await answers.similar(NEW_QUERY)) != NEW_TITLE

    swap_in(live, copy_of(built["new"], tmp_path / "new.sqlite"))
    assert services.index_file_changed()
    assert await services.reopen_index() is True

    assert title_of(await answers.similar(NEW_QUERY)) == NEW_TITLE
    assert title_of(await answers.similar(SEED)) != OLD_TITLE
    assert not services.index_file_changed()


async def test_a_read_in_flight_finishes_on_the_old_index(
    services: Services, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    old = services.index
    started, release = threading.Event(), threading.Event()

    def slow_title(index, track_id: int) -> str:
        started.set()
        assert release.wait(10)
        return index.track(track_id).title

    read = asyncio.create_task(services.read(types.MethodType(slow_title, old), 1))
    assert await asyncio.to_thread(started.wait, 10)

    swap_in(live, copy_of(built["new"], tmp_path / "new.sqlite"))
    assert await services.reopen_index()
    assert services.index is not old
    assert old.track(1).title == "One More Time"  # still open: a read is using it

    release.set()
    assert await read == "One More Time"  # answered from the index it started on
    with pytest.raises(IndexOpenError, match="closed database"):
        old.track(1)  # closed once its last read finished
    assert services.index.track(1).title == "Around the World"


@pytest.mark.parametrize("damage", ["garbage", "missing", "truncated"])
async def test_a_broken_new_file_keeps_the_old_index_and_says_so_once(
    services: Services,
    live: Path,
    built: dict[str, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    if damage == "garbage":
        bad = tmp_path / "bad.sqlite"
        bad.write_bytes(b"this is not an index\n" * 50)
        swap_in(live, bad)
    elif damage == "missing":
        live.unlink()
    else:
        data = built["new"].read_bytes()
        bad = tmp_path / "bad.sqlite"
        bad.write_bytes(data[: len(data) // 2])
        swap_in(live, bad)
    answers = Answers(services, ALICE)
    with caplog.at_level(logging.INFO, logger="bot.services"):
        services.watch_index_file(0.02)
        for _ in range(10):  # many checks of the same broken file
            await asyncio.sleep(0.02)
        reply = await answers.similar(SEED)
    assert title_of(reply) == OLD_TITLE  # still answering from the old index

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    line = errors[0].getMessage()
    assert str(live) in line and "previous index" in line and "\n" not in line

    # A good file put in place afterwards is picked up by the same watch.
    swap_in(live, copy_of(built["new"], tmp_path / "good.sqlite"))
    for _ in range(200):
        if services.generation:
            break
        await asyncio.sleep(0.02)
    assert title_of(await answers.similar(NEW_QUERY)) == NEW_TITLE


async def test_an_untouched_file_is_not_reopened(services: Services) -> None:
    index = services.index
    services.watch_index_file(0.01)
    await asyncio.sleep(0.1)
    assert services.index is index and services.generation == 0


async def test_buttons_from_before_a_reload_answer_while_their_songs_are_there(
    services: Services, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    answers = Answers(services, ALICE)
    renamed = await answers.similar(SEED)  # song 1: another song in the new index
    kept = await answers.similar("daft punk - aerodynamic")  # song 2: the same in both
    choices = await answers.similar("one more")  # "did you mean" between songs 1 and 8
    assert renamed.page and renamed.page.has_more and kept.page and kept.page.has_more
    night = next(t for t in choices.choices if t.title == "One More Night")
    time = next(t for t in choices.choices if t.title == "One More Time")

    swap_in(live, copy_of(built["new"], tmp_path / "new.sqlite"))
    await services.reopen_index()

    for gone in (
        await answers.more(renamed),
        await answers.pick(choices, time.track_id),
        await answers.export(renamed.page),
    ):
        assert gone.gone and gone.ephemeral and not gone.interactive
        assert "no longer in the index" in text_of(gone)
    why = await answers.why(renamed, renamed.items[0].track_id)
    assert why.title == "No longer in the index"

    page2 = await answers.more(kept)  # its song is still there: it pages as before
    assert page2.page is not None and page2.page.offset == kept.page.limit
    assert title_of(page2) == "Songs like Aerodynamic — Daft Punk"
    picked = await answers.pick(choices, night.track_id)
    assert title_of(picked) == "Songs like One More Night — Maroon 5"
    listed = next(t for t in kept.items if t.track_id != 1)  # still the same song
    assert (await answers.why(kept, listed.track_id)).title != "No longer in the index"


async def test_the_console_pages_on_when_a_rebuild_numbers_every_song_anew(
    services: Services, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    out = io.StringIO()
    console = Console(services, out, user_id=ALICE)
    await console.handle(f"similar {SEED}")
    first = out.getvalue()
    shown = [int(n) for n in re.findall(r"^(\d+)\. ", first, re.M)]
    assert OLD_TITLE in first and shown[0] == 1

    swap_in(live, copy_of(built["renumbered"], tmp_path / "renumbered.sqlite"))
    assert await services.reopen_index()
    await console.handle("more")  # buttons become words; the song is found by its name
    page2 = out.getvalue()[len(first) :]
    assert OLD_TITLE in page2 and f"{shown[-1] + 1}. " in page2
    await console.handle("why 1")
    assert "No longer in the index" not in out.getvalue()


async def test_a_stale_heartbeat_is_removed_when_beating_starts(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    path.write_text("left by a killed bot\n")
    beat = Heartbeat(path, 60.0, lambda: False)  # not connected yet
    beat.start()
    try:
        assert not path.exists()
    finally:
        await beat.stop()


# --- the real process --------------------------------------------------------------------


async def _read_until(stream: asyncio.StreamReader, needle: str, timeout: float) -> str:
    seen: list[str] = []

    async def scan() -> None:
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError("the bot exited: " + "".join(seen)[-2000:])
            seen.append(line)
            if needle in line:
                return

    await asyncio.wait_for(scan(), timeout)
    return "".join(seen)


@pytest.mark.slow
async def test_sighup_reopens_the_index_in_the_running_bot(
    fake_discord, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    from tests.bot.test_bot_process import bot_env, songsim, wait_for_file

    env = bot_env(fake_discord, live, tmp_path)
    proc = await songsim(env, "bot", cwd=tmp_path)
    channel = f"/channels/{fake_discord.channel_id}/messages"
    try:
        await wait_for_file(tmp_path / "heartbeat", proc)
        await fake_discord.send_message(f"!similar {NEW_QUERY}")
        before = await fake_discord.wait_for_request("POST", channel, timeout=10)
        assert before.json["embeds"][0]["title"] != NEW_TITLE

        swap_in(live, copy_of(built["new"], tmp_path / "new.sqlite"))
        proc.send_signal(signal.SIGHUP)
        assert proc.stderr is not None
        log = await _read_until(proc.stderr, "Reloaded the index", timeout=20)
        assert "SIGHUP" in log

        await fake_discord.send_message(f"!similar {NEW_QUERY}")
        after = await fake_discord.wait_for_request("POST", channel, timeout=10)
        assert after.json["embeds"][0]["title"] == NEW_TITLE
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]


@pytest.mark.slow
async def test_a_heartbeat_left_by_a_killed_bot_is_removed_at_start(
    fake_discord, tmp_path: Path
) -> None:
    from tests.bot.test_bot_process import bot_env, songsim

    heartbeat = tmp_path / "heartbeat"
    heartbeat.write_text("left by a killed bot\n")
    # The index is missing, so the bot stops before connecting: the old file must be gone.
    env = bot_env(fake_discord, tmp_path / "absent.sqlite", tmp_path)
    proc = await songsim(env, "bot", cwd=tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2, err.decode()
    assert not heartbeat.exists()


async def test_a_button_whose_song_left_the_index_is_turned_off_with_a_note(
    fake_discord, start_bot, services: Services, live: Path, built: dict[str, Path], tmp_path: Path
) -> None:
    from bot.bot import SongsimBot
    from tests.support.fakediscord import EPHEMERAL, find_component

    await start_bot(SongsimBot(services))
    await fake_discord.send_message(f"!similar {SEED}")
    sent = await fake_discord.wait_for_request(
        "POST", f"/channels/{fake_discord.channel_id}/messages"
    )
    message_id = int(sent.response["id"])

    swap_in(live, copy_of(built["new"], tmp_path / "new.sqlite"))
    assert await services.reopen_index()

    pressed = await fake_discord.click(sent.response, label="More")
    assert (await pressed.wait_answer())["type"] == 6  # the message is updated in place
    edit = await fake_discord.wait_for_request(
        "PATCH", f"/webhooks/{fake_discord.application_id}/*"
    )
    note = await fake_discord.wait_for_request("POST", f"/webhooks/{fake_discord.application_id}/*")
    assert note.json["flags"] & EPHEMERAL
    assert note.json["embeds"][0]["title"] == "No longer in the index"
    assert "The song this list was made from" in note.json["embeds"][0]["description"]
    assert "embeds" not in edit.json  # the same list stays, its buttons off
    stored = fake_discord.messages[message_id]
    assert stored["embeds"][0]["title"] == OLD_TITLE
    assert find_component(stored, label="More")["disabled"] is True
