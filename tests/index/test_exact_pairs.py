"""The pair-symmetric exact scan (each pair of queries counted once, offered to both lists)
against brute force: with a buffer so small it is applied after nearly every query, and
with only some classes as queries (the others are then walked by every query)."""

from __future__ import annotations

import numpy as np
import pytest

from index.build import exact
from index.build.exact import exact_neighbours, run_exact_queries
from index.build.topk import eligible_rows, identical_set_classes
from tests.index.test_exact import _csr, as_rows, brute_force, random_rows
from tests.index.test_extras import brute_force_extras, split_table


@pytest.mark.parametrize("min_big", [1024, 1])  # 1 exercises the skipped-playlist bitsets
@pytest.mark.parametrize("narrow_below", [32_768, 1])
def test_tiny_offer_buffer_changes_nothing(monkeypatch, min_big: int, narrow_below: int) -> None:
    monkeypatch.setattr("index.build.exact_layout.MIN_BIG", min_big)
    monkeypatch.setattr("index.build.exact_heaps.NARROW_BELOW", narrow_below)
    monkeypatch.setattr(exact, "OFFER_BUFFER", 1)  # the buffer holds one query's offers
    rng = np.random.default_rng(11)
    for _ in range(3):
        indptr, indices = _csr(random_rows(rng, int(rng.integers(40, 120)), 12))
        kw = dict(k=4, min_playlists=2, min_shared=2, progress=False)
        table = exact_neighbours(indptr, indices, 12, extras=3, **kw)
        top, extra = split_table(table, 4)
        assert top == brute_force(indptr, indices, 4, 2, 2)
        truth = brute_force_extras(indptr, indices, 4, 3, 2, 2)
        for t, rows in truth.items():
            assert extra.get(t, []) == rows, t


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_some_classes_as_queries_match_all_as_queries(seed: int) -> None:
    rng = np.random.default_rng(seed)
    indptr, indices = _csr(random_rows(rng, 150, 15))
    rows, _ = eligible_rows(indptr, 2, 2)
    classes = identical_set_classes(indptr, indices, rows)
    every = np.arange(classes.n_classes, dtype=np.int64)
    some = np.sort(rng.choice(every, size=classes.n_classes // 3, replace=False))
    full = run_exact_queries(classes, every, 5, 2, False, extras=3)
    part = run_exact_queries(classes, some, 5, 2, False, extras=3)
    for got, want in zip(part, full, strict=True):
        assert np.array_equal(got, want[some])


def test_rows_match_brute_force_at_larger_scale() -> None:
    rng = np.random.default_rng(5)
    indptr, indices = _csr(random_rows(rng, 400, 40, dup_rate=0.1))
    table = exact_neighbours(indptr, indices, 40, k=6, progress=False)
    assert as_rows(table) == brute_force(indptr, indices, 6, 2, 2)


def _tied_rows() -> list[np.ndarray]:
    """One track in playlists 0-5 and 60 more, most tied with one another on Jaccard and on
    shared count, so many sit exactly at the k-th best and at the pool's last place."""
    rows = [np.arange(6)]
    for i in range(60):
        a, b = i % 6, (i // 6) % 6
        shared = [a, b] if a != b else [a, (a + 1) % 6]
        if i % 5 == 0:
            shared.append((a + 2) % 6)  # three shared, and a larger set: lower Jaccard
            rows.append(np.unique([*shared, 10 + i % 4, 20 + i % 7, 30]))
        else:
            rows.append(np.unique([*shared, 10 + i % 3]))
    return rows


@pytest.mark.parametrize("extras", [0, 3])
@pytest.mark.parametrize("min_big", [1024, 1])
@pytest.mark.parametrize("narrow_below", [32_768, 1])  # 1: 32-bit pool entries, no unions
def test_offers_tied_at_a_querys_bounds_are_all_weighed(
    monkeypatch, extras, min_big, narrow_below
) -> None:
    """A query offers its own lists only what reaches its k-th best Jaccard or its pool's
    last shared count among its offers; everything tied there must still be weighed, in
    16-bit pool entries that store their unions and in 32-bit ones that do not."""
    monkeypatch.setattr("index.build.exact_layout.MIN_BIG", min_big)
    monkeypatch.setattr("index.build.exact_heaps.NARROW_BELOW", narrow_below)
    indptr, indices = _csr(_tied_rows())
    kw = dict(k=4, min_playlists=2, min_shared=2, progress=False)
    table = exact_neighbours(indptr, indices, 40, extras=extras, **kw)
    top, extra = split_table(table, 4)
    assert top == brute_force(indptr, indices, 4, 2, 2)
    truth = brute_force_extras(indptr, indices, 4, extras, 2, 2)
    assert truth[0] if extras else not extra
    for t, rows in truth.items():
        assert extra.get(t, []) == rows, t
