"""Does what the index does not keep move Yes.com's accuracy–popularity curve?

The index keeps which playlists a song is in, not where in them, and no tags. Yes.com's
folders have both: each ``train.txt`` line is a radio station's plays in order, and
``tags.txt`` holds each song's Last.fm tags. This script asks whether either would let a
ranking beat co-occurrence's hit rate at a lower popularity, the question issue 20 raises.
On seeded splits of the playlists (``--seed`` 200 and up, as for the other validation
scripts), every song sharing a playlist with the seed is scored by

- ``cooc λ``: playlists shared, divided by the song's playlist count to the λ (λ 0 is raw
  co-occurrence; the larger λ, the less known what is shown): the curve to beat;
- ``near λ``: plays within ``--window`` places of the seed's, each counting 1/distance,
  divided likewise;
- ``tags λ μ``: ``cooc λ`` times ``1 + μ·cos``, the cosine of the two songs' tag sets.

The page is the plain top 10 (no artist cap, unlike the bot's). HitRate@10, coverage (the
distinct songs shown) and the median playlist count of what is shown.

    python scripts/yes_side_info.py ../shared/data/yes/yes_small --repeats 2
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import scipy.sparse as sp

TEST_PLAYLISTS = 2000  # or a fifth of the playlists, as `songsim index holdout` draws
SEEDS_PER_PLAYLIST = 5
LAMBDAS = (0.0, 0.25, 0.35, 0.5, 0.75)


def read_playlists(folder: Path) -> list[np.ndarray]:
    """``train.txt`` from its third line on: one playlist of song ids a line, in play order."""
    with open(folder / "train.txt") as f:
        lines = f.read().splitlines()[2:]
    return [np.array(line.split(), dtype=np.int64) for line in lines if line.strip()]


def read_tags(folder: Path, n: int) -> sp.csr_matrix:
    """Song × tag, each row of unit length ('#' is a song without tags)."""
    rows, cols = [], []
    with open(folder / "tags.txt") as f:
        for song, line in enumerate(f):
            tags = [] if line.strip() in ("", "#") else [int(t) for t in line.split()]
            rows += [song] * len(tags)
            cols += tags
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(cols, default=0) + 1))
    norm = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return sp.diags(1 / np.maximum(norm, 1e-12)) @ m


def incidence(playlists: list[np.ndarray], n: int) -> sp.csr_matrix:
    """Playlist × song, 1 where the song is played in the playlist."""
    cols = np.concatenate(playlists)
    rows = np.repeat(np.arange(len(playlists)), [len(p) for p in playlists])
    x = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(playlists), n))
    x.data[:] = 1
    x.sum_duplicates()
    x.data[:] = 1
    return x


def nearness(playlists: list[np.ndarray], n: int, window: int) -> sp.csr_matrix:
    """Song × song: over every pair of plays at most ``window`` apart in one playlist, the
    sum of 1/distance (both ways; a song with itself left out)."""
    a, b, w = [], [], []
    for p in playlists:
        for d in range(1, min(window, len(p) - 1) + 1):
            a.append(p[:-d])
            b.append(p[d:])
            w.append(np.full(len(p) - d, 1.0 / d))
    if not a:
        return sp.csr_matrix((n, n))
    a, b, w = np.concatenate(a), np.concatenate(b), np.concatenate(w)
    m = sp.csr_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    m.setdiag(0)
    m.eliminate_zeros()
    return m


def top_page(score: np.ndarray, ids: np.ndarray, k: int = 10) -> np.ndarray:
    """The ``k`` best ``ids`` by score (ties: lower id first)."""
    return ids[np.lexsort((ids, -score))[:k]]


def run_split(playlists, tags, seed: int, window: int) -> dict[str, tuple[float, int, float]]:
    n = tags.shape[0]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(playlists))
    test_ids = [i for i in order if len(np.unique(playlists[i])) >= 2]
    test_ids = test_ids[: min(TEST_PLAYLISTS, len(playlists) // 5)]
    held = set(test_ids)
    train = [p for i, p in enumerate(playlists) if i not in held]
    x = incidence(train, n)
    pop = np.asarray(x.sum(axis=0)).ravel()
    co = (x.T @ x).tocsr()
    near = nearness(train, n, window)
    cases = []
    for i in test_ids:
        songs = np.unique(playlists[i])
        seeds = rng.permutation(songs[pop[songs] > 0])[:SEEDS_PER_PLAYLIST]
        cases += [(int(s), set(songs.tolist()) - {int(s)}) for s in seeds]
    specs = [("cooc", lam, 0.0) for lam in LAMBDAS]
    specs += [("near", lam, 0.0) for lam in LAMBDAS]
    specs += [("tags", lam, mu) for lam in (0.25, 0.35) for mu in (1.0, 3.0, 10.0)]
    pages: dict[tuple, list[np.ndarray]] = {s: [] for s in specs}
    for s, _ in cases:
        row = co[s]
        keep = row.indices != s
        ids, shared = row.indices[keep], row.data[keep]
        b = pop[ids]
        close = near[s].toarray().ravel()[ids]
        cos = (tags[ids] @ tags[s].T).toarray().ravel()
        for kind, lam, mu in specs:
            base = (close if kind == "near" else shared) / b**lam
            sc = base * (1 + mu * cos) if kind == "tags" else base
            pages[(kind, lam, mu)].append(top_page(sc, ids))
    out = {}
    for spec, got in pages.items():
        hits = np.mean([bool(t & set(p.tolist())) for (_, t), p in zip(cases, got, strict=True)])
        shown = np.concatenate(got) if got else np.zeros(0, dtype=np.int64)
        out[spec] = (float(hits), len(np.unique(shown)), float(np.median(pop[shown])))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a Yes.com folder: train.txt and tags.txt")
    p.add_argument("--seed", type=int, default=200)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--window", type=int, default=3, help="plays apart that count as near")
    args = p.parse_args()
    playlists = read_playlists(args.folder)
    n = int(max(p.max() for p in playlists if len(p))) + 1
    with open(args.folder / "tags.txt") as f:
        n = max(n, sum(1 for _ in f))
    tags = read_tags(args.folder, n)
    runs = [run_split(playlists, tags, args.seed + r, args.window) for r in range(args.repeats)]
    print(f"{args.folder} (splits {args.seed}..{args.seed + args.repeats - 1}, plain top 10)")
    for spec in runs[0]:
        hr, cov, pop = (np.mean([r[spec][j] for r in runs]) for j in range(3))
        kind, lam, mu = spec
        name = f"{kind} {lam:g}" + (f" {mu:g}" if kind == "tags" else "")
        print(f"{name:14s} HR {hr:.3f}  coverage {cov:6.0f}  median popularity {pop:6.1f}")


if __name__ == "__main__":
    main()
