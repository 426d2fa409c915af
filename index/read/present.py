"""Presentation rules shared by the bot and the CLI, so both show the same songs.

- Never show another version of the asked-for song (same artist, same title once version
  suffixes are removed, see :mod:`index.names`).
- Show one version of any neighbour: the first (closest) one.
- At most :data:`MAX_PER_ARTIST` songs crediting one artist per page ("Eminem, Rihanna"
  counts for both), unless the user asked for more of that artist; songs over the cap
  move to later pages, keeping their order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from index.model import Recommendation, Track
from index.names import artist_identity, base_title, credited_artists

MAX_PER_ARTIST = 3

T = TypeVar("T")


def song_key(track: Track) -> tuple[str, str]:
    """Tracks with the same key are versions of one song."""
    return artist_identity(track.artist), base_title(track.title)


def page_artists(artist: str, artist_id: int) -> frozenset[Hashable]:
    """What the page cap counts a song against: each artist its credit names, or its
    artist id when the credit names nobody."""
    return credited_artists(artist) or frozenset({artist_id})


def artists_on_page(track: Track) -> frozenset[Hashable]:
    """:func:`page_artists` of a track."""
    return page_artists(track.artist, track.artist_id)


def _take(counts: Counter[Hashable], artists: Iterable[Hashable], cap: int) -> bool:
    """Count an item against its ``artists`` if every one is under ``cap``; say whether."""
    artists = list(artists)
    if any(counts[a] >= cap for a in artists):
        return False
    counts.update(artists)
    return True


def one_version_each(
    tracks: Iterable[T], *, exclude: Iterable[T] = (), key: Callable[[Any], Hashable] = song_key
) -> list[T]:
    """The first track of each song, dropping versions of any track in ``exclude``.

    ``key`` names a track's song; the default reads a :class:`Track`, and the holdout
    evaluation passes a song id per track position so it applies the bot's rule to arrays.
    """
    seen = {key(t) for t in exclude}
    out = []
    for t in tracks:
        song = key(t)
        if song not in seen:
            seen.add(song)
            out.append(t)
    return out


def complete_page(
    shown: Sequence[T],
    more: Iterable[T],
    limit: int,
    *,
    artists_of: Callable[[T], Iterable[Hashable]],
    per_artist: int = MAX_PER_ARTIST,
) -> list[T]:
    """What of ``more`` fills a page that already shows ``shown``, up to ``limit`` in all.

    ``shown`` counts toward each artist's cap; songs over it come last, used only when
    nothing else is left, as :func:`paginate`'s short page is topped up.
    """
    counts = Counter(a for t in shown for a in artists_of(t))
    fits: list[T] = []
    over: list[T] = []
    for t in more:
        (fits if _take(counts, artists_of(t), per_artist) else over).append(t)
    return (fits + over)[: max(limit - len(shown), 0)]


def presentable(recs: Iterable[Recommendation], seeds: Sequence[Track]) -> list[Recommendation]:
    """Drop versions of the seeds and repeated versions of a neighbour (first one wins)."""
    seen = {song_key(s) for s in seeds}
    seed_ids = {s.track_id for s in seeds}
    out = []
    for r in recs:
        key = song_key(r.track)
        if key in seen or r.track.track_id in seed_ids:
            continue
        seen.add(key)
        out.append(r)
    return out


def paginate(
    items: Sequence[T],
    limit: int,
    *,
    artists_of: Callable[[T], Iterable[Hashable]],
    per_artist: int | None = MAX_PER_ARTIST,
    pages: int | None = None,
) -> list[list[T]]:
    """Split ``items`` into pages of ``limit`` with at most ``per_artist`` per artist a page
    (an item counts for each artist ``artists_of`` names: every one must be under the cap).

    Items over an artist's cap wait for the next page, in order; a page is short only when
    everything left is by artists already at their cap. ``per_artist=None`` lifts the cap.
    ``pages`` stops after that many (the first ones are the same): a reply shows one page
    of a list that can hold thousands of songs (``/foryou``).
    """
    if limit <= 0:
        raise ValueError("limit must be at least 1")
    if per_artist is None:
        end = len(items) if pages is None else min(len(items), pages * limit)
        return [list(items[i : i + limit]) for i in range(0, end, limit)]
    out: list[list[T]] = []
    queue = list(items)
    while queue and (pages is None or len(out) < pages):
        page: list[T] = []
        counts: Counter[Hashable] = Counter()
        waiting: list[T] = []
        for i, item in enumerate(queue):
            if len(page) == limit:  # the rest waits as it is (keeps long lists linear-ish)
                waiting.extend(queue[i:])
                break
            (page if _take(counts, artists_of(item), per_artist) else waiting).append(item)
        out.append(page)
        queue = waiting
    return out
