"""Neighbour answers: one song (``similar``), a mix of seeds, a user's likes (``for_you``).

Every answer goes through the same steps (:mod:`index.read.neighbours`): gather stored
neighbours, order them by the chosen ranking, apply the presentation rules
(:mod:`index.read.present`), then cut one page. Several seeds' lists are fused by rank
(:func:`index.read.ranking.fuse`) so every seed counts alike. An answer with no
recommendations, or a short one, gets a labelled fallback from the seeds' playlists
(:mod:`index.read.fallback`). A request's :class:`~index.model.Exclusions` become one
:class:`~index.read.exclude.ExclusionRule` for its seeds, which the page and the fallback
both apply before paging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from index.model import Answer, Exclusions, Recommendation, Track
from index.read import ranking as rk
from index.read.exclude import ExclusionRule, exclusion_rule
from index.read.fallback import with_fallback
from index.read.neighbours import answer_page, ranked, ranked_neighbours
from index.read.tables import IndexFile

MIX_SEEDS = (2, 5)
FOR_YOU_MAX_LIKES = 500  # most recent likes used; older ones add little and cost a query each

# Read-path orderings by name (index.read.ranking): "closest" (default), "popular",
# "deep cuts", and "jaccard" (the stored order). Each recommendation's ``score`` is its
# ranking score.
RANKINGS = rk.RANKINGS


def similar(
    idx: IndexFile,
    track_id: int,
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
    more_of_artist: bool = False,
    exclusions: Exclusions | None = None,
) -> Answer:
    """Neighbours of one song; when it has none, a labelled fallback of related songs."""
    rk.check_ranking(ranking)
    seed = idx.track(track_id)
    rule = exclusion_rule(idx, exclusions, [seed])
    recs = ranked_neighbours(idx, seed, ranking)
    answer = answer_page(recs, [seed], limit, offset, ranking, more_of_artist, rule)
    return with_fallback(idx, answer, [seed], limit, rule)


def mix(
    idx: IndexFile,
    track_ids: Sequence[int],
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
    exclusions: Exclusions | None = None,
) -> Answer:
    """Songs close to several seeds: each seed's ranked neighbours, fused by rank."""
    ids = list(dict.fromkeys(int(t) for t in track_ids))
    lo, hi = MIX_SEEDS
    if not lo <= len(ids) <= hi:
        raise ValueError(f"A mix needs {lo} to {hi} different songs; got {len(ids)}.")
    seeds = [idx.track(t) for t in ids]
    rule = exclusion_rule(idx, exclusions, seeds)
    answer = _merged(idx, seeds, limit, offset, ranking, rule)
    return with_fallback(idx, replace(answer, seed=seeds[0]), seeds, limit, rule)


def for_you(
    idx: IndexFile,
    track_ids: Sequence[int],
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
    exclusions: Exclusions | None = None,
) -> Answer:
    """Recommendations from liked songs (any number; the latest 500 count), likes excluded."""
    ids = list(dict.fromkeys(int(t) for t in track_ids))[-FOR_YOU_MAX_LIKES:]
    found = idx.tracks(ids)
    likes = [found[t] for t in ids if t in found]
    rule = exclusion_rule(idx, exclusions, likes)
    answer = _merged(idx, likes, limit, offset, ranking, rule)
    return with_fallback(idx, answer, likes, limit, rule)


def _merged(
    idx: IndexFile,
    seeds: list[Track],
    limit: int,
    offset: int,
    ranking: str,
    rule: ExclusionRule,
) -> Answer:
    """Several seeds' answers as one list, seeds excluded: each seed's neighbours ranked as
    ``similar`` ranks them, then fused by rank (:func:`index.read.ranking.fuse`), so every
    seed counts alike. One seed (``/foryou`` with one like) keeps ``similar``'s order."""
    rk.check_ranking(ranking)
    seed_ids = {s.track_id for s in seeds}
    stored = {s.track_id: idx.neighbour_rows(s.track_id) for s in seeds}
    found = idx.tracks({n for rows in stored.values() for n, _, _ in rows})
    lists = [
        [
            r
            for r in ranked(s, stored[s.track_id], found, ranking, with_lead=len(seeds) == 1)
            if r.track.track_id not in seed_ids
        ]
        for s in seeds
    ]
    ids, fused, jac = rk.fuse(
        [[r.track.track_id for r in recs] for recs in lists],
        [[r.jaccard for r in recs] for recs in lists],
    )
    shared: dict[int, int] = {}
    near: dict[int, int] = {}
    via: dict[int, tuple[int, int]] = {}  # song -> (most playlists shared with a seed, seed)
    for seed, recs in zip(seeds, lists, strict=True):
        for r in recs:
            n = r.track.track_id
            shared[n] = shared.get(n, 0) + r.shared
            near[n] = near.get(n, 0) + 1
            if n not in via or r.shared > via[n][0]:
                via[n] = (r.shared, seed.track_id)
    recs = [
        Recommendation(found[n], float(j), shared[n], float(sc), near[n], via[n][1])
        for n, sc, j in zip(ids.tolist(), fused, jac, strict=True)
    ]
    answer = answer_page(recs, seeds, limit, offset, ranking, more_of_artist=False, rule=rule)
    return replace(answer, seed=None)
