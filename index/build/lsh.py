"""Top-k neighbours from MinHash + LSH candidates, re-ranked by exact Jaccard.

Pipeline (timed per stage in ``NeighbourTable.stage_seconds``):

1. **classes**: tracks in fewer than ``min_shared`` playlists are dropped (they can share
   that many with nobody), the rest grouped by identical playlist set (``index.topk``).
2. **plan**: each query class's exact scan cost (playlist lengths it would walk, see
   ``index.exact``) is known up front. Classes whose scan costs at most ``exact_below``
   are scanned exactly, and so is everything when the expensive ones together cost less
   than computing signatures (small data). Most tracks sit in a few short playlists: their
   scan is cheaper than one pass over their LSH buckets, and MinHash cannot rank their
   low-Jaccard neighbours (0.03–0.2, close together) without far more permutations than
   the scan costs. Only the most expensive classes — popular tracks in many long
   playlists — go through LSH (per-tier figures: ``scripts/bench_lsh_tiers.py``).
3. **signatures**: datasketch-compatible MinHash (``index.minhash``) of every class, kept
   as the *argmin playlist* per permutation (equal minimum ⇔ equal argmin, since each
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
"""

from __future__ import annotations

import time

import numba
import numpy as np
from tqdm import tqdm

from index.corpus import NeighbourTable
from index.build.exact import run_exact_queries
from index.build.jaccard import count_marked
from index.build.minhash import element_hashes, permutations
from index.build.topk import (
    SetClasses,
    eligible_rows,
    expand_to_tracks,
    identical_set_classes,
    offer,
)

DEFAULT_NUM_PERM = 128
DEFAULT_BUCKET_CAP = 256
DEFAULT_RERANK_FACTOR = 3  # exact re-rank of rerank_factor * k best candidates
# Scan cost (memberships walked) up to which a query is scanned exactly. Per query, LSH is
# cheaper than the scan above about 5,000, but its recall@10 there is only 0.5-0.6: the
# neighbour Jaccards of mid-popular tracks (0.1-0.2) are too close together for 128 one-row
# bands to rank. Above 40,000 (about 12k popular tracks, set size 70+) LSH is 10x cheaper
# and its recall 0.75-0.9; tracks in 20+ playlists keep recall@10 0.97 overall.
# Figures: scripts/bench_lsh_tiers.py, docs/BENCHMARKS.md.
DEFAULT_EXACT_BELOW = 40_000
BATCHES = 40
SETUP_STEPS_PER_SCAN_STEP = 8  # a signature step (SIMD min) vs a scan step (random access)
PERM_SLICE = 16  # permutations hashed and bucketed together (memory: 16 × classes int32)


def playlist_hashes(n_playlists: int) -> tuple[np.ndarray, np.ndarray]:
    """Pre-mixed datasketch hashes of every playlist id, and each id's canonical id.

    The canonical id is the smallest playlist with the same 32-bit hash (a few collide
    among hundreds of thousands), so bucketing by canonical argmin equals bucketing by
    the MinHash value itself.
    """
    h = element_hashes(n_playlists)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    first = np.ones(hs.size, dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    run_head = order[np.maximum.accumulate(np.where(first, np.arange(hs.size), 0))]
    canon = np.empty(n_playlists, dtype=np.int32)
    canon[order] = run_head
    return h, canon


@numba.njit(cache=True, parallel=True)
def _argmin_playlists(rep_indptr, rep_indices, item_class, hashes, canon, a, b, out):
    # pragma: no cover - numba
    """``out[k, i]`` = canonical playlist holding item i's k-th MinHash value.

    Band-major output (one contiguous row per permutation) is what bucketing reads;
    items are processed in blocks so the writes stay contiguous too.
    """
    num_perm = a.size
    n_items = item_class.size
    block = 256
    for blk in numba.prange((n_items + block - 1) // block):
        i0 = blk * block
        i1 = min(n_items, i0 + block)
        best = np.empty(num_perm, dtype=np.uint32)
        arg = np.empty((num_perm, i1 - i0), dtype=np.int32)
        for i in range(i0, i1):
            c = item_class[i]
            best[:] = np.uint32(0xFFFFFFFF)
            for j in range(rep_indptr[c], rep_indptr[c + 1]):
                p = rep_indices[j]
                h = np.uint64(hashes[p])
                for k in range(num_perm):
                    v = np.uint32((a[k] * h + b[k]) & np.uint64(0xFFFFFFFF))
                    if v < best[k]:
                        best[k] = v
                        arg[k, i - i0] = p
        for k in range(num_perm):
            for i in range(i0, i1):
                out[k, i] = canon[arg[k, i - i0]]


@numba.njit(cache=True, parallel=True)
def _build_buckets(argmins, n_playlists, ptr, members):  # pragma: no cover - numba
    """Per band: counting sort of items by argmin playlist, items ascending per bucket."""
    n_bands, n_items = argmins.shape
    for k in numba.prange(n_bands):
        row = argmins[k]
        counts = np.zeros(n_playlists + 1, dtype=np.int32)
        for i in range(n_items):
            counts[row[i] + 1] += 1
        for p in range(n_playlists):
            counts[p + 1] += counts[p]
        for p in range(n_playlists + 1):
            ptr[k, p] = counts[p]
        for i in range(n_items):
            p = row[i]
            members[k, counts[p]] = i
            counts[p] += 1


@numba.njit(cache=True, nogil=True)
def _lower_bound(arr, lo, hi, value):  # pragma: no cover - numba
    while lo < hi:
        mid = (lo + hi) >> 1
        if arr[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def lsh_query(
    q_item,
    q_argmins,
    k,
    min_shared,
    cap,
    rerank,
    ptr,
    members,
    item_class,
    rep_indptr,
    rep_indices,
    size,
    cnt,
    touched,
    mark,
    hist,
    top_j,
    top_s,
    top_c,
):
    # pragma: no cover - numba
    """Top-``k`` classes for one query item from its buckets; returns how many."""
    n_bands = q_argmins.size
    nt = 0
    for b in range(n_bands):
        p = q_argmins[b]
        lo = ptr[b, p]
        hi = ptr[b, p + 1]
        if hi - lo > cap:
            # Cap by set size: the cap members nearest the query in popularity order.
            pos = _lower_bound(members[b], lo, hi, q_item)
            wlo = max(lo, pos - cap // 2)
            whi = min(hi, wlo + cap)
            lo = max(lo, whi - cap)
            hi = whi
        for x in range(lo, hi):
            u = members[b, x]
            touched[nt] = u
            nt += cnt[u] == 0
            cnt[u] += 1
    # Keep the ``rerank`` candidates sharing most bands, ordered by that count (counting
    # sort), so the best ones are scored first and the size bound below prunes the rest.
    hist[:] = 0
    for i in range(nt):
        u = touched[i]
        if u != q_item:
            hist[cnt[u]] += 1
    n_bands1 = n_bands + 1
    start = np.empty(n_bands1 + 1, dtype=np.int64)
    taken = 0
    start[n_bands1] = 0
    for bc in range(n_bands, 0, -1):
        start[bc] = taken
        take = min(hist[bc], rerank - taken)
        hist[bc] = take  # how many of this count may still be taken
        taken += take
    order = np.empty(taken, dtype=np.int64)
    for i in range(nt):
        u = touched[i]
        bc = cnt[u]
        cnt[u] = 0
        if u == q_item or hist[bc] == 0:
            continue
        hist[bc] -= 1
        order[start[bc]] = u
        start[bc] += 1

    c = item_class[q_item]
    size_c = size[c]
    for j in range(rep_indptr[c], rep_indptr[c + 1]):
        mark[rep_indices[j]] = True
    n = 0
    for i in range(taken):
        uc = item_class[order[i]]
        size_u = size[uc]
        # J <= min/max of the set sizes: skip a candidate that cannot enter the top k.
        if n == k and min(size_c, size_u) / max(size_c, size_u) < top_j[k - 1]:
            continue
        s = count_marked(rep_indptr, rep_indices, uc, mark)
        if s < min_shared:
            continue
        jac = s / (size_c + size_u - s)
        n = offer(top_j, top_s, top_c, n, k, jac, s, uc)
    for j in range(rep_indptr[c], rep_indptr[c + 1]):
        mark[rep_indices[j]] = False
    return n


@numba.njit(cache=True, parallel=True)
def _lsh_batch(
    q_items,
    q_argmins,
    q_lo,
    q_hi,
    k,
    min_shared,
    cap,
    rerank,
    ptr,
    members,
    item_class,
    rep_indptr,
    rep_indices,
    size,
    scratch_cnt,
    scratch_touched,
    scratch_mark,
    out_c,
    out_s,
    out_n,
):  # pragma: no cover - numba
    n_chunks = 64 * scratch_cnt.shape[0]
    for chunk in numba.prange(n_chunks):
        tid = numba.get_thread_id()
        cnt = scratch_cnt[tid]
        touched = scratch_touched[tid]
        mark = scratch_mark[tid]
        hist = np.zeros(q_argmins.shape[1] + 1, dtype=np.int64)
        top_j = np.empty(k, dtype=np.float64)
        top_s = np.empty(k, dtype=np.int64)
        top_c = np.empty(k, dtype=np.int64)
        for q in range(q_lo + chunk, q_hi, n_chunks):
            n = lsh_query(
                q_items[q],
                q_argmins[q],
                k,
                min_shared,
                cap,
                rerank,
                ptr,
                members,
                item_class,
                rep_indptr,
                rep_indices,
                size,
                cnt,
                touched,
                mark,
                hist,
                top_j,
                top_s,
                top_c,
            )
            out_n[q] = n
            for i in range(n):
                out_c[q, i] = top_c[i]
                out_s[q, i] = top_s[i]


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


def lsh_neighbours(
    indptr: np.ndarray,
    indices: np.ndarray,
    n_playlists: int,
    *,
    k: int = 30,
    min_playlists: int = 2,
    min_shared: int = 2,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int | None = None,
    rows_per_band: int | None = None,
    seed: int = 1,
    progress: bool = True,
    bucket_cap: int = DEFAULT_BUCKET_CAP,
    rerank: int | None = None,
    exact_below: int = DEFAULT_EXACT_BELOW,
) -> NeighbourTable:
    """Top-``k`` neighbours of every track in ≥ ``min_playlists`` playlists (module doc).

    ``bands`` × ``rows_per_band`` must equal ``num_perm`` with ``rows_per_band = 1`` (the
    only banding that keeps low-Jaccard neighbours findable; kept as parameters for the
    build's ``meta``). ``rerank`` (default ``3 * k``) candidates per query are scored
    exactly; ``exact_below`` = 0 sends every query through LSH.
    """
    if k < 1 or min_playlists < 1 or min_shared < 1:
        raise ValueError("k, min_playlists and min_shared must be at least 1")
    bands = num_perm if bands is None else bands
    rows_per_band = 1 if rows_per_band is None else rows_per_band
    if rows_per_band != 1 or bands != num_perm:
        raise ValueError(
            "lsh_neighbours bands one permutation at a time: use bands=num_perm, rows_per_band=1"
        )
    rerank = DEFAULT_RERANK_FACTOR * k if rerank is None else max(int(rerank), k)
    from index.build.exact import MIN_BIG

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
    to_lsh = is_query & (cost > exact_below)
    # Signatures and buckets cost about num_perm hash-and-min steps per membership of
    # every class, a fixed price; when scanning the expensive queries costs less than
    # that (small data), they are scanned too.
    setup_cost = num_perm * int(classes.size.sum()) // SETUP_STEPS_PER_SCAN_STEP
    if exact_below > 0 and int(cost[to_lsh].sum()) < setup_cost:
        to_lsh[:] = False
    exact_q = np.flatnonzero(is_query & ~to_lsh).astype(np.int64)
    lsh_q = np.flatnonzero(to_lsh).astype(np.int64)
    stages["plan"] = time.perf_counter() - t

    n_q = int(is_query.sum())
    q_class = np.flatnonzero(is_query).astype(np.int64)
    top_c = np.zeros((n_q, k), dtype=np.int32)
    top_s = np.zeros((n_q, k), dtype=np.int32)
    top_n = np.zeros(n_q, dtype=np.int32)
    slot = np.full(classes.n_classes, -1, dtype=np.int64)
    slot[q_class] = np.arange(n_q)

    t = time.perf_counter()
    if exact_q.size:
        ec, es, en = run_exact_queries(
            classes, exact_q, k, min_shared, progress, desc="exact scan (cheap tracks)"
        )
        top_c[slot[exact_q]], top_s[slot[exact_q]], top_n[slot[exact_q]] = ec, es, en
        del ec, es, en
    stages["exact scan"] = time.perf_counter() - t

    if lsh_q.size:
        lc, ls, ln = _lsh_queries(
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
        )
        top_c[slot[lsh_q]], top_s[slot[lsh_q]], top_n[slot[lsh_q]] = lc, ls, ln
        del lc, ls, ln

    t = time.perf_counter()
    table = expand_to_tracks(classes, q_class, top_c, top_s, top_n, k)
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
        "k": k,
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


def _lsh_queries(
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
):
    """Signatures, buckets and candidate re-rank for the LSH-path query classes."""
    t = time.perf_counter()
    n = classes.n_classes
    n_pl = max(n_playlists, int(classes.rep_indices.max()) + 1 if classes.rep_indices.size else 0)
    # Items: classes in popularity order (largest sets first), as in index.exact.
    item_class = np.argsort(-classes.size, kind="stable").astype(np.int64)
    item_of = np.empty(n, dtype=np.int64)
    item_of[item_class] = np.arange(n)
    hashes, canon = playlist_hashes(n_pl)
    a, b = permutations(num_perm, seed)
    a = a.astype(np.uint64)
    b = b.astype(np.uint64)
    q_items = item_of[lsh_q]
    q_argmins = np.empty((q_items.size, num_perm), dtype=np.int32)
    ptr = np.empty((num_perm, n_pl + 1), dtype=np.int32)
    members = np.empty((num_perm, n), dtype=np.int32)
    # Signatures in slices of permutations, each bucketed at once, so only one slice of
    # argmins (not num_perm × classes of them) is ever held next to the buckets.
    sig_s = bucket_s = 0.0
    for k0 in range(0, num_perm, PERM_SLICE):
        k1 = min(num_perm, k0 + PERM_SLICE)
        t0 = time.perf_counter()
        argmins = np.empty((k1 - k0, n), dtype=np.int32)
        _argmin_playlists(
            classes.rep_indptr,
            classes.rep_indices,
            item_class,
            hashes,
            canon,
            a[k0:k1].copy(),
            b[k0:k1].copy(),
            argmins,
        )
        t1 = time.perf_counter()
        _build_buckets(argmins, n_pl, ptr[k0:k1], members[k0:k1])
        q_argmins[:, k0:k1] = argmins[:, q_items].T
        del argmins
        sig_s += t1 - t0
        bucket_s += time.perf_counter() - t1
    stages["signatures"] = sig_s + (time.perf_counter() - t - sig_s - bucket_s)
    stages["buckets"] = bucket_s

    t = time.perf_counter()
    n_q = lsh_q.size
    top_c = np.zeros((n_q, k), dtype=np.int32)
    top_s = np.zeros((n_q, k), dtype=np.int32)
    top_n = np.zeros(n_q, dtype=np.int32)
    n_threads = numba.get_num_threads()
    cnt_type = np.uint16 if num_perm < 65535 else np.int32
    cnt = np.zeros((n_threads, n), dtype=cnt_type)
    # A walk visits at most ``cap`` members per band, so this bounds the distinct ones.
    touched = np.empty((n_threads, min(n, num_perm * max(cap, 1)) + 1), dtype=np.int32)
    mark = np.zeros((n_threads, n_pl), dtype=np.bool_)
    bounds = np.linspace(0, n_q, min(BATCHES, -(-n_q // 5000)) + 1).astype(np.int64)
    with tqdm(
        total=n_q,
        desc="LSH candidates + exact re-rank",
        unit="track",
        disable=not progress,
        leave=False,
    ) as bar:
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            _lsh_batch(
                q_items,
                q_argmins,
                lo,
                hi,
                k,
                min_shared,
                cap,
                rerank,
                ptr,
                members,
                item_class,
                classes.rep_indptr,
                classes.rep_indices,
                classes.size,
                cnt,
                touched,
                mark,
                top_c,
                top_s,
                top_n,
            )
            bar.update(int(hi - lo))
    stages["candidates + re-rank"] = time.perf_counter() - t
    return top_c, top_s, top_n
