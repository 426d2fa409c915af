"""Exact top-k neighbours by sparse co-occurrence: the reference the LSH engine is held to.

For every query class (tracks with one playlist set, see ``index.build.topk``) the kernel walks
the classes of each of its playlists and counts co-occurrences, in parallel over queries
(numba, one counter array per thread). Plain co-occurrence costs the sum of squared
playlist lengths, dominated by the few 20k–47k-track libraries. This kernel is exact and
cheaper: a neighbour must share ``min_shared`` playlists, so by pigeonhole it shares at
least one of the query's playlists *other than* its ``min_shared - 1`` longest; those long
ones (those of ``MIN_BIG`` classes or more) are only checked for the candidates found,
against a membership bitset, never walked. Nothing is approximated.
"""

from __future__ import annotations

import time

import numpy as np

from index.build.exact_layout import MAX_BIG, MIN_BIG, _walk_keys, cooccurrence_index  # noqa: F401
from index.build.extras import drop_top, expand_with_extras, offer_shared
from index.build.options import DEFAULTS
from index.build.topk import (
    SetClasses,
    eligible_rows,
    identical_set_classes,
    offer,
)
from index.corpus import NeighbourTable
from index.jit import numba
from index.progress import progress as progress_display

BATCHES = 40  # progress updates per run; each batch is one parallel kernel call


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
    c,
    k,
    min_shared,
    rep_indptr,
    rep_indices,
    pl_indptr,
    pl_items,
    pl_len,
    item_size,
    item_class,
    big_slot,
    big_bits,
    cnt,
    base,
    cands,
    skip,
    top_j,
    top_s,
    top_c,
    m,
    ex_j,
    ex_s,
    ex_c,
):  # pragma: no cover - numba
    """Top-``k`` other classes of class ``c`` into ``top_*`` and, with ``m`` > 0, the ``m``
    classes sharing most playlists that are not among them into ``ex_*`` (scratch of
    ``k + m``; :mod:`index.build.extras`). Returns how many of each were found.

    ``pl_items`` holds *item* ids (classes renumbered by popularity so the counters that
    are hit most stay in cache); ``item_class`` maps them back. Counters are stamped:
    ``cnt[u] - base`` is this query's count when ``cnt[u] >= base`` (older queries used
    smaller bases), so nothing has to be reset between queries and the walk is branch-free.
    """
    lo, hi = rep_indptr[c], rep_indptr[c + 1]
    n_skip = _longest_big(rep_indices, lo, hi, pl_len, big_slot, min_shared - 1, skip)
    need = max(min_shared - n_skip, 1)
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
            v = max(np.int64(cnt[u]), base) + 1
            cnt[u] = v
            if v - base == need:
                cands[nc] = u
                nc += 1
    n = 0
    n_ex = 0
    size_c = rep_indptr[c + 1] - rep_indptr[c]
    for i in range(nc):
        u = cands[i]
        s = np.int64(cnt[u]) - base
        for sk in range(n_skip):
            slot = big_slot[skip[sk]]
            if (big_bits[slot, u >> 6] >> np.uint64(u & 63)) & np.uint64(1):
                s += 1
        if s < min_shared:
            continue
        uc = item_class[u]
        if uc == c:
            continue
        jac = s / (size_c + item_size[u] - s)
        n = offer(top_j, top_s, top_c, n, k, jac, s, uc)
        if m > 0:
            n_ex = offer_shared(ex_j, ex_s, ex_c, n_ex, k + m, jac, s, uc)
    if m > 0:
        n_ex = drop_top(ex_j, ex_s, ex_c, n_ex, top_c, n, m)
    return n, n_ex


@numba.njit(cache=True, parallel=True)
def _exact_batch(
    q_class,
    q_lo,
    q_hi,
    k,
    min_shared,
    rep_indptr,
    rep_indices,
    pl_indptr,
    pl_items,
    pl_len,
    item_size,
    item_class,
    big_slot,
    big_bits,
    scratch_cnt,
    stamps,
    shift,
    scratch_cands,
    out_c,
    out_s,
    out_n,
    m,
    out_ec,
    out_es,
    out_en,
):  # pragma: no cover
    n_chunks = 64 * scratch_cnt.shape[0]
    max_stamp = (np.int64(1) << (8 * scratch_cnt.itemsize - shift)) - 2
    for chunk in numba.prange(n_chunks):
        tid = numba.get_thread_id()
        cnt = scratch_cnt[tid]
        cands = scratch_cands[tid]
        skip = np.empty(max(min_shared - 1, 1), dtype=np.int64)
        top_j = np.empty(k, dtype=np.float64)
        top_s = np.empty(k, dtype=np.int64)
        top_c = np.empty(k, dtype=np.int64)
        ex_j = np.empty(k + m, dtype=np.float64)
        ex_s = np.empty(k + m, dtype=np.int64)
        ex_c = np.empty(k + m, dtype=np.int64)
        # Consecutive queries (sorted by their longest walked playlist, see
        # run_exact_queries) walk the same lists and counters: keep them together.
        step = (q_hi - q_lo + n_chunks - 1) // n_chunks
        for q in range(q_lo + chunk * step, min(q_hi, q_lo + (chunk + 1) * step)):
            stamps[tid] += 1
            if stamps[tid] > max_stamp:
                cnt[:] = 0
                stamps[tid] = 1
            base = stamps[tid] << shift
            n, n_ex = exact_query(
                q_class[q],
                k,
                min_shared,
                rep_indptr,
                rep_indices,
                pl_indptr,
                pl_items,
                pl_len,
                item_size,
                item_class,
                big_slot,
                big_bits,
                cnt,
                base,
                cands,
                skip,
                top_j,
                top_s,
                top_c,
                m,
                ex_j,
                ex_s,
                ex_c,
            )
            out_n[q] = n
            for i in range(n):
                out_c[q, i] = top_c[i]
                out_s[q, i] = top_s[i]
            out_en[q] = n_ex
            for i in range(n_ex):
                out_ec[q, i] = ex_c[i]
                out_es[q, i] = ex_s[i]


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
        raise ValueError("k, min_playlists and min_shared must be at least 1")
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
    ex_shared, ex_n)``."""
    n_q = q_class.size
    m = int(extras)
    if n_q == 0:
        empty = np.zeros(0, np.int32)
        return (
            np.zeros((0, k), np.int32),
            np.zeros((0, k), np.int32),
            empty,
            np.zeros((0, m), np.int32),
            np.zeros((0, m), np.int32),
            empty,
        )
    co = cooccurrence_index(classes)
    n_threads = numba.get_num_threads()
    n = classes.n_classes
    cands = np.empty((n_threads, n), dtype=np.int32)
    # Visit queries by counter width (see counter_tiers), then grouped by the longest
    # playlist they walk: that list and its members' counters stay in cache from one query
    # to the next.
    keys = _walk_keys(q_class, classes.rep_indptr, classes.rep_indices, co.pl_len, co.big_slot)
    tier_of, tiers = counter_tiers(classes.size[q_class])
    visit = np.lexsort((keys, tier_of))
    q_sorted = q_class[visit]
    tier_end = np.searchsorted(tier_of[visit], np.arange(len(tiers)), side="right")
    out_c = np.zeros((n_q, k), dtype=np.int32)
    out_s = np.zeros((n_q, k), dtype=np.int32)
    out_n = np.zeros(n_q, dtype=np.int32)
    out_ec = np.zeros((n_q, m), dtype=np.int32)
    out_es = np.zeros((n_q, m), dtype=np.int32)
    out_en = np.zeros(n_q, dtype=np.int32)
    bounds = np.linspace(0, n_q, min(BATCHES, -(-n_q // 5000)) + 1).astype(np.int64)
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
                _exact_batch(
                    q_sorted,
                    lo,
                    hi,
                    k,
                    min_shared,
                    classes.rep_indptr,
                    classes.rep_indices,
                    classes.pl_indptr,
                    co.pl_items,
                    co.pl_len,
                    co.item_size,
                    co.item_class,
                    co.big_slot,
                    co.big_bits,
                    cnt,
                    stamps,
                    shift,
                    cands,
                    out_c,
                    out_s,
                    out_n,
                    m,
                    out_ec,
                    out_es,
                    out_en,
                )
                bar.update(int(hi - lo))
            del cnt
    results = []
    for out in (out_c, out_s, out_n, out_ec, out_es, out_en):  # back to the caller's query order
        back = np.empty_like(out)
        back[visit] = out
        results.append(back)
        del out
    return tuple(results)
