"""The read API the bot and the CLI call: :class:`SongIndex`.

A :class:`SongIndex` is an :class:`~index.read.tables.IndexFile` (the opened file and its
rows) that also answers questions: what song some text means, what to autocomplete, a
song's neighbours, a mix, recommendations from likes, and why two songs are related. Each
answer is made by the module for that question (:mod:`index.read.resolve`,
:mod:`index.read.autocomplete`, :mod:`index.read.recommend`, :mod:`index.read.explain`),
which reads rows through the :class:`~index.read.tables.IndexFile` it is given and never
imports this module, so the answer modules and the API do not depend on each other both
ways.
"""

from __future__ import annotations

from index.model import Answer, ArtistScore, Exclusions, Resolution, Track, Why
from index.read import explain, neighbours, recommend
from index.read.autocomplete import complete_prefix
from index.read.connect import IndexOpenError
from index.read.resolve import resolve_query
from index.read.tables import IndexFile, UnknownIdError

__all__ = ["IndexOpenError", "SongIndex", "UnknownIdError"]


class SongIndex(IndexFile):
    """A read-only index file with the read API. Create with :meth:`SongIndex.open`.

    A subclass rather than a wrapper: callers hold one object and use both its answers
    and its rows (``idx.track``, ``idx.query``, ``idx.stats``), with no forwarding layer.
    """

    def resolve(self, text: str) -> Resolution:
        """What song (or artist) the user's text means; see :class:`Resolution`."""
        return resolve_query(self, text)

    def autocomplete(self, prefix: str, *, limit: int = 25) -> list[Track]:
        """Songs for what the user has typed so far, best-known first (one version each)."""
        return complete_prefix(self, prefix, limit=limit)

    def similar(
        self,
        track_id: int,
        *,
        limit: int = 10,
        offset: int = 0,
        ranking: str = "closest",
        more_of_artist: bool = False,
        exclusions: Exclusions | None = None,
    ) -> Answer:
        """The song's neighbours, presented (see :mod:`index.read.present`) and paged;
        ``exclusions`` (blocked artists, other artists only, likes) are left out first."""
        return recommend.similar(
            self, track_id, limit=limit, offset=offset, ranking=ranking,
            more_of_artist=more_of_artist, exclusions=exclusions,
        )  # fmt: skip

    def similar_artists(self, artist_id: int, *, limit: int = 10) -> list[ArtistScore]:
        """Artists whose songs are most often neighbours of this artist's songs."""
        return neighbours.similar_artists(self, artist_id, limit=limit)

    def mix(
        self,
        track_ids: list[int],
        *,
        limit: int = 10,
        offset: int = 0,
        ranking: str = "closest",
        exclusions: Exclusions | None = None,
    ) -> Answer:
        """Songs close to all of 2–5 seeds (each seed's list fused by rank), seeds and their
        versions excluded, and ``exclusions`` ("other artists only": any seed's artists)."""
        return recommend.mix(
            self, track_ids, limit=limit, offset=offset, ranking=ranking, exclusions=exclusions
        )

    def for_you(
        self,
        track_ids: list[int],
        *,
        limit: int = 10,
        offset: int = 0,
        ranking: str = "closest",
        exclusions: Exclusions | None = None,
    ) -> Answer:
        """Recommendations from a user's liked songs, never returning a liked song, nor
        what ``exclusions`` leaves out (blocked artists)."""
        return recommend.for_you(
            self, track_ids, limit=limit, offset=offset, ranking=ranking, exclusions=exclusions
        )

    def why(self, track_id: int, neighbour_id: int) -> Why:
        """The playlists two songs share: count, Jaccard and up to five example names."""
        return explain.why(self, track_id, neighbour_id)
