"""MinHash signatures of playlist sets, bit-for-bit equal to ``datasketch.MinHash``.

datasketch 2.0's default scheme ``affine32``: each element is hashed to 32 bits
(``sha1_hash32``: the first 4 bytes of SHA-1, little-endian), pre-mixed once with the
MurmurHash3 32-bit finalizer, then permuted by ``a_k * h + b_k mod 2**32`` (``a_k`` odd,
so every permutation is a bijection); the signature is the per-permutation minimum.
``a_k, b_k`` come from ``numpy.random.RandomState(seed)`` exactly as datasketch draws them.

Encoding: a playlist id ``p`` (0-based array position) is fed to datasketch as
``str(p).encode()``, so ``minhash_signatures(...)[i]`` equals
``MinHash(num_perm, seed); m.update_batch(str(p).encode() for p in playlists_of(row))``.

datasketch hashes one element at a time in Python; here each playlist is hashed once and
the permutations run in a numba kernel over the CSR rows, which is what makes millions of
tracks affordable.
"""

from __future__ import annotations

import hashlib

import numpy as np

from index.jit import numba

EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for a permutation that saw no element


def permutations(num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` uint32 arrays datasketch's ``affine32`` scheme draws for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix), elementwise on uint32."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def element_hashes(n_elements: int) -> np.ndarray:
    """Pre-mixed 32-bit hash of every element id ``0..n-1`` encoded as ``str(id).encode()``."""
    raw = np.fromiter(
        (
            int.from_bytes(hashlib.sha1(str(p).encode()).digest()[:4], "little")
            for p in range(n_elements)
        ),
        dtype=np.uint32,
        count=n_elements,
    )
    return fmix32(raw)


@numba.njit(cache=True, nogil=True)
def _signatures_kernel(indptr, indices, rows, hashes, a, b, out):  # pragma: no cover - numba
    num_perm = a.size
    for r in range(rows.size):
        row = rows[r]
        sig = out[r]
        for k in range(num_perm):
            sig[k] = np.uint32(0xFFFFFFFF)
        for j in range(indptr[row], indptr[row + 1]):
            h = np.uint64(hashes[indices[j]])
            for k in range(num_perm):
                # numba widens uint32 products to 64 bits: mask back to mod 2**32.
                v = np.uint32((a[k] * h + b[k]) & np.uint64(0xFFFFFFFF))
                if v < sig[k]:
                    sig[k] = v


def minhash_signatures(
    indptr: np.ndarray,
    indices: np.ndarray,
    rows: np.ndarray,
    *,
    num_perm: int = 128,
    seed: int = 1,
    hashes: np.ndarray | None = None,
) -> np.ndarray:
    """Signatures ``(len(rows), num_perm)`` uint32 of the given CSR rows (see module doc).

    ``hashes`` (from :func:`element_hashes`) can be passed to avoid rehashing when called
    repeatedly; an empty row gets datasketch's empty signature (all ``2**32 - 1``).
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    n_elements = int(indices.max()) + 1 if indices.size else 0
    if hashes is None:
        hashes = element_hashes(n_elements)
    elif hashes.size < n_elements:
        raise ValueError("hashes must cover every element id in indices")
    a, b = permutations(num_perm, seed)
    out = np.empty((rows.size, num_perm), dtype=np.uint32)
    _signatures_kernel(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(indices),
        rows,
        np.ascontiguousarray(hashes, dtype=np.uint32),
        a.astype(np.uint64),
        b.astype(np.uint64),
        out,
    )
    return out
