"""The bot's first page, for arrays: what every holdout method is scored on.

A seed's "top k" is what the bot would show: one version of each song, none of the seed's
versions, at most :data:`~index.read.present.MAX_PER_ARTIST` songs per artist, topped up
from further down the list. :class:`Presentation` applies the rules of
:mod:`index.read.present` to arrays of track positions, so every row of the report
compares like for like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.corpus import Corpus
from index.names import artist_identity, base_title
from index.quality import baselines as bl
from index.read.present import MAX_PER_ARTIST, complete_page, one_version_each, paginate


def song_ids(corpus: Corpus) -> np.ndarray:
    """One id per track; tracks sharing an id are versions of one song (the bot's rule).

    Same key as :func:`index.read.present.song_key` (artist identity, title without version
    suffixes), computed once per track so the evaluation can apply it to arrays.
    """
    identity = [artist_identity(name) for name in corpus.artist_names]
    keys: dict[tuple[str, str], int] = {}
    out = np.empty(corpus.n_tracks, dtype=np.int64)
    artists = corpus.track_artist.tolist()
    for t, (a, title) in enumerate(zip(artists, corpus.track_titles, strict=True)):
        out[t] = keys.setdefault((identity[a], base_title(title)), len(keys))
    return out


@dataclass
class Presentation:
    """The bot's presentation rules (:mod:`index.read.present`) for arrays of track positions.

    ``per_artist=None`` lifts the artist cap (``--no-artist-cap``, what the bot does when
    a user asks for more of one artist); ``song=None`` skips the one-version rule.
    """

    credits: bl.ArtistCredits  # whom each track credits (for the artist cap)
    song: np.ndarray | None = None  # song id per track (:func:`song_ids`)
    per_artist: int | None = MAX_PER_ARTIST

    def first_page(
        self, candidates: np.ndarray, seeds: np.ndarray, k: int, *, fill: bool = False
    ) -> np.ndarray:
        """Each seed's first page of ``k`` from its ranked ``candidates`` (``-1`` pads).

        ``seeds`` is one track per row, or (``/foryou`` queries) a row of likes, all left out.

        ``fill`` tops a capped page up from later pages, as the bot's rare-song fallback
        does; a ranked answer's first page instead stays short when only capped artists
        are left.
        """
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        for i, s in enumerate(bl.seed_rows(seeds).tolist()):
            pages = self._pages(candidates[i], s, k)
            shown = [t for page in pages for t in page][:k] if fill else (pages or [[]])[0]
            out[i, : len(shown)] = shown
        return out

    def topped_up(
        self, candidates: np.ndarray, mates: np.ndarray, seeds: np.ndarray, k: int
    ) -> np.ndarray:
        """Each seed's first page, completed from ``mates`` when it is the only page and
        short, as :func:`index.read.recommend.playlist_mates` completes the bot's short list."""
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        for i, s in enumerate(bl.seed_rows(seeds).tolist()):
            pages = self._pages(candidates[i], s, k)
            shown = pages[0] if pages else []
            if len(pages) <= 1 and len(shown) < k:
                more = [t for t in mates[i].tolist() if t >= 0 and t not in s + shown]
                if self.song is not None:
                    more = one_version_each(more, exclude=s + shown, key=self.song.__getitem__)
                cap = k if self.per_artist is None else self.per_artist
                shown = shown + complete_page(
                    shown, more, k, artists_of=self.credits.on_page, per_artist=cap
                )
            out[i, : len(shown)] = shown
        return out

    def _pages(self, candidates: np.ndarray, seeds: list[int], k: int) -> list[list[int]]:
        row = [t for t in candidates.tolist() if t >= 0 and t not in seeds]
        if self.song is not None:
            row = one_version_each(row, exclude=seeds, key=self.song.__getitem__)
        return paginate(row, k, artists_of=self.credits.on_page, per_artist=self.per_artist)
