"""Is this Spotify result our song? Pure functions, no network, no state.

Track ids and links (a ``spotify:track:`` URI or an open.spotify.com URL), the search query
for one song, and the rules that accept a search result: its artist and title must match
ours (rapidfuzz on folded names, version suffixes such as "- Remastered 2011" ignored). A
wrong link is worse than none, so no acceptable result means no link.

Search results are Spotify's JSON track objects, read as mappings: they are Spotify's shape,
not ours, and only the few fields used here are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz

from index.names import artist_key, base_title, fold, strip_versions

MATCH_SCORE = 95.0  # rapidfuzz ratio (0-100) both artist and base title must reach
IMAGE_WIDTH = 300  # album art closest to this width suits an embed thumbnail

_SPOTIFY_ID = re.compile(
    r"^(?:spotify:track:|https?://open\.spotify\.com/(?:intl-\w+/)?track/)?([0-9A-Za-z]+)(?:\?.*)?$"
)

SpotifyItem = Mapping[str, Any]
"""One track object of Spotify's Web API JSON (``GET /tracks/{id}``, a search's items)."""


def spotify_track_id(uri: str | None) -> str | None:
    """The track id in a ``spotify:track:…`` URI or an open.spotify.com link, else None."""
    if not uri:
        return None
    m = _SPOTIFY_ID.match(uri.strip())
    if not m or not (uri.startswith("spotify:track:") or "open.spotify.com" in uri):
        return None
    return m.group(1)


def track_url(spotify_id: str) -> str:
    """The public "open in Spotify" link of a track id."""
    return f"https://open.spotify.com/track/{spotify_id}"


def search_query(artist: str, title: str) -> str:
    """A field-filtered Spotify search for one song, without the title's version suffix."""
    clean = str.maketrans({'"': " ", ":": " "})
    return f"track:{strip_versions(title).translate(clean)} artist:{artist.translate(clean)}"


def artist_matches(ours: str, theirs: Sequence[str]) -> bool:
    """True when our artist is one of Spotify's credited artists, or all of them together."""
    want = artist_key(ours)
    if not want or not theirs:
        return False
    forms = [artist_key(a) for a in theirs]
    if len(theirs) > 1:
        forms += [artist_key(" & ".join(theirs)), artist_key(", ".join(theirs))]
    return any(fuzz.ratio(want, f) >= MATCH_SCORE for f in forms if f)


def title_matches(ours: str, theirs: str) -> bool:
    """True when both titles name the same song once version suffixes are removed."""
    return fuzz.ratio(base_title(ours), base_title(theirs)) >= MATCH_SCORE


def pick_match(artist: str, title: str, items: Iterable[SpotifyItem]) -> SpotifyItem | None:
    """The search result that is our song, or None when no result is acceptable.

    Among acceptable results the one whose full title is closest to ours wins (so a live
    take is preferred for a live take), Spotify's order breaking ties.
    """
    best, best_score = None, -1.0
    want = fold(title)
    for item in items:
        if not item or not item.get("id"):
            continue
        names = [a.get("name") or "" for a in item.get("artists") or []]
        name = item.get("name") or ""
        if not (title_matches(title, name) and artist_matches(artist, names)):
            continue
        score = fuzz.ratio(want, fold(name))
        if score > best_score:
            best, best_score = item, score
    return best


def pick_image(item: SpotifyItem) -> str | None:
    """The album image closest to :data:`IMAGE_WIDTH` pixels wide, if the album has any."""
    images = [i for i in (item.get("album") or {}).get("images") or [] if i.get("url")]
    if not images:
        return None
    return min(images, key=lambda i: abs((i.get("width") or IMAGE_WIDTH) - IMAGE_WIDTH))["url"]
