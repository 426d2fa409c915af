"""Extra candidates stored after each track's Jaccard top k: the songs sharing most playlists.

The stored top ``k`` by Jaccard is the mission's definition of a neighbour list and stays as
it is (ranks ``1..k``). The discovery rankings (:mod:`index.read.ranking`) re-order what is
stored, and the best of them favour well-supported pairs: a song met in 40 of the seed's 90
playlists but in 2,000 playlists overall has a low Jaccard and never makes the top ``k``.
So each track also gets up to ``m`` **extras** (ranks ``k + 1..k + m``): the co-occurring
tracks with the most shared playlists that are not in its top ``k``, ordered by shared
playlists descending, then Jaccard descending, then track id ascending. Each row holds its
exact Jaccard and shared count, computed as the top ``k``'s are.

Both engines pick them from what they already score: the exact kernel from every track that
shares ``min_shared`` playlists with the seed, the LSH path from its re-ranked candidates.

Per class the kernels keep the ``m`` best *classes* by that order that are not in the class's
top ``k`` (:func:`offer_shared`, :func:`drop_top`). That is enough for every member track:
a track's top ``k`` only holds members of its own class and of the class's top ``k``
classes, so the ``m`` listed classes supply ``m`` eligible tracks that rank above any track
of an unlisted class. :func:`expand_with_extras` then merges, per track, its own class, the
top ``k`` classes and the extra classes, and appends the ``m`` best tracks not already listed.
"""

from __future__ import annotations

import numba
import numpy as np

from index.build.topk import SetClasses, _class_list
from index.corpus import NeighbourTable


@numba.njit(cache=True, nogil=True, inline="always")
def more_shared(s1, j1, c1, s2, j2, c2):  # pragma: no cover - numba
    """True when (shared s1, Jaccard j1, id c1) ranks before (s2, j2, c2) as an extra."""
    if s1 != s2:
        return s1 > s2
    if j1 != j2:
        return j1 > j2
    return c1 < c2


@numba.njit(cache=True, nogil=True)
def offer_shared(ex_j, ex_s, ex_c, n, cap, j, s, c):  # pragma: no cover - numba
    """Insert (j, s, c) into the ``cap`` best by :func:`more_shared` (``n`` held); new ``n``."""
    if n == cap and not more_shared(s, j, c, ex_s[cap - 1], ex_j[cap - 1], ex_c[cap - 1]):
        return n
    pos = n if n < cap else cap - 1
    while pos > 0 and more_shared(s, j, c, ex_s[pos - 1], ex_j[pos - 1], ex_c[pos - 1]):
        if pos < cap:
            ex_j[pos] = ex_j[pos - 1]
            ex_s[pos] = ex_s[pos - 1]
            ex_c[pos] = ex_c[pos - 1]
        pos -= 1
    ex_j[pos] = j
    ex_s[pos] = s
    ex_c[pos] = c
    return n + 1 if n < cap else cap


@numba.njit(cache=True, nogil=True)
def drop_top(ex_j, ex_s, ex_c, n_ex, top_c, n, m):  # pragma: no cover - numba
    """Keep, in order, the first ``m`` of ``ex_*[:n_ex]`` not among ``top_c[:n]``; count."""
    w = 0
    for i in range(n_ex):
        if w == m:
            break
        c = ex_c[i]
        listed = False
        for t in range(n):
            if top_c[t] == c:
                listed = True
                break
        if listed:
            continue
        ex_j[w] = ex_j[i]
        ex_s[w] = ex_s[i]
        ex_c[w] = c
        w += 1
    return w


@numba.njit(cache=True, nogil=True)
def _add_class(u, s, jac, cap, member_ptr, members, n, buf_t, buf_j, buf_s):  # pragma: no cover
    """Offer class ``u``'s members (shared ``s``, Jaccard ``jac``) to the sorted buffer."""
    take = min(member_ptr[u + 1] - member_ptr[u], cap)
    for i in range(take):
        t = members[member_ptr[u] + i]
        if n == cap and not more_shared(s, jac, t, buf_s[n - 1], buf_j[n - 1], buf_t[n - 1]):
            break  # members ascend: the rest of this class ranks lower still
        n = offer_shared(buf_j, buf_s, buf_t, n, cap, jac, s, t)
    return n


@numba.njit(cache=True, nogil=True)
def _extra_list(c, q, cap, member_ptr, members, size, lists, buf_t, buf_j, buf_s):
    # pragma: no cover - numba
    """The ``cap`` best tracks by (shared, Jaccard, id) among class ``c``'s members and the
    members of its listed classes (``lists``: (classes, shared, counts) pairs)."""
    n = _add_class(c, size[c], 1.0, cap, member_ptr, members, 0, buf_t, buf_j, buf_s)
    for cls, shared, count in lists:
        for i in range(count[q]):
            u = cls[q, i]
            s = shared[q, i]
            jac = s / (size[c] + size[u] - s)
            n = _add_class(u, s, jac, cap, member_ptr, members, n, buf_t, buf_j, buf_s)
    return n


@numba.njit(cache=True, nogil=True)
def _expand_extras(
    q_class,
    k,
    m,
    member_ptr,
    members,
    size,
    top_cls,
    top_shared,
    top_n,
    ex_cls,
    ex_shared,
    ex_n,
    count_only,
    offset,
    out_t,
    out_r,
    out_n,
    out_j,
    out_s,
):  # pragma: no cover - numba
    """As :func:`index.build.topk._expand`, each track's top ``k`` followed by its extras."""
    kk = k + 1
    cap = k + m + 1  # enough to skip a track's top k and itself
    buf_t = np.empty(kk, dtype=np.int64)
    buf_j = np.empty(kk, dtype=np.float64)
    buf_s = np.empty(kk, dtype=np.int64)
    ext_t = np.empty(cap, dtype=np.int64)
    ext_j = np.empty(cap, dtype=np.float64)
    ext_s = np.empty(cap, dtype=np.int64)
    stamp = np.zeros(offset.size, dtype=np.int64)  # stamp[t] == seed + 1: in seed's top k
    lists = ((top_cls, top_shared, top_n), (ex_cls, ex_shared, ex_n))
    for q in range(q_class.size):
        c = q_class[q]
        n = _class_list(
            c, k, member_ptr, members, size, top_cls, top_shared, top_n, q, buf_t, buf_j, buf_s
        )
        ne = _extra_list(c, q, cap, member_ptr, members, size, lists, ext_t, ext_j, ext_s)
        for mi in range(member_ptr[c], member_ptr[c + 1]):
            t = members[mi]
            rank = 0
            row = 0 if count_only else offset[t]
            for i in range(n):
                if rank == k:
                    break
                if buf_t[i] == t:
                    continue
                rank += 1
                stamp[buf_t[i]] = t + 1
                if not count_only:
                    out_t[row] = t
                    out_r[row] = rank
                    out_n[row] = buf_t[i]
                    out_j[row] = buf_j[i]
                    out_s[row] = buf_s[i]
                    row += 1
            if rank == k:  # fewer than k co-occurring tracks: nothing else to store
                taken = 0
                for i in range(ne):
                    if taken == m:
                        break
                    u = ext_t[i]
                    if u == t or stamp[u] == t + 1:
                        continue
                    taken += 1
                    rank += 1
                    if not count_only:
                        out_t[row] = t
                        out_r[row] = rank
                        out_n[row] = u
                        out_j[row] = ext_j[i]
                        out_s[row] = ext_s[i]
                        row += 1
            if count_only:
                offset[t + 1] = rank


def expand_with_extras(
    classes: SetClasses,
    q_class: np.ndarray,
    top: tuple[np.ndarray, np.ndarray, np.ndarray],
    extras: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
    m: int,
) -> NeighbourTable:
    """Every member of each query class gets its top ``k`` (as
    :func:`~index.build.topk.expand_to_tracks`) then up to ``m`` extras (module doc).

    ``top`` and ``extras`` are per query class ``(classes, shared, count)``; rows come out
    sorted by (track, rank).
    """
    q_class = np.asarray(q_class, dtype=np.int64)
    args = (q_class, k, m, classes.member_ptr, classes.members, classes.size, *top, *extras)
    offset = np.zeros(classes.class_of.size + 1, dtype=np.int64)
    dummy_i = np.empty(0, dtype=np.int32)
    dummy_f = np.empty(0, dtype=np.float64)
    _expand_extras(*args, True, offset, dummy_i, dummy_i, dummy_i, dummy_f, dummy_i)
    np.cumsum(offset, out=offset)
    n_rows = int(offset[-1])
    out_t = np.empty(n_rows, dtype=np.int32)
    out_r = np.empty(n_rows, dtype=np.int32)
    out_n = np.empty(n_rows, dtype=np.int32)
    out_j = np.empty(n_rows, dtype=np.float64)
    out_s = np.empty(n_rows, dtype=np.int32)
    _expand_extras(*args, False, offset, out_t, out_r, out_n, out_j, out_s)
    return NeighbourTable(track=out_t, rank=out_r, neighbour=out_n, jaccard=out_j, shared=out_s)


def empty_extras(n_q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class extras arrays holding none (``m`` = 0)."""
    return (np.zeros((n_q, 0), np.int32), np.zeros((n_q, 0), np.int32), np.zeros(n_q, np.int32))
