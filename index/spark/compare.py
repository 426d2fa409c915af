"""Compare two built indexes: the checks that say the Spark engine builds the same thing.

Used by ``tests/test_spark.py`` and ``scripts/bench_spark.py``. Recall follows the rule
of ``songsim index evaluate``: a stored neighbour is a hit when its exact Jaccard is at
least the exact 10th best of that track, so ties do not matter.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.build.jaccard import pair_jaccard
from index.corpus import NeighbourTable

PARITY_TABLES = ("artists", "tracks", "playlists", "memberships")


def table_differences(a: str | Path, b: str | Path, tables=PARITY_TABLES) -> dict[str, int]:
    """Rows that differ between two index files, per table (0 everywhere = identical)."""
    out = {}
    with sqlite3.connect(a) as ca, sqlite3.connect(b) as cb:
        for t in tables:
            q = f"SELECT * FROM {t} ORDER BY 1, 2"
            ra, rb = ca.execute(q).fetchall(), cb.execute(q).fetchall()
            out[t] = sum(x != y for x, y in zip(ra, rb, strict=False)) + abs(len(ra) - len(rb))
    return out


@dataclass
class Recall:
    """Mean recall@n over the query tracks, and the largest stored-vs-exact score gap."""

    recall: float
    queries: int
    max_score_error: float


def recall_at(
    index_file: str | Path,
    exact: NeighbourTable,
    indptr: np.ndarray,
    indices: np.ndarray,
    n: int = 10,
) -> Recall:
    """recall@``n`` of the neighbours stored in ``index_file`` against an exact table.

    Every track with at least one exact neighbour is a query; ``exact`` holds 0-based ids
    (``index.build.exact.exact_neighbours``), ``indptr/indices`` the track→playlist CSR the
    stored scores are checked against.
    """
    with sqlite3.connect(index_file) as c:
        stored = np.array(
            c.execute(
                "SELECT track_id - 1, neighbour_id - 1, jaccard FROM neighbours WHERE rank <= ?",
                (n,),
            ).fetchall(),
            dtype=np.float64,
        ).reshape(-1, 3)
    true_j = pair_jaccard(
        indptr, indices, stored[:, 0].astype(np.int64), stored[:, 1].astype(np.int64)
    )
    worst = float(np.abs(true_j - stored[:, 2]).max()) if len(stored) else 0.0
    bar: dict[int, float] = {}
    for t, r, j in zip(
        exact.track.tolist(), exact.rank.tolist(), exact.jaccard.tolist(), strict=True
    ):
        if r <= n:
            bar[t] = j  # ranks ascend, so this ends as the n-th best (or the last)
    got: dict[int, list[float]] = {}
    for t, j in zip(stored[:, 0].astype(np.int64).tolist(), true_j.tolist(), strict=True):
        got.setdefault(t, []).append(j)
    counts = np.bincount(exact.track, minlength=1)
    total = 0.0
    for t, threshold in bar.items():
        want = min(n, int(counts[t]))
        hits = sum(j >= threshold for j in got.get(t, []))
        total += min(hits, want) / want
    return Recall(total / max(len(bar), 1), len(bar), worst)
