"""The exact engine is the reference: it must equal a brute-force Python computation."""

from __future__ import annotations

import numpy as np
import pytest

from index.build import exact
from index.build.exact import exact_neighbours
from index.build.jaccard import pair_jaccard


def _csr(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    return indptr, indices


def brute_force(indptr, indices, k, min_playlists, min_shared):
    """(track, rank, neighbour, jaccard, shared) rows, straight from the definition."""
    n = indptr.size - 1
    sets = [set(indices[indptr[i] : indptr[i + 1]].tolist()) for i in range(n)]
    out = []
    for t in range(n):
        if len(sets[t]) < min_playlists:
            continue
        cands = []
        for u in range(n):
            shared = len(sets[t] & sets[u])
            if u != t and shared >= max(min_shared, 1):
                cands.append((-shared / len(sets[t] | sets[u]), -shared, u))
        cands.sort()
        out += [(t, r + 1, u, -j, -s) for r, (j, s, u) in enumerate(cands[:k])]
    return out


def random_rows(rng, n_tracks, n_playlists, dup_rate=0.3):
    rows: list[np.ndarray] = []
    for _ in range(n_tracks):
        if rows and rng.random() < dup_rate:  # identical playlist sets
            rows.append(rows[rng.integers(len(rows))].copy())
        else:
            rows.append(np.unique(rng.integers(0, n_playlists, rng.integers(1, 7))))
    return rows


def as_rows(table):
    return list(
        zip(
            table.track.tolist(),
            table.rank.tolist(),
            table.neighbour.tolist(),
            table.jaccard.tolist(),
            table.shared.tolist(),
            strict=True,
        )
    )


@pytest.mark.parametrize("min_big", [1024, 1, 3])  # 1 and 3 exercise the skipped-playlist bitsets
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_brute_force(monkeypatch, seed: int, min_big: int) -> None:
    monkeypatch.setattr("index.build.exact_layout.MIN_BIG", min_big)
    rng = np.random.default_rng(seed)
    for _ in range(6):
        rows = random_rows(rng, int(rng.integers(5, 70)), int(rng.integers(2, 14)))
        indptr, indices = _csr(rows)
        for k, mp, ms in [(3, 2, 2), (5, 1, 1), (30, 2, 2), (2, 3, 2), (4, 1, 3)]:
            table = exact_neighbours(
                indptr,
                indices,
                int(indices.max()) + 1,
                k=k,
                min_playlists=mp,
                min_shared=ms,
                progress=False,
            )
            assert as_rows(table) == brute_force(indptr, indices, k, mp, ms)


def test_narrow_counters_and_their_resets_change_nothing(monkeypatch) -> None:
    # Sets of under 4 playlists get 8-bit counters with 2 bits of count, so their stamps
    # run out every 62 queries and are cleared; larger sets get the wider words.
    monkeypatch.setattr(
        exact, "COUNTER_TIERS", ((4, np.uint8, 2), (65535, np.uint32, 16), (2**32, np.uint64, 32))
    )
    rng = np.random.default_rng(3)
    for _ in range(4):
        rows = random_rows(rng, int(rng.integers(150, 300)), int(rng.integers(6, 20)))
        indptr, indices = _csr(rows)
        for k, mp, ms in [(5, 1, 1), (10, 2, 2)]:
            table = exact_neighbours(
                indptr, indices, int(indices.max()) + 1, k=k, min_playlists=mp,
                min_shared=ms, progress=False,
            )  # fmt: skip
            assert as_rows(table) == brute_force(indptr, indices, k, mp, ms)


def test_ties_break_by_shared_then_id() -> None:
    # Track 0 = {0..3}. Track 1 = {0,1} : J 2/4. Track 2 = {0..3, 4..7}: J 4/8 (same J,
    # more shared, so it ranks first). Tracks 3 and 4 = {2,3}: J 2/4, tie broken by id.
    rows = [np.arange(4), np.array([0, 1]), np.arange(8), np.array([2, 3]), np.array([2, 3])]
    indptr, indices = _csr(rows)
    table = exact_neighbours(indptr, indices, 8, k=10, progress=False)
    mine = table.track == 0
    assert table.neighbour[mine].tolist() == [2, 1, 3, 4]
    assert table.jaccard[mine].tolist() == [0.5, 0.5, 0.5, 0.5]
    assert table.shared[mine].tolist() == [4, 2, 2, 2]
    assert table.rank[mine].tolist() == [1, 2, 3, 4]


def test_thresholds_and_single_playlist_tracks() -> None:
    rows = [np.array([0, 1, 2]), np.array([0, 1]), np.array([0]), np.array([1, 2, 5])]
    indptr, indices = _csr(rows)
    table = exact_neighbours(
        indptr, indices, 6, k=30, min_playlists=2, min_shared=2, progress=False
    )
    assert 2 not in table.track.tolist()  # one playlist: no neighbours...
    assert 2 not in table.neighbour.tolist()  # ...and nobody's neighbour
    assert (table.shared >= 2).all()
    strict = exact_neighbours(
        indptr, indices, 6, k=1, min_playlists=3, min_shared=2, progress=False
    )
    assert sorted(set(strict.track.tolist())) == [0, 3]  # only tracks in >= 3 playlists
    assert np.bincount(strict.track).max() == 1  # k respected


def test_identical_sets_are_neighbours_with_jaccard_one() -> None:
    rows = [np.array([1, 2]), np.array([1, 2]), np.array([1, 2]), np.array([1, 2, 3])]
    indptr, indices = _csr(rows)
    table = exact_neighbours(indptr, indices, 4, k=5, progress=False)
    mine = table.track == 1
    assert table.neighbour[mine].tolist() == [0, 2, 3]
    assert table.jaccard[mine].tolist() == [1.0, 1.0, 2 / 3]


def test_huge_playlist_is_exact_and_quick() -> None:
    """A 20k-track library: co-occurrence through it is checked by bitset, not walked."""
    rng = np.random.default_rng(5)
    n = 20_000
    rows = []
    for _ in range(n):
        own = rng.integers(1, 400, 2)  # a couple of ordinary playlists
        rows.append(np.unique(np.concatenate([[0], own])))  # everyone is in playlist 0
    indptr, indices = _csr(rows)
    table = exact_neighbours(indptr, indices, 400, k=10, progress=False)
    sample = rng.choice(len(table), 2000, replace=False)
    exact = pair_jaccard(indptr, indices, table.track[sample], table.neighbour[sample])
    assert np.abs(exact - table.jaccard[sample]).max() < 1e-12
    # Reference for a few tracks by brute force over the whole set.
    sets = [set(r.tolist()) for r in rows]
    for t in rng.choice(n, 5, replace=False).tolist():
        best = sorted(
            (-len(sets[t] & sets[u]) / len(sets[t] | sets[u]), -len(sets[t] & sets[u]), u)
            for u in range(n)
            if u != t and len(sets[t] & sets[u]) >= 2
        )[:10]
        got = table.neighbour[table.track == t].tolist()
        assert got == [u for _, _, u in best]


def test_rejects_nonsense_parameters() -> None:
    indptr, indices = _csr([np.array([0, 1])])
    with pytest.raises(ValueError):
        exact_neighbours(indptr, indices, 2, k=0, progress=False)
