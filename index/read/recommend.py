"""Neighbour answers: one song, a mix of seeds, a user's likes, similar artists, and why.

Every answer goes through the same steps: gather stored neighbours, order them by the
chosen ranking, apply the presentation rules (:mod:`index.present`), then cut one page.
A seed with no stored neighbours (too few playlists) is answered ``rare``, with a labelled
fallback: the songs of its playlists (:func:`playlist_mates`), else its artist's other
songs, else songs by similar artists. A seed with a few neighbours but not a page of them
gets its page topped up from its playlists, labelled likewise: held-out playlists show
those songs are hits more often than an empty slot (docs/QUALITY.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.model import Answer, ArtistScore, Recommendation, Track, Why
from index.names import share_an_artist
from index.read import ranking as rk
from index.read.present import (
    MAX_PER_ARTIST,
    artists_on_page,
    complete_page,
    one_version_each,
    paginate,
    presentable,
)

if TYPE_CHECKING:
    from index.read.api import SongIndex

MIX_SEEDS = (2, 5)
FOR_YOU_MAX_LIKES = 500  # most recent likes used; older ones add little and cost a query each
SIMILAR_ARTIST_TRACKS = 30  # an artist's best-known songs whose neighbours are aggregated
# Rare-song fallback bounds: playlists read (a seed without neighbours is in one or a few)
# and songs read per playlist (lowest ids first: a 47,000-song playlist is read in part).
FALLBACK_PLAYLISTS = 20
FALLBACK_MEMBERS = 5000
# Songs met only in playlists of this many songs or more (libraries, mega-mixes) come after
# songs met in a smaller playlist of the seed's, at the same shared count: "Liked Songs"
# says little about a song, a 6-song playlist a lot. Held out, it changes hit rates by at
# most +0.4 points (docs/QUALITY.md); it keeps a library from filling the whole list.
FALLBACK_BIG_PLAYLIST = 1000

# Read-path orderings by name (index.ranking): "closest" (default), "popular", "deep cuts",
# and "jaccard" (the stored order). Each recommendation's ``score`` is its ranking score.
RANKINGS = rk.RANKINGS


def similar(
    idx: SongIndex,
    track_id: int,
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
    more_of_artist: bool = False,
) -> Answer:
    """Neighbours of one song; when it has none, a labelled fallback of related songs."""
    rk.check_ranking(ranking)
    seed = idx.track(track_id)
    recs = _ranked_neighbours(idx, seed, ranking)
    answer = _page(recs, [seed], limit, offset, ranking, more_of_artist)
    return _or_fallback(idx, answer, [seed], limit)


def mix(
    idx: SongIndex,
    track_ids: Sequence[int],
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
) -> Answer:
    """Songs close to several seeds: each seed's ranked neighbours, fused by rank."""
    ids = list(dict.fromkeys(int(t) for t in track_ids))
    lo, hi = MIX_SEEDS
    if not lo <= len(ids) <= hi:
        raise ValueError(f"A mix needs {lo} to {hi} different songs; got {len(ids)}.")
    seeds = [idx.track(t) for t in ids]
    answer = _merged(idx, seeds, limit, offset, ranking)
    return _or_fallback(idx, _replace(answer, seed=seeds[0]), seeds, limit)


def for_you(
    idx: SongIndex,
    track_ids: Sequence[int],
    *,
    limit: int = 10,
    offset: int = 0,
    ranking: str = "closest",
) -> Answer:
    """Recommendations from liked songs (any number; the latest 500 count), likes excluded."""
    ids = list(dict.fromkeys(int(t) for t in track_ids))[-FOR_YOU_MAX_LIKES:]
    found = idx.tracks(ids)
    likes = [found[t] for t in ids if t in found]
    return _or_fallback(idx, _merged(idx, likes, limit, offset, ranking), likes, limit)


def popular_tracks(idx: SongIndex, limit: int) -> list[Track]:
    """The best-known songs of the whole index, one version each."""
    ids = [int(t) for t in idx.rank_track[: 4 * limit + 10]]
    found = idx.tracks(ids)
    return one_version_each(found[t] for t in ids if t in found)[:limit]


def similar_artists(idx: SongIndex, artist_id: int, *, limit: int = 10) -> list[ArtistScore]:
    """Artists ranked by the summed Jaccard of neighbours of this artist's best-known songs."""
    idx.artist(artist_id)  # UnknownIdError for an unknown id
    top = idx.query(
        "SELECT track_id FROM tracks WHERE artist_id = ? ORDER BY playlists DESC LIMIT ?",
        (int(artist_id), SIMILAR_ARTIST_TRACKS),
    )
    if not top:
        return []
    marks = ",".join("?" * len(top))
    rows = idx.query(
        f"SELECT t.artist_id, sum(n.jaccard) AS score FROM neighbours n "
        f"JOIN tracks t ON t.track_id = n.neighbour_id "
        f"WHERE n.track_id IN ({marks}) AND t.artist_id != ? "
        f"GROUP BY t.artist_id ORDER BY score DESC, t.artist_id LIMIT ?",
        [r[0] for r in top] + [int(artist_id), int(limit)],
    )
    artists = idx.artists(r[0] for r in rows)
    return [ArtistScore(artists[a], score) for a, score in rows if a in artists]


def why(idx: SongIndex, track_id: int, neighbour_id: int) -> Why:
    """Shared playlists of two songs, from the neighbour table and (if stored) memberships."""
    a, b = idx.track(track_id), idx.track(neighbour_id)
    stored = idx.query(
        "SELECT jaccard, shared FROM neighbours WHERE track_id = ? AND neighbour_id = ? "
        "UNION ALL SELECT jaccard, shared FROM neighbours WHERE track_id = ? AND neighbour_id = ? "
        "LIMIT 1",
        (a.track_id, b.track_id, b.track_id, a.track_id),
    )
    examples: list[str] = []
    shared: int | None = None
    if idx.stats.has_memberships:
        shared = int(
            idx.query(
                "SELECT count(*) FROM memberships m1 JOIN memberships m2 "
                "ON m2.track_id = ? AND m2.playlist_id = m1.playlist_id WHERE m1.track_id = ?",
                (b.track_id, a.track_id),
            )[0][0]
        )
        names = idx.query(
            "SELECT p.name FROM memberships m1 JOIN memberships m2 "
            "ON m2.track_id = ? AND m2.playlist_id = m1.playlist_id "
            "JOIN playlists p ON p.playlist_id = m1.playlist_id WHERE m1.track_id = ? LIMIT 200",
            (b.track_id, a.track_id),
        )
        examples = _example_names(n for (n,) in names)
    if stored:
        jaccard, stored_shared = stored[0]
        return Why(a, b, int(stored_shared), float(jaccard), examples, stored=True)
    if shared is None:
        shared = 0
    union = a.playlists + b.playlists - shared
    return Why(a, b, shared, shared / union if union else 0.0, examples, stored=False)


def _example_names(names, limit: int = 5) -> list[str]:
    """Up to ``limit`` distinct, non-empty playlist names (case-insensitively distinct)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        clean = " ".join(str(name).split())
        if clean and clean.casefold() not in seen:
            seen.add(clean.casefold())
            out.append(clean)
            if len(out) == limit:
                break
    return out


def _ranked_neighbours(idx: SongIndex, seed: Track, ranking: str) -> list[Recommendation]:
    """One seed's stored neighbours in ``ranking``'s order."""
    rows = idx.neighbour_rows(seed.track_id)
    return _ranked(seed, rows, idx.tracks(r[0] for r in rows), ranking)


def _ranked(
    seed: Track, rows: list[tuple[int, float, int]], found: dict[int, Track], ranking: str
) -> list[Recommendation]:
    """Stored rows (neighbour, jaccard, shared) of ``seed`` in ``ranking``'s order
    (:func:`index.ranking.order`, the order the holdout report measures)."""
    rows = [r for r in rows if r[0] in found]
    shared = np.array([s for _, _, s in rows], dtype=np.int64)
    pops = np.array([found[n].playlists for n, _, _ in rows], dtype=np.int64)
    ids = np.array([n for n, _, _ in rows], dtype=np.int64)
    same = np.array([share_an_artist(seed.artist, found[n].artist) for n, _, _ in rows], bool)
    scores = rk.pair_scores(ranking, shared, seed.playlists, pops, same)
    return [
        Recommendation(found[int(ids[i])], rows[i][1], int(shared[i]), float(scores[i]))
        for i in rk.order(ranking, shared, seed.playlists, pops, ids, same).tolist()
    ]


def _merged(idx: SongIndex, seeds: list[Track], limit: int, offset: int, ranking: str) -> Answer:
    """Several seeds' answers as one list, seeds excluded: each seed's neighbours ranked as
    ``similar`` ranks them, then fused by rank (:func:`index.ranking.fuse`), so every seed
    counts alike. One seed (``/foryou`` with one like) keeps ``similar``'s order."""
    rk.check_ranking(ranking)
    seed_ids = {s.track_id for s in seeds}
    stored = {s.track_id: idx.neighbour_rows(s.track_id) for s in seeds}
    found = idx.tracks({n for rows in stored.values() for n, _, _ in rows})
    lists = [
        [
            r
            for r in _ranked(s, stored[s.track_id], found, ranking)
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
    answer = _page(recs, seeds, limit, offset, ranking, more_of_artist=False)
    return _replace(answer, seed=None)


def _page(
    recs: list[Recommendation],  # in ranked order
    seeds: list[Track],
    limit: int,
    offset: int,
    ranking: str,
    more_of_artist: bool,
) -> Answer:
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0.")
    shown = presentable(recs, seeds)
    page_no = offset // limit
    pages = paginate(  # up to the page after this one: enough to say whether there is more
        shown,
        limit,
        artists_of=lambda r: artists_on_page(r.track),
        per_artist=None if more_of_artist else MAX_PER_ARTIST,
        pages=page_no + 2,
    )
    return Answer(
        seed=seeds[0] if seeds else None,
        items=pages[page_no] if page_no < len(pages) else [],
        total=len(shown),
        has_more=page_no + 1 < len(pages),
        seeds=list(seeds),
        offset=offset,
        limit=limit,
        ranking=ranking,
    )


def _or_fallback(idx: SongIndex, answer: Answer, seeds: list[Track], limit: int) -> Answer:
    """``answer`` itself when it fills its page; a short single page topped up from the
    seeds' playlists; no recommendations at all: marked rare, with a labelled fallback."""
    if answer.total:
        short = answer.offset == 0 and not answer.has_more and len(answer.items) < limit
        if not short or not seeds:
            return answer
        mates, label = playlist_mates(
            idx, seeds, limit, shown=[r.track for r in answer.items], ranking=answer.ranking
        )
        if not mates:
            return answer
        return _replace(answer, fallback=mates, fallback_label=label, fallback_source="playlists")
    if seeds:
        fallback, label, source = _fallback_for(idx, seeds, limit, answer.ranking)
    else:  # for_you with no (known) likes
        fallback, label = popular_tracks(idx, limit), "Popular songs in this index"
        source = "popular"
    return _replace(
        answer, rare=True, fallback=fallback, fallback_label=label, fallback_source=source
    )


def _fallback_for(
    idx: SongIndex, seeds: list[Track], limit: int, ranking: str = "closest"
) -> tuple[list[Track], str | None, str | None]:
    """Songs from the seeds' playlists, else their artists' other songs, else songs by
    similar artists: the list, its label and its source (see ``Answer.fallback_source``)."""
    mates, label = playlist_mates(idx, seeds, limit, ranking=ranking)
    if mates:
        return mates, label, "playlists"
    artists = list(dict.fromkeys(s.artist_id for s in seeds))
    own: list[Track] = []
    for a in artists:
        own.extend(idx.artist_top_tracks(a, limit=limit + len(seeds)))
    own = one_version_each(own, exclude=seeds)[:limit]
    names = _join_names([s.artist for s in {s.artist_id: s for s in seeds}.values()])
    if own:
        return own, f"Other songs by {names}", "artist"
    near: list[Track] = []
    for a in artists:
        for score in similar_artists(idx, a, limit=5):
            near.extend(idx.artist_top_tracks(score.artist.artist_id, limit=3))
    near = one_version_each(near, exclude=seeds)[:limit]
    if near:
        return near, f"Songs by artists similar to {names}", "similar artists"
    return [], None, None


def playlist_mates(
    idx: SongIndex,
    seeds: Sequence[Track],
    limit: int,
    *,
    shown: Sequence[Track] = (),
    ranking: str = "closest",
) -> tuple[list[Track], str]:
    """Songs sharing the most of the seeds' playlists (ties: met in a playlist of fewer than
    :data:`FALLBACK_BIG_PLAYLIST` songs, then better known, then lower id; least known first
    for the "deep cuts" setting, as its recommendations are).

    The answer for a song too rare for stored neighbours: the playlists it is in are the
    only evidence there is. One version of each song, none of the seeds (or their
    versions), at most :data:`MAX_PER_ARTIST` per artist unless that leaves the list short.
    With ``shown`` (a short page of recommendations above it), the list completes that page
    to ``limit``: none of those songs again, and they count toward the artist cap.
    The work is bounded for huge playlists: at most :data:`FALLBACK_PLAYLISTS` playlists
    (those holding most seeds) and :data:`FALLBACK_MEMBERS` songs of each are read, so a
    reply costs a few milliseconds even when the seed is in a 47,000-song playlist.
    Returns ``([], "")`` when the index stores no memberships, or cannot list a
    playlist's songs quickly (a large index built before the playlist index existed).
    """
    if not seeds or not idx.can_list_playlists:
        return [], ""
    of_track = idx.playlists_of(s.track_id for s in seeds)
    holding: dict[int, int] = {}
    for pids in of_track.values():
        for p in pids:
            holding[p] = holding.get(p, 0) + 1
    if not holding:
        return [], ""
    chosen = sorted(holding, key=lambda p: (-holding[p], p))[:FALLBACK_PLAYLISTS]
    members = [m for m in idx.playlist_members(chosen, FALLBACK_MEMBERS) if len(m)]
    if not members:
        return [], ""
    ids, shared = np.unique(np.concatenate(members), return_counts=True)
    small = [m for m in members if len(m) < FALLBACK_BIG_PLAYLIST]
    in_small = np.isin(ids, np.concatenate(small)) if small else np.zeros(len(ids), bool)
    keep = ~np.isin(ids, [t.track_id for t in (*seeds, *shown)])
    ids, shared, in_small = ids[keep], shared[keep], in_small[keep]
    # Popularity rank orders by playlist count, then track id: the tie-breaks asked for.
    rank = idx.popularity_rank(ids)
    order = np.lexsort((-rank if ranking == "deep cuts" else rank, ~in_small, -shared))
    # Enough candidates for versions and the per-artist cap to be applied, not all of them.
    head = [int(t) for t in ids[order[: 8 * limit + 4 * len(seeds) + 20]]]
    found = idx.tracks(head)
    songs = one_version_each((found[t] for t in head if t in found), exclude=[*seeds, *shown])
    if shown:
        picked = complete_page(shown, songs, limit, artists_of=artists_on_page)
    else:
        pages = paginate(songs, limit, artists_of=artists_on_page)
        picked = [t for page in pages for t in page][:limit]
    return picked, _playlists_label(idx, chosen, len(holding), len(seeds), also=bool(shown))


def _playlists_label(
    idx: SongIndex, chosen: list[int], total: int, n_seeds: int, *, also: bool = False
) -> str:
    """ "From the playlist “Summer 2015”", "From the 2 playlists with this song", …;
    "Also from …" under a list of recommendations."""
    with_them = "this song" if n_seeds == 1 else "these songs"
    start = "Also from" if also else "From"
    if total == 1:
        name = " ".join(str(idx.playlist_names(chosen).get(chosen[0], "")).split())
        if name:
            short = name if len(name) <= 80 else name[:79] + "…"
            return f"{start} the playlist “{short}”"
        return f"{start} the one playlist with {with_them}"
    if len(chosen) < total:
        return f"{start} {len(chosen)} of the {total:,} playlists with {with_them}"
    return f"{start} the {total:,} playlists with {with_them}"


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _replace(answer: Answer, **changes: object) -> Answer:
    from dataclasses import replace

    return replace(answer, **changes)
