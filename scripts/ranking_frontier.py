"""Where rankings of a seed's co-occurring songs sit on the accuracy–popularity curve.

Every score here re-ranks *all* songs sharing ``--min-shared`` playlists with the seed
(``--stored``: only what a default build stores), on validation splits (``--seed`` 200 and
up; the reported runs use 100): "closest"-style shrunk Jaccard ``s / (a + b - s + λ·a)`` over a grid of λ
(λ → ∞ is raw co-occurrence), RP3beta-style walks weighting each shared playlist by its
length to the ``-α`` and dividing by the song's popularity to the ``β``, and pages that
lead with the ``m`` songs sharing most playlists before a Jaccard ranking damped by
popularity to the ``γ`` ("lead") or before "closest" damped by popularity to the ``δ``
("leadc", the default's family: m = 2, δ = 0.1), and pages that spread over the seed's own
playlists ("cover": greedy, a song scoring the seed's playlists it is in, one already
holding ``k`` picked songs counting ``0.6^k``, the first ``m`` picks undamped and the rest
damped by popularity to the ``δ``; ``--cover-playlists N`` sees only the seed's first N
playlists, as a reply reading memberships would; stored: the exact build's top k, extras
and artist rows, ``--artist-extras 0`` for none).
Pages aimed at the median popularity, only with ``--kinds``: co-occurrence with songs in more
than ``c`` times the seed's playlists ("step") or more than ``t`` playlists ("cap") counting
``κ``, and the ``m`` most shared before ``s / (b + K)`` ("leadr"); a hit share per cell of
the four stored figures learned on two other splits, damped by popularity to the ``μ``
("learned") or filling the page under a bar after its ``m`` likeliest songs ("budget") or
charging each song over a bar, on every page alike ("bar"; ``scripts/frontier_learned.py``).
Each is scored on the bot's first page (one version of a song, at most three per artist)
with the shared-artist weight: HitRate@10, coverage (against plain Jaccard's) and the
median popularity of what is shown.

docs/QUALITY.md cites it to show that on Yes.com radio playlists every single score trades
hit rate for popularity along one curve, and that pages mixing its two ends lie above it.
Only some families: ``--kinds closest,leadc,cover`` (plain Jaccard, the reference, always).

    python scripts/ranking_frontier.py ../shared/data/yes/yes_small --format yes --repeats 2
"""

from __future__ import annotations

import argparse
import itertools

import frontier_learned as fl
import numpy as np
import scipy.sparse as sp

from index.build.artist_rows import add_artist_rows
from index.build.exact import exact_neighbours
from index.build.options import DEFAULTS
from index.ingest import read_dataset
from index.quality import baselines as bl
from index.quality.pages import Presentation, song_ids
from index.quality.scores import score_rows
from index.quality.split import pick_seeds, split_playlists
from index.read import ranking as rk

DEPTH = 60  # candidates offered to the page rules
ALPHAS = (0.25, 0.5, 1.0)
SCORES: list[tuple[str, float, float]] = [
    *[("closest", lam, 0.0) for lam in (0.0, 1.0, 3.0, 10.0, np.inf)],
    *[("rp3", a, b) for a in ALPHAS for b in (0.0, 0.1, 0.2, 0.3, 0.5)],
    *[("lead", m, g) for m in (3, 5) for g in (0.0, 0.25, 0.5)],
    *[("leadc", m, m / 10 - 0.1) for m in (2, 3, 4, 5)],  # the default's family
    *[("cover", m, d) for m, d in ((DEPTH, 0.0), (0, 0.3), (4, 0.6), (5, 0.8), (6, 0.6))],
    *[("step", c, k) for c in (0.5, 1.0, 2.0) for k in (0.1, 0.3)],
    *[("cap", t, k) for t in (25, 50, 70, 100) for k in (0.1, 0.3)],
    *[("leadr", m, k) for m in (3, 4, 5, 6, 7) for k in (5, 15, 30, 60)],
    *[("learned", mu, 0.0) for mu in (0.0, 0.2, 0.3, 0.45, 0.6, 0.8)],
    *[("budget", m, t) for m in (4, 5) for t in (3, 10, 30, 80)],
    *[("bar", mu, t) for mu in (0.5, 1.0, 1.5, 2.0) for t in (29, 79)],
]
JACCARD = ("closest", 0.0, 0.0)  # the reference for coverage, always run
COVER_DECAY = 0.6  # a seed playlist already holding k picked songs counts 0.6^k


def cover_page(incidence, shared, b, weight, first: float, damping: float) -> np.ndarray:
    """Positions of the first DEPTH songs picked greedily to spread over the seed's playlists.

    ``incidence`` marks which of the seed's (sampled) playlists hold each candidate. A
    song's gain is its shared count times the mean over its sampled playlists of
    ``decay^k`` (k songs already picked there; 1 when none is sampled), times ``weight``
    (the shared-artist weight), damped by ``b^-damping`` after the ``first`` picks."""
    k = np.zeros(incidence.shape[1])
    alive = np.ones(len(shared), dtype=bool)
    held = np.asarray(incidence.sum(axis=1)).ravel()
    damped = weight * b**-damping
    picked: list[int] = []
    for step in range(min(DEPTH, len(shared))):
        spread = np.where(held > 0, incidence @ COVER_DECAY**k / np.maximum(held, 1), 1.0)
        gain = shared * spread * (weight if step < first else damped)
        gain[~alive] = -1.0
        j = int(np.argmax(gain))
        picked.append(j)
        alive[j] = False
        k[incidence.indices[incidence.indptr[j] : incidence.indptr[j + 1]]] += 1
    return np.asarray(picked, dtype=np.int64)


def candidates(x: sp.csr_matrix, seeds, min_shared: int, min_playlists: int, alphas=ALPHAS):
    """Per seed: (seed, ids, shared, {α: length-weighted shared}) over co-occurring songs."""
    xt = x.T.tocsr()
    pop = np.diff(x.indptr)
    length = np.maximum(np.diff(xt.indptr), 1).astype(np.float64)
    walks = {a: (sp.diags(length**-a) @ xt).tocsr() for a in alphas}
    for lo in range(0, len(seeds), 256):
        block = seeds[lo : lo + 256]
        rows = x[block]
        co = (rows @ xt).tocsr()
        co.sort_indices()
        weighted = {a: (rows @ w).tocsr() for a, w in walks.items()}
        for w in weighted.values():
            w.sort_indices()
        for i, s in enumerate(block.tolist()):
            a0, a1 = co.indptr[i], co.indptr[i + 1]
            ids = co.indices[a0:a1].astype(np.int64)
            shared = np.rint(co.data[a0:a1]).astype(np.int64)
            keep = (ids != s) & (shared >= min_shared) & (pop[s] >= max(min_playlists, 1))
            ws = {a: w.data[w.indptr[i] : w.indptr[i + 1]][keep] for a, w in weighted.items()}
            yield s, ids[keep], shared[keep], ws


def score(kind: str, p1: float, p2: float, a: float, b, shared, ws, ids) -> np.ndarray:
    union = np.maximum(a + b - shared, 1.0)
    if kind == "closest":
        return shared.astype(float) if np.isinf(p1) else shared / (union + p1 * a)
    if kind == "rp3":
        return ws[p1] / b**p2
    if kind in ("step", "cap"):  # co-occurrence, a song better known than a bar counting p2
        bar = p1 * a if kind == "step" else p1  # p1 × the seed's playlists, or p1 playlists
        return shared * np.where(b > bar, p2, 1.0)
    # "lead" / "leadc" / "leadr": the m most shared first, then Jaccard / "closest" (λ 1)
    # damped by b^p2, or shared / (b + p2) (a fixed pseudo-count on the song's playlists)
    if kind == "leadr":
        low = shared / (b + p2)
    else:
        low = (shared / (union + a) if kind == "leadc" else shared / union) / b**p2
    out = low / max(low.max(), 1e-12)
    first = rk.lead(shared, b, ids, int(p1))
    out[first] = 10 + int(p1) - np.arange(len(first))
    return out


def split_candidates(corpus, seed: int, args, alphas=ALPHAS):
    """One validation split, its seeds, train matrix and every seed's co-occurring songs
    (with the RP3beta walks for ``alphas``; none for the learned table's training)."""
    split = split_playlists(corpus, seed=seed, max_test_playlists=2000)
    seeds = pick_seeds(split, 5, seed)
    x = bl.track_matrix(split.train_indptr, split.train_indices, split.n_playlists)
    limits = (args.min_shared, args.min_playlists)
    return split, seeds, x, list(candidates(x, seeds.track, *limits, alphas=alphas))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("--format", default="auto")
    p.add_argument("--seed", type=int, default=200)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--min-shared", type=int, default=1)
    p.add_argument("--min-playlists", type=int, default=1)
    p.add_argument("--kinds", default="closest,rp3,lead,leadc,cover", help="which families")
    # also: step, cap, leadr, learned, budget, bar (pages aimed at the median popularity and a
    # learned hit share; not in the default run)
    p.add_argument("--stored", action="store_true", help="rank only what an index stores")
    p.add_argument("--cover-playlists", type=int, default=None, help="the seed's first N")
    p.add_argument("--artist-extras", type=int, default=DEFAULTS.artist_extras, help="stored")
    args = p.parse_args()
    corpus = read_dataset(args.dataset, args.format, progress=False)
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    present = Presentation(credits, song_ids(corpus))
    kinds = args.kinds.split(",")
    table = None
    learned = {"learned", "budget", "bar"}
    if learned & set(kinds):  # learned on the two splits after the reported
        seen, hits = [], []
        for r in range(args.repeats, args.repeats + 2):
            split, seeds, x, cands = split_candidates(corpus, args.seed + r, args, alphas=())
            for (s, ids, shared, _), p in zip(cands, seeds.playlist, strict=True):
                artist = credits.shared_with(s, ids)
                seen.append(fl.cells(shared, split.popularity[s], split.popularity[ids], artist))
                hits.append(np.isin(ids, split.test_playlists[p]))
        table = fl.fit(seen, hits)
    figures: dict[tuple[str, float, float], list[tuple[float, int, float]]] = {}
    for r in range(args.repeats):
        split, seeds, x, cands = split_candidates(corpus, args.seed + r, args)
        pop = split.popularity
        if args.stored:  # what the build stores: its Jaccard top k, extras and artist rows
            limits = dict(min_shared=args.min_shared, min_playlists=args.min_playlists)
            shape = (x.indptr, x.indices, split.n_playlists)
            built = exact_neighbours(*shape, extras=DEFAULTS.extras, progress=False, **limits)
            built = add_artist_rows(
                built, *shape, corpus.track_artist, m=args.artist_extras,
                min_playlists=args.min_playlists, credits=credits.ids,
            )  # fmt: skip
        for spec in [f for f in SCORES if f[0] in kinds or f == JACCARD]:
            ranked = np.full((len(cands), DEPTH), -1, dtype=np.int64)
            for i, (s, ids, shared, ws) in enumerate(cands):
                if args.stored and len(ids):
                    lo, hi = np.searchsorted(built.track, [s, s + 1])
                    keep = np.isin(ids, built.neighbour[lo:hi])
                    ids, shared, ws = ids[keep], shared[keep], {a: w[keep] for a, w in ws.items()}
                if len(ids):
                    b = pop[ids].astype(np.float64)
                    weight = 1 + credits.shared_with(s, ids)
                    if spec[0] == "cover":
                        mine = x[ids][:, x[s].indices[: args.cover_playlists]].tocsr()
                        best = cover_page(mine, shared, b, weight, spec[1], spec[2])
                    elif spec[0] in learned:
                        where = fl.cells(shared, float(pop[s]), b, weight > 1)
                        sc = fl.score(table, *spec, where, b)
                        best = np.lexsort((ids, -shared, -sc))[:DEPTH]
                    else:
                        sc = score(*spec, float(pop[s]), b, shared, ws, ids) * weight
                        best = np.lexsort((ids, -shared, -sc))[:DEPTH]
                    ranked[i, : len(best)] = ids[best]
            top = present.first_page(ranked, seeds.track, 10)
            row = score_rows(top, seeds.playlist, 1, seeds.coverage_sample, split)
            figures.setdefault(spec, []).append((row.hit_rate, row.coverage, row.median_popularity))
    rows_ranked = "stored rows" if args.stored else "every co-occurring song"
    print(f"{args.dataset} (splits {args.seed}..{args.seed + args.repeats - 1}, {rows_ranked})")
    ref = np.mean([f[1] for f in figures[JACCARD]])
    for (kind, p1, p2), rows in figures.items():
        hr, cov, popm = (np.mean(v) for v in itertools.islice(zip(*rows, strict=True), 3))
        print(
            f"{kind:8s} {p1:5g} {p2:5g}  HR {hr:.3f}  coverage {cov:6.0f} ({cov / ref:4.0%})"
            f"  median popularity {popm:6.1f}"
        )


if __name__ == "__main__":
    main()
