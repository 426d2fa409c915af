"""How the exact kernel lays out the co-occurrence walk (:mod:`index.build.exact`).

Classes are renumbered by popularity (the counters hit most stay in cache), the classes
that are not queries first; each playlist lists its classes in that numbering, ascending,
so a query walks only the prefix of classes numbered before it (each pair of queries is
counted once). The longest playlists get membership bitsets so a query can skip walking
them, and queries are visited grouped by the longest playlist they walk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.build.topk import SetClasses
from index.jit import numba

MIN_BIG = 1024  # a playlist this long (in classes) gets a bitset and may be skipped
MAX_BIG = 512  # at most this many bitsets (n_classes / 8 bytes each)


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
    item_of: np.ndarray  # int32 item id of each class


@numba.njit(cache=True, parallel=True)
def _sort_segments(indptr, values):  # pragma: no cover - numba
    """Sort each ``values[indptr[i]:indptr[i + 1]]`` in place."""
    for i in numba.prange(indptr.size - 1):
        values[indptr[i] : indptr[i + 1]] = np.sort(values[indptr[i] : indptr[i + 1]])


def cooccurrence_index(classes: SetClasses, query: np.ndarray | None = None) -> CooccurrenceIndex:
    """Renumber classes by popularity and give the longest playlists membership bitsets.

    Popular classes are counted most often; numbering them first keeps their counters in
    cache. Classes outside the bool mask ``query`` (default: all are queries) come first,
    so every query walks them. A query skips (up to ``min_shared - 1`` of) its longest
    playlists and tests candidates against their bitsets instead, which is what avoids the
    quadratic cost of the 20k–47k-track libraries.
    """
    n = classes.n_classes
    is_query = np.ones(n, dtype=bool) if query is None else np.asarray(query, dtype=bool)
    order = np.lexsort((-classes.size, is_query))  # item id -> class (stable on ties)
    item_of = np.empty(n, dtype=np.int32)
    item_of[order] = np.arange(n, dtype=np.int32)
    pl_items = item_of[classes.pl_classes]
    _sort_segments(classes.pl_indptr, pl_items)
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
        item_of=item_of,
    )
