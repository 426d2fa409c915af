"""The read API's answers: plain frozen dataclasses, no Discord types, ready for display.

Ids are the index file's 1-based ``track_id`` / ``artist_id``. The library writes no
sentences for people: where an answer needs words (a fallback list's label, a hint about
what was typed, a listening session's name) it says what they are about as data
(:class:`FallbackLabel`, :class:`Hint`, :class:`PlaylistRef`), and the application writes
them in its reader's language (the bot: :mod:`bot.i18n.labels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


@dataclass(frozen=True)
class Artist:
    artist_id: int
    name: str
    playlists: int  # distinct playlists holding at least one of the artist's tracks


@dataclass(frozen=True)
class Track:
    track_id: int
    artist_id: int
    artist: str
    title: str
    playlists: int
    spotify_uri: str | None = None

    @property
    def label(self) -> str:
        """ "Artist - Title", how people write a song."""
        return f"{self.artist} - {self.title}"


@dataclass(frozen=True)
class Recommendation:
    track: Track
    jaccard: float  # exact Jaccard of the two playlist sets (summed over seeds for a mix)
    shared: int  # playlists holding both songs (summed over seeds for a mix)
    score: float  # the ranking's score (index.read.ranking; for a mix, the rank fusion's)
    # For a mix or /foryou: how many of the seeds list it among their neighbours, and the
    # one sharing most playlists with it (the seed "why" explains it with).
    near: int = 1
    via: int | None = None


@dataclass(frozen=True)
class PlaylistRef:
    """A playlist as a reply names it: by its stored name, or a listening session by its
    day (never by its listener: sessions are stored without one)."""

    name: str = ""  # whitespace folded; "" when none is stored (and for a session)
    day: date | None = None  # a listening session's day (UTC); None for a playlist


class FallbackKind(StrEnum):
    """Where a fallback list's songs come from."""

    PLAYLIST = "playlist"  # the one playlist holding the seeds (``playlist``, if named)
    PLAYLISTS = "playlists"  # ``read`` of the ``total`` playlists holding the seeds
    ARTISTS = "artists"  # the seeds' ``artists``' other songs
    SIMILAR_ARTISTS = "similar artists"  # songs by artists similar to ``artists``
    POPULAR = "popular"  # the index's best-known songs (nothing to start from)


@dataclass(frozen=True)
class FallbackLabel:
    """What a fallback list is, for its label: "From the playlist “Summer 2015”", "Also
    from the 3 playlists with these songs", "Other songs by Daft Punk", …"""

    kind: FallbackKind
    seeds: int = 1  # songs asked about ("this song" or "these songs")
    also: bool = False  # below a short page of recommendations ("Also from …")
    playlist: PlaylistRef | None = None  # PLAYLIST: the playlist, when it has a name
    read: int = 0  # PLAYLISTS: playlists the songs were read from
    total: int = 0  # PLAYLISTS: playlists holding the seeds
    artists: tuple[str, ...] = ()  # ARTISTS, SIMILAR_ARTISTS: the seeds' artists


class HintKind(StrEnum):
    """Why a text matched no song."""

    NO_WORDS = "no words"  # nothing to search for: say how to ask (``example``)
    NOT_BY_ARTIST = "not by artist"  # ``artist`` has no song called ``title``
    NO_MATCH = "no match"  # nothing is close to ``text``: how to ask (``example``)


@dataclass(frozen=True)
class Hint:
    """What to tell someone whose text matched no song."""

    kind: HintKind
    text: str = ""  # what was typed (whitespace folded, quotes removed)
    example: str = ""  # a real song of this index, written as a query
    artist: str = ""  # NOT_BY_ARTIST: the artist named
    title: str = ""  # NOT_BY_ARTIST: the title typed


@dataclass(frozen=True)
class Answer:
    """Neighbours of one song (or of several seeds, for a mix) in display order."""

    seed: Track | None
    items: list[Recommendation]
    total: int  # presentable recommendations across all pages
    has_more: bool
    rare: bool = False  # the seed is known but has no recommendations
    fallback: list[Track] = field(default_factory=list)  # shown instead when rare
    fallback_label: FallbackLabel | None = None  # what the fallback list is ("Other songs by …")
    # Where the fallback came from: "playlists" (songs sharing the seeds' playlists),
    # "artist" (the artists' other songs), "similar artists" or "popular"; None without one.
    fallback_source: str | None = None
    seeds: list[Track] = field(default_factory=list)  # every seed (one for ``similar``)
    offset: int = 0
    limit: int = 10
    ranking: str = "closest"
    # Recommendations the request's Exclusions hid (0 without any): lets a reply say
    # "5 songs hidden by your blocks", and tells an answer emptied by exclusions from a
    # rare song (``rare`` stays False when the seed has neighbours, all of them excluded).
    excluded: int = 0


@dataclass(frozen=True)
class Exclusions:
    """What a user asked not to see: every list an answer shows honours it (its pages, a
    short page's top-up, a rare song's fallback), before paging, so pages stay full.

    The default excludes nothing and leaves answers exactly as they were. Songs count as
    by an artist when their artist credit or their title ("feat. X", "(with X)") names
    that artist (:func:`index.read.exclude.credits`), so blocking "Rihanna" hides
    "Eminem, Rihanna - …" and "Eminem - Love the Way You Lie (feat. Rihanna)".
    """

    # No song by any seed's artist ("other artists only"; for a mix, any seed's).
    other_artists_only: bool = False
    # Blocked artists as people write them ("Beyoncé", "beyonce" and "BEYONCE" are one) or
    # their index.names.block_key; a block of several names ("Simon & Garfunkel") hides
    # songs crediting all of them.
    artist_names: frozenset[str] = frozenset()
    # Blocked artists by this index's ids (ids change when the index is rebuilt).
    artist_ids: frozenset[int] = frozenset()
    # Songs not to show (a user's likes): other versions of them are hidden too.
    track_ids: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable (a list of likes, a set of names) and stay hashable.
        object.__setattr__(self, "artist_names", frozenset(self.artist_names))
        object.__setattr__(self, "artist_ids", frozenset(int(a) for a in self.artist_ids))
        object.__setattr__(self, "track_ids", frozenset(int(t) for t in self.track_ids))

    def __bool__(self) -> bool:
        """Whether anything is excluded."""
        return bool(
            self.other_artists_only or self.artist_names or self.artist_ids or self.track_ids
        )


@dataclass(frozen=True)
class Resolution:
    """What a user's text refers to.

    ``match`` is set when one track is clearly meant; otherwise ``suggestions`` ranks the
    likely songs ("did you mean"), and ``hint`` explains when nothing is close. An
    artist-only query sets ``artist`` and lists its best-known tracks as suggestions.
    """

    query: str
    match: Track | None
    confidence: float  # 0..1; how sure the match (or best suggestion) is
    suggestions: list[Track] = field(default_factory=list)
    artist: Artist | None = None
    hint: Hint | None = None  # why nothing matched, and how to ask instead
    # A sentence the application puts in the hint's place (e.g. what a link said).
    message: str | None = None


@dataclass(frozen=True)
class ArtistScore:
    artist: Artist
    score: float  # summed Jaccard of track neighbours, higher is closer


@dataclass(frozen=True)
class Why:
    """Why two songs are neighbours: the playlists they share."""

    track: Track
    neighbour: Track
    shared: int
    jaccard: float
    examples: list[PlaylistRef]  # up to five shared playlists, when memberships are stored
    stored: bool  # the pair is in the neighbour table (else computed from memberships)


@dataclass(frozen=True)
class IndexStats:
    tracks: int
    artists: int
    playlists: int
    built_at: str
    source: str
    method: str
    has_memberships: bool
    neighbours: int  # stored (track, neighbour) rows (from ANALYZE statistics)
    k: int | None  # neighbours kept per track at build time
    schema_version: int
    path: str
    meta: dict[str, str] = field(default_factory=dict)  # every meta key, as stored
    min_shared: int = 1  # playlists a top-k neighbour shares with its track (index.schema)
