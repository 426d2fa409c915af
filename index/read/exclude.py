"""Exclusions made concrete for one answer: which songs a user asked not to see.

An :class:`~index.model.Exclusions` names what to leave out in the user's terms (blocked
artists, "other artists only", liked songs); :func:`exclusion_rule` turns it, for one
answer's seeds, into an :class:`ExclusionRule` that says of any track whether it may be
shown. The answer modules apply that one rule where each list is made, before paging:
:func:`index.read.neighbours.answer_page` for recommendations, and
:mod:`index.read.fallback` for a top-up or a rare song's fallback, which read further
candidates when exclusions thin them, so a page stays full while candidates remain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from index.model import Exclusions, Track
from index.names import credited_artists, featured_in_title, normalise_name
from index.read.present import song_key
from index.read.tables import IndexFile

T = TypeVar("T")


@lru_cache(maxsize=65536)
def _credits(artist: str, title: str) -> frozenset[str]:
    return credited_artists(artist) | featured_in_title(title)


def credits(track: Track) -> frozenset[str]:
    """Every artist a track credits, folded: its artist credit ("Eminem, Rihanna" names
    both) and the guests its title names ("… (feat. Rihanna)")."""
    return _credits(track.artist, track.title)


@dataclass(frozen=True)
class BlockedArtist:
    """One blocked name: the folded artists it credits, all of which a song must credit to
    be hidden; a name with no letters or digits ("!!!") is matched whole instead."""

    keys: frozenset[str]
    whole: str  # normalise_name of the name, used when ``keys`` is empty

    @classmethod
    def of(cls, name: str) -> BlockedArtist:
        """A name as people write it ("Beyoncé"), or its :func:`~index.names.block_key`."""
        if " | " in name:  # a block key of several artists ("garfunkel | simon")
            return cls(frozenset(k for k in name.split(" | ") if k), normalise_name(name))
        return cls(credited_artists(name), normalise_name(name))

    def hides(self, track: Track, credited: frozenset[str]) -> bool:
        if self.keys:
            return self.keys <= credited
        return bool(self.whole) and normalise_name(track.artist) == self.whole


@dataclass(frozen=True)
class ExclusionRule:
    """Whether each track may be shown in one answer (see :func:`exclusion_rule`)."""

    blocked: tuple[BlockedArtist, ...] = ()
    blocked_ids: frozenset[int] = frozenset()
    seed_artists: frozenset[str] = frozenset()  # credited by a seed ("other artists only")
    seed_artist_ids: frozenset[int] = frozenset()
    track_ids: frozenset[int] = frozenset()
    song_keys: frozenset[tuple[str, str]] = frozenset()  # versions of the excluded songs

    @property
    def active(self) -> bool:
        """Whether the rule can hide anything (else every list is left as it is)."""
        return bool(
            self.blocked
            or self.blocked_ids
            or self.seed_artists
            or self.seed_artist_ids
            or self.track_ids
            or self.song_keys
        )

    def allows(self, track: Track) -> bool:
        """Whether ``track`` may be shown."""
        if track.track_id in self.track_ids or track.artist_id in self.blocked_ids:
            return False
        if track.artist_id in self.seed_artist_ids:
            return False
        if self.song_keys and song_key(track) in self.song_keys:
            return False
        if not (self.blocked or self.seed_artists):
            return True
        credited = credits(track)
        if not self.seed_artists.isdisjoint(credited):
            return False
        return not any(b.hides(track, credited) for b in self.blocked)

    def keep(self, items: Iterable[T], track_of: Callable[[T], Track] | None = None) -> list[T]:
        """The items whose track (``track_of(item)``, the item itself by default) may be
        shown, in order."""
        items = list(items)
        if not self.active:
            return items
        if track_of is None:
            return [t for t in items if self.allows(t)]  # type: ignore[arg-type]
        return [t for t in items if self.allows(track_of(t))]


NO_EXCLUSIONS = ExclusionRule()


def exclusion_rule(
    idx: IndexFile, exclusions: Exclusions | None, seeds: Sequence[Track]
) -> ExclusionRule:
    """``exclusions`` for an answer to ``seeds``: blocked names folded, the seeds' artists
    when "other artists only" is asked, and the excluded songs looked up so their other
    versions are hidden too. No exclusions: :data:`NO_EXCLUSIONS`, which hides nothing."""
    if not exclusions:
        return NO_EXCLUSIONS
    seed_artists: frozenset[str] = frozenset()
    seed_artist_ids: frozenset[int] = frozenset()
    if exclusions.other_artists_only:
        seed_artists = frozenset(a for s in seeds for a in credits(s))
        seed_artist_ids = frozenset(s.artist_id for s in seeds)
    liked = idx.tracks(exclusions.track_ids).values() if exclusions.track_ids else ()
    names = sorted(n for n in exclusions.artist_names if n.strip())
    return ExclusionRule(
        blocked=tuple(dict.fromkeys(BlockedArtist.of(n) for n in names)),
        blocked_ids=exclusions.artist_ids,
        seed_artists=seed_artists,
        seed_artist_ids=seed_artist_ids,
        track_ids=exclusions.track_ids,
        song_keys=frozenset(song_key(t) for t in liked),
    )
