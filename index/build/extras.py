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

import logging

import numpy as np

from index.build.topk import SetClasses, _class_list, better, offer
from index.corpus import NeighbourTable
from index.jit import numba

log = logging.getLogger(__name__)


@numba.njit(cache=True, nogil=True, inline="always")
def more_shared(s1, j1, c1, s2, j2, c2):  # pragma: no cover - numba
    """True when (shared s1, Jaccard j1, id c1) ranks before (s2, j2, c2) as an extra:
    the top k's order with shared count and Jaccard swapped."""
    return better(s1, j1, c1, s2, j2, c2)


@numba.njit(cache=True, nogil=True)
def offer_shared(ex_j, ex_s, ex_c, n, cap, j, s, c):  # pragma: no cover - numba
    """Insert (j, s, c) into the ``cap`` best by :func:`more_shared` (``n`` held); new ``n``."""
    return offer(ex_s, ex_j, ex_c, n, cap, s, j, c)


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
def _extra_list(c, q, cap, member_ptr, members, size, top, extra, buf_t, buf_j, buf_s, srt):
    # pragma: no cover - numba
    """The ``cap`` best tracks by (shared, Jaccard, id) among class ``c``'s members and the
    members of its top ``k`` and extra classes (``top``, ``extra``: (classes, shared, counts)).

    Classes are offered best first (own class, then the top ``k`` sorted by shared and merged
    with the extras, already in that order), so each track lands at or near the end of the
    buffer and the walk stops at the first class that cannot reach it.
    """
    n = _add_class(c, size[c], 1.0, cap, member_ptr, members, 0, buf_t, buf_j, buf_s)
    srt_c, srt_s, srt_j = srt
    nt = 0
    for i in range(top[2][q]):
        u = top[0][q, i]
        s = top[1][q, i]
        nt = offer_shared(srt_j, srt_s, srt_c, nt, srt_c.size, s / (size[c] + size[u] - s), s, u)
    ex_cls, ex_shared, ex_n = extra
    a = 0
    b = 0
    while a < nt or b < ex_n[q]:
        if b == ex_n[q]:
            take_top = True
        elif a == nt:
            take_top = False
        else:
            s = ex_shared[q, b]
            u = ex_cls[q, b]
            take_top = more_shared(srt_s[a], srt_j[a], srt_c[a], s, s / (size[c] + size[u] - s), u)
        if take_top:
            u = srt_c[a]
            s = srt_s[a]
            jac = srt_j[a]
            a += 1
        else:
            u = ex_cls[q, b]
            s = ex_shared[q, b]
            jac = s / (size[c] + size[u] - s)
            b += 1
        if n == cap and (s < buf_s[n - 1] or (s == buf_s[n - 1] and jac < buf_j[n - 1])):
            break  # this class and every later one rank below the buffer's last track
        n = _add_class(u, s, jac, cap, member_ptr, members, n, buf_t, buf_j, buf_s)
    return n


@numba.njit(cache=True, parallel=True)
def _row_counts(q_class, k, m, member_ptr, members, top_cls, top_n, ex_cls, ex_n, offset):
    # pragma: no cover - numba
    """Each member ``t`` of a query class gets its row count in ``offset[t + 1]`` from class
    sizes alone, without the lists :func:`_expand_extras` builds. Its top ``k`` comes from
    the other members of its class and the members of the class's top ``k`` classes:
    ``min(k, near)`` rows, ``near`` their number. Only a full top ``k`` gets extras, from
    those tracks and the extra classes' members (all distinct): ``min(m, avail - k)``."""
    for q in numba.prange(q_class.size):
        c = q_class[q]
        near = member_ptr[c + 1] - member_ptr[c] - 1
        for i in range(top_n[q]):
            u = top_cls[q, i]
            near += member_ptr[u + 1] - member_ptr[u]
        rows = min(k, near)
        if rows == k and m > 0:
            avail = near
            for i in range(ex_n[q]):
                u = ex_cls[q, i]
                avail += member_ptr[u + 1] - member_ptr[u]
            rows += min(m, avail - k)
        for mi in range(member_ptr[c], member_ptr[c + 1]):
            offset[members[mi] + 1] = rows


@numba.njit(cache=True, parallel=True)
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
    n_chunks,
    wrong,
):  # pragma: no cover - numba
    """Each track's top ``k`` (its class's list less itself) followed by its extras;
    ``count_only`` stores each track's row count in ``offset[t + 1]``, else the rows are
    written from ``offset[t]`` up to ``offset[t + 1]`` and ``wrong[chunk]`` counts the
    tracks whose rows did not fill that span exactly. ``n_chunks`` runs of query classes go
    in parallel (each track's rows are its own)."""
    kk = k + 1
    cap = k + m + 1  # enough to skip a track's top k and itself
    step = (q_class.size + n_chunks - 1) // n_chunks
    for chunk in numba.prange(n_chunks):  # tracks are disjoint: chunks write apart
        buf_t = np.empty(kk, dtype=np.int64)
        buf_j = np.empty(kk, dtype=np.float64)
        buf_s = np.empty(kk, dtype=np.int64)
        ext_t = np.empty(cap, dtype=np.int64)
        ext_j = np.empty(cap, dtype=np.float64)
        ext_s = np.empty(cap, dtype=np.int64)
        # ext_pos[i]: where extra candidate i sits in the class list buf_t, or -1. A track's
        # top k is a prefix of buf_t (less the track itself), so membership is one comparison,
        # not a look-up in a per-track array (a cache miss per candidate at full scale).
        ext_pos = np.empty(cap, dtype=np.int64)
        top = (top_cls, top_shared, top_n)
        extra = (ex_cls, ex_shared, ex_n)
        srt = (np.empty(k, np.int64), np.empty(k, np.int64), np.empty(k, np.float64))
        for q in range(chunk * step, min(q_class.size, (chunk + 1) * step)):
            c = q_class[q]
            n = _class_list(
                c, k, member_ptr, members, size, top_cls, top_shared, top_n, q, buf_t, buf_j, buf_s
            )
            ne = (
                _extra_list(
                    c, q, cap, member_ptr, members, size, top, extra, ext_t, ext_j, ext_s, srt
                )
                if m > 0
                else 0
            )
            for i in range(ne):
                ext_pos[i] = -1
                for j in range(n):
                    if buf_t[j] == ext_t[i]:
                        ext_pos[i] = j
                        break
            for mi in range(member_ptr[c], member_ptr[c + 1]):
                t = members[mi]
                rank = 0
                upto = 0
                row = 0 if count_only else offset[t]
                end = 0 if count_only else offset[t + 1]
                for i in range(n):
                    if rank == k:
                        break
                    if buf_t[i] == t:
                        continue
                    rank += 1
                    upto = i + 1  # buf_t[:upto], less t, is t's top k so far
                    if not count_only and row < end:
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
                        if u == t or 0 <= ext_pos[i] < upto:
                            continue
                        taken += 1
                        rank += 1
                        if not count_only and row < end:
                            out_t[row] = t
                            out_r[row] = rank
                            out_n[row] = u
                            out_j[row] = ext_j[i]
                            out_s[row] = ext_s[i]
                            row += 1
                if count_only:
                    offset[t + 1] = rank
                elif offset[t] + rank != end:
                    wrong[chunk] += 1


def expand_with_extras(
    classes: SetClasses,
    q_class: np.ndarray,
    top: tuple[np.ndarray, np.ndarray, np.ndarray],
    extras: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int,
    m: int,
) -> NeighbourTable:
    """Every member of each query class gets its class's list, less itself, as its top
    ``k``, then up to ``m`` extras (module doc; ``m`` = 0: the top ``k`` alone).

    ``top`` and ``extras`` are per query class ``(classes, shared, count)``; rows come out
    sorted by (track, rank).
    """
    q_class = np.asarray(q_class, dtype=np.int64)
    args = (q_class, k, m, classes.member_ptr, classes.members, classes.size, *top, *extras)
    offset = np.zeros(classes.class_of.size + 1, dtype=np.int64)
    (top_c, _, top_n), (ex_c, _, ex_n) = top, extras
    _row_counts(
        q_class, k, m, classes.member_ptr, classes.members, top_c, top_n, ex_c, ex_n, offset
    )
    table = _write_rows(args, offset)
    if table is None:  # never expected: count again by building the lists, as the rows are
        log.warning("neighbour row counts from class sizes were wrong; counting from the lists")
        _count_from_lists(args, offset)
        table = _write_rows(args, offset)
        assert table is not None
    return table


def _count_from_lists(args: tuple, offset: np.ndarray) -> None:
    """Each track's row count into ``offset[t + 1]`` the slow way, by building its lists."""
    offset[:] = 0
    no_i, no_f = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
    chunks = 8 * numba.get_num_threads()
    unused = np.zeros(chunks, dtype=np.int64)  # ``wrong``: written only when writing rows
    _expand_extras(*args, True, offset, no_i, no_i, no_i, no_f, no_i, chunks, unused)


def _write_rows(args: tuple, offset: np.ndarray) -> NeighbourTable | None:
    """The rows of every track, ``offset[t + 1]`` of them for track ``t`` (turned into
    running totals here); None when some track's rows did not come to its count."""
    np.cumsum(offset, out=offset)
    n_rows = int(offset[-1])
    out_t = np.empty(n_rows, dtype=np.int32)
    out_r = np.empty(n_rows, dtype=np.int32)
    out_n = np.empty(n_rows, dtype=np.int32)
    out_j = np.empty(n_rows, dtype=np.float64)
    out_s = np.empty(n_rows, dtype=np.int32)
    chunks = 8 * numba.get_num_threads()
    wrong = np.zeros(chunks, dtype=np.int64)
    _expand_extras(*args, False, offset, out_t, out_r, out_n, out_j, out_s, chunks, wrong)
    if wrong.any():
        return None
    return NeighbourTable(track=out_t, rank=out_r, neighbour=out_n, jaccard=out_j, shared=out_s)
