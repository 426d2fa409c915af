"""The figures a holdout run reports per method: HitRate, Recall, coverage, popularity.

Plus the standard error of a hit-rate gain (:func:`gain_standard_error`): on a collection
of a few hundred playlists a +5 % can be noise, so every gain in the report carries one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from index.quality.split import HoldoutSplit, Seeds


@dataclass
class MethodScore:
    """One row of the report."""

    key: str
    name: str
    hit_rate: float | None = None
    recall: float | None = None
    coverage: int | None = None
    median_popularity: float | None = None
    seconds: float = 0.0
    note: str = ""
    settings: str = ""  # a tuned method's setting, chosen on validation playlists
    validation_hit_rate: float | None = None  # its HitRate there
    hits: np.ndarray | None = field(default=None, repr=False)  # per seed, over all splits


def score_rows(
    top: np.ndarray,
    playlist: np.ndarray,
    given: int,
    coverage_rows: np.ndarray,
    split: HoldoutSplit,
    key: str = "",
    name: str = "",
) -> MethodScore:
    """Figures of recommendations ``top`` (one row per query; ``-1`` pads): HitRate and
    Recall of the query's test playlist (index ``playlist``) less the ``given`` tracks it
    was asked with, coverage over the rows ``coverage_rows``, median popularity."""
    found = np.array(
        [
            np.isin(row[row >= 0], split.test_playlists[p]).sum()
            for row, p in zip(top, playlist, strict=True)
        ],
        dtype=float,
    )
    targets = np.array([len(split.test_playlists[p]) - given for p in playlist], dtype=float)
    recall = np.divide(found, targets, out=np.zeros(len(found)), where=targets > 0)
    cov = top[coverage_rows]
    shown = top[top >= 0]
    return MethodScore(
        key,
        name,
        hit_rate=float((found > 0).mean()),
        recall=float(recall.mean()),
        coverage=int(np.unique(cov[cov >= 0]).size),
        median_popularity=float(np.median(split.popularity[shown])) if shown.size else float("nan"),
        hits=found > 0,
    )


def score_top(
    top: np.ndarray, seeds: Seeds, split: HoldoutSplit
) -> tuple[float, float, int, float]:
    """(HitRate@k, Recall@k, coverage, median popularity) of one seed per row."""
    row = score_rows(top, seeds.playlist, 1, seeds.coverage_sample, split)
    return row.hit_rate, row.recall, row.coverage, row.median_popularity


def gain_standard_error(hits: np.ndarray, ref_hits: np.ndarray, clusters: np.ndarray) -> float:
    """Standard error of ``mean(hits) - mean(ref_hits)``, paired by seed.

    Seeds of one test playlist succeed or fail together, so they are one cluster
    (cluster-robust variance of a paired difference in means). Divide by the reference hit
    rate for the error of a relative gain: on small datasets a +5 % can be noise.
    """
    diff = np.asarray(hits, dtype=float) - np.asarray(ref_hits, dtype=float)
    _, cluster = np.unique(clusters, return_inverse=True)
    n = len(diff)
    groups = int(cluster.max()) + 1 if n else 0
    if groups < 2:
        return float("nan")
    resid = np.bincount(cluster, weights=diff - diff.mean(), minlength=groups)
    return float(np.sqrt(groups / (groups - 1) * np.sum(resid**2)) / n)


def mean_row(rows: list[MethodScore]) -> MethodScore:
    """One method's figures averaged over repeated splits."""
    first = rows[0]
    if first.hit_rate is None:
        return first
    mean = MethodScore(first.key, first.name, note=first.note)
    mean.hit_rate = float(np.mean([r.hit_rate for r in rows]))
    mean.recall = float(np.mean([r.recall for r in rows]))
    mean.coverage = int(round(np.mean([r.coverage for r in rows])))
    mean.median_popularity = float(np.mean([r.median_popularity for r in rows]))
    mean.seconds = float(np.sum([r.seconds for r in rows]))
    mean.hits = np.concatenate([r.hits for r in rows])
    if first.settings:  # each split tunes its own: say how often each setting won
        chosen = Counter(r.settings for r in rows).most_common()
        mean.settings = "; ".join(
            s if len(chosen) == 1 else f"{s} ({n} of {len(rows)} splits)" for s, n in chosen
        )
        mean.validation_hit_rate = float(np.mean([r.validation_hit_rate for r in rows]))
    return mean
