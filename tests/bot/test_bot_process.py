"""The real ``songsim bot`` process against the fake Discord: start, answer, health, stop."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.heartbeat import heartbeat_age
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import FakeDiscord

pytest.importorskip("index.read.api")
pytestmark = pytest.mark.slow  # each test starts a real bot process (a few seconds)

LAUNCH = "import sys; from bot.cli import main; sys.exit(main())"


def bot_env(fake: FakeDiscord, song_index: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(fake.env())
    env.update(
        SONGSIM_INDEX=str(song_index),
        SONGSIM_USER_DB=str(tmp_path / "users.sqlite"),
        SONGSIM_HEARTBEAT=str(tmp_path / "heartbeat"),
        SONGSIM_HEARTBEAT_INTERVAL="0.2",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


async def songsim(env: dict[str, str], *args: str, cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", LAUNCH, *args,
        env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def wait_for_file(
    path: Path, proc: asyncio.subprocess.Process, timeout: float = 30.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not path.exists():
        if proc.returncode is not None or loop.time() > deadline:
            _, err = await proc.communicate()
            raise AssertionError(f"bot never became healthy: {err.decode()[-2000:]}")
        await asyncio.sleep(0.05)


async def test_songsim_bot_answers_reports_healthy_and_stops_cleanly(
    fake_discord: FakeDiscord, song_index, tmp_path
) -> None:
    env = bot_env(fake_discord, song_index, tmp_path)
    proc = await songsim(env, "bot", cwd=tmp_path)
    heartbeat = tmp_path / "heartbeat"
    try:
        await wait_for_file(heartbeat, proc)
        await fake_discord.send_message(f"!similar {SEED}")
        reply = await fake_discord.wait_for_request(
            "POST", f"/channels/{fake_discord.channel_id}/messages", timeout=10
        )
        assert reply.json["embeds"][0]["title"] == "Songs like One More Time — Daft Punk"
        assert reply.json["allowed_mentions"]["parse"] == []

        age = heartbeat_age(heartbeat)
        assert age is not None and age < 5  # touched again and again while connected

        check = await songsim(env, "bot", "--check", cwd=tmp_path)
        out, _ = await check.communicate()
        assert check.returncode == 0, out.decode()
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert not heartbeat.exists()  # a stopped bot never looks healthy
    assert fake_discord.token not in err.decode()


async def test_a_rejected_token_stops_with_one_sentence(
    fake_discord: FakeDiscord, song_index, tmp_path
) -> None:
    env = bot_env(fake_discord, song_index, tmp_path, DISCORD_TOKEN="wrong.token.value")
    proc = await songsim(env, "bot", cwd=tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert proc.returncode == 2
    assert "songsim: Discord rejected DISCORD_TOKEN" in text
    assert "Traceback" not in text and "wrong.token.value" not in text


async def test_a_missing_index_stops_with_one_sentence(fake_discord: FakeDiscord, tmp_path) -> None:
    env = bot_env(fake_discord, tmp_path / "absent.sqlite", tmp_path)
    proc = await songsim(env, "bot", cwd=tmp_path)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert err.decode().strip().startswith("songsim: No index at")
    assert "Traceback" not in err.decode()


async def test_without_the_content_intent_the_bot_carries_on_with_mentions(
    fake_discord: FakeDiscord, song_index, tmp_path
) -> None:
    fake_discord.gateway.allowed_privileged = 0  # Message Content not enabled in the portal
    env = bot_env(fake_discord, song_index, tmp_path)
    proc = await songsim(env, "bot", cwd=tmp_path)
    try:
        await wait_for_file(tmp_path / "heartbeat", proc)
        await fake_discord.send_message(f"similar {SEED}", mention_bot=True)
        reply = await fake_discord.wait_for_request(
            "POST", f"/channels/{fake_discord.channel_id}/messages", timeout=10
        )
        assert reply.json["embeds"][0]["title"] == "Songs like One More Time — Daft Punk"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 0
    assert text.count("Message Content intent is not enabled") == 1
    assert "Privileged Gateway Intents" in text


def test_without_a_token_in_a_terminal_songsim_bot_opens_the_console(song_index, tmp_path) -> None:
    """The README's first command: `songsim bot` with no token, typed in a terminal."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(SONGSIM_INDEX=str(song_index), SONGSIM_USER_DB=str(tmp_path / "u.sqlite"))
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "bot"], env=env, cwd=tmp_path,
        stdin=follower, stdout=follower, stderr=follower, close_fds=True,
    )  # fmt: skip
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            ready, _, _ = select.select([leader], [], [], max(deadline - time.monotonic(), 0))
            chunk = os.read(leader, 4096) if ready else b""
            if not chunk:
                raise AssertionError(f"no {marker!r} in: {seen.decode(errors='replace')[-1500:]}")
            seen += chunk

    try:
        read_until(b"Type a command")
        os.write(leader, f"similar {SEED}\n".encode())
        read_until(b"Songs 1\xe2\x80\x93")
        assert "Songs like One More Time — Daft Punk" in seen.decode()
        os.write(leader, b"quit\n")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert "DISCORD_TOKEN is not set" not in seen.decode()
