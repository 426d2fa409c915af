"""Recommenders the index is measured against, each answering "top ``k`` for this seed".

Every function takes the *train* track→playlist CSR matrix and an array of seed tracks
and returns an ``(n_seeds, k)`` int array of recommended tracks (``-1`` pads a short
list; the seed itself is never recommended):

* :func:`most_popular`: the same best-known songs for everyone (what hit rate alone rewards);
* :func:`cooccurrence`: raw count of shared playlists (what a data scientist tries first);
* :func:`candidates_ranked`: every co-occurring track ordered by a :mod:`index.read.ranking`
  score, i.e. what a ranking would do with no top-30 cut;
* :func:`playlist_mates`: the bot's rare-song fallback and top-up on the train matrix;
* :func:`with_rare_fallback`: a stored top-k with the bot's answer for seeds that have no
  stored neighbours (not a ranking: it only fills empty rows);
* :func:`implicit_item_item`: the ``implicit`` library's item-item cosine and BM25
  recommenders (optional ``eval`` extra; :data:`IMPLICIT_MISSING` explains its absence).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from index.build.artist_rows import credit_ids
from index.names import credited_artists
from index.read import ranking as rk
from index.read.fallback import (
    FALLBACK_BIG_PLAYLIST,
    FALLBACK_PLAYLISTS,
    MATES_COUNTED,
)
from index.read.present import page_artists

if TYPE_CHECKING:  # scipy is imported where it is used: the bot's command line needs none
    import scipy.sparse as sp

CHUNK = 256  # seeds per sparse co-occurrence product; bounds memory on dense rows


class ArtistCredits:
    """Each track's artist and the artists its credit names, read as the bot reads them:
    which tracks share an artist with a seed (:func:`index.names.share_an_artist`) and
    what a page's artist cap counts a track against (:func:`index.read.present.artists_on_page`),
    over arrays of track ids."""

    def __init__(self, track_artist: np.ndarray, artist_names: Sequence[str]) -> None:
        self.track_artist = np.asarray(track_artist)
        self._credits = [credited_artists(name) for name in artist_names]
        self._on_page = [page_artists(name, a) for a, name in enumerate(artist_names)]
        by_name: dict[str, list[int]] = {}
        for artist, names in enumerate(self._credits):
            for name in names:
                by_name.setdefault(name, []).append(artist)
        self._by_name = {name: np.array(ids) for name, ids in by_name.items()}

    @cached_property
    def ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Whom each artist's name credits, as the build stores artist rows by
        (:func:`index.build.artist_rows.artist_credits`, from the names read here)."""
        return credit_ids(self._credits)

    def on_page(self, track: int) -> frozenset[Hashable]:
        """The artists a page's cap counts ``track`` against."""
        return self._on_page[int(self.track_artist[track])]

    def shared_with(self, seed: int, tracks: np.ndarray) -> np.ndarray:
        """For each of ``tracks``: does it share a credited artist with ``seed``?"""
        names = self._credits[int(self.track_artist[seed])]
        if not names:
            return np.zeros(len(tracks), dtype=bool)
        sharing = np.concatenate([self._by_name[name] for name in names])
        return np.isin(self.track_artist[np.asarray(tracks, dtype=np.int64)], sharing)


def seed_rows(seeds: np.ndarray) -> np.ndarray:
    """Queries as rows of tracks: one seed per query becomes a one-column matrix, rows of
    likes (``/foryou``) stay as they are."""
    rows = np.asarray(seeds, dtype=np.int64)
    return rows[:, None] if rows.ndim == 1 else rows


def track_matrix(indptr: np.ndarray, indices: np.ndarray, n_playlists: int) -> sp.csr_matrix:
    """Track × playlist 0/1 matrix (float32, what scipy and implicit multiply fastest)."""
    import scipy.sparse as sp

    n_tracks = len(indptr) - 1
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(n_tracks, n_playlists))


def most_popular(pop: np.ndarray, seeds: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` tracks in most train playlists, skipping the seed (ties: lower id)."""
    ranked = np.lexsort((np.arange(len(pop)), -pop))[: k + 1]
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, s in enumerate(seeds):
        row = ranked[ranked != s][:k]
        out[i, : len(row)] = row
    return out


def _cooccurrence_rows(x: sp.csr_matrix, seeds: np.ndarray):
    """Yield ``(seed, neighbour ids, shared counts)`` for every seed, seed excluded."""
    xt = x.T.tocsr()
    for lo in range(0, len(seeds), CHUNK):
        block = seeds[lo : lo + CHUNK]
        co = (x[block] @ xt).tocsr()
        for i, s in enumerate(block):
            a, b = co.indptr[i], co.indptr[i + 1]
            ids, cnt = co.indices[a:b], np.rint(co.data[a:b]).astype(np.int64)
            keep = ids != s
            yield int(s), ids[keep].astype(np.int64), cnt[keep]


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """Positions whose score is at least the ``k``-th best (ties kept, order by caller)."""
    if len(score) <= k:
        return np.arange(len(score))
    kth = np.partition(score, len(score) - k)[len(score) - k]
    return np.flatnonzero(score >= kth)


def cooccurrence(x: sp.csr_matrix, pop: np.ndarray, seeds: np.ndarray, k: int) -> np.ndarray:
    """Tracks sharing most playlists with the seed (ties: more popular, then lower id)."""
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, (_, ids, shared) in enumerate(_cooccurrence_rows(x, seeds)):
        pos = _top(shared.astype(np.float64), k)
        ids, shared = ids[pos], shared[pos]
        best = np.lexsort((ids, -pop[ids], -shared))[:k]
        out[i, : len(best)] = ids[best]
    return out


def playlist_mates(
    x: sp.csr_matrix,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    big_playlist: int = FALLBACK_BIG_PLAYLIST,
    *,
    ranking: str = rk.DEFAULT_RANKING,
    credits: ArtistCredits | None = None,
    counted: int = MATES_COUNTED,
    shown: np.ndarray | None = None,
    song: np.ndarray | None = None,
) -> np.ndarray:
    """Tracks of the seed's playlists in ``ranking``'s order, as
    :func:`index.read.fallback.playlist_mates` ranks them on the train matrix.

    Like the bot, left out before ranking: the seeds, ``shown`` (per row, the page the
    list completes; ``-1`` pads) and, given ``song`` (a song id per track,
    :func:`index.quality.pages.song_ids`), their other versions, so none takes a place in
    the lead.

    ``seeds`` is one track per row, or a row of likes (``/foryou``): then the playlists
    holding most of them count, at most :data:`~index.read.fallback.FALLBACK_PLAYLISTS`. The
    first ``counted`` by shared playlists (then met in a playlist of fewer than
    ``big_playlist`` tracks, then least known) are scored as stored neighbours are, with
    the seeds' playlist count as theirs, as the bot bounds the work (without its read bound
    of 5,000 songs a playlist, which only bites on huge playlists). ``credits`` gives the
    shared-artist weight (None: left out).
    """
    rows = seed_rows(seeds)
    xt = x.T.tocsr()
    length = np.diff(xt.indptr)
    out = np.full((len(rows), k), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        held = np.concatenate([x.indices[x.indptr[s] : x.indptr[s + 1]] for s in row])
        playlists, holding = np.unique(held, return_counts=True)
        n_holding = len(playlists)
        playlists = playlists[np.lexsort((playlists, -holding))][:FALLBACK_PLAYLISTS]
        if not len(playlists):
            continue
        members = [xt.indices[xt.indptr[p] : xt.indptr[p + 1]] for p in playlists]
        ids, shared = np.unique(np.concatenate(members), return_counts=True)
        small = [m for m, p in zip(members, playlists, strict=True) if length[p] < big_playlist]
        in_small = np.isin(ids, np.concatenate(small)) if small else np.zeros(len(ids), bool)
        drop = row if shown is None else np.concatenate([row, shown[i][shown[i] >= 0]])
        keep = ~np.isin(ids, drop)
        if song is not None:  # by the same artist id, as the bot checks
            version = np.isin(song[ids], song[drop])
            if credits is not None:
                version &= np.isin(credits.track_artist[ids], credits.track_artist[drop])
            keep &= ~version
        ids, shared, in_small = ids[keep], shared[keep], in_small[keep]
        first = np.lexsort((-ids, pop[ids], ~in_small, -shared))[:counted]
        first = np.union1d(first, np.lexsort((ids, -pop[ids], -shared))[: rk.MATES_LEAD_SIZE])
        ids, shared = ids[first].astype(np.int64), shared[first]
        same = None
        if credits is not None:
            same = np.any([credits.shared_with(s, ids) for s in row.tolist()], axis=0)
        best = rk.mates_order(ranking, shared, n_holding, pop[ids], ids, same)[:k]
        out[i, : len(best)] = ids[best]
    return out


def candidates_ranked(
    x: sp.csr_matrix,
    pop: np.ndarray,
    seeds: np.ndarray,
    k: int,
    ranking: str,
    *,
    min_shared: int,
    min_playlists: int,
    credits: ArtistCredits | None = None,
) -> np.ndarray:
    """``ranking`` over *every* track sharing ``min_shared`` playlists with the seed.

    Same eligibility as the build (a seed in fewer than ``min_playlists`` playlists gets
    nothing), so the only difference from re-ordering the stored lists is their top-k cut:
    the bot can only re-order the stored top-30, and this is the ceiling it is held against.
    ``credits`` gives the rankings their shared-artist weight (None: left out).
    """
    rk.check_ranking(ranking)
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, (s, ids, shared) in enumerate(_cooccurrence_rows(x, seeds)):
        if pop[s] < max(min_playlists, min_shared):
            continue
        keep = shared >= min_shared
        ids, shared = ids[keep], shared[keep]
        same = None if credits is None else credits.shared_with(s, ids)
        score = rk.pair_scores(ranking, shared, pop[s], pop[ids], same)
        pos = _top(score, k)
        if ranking == "closest":  # its page opens with the most shared, whatever their score
            pos = np.union1d(pos, rk.lead(shared, pop[ids], ids, rk.CLOSEST_LEAD, same))
        same = None if same is None else same[pos]
        best = rk.order(ranking, shared[pos], pop[s], pop[ids[pos]], ids[pos], same)[:k]
        out[i, : len(best)] = ids[pos][best]
    return out


def with_rare_fallback(
    top: np.ndarray,
    x: sp.csr_matrix,
    pop: np.ndarray,
    seeds: np.ndarray,
    track_artist: np.ndarray | None = None,
    *,
    ranking: str = rk.DEFAULT_RANKING,
    credits: ArtistCredits | None = None,
    song: np.ndarray | None = None,
) -> np.ndarray:
    """``top`` with every empty row (a seed without stored neighbours) answered as the bot
    answers it: :func:`playlist_mates` (in ``ranking``'s order, ``credits`` for the artist
    weight, ``song`` to leave the seeds' versions out), else the artists' other songs, best
    known first.

    ``seeds`` is one track per row or a row of likes, as for :func:`playlist_mates`.
    The presentation rules (one version of each song, three per artist) are applied by the
    caller, :class:`index.quality.pages.Presentation`, so pass ``top`` wider than the page.
    """
    out = top.copy()
    k = top.shape[1]
    rows = seed_rows(seeds)
    empty = np.flatnonzero(top[:, 0] < 0)
    if len(empty) == 0:
        return out
    out[empty] = playlist_mates(x, pop, rows[empty], k, ranking=ranking, credits=credits, song=song)
    if track_artist is None:
        return out
    for i in empty[out[empty, 0] < 0]:  # alone in their playlists: the artists' other songs
        own = []
        for a in dict.fromkeys(track_artist[rows[i]].tolist()):
            mine = np.flatnonzero((track_artist == a) & (pop > 0))
            own.extend(mine[np.lexsort((mine, -pop[mine]))].tolist())
        liked = set(rows[i].tolist())
        own = [t for t in own if t not in liked][:k]
        out[i, : len(own)] = own
    return out


def implicit_missing() -> str | None:
    """Why the ``implicit`` rows cannot run, or None when the library is importable."""
    try:
        import implicit.nearest_neighbours  # noqa: F401
    except ImportError:
        return "the `implicit` library is not installed (pip install 'songsim[eval]' or pip install implicit)"
    return None


def implicit_item_item(
    x: sp.csr_matrix, seeds: np.ndarray, k: int, model: str, neighbours: int = 30
) -> np.ndarray:
    """``implicit``'s item-item ``model`` ("cosine" or "bm25") keeping ``neighbours`` per item.

    ``neighbours`` defaults to the index's stored top-30, so both see the same budget.
    """
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    cls = {"cosine": CosineRecommender, "bm25": BM25Recommender}[model]
    rec = cls(K=max(neighbours, k + 1))
    with warnings.catch_warnings():  # implicit converts its own BM25 weights to CSR and says so
        warnings.simplefilter("ignore")
        rec.fit(x.T.tocsr(), show_progress=False)  # implicit wants playlists (users) × tracks
        ids, scores = rec.similar_items(np.asarray(seeds), N=k + 1)
    out = np.full((len(seeds), k), -1, dtype=np.int64)
    for i, s in enumerate(seeds):
        keep = (ids[i] != s) & (scores[i] > 0) & (ids[i] >= 0)
        row = ids[i][keep][:k]
        out[i, : len(row)] = row
    return out
