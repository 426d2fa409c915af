"""Read-path benchmark: open time, memory, resolve + neighbours and autocomplete latency,
and name-resolution accuracy, against any built index.

    python scripts/bench_read.py speed INDEX [--queries 10000] [--seed 0]
    python scripts/bench_read.py accuracy INDEX [--songs 2000] [--seed 0]
    python scripts/bench_read.py synth OUT [--tracks 2800000] [--k 10]   # a large test index
    python scripts/bench_read.py foryou INDEX [--likes 3,50,500] [--runs 20] [--seed 0]

``speed`` draws its queries from the index's own tracks (popular and random ones) in the
ways people type them (exact, typos, free word order, title only, artist only) plus misses,
and times ``resolve`` followed by ``similar`` when a song matched, as the bot does.
``accuracy`` is the accuracy test's measure (index.quality.query_variants) on any index: top-1 is
correct when the match is the song asked for (another version of it counts as "same song"
in the second figure); a title-only query counts only when no other song has that title.
``foryou`` times ``for_you`` (the first page, as the bot asks for it) on sets of likes
drawn like ``speed``'s songs, half well known and half uniform, per number of likes.
``synth`` writes a synthetic index of the given size (names from a Zipf vocabulary with
accents and version suffixes, random neighbours) for when no full-scale index is at hand.
Figures vary with machine load; say when the machine was shared.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

from index.names import base_title, same_song
from index.quality.query_variants import VARIANTS, typo, variants
from index.read.api import SongIndex


def rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p)) if values else float("nan")


def sample_tracks(idx: SongIndex, n: int, rng: random.Random) -> list[tuple[int, str, str, int]]:
    """Half best-known (top 100k), half uniform over the index: (id, artist, title, playlists)."""
    total = len(idx.rank_track)
    ranks = [rng.randrange(min(total, 100_000)) for _ in range(n // 2)]
    ranks += [rng.randrange(total) for _ in range(n - len(ranks))]
    ids = [int(idx.rank_track[r]) for r in ranks]
    found = idx.tracks(ids)
    return [(t, found[t].artist, found[t].title, found[t].playlists) for t in ids if t in found]


def speed(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    rss0 = rss_mb()
    t0 = time.perf_counter()
    idx = SongIndex.open(args.index)
    open_s = time.perf_counter() - t0
    rss_open = rss_mb()
    print(f"index: {args.index} ({idx.stats.tracks:,} tracks, {idx.stats.artists:,} artists)")
    print(f"open: {open_s * 1000:.0f} ms; RSS {rss0:.0f} MB before, {rss_open:.0f} MB after open")

    songs = sample_tracks(idx, args.queries, rng)
    kinds = ["exact"] * 30 + ["typo"] * 20 + ["free"] * 20 + ["title"] * 10 + ["artist"] * 5
    kinds += ["miss"] * 15
    queries: list[tuple[str, str]] = []
    for _tid, artist, title, _ in songs:
        kind = rng.choice(kinds)
        q = {
            "exact": f"{artist} - {title}",
            "typo": f"{typo(artist.lower(), rng)} {typo(title.lower(), rng)}",
            "free": f"{title.lower()} {artist.lower()}",
            "title": title,
            "artist": artist,
            "miss": " ".join(
                "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(4, 9)))
                for _ in range(rng.randint(1, 3))
            ),
        }[kind]
        queries.append((kind, q))

    times: dict[str, list[float]] = collections.defaultdict(list)
    cpu: list[float] = []  # thread CPU time: the cost without the waits of a shared machine
    outcome: collections.Counter[str] = collections.Counter()
    for kind, q in queries:
        t, c = time.perf_counter(), time.thread_time()
        r = idx.resolve(q)
        if r.match is not None:
            idx.similar(r.match.track_id, limit=10)
        ms = (time.perf_counter() - t) * 1000
        cpu.append((time.thread_time() - c) * 1000)
        times[kind].append(ms)
        times["all"].append(ms)
        outcome[
            "match" if r.match else "artist" if r.artist else "suggest" if r.suggestions else "none"
        ] += 1

    auto: list[float] = []
    auto_cpu: list[float] = []
    for _, q in queries[: args.queries]:
        cut = q[: rng.randint(1, max(1, len(q)))]
        t, c = time.perf_counter(), time.thread_time()
        idx.autocomplete(cut, limit=25)
        auto.append((time.perf_counter() - t) * 1000)
        auto_cpu.append((time.thread_time() - c) * 1000)

    print(f"resolve + neighbours over {len(times['all']):,} queries (ms):")
    for kind in ["all", "exact", "typo", "free", "title", "artist", "miss"]:
        v = times[kind]
        print(
            f"  {kind:7} n={len(v):5}  p50 {pct(v, 50):6.2f}  p95 {pct(v, 95):6.2f}  "
            f"p99 {pct(v, 99):6.2f}  max {max(v):7.2f}"
        )
    print(
        f"  cpu     n={len(cpu):5}  p50 {pct(cpu, 50):6.2f}  p95 {pct(cpu, 95):6.2f}  "
        f"p99 {pct(cpu, 99):6.2f}  max {max(cpu):7.2f}   (thread CPU time)"
    )
    print(f"  outcomes: {dict(outcome)}")
    print(
        f"autocomplete over {len(auto):,} prefixes (ms): p50 {pct(auto, 50):.2f}  "
        f"p95 {pct(auto, 95):.2f}  p99 {pct(auto, 99):.2f}  max {max(auto):.2f}; CPU time "
        f"p50 {pct(auto_cpu, 50):.2f}  p99 {pct(auto_cpu, 99):.2f}"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS after all queries: {rss_mb():.0f} MB (peak {peak:.0f} MB)")
    return 0


def accuracy(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    idx = SongIndex.open(args.index)
    rows = idx.query(
        "SELECT t.track_id, a.name, t.title, t.playlists FROM tracks t "
        "JOIN artists a ON a.artist_id = t.artist_id"
    )
    by_title: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    for _, artist, title, _ in rows:
        by_title[base_title(title)].add((artist.casefold(), base_title(title)))
    if args.songs and len(rows) > args.songs:
        rows = rng.sample(rows, args.songs)
    total: collections.Counter[str] = collections.Counter()
    exact: collections.Counter[str] = collections.Counter()
    same: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    t0 = time.perf_counter()
    for tid, artist, title, _ in rows:
        for name, q in variants(artist, title, rng).items():
            if name == "quoted title" and len(by_title[base_title(title)]) > 1:
                continue  # the title alone names several songs: no single right answer
            r = idx.resolve(q)
            total[name] += 1
            m = r.match
            if m is not None and m.track_id == tid:
                exact[name] += 1
                same[name] += 1
            elif m is not None and same_song(m.artist, m.title, artist, title):
                same[name] += 1
            elif len(failures) < args.show:
                got = m.label if m else f"suggestions {[t.label for t in r.suggestions[:2]]}"
                failures.append(f"  {name:15} {q!r} → {got} (wanted {artist} - {title})")
    n = sum(total.values())
    secs = time.perf_counter() - t0
    print(f"index: {args.index}; {len(rows):,} songs, {n:,} queries, {secs / n * 1000:.2f} ms each")
    print(
        f"top-1 accuracy: {sum(exact.values()) / n:.1%} exact track, "
        f"{sum(same.values()) / n:.1%} same song"
    )
    for name in VARIANTS:
        if total[name]:
            print(f"  {name:15} {exact[name] / total[name]:6.1%}  ({total[name]} queries)")
    if failures:
        print("first failures:")
        print("\n".join(failures))
    return 0


def synth(args: argparse.Namespace) -> int:
    """A synthetic index with realistic name statistics, written by the real store."""
    from index.build.store import write_index
    from index.corpus import Corpus, IngestReport, NeighbourTable

    rng = np.random.default_rng(args.seed)
    n, n_art = args.tracks, max(args.tracks // 7, 1)
    syll = ["ka", "lo", "mi", "ra", "ne", "to", "sha", "vi", "dre", "mon", "lux", "zen", "ar",
            "el", "os", "qui", "bé", "ño", "stra", "pel", "ga", "rú", "fin", "ton"]  # fmt: skip
    n_words = 80_000
    vocab = ["".join(rng.choice(syll, size=rng.integers(1, 4))) for _ in range(n_words)]
    vocab[:12] = ["the", "love", "you", "me", "my", "i", "a", "of", "in", "time", "night", "girl"]
    p = 1 / np.arange(1, n_words + 1) ** 0.9
    p /= p.sum()

    def names(count: int, lo: int, hi: int) -> list[str]:
        k = rng.integers(lo, hi + 1, size=count)
        w = rng.choice(n_words, size=int(k.sum()), p=p)
        out, i = [], 0
        for kk in k.tolist():
            out.append(" ".join(vocab[j].capitalize() for j in w[i : i + kk]))
            i += kk
        return out

    t = time.perf_counter()
    artists = names(n_art, 1, 3)
    suffixes = ["", "", "", "", "", " - Remastered 2011", " (Live)", " - Radio Edit",
                " (feat. Someone)"]  # fmt: skip
    titles = [
        t_ + suffixes[s]
        for t_, s in zip(names(n, 1, 5), rng.integers(0, len(suffixes), n), strict=False)
    ]
    counts = np.minimum((rng.pareto(1.1, n) * 2 + 1).astype(np.int64), 50_000)
    n_pl = 1_000_000
    indptr = np.concatenate(([0], np.cumsum(counts)))
    indices = np.sort(rng.integers(0, n_pl, size=int(indptr[-1])).astype(np.int32))
    corpus = Corpus(
        artist_names=artists,
        track_artist=rng.integers(0, n_art, size=n).astype(np.int32),
        track_titles=titles,
        track_uris=[None] * n,
        playlist_names=[f"Playlist {i}" for i in range(n_pl)],
        indptr=indptr,
        indices=indices,
        report=IngestReport(source="synthetic", format="synthetic"),
    )
    has = np.flatnonzero(counts >= 2).astype(np.int32)
    k = args.k
    src = np.repeat(has, k)
    nb = rng.integers(0, n, size=len(src)).astype(np.int32)
    nb[nb == src] = (nb[nb == src] + 1) % n
    jac = np.sort(rng.random(len(src)).reshape(-1, k), axis=1)[:, ::-1].ravel()
    table = NeighbourTable(
        track=src,
        rank=np.tile(np.arange(1, k + 1, dtype=np.int32), len(has)),
        neighbour=nb,
        jaccard=jac,
        shared=np.maximum((jac * 10).astype(np.int32), 1),
    )
    print(
        f"generated {n:,} tracks, {len(table):,} neighbour rows in {time.perf_counter() - t:.0f} s"
    )
    t = time.perf_counter()
    write_index(corpus, table, Path(args.out), {"source": "synthetic", "method": "random", "k": k},
                memberships=False)  # fmt: skip
    print(f"wrote {args.out} in {time.perf_counter() - t:.0f} s")
    return 0


def foryou(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    with SongIndex.open(args.index) as idx:
        print(f"index {args.index}: {len(idx.rank_track):,} tracks")
        for n in (int(x) for x in args.likes.split(",")):
            times = []
            for _ in range(args.runs):
                likes = [t for t, *_ in sample_tracks(idx, n, rng)]
                t = time.perf_counter()
                idx.for_you(likes, limit=10)
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"{n:>4} likes, {args.runs} runs: p50 {pct(times, 50):.1f} ms, "
                f"p90 {pct(times, 90):.1f} ms, max {max(times):.1f} ms",
                flush=True,
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("speed", help="open time, RSS, resolve+neighbours and autocomplete latency")
    s.add_argument("index")
    s.add_argument("--queries", type=int, default=10_000)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=speed)
    a = sub.add_parser("accuracy", help="top-1 accuracy of resolve on typed variants")
    a.add_argument("index")
    a.add_argument("--songs", type=int, default=2000, help="songs sampled (0 = all)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--show", type=int, default=15, help="failures to print")
    a.set_defaults(func=accuracy)
    f = sub.add_parser("foryou", help="/foryou latency by number of likes")
    f.add_argument("index")
    f.add_argument("--likes", default="3,50,500", help="comma-separated numbers of likes")
    f.add_argument("--runs", type=int, default=20)
    f.add_argument("--seed", type=int, default=0)
    f.set_defaults(func=foryou)
    y = sub.add_parser("synth", help="write a large synthetic index for speed runs")
    y.add_argument("out")
    y.add_argument("--tracks", type=int, default=2_800_000)
    y.add_argument("--k", type=int, default=10)
    y.add_argument("--seed", type=int, default=0)
    y.set_defaults(func=synth)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
