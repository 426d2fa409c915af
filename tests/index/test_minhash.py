"""MinHash signatures must be bit-for-bit datasketch 2.0 (affine32) signatures."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from index.build.minhash import element_hashes, minhash_signatures, permutations


def _csr(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32) if rows else np.empty(0, np.int32)
    return indptr, indices


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (16, 12345)])
def test_signatures_equal_datasketch(num_perm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, 50_000, rng.integers(1, 80))) for _ in range(40)]
    indptr, indices = _csr(rows)
    sig = minhash_signatures(indptr, indices, np.arange(len(rows)), num_perm=num_perm, seed=seed)
    assert sig.shape == (len(rows), num_perm) and sig.dtype == np.uint32
    for i, row in enumerate(rows):
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch([str(p).encode() for p in row])
        np.testing.assert_array_equal(sig[i], m.hashvalues)


def test_selected_rows_and_reused_hashes() -> None:
    rows = [np.array([0, 5, 9]), np.array([1]), np.array([2, 3, 4, 9])]
    indptr, indices = _csr(rows)
    hashes = element_hashes(10)
    sig = minhash_signatures(indptr, indices, np.array([2, 0]), num_perm=32, hashes=hashes)
    m = MinHash(num_perm=32)
    m.update_batch([str(p).encode() for p in rows[2]])
    np.testing.assert_array_equal(sig[0], m.hashvalues)
    assert not np.array_equal(sig[0], sig[1])


def test_empty_row_is_datasketch_empty() -> None:
    indptr, indices = _csr([np.array([3]), np.empty(0, dtype=np.int64)])
    sig = minhash_signatures(indptr, indices, np.array([1]), num_perm=8)
    np.testing.assert_array_equal(sig[0], MinHash(num_perm=8).hashvalues)


def test_permutations_match_datasketch() -> None:
    a, b = permutations(64, seed=3)
    perms = MinHash(num_perm=64, seed=3).permutations
    np.testing.assert_array_equal(a, perms[0])
    np.testing.assert_array_equal(b, perms[1])


def test_identical_sets_have_identical_signatures_and_similar_sets_agree_often() -> None:
    base = np.arange(0, 200)
    rows = [base, base.copy(), np.concatenate([base[:150], np.arange(1000, 1050)])]
    indptr, indices = _csr(rows)
    sig = minhash_signatures(indptr, indices, np.arange(3), num_perm=256)
    assert np.array_equal(sig[0], sig[1])
    agree = float(np.mean(sig[0] == sig[2]))  # estimates J = 150 / 250 = 0.6
    assert 0.45 < agree < 0.75
