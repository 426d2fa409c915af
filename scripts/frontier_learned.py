"""A learned ranking for the accuracy–popularity frontier: is any score of what an index
stores above the curve that every hand-made one lies on?

The table is the share of candidates that were hits, per cell of (shared playlists, the
seed's playlists, the song's playlists, shared artist), counted on *other* validation
splits than the ones it is scored on. Ranking by it is the best any re-ranking of stored
rows by these four figures can do for the hit rate of one song; ``learned μ`` trades it for
popularity (``log p − μ·log b``), and ``budget m t`` spends the page's upper half on the
``m`` likeliest songs and fills the rest with the likeliest songs in at most ``t``
playlists (a page aimed at a median popularity of ``t``); ``bar μ t`` charges every song
in more than ``t`` playlists e^-μ of its odds, so pages share one popularity budget
(``log p − μ·[b > t]``). Used by
``scripts/ranking_frontier.py --kinds learned,budget,bar``.
"""

from __future__ import annotations

import numpy as np

SHARED_CELLS = 12  # half-octaves of the shared count, the last open-ended
POP_CELLS = 16  # octaves of the seed's and the song's playlists
PRIOR = 1.0  # pseudo-candidates at the mean hit share, for cells seen rarely


def cells(shared: np.ndarray, a: float, b: np.ndarray, artist: np.ndarray) -> np.ndarray:
    """Each candidate's cell of the table."""
    s = np.minimum(np.floor(np.log2(shared) * 1.5), SHARED_CELLS - 1)
    sa = min(np.floor(np.log2(a)), POP_CELLS - 1)
    sb = np.minimum(np.floor(np.log2(b)), POP_CELLS - 1)
    return (((s * POP_CELLS + sa) * POP_CELLS + sb) * 2 + artist).astype(np.int64)


def fit(seen: list[np.ndarray], hits: list[np.ndarray]) -> np.ndarray:
    """The hit share per cell, from the cells of candidates ``seen`` and whether each was a hit."""
    c = np.concatenate(seen)
    y = np.concatenate(hits).astype(np.float64)
    size = SHARED_CELLS * POP_CELLS * POP_CELLS * 2
    n = np.bincount(c, minlength=size)
    h = np.bincount(c, weights=y, minlength=size)
    return (h + PRIOR * y.mean()) / (n + PRIOR)


def score(table: np.ndarray, kind: str, p1: float, p2: float, where: np.ndarray, b) -> np.ndarray:
    """``learned`` (μ = p1), ``budget`` (lead m = p1, bar t = p2) or ``bar`` (μ = p1,
    t = p2) scores of candidates."""
    p = table[where]
    if kind == "bar":  # a song over the bar costs e^-μ of its odds, on every page alike
        return np.log(p) - p1 * (b > p2)
    if kind == "learned":
        return np.log(p) - p1 * np.log(b)
    out = np.where(b <= p2, p, p - 1.0)  # over the bar: after every song under it
    first = np.argsort(-p, kind="stable")[: int(p1)]
    out[first] = 2.0 + int(p1) - np.arange(len(first))
    return out
