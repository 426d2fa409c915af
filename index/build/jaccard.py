"""Exact Jaccard of playlist sets: intersection sizes for given pairs, and the score rule.

Every score the index stores is computed here from the sets themselves, never estimated:
``J = shared / (|A| + |B| - shared)``, in float64. Equal fractions give bit-equal floats
(IEEE division is correctly rounded), so ties in Jaccard are exact ties.
"""

from __future__ import annotations

import numpy as np

from index.jit import numba


@numba.njit(cache=True, nogil=True)
def _intersect_sorted(indptr, indices, a, b):  # pragma: no cover - numba
    i, i_end = indptr[a], indptr[a + 1]
    j, j_end = indptr[b], indptr[b + 1]
    n = 0
    while i < i_end and j < j_end:
        x = indices[i]
        y = indices[j]
        if x == y:
            n += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return n


@numba.njit(cache=True, nogil=True)
def _pair_intersections(indptr, indices, a, b, out):  # pragma: no cover - numba
    for i in range(a.size):
        out[i] = _intersect_sorted(indptr, indices, a[i], b[i])


def shared_counts(
    indptr: np.ndarray, indices: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Number of playlists rows ``a[i]`` and ``b[i]`` of the CSR have in common (int32)."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    b = np.ascontiguousarray(b, dtype=np.int64)
    if a.shape != b.shape:
        raise ValueError("a and b must have the same length")
    out = np.empty(a.size, dtype=np.int32)
    _pair_intersections(np.ascontiguousarray(indptr, dtype=np.int64), indices, a, b, out)
    return out


def pair_jaccard(
    indptr: np.ndarray, indices: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Exact Jaccard of the playlist sets of rows ``a[i]`` and ``b[i]`` (float64)."""
    shared = shared_counts(indptr, indices, a, b).astype(np.float64)
    deg = np.diff(indptr)
    union = deg[np.asarray(a)] + deg[np.asarray(b)] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, shared / np.maximum(union, 1), 0.0)


@numba.njit(cache=True, nogil=True)
def count_marked(indptr, indices, row, mark):  # pragma: no cover - numba
    """How many playlists of ``row`` are set in the boolean ``mark`` (one query's set)."""
    n = 0
    for j in range(indptr[row], indptr[row + 1]):
        if mark[indices[j]]:
            n += 1
    return n
