"""Identical-set classes, and turning per-class top-k lists into every track's top-k.

Both engines work on *classes* of tracks with identical playlist sets rather than on
tracks: identical sets have identical signatures and identical neighbours, and the huge
"Starred" playlists hold thousands of tracks that appear nowhere else, which would
otherwise flood every band and every co-occurrence row. Members of one class are each
other's neighbours with Jaccard 1.

Order of a neighbour list everywhere: exact Jaccard descending, then shared playlists
descending, then neighbour track id ascending. Classes are numbered by their smallest
member, so "class id ascending" breaks ties the same way as "track id ascending".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.jit import numba


@dataclass
class SetClasses:
    """Tracks that can be neighbours, grouped by identical playlist set.

    ``rep_indptr/rep_indices`` is the CSR of each class's playlist set; ``pl_indptr/
    pl_classes`` its transpose (playlist → classes holding it, ascending).
    """

    class_of: np.ndarray  # int32 per track, -1 when the track cannot be a neighbour
    member_ptr: np.ndarray  # int64, len n_classes + 1
    members: np.ndarray  # int32 track ids, ascending within each class
    size: np.ndarray  # int64 playlists per class (set size)
    rep_indptr: np.ndarray
    rep_indices: np.ndarray
    pl_indptr: np.ndarray
    pl_classes: np.ndarray  # int32

    @property
    def n_classes(self) -> int:
        return self.size.size


@numba.njit(cache=True, nogil=True)
def _row_hashes(indptr, indices, rows, out):  # pragma: no cover - numba
    for r in range(rows.size):
        row = rows[r]
        h = np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(indptr[row + 1] - indptr[row])
        for j in range(indptr[row], indptr[row + 1]):
            h ^= np.uint64(indices[j]) + np.uint64(0x9E3779B97F4A7C15)
            h *= np.uint64(0xFF51AFD7ED558CCD)
            h ^= h >> np.uint64(33)
            h *= np.uint64(0xC4CEB9FE1A85EC53)
            h ^= h >> np.uint64(29)
        out[r] = h


@numba.njit(cache=True, nogil=True)
def _same_row(indptr, indices, a, b):  # pragma: no cover - numba
    na = indptr[a + 1] - indptr[a]
    if na != indptr[b + 1] - indptr[b]:
        return False
    for j in range(na):  # noqa: SIM110 - numba compiles loops, not generators
        if indices[indptr[a] + j] != indices[indptr[b] + j]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _group_labels(indptr, indices, sorted_rows, sorted_hash, labels):  # pragma: no cover
    """Label runs of equal hash whose rows are equal to the run's head; a (never seen in
    practice) hash collision with a different set starts a new label, which only costs
    speed: the engines still score such tracks as Jaccard 1 neighbours."""
    label = -1
    head = -1
    for i in range(sorted_rows.size):
        row = sorted_rows[i]
        if (
            i == 0
            or sorted_hash[i] != sorted_hash[i - 1]
            or not _same_row(indptr, indices, head, row)
        ):
            label += 1
            head = row
        labels[i] = label
    return label + 1


def identical_set_classes(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> SetClasses:
    """Group CSR ``rows`` (track ids) by identical playlist set; see :class:`SetClasses`."""
    n_tracks = indptr.size - 1
    rows = np.asarray(rows, dtype=np.int64)
    hashes = np.empty(rows.size, dtype=np.uint64)
    _row_hashes(indptr, indices, rows, hashes)
    order = np.lexsort((rows, hashes))
    sorted_rows = rows[order]
    labels = np.empty(rows.size, dtype=np.int64)
    n_groups = _group_labels(indptr, indices, sorted_rows, hashes[order], labels)
    # Renumber groups by their smallest member (the first of each run, thanks to lexsort).
    heads = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(heads, labels, sorted_rows)
    rank = np.empty(n_groups, dtype=np.int64)
    rank[np.argsort(heads, kind="stable")] = np.arange(n_groups)
    cls = rank[labels]
    by_class = np.lexsort((sorted_rows, cls))
    members = sorted_rows[by_class].astype(np.int32)
    member_ptr = np.concatenate([[0], np.cumsum(np.bincount(cls, minlength=n_groups))]).astype(
        np.int64
    )
    class_of = np.full(n_tracks, -1, dtype=np.int32)
    class_of[sorted_rows] = cls.astype(np.int32)

    reps = members[member_ptr[:-1]].astype(np.int64)
    deg = np.diff(indptr)
    size = deg[reps].astype(np.int64)
    rep_indptr = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    take = np.repeat(indptr[reps] - rep_indptr[:-1], size) + np.arange(rep_indptr[-1])
    rep_indices = indices[take]

    n_playlists = int(indices.max()) + 1 if indices.size else 0
    owner = np.repeat(np.arange(n_groups, dtype=np.int32), size)
    by_pl = np.argsort(rep_indices, kind="stable")  # stable: classes stay ascending
    pl_classes = owner[by_pl]
    pl_indptr = np.concatenate(
        [[0], np.cumsum(np.bincount(rep_indices, minlength=n_playlists))]
    ).astype(np.int64)
    return SetClasses(
        class_of=class_of,
        member_ptr=member_ptr,
        members=members,
        size=size,
        rep_indptr=rep_indptr,
        rep_indices=rep_indices,
        pl_indptr=pl_indptr,
        pl_classes=pl_classes,
    )


@numba.njit(cache=True, nogil=True, inline="always")
def better(j1, s1, c1, j2, s2, c2):  # pragma: no cover - numba
    """True when neighbour (j1, s1, c1) ranks before (j2, s2, c2)."""
    if j1 != j2:
        return j1 > j2
    if s1 != s2:
        return s1 > s2
    return c1 < c2


@numba.njit(cache=True, nogil=True)
def lower_bound(arr, lo, hi, value):  # pragma: no cover - numba
    """First position in sorted ``arr[lo:hi]`` whose value is not below ``value``."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if arr[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def offer(top_j, top_s, top_c, n, k, j, s, c):  # pragma: no cover - numba
    """Insert (j, s, c) into the sorted top-``k`` arrays holding ``n`` entries; new ``n``."""
    if n == k and not better(j, s, c, top_j[k - 1], top_s[k - 1], top_c[k - 1]):
        return n
    pos = n if n < k else k - 1
    while pos > 0 and better(j, s, c, top_j[pos - 1], top_s[pos - 1], top_c[pos - 1]):
        if pos < k:
            top_j[pos] = top_j[pos - 1]
            top_s[pos] = top_s[pos - 1]
            top_c[pos] = top_c[pos - 1]
        pos -= 1
    top_j[pos] = j
    top_s[pos] = s
    top_c[pos] = c
    return n + 1 if n < k else k


@numba.njit(cache=True, nogil=True)
def _class_list(
    c, k, member_ptr, members, size, top_cls, top_shared, top_n, q, buf_t, buf_j, buf_s
):
    # pragma: no cover - numba
    """The k+1 best neighbours of class ``c`` as tracks (own members first); returns count."""
    kk = k + 1
    n = 0
    own = min(member_ptr[c + 1] - member_ptr[c], kk)
    for i in range(own):
        buf_t[n] = members[member_ptr[c] + i]
        buf_j[n] = 1.0
        buf_s[n] = size[c]
        n += 1
    start = n
    for i in range(top_n[q]):
        u = top_cls[q, i]
        s = top_shared[q, i]
        jac = s / (size[c] + size[u] - s)
        take = min(member_ptr[u + 1] - member_ptr[u], kk)
        for m in range(take):
            t = members[member_ptr[u] + m]
            # insertion into buf[start:n] sorted by (J desc, shared desc, id asc), cap kk
            if n == kk and not better(jac, s, t, buf_j[n - 1], buf_s[n - 1], buf_t[n - 1]):
                break  # members ascend, so the rest of this class ranks lower still
            pos = n if n < kk else kk - 1
            while pos > start and better(jac, s, t, buf_j[pos - 1], buf_s[pos - 1], buf_t[pos - 1]):
                if pos < kk:
                    buf_t[pos] = buf_t[pos - 1]
                    buf_j[pos] = buf_j[pos - 1]
                    buf_s[pos] = buf_s[pos - 1]
                pos -= 1
            buf_t[pos] = t
            buf_j[pos] = jac
            buf_s[pos] = s
            if n < kk:
                n += 1
    return n


def eligible_rows(
    indptr: np.ndarray, min_playlists: int, min_shared: int
) -> tuple[np.ndarray, int]:
    """Tracks that can be someone's neighbour, and the playlist count a query track needs.

    A track in fewer than ``min_shared`` playlists can share that many with nobody, so it
    is neither a neighbour nor a query (over half of real tracks are in one playlist).
    """
    deg = np.diff(indptr)
    rows = np.flatnonzero(deg >= max(min_shared, 1))
    return rows, max(min_playlists, min_shared, 1)
