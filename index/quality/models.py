"""Recommenders from the literature songsim is compared with: RP3beta, EASE and ALS.

Each answers "the ``k`` best tracks for this seed" from the *train* track × playlist 0/1
matrix, like the functions of :mod:`index.quality.baselines` (``-1`` pads a short list,
the seed is never recommended), and takes the settings a grid search tunes
(:data:`GRIDS`, :mod:`index.quality.tuning`):

* :func:`rp3beta`: a three-step random walk seed → playlist → track (Paudel et al.,
  TiiS 2017; the strong simple baseline of Dacrema et al., RecSys 2019). Each transition
  probability is raised to ``alpha`` and a track's score divided by its popularity to the
  ``beta``. Computed per seed from the sparse matrix: no dense item × item matrix.
* :func:`ease`: Steck's closed-form linear autoencoder (WWW 2019),
  ``B = I − P·diag(1/diag P)`` with ``P = (XᵀX + λI)⁻¹``. Dense in the items, so it runs on
  the tracks in at least ``min_playlists`` train playlists and only up to ``max_items`` of
  them (:class:`TooManyItems` otherwise).
* :func:`als`: ``implicit``'s alternating least squares (Hu, Koren, Volinsky, ICDM 2008),
  queried either by cosine between track factors or as a listener of the seed alone.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported where it is used: the bot's command line needs none
    import scipy.sparse as sp

CHUNK = 256  # seeds per sparse or dense product; bounds memory

# Every setting each method is tried with on the validation split (the first is the default).
# α 0.25 and λ 2000 go one step past the usual grids: on Yes.com the best sat at their edge.
GRIDS: dict[str, list[dict[str, object]]] = {
    "rp3beta": [{"alpha": a, "beta": b} for a in (0.25, 0.5, 0.75, 1.0) for b in (0.0, 0.25, 0.5)],
    "ease": [{"lam": lam} for lam in (10.0, 100.0, 500.0, 2000.0)],
    "als": [
        {"factors": f, "regularization": r, "query": q}
        for f in (32, 64)
        for r in (0.01, 0.1)
        for q in ("item", "listener")
    ],
}
EASE_MAX_ITEMS = 20_000  # a dense float32 20k × 20k matrix is 1.6 GB; the inverse needs two
ALS_ITERATIONS = 15


class TooManyItems(Exception):
    """EASE would need a dense matrix over more tracks than the cap allows."""


def describe(key: str, params: dict[str, object]) -> str:
    """A setting in the report's words, e.g. ``α 0.5, β 0``."""
    if key == "rp3beta":
        return f"α {params['alpha']:g}, β {params['beta']:g}"
    if key == "ease":
        return f"λ {params['lam']:g}"
    if key == "als":
        query = "cosine of track factors" if params["query"] == "item" else "seed as a listener"
        return f"{params['factors']} factors, reg {params['regularization']:g}, {query}"
    return ", ".join(f"{k} {v}" for k, v in params.items())


def _best(ids: np.ndarray, score: np.ndarray, pop: np.ndarray, k: int) -> np.ndarray:
    """``ids`` ordered by score, then popularity, then id; the best ``k``."""
    if len(ids) > k:
        kth = np.partition(score, len(score) - k)[len(score) - k]
        keep = score >= kth
        ids, score = ids[keep], score[keep]
    return ids[np.lexsort((ids, -pop[ids], -score))][:k]


def rp3beta(
    x: sp.csr_matrix,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    *,
    alpha: float = 0.5,
    beta: float = 0.0,
) -> np.ndarray:
    """RP3beta's top ``k`` per seed: ``score(j) = Σ_u P(s→u)^α P(u→j)^α / pop(j)^β``.

    ``P(s→u) = 1/pop(s)`` over the seed's playlists and ``P(u→j) = 1/len(u)`` over a
    playlist's tracks (the rows of the 0/1 matrices, normalised). ``alpha`` < 1 flattens
    the walk (long playlists count more), ``beta`` > 0 favours less-known tracks. Only
    tracks sharing a playlist with the seed score above zero; the rest are left out.
    """
    import scipy.sparse as sp

    xt = x.T.tocsr()
    length = np.diff(xt.indptr).astype(np.float64)
    walk = np.zeros_like(length)
    walk[length > 0] = length[length > 0] ** -alpha
    damp = np.zeros(len(pop))
    damp[pop > 0] = pop[pop > 0].astype(np.float64) ** -beta
    to_tracks = sp.diags(walk.astype(np.float32)) @ xt  # P(u→j)^α, playlist × track
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for lo in range(0, len(seeds), CHUNK):
        block = np.asarray(seeds[lo : lo + CHUNK])
        co = (x[block] @ to_tracks).tocsr()
        for i, s in enumerate(block):
            a, b = co.indptr[i], co.indptr[i + 1]
            ids = co.indices[a:b].astype(np.int64)
            score = co.data[a:b] * float(pop[s]) ** -alpha * damp[ids]
            keep = ids != s
            best = _best(ids[keep], score[keep], pop, k)
            out[lo + i, : len(best)] = best
    return out


def ease_items(pop: np.ndarray, min_playlists: int, max_items: int = EASE_MAX_ITEMS) -> np.ndarray:
    """The tracks EASE is fitted on: in at least ``min_playlists`` train playlists.

    Raises :class:`TooManyItems` (with the count) when they are more than ``max_items``.
    """
    items = np.flatnonzero(pop >= max(min_playlists, 1))
    if len(items) > max_items:
        raise TooManyItems(
            f"skipped: too many items ({len(items):,} tracks in ≥ {min_playlists} train "
            f"playlists, more than the {max_items:,} a dense EASE fits in memory)"
        )
    return items


def ease_inverse(x: sp.csr_matrix, items: np.ndarray, lam: float) -> np.ndarray:
    """``P = (XᵀX + λI)⁻¹`` over ``items`` (dense float32, Cholesky: XᵀX + λI is positive
    definite)."""
    from scipy.linalg import lapack

    sub = x[items]
    gram = (sub @ sub.T).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += lam
    factor, info = lapack.spotrf(gram, lower=False, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: Cholesky failed ({info}); raise λ.")
    inv, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: inverse failed ({info}); raise λ.")
    upper = np.triu(inv)
    return upper + np.triu(upper, 1).T


def ease(
    x: sp.csr_matrix,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    *,
    lam: float = 100.0,
    min_playlists: int = 2,
    max_items: int = EASE_MAX_ITEMS,
) -> np.ndarray:
    """EASE's top ``k`` per seed: the seed's row of ``B`` (``B[s, j] = −P[s, j] / P[j, j]``).

    A larger ``lam`` shrinks towards co-occurrence with less-known tracks; seeds outside
    the fitted tracks (:func:`ease_items`) get nothing, as they get no stored neighbours.
    """
    items = ease_items(pop, min_playlists, max_items)
    where = np.full(len(pop), -1, dtype=np.int64)
    where[items] = np.arange(len(items))
    inverse = ease_inverse(x, items, lam)
    diagonal = np.diag(inverse).copy()
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    rows = np.flatnonzero(where[np.asarray(seeds)] >= 0)
    for lo in range(0, len(rows), CHUNK):
        block = rows[lo : lo + CHUNK]
        local = where[np.asarray(seeds)[block]]
        weights = -inverse[local] / diagonal
        for i, s in enumerate(local.tolist()):
            score = np.delete(weights[i], s)
            ids = np.delete(items, s)
            out[block[i], :k] = _padded(_best(ids, score, pop, k), k)
    return out


def _padded(ids: np.ndarray, k: int) -> np.ndarray:
    return np.pad(ids, (0, k - len(ids)), constant_values=-1)


def implicit_missing() -> str | None:
    """Why :func:`als` cannot run, or None when ``implicit`` is importable."""
    try:
        import implicit.cpu.als  # noqa: F401
    except ImportError:
        return "the `implicit` library is not installed (pip install 'songsim[eval]')"
    return None


def als_factors(x: sp.csr_matrix, factors: int, regularization: float, seed: int = 0) -> np.ndarray:
    """Track factors of ``implicit``'s CPU ALS on the playlists (seeded, float32)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits  # a dependency of implicit

    # implicit runs its own threads; a BLAS thread pool under them only slows it down.
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its warning about that very pool
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            iterations=ALS_ITERATIONS,
            random_state=seed,
        )
        model.fit(x.T.tocsr(), show_progress=False)  # implicit wants users (playlists) × items
    return np.asarray(model.item_factors)


def als(
    factors: np.ndarray,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    *,
    regularization: float,
    query: str = "item",
) -> np.ndarray:
    """Top ``k`` per seed from ALS track ``factors`` (:func:`als_factors`).

    ``query="item"``: cosine between the seed's factors and each track's. ``"listener"``:
    the scores ALS gives a listener who played only the seed, ``Y (YᵀY + λI)⁻¹ y_s`` (the
    weight of that one play only scales them), which leans towards better-known tracks.
    Tracks in no train playlist are never recommended.
    """
    y = factors.astype(np.float64)
    if query == "item":
        norms = np.linalg.norm(y, axis=1)
        left = right = np.divide(y, norms[:, None], out=np.zeros_like(y), where=norms[:, None] > 0)
    elif query == "listener":
        gram = y.T @ y + regularization * np.eye(y.shape[1])
        left, right = y, np.linalg.solve(gram, y.T).T
    else:
        raise ValueError(f"unknown ALS query {query!r}; choose item or listener.")
    known = np.flatnonzero(pop > 0)
    candidates = left[known]
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for lo in range(0, len(seeds), CHUNK):
        block = np.asarray(seeds[lo : lo + CHUNK])
        scores = candidates @ right[block].T
        for i, s in enumerate(block.tolist()):
            keep = known != s
            out[lo + i] = _padded(_best(known[keep], scores[keep, i], pop, k), k)
    return out
