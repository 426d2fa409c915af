"""Load benchmark: many users send ``!similar`` through a fake Discord to a real bot process.

The real ``songsim bot`` runs as a child process against the fake Discord of the test suite
(``tests/support/fakediscord``, REST + Gateway on 127.0.0.1) and the index given with ``--index``.
Simulated users each post commands in their own channel (half in server channels, half in
DMs), wait for the reply, and pause so they stay under the bot's per-user cooldown. The run
checks that every command got exactly one reply (none lost, none doubled, no error status)
and reports the time from MESSAGE_CREATE leaving the fake to the reply POST arriving at it
(p50/p90/p99/max) and the bot process's peak RSS (VmHWM).

    python scripts/bench_bot_load.py --index data/neighbours.sqlite
    python scripts/bench_bot_load.py --index /work/bench-data/full.sqlite --commands 1000 --users 100

Queries are real songs from the index ("artist - title", a few title-only and a few
misspelt or unknown ones, so "did you mean" and "not found" replies are part of the mix).
The server has every setting changed (``--default-settings`` leaves it alone), so each
server command looks them up and applies them: allowed channels, commands off, German
replies, song names and Why? names through the word filter.
Exit status 0 when every command was answered exactly once, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.fakediscord import FakeDiscord, FakeUser  # noqa: E402

PER_USER_INTERVAL = 2.2  # s between one user's commands: 5 per 11 s, under the 5-per-10 s cooldown


@dataclass
class Seat:
    """One simulated user and the channel they type in."""

    user: FakeUser
    channel_id: int
    dm: bool
    queries: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    lost: int = 0


def reply_kind(body: dict) -> str:
    """The first two words of a reply's embed title (or text): "Songs like", "Did you"..."""
    embeds = body.get("embeds") or []
    text = (embeds[0].get("title") or embeds[0].get("description") or "") if embeds else ""
    return " ".join((text or body.get("content") or "(empty)").split()[:2])


def sample_queries(index: Path, n: int, seed: int) -> list[str]:
    """``n`` queries drawn from the index: mostly "artist - title", some harder ones."""
    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        (max_id,) = con.execute("SELECT max(track_id) FROM tracks").fetchone()
        if not max_id:
            raise SystemExit(f"{index} has no tracks.")
        rows: list[tuple[str, str]] = []
        while len(rows) < n:
            ids = [rng.randint(1, max_id) for _ in range(min(900, 3 * n))]
            marks = ",".join("?" * len(ids))
            rows += con.execute(
                "SELECT a.name, t.title FROM tracks t JOIN artists a ON a.artist_id = t.artist_id "
                f"WHERE t.track_id IN ({marks}) AND t.playlists >= 2",
                ids,
            ).fetchall()
    finally:
        con.close()
    queries = []
    for artist, title in rows[:n]:
        roll = rng.random()
        if roll < 0.8:
            queries.append(f"{artist} - {title}")
        elif roll < 0.9:
            queries.append(title)  # may be ambiguous: "did you mean"
        elif roll < 0.95:
            queries.append(f"{artist} - {title}"[:-1] + "x")  # a typo
        else:
            queries.append(f"zz unknown song {rng.randint(0, 10**6)}")  # not found
    rng.shuffle(queries)
    return queries


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(peak, current) resident set size of ``pid`` in MiB, from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time ``pid`` has used, from /proc (immune to other load)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bot_env(fake: FakeDiscord, index: Path, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "SONGSIM_"))}
    env.update(fake.env())
    env.update(
        SONGSIM_INDEX=str(index),
        SONGSIM_USER_DB=str(workdir / "users.sqlite"),
        SONGSIM_DATA_DIR=str(workdir),
        SONGSIM_PREFIX="!",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


async def wait_until_serving(
    fake: FakeDiscord, proc: subprocess.Popen, timeout: float, query: str
) -> float:
    """Seconds until the bot answers a first command (start-up, index open, READY)."""
    start = time.perf_counter()
    await fake.wait_for_gateway(2, timeout=timeout)  # IDENTIFY
    warm = fake.add_user("warm-up")
    path = f"/channels/{warm.dm_channel_id}/messages"  # a DM: no server setting turns it off
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the bot exited with status {proc.returncode} during start-up")
        await fake.send_message(f"!similar {query}", author=warm, dm=True)
        try:
            await fake.wait_for_request("POST", path, timeout=3.0)
            return time.perf_counter() - start
        except AssertionError:
            continue
    raise SystemExit(f"the bot did not answer within {timeout} s")


async def run_seat(fake: FakeDiscord, seat: Seat, interval: float, offset: float) -> None:
    await asyncio.sleep(offset)
    path = f"/channels/{seat.channel_id}/messages"
    for query in seat.queries:
        sent_at = time.perf_counter()
        await fake.send_message(
            f"!similar {query}",
            author=seat.user,
            dm=seat.dm,
            channel_id=None if seat.dm else seat.channel_id,
        )
        try:
            reply = await fake.wait_for_request("POST", path, timeout=30.0)
        except AssertionError:
            seat.lost += 1
        else:
            seat.latencies.append(reply.at - sent_at)
            seat.kinds.append(reply_kind(reply.json or {}))
        await asyncio.sleep(max(0.0, sent_at + interval - time.perf_counter()))


async def store_server_settings(path: Path, guild_id: int, rooms: list[int]) -> None:
    """Give the server settings that every server command then applies, through the
    bot's own database code: prefix commands in the bench's rooms only, one command off,
    German replies, song names and Why? playlist names filtered with the server's words."""
    from bot.server_settings import ServerSettings
    from bot.user_db import UserDB

    db = await UserDB.open(path)
    try:
        await db.servers.put(
            guild_id,
            ServerSettings(
                prefix_channels=frozenset(rooms),
                commands_off=frozenset({"mix"}),
                why_names="filtered",
                song_names="filtered",
                words=("zzyzx", "qwxv"),
                language="de",
            ),
        )
    finally:
        await db.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def bench(args: argparse.Namespace) -> int:
    index = Path(args.index).resolve()
    if not index.is_file():
        raise SystemExit(
            f"No index at {index} — build one with `songsim index build DATASET -o {index}`."
        )
    queries = sample_queries(index, args.commands, args.seed)
    fake = FakeDiscord()
    await fake.start()
    seats: list[Seat] = []
    for i in range(args.users):
        user = fake.add_user(f"user{i:03d}")
        dm = i % 2 == 1
        channel = user.dm_channel_id if dm else fake.add_channel(f"room-{i:03d}")
        seats.append(Seat(user=user, channel_id=channel, dm=dm))
    for i, query in enumerate(queries):
        seats[i % len(seats)].queries.append(query)

    workdir = Path(tempfile.mkdtemp(prefix="songsim-load-"))
    if not args.default_settings:
        rooms = [s.channel_id for s in seats if not s.dm]
        await store_server_settings(workdir / "users.sqlite", fake.guild_id, rooms)
    log_path = workdir / "bot.log"
    cmd = shlex.split(args.bot_cmd) if args.bot_cmd else [sys.executable, "-m", "bot.cli", "bot"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=bot_env(fake, index, workdir), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        startup = await wait_until_serving(fake, proc, args.startup_timeout, queries[0])
        base_rss = peak_rss_mb(proc.pid)[1]
        first = len(fake.requests.entries)
        cpu_before, load_before = cpu_seconds(proc.pid), os.getloadavg()[0]
        own_cpu_before = time.process_time()
        rng = random.Random(args.seed)
        began = time.perf_counter()
        await asyncio.gather(
            *(run_seat(fake, s, args.interval, rng.uniform(0, args.interval)) for s in seats)
        )
        elapsed = time.perf_counter() - began
        cpu = cpu_seconds(proc.pid) - cpu_before
        own_cpu = time.process_time() - own_cpu_before
        load_after = os.getloadavg()[0]
        await asyncio.sleep(args.quiet)  # late or duplicate replies would arrive now
        peak, _ = peak_rss_mb(proc.pid)
        alive = proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        await fake.stop()

    posts: dict[int, int] = {}
    errors = 0
    for req in fake.requests.entries[first:]:
        if (
            req.method == "POST"
            and req.path.startswith("/channels/")
            and req.path.endswith("/messages")
        ):
            cid = int(req.path.split("/")[2])
            posts[cid] = posts.get(cid, 0) + 1
            errors += (req.status or 0) >= 300
    sent = sum(len(s.queries) for s in seats)
    answered = sum(len(s.latencies) for s in seats)
    lost = sum(s.lost for s in seats)
    extra = sum(max(0, posts.get(s.channel_id, 0) - len(s.queries)) for s in seats)
    lat_ms = [x * 1000 for s in seats for x in s.latencies]
    kinds = Counter(k for s in seats for k in s.kinds)
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "index": str(index),
        "index_mb": round(index.stat().st_size / 2**20, 1),
        "commands": sent,
        "server_settings": "default" if args.default_settings else "all changed (German, filtered)",
        "users": len(seats),
        "answered": answered,
        "lost": lost,
        "duplicates": extra,
        "error_statuses": errors,
        "bot_alive": alive,
        "startup_s": round(startup, 2),
        "elapsed_s": round(elapsed, 1),
        "commands_per_s": round(sent / elapsed, 1),
        "p50_ms": round(percentile(lat_ms, 50), 1) if lat_ms else None,
        "p90_ms": round(percentile(lat_ms, 90), 1) if lat_ms else None,
        "p99_ms": round(percentile(lat_ms, 99), 1) if lat_ms else None,
        "max_ms": round(max(lat_ms), 1) if lat_ms else None,
        "mean_ms": round(statistics.fmean(lat_ms), 1) if lat_ms else None,
        "bot_cpu_ms_per_command": round(cpu * 1000 / max(1, sent), 2),
        "fake_cpu_ms_per_command": round(own_cpu * 1000 / max(1, sent), 2),
        "load_avg_before_after": [round(load_before, 1), round(load_after, 1)],
        "rss_after_start_mb": round(base_rss, 1),
        "peak_rss_mb": round(peak, 1),
        "reply_kinds": dict(kinds.most_common(6)),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "bot_log": str(log_path),
    }
    print(json.dumps(result, indent=2) if args.json else report(result))
    ok = answered == sent and lost == 0 and extra == 0 and errors == 0 and alive
    return 0 if ok else 1


def report(r: dict) -> str:
    verdict = (
        "OK"
        if r["answered"] == r["commands"] and not (r["duplicates"] or r["error_statuses"])
        else "FAILED"
    )
    return "\n".join(
        [
            f"bot load ({r['date']}, {r['machine']})",
            f"  index     {r['index']} ({r['index_mb']} MiB)",
            f"  commands  {r['commands']} from {r['users']} users in {r['elapsed_s']} s ({r['commands_per_s']}/s)",
            f"  answered  {r['answered']}, lost {r['lost']}, duplicate replies {r['duplicates']}, "
            f"error statuses {r['error_statuses']}: {verdict}",
            f"  server    settings {r['server_settings']}",
            "  replies   " + ", ".join(f"{k!r} {n}" for k, n in r["reply_kinds"].items()),
            f"  latency   MESSAGE_CREATE -> reply POST: p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, "
            f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms",
            f"  bot CPU   {r['bot_cpu_ms_per_command']} ms per command (the fake and users: "
            f"{r['fake_cpu_ms_per_command']} ms); machine load average "
            f"{r['load_avg_before_after'][0]} before, {r['load_avg_before_after'][1]} after",
            f"  bot RSS   {r['rss_after_start_mb']} MiB after start-up, peak {r['peak_rss_mb']} MiB "
            f"(start-up to first answer {r['startup_s']} s)",
            f"  bot log   {r['bot_log']}",
        ]
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", required=True, help="the index file the bot serves")
    p.add_argument("--commands", type=int, default=1000, help="commands in total (default 1000)")
    p.add_argument("--users", type=int, default=100, help="simulated users (default 100)")
    p.add_argument(
        "--interval",
        type=float,
        default=PER_USER_INTERVAL,
        help="seconds between one user's commands (default 2.2; below 2 the bot's cooldown answers with a notice)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--default-settings",
        action="store_true",
        help="leave the server at the default settings (by default it has every setting "
        "changed, so each server command applies them: channels, commands off, German, "
        "song names filtered)",
    )
    p.add_argument(
        "--quiet", type=float, default=2.0, help="seconds to wait for stray replies at the end"
    )
    p.add_argument("--startup-timeout", type=float, default=120.0)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--bot-cmd",
        help="command that runs the bot (default: this Python's `-m bot.cli bot`); it gets "
        "DISCORD_TOKEN, DISCORD_API_BASE, DISCORD_GATEWAY_URL and SONGSIM_INDEX",
    )
    args = p.parse_args()
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
