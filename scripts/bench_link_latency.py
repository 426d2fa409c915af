"""Reply time when a pasted link needs an outside lookup, against a slow or dead service.

Discord drops an interaction not answered within 3 s, and a user who typed ``!similar
<link>`` should not wait longer either. This runs the real reply path — the real bot
(``SongsimBot`` over ``Services``) connected to the fake Discord of the test suite, its link
reader pointed at the fake link services (``tests/support/fakelinks.py``) — and for each
injected service latency (default 0, 0.5, 1.5, 2.5 and 5 s) pastes YouTube links to songs
in the index, each video new so no answer comes from the cache:

* ``prefix``: ``!similar https://youtu.be/ID``; time from the MESSAGE_CREATE leaving the
  fake to the reply's POST arriving at it;
* ``slash``: ``/similar song:https://youtu.be/ID``; time from the INTERACTION_CREATE to
  the follow-up that replaces "thinking…" (the defer itself comes at once).

It reports p50/p95/max per latency and path, and what the replies were (a list of songs,
or the sentence saying the service was too slow). Exit status 1 when any reply took 3 s
or more.

    python scripts/bench_link_latency.py
    python scripts/bench_link_latency.py --runs 50 --latencies 0 1 2 3 --index data/neighbours.sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.bot import SongsimBot  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.fakediscord import FakeDiscord, running  # noqa: E402
from tests.support.fakelinks import FakeLinks  # noqa: E402
from tests.support.mpd_index import build_mpd_index  # noqa: E402

BUDGET = 3.0  # Discord's deadline for an interaction's answer


def songs_of(index: Path, n: int) -> list[tuple[str, str]]:
    """The ``n`` best-known (artist, title) pairs of the index, as videos will name them."""
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT a.name, t.title FROM tracks t JOIN artists a USING (artist_id) "
            "ORDER BY t.playlists DESC LIMIT ?",
            (n,),
        ).fetchall()
    finally:
        con.close()
    return [(str(a), str(t)) for a, t in rows]


def video_id(n: int) -> str:
    return f"v{n:010d}"  # 11 characters, like YouTube's


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(
    fake: FakeDiscord, links: FakeLinks, path: str, runs: int, first: int
) -> tuple[list[float], list[str]]:
    """``runs`` pastes on one path; their reply times (s) and reply kinds."""
    times, kinds = [], []
    webhook = f"/webhooks/{fake.application_id}/*"
    channel = f"/channels/{fake.channel_id}/messages"
    for i in range(first, first + runs):
        url = f"https://youtu.be/{video_id(i)}"
        started = time.perf_counter()
        if path == "prefix":
            await fake.send_message(f"!similar {url}", author=fake.owner)
            sent = await fake.wait_for_request("POST", channel, timeout=15)
        else:
            inter = await fake.slash("similar", {"song": url}, user=fake.owner)
            await inter.wait_answer(timeout=15)
            sent = await fake.wait_for_request("POST", webhook, timeout=15)
        times.append(sent.at - started)
        embed = (sent.json.get("embeds") or [{}])[0]
        kinds.append(
            "songs" if str(embed.get("title", "")).startswith("Songs like") else "too slow"
        )
    return times, kinds


async def bench(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-links-"))
    index = Path(args.index) if args.index else build_mpd_index(work / "mpd")
    songs = songs_of(index, 50)
    if not songs:
        raise SystemExit(f"{index} has no songs.")
    logging.basicConfig(level=logging.ERROR)
    rows = []
    async with FakeDiscord() as fake, FakeLinks() as links:
        total = len(args.latencies) * 2 * args.runs
        for n in range(total):
            artist, title = songs[n % len(songs)]
            links.add_video(video_id(n), f"{artist} - {title} (Official Video)", artist)
        settings = Settings.from_mapping(
            {
                "SONGSIM_INDEX": str(index),
                "SONGSIM_USER_DB": str(work / "users.sqlite"),
                "SONGSIM_OWNER_IDS": str(fake.owner.id),
            }
        )
        services = await Services.open(settings, spotify=False, link_urls=links.urls)
        try:
            bot = SongsimBot(services)
            async with running(fake, bot):
                await fake.send_message("!sync global", author=fake.owner)
                await fake.wait_for_request("POST", f"/channels/{fake.channel_id}/messages")
                first = 0
                for latency in args.latencies:
                    links.set_delay("youtube", latency)
                    for path in ("prefix", "slash"):
                        times, kinds = await measure(fake, links, path, args.runs, first)
                        first += args.runs
                        rows.append((latency, path, times, kinds))
        finally:
            await services.close()
    print(f"songsim link-lookup reply time, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}")
    print(f"index: {index}; {args.runs} replies per row, every video new (no cache hits)\n")
    print("| service latency | path | p50 | p95 | max | replies |")
    print("|---:|---|---:|---:|---:|---|")
    worst = 0.0
    for latency, path, times, kinds in rows:
        worst = max(worst, max(times))
        counted = ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))
        print(
            f"| {latency:g} s | {path} | {statistics.median(times):.3f} s | "
            f"{percentile(times, 0.95):.3f} s | {max(times):.3f} s | {counted} |"
        )
    ok = worst < BUDGET
    print(f"\nslowest reply {worst:.2f} s: {'within' if ok else 'OVER'} the {BUDGET:g} s budget")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=20, help="replies per latency and path")
    p.add_argument(
        "--latencies",
        type=float,
        nargs="+",
        default=[0.0, 0.5, 1.5, 2.5, 5.0],
        help="seconds the fake YouTube waits before answering",
    )
    p.add_argument("--index", help="index file (default: a small MPD build made here)")
    return asyncio.run(bench(p.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
