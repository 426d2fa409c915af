"""Query-time rankings ("discovery" settings) computed from what the index stores.

The stored ``jaccard`` column stays exact; a ranking only re-orders a seed's candidates (its
Jaccard top ``k`` and, in indexes built with them, the extras after it: the songs sharing
most playlists with it, :mod:`index.build.extras`; an older index has the top ``k`` only and
is ranked the same way) using, per (seed, neighbour) pair, ``shared`` (playlists holding both), each track's
``playlists`` count and whether the two share an artist. Writing ``a`` and ``b`` for the
two counts and ``s`` for ``shared``:

* ``"jaccard"``: ``s / (a + b - s)``, the stored order (the reference).
* ``"closest"`` (default): the :data:`CLOSEST_LEAD` song(s) sharing most playlists with
  the seed first (:func:`lead`), then ``s / (a + b - s + λ·a) / b^δ``: Jaccard with an
  additive shrinkage in the denominator of ``λ`` times the seed's own playlist count,
  damped by the neighbour's popularity. Plain Jaccard ranks a rare song that met the seed
  in 3 of its 4 playlists above one that met it in 40 of 90; the shrinkage discounts such
  thin evidence, which lifts hit rate on held-out playlists while keeping most of
  Jaccard's catalogue coverage (``docs/QUALITY.md``). Scaling it by the seed's count keeps
  one setting right for a 452-playlist library and for a million-playlist crawl, where a
  constant ``λ`` (in playlists) would not be. The lead and the damping pull the page two
  ways at once: the songs most often found with the seed are the surest hits, the rest
  leans to less-known songs. Held out, hit rate rises with the popularity of what is shown
  along one curve for every single score; a page mixing the two ends lies above that curve
  (docs/research/quality-notes.md: on Yes.com's radio playlists and a synthetic crawl the
  default page gained hit rate at the same median popularity). The lead is one song: on
  crowd playlists at scale each lead song costs the answers breadth, as the same
  well-known songs open many pages. A rare song's playlist-mates (:mod:`index.read.fallback`)
  open with a lead of :data:`MATES_LEAD_SIZE`, then rank without the damping
  (:func:`mates_order`).
* ``"popular"``: the same with a large ``λ``, which tends to the raw co-occurrence count
  ``s`` as ``λ`` grows: better-known songs from the same playlists, more familiar answers.
* ``"deep cuts"``: Jaccard damped by the neighbour's popularity, ``J / b^γ``: less-known
  songs with the same taste.

Each discovery setting counts a song that **shares a credited artist with the seed**
double (score × 2; "Eminem" and "Eminem, Rihanna" share one, see
:func:`index.names.share_an_artist`): at equal evidence, another song by the same
artist is the likelier pick. Held out that lifts one curator's playlists (many of them one
artist's, many songs credited to several) by 2.5–4 points and costs crowd data at most
0.4; a page still shows at most three songs per artist (``index.read.present``).

Each discovery setting then **spreads its list over levels of evidence** (:func:`spread`):
neighbours with the same ``shared`` and the same ``playlists`` count tie exactly, and on a
small collection ten of them (in the same few playlists as the seed) can fill a page and
succeed or fail together. Each further song taken from one such group counts for a little
less (its score divided by ``1 + β·taken``), so a page mixes a few groups of nearly as
strong evidence instead. Held out, that lifts hit rate on every sample, most on one
curator's playlists, for a few points of coverage; "jaccard" keeps the stored order.

Several seeds (a mix, ``/foryou``) are answered by :func:`fuse`: each seed's list in the
setting's order, spread included, merged by rank so that every seed counts alike.

The constants were picked by ``songsim index holdout`` on the real samples; the figures
for each setting are in ``docs/QUALITY.md``.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

DEFAULT_RANKING = "closest"
DISCOVERY = ("closest", "popular", "deep cuts")  # what users choose between
RANKINGS = ("jaccard", *DISCOVERY)

CLOSEST_SHRINK = 1.0  # λ for "closest", in seed playlist counts (grid 0.5-5: more costs
# coverage and raises popularity; scripts/tune_rankings.py on validation splits)
CLOSEST_LEAD = 1  # "closest" opens with this many most-shared songs, and damps the rest
CLOSEST_DAMPING = 0.2  # by b^δ: held out (docs/research), a lead of 2 (δ 0.1) cost crowd
# playlists at 60-150k 5-11 % of their breadth; 1 and 0.2 keep the breadth the plain
# formula had there, for 2-3 points of hit rate on Yes.com's radio playlists
POPULAR_SHRINK = 10.0  # λ for "popular": favours well-supported pairs (grid 3-50, extras stored)
DEEP_CUTS_POWER = 0.25  # γ for "deep cuts": at 0.5 hit rate fell 20-35 %, at 0.25 13-15 %
SHARED_ARTIST = 1.0  # extra weight of a song sharing an artist with the seed (flat 0.25-2)
SPREAD = 0.25  # β of the spread over tied groups (grid 0.25-1: same hit rate, less coverage)
MATES_LEAD = ("closest", "popular")  # whose playlist-mates lists open with a lead too
MATES_LEAD_SIZE = 2  # songs in that lead: a crowd's playlists hold a rare song's best known
FUSE_RANK = 10  # c of the rank fusion of several likes (holdout grid 5-30: 10 best overall)


def check_ranking(ranking: str) -> str:
    """``ranking`` itself, or a ValueError naming the choices (for CLI and API callers)."""
    if ranking not in RANKINGS:
        raise ValueError(f"Unknown ranking {ranking!r}; choose one of: {', '.join(RANKINGS)}.")
    return ranking


def pair_scores(
    ranking: str,
    shared: np.ndarray,
    seed_playlists: np.ndarray | float,
    neighbour_playlists: np.ndarray,
    shares_artist: np.ndarray | None = None,
    *,
    with_lead: bool = True,
) -> np.ndarray:
    """Score of each (seed, neighbour) pair under ``ranking``; higher ranks first.

    Inputs broadcast (one seed against many neighbours is the usual call).
    ``shares_artist`` marks the neighbours that share a credited artist with the seed
    (None: not known); "jaccard" ignores it. "closest" damps by popularity only
    ``with_lead`` (see :func:`order`): the damping balances the lead.
    """
    check_ranking(ranking)
    s = np.asarray(shared, dtype=np.float64)
    a = np.asarray(seed_playlists, dtype=np.float64)
    b = np.asarray(neighbour_playlists, dtype=np.float64)
    union = np.maximum(a + b - s, 1.0)
    if ranking == "jaccard":
        return s / union
    if ranking == "closest":
        score = s / (union + CLOSEST_SHRINK * a)
        if with_lead:
            score = score / np.maximum(b, 1.0) ** CLOSEST_DAMPING
    elif ranking == "popular":
        score = s / (union + POPULAR_SHRINK * a)
    else:
        score = (s / union) / np.maximum(b, 1.0) ** DEEP_CUTS_POWER
    return _artist_weighted(score, shares_artist)


def _artist_weighted(values: np.ndarray, shares_artist: np.ndarray | None) -> np.ndarray:
    """``values`` with a song sharing an artist with the seed counted ``1 + SHARED_ARTIST``
    times (unchanged when that is not known)."""
    if shares_artist is None:
        return values
    return values * (1.0 + SHARED_ARTIST * np.asarray(shares_artist, dtype=np.float64))


def order(
    ranking: str,
    shared: np.ndarray,
    seed_playlists: np.ndarray | float,
    neighbour_playlists: np.ndarray,
    neighbour_ids: np.ndarray,
    shares_artist: np.ndarray | None = None,
    *,
    with_lead: bool = True,
) -> np.ndarray:
    """Positions of the candidates in ranked order: score desc, Jaccard desc, id asc, then
    (for the discovery settings) spread over tied groups; "closest" then moves its
    :func:`lead` to the front unless ``with_lead`` is false. A mix's lists go without it
    (and without the damping that balances it): each like's surest songs would fill most of
    a fused page with the best-known ones (held out with a lead of 2, a fifth to a half more
    popular and 8-14 % less coverage for at most the same hit rate).

    Ties fall back to the stored order's keys so "jaccard" reproduces the stored table.
    """
    score = pair_scores(
        ranking, shared, seed_playlists, neighbour_playlists, shares_artist, with_lead=with_lead
    )
    jac = pair_scores("jaccard", shared, seed_playlists, neighbour_playlists)
    ranked = np.lexsort((np.asarray(neighbour_ids), -jac, -score))
    if ranking == "jaccard":
        return ranked
    ranked = spread(ranked, score, shared, neighbour_playlists)
    if ranking != "closest" or not with_lead:
        return ranked
    return _lead_first(
        ranked, shared, neighbour_playlists, neighbour_ids, shares_artist, CLOSEST_LEAD
    )


def mates_order(
    ranking: str,
    shared: np.ndarray,
    seed_playlists: int,
    neighbour_playlists: np.ndarray,
    neighbour_ids: np.ndarray,
    shares_artist: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of a rare seed's playlist-mates (:mod:`index.read.fallback`) in order.

    Ranked as stored neighbours are, without the damping, and under :data:`MATES_LEAD`
    opening with the :data:`MATES_LEAD_SIZE` songs found with the seed most often (the better
    known first; for a song in one playlist, its artist's and the best-known mates), then
    the most specific ones. Held out that found more hits on every collection tried, for
    1-2 % of coverage (docs/research/quality-notes.md): a crowd's playlists hold a rare
    song's best-known mates far more often than its least known, one curator's about as
    often, and the rest of the list keeps the answer broad.
    """
    ranked = order(
        ranking, shared, seed_playlists, neighbour_playlists, neighbour_ids, shares_artist,
        with_lead=False,
    )  # fmt: skip
    if ranking not in MATES_LEAD:
        return ranked
    return _lead_first(
        ranked, shared, neighbour_playlists, neighbour_ids, shares_artist, MATES_LEAD_SIZE
    )


def _lead_first(
    ranked: np.ndarray,
    shared: np.ndarray,
    neighbour_playlists: np.ndarray,
    neighbour_ids: np.ndarray,
    shares_artist: np.ndarray | None,
    m: int,
) -> np.ndarray:
    """``ranked`` with its :func:`lead` of ``m`` songs moved to the front."""
    first = lead(shared, neighbour_playlists, neighbour_ids, m, shares_artist)
    return np.concatenate([first, ranked[~np.isin(ranked, first)]])


def lead(
    shared: np.ndarray,
    neighbour_playlists: np.ndarray,
    neighbour_ids: np.ndarray,
    m: int,
    shares_artist: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of the ``m`` songs found with the seed most often, in that order: most
    shared playlists (a song sharing the seed's artist counting double, as in every
    discovery setting), then the better known, then the lower id."""
    weight = _artist_weighted(np.asarray(shared, dtype=np.float64), shares_artist)
    keys = (np.asarray(neighbour_ids), -np.asarray(neighbour_playlists), -weight)
    return np.lexsort(keys)[:m].astype(np.int64)


def spread(
    ranked: np.ndarray,
    score: np.ndarray,
    shared: np.ndarray,
    neighbour_playlists: np.ndarray,
    beta: float = SPREAD,
) -> np.ndarray:
    """``ranked`` re-ordered so that songs tied on the evidence take turns with others.

    A group is the songs with the same ``shared`` and ``neighbour_playlists``; the k-th
    song taken from a group (k = 0, 1, …) competes with ``score / (1 + β·k)``. Greedy, so
    every page of the answer is spread, not just the first. Equal values keep ``ranked``'s
    order, so a list without ties comes back unchanged.
    """
    ranked = np.asarray(ranked, dtype=np.int64)
    s, b, sc = np.asarray(shared), np.asarray(neighbour_playlists), np.asarray(score, float)
    groups: dict[tuple[int, int], list[int]] = {}
    for pos in ranked.tolist():
        groups.setdefault((int(s[pos]), int(b[pos])), []).append(pos)
    if len(groups) in (1, len(ranked)):  # no ties, or nothing but ties: nothing to spread
        return ranked
    place = np.empty(len(sc), dtype=np.int64)
    place[ranked] = np.arange(len(ranked))
    # (-value, place in ranked, group, taken): the best next song of each group.
    heap = [(-sc[m[0]], int(place[m[0]]), key, 0) for key, m in groups.items()]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        _, _, key, taken = heapq.heappop(heap)
        members = groups[key]
        out.append(members[taken])
        taken += 1
        if taken < len(members):
            nxt = members[taken]
            heapq.heappush(heap, (-sc[nxt] / (1 + beta * taken), int(place[nxt]), key, taken))
    return np.asarray(out, dtype=np.int64)


def fuse(
    ranked: Sequence[np.ndarray], jaccard: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Several likes' ranked lists as one (``/foryou`` and mixes): reciprocal rank fusion.

    ``ranked[i]`` is like ``i``'s neighbour ids in its own order (what ``/similar`` would
    list, the likes left out), ``jaccard[i]`` their Jaccard with it. A song scores
    ``Σ 1 / (c + rank)`` over the lists that hold it (rank from 0, ``c`` =
    :data:`FUSE_RANK`), so every like counts alike: summing raw scores instead let the
    like with the highest Jaccard values fill the page, which held out cost 2-9 % hit
    rate against this (docs/QUALITY.md). Ties: summed Jaccard, then lower id. Returns the
    distinct ids in that order with their fused score and summed Jaccard; one list comes
    back in its own order.
    """
    lists = [np.asarray(r, dtype=np.int64) for r in ranked]
    if not lists or not sum(len(r) for r in lists):
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty
    ids = np.concatenate(lists)
    weight = np.concatenate([1.0 / (FUSE_RANK + np.arange(len(r))) for r in lists])
    jac = np.concatenate([np.asarray(j, dtype=np.float64) for j in jaccard])
    songs, where = np.unique(ids, return_inverse=True)
    score = np.bincount(where, weights=weight, minlength=len(songs))
    total = np.bincount(where, weights=jac, minlength=len(songs))
    order = np.lexsort((songs, -total, -score))
    return songs[order], score[order], total[order]
