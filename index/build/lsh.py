"""Top-k neighbours from MinHash + LSH candidates, re-ranked by exact Jaccard.

Pipeline (timed per stage in ``NeighbourTable.stage_seconds``):

1. **classes**: tracks in fewer than ``min_shared`` playlists are dropped (they can share
   that many with nobody), the rest grouped by identical playlist set (``index.build.topk``).
2. **plan**: each query class's exact scan cost (playlist lengths it would walk, see
   ``index.build.exact``) is known up front. Classes whose scan costs at most ``exact_below``
   are scanned exactly, and so is everything when the expensive ones together cost less
   than computing signatures (small data). Most tracks sit in a few short playlists: their
   scan is cheaper than one pass over their LSH buckets, and MinHash cannot rank their
   low-Jaccard neighbours (0.03–0.2, close together) without far more permutations than
   the scan costs. Only the most expensive classes — popular tracks in many long
   playlists — go through LSH (per-tier figures: ``scripts/bench_lsh_tiers.py``).
3. **signatures**: datasketch-compatible MinHash (``index.build.minhash``) of every class,
   kept as the *argmin playlist* per permutation (equal minimum ⇔ equal argmin, since each
   permutation is a bijection of the 32-bit playlist hashes; colliding hashes are merged).
4. **buckets**: one band per permutation (``rows_per_band = 1``): a pair collides in a band
   with probability exactly J, which is what low-Jaccard top-K needs (two rows per band
   would square it: 0.18² ≈ 0.03). Each bucket's members are kept in popularity order.
5. **candidates**: a query counts, over all bands, how often each class shares its bucket.
   Buckets larger than ``bucket_cap`` (a playlist's many rare tracks) are capped to the
   ``bucket_cap`` members closest to the query in set size, because J(a, b) ≤
   min(|a|, |b|) / max(|a|, |b|): far-off sizes cannot be near neighbours.
6. **re-rank**: the ``rerank`` classes with most shared bands are scored exactly from the
   playlist sets; the best ``k`` are kept (Jaccard desc, shared desc, id asc).

This module is the plan (steps 1, 2) and the driver; steps 3 and 4 are
:mod:`index.build.lsh_bands`, steps 5 and 6 :mod:`index.build.lsh_candidates`. The tuning
(``num_perm``, ``bucket_cap``, ``rerank``, ``exact_below``) has its defaults and their
trade-offs in :class:`~index.build.options.BuildOptions`.
"""

from __future__ import annotations

import time

import numpy as np

from index.build.exact import MIN_BIG, run_exact_queries
from index.build.extras import expand_with_extras
from index.build.lsh_bands import bucket_classes
from index.build.lsh_candidates import rerank_candidates
from index.build.options import DEFAULTS, RERANK_FACTOR
from index.build.topk import SetClasses, eligible_rows, identical_set_classes
from index.corpus import NeighbourTable

SETUP_STEPS_PER_SCAN_STEP = 8  # a signature step (SIMD min) vs a scan step (random access)


def scan_costs(classes: SetClasses, min_shared: int, min_big: int) -> np.ndarray:
    """Memberships the exact kernel walks for each class (its long playlists skipped)."""
    pl_len = np.diff(classes.pl_indptr).astype(np.int64)
    lens = pl_len[classes.rep_indices]
    starts = classes.rep_indptr[:-1]
    total = np.add.reduceat(lens, starts) if lens.size else np.zeros(0, dtype=np.int64)
    if min_shared >= 2 and lens.size:
        longest = np.maximum.reduceat(lens, starts)
        total = total - np.where(longest >= min_big, longest, 0)
    return total


def scan_plan(cost: np.ndarray, exact_below: int, exact_budget: int) -> int:
    """The scan cost up to which queries are scanned exactly: ``exact_below``, lowered until
    the queries under it walk at most ``exact_budget`` memberships in all (0: no cap)."""
    if exact_budget <= 0 or exact_below <= 0:
        return exact_below
    under = np.sort(cost[cost <= exact_below])
    total = np.cumsum(under)
    if not len(total) or total[-1] <= exact_budget:
        return exact_below
    fits = int(np.searchsorted(total, exact_budget, side="right"))  # queries within budget
    return int(under[fits - 1]) if fits else 0


def lsh_neighbours(
    indptr: np.ndarray,
    indices: np.ndarray,
    n_playlists: int,
    *,
    k: int = DEFAULTS.k,
    min_playlists: int = DEFAULTS.min_playlists,
    min_shared: int = DEFAULTS.min_shared,
    num_perm: int = DEFAULTS.num_perm,
    bands: int | None = None,
    rows_per_band: int | None = None,
    seed: int = DEFAULTS.seed,
    progress: bool = True,
    bucket_cap: int = DEFAULTS.bucket_cap,
    rerank: int | None = DEFAULTS.rerank,
    exact_below: int = DEFAULTS.exact_below,
    exact_budget: int = 0,
    extras: int = 0,
) -> NeighbourTable:
    """Top-``k`` neighbours of every track in ≥ ``min_playlists`` playlists (module doc).

    ``bands`` × ``rows_per_band`` must equal ``num_perm`` with ``rows_per_band = 1`` (the
    only banding that keeps low-Jaccard neighbours findable; kept as parameters for the
    build's ``meta``). ``rerank`` (default ``3 * k``) candidates per query are scored
    exactly; ``exact_below`` = 0 sends every query through LSH; ``exact_budget`` > 0 caps
    the memberships the exact scan walks in all (:func:`scan_plan`). ``extras`` > 0 appends up
    to that many extra candidates after each top ``k`` (:mod:`index.build.extras`), picked
    from the same candidates.
    """
    if k < 1 or min_playlists < 1 or min_shared < 1:
        raise ValueError("k, min_playlists and min_shared must be at least 1.")
    bands = num_perm if bands is None else bands
    rows_per_band = 1 if rows_per_band is None else rows_per_band
    if rows_per_band != 1 or bands != num_perm:
        raise ValueError(
            "lsh_neighbours bands one permutation at a time: use bands=num_perm, rows_per_band=1"
        )
    rerank = RERANK_FACTOR * k if rerank is None else max(int(rerank), k)
    stages: dict[str, float] = {}
    t = time.perf_counter()
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices = np.ascontiguousarray(indices, dtype=np.int32)
    rows, q_min = eligible_rows(indptr, min_playlists, min_shared)
    classes = identical_set_classes(indptr, indices, rows)
    is_query = classes.size >= q_min
    stages["classes"] = time.perf_counter() - t

    t = time.perf_counter()
    cost = scan_costs(classes, min_shared, MIN_BIG)
    below = scan_plan(cost[is_query], exact_below, exact_budget)
    to_lsh = is_query & (cost > below)
    # Signatures and buckets cost about num_perm hash-and-min steps per membership of
    # every class, a fixed price; when scanning the expensive queries costs less than
    # that (small data), they are scanned too.
    setup_cost = num_perm * int(classes.size.sum()) // SETUP_STEPS_PER_SCAN_STEP
    if exact_below > 0 and int(cost[to_lsh].sum()) < setup_cost:
        to_lsh[:] = False
        below = exact_below
    exact_q = np.flatnonzero(is_query & ~to_lsh).astype(np.int64)
    lsh_q = np.flatnonzero(to_lsh).astype(np.int64)
    stages["plan"] = time.perf_counter() - t

    n_q = int(is_query.sum())
    q_class = np.flatnonzero(is_query).astype(np.int64)
    top_c = np.zeros((n_q, k), dtype=np.int32)
    top_s = np.zeros((n_q, k), dtype=np.int32)
    top_n = np.zeros(n_q, dtype=np.int32)
    m = int(extras)
    ex_c = np.zeros((n_q, m), dtype=np.int32)
    ex_s = np.zeros((n_q, m), dtype=np.int32)
    ex_n = np.zeros(n_q, dtype=np.int32)
    slot = np.full(classes.n_classes, -1, dtype=np.int64)
    slot[q_class] = np.arange(n_q)

    t = time.perf_counter()
    if exact_q.size:
        found = run_exact_queries(
            classes, exact_q, k, min_shared, progress, "exact scan (cheap tracks)", extras=m
        )
        at = slot[exact_q]
        for dest, got in zip((top_c, top_s, top_n, ex_c, ex_s, ex_n), found, strict=True):
            dest[at] = got
        del found
    stages["exact scan"] = time.perf_counter() - t

    if lsh_q.size:
        found = run_lsh_queries(
            classes,
            lsh_q,
            k=k,
            min_shared=min_shared,
            num_perm=num_perm,
            seed=seed,
            n_playlists=n_playlists,
            cap=bucket_cap,
            rerank=rerank,
            progress=progress,
            stages=stages,
            extras=m,
        )
        at = slot[lsh_q]
        for dest, got in zip((top_c, top_s, top_n, ex_c, ex_s, ex_n), found, strict=True):
            dest[at] = got
        del found

    t = time.perf_counter()
    table = expand_with_extras(classes, q_class, (top_c, top_s, top_n), (ex_c, ex_s, ex_n), k, m)
    stages["top-k"] = time.perf_counter() - t
    table.params = {
        "method": "lsh",
        "num_perm": num_perm,
        "bands": bands,
        "rows_per_band": rows_per_band,
        "seed": seed,
        "bucket_cap": bucket_cap,
        "rerank": rerank,
        "exact_below": exact_below,
        "exact_budget": exact_budget,
        "exact_scan_below": int(below),
        "k": k,
        "extras": m,
        "min_playlists": min_playlists,
        "min_shared": min_shared,
        "candidate_tracks": int(rows.size),
        "classes": int(classes.n_classes),
        "query_classes": n_q,
        "lsh_query_classes": int(lsh_q.size),
        "exact_query_classes": int(exact_q.size),
    }
    table.stage_seconds = stages
    return table


def run_lsh_queries(
    classes: SetClasses,
    lsh_q: np.ndarray,
    *,
    k: int,
    min_shared: int,
    num_perm: int,
    seed: int,
    n_playlists: int,
    cap: int,
    rerank: int,
    progress: bool,
    stages: dict[str, float],
    extras: int = 0,
) -> tuple[np.ndarray, ...]:
    """Signatures, buckets and candidate re-rank for the LSH-path query classes ``lsh_q``:
    their top ``k`` (classes, shared, count) and ``extras`` (the same), stages timed into
    ``stages``."""
    buckets = bucket_classes(
        classes, lsh_q, num_perm=num_perm, seed=seed, n_playlists=n_playlists, stages=stages
    )
    return rerank_candidates(
        classes,
        buckets,
        k=k,
        min_shared=min_shared,
        cap=cap,
        rerank=rerank,
        progress=progress,
        stages=stages,
        extras=extras,
    )
