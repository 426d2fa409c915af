"""MinHash signatures into LSH buckets: steps 3 and 4 of :mod:`index.build.lsh`.

Each class's signature is kept as the *argmin playlist* per permutation (equal minimum ⇔
equal argmin, since each permutation is a bijection of the 32-bit playlist hashes;
colliding hashes are merged), and every permutation is one band (``rows_per_band = 1``):
a counting sort of the classes by argmin playlist. What a query then does with its buckets
is :mod:`index.build.lsh_candidates`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from index.build.minhash import element_hashes, permutations
from index.build.topk import SetClasses
from index.jit import numba

PERM_SLICE = 16  # permutations hashed and bucketed together (memory: 16 × classes int32)


@dataclass
class Buckets:
    """Every band's buckets, and each LSH query's bucket per band.

    Items are the classes in popularity order (largest sets first, as in
    :mod:`index.build.exact`); bucket ``p`` of band ``b`` holds
    ``members[b, ptr[b, p] : ptr[b, p + 1]]``, items ascending.
    """

    item_class: np.ndarray  # item -> class
    q_items: np.ndarray  # item of each LSH query
    q_argmins: np.ndarray  # (queries, bands): the bucket (canonical playlist) per band
    ptr: np.ndarray  # (bands, playlists + 1)
    members: np.ndarray  # (bands, items)
    n_playlists: int  # buckets per band (playlist ids seen, at least the corpus's)


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
def argmin_playlists(rep_indptr, rep_indices, item_class, hashes, canon, a, b, out):
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
def build_buckets(argmins, n_playlists, ptr, members):  # pragma: no cover - numba
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


def bucket_classes(
    classes: SetClasses,
    lsh_q: np.ndarray,
    *,
    num_perm: int,
    seed: int,
    n_playlists: int,
    stages: dict[str, float],
) -> Buckets:
    """Signatures and buckets of every class, and the buckets of the queries ``lsh_q``.

    Times ``signatures`` (with the set-up) and ``buckets`` into ``stages``.
    """
    t = time.perf_counter()
    n = classes.n_classes
    n_pl = max(n_playlists, int(classes.rep_indices.max()) + 1 if classes.rep_indices.size else 0)
    # Items: classes in popularity order (largest sets first), as in index.build.exact.
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
        argmin_playlists(
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
        build_buckets(argmins, n_pl, ptr[k0:k1], members[k0:k1])
        q_argmins[:, k0:k1] = argmins[:, q_items].T
        del argmins
        sig_s += t1 - t0
        bucket_s += time.perf_counter() - t1
    stages["signatures"] = sig_s + (time.perf_counter() - t - sig_s - bucket_s)
    stages["buckets"] = bucket_s
    return Buckets(item_class, q_items, q_argmins, ptr, members, n_pl)
