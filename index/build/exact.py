"""Exact top-k neighbours by sparse co-occurrence: the reference the LSH engine is held to.

For every query class (tracks with one playlist set, see ``index.build.topk``) the kernel walks
the classes of each of its playlists and counts co-occurrences, in parallel over queries
(numba, one counter array per thread). Plain co-occurrence costs the sum of squared
playlist lengths, dominated by the few 20k–47k-track libraries. This kernel is exact and
cheaper: a neighbour must share ``min_shared`` playlists, so by pigeonhole it shares at
least one of the query's playlists *other than* its ``min_shared - 1`` longest; those long
ones (those of ``MIN_BIG`` classes or more) are only checked for the candidates found,
against a membership bitset, never walked. Nothing is approximated.

Each pair of query classes is counted once: a query walks only the classes numbered before
it (playlists list them in that order, :mod:`index.build.exact_layout`) and offers each
pair to both lists, the other one's through a buffer (:mod:`index.build.exact_heaps`).
That halves the random counter increments. Offering is dearer than counting: a list's
insertion costs a search and a shift, and in the order candidates are found most would
later be pushed out again. So a query first bounds its own offers
(:func:`~index.build.exact_heaps.local_bounds`: the k-th best Jaccard and the k + m-th
best shared count among them) and offers its own lists only those that reach one bound
(figures: docs/research/benchmark-notes.md, "The exact scan's offers").
"""

from __future__ import annotations

import time

import numpy as np

from index.build.exact_heaps import (
    apply_offers,
    apply_scratch,
    extras_from_pool,
    local_bounds,
    new_lists,
    offer_both,
)
from index.build.exact_layout import MAX_BIG, MIN_BIG, _walk_keys, cooccurrence_index  # noqa: F401
from index.build.extras import expand_with_extras
from index.build.options import DEFAULTS
from index.build.topk import (
    SetClasses,
    eligible_rows,
    identical_set_classes,
)
from index.corpus import NeighbourTable
from index.jit import numba
from index.progress import progress as progress_display

BATCHES = 40  # progress updates per run; each batch is one parallel kernel call or more
OFFER_BUFFER = 3_000_000  # offers buffered per thread between two kernel calls (16 B each)


@numba.njit(cache=True, nogil=True)
def _longest_big(rep_indices, lo, hi, pl_len, big_slot, n_skip, skip):  # pragma: no cover
    """Fill ``skip`` with up to ``n_skip`` of the set's longest *big* playlists (those with
    a membership bitset); returns how many."""
    n = 0
    if n_skip <= 0:
        return 0
    for j in range(lo, hi):
        p = rep_indices[j]
        if big_slot[p] < 0:
            continue
        ln = pl_len[p]
        if n < n_skip:
            pos = n
            n += 1
        elif ln > pl_len[skip[n - 1]]:
            pos = n - 1
        else:
            continue
        while pos > 0 and pl_len[skip[pos - 1]] < ln:
            skip[pos] = skip[pos - 1]
            pos -= 1
        skip[pos] = p
    return n


@numba.njit(cache=True, nogil=True)
def exact_query(
    q, c, min_shared, rep_indptr, rep_indices, pl_indptr, pl_items, pl_len, info, item_of,
    big_slot, big_bits, cnt, base, cands, cand_s, cand_d, best_j, best_s, skip, lists, k, m,
    buf_q, buf_c, buf_s, buf_d, fill,
):  # fmt: skip  # pragma: no cover - numba
    """Count class ``c`` (query slot ``q``) against every class numbered before it, offer
    each pair sharing ``min_shared`` playlists to ``c``'s lists and, when the other class
    is a query too, to the buffer ``buf_*[:fill]`` for its lists (see
    :mod:`index.build.exact_heaps`); returns the new ``fill``.

    ``pl_items`` holds *item* ids (classes renumbered by popularity so the counters that
    are hit most stay in cache), ascending per playlist; ``info[u]`` is item ``u``'s class,
    set size and query slot (-1: not a query), one cache line for the three.
    Counters are stamped: ``cnt[u] - base`` is this query's count when ``cnt[u] >= base``
    (older queries used smaller bases), so nothing has to be reset between queries and the
    walk is branch-free.
    """
    lo, hi = rep_indptr[c], rep_indptr[c + 1]
    n_skip = _longest_big(rep_indices, lo, hi, pl_len, big_slot, min_shared - 1, skip)
    need = max(min_shared - n_skip, 1)
    mine = item_of[c]  # walk only the classes numbered before this one
    nc = 0
    for j in range(lo, hi):
        p = rep_indices[j]
        skipped = False
        for i in range(n_skip):
            if skip[i] == p:
                skipped = True
        if skipped:
            continue
        for x in range(pl_indptr[p], pl_indptr[p + 1]):
            u = pl_items[x]
            if u >= mine:
                break
            v = max(np.int64(cnt[u]), base) + 1
            cnt[u] = v
            if v - base == need:
                cands[nc] = u
                nc += 1
    size_c = hi - lo
    n = 0  # the candidates that share min_shared playlists, with their counts and unions
    for i in range(nc):
        u = cands[i]
        s = np.int64(cnt[u]) - base
        for sk in range(n_skip):
            slot = big_slot[skip[sk]]
            if (big_bits[slot, u >> 6] >> np.uint64(u & 63)) & np.uint64(1):
                s += 1
        if s < min_shared:
            continue
        cands[n] = u
        cand_s[n] = s
        cand_d[n] = size_c + info[u, 1] - s
        n += 1
    j_min, s_min = local_bounds(cand_s, cand_d, n, k, m, best_j, best_s)
    for i in range(n):
        u = cands[i]
        s = cand_s[i]
        d = cand_d[i]
        if s / d >= j_min or s >= s_min:
            offer_both(q, info[u, 0], s, d, lists, k, m)
        if info[u, 2] >= 0:
            buf_q[fill] = info[u, 2]
            buf_c[fill] = c
            buf_s[fill] = s
            buf_d[fill] = d
            fill += 1
    return fill


@numba.njit(cache=True, parallel=True)
def _exact_batch(
    visit, q_class, next_pos, chunk_end, min_shared, rep_indptr, rep_indices, pl_indptr,
    pl_items, pl_len, info, item_of, big_slot, big_bits, scratch_cnt, stamps, shift,
    scratch_cands, scratch_s, scratch_d, lists, k, m, buf_q, buf_c, buf_s, buf_d, fill,
):  # fmt: skip  # pragma: no cover
    """Run the queries ``visit[next_pos[i]:chunk_end[i]]`` of each chunk ``i`` until its
    thread's offer buffer could overflow; ``next_pos`` says where each chunk stopped."""
    n_chunks = next_pos.size
    cap = buf_q.shape[1]
    max_stamp = (np.int64(1) << (8 * scratch_cnt.itemsize - shift)) - 2
    for chunk in numba.prange(n_chunks):
        tid = numba.get_thread_id()
        cnt = scratch_cnt[tid]
        cands = scratch_cands[tid]
        skip = np.empty(max(min_shared - 1, 1), dtype=np.int64)
        best_j = np.empty(k, dtype=np.float64)
        best_s = np.empty(k + m, dtype=np.int64)
        pos = next_pos[chunk]
        while pos < chunk_end[chunk]:
            q = visit[pos]
            c = q_class[q]
            bound = 0  # offers this query can buffer at most: one per counter it touches
            for j in range(rep_indptr[c], rep_indptr[c + 1]):
                bound += pl_len[rep_indices[j]]
            if fill[tid] > 0 and fill[tid] + min(bound, cap) > cap:
                break
            stamps[tid] += 1
            if stamps[tid] > max_stamp:
                cnt[:] = 0
                stamps[tid] = 1
            fill[tid] = exact_query(
                q, c, min_shared, rep_indptr, rep_indices, pl_indptr, pl_items, pl_len, info,
                item_of, big_slot, big_bits, cnt, stamps[tid] << shift, cands,
                scratch_s[tid], scratch_d[tid], best_j, best_s, skip, lists, k, m,
                buf_q[tid], buf_c[tid], buf_s[tid], buf_d[tid], fill[tid],
            )  # fmt: skip
            pos += 1
        next_pos[chunk] = pos


def exact_neighbours(
    indptr: np.ndarray,
    indices: np.ndarray,
    n_playlists: int,
    *,
    k: int = DEFAULTS.k,
    min_playlists: int = DEFAULTS.min_playlists,
    min_shared: int = DEFAULTS.min_shared,
    extras: int = 0,
    progress: bool = True,
) -> NeighbourTable:
    """Exact top-``k`` neighbours of every track in at least ``min_playlists`` playlists.

    A neighbour shares at least ``min_shared`` playlists; order is Jaccard desc, shared
    desc, neighbour id asc. Tracks with identical sets are each other's neighbours (J=1).
    ``extras`` > 0 appends up to that many extra candidates after each top ``k``
    (:mod:`index.build.extras`; the build passes ``BuildOptions.extras``).
    """
    if k < 1 or min_playlists < 1 or min_shared < 1:
        raise ValueError("k, min_playlists and min_shared must be at least 1.")
    stages: dict[str, float] = {}
    t = time.perf_counter()
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices = np.ascontiguousarray(indices, dtype=np.int32)
    rows, q_min = eligible_rows(indptr, min_playlists, min_shared)
    classes = identical_set_classes(indptr, indices, rows)
    q_class = np.flatnonzero(classes.size >= q_min).astype(np.int64)
    stages["classes"] = time.perf_counter() - t

    t = time.perf_counter()
    found = run_exact_queries(classes, q_class, k, min_shared, progress, extras=extras)
    stages["co-occurrence"] = time.perf_counter() - t

    t = time.perf_counter()
    table = expand_with_extras(classes, q_class, found[:3], found[3:], k, extras)
    del found
    stages["top-k"] = time.perf_counter() - t
    table.params = {
        "method": "exact",
        "num_perm": 0,
        "bands": 0,
        "rows_per_band": 0,
        "k": k,
        "extras": extras,
        "min_playlists": min_playlists,
        "min_shared": min_shared,
        "candidate_tracks": int(rows.size),
        "classes": int(classes.n_classes),
        "query_classes": int(q_class.size),
        "n_playlists": int(n_playlists),
    }
    table.stage_seconds = stages
    return table


# Counter words by the set sizes they serve: (largest size + 1, dtype, bits of count). The
# rest of a word is the query's stamp (see exact_query); a 16-bit word halves the cache
# footprint of the counters that nearly every query uses (sets under 64 playlists), at the
# price of clearing them every 1,022 queries.
COUNTER_TIERS = ((64, np.uint16, 6), (65535, np.uint32, 16), (2**32, np.uint64, 32))


def counter_tiers(sizes: np.ndarray) -> tuple[np.ndarray, list[tuple[type, int]]]:
    """Each query's counter tier (index into the returned ``(dtype, shift)`` list)."""
    limits = np.array([t[0] for t in COUNTER_TIERS], dtype=np.int64)
    tier_of = np.searchsorted(limits, np.asarray(sizes, dtype=np.int64), side="right")
    return tier_of.astype(np.int64), [(t[1], t[2]) for t in COUNTER_TIERS]


def run_exact_queries(
    classes: SetClasses,
    q_class: np.ndarray,
    k: int,
    min_shared: int,
    progress: bool,
    desc: str = "exact neighbours",
    *,
    extras: int = 0,
):
    """Exact top-``k`` classes of each query class and their ``extras`` best others by
    shared playlists (:mod:`index.build.extras`): ``(top_cls, top_shared, top_n, ex_cls,
    ex_shared, ex_n)``.

    Each pair of queries is counted once, by the one numbered later, and offered to both
    (:mod:`index.build.exact_heaps`): half the counter increments of a scan per query."""
    n_q = q_class.size
    m = int(extras)
    lists = new_lists(n_q, k, m, classes.size)
    top_c, top_s, top_d, top_n, sh_c, sh_s, sh_d, _, sh_n, thr = lists
    if n_q == 0:
        return top_c, top_s, top_n, sh_c, sh_s, sh_n
    q_class = np.asarray(q_class, dtype=np.int64)
    n = classes.n_classes
    is_query = np.zeros(n, dtype=bool)
    is_query[q_class] = True
    co = cooccurrence_index(classes, is_query)
    info = np.full((n, 4), -1, dtype=np.int32)  # per item: class, set size, query slot, pad
    info[:, 0] = co.item_class
    info[:, 1] = co.item_size
    info[co.item_of[q_class], 2] = np.arange(n_q, dtype=np.int32)
    item_of = co.item_of.astype(np.int64)
    n_threads = numba.get_num_threads()
    cands, cand_s, cand_d = (np.empty((n_threads, n), dtype=np.int32) for _ in range(3))
    cap = max(OFFER_BUFFER, n)  # one query alone always fits (a pair per other class)
    buf = [np.empty((n_threads, cap), dtype=np.int32) for _ in range(4)]
    fill = np.zeros(n_threads, dtype=np.int64)
    scratch = apply_scratch(n_q, n_threads, cap)
    # Visit queries by counter width (see counter_tiers), then grouped by the longest
    # playlist they walk: that list and its members' counters stay in cache from one query
    # to the next.
    keys = _walk_keys(q_class, classes.rep_indptr, classes.rep_indices, co.pl_len, co.big_slot)
    tier_of, tiers = counter_tiers(classes.size[q_class])
    visit = np.lexsort((keys, tier_of)).astype(np.int64)
    tier_end = np.searchsorted(tier_of[visit], np.arange(len(tiers)), side="right")
    bounds = np.linspace(0, n_q, min(BATCHES, -(-n_q // 5000)) + 1).astype(np.int64)
    n_chunks = 64 * n_threads
    with progress_display(n_q, desc, unit="track", enabled=progress) as bar:
        for (dtype, shift), t_lo, t_hi in zip(
            tiers, np.r_[0, tier_end[:-1]], tier_end, strict=True
        ):
            if t_lo == t_hi:
                continue
            cnt = np.zeros((n_threads, n), dtype=dtype)  # fresh counters and stamps per width
            stamps = np.zeros(n_threads, dtype=np.int64)
            cuts = np.unique(np.clip(bounds, t_lo, t_hi))
            for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
                edges = np.linspace(lo, hi, n_chunks + 1).astype(np.int64)
                next_pos = edges[:-1].copy()
                while True:
                    _exact_batch(
                        visit, q_class, next_pos, edges[1:], min_shared,
                        classes.rep_indptr, classes.rep_indices, classes.pl_indptr,
                        co.pl_items, co.pl_len, info, item_of, co.big_slot, co.big_bits,
                        cnt, stamps, shift, cands, cand_s, cand_d, lists, k, m, *buf, fill,
                    )  # fmt: skip
                    apply_offers(*buf, fill, lists, k, m, *scratch)
                    fill[:] = 0
                    if np.array_equal(next_pos, edges[1:]):
                        break
                bar.update(int(hi - lo))
            del cnt
    del buf, cands, cand_s, cand_d, info, scratch
    del lists, top_d, sh_d, thr  # before the extras are copied out: the scan's peak
    if m > 0:
        extras_from_pool(sh_c, sh_s, sh_n, top_c, top_n, m)
    return top_c, top_s, top_n, sh_c[:, :m].copy(), sh_s[:, :m].astype(np.int32), sh_n
