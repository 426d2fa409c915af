"""One seed's stored neighbours in a ranking's order, and one page of them; similar artists.

The steps every neighbour answer shares (:mod:`index.read.recommend` builds ``similar``,
``mix`` and ``for_you`` from them): read a seed's stored rows, order them by the chosen
ranking (:mod:`index.read.ranking`), apply the presentation rules
(:mod:`index.read.present`), and cut one page. Similar artists come from the same stored
rows, summed per artist.
"""

from __future__ import annotations

import numpy as np

from index.model import Answer, ArtistScore, Recommendation, Track
from index.names import share_an_artist
from index.read import ranking as rk
from index.read.exclude import NO_EXCLUSIONS, ExclusionRule
from index.read.present import MAX_PER_ARTIST, artists_on_page, paginate, presentable
from index.read.tables import IndexFile

SIMILAR_ARTIST_TRACKS = 30  # an artist's best-known songs whose neighbours are aggregated


def ranked_neighbours(idx: IndexFile, seed: Track, ranking: str) -> list[Recommendation]:
    """One seed's stored neighbours in ``ranking``'s order."""
    rows = idx.neighbour_rows(seed.track_id)
    return ranked(seed, rows, idx.tracks(r[0] for r in rows), ranking)


def ranked(
    seed: Track,
    rows: list[tuple[int, float, int]],
    found: dict[int, Track],
    ranking: str,
    *,
    with_lead: bool = True,
) -> list[Recommendation]:
    """Stored rows (neighbour, jaccard, shared) of ``seed`` in ``ranking``'s order
    (:func:`index.read.ranking.order`, the order the holdout report measures; a mix's
    lists go ``with_lead=False``)."""
    rows = [r for r in rows if r[0] in found]
    shared = np.array([s for _, _, s in rows], dtype=np.int64)
    pops = np.array([found[n].playlists for n, _, _ in rows], dtype=np.int64)
    ids = np.array([n for n, _, _ in rows], dtype=np.int64)
    same = np.array([share_an_artist(seed.artist, found[n].artist) for n, _, _ in rows], bool)
    scores = rk.pair_scores(ranking, shared, seed.playlists, pops, same, with_lead=with_lead)
    return [
        Recommendation(found[int(ids[i])], rows[i][1], int(shared[i]), float(scores[i]))
        for i in rk.order(
            ranking, shared, seed.playlists, pops, ids, same, with_lead=with_lead
        ).tolist()
    ]


def answer_page(
    recs: list[Recommendation],  # in ranked order
    seeds: list[Track],
    limit: int,
    offset: int,
    ranking: str,
    more_of_artist: bool,
    rule: ExclusionRule = NO_EXCLUSIONS,
) -> Answer:
    """The page at ``offset`` of ``recs`` as shown: seeds' versions and repeated versions
    dropped, then what ``rule`` excludes (before paging, so pages stay full), at most
    :data:`MAX_PER_ARTIST` songs an artist unless ``more_of_artist``."""
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0.")
    presented = presentable(recs, seeds)
    shown = rule.keep(presented, lambda r: r.track)
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
        excluded=len(presented) - len(shown),
    )


def similar_artists(idx: IndexFile, artist_id: int, *, limit: int = 10) -> list[ArtistScore]:
    """Artists ranked by the summed Jaccard of neighbours of this artist's best-known songs."""
    idx.artist(artist_id)  # UnknownIdError for an unknown id
    top = idx.query(
        "SELECT track_id FROM tracks WHERE artist_id = ? ORDER BY playlists DESC LIMIT ?",
        (int(artist_id), SIMILAR_ARTIST_TRACKS),
    )
    if not top:
        return []
    marks = ",".join("?" * len(top))
    # The Jaccard top k only (index.schema): the extras and artist rows are candidates for
    # the song rankings, not part of the similarity summed here.
    top_k = idx.stats.k or 2**31 - 1
    rows = idx.query(
        f"SELECT t.artist_id, sum(n.jaccard) AS score FROM neighbours n "
        f"JOIN tracks t ON t.track_id = n.neighbour_id "
        f"WHERE n.track_id IN ({marks}) AND n.rank <= ? AND n.shared >= ? "
        f"AND t.artist_id != ? GROUP BY t.artist_id ORDER BY score DESC, t.artist_id LIMIT ?",
        [r[0] for r in top] + [top_k, idx.stats.min_shared, int(artist_id), int(limit)],
    )
    artists = idx.artists(r[0] for r in rows)
    return [ArtistScore(artists[a], score) for a, score in rows if a in artists]
