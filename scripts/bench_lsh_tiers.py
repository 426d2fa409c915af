"""Where MinHash + LSH beats the exact kernel, and where it cannot: cost per query, by tier.

The lsh engine scans a query exactly when its scan cost (memberships the exact kernel would
walk, ``index.build.lsh.scan_costs``) is at most ``exact_below``, and sends it through MinHash +
LSH otherwise. This script measures both paths on the *same* sampled queries of every
scan-cost tier: wall time per query, and recall@10 of the LSH path against exact (class
level: a hit is a neighbour whose exact Jaccard reaches the exact 10th best). From that it
projects each tier's total and the best achievable split, so the choice of ``exact_below``
and the exact/lsh speed ratio rest on figures, not guesses.

    python scripts/bench_lsh_tiers.py /work/bench-data/spotify_dataset.csv --per-tier 10000

``--cache csr.npz`` keeps the ingested track → playlist matrix between runs. Both paths use
all cores (numba threads); run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.build.exact import MIN_BIG, run_exact_queries  # noqa: E402
from index.build.lsh import run_lsh_queries, scan_costs  # noqa: E402
from index.build.options import DEFAULTS  # noqa: E402
from index.build.topk import eligible_rows, identical_set_classes  # noqa: E402

TIER_EDGES = "1000,5000,20000,100000"


def load_csr(dataset: Path, cache: Path | None) -> tuple[np.ndarray, np.ndarray, int]:
    """The dataset's track → playlist CSR, from ``cache`` when it exists."""
    if cache and cache.exists():
        d = np.load(cache)
        return d["indptr"].astype(np.int64), d["indices"], int(d["n_pl"])
    from index.ingest import read_dataset

    corpus = read_dataset(dataset, progress=True)
    if cache:
        np.savez(cache, indptr=corpus.indptr, indices=corpus.indices, n_pl=corpus.n_playlists)
    return corpus.indptr.astype(np.int64), corpus.indices, corpus.n_playlists


def class_recall(size, q, ex, lsh, k: int = 10) -> float:
    """Mean recall@k of the LSH rows against the exact rows (both ``(top_c, top_s, top_n)``)."""
    hits = []
    for i, c in enumerate(q):
        n_ex = int(ex[2][i])
        if n_ex == 0:
            continue
        s_ex = ex[1][i, :n_ex].astype(np.float64)
        j_ex = np.sort(s_ex / (size[c] + size[ex[0][i, :n_ex]] - s_ex))[::-1]
        bar = j_ex[min(k, n_ex) - 1]
        n_l = min(int(lsh[2][i]), k)
        s_l = lsh[1][i, :n_l].astype(np.float64)
        j_l = s_l / (size[c] + size[lsh[0][i, :n_l]] - s_l)
        hits.append(np.count_nonzero(j_l >= bar - 1e-12) / min(k, n_ex))
    return float(np.mean(hits)) if hits else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--cache", type=Path, help="npz file to keep the ingested CSR in")
    ap.add_argument("--per-tier", type=int, default=10_000, help="queries per tier (0: all)")
    ap.add_argument("--tiers", default=TIER_EDGES, help="scan-cost edges between tiers")
    ap.add_argument("--min-cost", type=int, default=0, help="skip queries cheaper than this")
    ap.add_argument("--rerank", type=int, default=None, help="candidates re-ranked (3k)")
    ap.add_argument("--num-perm", type=int, default=DEFAULTS.num_perm)
    ap.add_argument("--bucket-cap", type=int, default=DEFAULTS.bucket_cap)
    ap.add_argument("--k", type=int, default=DEFAULTS.k)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    indptr, indices, n_pl = load_csr(args.dataset, args.cache)
    rows, q_min = eligible_rows(indptr, 2, 2)
    classes = identical_set_classes(indptr, indices, rows)
    cost = scan_costs(classes, 2, MIN_BIG)
    is_query = classes.size >= q_min
    rng = np.random.default_rng(args.seed)
    edges = [args.min_cost] + [int(x) for x in args.tiers.split(",") if int(x) > args.min_cost]
    tiers = list(zip(edges, edges[1:] + [None], strict=True))
    # The exact kernel's fixed price per call (lookup tables, counters), measured on one
    # query and taken off each tier so sampled tiers are not charged for it.
    t = time.perf_counter()
    run_exact_queries(classes, np.flatnonzero(is_query)[:1].astype(np.int64), args.k, 2, False)
    ex_fixed = time.perf_counter() - t
    print(
        f"{args.dataset}: {indptr.size - 1:,} tracks, {n_pl:,} playlists, "
        f"{int(is_query.sum()):,} query classes; {args.per_tier:,} sampled per tier, "
        f"num_perm {args.num_perm}, bucket cap {args.bucket_cap}, k {args.k}, "
        f"re-rank {args.rerank or 3 * args.k}\n"
    )
    print(
        "| scan cost per query | query classes | mean set size | exact µs/query "
        "| LSH µs/query | LSH ÷ exact | LSH recall@10 | tier total exact | tier total LSH |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    setup_s = None
    totals = {"exact": 0.0, "best": 0.0, "fastest": 0.0, "all lsh": 0.0}
    for lo, hi in tiers:
        in_tier = is_query & (cost > lo) & ((cost <= hi) if hi else True)
        members = np.flatnonzero(in_tier).astype(np.int64)
        if members.size == 0:
            continue
        n = members.size if args.per_tier <= 0 else min(args.per_tier, members.size)
        q = np.sort(rng.choice(members, n, replace=False))
        t = time.perf_counter()
        ex = run_exact_queries(classes, q, args.k, 2, progress=False)
        ex_us = max(time.perf_counter() - t - ex_fixed, 0.0) / q.size * 1e6
        stages: dict[str, float] = {}
        lsh = run_lsh_queries(
            classes,
            q,
            k=args.k,
            min_shared=2,
            num_perm=args.num_perm,
            seed=1,
            n_playlists=n_pl,
            cap=args.bucket_cap,
            rerank=args.rerank or 3 * args.k,
            progress=False,
            stages=stages,
        )
        setup_s = stages["signatures"] + stages["buckets"]
        lsh_us = stages["candidates + re-rank"] / q.size * 1e6
        rec = class_recall(classes.size, q, ex, lsh)
        tier_ex = ex_us * members.size / 1e6
        tier_lsh = lsh_us * members.size / 1e6
        totals["exact"] += tier_ex
        totals["best"] += tier_lsh if (tier_lsh < tier_ex and rec >= 0.95) else tier_ex
        totals["fastest"] += min(tier_lsh, tier_ex)
        totals["all lsh"] += tier_lsh
        label = f"({lo:,}, {hi:,}]" if hi else f"> {lo:,}"
        print(
            f"| {label} | {members.size:,} | {classes.size[members].mean():.1f} | {ex_us:,.0f} "
            f"| {lsh_us:,.0f} | {lsh_us / ex_us:.2f} | {rec:.3f} | {tier_ex:.1f} s | {tier_lsh:.1f} s |"
        )
    ex = totals["exact"]
    print(
        f"\nLSH set-up (signatures + buckets of every class, paid once): {setup_s:.1f} s.\n"
        f"Projected query time, all exact: {ex:.1f} s.\n"
        f"- each tier on its faster path where LSH keeps recall@10 ≥ 0.95, plus the set-up: "
        f"{totals['best'] + setup_s:.1f} s ({ex / (totals['best'] + setup_s):.2f}×);\n"
        f"- each tier on its faster path whatever the recall, plus the set-up: "
        f"{totals['fastest'] + setup_s:.1f} s ({ex / (totals['fastest'] + setup_s):.2f}×);\n"
        f"- every query through LSH, plus the set-up: {totals['all lsh'] + setup_s:.1f} s "
        f"({ex / (totals['all lsh'] + setup_s):.2f}×)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
