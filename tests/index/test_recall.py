"""`songsim index evaluate` core: recall@10 and score accuracy read from a real index file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.build.exact import exact_neighbours
from index.build.store import write_index
from index.corpus import Corpus, IngestReport, NeighbourTable
from index.quality.recall import evaluate_recall, recall_against_csr


def small_csr(seed: int = 0, n_tracks: int = 400, n_playlists: int = 60):
    rng = np.random.default_rng(seed)
    rows = [np.unique(rng.integers(0, n_playlists, rng.integers(1, 8))) for _ in range(n_tracks)]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return indptr, np.concatenate(rows).astype(np.int32), n_playlists


def write(tmp_path: Path, indptr, indices, n_playlists, table: NeighbourTable, name="i.sqlite"):
    n = indptr.size - 1
    corpus = Corpus(
        artist_names=["a"],
        track_artist=np.zeros(n, dtype=np.int32),
        track_titles=[f"t{i}" for i in range(n)],
        track_uris=[None] * n,
        playlist_names=[f"p{i}" for i in range(n_playlists)],
        indptr=indptr,
        indices=indices,
        report=IngestReport(source="test", format="csv"),
    )
    out = tmp_path / name
    meta = {"method": "exact", "k": 30, "min_playlists": 2, "min_shared": 2}
    write_index(corpus, table, out, meta, memberships=False)
    return out


@pytest.fixture()
def data():
    indptr, indices, n_pl = small_csr()
    return indptr, indices, n_pl, exact_neighbours(indptr, indices, n_pl, k=30, progress=False)


def test_exact_index_has_perfect_recall_and_exact_scores(tmp_path, data) -> None:
    indptr, indices, n_pl, table = data
    path = write(tmp_path, indptr, indices, n_pl, table)
    report = evaluate_recall(indptr, indices, path, queries=200, seed=1)
    assert report.queries == 200
    assert report.scored > 150
    assert report.recall == 1.0
    assert report.max_score_diff < 1e-12
    assert report.rows_checked > 0
    assert "recall@10 1.0000" in report.summary()


def test_damaged_index_is_caught(tmp_path, data) -> None:
    indptr, indices, n_pl, table = data
    # Keep only ranks 6.. (drop each track's five best) and nudge every stored score.
    keep = table.rank > 5
    damaged = NeighbourTable(
        track=table.track[keep],
        rank=table.rank[keep] - 5,
        neighbour=table.neighbour[keep],
        jaccard=table.jaccard[keep] + 0.01,
        shared=table.shared[keep],
    )
    path = write(tmp_path, indptr, indices, n_pl, damaged)
    report = evaluate_recall(indptr, indices, path, queries=400)
    assert report.recall < 0.7
    assert report.max_score_diff == pytest.approx(0.01, abs=1e-9)
    assert report.missing_rows > 0  # tracks with <= 5 neighbours now have none stored


def test_in_memory_and_file_evaluations_agree(tmp_path, data) -> None:
    indptr, indices, n_pl, table = data
    # Only rank 1 kept: recall is 1 / min(10, exact neighbours) per track.
    first = table.rank == 1
    half = NeighbourTable(
        *(getattr(table, f)[first] for f in ("track", "rank", "neighbour", "jaccard", "shared"))
    )
    path = write(tmp_path, indptr, indices, n_pl, half)
    a = evaluate_recall(indptr, indices, path, queries=300, seed=4)
    b = recall_against_csr(indptr, indices, half, queries=300, seed=4)
    assert a.recall == pytest.approx(b.recall)
    assert 0.0 < a.recall < 0.5


def test_wrong_dataset_or_missing_file(tmp_path, data) -> None:
    indptr, indices, n_pl, table = data
    path = write(tmp_path, indptr, indices, n_pl, table)
    other_indptr, other_indices, _ = small_csr(seed=1, n_tracks=300)
    with pytest.raises(ValueError, match="dataset it was built from"):
        evaluate_recall(other_indptr, other_indices, path)
    with pytest.raises(FileNotFoundError):
        evaluate_recall(indptr, indices, tmp_path / "nope.sqlite")


def test_weighted_sample_sees_damage_to_popular_tracks(tmp_path) -> None:
    # Skewed popularity, as in real data: most tracks in 2-3 playlists, a few in dozens.
    rng = np.random.default_rng(5)
    n_pl = 80
    deg = np.minimum(1 + rng.zipf(1.8, 800), 40)
    rows = [rng.choice(n_pl, d, replace=False) for d in deg]
    indptr = np.concatenate([[0], np.cumsum(deg)]).astype(np.int64)
    indices = np.concatenate([np.sort(r) for r in rows]).astype(np.int32)
    table = exact_neighbours(indptr, indices, n_pl, k=30, progress=False)
    # Drop the best five neighbours of the most-playlisted tracks only: a uniform sample
    # (mostly rare tracks) barely notices, a popularity-weighted one does.
    popular = np.flatnonzero(deg >= 8)
    hurt = np.isin(table.track, popular) & (table.rank <= 5)
    rank = table.rank.copy()
    keep = ~hurt
    rank[np.isin(table.track, popular)] -= 5
    damaged = NeighbourTable(
        track=table.track[keep],
        rank=rank[keep],
        neighbour=table.neighbour[keep],
        jaccard=table.jaccard[keep],
        shared=table.shared[keep],
    )
    path = write(tmp_path, indptr, indices, n_pl, damaged)
    uniform = evaluate_recall(indptr, indices, path, queries=100, seed=2)
    weighted = evaluate_recall(indptr, indices, path, queries=100, seed=2, weighted=True)
    assert uniform.recall > 0.85
    assert weighted.recall < uniform.recall - 0.1


def test_a_song_met_once_does_not_stand_in_for_a_missing_neighbour() -> None:
    """Artist rows may share one playlist and follow a short list within the first k ranks;
    recall counts only the rows of the top k (sharing min_shared playlists)."""
    # Track 0 in playlists {0, 1, 2}; 1 and 2, well known, share two of them (Jaccard 2/9);
    # 3 shares one and is in no other (Jaccard 1/3).
    rows = [[0, 1, 2], [0, 1, 3, 4, 5, 6, 7, 8], [1, 2, 9, 10, 11, 12, 13, 14], [2]]
    indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int32)
    full = exact_neighbours(indptr, indices, 15, k=30, progress=False)
    assert recall_against_csr(indptr, indices, full, queries=5, min_playlists=2).recall == 1.0
    # Track 0's second neighbour is lost and track 3 (above it by Jaccard) stored instead.
    mine = full.track == 0
    keep = ~mine | (full.rank == 1)
    table = NeighbourTable(
        track=np.concatenate([full.track[keep], [0]]),
        rank=np.concatenate([full.rank[keep], [2]]),
        neighbour=np.concatenate([full.neighbour[keep], [3]]),
        jaccard=np.concatenate([full.jaccard[keep], [1 / 3]]),
        shared=np.concatenate([full.shared[keep], [1]]),
    )
    order = np.lexsort((table.rank, table.track))
    cols = ("track", "rank", "neighbour", "jaccard", "shared")
    table = NeighbourTable(*(getattr(table, f)[order] for f in cols))
    report = recall_against_csr(indptr, indices, table, queries=5, min_playlists=2)
    assert report.recall < 1.0
    assert report.max_score_diff < 1e-12
