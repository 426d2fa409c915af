"""SIGTERM and SIGINT stop the real ``songsim bot`` process cleanly, whatever it is doing.

Each test brings the bot (a real discord.py client, against the fake Discord) into one
state and keeps it there — the fake holds back the answer the client is waiting for, so
nothing depends on timing — then signals the process. It must exit 0 within a few seconds,
with no traceback, after closing its gateway session with 1000 where one was open (Discord
then ends the session at once) and its databases: SQLite deletes the ``-wal`` file beside
the user database when the last connection to it closes, and a killed bot leaves it.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import discord
import pytest

from bot.stopping import STOP_GRACE, CleanStop
from tests.bot.test_bot_process import bot_env, songsim, wait_for_file
from tests.support.bot_fixtures import SEED
from tests.support.fakediscord import FakeDiscord, start_client

pytest.importorskip("index.read.api")
pytestmark = pytest.mark.slow  # each test starts a real bot process (a few seconds)

TERM, INT = signal.SIGTERM, signal.SIGINT
QUICK = 3.0  # seconds a stop may take when no command is running
STOPPED = "Stopped: gateway, HTTP session and databases closed"


class Running:
    """A ``songsim bot`` process, connected and READY, and the files it keeps."""

    def __init__(self, proc: asyncio.subprocess.Process, tmp_path: Path) -> None:
        self.proc = proc
        self.heartbeat = tmp_path / "heartbeat"
        self.wal = tmp_path / "users.sqlite-wal"

    async def stop(self, sig: signal.Signals, *, within: float = QUICK) -> str:
        """Send ``sig``; check the clean exit; the process's log."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        _, err = await asyncio.wait_for(self.proc.communicate(), 30)
        took = time.monotonic() - started
        log = err.decode()
        assert self.proc.returncode == 0, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
        assert took < within, f"took {took:.1f} s to stop"
        assert STOPPED in log
        assert not self.wal.exists()  # every connection to the user database was closed
        assert not self.heartbeat.exists()  # and the stopped bot does not look healthy
        return log


async def start(fake: FakeDiscord, song_index: Path, tmp_path: Path, *, ready: bool = True):
    proc = await songsim(bot_env(fake, song_index, tmp_path), "bot", cwd=tmp_path)
    bot = Running(proc, tmp_path)
    if ready:
        await wait_for_file(bot.heartbeat, proc)
        assert bot.wal.exists()  # the user database is open (so its -wal going away means)
    return bot


async def eventually(condition, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never held"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("sig", [TERM, INT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_while_connected_ends_the_discord_session(
    fake_discord: FakeDiscord, song_index, tmp_path, sig
) -> None:
    bot = await start(fake_discord, song_index, tmp_path)
    session = fake_discord.gateway.session
    log = await bot.stop(sig)
    assert f"{sig.name} received: stopping" in log
    await eventually(lambda: session.closed_with is not None)
    assert session.closed_with == 1000  # not 4000: Discord ends it now, the bot goes offline
    assert session.session_id not in fake_discord.gateway.sessions


@pytest.mark.parametrize(
    ("sig", "stage"),
    [(TERM, "before IDENTIFY"), (INT, "before IDENTIFY"), (TERM, "READY held")],
    ids=["SIGTERM-before-IDENTIFY", "SIGINT-before-IDENTIFY", "SIGTERM-READY-held"],
)
async def test_a_stop_while_reidentifying_after_a_refused_resume(
    fake_discord: FakeDiscord, song_index, tmp_path, sig, stage
) -> None:
    """The reported failure: exit 1, "Cannot write to closing transport" and
    "'_MissingSentinel' object has no attribute 'create_task'"."""
    gateway = fake_discord.gateway
    bot = await start(fake_discord, song_index, tmp_path)
    ready = gateway.hold("ready") if stage == "READY held" else None
    gateway.expire_sessions()  # so the RESUME after this close gets op 9, d: false
    await fake_discord.close_gateway(4000)
    resume = await fake_discord.wait_for_gateway(6)
    if stage == "before IDENTIFY":
        # On the next connection discord.py heartbeats at HELLO, then waits 5 s to IDENTIFY.
        await gateway.frames.wait(
            lambda f: f.op == 1 and f.connection > resume.connection, 5, "a heartbeat"
        )
    else:
        assert ready is not None
        await ready.reached(timeout=15)  # IDENTIFY sent, READY held back
    log = await bot.stop(sig)
    assert "session has been invalidated" in log  # discord.py saw the refused RESUME
    identifies = gateway.frames.matching(lambda f: f.op == 2 and f.connection > resume.connection)
    if stage == "before IDENTIFY":
        assert identifies == []  # it stopped instead of identifying again
    else:
        await eventually(lambda: identifies[-1].connection in gateway.close_codes)
        assert gateway.close_codes[identifies[-1].connection] == 1000


@pytest.mark.parametrize(
    ("sig", "stage"),
    [(TERM, "HELLO held"), (INT, "HELLO held"), (INT, "RESUMED held")],
    ids=["SIGTERM-HELLO-held", "SIGINT-HELLO-held", "SIGINT-RESUMED-held"],
)
async def test_a_stop_while_reconnecting(
    fake_discord: FakeDiscord, song_index, tmp_path, sig, stage
) -> None:
    gateway = fake_discord.gateway
    bot = await start(fake_discord, song_index, tmp_path)
    before = gateway.connections
    if stage == "HELLO held":
        hold = gateway.hold("hello")
        await fake_discord.drop_gateway()  # a network failure: no close frame
    else:
        hold = gateway.hold("resumed")
        await fake_discord.close_gateway(4000)
    await hold.reached()
    await bot.stop(sig)
    assert gateway.connections == before + 1  # it did not try again
    if stage == "RESUMED held":  # RESUME sent on an open connection: closed with 1000
        await eventually(lambda: before + 1 in gateway.close_codes)
        assert gateway.close_codes[before + 1] == 1000


@pytest.mark.parametrize("sig", [TERM, INT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_mid_command_sends_the_answer_first(
    fake_discord: FakeDiscord, song_index, tmp_path, sig
) -> None:
    bot = await start(fake_discord, song_index, tmp_path)
    session = fake_discord.gateway.session
    general = f"/channels/{fake_discord.channel_id}/messages"
    answer = fake_discord.rest.hold("POST", general)
    await fake_discord.send_message(f"!similar {SEED}")
    await answer.reached()  # the command is sending its answer
    stopping = asyncio.create_task(bot.stop(sig))
    await eventually(lambda: session.closed_with is not None)  # no new commands from now on
    answer.release()
    await stopping
    reply = await fake_discord.wait_for_request("POST", general)
    assert reply.status == 200
    assert reply.json["embeds"][0]["title"] == "Songs like One More Time — Daft Punk"


async def test_a_command_that_does_not_finish_is_stopped_after_the_grace(
    fake_discord: FakeDiscord, song_index, tmp_path
) -> None:
    bot = await start(fake_discord, song_index, tmp_path)
    answer = fake_discord.rest.hold("POST", f"/channels/{fake_discord.channel_id}/messages")
    await fake_discord.send_message(f"!similar {SEED}")
    await answer.reached()  # and never released
    log = await bot.stop(TERM, within=STOP_GRACE + QUICK)
    assert "Stopped 1 command(s) still running" in log


async def test_a_stop_while_logging_in(fake_discord: FakeDiscord, song_index, tmp_path) -> None:
    login = fake_discord.rest.hold("GET", "/users/@me")
    bot = await start(fake_discord, song_index, tmp_path, ready=False)
    await login.reached(timeout=30)
    await bot.stop(INT)
    assert fake_discord.gateway.connections == 0


class Client(CleanStop, discord.Client):
    async def on_ready(self) -> None:
        pass


async def test_in_process_close_twice_ends_start_and_drops_later_events(
    fake_discord: FakeDiscord,
) -> None:
    client = Client(intents=discord.Intents.none())
    running = await start_client(fake_discord, client)
    await asyncio.gather(client.close(), client.close())
    await asyncio.wait_for(running, 5)  # start() returned normally, not cancelled
    assert running.exception() is None
    # discord.py's READY delay can fire after a stop; a closed client has no loop for it.
    client.dispatch("ready")
