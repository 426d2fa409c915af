"""Extras after the Jaccard top k (index.build.extras): the top k stays exactly as it was,
the extras are the co-occurring tracks sharing most playlists, with exact scores."""

from __future__ import annotations

import numpy as np
import pytest

from index.build import extras as extras_module
from index.build.exact import exact_neighbours
from index.build.lsh import lsh_neighbours
from tests.index.test_exact import _csr, as_rows, random_rows
from tests.index.test_lsh import planted_csr


def brute_force_extras(indptr, indices, k, m, min_playlists, min_shared):
    """{track: [(neighbour, jaccard, shared)]} of the m extras, straight from the definition."""
    n = indptr.size - 1
    sets = [set(indices[indptr[i] : indptr[i + 1]].tolist()) for i in range(n)]
    out = {}
    for t in range(n):
        if len(sets[t]) < min_playlists:
            continue
        cands = []
        for u in range(n):
            s = len(sets[t] & sets[u])
            if u != t and s >= min_shared:
                cands.append((s / len(sets[t] | sets[u]), s, u))
        top = sorted(cands, key=lambda c: (-c[0], -c[1], c[2]))[:k]
        listed = {u for _, _, u in top}
        rest = sorted((c for c in cands if c[2] not in listed), key=lambda c: (-c[1], -c[0], c[2]))
        out[t] = [(u, j, s) for j, s, u in rest[:m]]
    return out


def split_table(table, k):
    top = [r for r in as_rows(table) if r[1] <= k]
    extra: dict[int, list] = {}
    for t, _, u, j, s in (r for r in as_rows(table) if r[1] > k):
        extra.setdefault(t, []).append((u, j, s))
    return top, extra


@pytest.mark.parametrize("min_big", [1024, 1])  # 1 exercises the skipped-playlist bitsets
@pytest.mark.parametrize(("k", "m", "min_playlists", "min_shared"), [(3, 4, 2, 2), (5, 2, 1, 1)])
def test_exact_extras_match_brute_force(monkeypatch, min_big, k, m, min_playlists, min_shared):
    monkeypatch.setattr("index.build.exact_layout.MIN_BIG", min_big)
    rng = np.random.default_rng(7)
    indptr, indices = _csr(random_rows(rng, 80, 25))
    kw = dict(k=k, min_playlists=min_playlists, min_shared=min_shared, progress=False)
    plain = exact_neighbours(indptr, indices, 25, **kw)
    table = exact_neighbours(indptr, indices, 25, extras=m, **kw)
    top, extra = split_table(table, k)
    assert top == as_rows(plain), "the first k rows per track are exactly today's"
    truth = brute_force_extras(indptr, indices, k, m, min_playlists, min_shared)
    assert sum(map(len, truth.values())) > 0
    for t, rows in truth.items():
        assert extra.get(t, []) == rows, t
    ranks = table.rank[table.track == next(iter(extra))]
    assert ranks.tolist() == list(range(1, len(ranks) + 1))
    assert table.params["extras"] == m


def test_lsh_extras_keep_the_top_k_and_exact_scores() -> None:
    indptr, indices, n_pl = planted_csr(seed=1)
    plain = lsh_neighbours(indptr, indices, n_pl, k=10, exact_below=0, progress=False)
    table = lsh_neighbours(indptr, indices, n_pl, k=10, extras=15, exact_below=0, progress=False)
    top, extra = split_table(table, 10)
    assert top == as_rows(plain)
    assert sum(map(len, extra.values())) > 1000
    sets = [set(indices[indptr[i] : indptr[i + 1]].tolist()) for i in range(indptr.size - 1)]
    listed = {}
    for t, _, u, _, _ in top:
        listed.setdefault(t, set()).add(u)
    for t, rows in extra.items():
        assert len(rows) <= 15
        assert not {u for u, _, _ in rows} & listed[t] and t not in {u for u, _, _ in rows}
        for u, j, s in rows:
            assert s == len(sets[t] & sets[u]) and j == s / len(sets[t] | sets[u])
        keys = [(-s, -j, u) for u, j, s in rows]
        assert keys == sorted(keys)


def test_default_plan_extras_equal_exact() -> None:
    """On small data the LSH build scans exactly, extras included."""
    indptr, indices, n_pl = planted_csr(seed=3, clusters=20)
    lsh = lsh_neighbours(indptr, indices, n_pl, k=10, extras=20, progress=False)
    exact = exact_neighbours(indptr, indices, n_pl, k=10, extras=20, progress=False)
    assert as_rows(lsh) == as_rows(exact)
    assert (lsh.rank > 10).sum() > 0


def _tables_equal(a, b) -> bool:
    return all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("track", "rank", "neighbour", "jaccard", "shared")
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("k", "m"), [(3, 4), (5, 0), (2, 20)])
def test_row_counts_from_class_sizes_are_exact(caplog, seed, k, m) -> None:
    """Rows are written where counts from class sizes alone put them. Were a count wrong,
    the build would count again from the lists and log it: neither engine may log."""
    rng = np.random.default_rng(seed)
    indptr, indices = _csr(random_rows(rng, 120, 30, dup_rate=0.4))
    kw = dict(k=k, extras=m, min_playlists=1, min_shared=1, progress=False)
    planted = planted_csr(seed=seed)
    with caplog.at_level("WARNING", logger="index.build.extras"):
        exact = exact_neighbours(indptr, indices, 30, **kw)
        lsh = lsh_neighbours(*planted, exact_below=0, **kw)
    assert not caplog.records
    assert exact.track.size > 0 and lsh.track.size > 0
    if m:
        assert (exact.rank > k).any() and (lsh.rank > k).any()


def test_a_wrong_row_count_is_counted_again(caplog, monkeypatch) -> None:
    rng = np.random.default_rng(5)
    indptr, indices = _csr(random_rows(rng, 120, 30, dup_rate=0.4))
    kw = dict(k=3, extras=4, min_playlists=1, min_shared=1, progress=False)
    right = exact_neighbours(indptr, indices, 30, **kw)
    count = extras_module._row_counts

    def one_too_many(*args):
        count(*args)
        args[-1][1::7] += 1

    monkeypatch.setattr(extras_module, "_row_counts", one_too_many)
    with caplog.at_level("WARNING", logger="index.build.extras"):
        again = exact_neighbours(indptr, indices, 30, **kw)
    assert _tables_equal(again, right)
    assert "counting from the lists" in caplog.text
