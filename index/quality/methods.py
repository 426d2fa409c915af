"""The methods a holdout run compares, and how each answers a seed's top k.

:data:`METHODS` names them in report order: the index as built, exact Jaccard, baselines
(most popular, co-occurrence, ``implicit``'s item-item models), the discovery rankings
over the stored top-k or over all candidates, the bot's full answer with its playlist
fallback, and the recommenders of :mod:`~index.quality.models` whose settings are tuned on
validation playlists (:data:`TUNED`, :mod:`~index.quality.tuning`; run with ``--compare``). :class:`MethodRunner` builds each neighbour table once (as ``songsim index
build`` would, on train) and answers every method's ranked candidates, which
:class:`~index.quality.pages.Presentation` turns into the bot's first page.
"""

from __future__ import annotations

import time

import numpy as np

from index.build.artist_rows import add_artist_rows
from index.build.options import DEFAULTS
from index.corpus import NeighbourTable
from index.quality import baselines as bl
from index.quality import models
from index.quality.pages import Presentation
from index.quality.scores import MethodScore, score_rows
from index.quality.split import COVERAGE_SEEDS, HoldoutSplit, Likes, Seeds
from index.read import ranking as rk

LIKES_RANKINGS: dict[str, str] = {
    "summed": "Jaccard summed over the likes (the reference)",
    "jaccard": 'rank fusion, "jaccard" lists',
    "closest": 'rank fusion, "closest" lists (the default)',
    "popular": 'rank fusion, "popular" lists',
    "deep cuts": 'rank fusion, "deep cuts" lists',
    "closest+fallback": 'rank fusion, "closest" lists + playlist fallback and top-up '
    "(the bot's answer)",
}

# Method key → what the report calls it. Order is the report's row order.
METHODS: dict[str, str] = {
    "lsh": "index as built (LSH, Jaccard)",
    "exact": "exact Jaccard",
    "most-popular": "most popular",
    "cooccurrence": "raw co-occurrence",
    "cosine": "implicit item-item cosine",
    "bm25": "implicit item-item BM25",
    "closest": 'ranking "closest" (stored rows)',
    "popular": 'ranking "popular" (stored rows)',
    "deep-cuts": 'ranking "deep cuts" (stored rows)',
    "exact+fallback": "exact Jaccard + playlist fallback and top-up",
    "closest+fallback": 'ranking "closest" + playlist fallback and top-up (the bot\'s answer)',
    "popular+fallback": 'ranking "popular" + playlist fallback and top-up (as shown)',
    "deep-cuts+fallback": 'ranking "deep cuts" + playlist fallback and top-up (as shown)',
    "closest-all": 'ranking "closest" (all candidates)',
    "popular-all": 'ranking "popular" (all candidates)',
    "deep-cuts-all": 'ranking "deep cuts" (all candidates)',
    "rp3beta": "RP3beta (random walk; tuned)",
    "ease": "EASE (linear autoencoder; tuned)",
    "als": "implicit ALS (matrix factorisation; tuned)",
}
# Methods with settings chosen on validation playlists (:data:`index.quality.models.GRIDS`).
TUNED: tuple[str, ...] = tuple(models.GRIDS)
# What ``--compare`` adds: the recommenders from the literature, co-occurrence included.
COMPARED: tuple[str, ...] = ("cooccurrence", *TUNED)
# A plain run's methods ("all"): the tuned ones cost a grid search each, so only on request.
DEFAULT_METHODS: tuple[str, ...] = tuple(m for m in METHODS if m not in TUNED)


def table_top(
    table: NeighbourTable,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    ranking: str = "jaccard",
    credits: bl.ArtistCredits | None = None,
    *,
    min_shared: int = 1,
) -> np.ndarray:
    """Top ``k`` of each seed from a stored neighbour table, re-ordered by ``ranking``
    (``credits``: for the shared-artist weight; None leaves it out). "jaccard" reads the
    stored Jaccard top k: the rows sharing ``min_shared`` playlists (:mod:`index.schema`).

    This is exactly what the bot can do at query time: re-order the stored candidates.
    """
    starts = np.searchsorted(table.track, seeds, side="left")
    ends = np.searchsorted(table.track, seeds, side="right")
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, (s, lo, hi) in enumerate(zip(seeds, starts, ends, strict=True)):
        nb = table.neighbour[lo:hi].astype(np.int64)
        if ranking == "jaccard":
            nb = nb[table.shared[lo:hi] >= min_shared]
        else:
            same = None if credits is None else credits.shared_with(s, nb)
            nb = nb[rk.order(ranking, table.shared[lo:hi], pop[s], pop[nb], nb, same)]
        out[i, : min(k, len(nb))] = nb[:k]
    return out


def merged_top(
    table: NeighbourTable,
    pop: np.ndarray,
    likes: np.ndarray,
    k: int,
    ranking: str,
    credits: bl.ArtistCredits | None = None,
) -> np.ndarray:
    """Top ``k`` of each row of ``likes`` from the stored table, as ``/foryou`` and a mix
    rank them: each like's list in ``ranking``'s order, the likes left out, fused by rank
    (:func:`index.read.ranking.fuse`). ``credits`` gives the rankings their shared-artist
    weight (None: left out)."""
    out = np.full((len(likes), k), -1, dtype=np.int64)
    starts = np.searchsorted(table.track, likes, side="left")
    ends = np.searchsorted(table.track, likes, side="right")
    for i, row in enumerate(likes):
        lists, jaccards = [], []
        for seed, lo, hi in zip(row.tolist(), starts[i], ends[i], strict=True):
            nb = table.neighbour[lo:hi].astype(np.int64)
            shared = table.shared[lo:hi]
            same = None if credits is None else credits.shared_with(seed, nb)
            lead = len(row) == 1  # a mix's lists go without "closest"'s lead, as in the bot
            ranked = rk.order(ranking, shared, pop[seed], pop[nb], nb, same, with_lead=lead)
            ranked = ranked[~np.isin(nb[ranked], row)]
            lists.append(nb[ranked])
            jaccards.append(table.jaccard[lo:hi][ranked])
        ids = rk.fuse(lists, jaccards)[0]
        out[i, : min(k, len(ids))] = ids[:k]
    return out


def summed_top(table: NeighbourTable, pop: np.ndarray, likes: np.ndarray, k: int) -> np.ndarray:
    """The plain way to merge likes, for reference: each song's Jaccard summed over them."""
    out = np.full((len(likes), k), -1, dtype=np.int64)
    for i, row in enumerate(likes):
        lo = np.searchsorted(table.track, row, side="left")
        hi = np.searchsorted(table.track, row, side="right")
        nb = np.concatenate([table.neighbour[a:b] for a, b in zip(lo, hi, strict=True)])
        score = np.concatenate([table.jaccard[a:b] for a, b in zip(lo, hi, strict=True)])
        keep = ~np.isin(nb, row)
        songs, where = np.unique(nb[keep].astype(np.int64), return_inverse=True)
        total = np.bincount(where, weights=score[keep], minlength=len(songs))
        ids = songs[np.lexsort((songs, -total))]
        out[i, : min(k, len(ids))] = ids[:k]
    return out


class MethodSkipped(Exception):
    """A method that cannot run here; the message goes into the report."""


class MethodRunner:
    """Builds each neighbour table once and answers every method's top-k for the seeds."""

    def __init__(
        self,
        split: HoldoutSplit,
        seeds: Seeds,
        k: int,
        progress: bool,
        *,
        build_k: int = DEFAULTS.k,
        min_shared: int = DEFAULTS.min_shared,
        min_playlists: int = DEFAULTS.min_playlists,
        lsh_options: dict[str, object] | None = None,
        credits: bl.ArtistCredits | None = None,
        present: Presentation | None = None,
        params: dict[str, dict[str, object]] | None = None,
        ease_max_items: int = models.EASE_MAX_ITEMS,
        seed: int = 0,
        extras: int = DEFAULTS.extras,
        artist_extras: int = DEFAULTS.artist_extras,
    ) -> None:
        self.split, self.seeds, self.k, self.progress = split, seeds, k, progress
        self.credits = credits
        self.track_artist = None if credits is None else credits.track_artist
        self.present = present
        # Candidates each method offers the presentation rules: the stored table's budget.
        self.depth = max(build_k, k)
        self.build_k, self.min_shared, self.min_playlists = build_k, min_shared, min_playlists
        self.lsh_options = dict(lsh_options or {})
        self.extras = extras  # candidates stored after each top k, as the build stores them
        self.artist_extras = artist_extras  # and the songs by the same artist after those
        self.pop = split.popularity
        self.x = bl.track_matrix(split.train_indptr, split.train_indices, split.n_playlists)
        self._tables: dict[str, NeighbourTable] = {}
        # Settings of the tuned methods (default: each grid's first); ALS fits by setting.
        self.params = dict(params or {})
        self.ease_max_items, self.seed = ease_max_items, seed
        self._als: dict[tuple[object, object], np.ndarray] = {}

    def table(self, method: str) -> NeighbourTable:
        """The neighbour table ``songsim index build --method METHOD`` would store for train."""
        if method not in self._tables:
            from index.build.exact import exact_neighbours
            from index.build.lsh import lsh_neighbours

            if method == "exact":
                engine, options = exact_neighbours, {}
            else:
                engine, options = lsh_neighbours, self.lsh_options
            args = (self.split.train_indptr, self.split.train_indices, self.split.n_playlists)
            table = engine(
                *args,
                k=self.build_k,
                min_playlists=self.min_playlists,
                min_shared=self.min_shared,
                extras=self.extras,
                progress=self.progress,
                **options,
            )
            if self.credits is not None:
                table = add_artist_rows(
                    table,
                    *args,
                    self.credits.track_artist,
                    m=self.artist_extras,
                    min_playlists=self.min_playlists,
                    credits=self.credits.ids,
                )
            self._tables[method] = table
        return self._tables[method]

    def top(self, key: str) -> np.ndarray:
        """Method ``key``'s top ``k`` per seed, as the bot's first page would show it."""
        s, k = self.seeds.track, self.k
        if key.endswith("+fallback"):
            base = key.removesuffix("+fallback")
            ranking = "jaccard" if base == "exact" else base.replace("-", " ")
            return self._with_fallback(self.ranked(base), s, ranking)
        return self._page(self.ranked(key), s, k)

    def _with_fallback(
        self, ranked: np.ndarray, seeds: np.ndarray, ranking: str = rk.DEFAULT_RANKING
    ) -> np.ndarray:
        """First pages of ``ranked`` as the bot answers: rows with nothing to show answered
        from the seeds' playlists (else their artists' songs), short lists completed from
        those playlists, both in ``ranking``'s order. ``seeds``: one per row, or a row of
        likes."""
        k = self.k
        stored = self._page(ranked, seeds, k)
        padded = np.pad(stored, ((0, 0), (0, self.depth - k)), constant_values=-1)
        song = None if self.present is None else self.present.song
        filled = bl.with_rare_fallback(
            padded, self.x, self.pop, seeds, self.track_artist, ranking=ranking,
            credits=self.credits, song=song,
        )  # fmt: skip
        empty = stored[:, 0] < 0
        stored[empty] = self._page(filled[empty], seeds[empty], k, fill=True)
        short = ~empty & (stored[:, -1] < 0)
        if self.present is not None and short.any():
            mates = bl.playlist_mates(
                self.x, self.pop, seeds[short], self.depth + k, ranking=ranking,
                credits=self.credits, shown=stored[short], song=song,
            )  # fmt: skip
            stored[short] = self.present.topped_up(ranked[short], mates, seeds[short], k)
        return stored

    def likes_rows(self, likes: Likes) -> list[MethodScore]:
        """The ``/foryou`` table's rows: each setting's merged first page per query."""
        rows = []
        for ranking, name in LIKES_RANKINGS.items():
            t = time.perf_counter()
            setting = ranking.removesuffix("+fallback")
            if setting == "summed":
                merged = summed_top(self.table("lsh"), self.pop, likes.tracks, self.depth)
            else:
                merged = merged_top(
                    self.table("lsh"),
                    self.pop,
                    likes.tracks,
                    self.depth,
                    setting,
                    self.credits,
                )
            if ranking.endswith("+fallback"):
                top = self._with_fallback(merged, likes.tracks, setting)
            else:
                top = self._page(merged, likes.tracks, self.k)
            cover = np.arange(min(COVERAGE_SEEDS, len(top)))
            given = likes.tracks.shape[1]
            row = score_rows(top, likes.playlist, given, cover, self.split, ranking, name)
            row.seconds = time.perf_counter() - t
            rows.append(row)
        return rows

    def _page(self, ranked: np.ndarray, seeds: np.ndarray, k: int, fill: bool = False):
        if self.present is None:  # bare runner (tests of the methods): the plain top k
            return ranked[:, :k]
        return self.present.first_page(ranked, seeds, k, fill=fill)

    def ranked(self, key: str) -> np.ndarray:
        """Method ``key``'s ranked candidates per seed, ``depth`` wide, before presentation."""
        s, depth = self.seeds.track, self.depth
        if key in ("lsh", "exact"):
            return table_top(self.table(key), self.pop, s, depth, min_shared=self.min_shared)
        if key == "most-popular":
            return bl.most_popular(self.pop, s, depth)
        if key == "cooccurrence":
            return bl.cooccurrence(self.x, self.pop, s, depth)
        if key in ("cosine", "bm25"):
            missing = bl.implicit_missing()
            if missing:
                raise MethodSkipped(f"skipped: {missing}.")
            return bl.implicit_item_item(self.x, s, depth, key, neighbours=self.build_k)
        if key in TUNED:
            return self._tuned(key, self.params.get(key) or models.GRIDS[key][0])
        ranking = key.removesuffix("-all").replace("-", " ")
        if key.endswith("-all"):
            return bl.candidates_ranked(
                self.x,
                self.pop,
                s,
                depth,
                ranking,
                min_shared=self.min_shared,
                min_playlists=self.min_playlists,
                credits=self.credits,
            )
        return table_top(self.table("lsh"), self.pop, s, depth, ranking, self.credits)

    def _tuned(self, key: str, params: dict) -> np.ndarray:
        s, depth = self.seeds.track, self.depth
        if key == "rp3beta":
            return models.rp3beta(self.x, self.pop, s, depth, **params)
        if key == "ease":
            try:
                return models.ease(
                    self.x,
                    self.pop,
                    s,
                    depth,
                    lam=params["lam"],
                    min_playlists=self.min_playlists,
                    max_items=self.ease_max_items,
                )
            except models.TooManyItems as why:
                raise MethodSkipped(str(why)) from why
        missing = models.implicit_missing()
        if missing:
            raise MethodSkipped(f"skipped: {missing}.")
        fit = (params["factors"], params["regularization"])
        if fit not in self._als:  # both ways of querying share one fit
            self._als[fit] = models.als_factors(self.x, *fit, seed=self.seed)
        return models.als(
            self._als[fit],
            self.pop,
            s,
            depth,
            regularization=params["regularization"],
            query=params["query"],
        )
