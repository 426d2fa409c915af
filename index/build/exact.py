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
from dataclasses import dataclass

import numba
import numpy as np

from index.build.options import DEFAULTS
from index.build.topk import (
    SetClasses,
    eligible_rows,
    expand_to_tracks,
    identical_set_classes,
    offer,
)
from index.corpus import NeighbourTable
from index.progress import progress as progress_display

BATCHES = 40  # progress updates per run; each batch is one parallel kernel call
MIN_BIG = 1024  # a playlist this long (in classes) gets a bitset and may be skipped
MAX_BIG = 512  # at most this many bitsets (n_classes / 8 bytes each)


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
):  # pragma: no cover - numba
    """Top-``k`` other classes of class ``c`` into ``top_*``; returns how many were found.

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
    return n


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
        # Consecutive queries (sorted by their longest walked playlist, see
        # run_exact_queries) walk the same lists and counters: keep them together.
        step = (q_hi - q_lo + n_chunks - 1) // n_chunks
        for q in range(q_lo + chunk * step, min(q_hi, q_lo + (chunk + 1) * step)):
            stamps[tid] += 1
            if stamps[tid] > max_stamp:
                cnt[:] = 0
                stamps[tid] = 1
            base = stamps[tid] << shift
            n = exact_query(
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
            )
            out_n[q] = n
            for i in range(n):
                out_c[q, i] = top_c[i]
                out_s[q, i] = top_s[i]


@numba.njit(cache=True, nogil=True)
def _walk_keys(q_class, rep_indptr, rep_indices, pl_len, big_slot):  # pragma: no cover
    """Each query's longest playlist that is walked (not a bitset playlist)."""
    out = np.empty(q_class.size, dtype=np.int64)
    for i in range(q_class.size):
        c = q_class[i]
        best = -1
        best_len = -1
        for j in range(rep_indptr[c], rep_indptr[c + 1]):
            p = rep_indices[j]
            if big_slot[p] < 0 and pl_len[p] > best_len:
                best_len = pl_len[p]
                best = p
        out[i] = best
    return out


@dataclass
class CooccurrenceIndex:
    """The playlist → class lists laid out for fast counting (see ``exact_query``)."""

    pl_items: np.ndarray  # int32 item ids per playlist
    item_class: np.ndarray  # int64 class of each item
    item_size: np.ndarray  # int64 set size of each item
    pl_len: np.ndarray  # int64 classes per playlist
    big_slot: np.ndarray  # int64 per playlist: row in big_bits, or -1
    big_bits: np.ndarray  # uint64 (n_big, ceil(n_items / 64)) membership bitsets


def cooccurrence_index(classes: SetClasses) -> CooccurrenceIndex:
    """Renumber classes by popularity and give the longest playlists membership bitsets.

    Popular classes are counted most often; numbering them first keeps their counters in
    cache. A query skips (up to ``min_shared - 1`` of) its longest playlists and tests
    candidates against their bitsets instead, which is what avoids the quadratic cost of
    the 20k–47k-track libraries.
    """
    n = classes.n_classes
    order = np.argsort(-classes.size, kind="stable")  # item id -> class
    item_of = np.empty(n, dtype=np.int32)
    item_of[order] = np.arange(n, dtype=np.int32)
    pl_items = item_of[classes.pl_classes]
    pl_len = np.diff(classes.pl_indptr).astype(np.int64)
    n_big = int(min(MAX_BIG, np.count_nonzero(pl_len >= MIN_BIG)))
    big = np.argsort(-pl_len, kind="stable")[:n_big]
    big_slot = np.full(pl_len.size, -1, dtype=np.int64)
    big_slot[big] = np.arange(n_big)
    words = (n + 63) // 64
    big_bits = np.zeros((max(n_big, 1), max(words, 1)), dtype=np.uint64)
    for slot, p in enumerate(big):
        items = pl_items[classes.pl_indptr[p] : classes.pl_indptr[p + 1]].astype(np.int64)
        np.bitwise_or.at(
            big_bits[slot], items >> 6, np.left_shift(np.uint64(1), (items & 63).astype(np.uint64))
        )
    return CooccurrenceIndex(
        pl_items=pl_items,
        item_class=order.astype(np.int64),
        item_size=classes.size[order].astype(np.int64),
        pl_len=pl_len,
        big_slot=big_slot,
        big_bits=big_bits,
    )


def exact_neighbours(
    indptr: np.ndarray,
    indices: np.ndarray,
    n_playlists: int,
    *,
    k: int = DEFAULTS.k,
    min_playlists: int = DEFAULTS.min_playlists,
    min_shared: int = DEFAULTS.min_shared,
    progress: bool = True,
) -> NeighbourTable:
    """Exact top-``k`` neighbours of every track in at least ``min_playlists`` playlists.

    A neighbour shares at least ``min_shared`` playlists; order is Jaccard desc, shared
    desc, neighbour id asc. Tracks with identical sets are each other's neighbours (J=1).
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
    top_c, top_s, top_n = run_exact_queries(classes, q_class, k, min_shared, progress)
    stages["co-occurrence"] = time.perf_counter() - t

    t = time.perf_counter()
    table = expand_to_tracks(classes, q_class, top_c, top_s, top_n, k)
    stages["top-k"] = time.perf_counter() - t
    table.params = {
        "method": "exact",
        "num_perm": 0,
        "bands": 0,
        "rows_per_band": 0,
        "k": k,
        "min_playlists": min_playlists,
        "min_shared": min_shared,
        "candidate_tracks": int(rows.size),
        "classes": int(classes.n_classes),
        "query_classes": int(q_class.size),
        "n_playlists": int(n_playlists),
    }
    table.stage_seconds = stages
    return table


def run_exact_queries(
    classes: SetClasses,
    q_class: np.ndarray,
    k: int,
    min_shared: int,
    progress: bool,
    desc: str = "exact neighbours",
):
    """Exact top-``k`` classes of each query class: ``(top_cls, top_shared, top_n)``."""
    n_q = q_class.size
    if n_q == 0:
        return (np.zeros((0, k), np.int32), np.zeros((0, k), np.int32), np.zeros(0, np.int32))
    co = cooccurrence_index(classes)
    n_threads = numba.get_num_threads()
    n = classes.n_classes
    # Stamped counters (see exact_query): 16 bits of count fit any set under 65535
    # playlists, halving the cache footprint; larger sets need 64-bit counters.
    small = int(classes.size.max()) < 65535
    cnt = np.zeros((n_threads, n), dtype=np.uint32 if small else np.uint64)
    shift = 16 if small else 32
    stamps = np.zeros(n_threads, dtype=np.int64)
    cands = np.empty((n_threads, n), dtype=np.int32)
    # Visit queries grouped by the longest playlist they walk: that list and its
    # members' counters then stay in cache from one query to the next.
    keys = _walk_keys(q_class, classes.rep_indptr, classes.rep_indices, co.pl_len, co.big_slot)
    visit = np.argsort(keys, kind="stable")
    q_sorted = q_class[visit]
    out_c = np.zeros((n_q, k), dtype=np.int32)
    out_s = np.zeros((n_q, k), dtype=np.int32)
    out_n = np.zeros(n_q, dtype=np.int32)
    bounds = np.linspace(0, n_q, min(BATCHES, -(-n_q // 5000)) + 1).astype(np.int64)
    with progress_display(n_q, desc, unit="track", enabled=progress) as bar:
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
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
            )
            bar.update(int(hi - lo))
    results = []
    for out in (out_c, out_s, out_n):  # back to the caller's query order
        back = np.empty_like(out)
        back[visit] = out
        results.append(back)
        del out
    return tuple(results)
