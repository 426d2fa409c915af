"""The neighbour rows SQLite decodes from JSON are exactly the rows the build computed."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from index.build import neighbour_rows
from index.build.neighbour_rows import insert_neighbour_rows, pack_rows
from index.schema import SCHEMA


def table(seed: int = 0, tracks: int = 300) -> list[np.ndarray]:
    """Random lists of 0 to 40 neighbours with exact Jaccard scores, as the build stores them."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5_000, tracks + 1)
    counts = rng.integers(0, 41, tracks)
    track = np.repeat(np.arange(1, tracks + 1), counts)
    rank = np.concatenate([np.arange(1, c + 1) for c in counts])
    neighbour = rng.integers(1, tracks + 1, len(track))
    shared = np.minimum(sizes[track], sizes[neighbour]) // rng.integers(1, 50, len(track)) + 1
    shared = np.minimum(shared, np.minimum(sizes[track], sizes[neighbour]))
    jaccard = shared / (sizes[track] + sizes[neighbour] - shared)
    return [track, rank, neighbour, jaccard, shared.astype(np.int32)]


def stored(columns: list[np.ndarray], monkeypatch, batch: int) -> list[tuple]:
    monkeypatch.setattr(neighbour_rows, "BATCH", batch)
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    ticks: list[int] = []
    insert_neighbour_rows(conn, columns, ticks.append)
    assert ticks[-1] == len(columns[0])
    return conn.execute("SELECT * FROM neighbours ORDER BY track_id, rank").fetchall()


def as_rows(columns: list[np.ndarray]) -> list[tuple]:
    return list(zip(*(c.tolist() for c in columns), strict=True))


@pytest.mark.parametrize("batch", [1, 7, 100, 10_000])
def test_stored_rows_equal_the_computed_ones_bit_for_bit(monkeypatch, batch: int) -> None:
    """Every row, the Jaccard score to the last bit, whatever the batch size (a batch never
    splits a track's list, so ranks come out right across batch ends)."""
    columns = table()
    rows = stored(columns, monkeypatch, batch)
    assert rows == as_rows(columns)
    assert [r[3].hex() for r in rows] == [j.hex() for j in columns[3].tolist()]


def test_typical_rows_take_the_json_path() -> None:
    columns = table()
    packed = pack_rows(*columns)
    assert packed is not None
    text, params = packed
    first = int(columns[0][0])
    assert text.startswith(f'{{"{first}":[') and params["nshift"] <= 63


def test_large_ids_and_counts_still_pack_or_fall_back() -> None:
    """ListenBrainz-sized ids and counts: packed when they fit in 63 bits, else not."""
    track = np.array([1, 1])
    rank = np.array([1, 2])
    shared = np.array([3, 2**19])  # 20 bits
    union = np.array([7, 2**20])  # 21 bits
    fits = pack_rows(track, rank, np.array([5, 2**21]), shared / union, shared)  # 22 bits
    assert fits is not None
    too_wide = pack_rows(track, rank, np.array([5, 2**40]), shared / union, shared)
    assert too_wide is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda c: c[1].__iadd__(1),  # ranks from 2
        lambda c: c[3].__setitem__(0, np.float32(c[3][0])),  # a score that is not s / union
        lambda c: c[3].__setitem__(0, 0.0),  # a zero score
    ],
)
def test_rows_that_would_not_round_trip_are_stored_as_given(monkeypatch, spoil) -> None:
    columns = table(seed=1, tracks=20)
    columns[1] = columns[1].copy()
    columns[3] = columns[3].copy()
    spoil(columns)
    assert pack_rows(*columns) is None
    assert stored(columns, monkeypatch, 50) == as_rows(columns)


def test_no_rows(monkeypatch) -> None:
    empty = [np.zeros(0, dtype=np.int64)] * 3 + [np.zeros(0)] + [np.zeros(0, dtype=np.int32)]
    assert stored(empty, monkeypatch, 10) == []
