"""Latency of answers for songs without stored neighbours (the rare-song fallback), and
for songs with fewer than a page of them (the list topped up from their playlists).

Picks songs that have no stored neighbours, half of them from the largest playlists (the
worst case: a 47,000-song playlist), and times ``SongIndex.similar`` on each, reporting
p50 / p99 / max and which fallback answered; then as many songs with 1-9 stored
neighbours. Run it on an index built since the playlist index existed and on an older one
to compare:

    python scripts/bench_rare_fallback.py INDEX.sqlite [--seeds 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

import numpy as np

from index.read.api import SongIndex
from index.schema import PLAYLIST_INDEX


def rare_seeds(idx: SongIndex, n: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """(seeds from the largest playlists, seeds drawn at random), none with neighbours."""

    def no_neighbours(ids: list[int]) -> list[int]:
        return [t for t in ids if not idx.neighbour_rows(t)]

    big: list[int] = []
    if idx.stats.has_memberships and PLAYLIST_INDEX in idx.sql_indexes:
        largest = idx.query(
            f"SELECT playlist_id, count(*) AS n FROM memberships INDEXED BY {PLAYLIST_INDEX} "
            "GROUP BY playlist_id ORDER BY n DESC LIMIT 10"
        )
        for pid, _ in largest:
            members = idx.query(
                "SELECT m.track_id FROM memberships m JOIN tracks t USING (track_id) "
                "WHERE m.playlist_id = ? AND t.playlists = 1 LIMIT 200",
                (pid,),
            )
            big += no_neighbours([t for (t,) in members])[: max(1, n // 20)]
    big = big[: n // 2]
    drawn: list[int] = []
    while len(drawn) < n - len(big):
        drawn += no_neighbours([rng.randint(1, idx.n_tracks) for _ in range(200)])
    return big, drawn[: n - len(big)]


def short_seeds(idx: SongIndex, n: int, rng: random.Random, limit: int = 10) -> list[int]:
    """Songs with at least one stored neighbour but fewer than a page."""
    out: list[int] = []
    for _ in range(2000):
        if len(out) >= n:
            break
        out += [
            t
            for t in (rng.randint(1, idx.n_tracks) for _ in range(200))
            if 0 < len(idx.neighbour_rows(t)) < limit
        ]
    return out[:n]


def percentile(ms: list[float], p: float) -> float:
    return float(np.percentile(ms, p)) if ms else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("index")
    ap.add_argument("--seeds", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3, help="timed answers per seed")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with SongIndex.open(args.index) as idx:
        print(
            f"{args.index}: {idx.n_tracks:,} tracks, memberships "
            f"{'stored' if idx.stats.has_memberships else 'absent'}, playlist index "
            f"{'present' if PLAYLIST_INDEX in idx.sql_indexes else 'absent'}, "
            f"playlist fallback {'on' if idx.can_list_playlists else 'off'}"
        )
        idx.popularity_rank(np.zeros(1, dtype=np.int64))  # one-off inverse map, not per answer
        rng = random.Random(args.seed)
        big, drawn = rare_seeds(idx, args.seeds, rng)
        short = short_seeds(idx, args.seeds, rng)
        groups = (
            ("without neighbours, in the 10 largest playlists", big),
            ("without neighbours, random", drawn),
            ("with 1-9 neighbours (topped up), random", short),
        )
        for name, seeds in groups:
            if not seeds:
                continue
            ms: list[float] = []
            sources: Counter[str] = Counter()
            for t in seeds:
                idx.similar(t)  # warm the pages this seed touches
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    answer = idx.similar(t)
                    ms.append((time.perf_counter() - start) * 1000)
                topped = bool(answer.fallback) and not answer.rare
                sources[(answer.fallback_source or "none") + (" top-up" if topped else "")] += 1
            print(
                f"  {len(seeds)} seeds {name}: p50 {percentile(ms, 50):.1f} ms, "
                f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms; "
                f"answered from {dict(sources)}"
            )


if __name__ == "__main__":
    main()
