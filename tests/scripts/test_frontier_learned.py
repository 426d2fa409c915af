"""The learned hit share of the frontier script ranks as its research note says."""

from __future__ import annotations

import numpy as np

from tests.support.scripts import load_script

fl = load_script("frontier_learned")


def _table():
    """Songs in 1–2 playlists sharing 1 with a 4-playlist seed were hits 1 time in 10;
    songs in 64–127 sharing 3, 6 times in 10."""
    shared = np.array([1] * 10 + [3] * 10)
    b = np.array([1] * 10 + [100] * 10, dtype=float)
    seen = fl.cells(shared, 4.0, b, np.zeros(20, dtype=bool))
    hits = np.array([1] + [0] * 9 + [1] * 6 + [0] * 4, dtype=bool)
    return fl.fit([seen], [hits]), shared, b, seen


def test_the_table_is_the_hit_share_of_each_cell_shrunk_to_the_mean():
    table, _, _, seen = _table()
    mean = 7 / 20
    assert np.isclose(table[seen[0]], (1 + fl.PRIOR * mean) / (10 + fl.PRIOR))
    assert np.isclose(table[seen[-1]], (6 + fl.PRIOR * mean) / (10 + fl.PRIOR))
    unseen = fl.cells(np.array([2]), 4.0, np.array([8.0]), np.array([True]))
    assert np.isclose(table[unseen[0]], mean)  # a cell never seen scores the mean


def test_learned_prefers_likely_hits_until_popularity_is_damped():
    table, _, _, _ = _table()
    shared, b = np.array([1, 3]), np.array([1.0, 100.0])
    where = fl.cells(shared, 4.0, b, np.zeros(2, dtype=bool))
    assert np.argmax(fl.score(table, "learned", 0.0, 0.0, where, b)) == 1
    assert np.argmax(fl.score(table, "learned", 1.0, 0.0, where, b)) == 0


def test_budget_leads_with_the_likeliest_then_fills_under_the_bar():
    table, _, _, _ = _table()
    shared = np.array([3, 3, 1, 1])
    b = np.array([100.0, 100.0, 1.0, 2.0])
    where = fl.cells(shared, 4.0, b, np.zeros(4, dtype=bool))
    order = np.argsort(-fl.score(table, "budget", 1, 10, where, b), kind="stable")
    assert order[0] in (0, 1)  # one likeliest song first, however well known
    assert set(order[1:3].tolist()) == {2, 3}  # then the songs under the bar


def test_bar_charges_songs_over_it_a_fixed_share_of_their_odds():
    table, _, _, _ = _table()
    shared, b = np.array([1, 3]), np.array([1.0, 100.0])
    where = fl.cells(shared, 4.0, b, np.zeros(2, dtype=bool))
    odds = np.log(table[where[1]] / table[where[0]])  # about 1.6: the known song is likelier
    assert np.argmax(fl.score(table, "bar", odds - 0.5, 50, where, b)) == 1
    assert np.argmax(fl.score(table, "bar", odds + 0.5, 50, where, b)) == 0
    assert np.argmax(fl.score(table, "bar", 10.0, 100, where, b)) == 1  # not over a bar of 100
