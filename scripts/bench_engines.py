"""Benchmark the similarity engines (MinHash+LSH vs exact) on a realistic synthetic CSR.

The generator builds the track→playlist matrix directly in numpy, shaped like the real
Zenodo file (see issue 2): at ``--scale 1`` about 12.9M memberships, 231.6k playlists
(length median ~16, p90 ~100, p99 ~600, plus a handful of 20k–47k-track "Starred"
libraries), 45 % single-artist playlists, ~2.8M distinct tracks with over half in one
playlist, Zipf-like popularity and genre structure. No CSV, no ingest: this measures the
engines alone.

    python scripts/bench_engines.py --scale 1 --engines lsh,exact --recall-queries 2000

Prints the corpus shape, per-stage seconds, peak RSS and recall@10 of LSH against exact.
Figures depend on the machine and on what else runs on it (the dev box has 2 shared cores).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic_csr(scale: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """A realistic track→playlist CSR ``(indptr, indices, n_playlists)`` at any ``scale``."""
    rng = np.random.default_rng(seed)
    n_pl = max(50, int(231_600 * scale))
    n_artists = max(20, int(290_000 * scale))
    n_genres = max(5, int(300 * min(1.0, scale**0.5)))
    n_universe = max(200, int(5_000_000 * scale))

    # Playlist lengths: lognormal body (median 16, p90 ~100) plus a few huge libraries.
    lengths = np.exp(rng.normal(np.log(22.0), 1.55, n_pl)).astype(np.int64) + 1
    lengths = np.minimum(lengths, 5_000)
    n_huge = max(1, round(8 * scale)) if scale >= 0.05 else 1
    huge_sizes = np.linspace(24_000, 60_000, n_huge).astype(np.int64)
    huge_sizes = np.minimum(huge_sizes, max(200, n_universe // 8))
    huge_ids = rng.choice(n_pl, n_huge, replace=False)
    lengths[huge_ids] = huge_sizes

    # Artists sorted by genre; tracks sorted by artist, so genre/artist ranges are contiguous.
    artist_genre = np.sort(rng.integers(0, n_genres, n_artists))
    artist_pop = rng.pareto(0.9, n_artists) + 1.0
    tracks_per_artist = rng.multinomial(n_universe - n_artists, artist_pop / artist_pop.sum()) + 1
    track_artist = np.repeat(np.arange(n_artists), tracks_per_artist)
    first = np.concatenate([[0], np.cumsum(tracks_per_artist)[:-1]])
    within_rank = np.arange(track_artist.size) - first[track_artist]
    weight = artist_pop[track_artist] / (within_rank + 1.0) ** 1.0
    cum = np.cumsum(weight)
    a_lo = np.concatenate([[0.0], cum])[first]
    a_hi = cum[first + tracks_per_artist - 1]
    genre_first_artist = np.searchsorted(artist_genre, np.arange(n_genres))
    genre_last_artist = np.searchsorted(artist_genre, np.arange(n_genres), side="right") - 1
    g_ok = genre_last_artist >= genre_first_artist
    g_lo = np.where(g_ok, a_lo[np.minimum(genre_first_artist, n_artists - 1)], 0.0)
    g_hi = np.where(g_ok, a_hi[np.maximum(genre_last_artist, 0)], 0.0)

    slot_pl = np.repeat(np.arange(n_pl), lengths)
    n_slots = slot_pl.size
    kind = rng.random(n_pl)  # < 0.45 single artist, else 1–3 genres
    kind[huge_ids] = 2.0
    pl_artist = np.minimum(
        np.searchsorted(np.cumsum(artist_pop) / artist_pop.sum(), rng.random(n_pl)), n_artists - 1
    )
    pl_genres = rng.integers(0, n_genres, (n_pl, 3))
    pl_genres = np.where(g_ok[pl_genres], pl_genres, pl_genres[:, :1])
    pl_ngen = rng.integers(1, 4, n_pl)

    u = rng.random(n_slots)
    lo = np.empty(n_slots)
    hi = np.empty(n_slots)
    single = kind[slot_pl] < 0.45
    lo[single] = a_lo[pl_artist[slot_pl[single]]]
    hi[single] = a_hi[pl_artist[slot_pl[single]]]
    mixed = (~single) & (kind[slot_pl] < 1.5)
    mp = slot_pl[mixed]
    pick = pl_genres[mp, rng.integers(0, 3, mp.size) % pl_ngen[mp]]
    lo[mixed] = g_lo[pick]
    hi[mixed] = g_hi[pick]
    huge = kind[slot_pl] >= 1.5
    lo[huge] = 0.0
    hi[huge] = cum[-1]
    track = np.searchsorted(cum, lo + u * (hi - lo))
    # Libraries also hold plenty of obscure tracks: a third of their slots are uniform.
    obscure = huge & (rng.random(n_slots) < 0.33)
    track[obscure] = rng.integers(0, n_universe, int(obscure.sum()))
    track = np.minimum(track, n_universe - 1)

    pairs = np.unique(track.astype(np.int64) * n_pl + slot_pl)
    t_of = pairs // n_pl
    p_of = (pairs % n_pl).astype(np.int32)
    used, t_dense = np.unique(t_of, return_inverse=True)
    # Shuffle track ids so popularity is not correlated with id.
    perm = rng.permutation(used.size)
    t_dense = perm[t_dense]
    order = np.lexsort((p_of, t_dense))
    indices = p_of[order]
    counts = np.bincount(t_dense, minlength=used.size)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return indptr, indices.astype(np.int32), n_pl


def describe(indptr: np.ndarray, indices: np.ndarray, n_playlists: int) -> str:
    deg = np.diff(indptr)
    plen = np.bincount(indices, minlength=n_playlists).astype(np.int64)
    keep = deg >= 2
    elig_len = np.bincount(indices[np.repeat(keep, deg)], minlength=n_playlists).astype(np.int64)
    q = np.percentile(plen[plen > 0], [50, 90, 99])
    return (
        f"memberships {indices.size:,}, tracks {deg.size:,} ({(deg == 1).mean():.0%} in one playlist), "
        f"playlists {n_playlists:,} (len median {q[0]:.0f}, p90 {q[1]:.0f}, p99 {q[2]:.0f}, max {plen.max():,}), "
        f"sum len^2 {float((plen * plen).sum()):.3g}, over tracks in >=2 playlists {float((elig_len * elig_len).sum()):.3g}"
    )


def cpu_seconds() -> float:
    """User + system CPU time of this process (all threads): robust to a busy machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--engines", default="lsh,exact", help="comma list of lsh, exact")
    ap.add_argument("--k", type=int, default=30)
    ap.add_argument("--num-perm", type=int, default=None)
    ap.add_argument("--recall-queries", type=int, default=2000)
    ap.add_argument("--describe-only", action="store_true")
    ap.add_argument(
        "--cache", type=Path, help="save the generated CSR here (.npz), or load it if present"
    )
    ap.add_argument(
        "--exact-below", type=int, default=None, help="lsh: scan cost under which a track is exact"
    )
    args = ap.parse_args(argv)

    t = time.perf_counter()
    if args.cache and args.cache.exists():
        data = np.load(args.cache)
        indptr, indices, n_pl = data["indptr"], data["indices"], int(data["n_playlists"])
    else:
        indptr, indices, n_pl = synthetic_csr(args.scale, args.seed)
        if args.cache:
            np.savez(args.cache, indptr=indptr, indices=indices, n_playlists=n_pl)
    print(
        f"generated/loaded in {time.perf_counter() - t:.1f} s: {describe(indptr, indices, n_pl)}",
        flush=True,
    )
    print(f"peak RSS after generating/loading: {peak_rss_mb():.0f} MB", flush=True)
    if args.describe_only:
        return 0

    tables = {}
    for engine in args.engines.split(","):
        t = time.perf_counter()
        cpu0 = cpu_seconds()
        if engine == "lsh":
            from index.build.lsh import lsh_neighbours

            kw = {} if args.num_perm is None else {"num_perm": args.num_perm}
            if args.exact_below is not None:
                kw["exact_below"] = args.exact_below
            table = lsh_neighbours(indptr, indices, n_pl, k=args.k, progress=False, **kw)
        elif engine == "exact":
            from index.build.exact import exact_neighbours

            table = exact_neighbours(indptr, indices, n_pl, k=args.k, progress=False)
        else:
            raise SystemExit(f"unknown engine {engine!r}")
        secs = time.perf_counter() - t
        cpu = cpu_seconds() - cpu0
        tables[engine] = table
        stages = ", ".join(f"{k} {v:.2f}" for k, v in table.stage_seconds.items())
        print(
            f"{engine}: {secs:.1f} s wall, {cpu:.1f} s CPU, {len(table):,} rows, "
            f"{np.unique(table.track).size:,} tracks; stages [{stages}]; peak RSS {peak_rss_mb():.0f} MB",
            flush=True,
        )
        if engine == "lsh":
            print(f"  params {table.params}", flush=True)

    if "lsh" in tables and args.recall_queries:
        from index.quality.recall import recall_against_csr

        r = recall_against_csr(
            indptr, indices, tables["lsh"], queries=args.recall_queries, k=10, seed=args.seed
        )
        print(f"lsh recall@10 vs exact: {r.summary()}", flush=True)
    if "lsh" in tables and "exact" in tables:
        a, b = tables["lsh"], tables["exact"]
        print(f"rows lsh {len(a):,} / exact {len(b):,}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
