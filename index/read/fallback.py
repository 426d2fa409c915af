"""The labelled fallback for a seed with too few neighbours: songs from its playlists.

A seed with no stored neighbours (too few playlists) is answered ``rare``, with a labelled
fallback: the songs of its playlists (:func:`playlist_mates`), else its artist's other
songs, else songs by similar artists. A seed with a few neighbours but not a page of them
gets its page topped up from its playlists, labelled likewise: held-out playlists show
those songs are hits more often than an empty slot (docs/QUALITY.md). A ``/foryou`` with
no known likes gets the index's best-known songs (:func:`popular_tracks`). Every list
honours the request's :class:`~index.read.exclude.ExclusionRule`, reading further
candidates when it thins them (:func:`first_songs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from index.model import Answer, FallbackKind, FallbackLabel, Track
from index.names import share_an_artist
from index.read import ranking as rk
from index.read.exclude import NO_EXCLUSIONS, ExclusionRule
from index.read.neighbours import similar_artists
from index.read.present import (
    artists_on_page,
    complete_page,
    one_version_each,
    paginate,
    song_key,
)
from index.read.tables import IndexFile

# Rare-song fallback bounds: playlists read (a seed without neighbours is in one or a few)
# and songs read per playlist (lowest ids first: a 47,000-song playlist is read in part).
FALLBACK_PLAYLISTS = 20
FALLBACK_MEMBERS = 5000
# When a seed's playlists hold more than MATES_COUNTED songs, those met in a playlist of
# fewer songs than this are read first, at the same shared count: "Liked Songs" says little
# about a song, a 6-song playlist a lot, and a library must not crowd the others out.
FALLBACK_BIG_PLAYLIST = 1000
# Playlist-mates read and ranked at most (a page needs a few dozen of them).
MATES_COUNTED = 400
# With exclusions, a fallback reads up to this many times its usual candidates before it
# settles for a short list (a user who blocked the seed's whole neighbourhood).
EXCLUDED_READS = 10


def with_fallback(
    idx: IndexFile,
    answer: Answer,
    seeds: list[Track],
    limit: int,
    rule: ExclusionRule = NO_EXCLUSIONS,
) -> Answer:
    """``answer`` itself when it fills its page; a short single page topped up from the
    seeds' playlists; no recommendations at all: marked rare, with a labelled fallback.
    Recommendations that exist but were all excluded are not rare: the page is empty and
    the fallback (honouring ``rule`` like every list here) stands in for it."""
    if answer.total or answer.excluded:
        short = answer.offset == 0 and not answer.has_more and len(answer.items) < limit
        if not short or not seeds:
            return answer
        if not answer.items:
            fallback, label, source = _fallback_for(idx, seeds, limit, answer.ranking, rule)
            return replace(answer, fallback=fallback, fallback_label=label, fallback_source=source)
        mates, label = playlist_mates(
            idx, seeds, limit, shown=[r.track for r in answer.items], ranking=answer.ranking,
            rule=rule,
        )  # fmt: skip
        if not mates:
            return answer
        return replace(answer, fallback=mates, fallback_label=label, fallback_source="playlists")
    if seeds:
        fallback, label, source = _fallback_for(idx, seeds, limit, answer.ranking, rule)
    else:  # for_you with no (known) likes
        fallback, label = popular_tracks(idx, limit, rule), FallbackLabel(FallbackKind.POPULAR)
        source = "popular"
    return replace(
        answer, rare=True, fallback=fallback, fallback_label=label, fallback_source=source
    )


def _fallback_for(
    idx: IndexFile,
    seeds: list[Track],
    limit: int,
    ranking: str = "closest",
    rule: ExclusionRule = NO_EXCLUSIONS,
) -> tuple[list[Track], FallbackLabel | None, str | None]:
    """Songs from the seeds' playlists, else their artists' other songs, else songs by
    similar artists: the list, its label and its source (see ``Answer.fallback_source``)."""
    mates, label = playlist_mates(idx, seeds, limit, ranking=ranking, rule=rule)
    if mates:
        return mates, label, "playlists"
    artists = list(dict.fromkeys(s.artist_id for s in seeds))

    def own_songs(extra: int) -> list[Track]:
        return [
            t for a in artists for t in idx.artist_top_tracks(a, limit=limit + len(seeds) + extra)
        ]

    def near_songs(extra: int) -> list[Track]:
        near = [
            s.artist.artist_id for a in artists for s in similar_artists(idx, a, limit=5 + extra)
        ]
        return [t for a in near for t in idx.artist_top_tracks(a, limit=3)]

    own = _kept(own_songs, limit, seeds, rule)
    names = tuple(s.artist for s in {s.artist_id: s for s in seeds}.values())
    if own:
        return own, FallbackLabel(FallbackKind.ARTISTS, len(seeds), artists=names), "artist"
    near = _kept(near_songs, limit, seeds, rule)
    if near:
        label = FallbackLabel(FallbackKind.SIMILAR_ARTISTS, len(seeds), artists=names)
        return near, label, "similar artists"
    return [], None, None


def _kept(
    read: Callable[[int], list[Track]], limit: int, seeds: list[Track], rule: ExclusionRule
) -> list[Track]:
    """Up to ``limit`` songs of ``read(0)``, one version each, none of the seeds' versions
    nor what ``rule`` hides; read again with room for more (``read(2 * limit)``) when the
    rule hid some and left the list short."""
    songs = one_version_each(read(0), exclude=seeds)
    kept = rule.keep(songs)
    if len(songs) > len(kept) and len(kept) < limit:
        kept = rule.keep(one_version_each(read(2 * limit), exclude=seeds))
    return kept[:limit]


def playlist_mates(
    idx: IndexFile,
    seeds: Sequence[Track],
    limit: int,
    *,
    shown: Sequence[Track] = (),
    ranking: str = "closest",
    rule: ExclusionRule = NO_EXCLUSIONS,
) -> tuple[list[Track], FallbackLabel | None]:
    """Songs from the seeds' playlists, in ``ranking``'s order (:func:`_ranked_mates`).

    The answer for a song too rare for stored neighbours: the playlists it is in are the
    only evidence there is. One version of each song, none of the seeds (or their
    versions), at most :data:`~index.read.present.MAX_PER_ARTIST` per artist unless that leaves the list short.
    With ``shown`` (a short page of recommendations above it), the list completes that page
    to ``limit``: none of those songs again, and they count toward the artist cap.
    Nothing ``rule`` excludes is listed; further candidates are read in its place.
    The work is bounded for huge playlists: at most :data:`FALLBACK_PLAYLISTS` playlists
    (those holding most seeds) and :data:`FALLBACK_MEMBERS` songs of each are read, so a
    reply costs a few milliseconds even when the seed is in a 47,000-song playlist.
    Returns ``([], None)`` when the index stores no memberships, or cannot list a
    playlist's songs quickly (a large index built before the playlist index existed).
    """
    if not seeds or not idx.can_list_playlists:
        return [], None
    of_track = idx.playlists_of(s.track_id for s in seeds)
    holding: dict[int, int] = {}
    for pids in of_track.values():
        for p in pids:
            holding[p] = holding.get(p, 0) + 1
    if not holding:
        return [], None
    chosen = sorted(holding, key=lambda p: (-holding[p], p))[:FALLBACK_PLAYLISTS]
    members = [m for m in idx.playlist_members(chosen, FALLBACK_MEMBERS) if len(m)]
    if not members:
        return [], None
    ids, shared = np.unique(np.concatenate(members), return_counts=True)
    small = [m for m in members if len(m) < FALLBACK_BIG_PLAYLIST]
    in_small = np.isin(ids, np.concatenate(small)) if small else np.zeros(len(ids), bool)
    keep = ~np.isin(ids, [t.track_id for t in (*seeds, *shown)])
    ids, shared, in_small = ids[keep], shared[keep], in_small[keep]
    ordered, found = _ranked_mates(
        idx, seeds, ids, shared, in_small, len(holding), ranking, shown=shown
    )
    # Enough candidates for versions and the per-artist cap to be applied, not all of them.
    want = 8 * limit + 4 * len(seeds) + 20
    songs = first_songs(idx, ordered, want, rule, exclude=[*seeds, *shown], known=found)
    if shown:
        picked = complete_page(shown, songs, limit, artists_of=artists_on_page)
    else:
        pages = paginate(songs, limit, artists_of=artists_on_page)
        picked = [t for page in pages for t in page][:limit]
    return picked, _playlists_label(idx, chosen, len(holding), len(seeds), also=bool(shown))


def _ranked_mates(
    idx: IndexFile,
    seeds: Sequence[Track],
    ids: np.ndarray,
    shared: np.ndarray,
    in_small: np.ndarray,
    seed_playlists: int,
    ranking: str,
    shown: Sequence[Track] = (),
) -> tuple[np.ndarray, dict[int, Track]]:
    """Playlist-mates ``ids`` in ``ranking``'s order, as if they were stored neighbours, and
    the tracks read to rank them (so listing them reads nothing again).

    ``shared`` counts the seeds' playlists holding each; the seeds' own count is the number
    of playlists holding any of them. Ranked by :func:`index.read.ranking.mates_order`:
    under "closest" and "popular" the :data:`~index.read.ranking.MATES_LEAD_SIZE` songs found
    with the seeds most often (the better known first), then by the same formula, artist
    weight and spread as a stored list, the songs most specific to its playlists first. The
    work is bounded: at most :data:`MATES_COUNTED` mates (most shared, then met in a small
    playlist, then least known: every ranking prefers them at equal evidence) are read and
    ranked, with the best known of the most shared for the lead. Versions of the seeds and
    of ``shown`` (a page above), never shown, are left out before ranking, so none takes a
    lead place.
    """
    rank = idx.popularity_rank(ids)
    first = np.lexsort((-rank, ~in_small, -shared))[:MATES_COUNTED]
    # and the best known of the most shared, which the lead may pick (rk.mates_order)
    first = np.union1d(first, _most_shared_best_known(shared, rank, rk.MATES_LEAD_SIZE))
    found = idx.tracks(ids[first].tolist())
    # Versions of the seeds (and of a page above) are never shown: they take no place here
    # (those by the same artist id: reading every mate's song key would cost a millisecond).
    hidden: dict[int, set[tuple[str, str]]] = {}
    for t in (*seeds, *shown):
        hidden.setdefault(t.artist_id, set()).add(song_key(t))

    def may_show(t: int) -> bool:
        track = found.get(t)
        if track is None:
            return False
        keys = hidden.get(track.artist_id)  # a song key only for the seeds' artists' songs
        return keys is None or song_key(track) not in keys

    keep = np.array([may_show(int(t)) for t in ids[first]], dtype=bool)
    ids, shared = ids[first[keep]], shared[first[keep]]
    tracks = [found[int(t)] for t in ids]
    sharing: dict[int, bool] = {}  # per artist: does it share one with a seed?
    same = np.array(
        [
            sharing.setdefault(t.artist_id, any(share_an_artist(s.artist, t.artist) for s in seeds))
            for t in tracks
        ],
        dtype=bool,
    )
    pops = np.array([t.playlists for t in tracks], dtype=np.int64)
    return ids[rk.mates_order(ranking, shared, seed_playlists, pops, ids, same)], found


def _most_shared_best_known(shared: np.ndarray, rank: np.ndarray, m: int) -> np.ndarray:
    """Positions of the ``m`` mates with most shared playlists, the best known (lowest
    popularity ``rank``) at equal count; in linear time, as a huge playlist has thousands."""
    if len(shared) <= m:
        return np.arange(len(shared))
    key = (shared.astype(np.int64) << 32) - rank.astype(np.int64)
    return np.argpartition(-key, m - 1)[:m]


def _playlists_label(
    idx: IndexFile, chosen: list[int], total: int, n_seeds: int, *, also: bool = False
) -> FallbackLabel:
    """The label of songs read from ``chosen`` of the ``total`` playlists holding the seeds
    ("From the playlist “Summer 2015”", "Also from 20 of the 1,234 playlists with …")."""
    if total == 1:
        ref = idx.playlist_refs(chosen).get(chosen[0])
        named = ref if ref is not None and (ref.name or ref.day) else None
        return FallbackLabel(FallbackKind.PLAYLIST, n_seeds, also, playlist=named)
    return FallbackLabel(FallbackKind.PLAYLISTS, n_seeds, also, read=len(chosen), total=total)


def popular_tracks(idx: IndexFile, limit: int, rule: ExclusionRule = NO_EXCLUSIONS) -> list[Track]:
    """The best-known songs of the whole index, one version each, none ``rule`` excludes."""
    return first_songs(idx, idx.rank_track, 4 * limit + 10, rule)[:limit]


def first_songs(
    idx: IndexFile,
    ordered_ids: np.ndarray,
    want: int,
    rule: ExclusionRule = NO_EXCLUSIONS,
    *,
    exclude: Sequence[Track] = (),
    known: Mapping[int, Track] | None = None,
) -> list[Track]:
    """One version each of the first ``want`` of ``ordered_ids`` (best first), none of
    ``exclude``'s versions. When ``rule`` hides some, the next ``want`` are read too, and
    so on (at most :data:`EXCLUDED_READS` times) until ``want`` songs remain: a fallback
    stays as full with exclusions as without while candidates last, and is unchanged by
    exclusions that hide none of it. ``known`` holds tracks already read (nothing is read
    then: ids not in it are skipped)."""
    read: list[Track] = []
    songs: list[Track] = []
    for start in range(0, len(ordered_ids), want):
        chunk = [int(t) for t in ordered_ids[start : start + want]]
        found = idx.tracks(chunk) if known is None else known
        read.extend(found[t] for t in chunk if t in found)
        each = one_version_each(read, exclude=exclude)
        songs = rule.keep(each)
        if len(songs) == len(each) or len(songs) >= want:
            break
        if start >= (EXCLUDED_READS - 1) * want:
            break
    return songs
