"""MinHash + LSH engine: recall against exact on data with planted structure, exact scores,
the ordering rules, thresholds, identical-set classes and huge playlists."""

from __future__ import annotations

import numpy as np
import pytest

from index.build.exact import exact_neighbours
from index.build.jaccard import pair_jaccard
from index.build.lsh import lsh_neighbours
from index.quality.recall import recall_against_csr


def planted_csr(seed: int = 0, clusters: int = 60, per_cluster: int = 40):
    """Clusters of tracks sharing a private pool of playlists, plus noise playlists, one
    library holding half of all tracks, duplicated sets and single-playlist tracks."""
    rng = np.random.default_rng(seed)
    pools = 12
    n_noise = 200
    huge = clusters * pools + n_noise
    rows = []
    for c in range(clusters):
        own = c * pools + np.arange(pools)
        for _ in range(per_cluster):
            picked = own[rng.random(pools) < 0.35]
            if picked.size < 2:
                picked = rng.choice(own, 2, replace=False)
            noise = clusters * pools + rng.integers(0, n_noise, rng.integers(0, 3))
            lib = [huge] if rng.random() < 0.5 else []
            rows.append(np.unique(np.concatenate([picked, noise, lib]).astype(np.int64)))
    for _ in range(30):  # identical sets
        rows.append(rows[rng.integers(len(rows))].copy())
    for _ in range(1000):  # rare tracks in one playlist
        rows.append(np.array([clusters * pools + rng.integers(0, n_noise)]))
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return indptr, np.concatenate(rows).astype(np.int32), huge + 1


@pytest.fixture(scope="module")
def planted():
    indptr, indices, n_pl = planted_csr()
    lsh = lsh_neighbours(indptr, indices, n_pl, k=30, exact_below=0, progress=False)
    exact = exact_neighbours(indptr, indices, n_pl, k=30, progress=False)
    return indptr, indices, n_pl, lsh, exact


def assert_well_formed(table, indptr, indices, k, min_playlists=2, min_shared=2) -> None:
    deg = np.diff(indptr)
    assert np.all(np.diff(table.track) >= 0), "rows sorted by track"
    assert (table.track != table.neighbour).all()
    assert (deg[table.track] >= min_playlists).all()
    assert (table.shared >= min_shared).all()
    truth = pair_jaccard(indptr, indices, table.track, table.neighbour)
    assert np.abs(truth - table.jaccard).max() < 1e-9  # stored scores are exact
    starts = np.flatnonzero(np.r_[True, table.track[1:] != table.track[:-1]])
    ends = np.r_[starts[1:], len(table)]
    for s, e in zip(starts, ends, strict=True):
        assert table.rank[s:e].tolist() == list(range(1, e - s + 1))
        assert e - s <= k
        assert len(set(table.neighbour[s:e].tolist())) == e - s
        key = list(zip(-table.jaccard[s:e], -table.shared[s:e], table.neighbour[s:e], strict=True))
        assert key == sorted(key), "ordered by Jaccard desc, shared desc, id asc"


def test_pure_lsh_recall_at_10_against_exact(planted) -> None:
    indptr, indices, _, lsh, _ = planted
    report = recall_against_csr(indptr, indices, lsh, queries=10_000, k=10)
    assert report.scored > 2000
    assert report.recall >= 0.95, report.summary()
    assert report.max_score_diff < 1e-6


def test_lsh_table_is_well_formed(planted) -> None:
    indptr, indices, _, lsh, _ = planted
    assert_well_formed(lsh, indptr, indices, k=30)
    assert lsh.params["method"] == "lsh"
    assert lsh.params["num_perm"] == lsh.params["bands"] * lsh.params["rows_per_band"]
    assert set(lsh.stage_seconds) >= {"signatures", "buckets", "candidates + re-rank", "top-k"}


def test_lsh_never_beats_exact_and_mostly_equals_it(planted) -> None:
    indptr, _, _, lsh, exact = planted
    first_l = {t: j for t, j, r in zip(lsh.track, lsh.jaccard, lsh.rank, strict=True) if r == 1}
    first_e = {
        t: j for t, j, r in zip(exact.track, exact.jaccard, exact.rank, strict=True) if r == 1
    }
    assert set(first_l) <= set(first_e)
    assert all(first_l[t] <= first_e[t] + 1e-12 for t in first_l)
    same = np.mean([first_l.get(t, -1) == j for t, j in first_e.items()])
    assert same > 0.95


def test_cheap_tracks_are_scanned_exactly_by_default() -> None:
    """With the default plan small data never reaches LSH: the table equals exact."""
    indptr, indices, n_pl = planted_csr(seed=3, clusters=20)
    lsh = lsh_neighbours(indptr, indices, n_pl, k=10, progress=False)
    exact = exact_neighbours(indptr, indices, n_pl, k=10, progress=False)
    assert lsh.params["lsh_query_classes"] == 0
    for name in ("track", "rank", "neighbour", "jaccard", "shared"):
        np.testing.assert_array_equal(getattr(lsh, name), getattr(exact, name))


def test_identical_sets_rank_first_with_jaccard_one() -> None:
    rows = [np.array([1, 2, 3])] * 3 + [np.array([1, 2, 3, 4]), np.array([2, 3, 9])]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    table = lsh_neighbours(indptr, indices, 10, k=5, exact_below=0, progress=False)
    mine = table.track == 2
    assert table.neighbour[mine].tolist()[:2] == [0, 1]
    assert table.jaccard[mine].tolist()[:2] == [1.0, 1.0]
    assert table.jaccard[mine][2] == 0.75


@pytest.mark.parametrize(("k", "min_playlists", "min_shared"), [(5, 2, 2), (3, 4, 2), (8, 2, 3)])
def test_thresholds_respected(planted, k, min_playlists, min_shared) -> None:
    indptr, indices, n_pl, _, _ = planted
    table = lsh_neighbours(
        indptr,
        indices,
        n_pl,
        k=k,
        min_playlists=min_playlists,
        min_shared=min_shared,
        exact_below=0,
        progress=False,
    )
    assert len(table) > 0
    assert_well_formed(table, indptr, indices, k, min_playlists, min_shared)
    rare = np.flatnonzero(np.diff(indptr) < min_shared)
    assert not np.isin(table.neighbour, rare).any()


def test_huge_playlist_does_not_blow_up() -> None:
    """30k tracks share one library and little else: buckets are capped, scores exact."""
    rng = np.random.default_rng(2)
    n = 30_000
    rows = [np.unique(np.r_[0, rng.integers(1, 3000, 2)]) for _ in range(n)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    table = lsh_neighbours(
        indptr, indices, 3000, k=10, exact_below=0, bucket_cap=64, progress=False
    )
    assert len(table) > 0
    assert_well_formed(table, indptr, indices, k=10)


def test_banding_must_be_one_row_per_band() -> None:
    indptr = np.array([0, 2, 4], dtype=np.int64)
    indices = np.array([0, 1, 0, 1], dtype=np.int32)
    with pytest.raises(ValueError):
        lsh_neighbours(indptr, indices, 2, num_perm=128, bands=32, rows_per_band=4, progress=False)


def test_buckets_are_keyed_by_datasketch_minhash_values() -> None:
    """The engine buckets by the playlist holding each minimum: same key ⇔ same MinHash."""
    from index.build.lsh_bands import argmin_playlists, playlist_hashes
    from index.build.minhash import minhash_signatures, permutations

    indptr, indices, n_pl = planted_csr(seed=1, clusters=5)
    rows = np.arange(indptr.size - 1, dtype=np.int64)
    hashes, canon = playlist_hashes(n_pl)
    a, b = permutations(64, seed=1)
    argmins = np.empty((64, rows.size), dtype=np.int32)
    argmin_playlists(
        indptr, indices, rows, hashes, canon, a.astype(np.uint64), b.astype(np.uint64), argmins
    )
    sig = minhash_signatures(indptr, indices, rows, num_perm=64, seed=1)
    from_argmin = (a[:, None].astype(np.uint64) * hashes[argmins] + b[:, None]) & 0xFFFFFFFF
    np.testing.assert_array_equal(from_argmin.T.astype(np.uint32), sig)


def test_scan_budget_sends_the_most_expensive_queries_through_lsh(planted) -> None:
    from index.build.lsh import scan_plan

    assert scan_plan(np.array([3, 1, 100, 2]), 50, 5) == 2  # 1 + 2 fit, 3 would not
    assert scan_plan(np.array([3, 1, 100, 2]), 50, 0) == 50  # no budget: the threshold
    assert scan_plan(np.array([3, 1, 100, 2]), 50, 6) == 50  # all under 50 fit
    indptr, indices, n_pl, _, _ = planted
    opts = {"k": 30, "progress": False, "exact_below": 10**9, "num_perm": 16}
    free = lsh_neighbours(indptr, indices, n_pl, **opts)
    assert free.params["lsh_query_classes"] == 0  # everything under the threshold: scanned
    capped = lsh_neighbours(indptr, indices, n_pl, **opts, exact_budget=100_000)
    below = capped.params["exact_scan_below"]
    assert 0 < below < 10**9
    assert 0 < capped.params["exact_query_classes"] < free.params["exact_query_classes"]
    assert capped.params["lsh_query_classes"] > 0
    assert_well_formed(capped, indptr, indices, 30)  # every stored score still exact
