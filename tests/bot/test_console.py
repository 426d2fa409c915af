"""Console mode: the same commands in a terminal, embeds rendered as plain text."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.console import markdown_to_text, run_console
from bot.services import Services
from bot.settings import Settings
from tests.support.bot_fixtures import SEED

pytest.importorskip("index.read.api")

REPO = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture
async def services(song_index: Path, tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"SONGSIM_INDEX": str(song_index), "SONGSIM_USER_DB": str(tmp_path / "u.sqlite")}
    )
    s = await Services.open(settings, spotify=False)
    yield s
    await s.close()


async def converse(services: Services, *lines: str) -> str:
    out = io.StringIO()
    assert await run_console(services, io.StringIO("\n".join(lines) + "\n"), out) == 0
    return out.getvalue()


async def test_similar_more_and_why_as_words(services: Services) -> None:
    text = await converse(services, f"similar {SEED}", "more", "why 11", "back")
    assert "── Songs like One More Time — Daft Punk" in text
    assert "Matched One More Time <https://open.spotify.com/track/" in text
    assert "\n1. " in text and "\n11. " in text
    assert "── Why these songs?" in text
    assert "[more · why N · listen N · export]" in text
    assert "**1.**" not in text and "\\" not in text  # markdown is rendered, not shown


async def test_why_on_the_second_page_takes_only_the_numbers_shown(services: Services) -> None:
    text = await converse(services, f"similar {SEED}", "more", "why 2")
    shown = re.search(r"Give a number from (\d+) to (\d+): why N\.", text)
    assert shown and int(shown[1]) > 2  # song 2 is on the first page, not this one
    assert f"\n{shown[1]}. " in text and f"\n{shown[2]}. " in text  # the page's own numbers
    assert "── Why these songs?" not in text


async def test_escape_sequences_and_bad_bytes_never_reach_the_terminal(
    services: Services,
) -> None:
    text = await converse(services, "similar \x1b[2J\x1b[31mred\udcff zz")
    assert "\x1b" not in text and "\udcff" not in text
    assert "?[31mred\ufffd zz" in text  # still readable: the user sees what was typed


async def test_prefix_and_slash_spellings_work_too(services: Services) -> None:
    text = await converse(services, f"!similar {SEED}", f"/similar {SEED}")
    assert text.count("── Songs like One More Time — Daft Punk") == 2


async def test_names_render_literally(services: Services) -> None:
    text = await converse(services, "similar track:7")
    assert "── Songs like @everyone — **Bold** " in text
    assert "\u200b" not in text


async def test_did_you_mean_then_pick(services: Services) -> None:
    text = await converse(services, "similar one more", "pick 9", "pick 2")
    assert "One More Night" in text and "One More Time" in text
    assert "Give a number from 1 to" in text
    assert "── Songs like One More" in text


async def test_likes_round_trip_and_help(services: Services) -> None:
    text = await converse(
        services, f"like {SEED}", "likes", "foryou", "unlike 1", "likes", "help", "about"
    )
    assert "Liked One More Time — Daft Punk" in text
    assert "── Picked for you" in text
    assert "Removed One More Time" in text
    assert "You haven't liked any songs yet" in text
    assert "── songsim commands" in text and "!similar song" in text
    assert "── About songsim" in text and "Songs:" in text


async def test_help_shows_optional_arguments_in_their_brackets(services: Services) -> None:
    text = await converse(services, "help")
    assert "!privacy [export | delete]" in text
    assert "!settings [setting value]" in text
    assert "delete]" not in text.replace("[export | delete]", "")


def test_links_lose_their_brackets_and_other_brackets_stay() -> None:
    shown = markdown_to_text("[Song \\[Remix\\]](https://x.test/1) and [a | b] [c]\n[d](e)")
    assert shown == "Song [Remix] <https://x.test/1> and [a | b] [c]\nd <e>"


async def test_unknown_commands_and_quit(services: Services) -> None:
    text = await converse(services, "dance", "more", "quit", f"similar {SEED}")
    assert "Unknown command 'dance'" in text
    assert "no more songs" in text
    assert "Songs like" not in text  # nothing after quit


def test_songsim_bot_without_a_token_reads_commands_from_a_pipe(
    song_index: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN",)}
    env.update(SONGSIM_INDEX=str(song_index), SONGSIM_USER_DB=str(tmp_path / "u.sqlite"))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from bot.cli import main; sys.exit(main())",
            "bot",
            "--console",
        ],
        input=f"similar {SEED}\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "── Songs like One More Time — Daft Punk" in done.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_console_waiting_for_input(
    song_index: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    """``docker stop`` of a console: exit 0 at once, though stdin stays open and silent."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN",)}
    env.update(SONGSIM_INDEX=str(song_index), SONGSIM_USER_DB=str(tmp_path / "u.sqlite"))
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
        + ["bot", "--console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        proc.stdin.write(f"similar {SEED}\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        seen = ""
        while "── Songs like" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()  # the answer: the console now waits for a line
        assert "── Songs like" in seen
        started = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert time.monotonic() - started < 5
    assert "Traceback" not in err and "Stopped: console and databases closed" in err
    assert not (tmp_path / "u.sqlite-wal").exists()  # the user database was closed


async def test_discovery_flags_work_in_the_console(services: Services) -> None:
    text = await converse(
        services, f"similar {SEED} --deep-cuts", "more", f"like {SEED}", "foryou --popular"
    )
    assert text.count("Discovery: deep cuts") == 2  # the first page and the next
    assert "── Picked for you" in text and "Discovery: popular" in text
    unknown = await converse(services, f"similar {SEED} --obscure")
    assert "is not a discovery setting" in unknown and "Songs like" not in unknown
