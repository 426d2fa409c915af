"""Indexes with extras after the Jaccard top k: the reader ranks them, old indexes still open,
and the discovery settings differ the way a user notices."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.read.api import SongIndex


@pytest.fixture(scope="module")
def pair(demo_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo data built with the default extras and without any (as before extras: no
    artist rows either)."""
    folder = tmp_path_factory.mktemp("extras")
    with_extras, without = folder / "with.sqlite", folder / "without.sqlite"
    build_index(demo_dataset, with_extras, fmt="csv", method="exact", k=10, progress=False)
    build_index(
        demo_dataset, without, fmt="csv", method="exact", k=10, extras=0, artist_extras=0,
        progress=False,
    )  # fmt: skip
    return with_extras, without


def rows(path: Path, where: str = "") -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM neighbours {where} ORDER BY track_id, rank").fetchall()


def test_first_k_rows_are_the_old_index_and_extras_follow(pair) -> None:
    with_extras, without = pair
    assert rows(with_extras, "WHERE rank <= 10") == rows(without)
    extra = rows(with_extras, "WHERE rank > 10")
    assert extra, "demo songs co-occur with more than 10 others"
    with SongIndex.open(with_extras) as idx:
        assert idx.stats.meta["extras"] == "20" and "extras_rule" in idx.stats.meta
        assert idx.stats.k == 10
        for track, rank, nb, jac, shared in extra[:200]:
            a, b = idx.track(track).playlists, idx.track(nb).playlists
            assert jac == shared / (a + b - shared) and rank <= 10 + 20 + 5
    with SongIndex.open(without) as idx:
        assert idx.stats.meta["extras"] == "0"


def test_an_index_without_extras_meta_opens_and_answers_as_before(pair, tmp_path) -> None:
    _, without = pair
    old = tmp_path / "old.sqlite"
    old.write_bytes(without.read_bytes())
    with sqlite3.connect(old) as conn:  # as written before extras existed
        conn.execute("DELETE FROM meta WHERE key LIKE '%extras%'")
    with SongIndex.open(old) as a, SongIndex.open(without) as b:
        seed = int(a.query("SELECT track_id FROM tracks ORDER BY playlists DESC LIMIT 1")[0][0])
        for ranking in ("closest", "popular", "deep cuts", "jaccard"):
            got = [r.track.track_id for r in a.similar(seed, ranking=ranking, limit=20).items]
            want = [r.track.track_id for r in b.similar(seed, ranking=ranking, limit=20).items]
            assert got == want and got


def test_extras_give_the_rankings_more_to_choose_from(pair) -> None:
    with_extras, without = pair
    with SongIndex.open(with_extras) as a, SongIndex.open(without) as b:
        seeds = [t for (t,) in a.query("SELECT DISTINCT track_id FROM neighbours WHERE rank > 10")]
        longer = [len(a.neighbour_rows(t)) > len(b.neighbour_rows(t)) for t in seeds]
        assert all(longer)
        changed = sum(
            [r.track.track_id for r in a.similar(t, ranking="popular").items]
            != [r.track.track_id for r in b.similar(t, ranking="popular").items]
            for t in seeds[:50]
        )
        assert changed > 0


def test_deep_cuts_are_less_known_than_popular_on_the_same_seeds(pair) -> None:
    with SongIndex.open(pair[0]) as idx:
        seeds = [
            t for (t,) in idx.query("SELECT DISTINCT track_id FROM neighbours WHERE rank > 10")
        ]
        assert len(seeds) >= 20

        def median_playlists(ranking: str) -> list[float]:
            return [
                float(np.median([r.track.playlists for r in items]))
                for t in seeds
                if (items := idx.similar(t, ranking=ranking).items)
            ]

        deep, closest, popular = (median_playlists(r) for r in ("deep cuts", "closest", "popular"))
        assert np.mean(deep) < np.mean(closest) < np.mean(popular)
        assert np.mean(np.array(deep) <= np.array(popular)) > 0.9
