"""Per-query neighbour lists that outlive one query, for the pair-symmetric exact scan.

The exact kernel (:mod:`index.build.exact`) counts each pair of query classes once, in the
walk of the class numbered later, and offers the pair to *both* lists: its own at once, the
other one through a per-thread buffer applied between kernel calls (:func:`apply_offers`),
so no list is ever written by two threads. Every list therefore lives for the whole scan.
A top-k entry is (class, shared, size of the union) in three int32s; its Jaccard is
recomputed as ``shared / union``, the very division the scores are made by, so the order
and the ties are exactly those of :func:`index.build.topk.offer` (which holds the Jaccard)
at three quarters of the memory. An entry of the extras' pool, ordered by shared count
first, is (class, shared, union) when every set is under ``NARROW_BELOW`` playlists, the
counts in 16 bits each, and (class, shared) in 32 bits otherwise: then its union comes
from the two set sizes on a tie, a random read of a class's size at every step of the
search, which is what the 16-bit entries save at the same 8 bytes. Which lists an entry
ends in does not depend on the order the offers arrive in: both orders are strict total
orders over distinct classes.
"""

from __future__ import annotations

import numpy as np

from index.build.topk import better
from index.jit import numba

# Sets under this many playlists let a pool entry hold its shared count and its union (at
# most twice the size, 65,534) in 16 bits each; the full-scale Zenodo file's largest is 1,621.
NARROW_BELOW = 32_768


@numba.njit(cache=True, nogil=True, inline="always")
def _before(j1, s1, c1, j2, s2, c2, by_shared):  # pragma: no cover - numba
    """Top-k order (Jaccard, shared, id) or, with ``by_shared``, the extras' (shared, ...)."""
    if by_shared:
        return better(s1, j1, c1, s2, j2, c2)
    return better(j1, s1, c1, j2, s2, c2)


@numba.njit(cache=True, nogil=True, inline="always")
def _union_at(row_c, row_s, row_d, i, q_size, size):  # pragma: no cover - numba
    """Entry ``i``'s union size: stored (``row_d``), or from the set sizes (an empty
    ``row_d``: the extras' pool, which needs it only to break ties between equal counts)."""
    if row_d.size:
        return row_d[i]
    return q_size + size[row_c[i]] - row_s[i]


@numba.njit(cache=True, nogil=True)
def offer_row(row_c, row_s, row_d, n, cap, s, d, c, by_shared, size):  # pragma: no cover
    """Insert class ``c`` (shared ``s`` of ``d`` playlists in the union) into a list that
    holds ``n`` of at most ``cap`` entries; returns the new ``n`` and whether ``c`` went in.

    The place is found by bisection and the tail moved without comparisons: at 30–50
    entries a linear insertion's comparisons (a division each) cost most of the scan's
    offers. An empty ``row_d`` stores no union sizes (:func:`_union_at`)."""
    j = s / d
    stored = row_d.size > 0
    # The list owner's set size, only where unions are not stored (a read of ``size`` per
    # offer would cost the top k, which turns most offers away, a cache miss each).
    q_size = 0 if stored else d - size[c] + s
    if n == cap:
        ls = row_s[cap - 1]
        ld = _union_at(row_c, row_s, row_d, cap - 1, q_size, size)
        if not _before(j, s, c, ls / ld, ls, row_c[cap - 1], by_shared):
            return n, False
    lo = 0
    hi = n if n < cap else cap - 1  # entries [hi, n) are known to rank after c
    while lo < hi:
        mid = (lo + hi) >> 1
        ms = row_s[mid]
        md = _union_at(row_c, row_s, row_d, mid, q_size, size)
        if _before(j, s, c, ms / md, ms, row_c[mid], by_shared):
            hi = mid
        else:
            lo = mid + 1
    last = n if n < cap else cap - 1
    for i in range(last, lo, -1):
        row_c[i] = row_c[i - 1]
        row_s[i] = row_s[i - 1]
        if stored:
            row_d[i] = row_d[i - 1]
    row_c[lo] = c
    row_s[lo] = s
    if stored:
        row_d[lo] = d
    return (n + 1 if n < cap else cap), True


@numba.njit(cache=True, nogil=True)
def offer_both(q, c, s, d, lists, k, m):  # pragma: no cover - numba
    """Offer class ``c`` sharing ``s`` playlists (``d`` in the union) to query ``q``'s top
    ``k`` and, with ``m`` > 0, to its ``k + m`` best by shared playlists (the extras' pool).

    ``thr[q]`` holds the last Jaccard of a full top ``k`` and the last shared count of a
    full pool (else -1): an offer below both cannot go in, and is turned away on that one
    read, without touching the lists. Where the pool's counts need 32 bits it keeps no union
    sizes (``sh_d`` has no columns): ``size``, every class's set size, gives them back on a
    tie."""
    top_c, top_s, top_d, top_n, sh_c, sh_s, sh_d, size, sh_n, thr = lists
    if s / d < thr[q, 0] and s < thr[q, 1]:
        return
    top_n[q], placed = offer_row(top_c[q], top_s[q], top_d[q], top_n[q], k, s, d, c, False, size)
    if placed and top_n[q] == k:
        thr[q, 0] = top_s[q, k - 1] / top_d[q, k - 1]
    if m > 0:
        pool = k + m
        sh_n[q], placed = offer_row(sh_c[q], sh_s[q], sh_d[q], sh_n[q], pool, s, d, c, True, size)
        if placed and sh_n[q] == pool:
            thr[q, 1] = sh_s[q, pool - 1]


@numba.njit(cache=True, nogil=True, inline="always")
def _keep_largest(best, n, cap, v):  # pragma: no cover - numba
    """Put ``v`` in ``best[:n]``, the at most ``cap`` largest seen, descending; new ``n``."""
    if n == cap and not v > best[n - 1]:
        return n
    pos = n if n < cap else cap - 1
    while pos > 0 and best[pos - 1] < v:
        best[pos] = best[pos - 1]
        pos -= 1
    best[pos] = v
    return min(n + 1, cap)


@numba.njit(cache=True, nogil=True)
def local_bounds(cand_s, cand_d, n, k, m, best_j, best_s):  # pragma: no cover - numba
    """What one query's own ``n`` offers (shared ``cand_s``, union ``cand_d``) must reach to
    matter: the ``k``-th best Jaccard and the ``k + m``-th best shared count among them
    (``best_j``, ``best_s``: scratch). An offer below both ranks after ``k`` of the others by
    Jaccard and ``k + m`` by shared count, so it cannot end in either list; turning it away
    here, on numbers in hand, spares the lists' reads and the insertions a later, better
    offer would undo. Ties are kept: the lists break them. No bound (-1) under ``k`` (or
    ``k + m``) offers; without a pool (``m`` = 0) only the Jaccard one counts."""
    pool = k + m
    nj = 0
    ns = 0
    for i in range(n):
        nj = _keep_largest(best_j, nj, k, cand_s[i] / cand_d[i])
        if m > 0:
            ns = _keep_largest(best_s, ns, pool, np.int64(cand_s[i]))
    j_min = best_j[k - 1] if nj == k else -1.0
    if m == 0:
        return j_min, np.int64(1) << 62  # no pool: the shared count admits nothing
    return j_min, (best_s[pool - 1] if ns == pool else np.int64(-1))


@numba.njit(cache=True, nogil=True)
def _by_block(buf_q, buf_c, buf_s, buf_d, fill, shift, start, out):  # pragma: no cover
    """Counting sort of every thread's offers by ``q >> shift`` into ``out``; ``start[b]``
    is where block ``b`` begins."""
    start[:] = 0
    for t in range(buf_q.shape[0]):
        for i in range(fill[t]):
            start[(buf_q[t, i] >> shift) + 1] += 1
    for b in range(1, start.size):
        start[b] += start[b - 1]
    at = start[:-1].copy()
    for t in range(buf_q.shape[0]):
        for i in range(fill[t]):
            b = buf_q[t, i] >> shift
            w = at[b]
            at[b] += 1
            out[0, w] = buf_q[t, i]
            out[1, w] = buf_c[t, i]
            out[2, w] = buf_s[t, i]
            out[3, w] = buf_d[t, i]


@numba.njit(cache=True, parallel=True)
def apply_offers(buf_q, buf_c, buf_s, buf_d, fill, lists, k, m, shift, start, out):
    # pragma: no cover - numba
    """Apply every thread's buffered offers ``(query slot, class, shared, union)``.

    They are first sorted by block of ``2**shift`` query slots (``start``, ``out``: scratch
    for :func:`_by_block`), so the lists are visited in address order, not at random; the
    blocks are shared out between the threads, so each list is written by one only."""
    _by_block(buf_q, buf_c, buf_s, buf_d, fill, shift, start, out)
    n_blocks = start.size - 1
    parts = 8 * buf_q.shape[0]
    for part in numba.prange(parts):
        for i in range(start[part * n_blocks // parts], start[(part + 1) * n_blocks // parts]):
            offer_both(out[0, i], out[1, i], out[2, i], out[3, i], lists, k, m)


def apply_scratch(n_q: int, n_threads: int, cap: int) -> tuple[int, np.ndarray, np.ndarray]:
    """``(shift, start, out)`` for :func:`apply_offers`: blocks of 1,024 query slots."""
    shift = 10
    return (
        shift,
        np.zeros((n_q >> shift) + 2, dtype=np.int64),
        np.empty((4, n_threads * cap), np.int32),
    )


@numba.njit(cache=True, parallel=True)
def extras_from_pool(sh_c, sh_s, sh_n, top_c, top_n, m):  # pragma: no cover - numba
    """Turn each ``k + m`` pool into the extras in place: its first ``m`` classes that are
    not in the top ``k`` (:func:`index.build.extras.drop_top` without the Jaccard)."""
    for q in numba.prange(sh_n.size):
        w = 0
        for i in range(sh_n[q]):
            if w == m:
                break
            c = sh_c[q, i]
            listed = False
            for t in range(top_n[q]):
                if top_c[q, t] == c:
                    listed = True
                    break
            if listed:
                continue
            sh_c[q, w] = c
            sh_s[q, w] = sh_s[q, i]
            w += 1
        sh_n[q] = w


def new_lists(n_q: int, k: int, m: int, size: np.ndarray) -> tuple[np.ndarray, ...]:
    """Empty lists for ``n_q`` queries: ``(top_c, top_s, top_d, top_n, sh_c, sh_s, sh_d, size,
    sh_n, thr)``, ``size`` every class's set size (see :func:`offer_both`; with no pool only
    the top ``k`` turns offers away). The pool's counts are 16-bit with its unions stored
    when every set is under :data:`NARROW_BELOW` playlists, else 32-bit without them."""
    pool = k + m if m > 0 else 0
    thr = np.full((n_q, 2), -1.0)
    if m == 0:
        thr[:, 1] = np.inf
    top = [np.zeros((n_q, k), dtype=np.int32) for _ in range(3)]
    size = np.ascontiguousarray(size, dtype=np.int64)
    narrow = size.size == 0 or int(size.max()) < NARROW_BELOW
    count = np.uint16 if narrow else np.int32
    sh_c = np.zeros((n_q, pool), dtype=np.int32)
    sh_s = np.zeros((n_q, pool), dtype=count)
    sh_d = np.zeros((n_q, pool if narrow else 0), dtype=count)
    return (*top, np.zeros(n_q, np.int32), sh_c, sh_s, sh_d, size, np.zeros(n_q, np.int32), thr)
