"""How good is a neighbour index? Recall@10 against exact Jaccard, on sampled tracks.

For each sampled track the exact Jaccard against *every* track is computed from the
playlist sets (one sparse row × matrix product per batch of queries, never all pairs),
and compared with the neighbours the index stored:

* a stored neighbour among the first 10 is a **hit** when its exact Jaccard is at least
  the exact 10th-best Jaccard (so ties at the boundary do not matter); recall@10 of a
  track is hits / min(10, number of exact neighbours), averaged over sampled tracks that
  have at least one exact neighbour;
* every stored score (all stored ranks, not only the first 10) is compared with the exact
  Jaccard; the largest difference is reported and should be 0 (stored scores are exact).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.build.options import DEFAULTS
from index.corpus import NeighbourTable
from index.read.connect import connect, damaged

BATCH = 64  # queries per sparse product


@dataclass
class EvalReport:
    """Recall@k of stored neighbours against exact Jaccard, and stored-score accuracy."""

    queries: int  # sampled tracks
    scored: int  # sampled tracks with at least one exact neighbour (the recall average)
    recall: float  # mean recall@k over ``scored`` tracks
    k: int
    max_score_diff: float  # largest |stored - exact| Jaccard over all stored rows checked
    rows_checked: int
    min_recall: float  # worst single track
    perfect: int  # tracks with recall 1
    missing_rows: int  # tracks with exact neighbours but nothing stored

    def summary(self) -> str:
        return (
            f"recall@{self.k} {self.recall:.4f} over {self.scored:,} of {self.queries:,} sampled "
            f"tracks ({self.perfect:,} perfect, worst {self.min_recall:.2f}, "
            f"{self.missing_rows:,} with no stored neighbours); largest |stored - exact| "
            f"Jaccard {self.max_score_diff:.2e} over {self.rows_checked:,} stored rows"
        )


def sample_queries(
    indptr: np.ndarray, min_playlists: int, queries: int, seed: int, weighted: bool = False
) -> np.ndarray:
    """Up to ``queries`` distinct random tracks in at least ``min_playlists`` playlists.

    ``weighted`` draws tracks in proportion to their playlist count: the songs people
    actually ask about are the popular ones, which a uniform sample (mostly rare tracks)
    hardly sees.
    """
    deg = np.diff(indptr)
    pool = np.flatnonzero(deg >= min_playlists)
    rng = np.random.default_rng(seed)
    if pool.size <= queries:
        return pool
    p = deg[pool] / deg[pool].sum() if weighted else None
    return np.sort(rng.choice(pool, queries, replace=False, p=p))


def score_queries(
    indptr: np.ndarray,
    indices: np.ndarray,
    qs: np.ndarray,
    stored: Callable[[int], tuple[np.ndarray, np.ndarray]],
    *,
    k: int = 10,
    min_shared: int = DEFAULTS.min_shared,
) -> EvalReport:
    """Compare ``stored(track) -> (neighbours, jaccards)`` (rank order) with exact Jaccard."""
    n_tracks = indptr.size - 1
    n_playlists = int(indices.max()) + 1 if indices.size else 0
    x = sp.csr_matrix(
        (np.ones(indices.size, dtype=np.int32), indices, indptr), shape=(n_tracks, n_playlists)
    )
    xt = x.T.tocsr()
    deg = np.diff(indptr)
    recalls: list[float] = []
    max_diff = 0.0
    rows_checked = 0
    missing = 0
    for start in range(0, qs.size, BATCH):
        batch = qs[start : start + BATCH]
        co = (x[batch] @ xt).tocsr()  # shared playlists with every track
        for i, q in enumerate(batch.tolist()):
            cols = co.indices[co.indptr[i] : co.indptr[i + 1]]
            shared = co.data[co.indptr[i] : co.indptr[i + 1]].astype(np.int64)
            exact_j = shared / (deg[q] + deg[cols] - shared)
            ok = (cols != q) & (shared >= min_shared)
            ranked = np.sort(exact_j[ok])[::-1]
            nb, nj = stored(q)
            pairs = zip(exact_j.tolist(), shared.tolist(), strict=True)
            lookup = dict(zip(cols.tolist(), pairs, strict=True))
            found = [lookup.get(u, (0.0, 0)) for u in nb.tolist()]
            ex_of_stored = np.array([j for j, _ in found], dtype=np.float64)
            # Its top k is its rows sharing min_shared playlists (index.schema): artist rows
            # may follow a short list within the first k ranks.
            in_top = np.array([s >= min_shared for _, s in found], dtype=bool)
            if nb.size:
                max_diff = max(max_diff, float(np.abs(ex_of_stored - nj).max()))
                rows_checked += nb.size
            if ranked.size == 0:
                continue
            m = min(k, ranked.size)
            threshold = ranked[m - 1]
            if nb.size == 0:
                missing += 1
            hits = int(np.count_nonzero((ex_of_stored[:k] >= threshold) & in_top[:k]))
            recalls.append(min(hits, m) / m)
    arr = np.asarray(recalls, dtype=np.float64)
    return EvalReport(
        queries=int(qs.size),
        scored=int(arr.size),
        recall=float(arr.mean()) if arr.size else 1.0,
        k=k,
        max_score_diff=max_diff,
        rows_checked=rows_checked,
        min_recall=float(arr.min()) if arr.size else 1.0,
        perfect=int(np.count_nonzero(arr == 1.0)),
        missing_rows=missing,
    )


def evaluate_recall(
    corpus_indptr: np.ndarray,
    corpus_indices: np.ndarray,
    index_path: str | Path,
    *,
    queries: int = 1000,
    k: int = 10,
    seed: int = 0,
    weighted: bool = False,
) -> EvalReport:
    """Recall@``k`` of the index file against exact Jaccard on ``queries`` sampled tracks
    (uniformly, or in proportion to their playlists with ``weighted``).

    The dataset must be the one the index was built from (same track numbering; another
    raises ValueError); ``min_playlists``/``min_shared`` are read from the index's ``meta``.
    A file that is not a readable index raises :class:`~index.read.connect.IndexOpenError`.
    """
    if queries < 1:
        raise ValueError(f"queries must be at least 1 (got {queries}): tracks to sample.")
    path = Path(index_path)
    if not path.exists():
        raise FileNotFoundError(f"No index at {path}.")
    indptr = np.asarray(corpus_indptr, dtype=np.int64)
    indices = np.asarray(corpus_indices)
    conn, meta, _ = connect(path)  # IndexOpenError, in one sentence, for a file that is not one
    try:
        n_tracks = int(meta.get("tracks", indptr.size - 1))
        if n_tracks != indptr.size - 1:
            raise ValueError(
                f"The index {path} has {n_tracks:,} tracks but the dataset has "
                f"{indptr.size - 1:,}: evaluate it against the dataset it was built from."
            )
        min_playlists = int(meta.get("min_playlists", DEFAULTS.min_playlists))
        min_shared = int(meta.get("min_shared", DEFAULTS.min_shared))
        qs = sample_queries(indptr, max(min_playlists, 1), queries, seed, weighted)

        def stored(track: int) -> tuple[np.ndarray, np.ndarray]:
            rows = conn.execute(
                "SELECT neighbour_id, jaccard FROM neighbours WHERE track_id = ? ORDER BY rank",
                (track + 1,),
            ).fetchall()
            if not rows:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
            arr = np.asarray(rows, dtype=np.float64)
            return arr[:, 0].astype(np.int64) - 1, arr[:, 1]

        return score_queries(indptr, indices, qs, stored, k=k, min_shared=min_shared)
    except sqlite3.DatabaseError as exc:  # a page the header did not show to be damaged
        raise damaged(path, exc) from exc
    finally:
        conn.close()


def recall_against_csr(
    indptr: np.ndarray,
    indices: np.ndarray,
    table: NeighbourTable,
    *,
    queries: int = 1000,
    k: int = 10,
    seed: int = 0,
    min_playlists: int = DEFAULTS.min_playlists,
    min_shared: int = DEFAULTS.min_shared,
) -> EvalReport:
    """The same evaluation for an in-memory :class:`NeighbourTable` (benchmarks, tests)."""
    indptr = np.asarray(indptr, dtype=np.int64)
    qs = sample_queries(indptr, max(min_playlists, 1), queries, seed)
    ptr = np.searchsorted(table.track, np.arange(indptr.size))

    def stored(track: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = ptr[track], ptr[track + 1]
        return table.neighbour[lo:hi].astype(np.int64), table.jaccard[lo:hi]

    return score_queries(indptr, indices, qs, stored, k=k, min_shared=min_shared)
