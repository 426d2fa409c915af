"""Recognise versions of one song: remasters, live takes, edits and featured-artist credits.

The read path never recommends another version of the asked-for song, and shows one
version of any neighbour. Two tracks are the same song when their artists agree and their
titles agree once version suffixes are removed (see :func:`base_title`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.textfold import fold

# Words that mark a trailing " - ..." part or a "(...)"/"[...]" group as version information
# rather than part of the song's name ("Live Forever" keeps its "Live": only suffixes count).
_VERSION_WORDS = (
    r"remaster(?:ed)?|remastered|live|edit|edited|version|mix|remix|mixed|mono|stereo|acoustic|"
    r"demo|instrumental|single|radio|extended|bonus|deluxe|take|session|sessions|recorded|"
    r"re-?recorded|unplugged|anniversary|soundtrack|original|feat\.?|ft\.?|featuring|with|"
    r"from|explicit|clean|dub|vip|rework|reprise|interlude|outtake|alternate|alt\.?|"
    r"orchestral|piano|karaoke|cover|tribute|bbc|peel|mtv|spotify|recording|master|"
    r"\d{4}|\d{2}(?:th|st|nd|rd)"
)
_VERSION_WORD = re.compile(rf"(?<![\w'])(?:{_VERSION_WORDS})(?![\w'])", re.IGNORECASE)
_DASH_SUFFIX = re.compile(r"\s+[-–—]\s+(?P<tail>[^-–—]+)$")
_GROUP_SUFFIX = re.compile(r"\s*[(\[](?P<tail>[^()\[\]]*)[)\]]\s*$")
_GROUP_ANYWHERE = re.compile(
    r"\s*[(\[](?P<inner>\s*(?:feat\.?|ft\.?|featuring|with)\s[^()\[\]]*)[)\]]", re.IGNORECASE
)
_FEAT_TAIL = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)


def strip_versions(title: str) -> str:
    """The title without version suffixes, in its original spelling.

    "Yesterday - Remastered 2009" → "Yesterday"; "Halo (Live) [feat. X]" → "Halo";
    "(I Can't Get No) Satisfaction" and "Live Forever" are unchanged.
    """
    t = _GROUP_ANYWHERE.sub("", title).strip()
    while True:
        before = t
        m = _DASH_SUFFIX.search(t)
        if m and _VERSION_WORD.search(m.group("tail")) and m.start() > 0:
            t = t[: m.start()].rstrip()
        m = _GROUP_SUFFIX.search(t)
        if m and _VERSION_WORD.search(m.group("tail")) and m.start() > 0:
            t = t[: m.start()].rstrip()
        m = _FEAT_TAIL.search(t)
        if m and m.start() > 0:
            t = t[: m.start()].rstrip()
        if t == before or not t:
            break
    return t or title


@lru_cache(maxsize=65536)
def base_title(title: str) -> str:
    """The folded comparison form of a title without version suffixes.

    Suffixes removed include " - Remastered 2011", " - 2011 Remaster", " (Live)",
    " - Radio Edit", " - Single Version", " - Mono", " - Original Mix" and "(feat. ...)"
    / "[feat. ...]". The result is folded (see :func:`index.textfold.fold`), so
    "Don't Stop Me Now - Remastered 2011" → "dont stop me now".
    """
    folded = fold(strip_versions(title))
    return folded or fold(title)


@lru_cache(maxsize=65536)
def artist_key(artist: str) -> str:
    """Folded artist name without featured artists or a leading "the"."""
    a = _FEAT_TAIL.sub("", _GROUP_ANYWHERE.sub("", artist)).strip() or artist
    key = fold(a)
    return key[4:] if key.startswith("the ") and len(key) > 4 else key


_ARTIST_SPLIT = re.compile(
    r"\s*(?:,|&|/|;|\+|\s+(?:x|and|with|vs\.?|feat\.?|ft\.?|featuring)\s+)\s*", re.IGNORECASE
)


@lru_cache(maxsize=65536)
def credited_artists(artist: str) -> frozenset[str]:
    """Each artist a credit names, folded: "Daft Punk, Pharrell Williams" → {"daft punk",
    "pharrell williams"}; empty for an empty credit."""
    parts = {artist_key(p) for p in _ARTIST_SPLIT.split(artist) if p.strip()}
    parts.discard("")
    return frozenset(parts) if parts else frozenset({artist_key(artist)}) - {""}


@lru_cache(maxsize=65536)
def artist_identity(artist: str) -> str:
    """The artists credited, in a fixed order: "Warren G, Nate Dogg" = "Nate Dogg & Warren G"."""
    return " | ".join(sorted(credited_artists(artist))) or artist_key(artist)


def share_an_artist(artist_a: str, artist_b: str) -> bool:
    """True when two credits name a common artist: "Eminem" and "Eminem, Rihanna"."""
    return not credited_artists(artist_a).isdisjoint(credited_artists(artist_b))


def same_song(artist_a: str, title_a: str, artist_b: str, title_b: str) -> bool:
    """True when both tracks are versions of one song (same artists, same base title)."""
    if base_title(title_a) != base_title(title_b):
        return False
    return artist_identity(artist_a) == artist_identity(artist_b)
