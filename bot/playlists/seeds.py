"""What a playlist file's entries become: :class:`Seed` songs or :class:`BadLine` reports.

The rules every format shares live here: a Spotify track in a URI or link, "artist - title"
(split where the resolver splits it), list marks and track numbers, and the song a music
file's path names. A seed keeps what the file says: an artist and a title, a link (any
http(s) URL, for the link readers to resolve) and, when the file names a Spotify track, its
``spotify:track:ID`` URI, which an index built from the Million Playlist Dataset looks up
directly. The readers are in :mod:`bot.playlists.formats` and :mod:`bot.playlists.csv_columns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote


@dataclass(frozen=True)
class Seed:
    """One song named by a playlist file, as the file names it.

    ``line`` is where it starts: a line number for line-based formats, the track's position
    for XSPF and JSPF (see :attr:`Parsed.unit`).
    """

    line: int
    artist: str | None = None
    title: str | None = None
    link: str | None = None
    spotify_uri: str | None = None

    @property
    def query(self) -> str:
        """What to resolve: "artist - title", else the title, the link or the Spotify URI."""
        if self.artist and self.title:
            return f"{self.artist} - {self.title}"
        return self.title or self.link or self.spotify_uri or self.artist or ""


@dataclass(frozen=True)
class BadLine:
    """An entry that names no song: where it is, its text (cut short) and why."""

    line: int
    text: str
    reason: str


@dataclass
class Parsed:
    format: str  # what the user would call it: "Exportify CSV", "M3U", "XSPF", ...
    unit: str = "line"  # what BadLine.line and Seed.line count: "line" or "track"
    seeds: list[Seed] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    read: int = 0  # entries looked at: non-blank lines, CSV rows or tracks

    def add(self, item: Seed | BadLine) -> None:
        (self.seeds if isinstance(item, Seed) else self.bad).append(item)


class FileProblem(Exception):
    """The file as a whole cannot be read; ``str(exc)`` is the sentence to show."""


EXAMPLE_MAX = 80  # characters of a bad line kept to show the user

_SPOTIFY_TRACK = re.compile(
    r"(?:spotify:track:|https?://open\.spotify\.com/(?:intl-[a-z]{2,3}(?:-[a-z]{2,4})?/|embed/)?"
    r"track/)([0-9A-Za-z]{22})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
SPOTIFY_OTHER = re.compile(
    r"^(?:spotify:|https?://open\.spotify\.com/(?:intl-[\w-]+/)?)"
    r"(playlist|album|artist|show|episode|user|collection)\b",
    re.IGNORECASE,
)
URL = re.compile(r"^https?://[^\s<>]+$", re.IGNORECASE)
# The separators people put between artist and title (the resolver splits on the same).
_DASH = re.compile(r"\s+[-–—~|:]+\s+|\s*[–—]\s*")
_LIST_MARK = re.compile(r"^(?:\d{1,4}[.)]\s+|[-*•·]\s+)")
_NUMBERED = re.compile(r"^(?:\d{1,2}[-.])?\d{1,3}\s*[-.)_]\s*(?=\S)")  # "01 - ", "1-01. "
_NUMBER_SPACE = re.compile(r"^\d{1,3}\s+(?=\S)")  # "01 Title", but not "50 Cent - Title"
_AUDIO_EXT = re.compile(r"\.[A-Za-z0-9]{2,5}$")
_QUOTES = "\"'“”‘’«»"


def clip_example(text: str) -> str:
    """A bad line as shown back to the user: one line, at most :data:`EXAMPLE_MAX` chars."""
    s = " ".join(text.split())
    return s if len(s) <= EXAMPLE_MAX else s[: EXAMPLE_MAX - 1] + "…"


def spotify_uri_in(text: str | None) -> str | None:
    """The ``spotify:track:ID`` a URI or open.spotify.com link names, else None."""
    m = _SPOTIFY_TRACK.search(text or "")
    return f"spotify:track:{m.group(1)}" if m else None


def clean_name(text: str | None) -> str | None:
    """A name with its whitespace collapsed and wrapping quotes removed; None when empty."""
    s = " ".join((text or "").split())
    if len(s) > 1 and s[0] in _QUOTES and s[-1] in _QUOTES:
        s = s[1:-1].strip()
    return s or None


def split_song(text: str) -> tuple[str, str] | None:
    """("artist", "title") of "artist - title" (or "artist<TAB>title<TAB>…"), else None."""
    if "\t" in text.strip():
        parts = [p for p in text.split("\t") if p.strip()]
    else:
        parts = _DASH.split(text, maxsplit=1)
    if len(parts) < 2:
        return None
    artist, title = clean_name(parts[0]), clean_name(parts[1])
    return (artist, title) if artist and title else None


def seed_from_link(text: str, line: int) -> Seed | BadLine | None:
    """A seed for a song link or Spotify URI, a BadLine for a Spotify non-song link, else None."""
    s = text.strip().strip("<>").strip()
    if uri := spotify_uri_in(s):
        return Seed(line, link="https://open.spotify.com/track/" + uri[14:], spotify_uri=uri)
    if m := SPOTIFY_OTHER.match(s):
        what = m.group(1).lower()
        return BadLine(line, clip_example(text), f"a Spotify {what} link, not a song")
    if URL.match(s):
        return Seed(line, link=s)
    return None


def seed_from_text(text: str, line: int) -> Seed | BadLine:
    """One line of a text playlist: a link, a Spotify URI or "artist - title"."""
    s = _LIST_MARK.sub("", text.strip(), count=1).strip()
    found = seed_from_link(s, line)
    if found is not None:
        return found
    if song := split_song(s):
        return Seed(line, artist=song[0], title=song[1])
    return BadLine(line, clip_example(text), "no “artist - title” or link")


def song_from_path(location: str) -> tuple[str | None, str | None]:
    """(artist, title) guessed from a file path: "…/Artist - Title.mp3", or the usual
    "Artist/Album/01 Title.mp3" layout; (None, None) when the path says nothing usable."""
    path = unquote(location[7:]) if location.lower().startswith("file://") else location
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if not parts:
        return None, None
    stem = _AUDIO_EXT.sub("", parts[-1])
    bare = _strip_track_number(stem)
    if song := split_song(bare):
        return song
    if bare == stem:  # no track number: not a file from an Artist/Album/ folder
        return None, None
    if len(parts) >= 3 and not parts[-3].endswith(":"):
        return clean_name(parts[-3]), clean_name(bare)
    return None, clean_name(bare)


def _strip_track_number(stem: str) -> str:
    """A file name without its leading track number; a band named for a number keeps it
    ("01 - One More Time" loses "01", "311 - Amber" and "50 Cent - In Da Club" do not)."""
    if m := _NUMBERED.match(stem):
        rest, number = stem[m.end() :], m.group().strip(" -._)")
        if split_song(rest) or split_song(stem) is None or number[0] == "0" or len(number) <= 2:
            return rest
        return stem
    m = _NUMBER_SPACE.match(stem)
    if m and (stem.startswith("0") or split_song(stem) is None):
        return stem[m.end() :]
    return stem


def seed_from_location(location: str, line: int) -> Seed | BadLine:
    """An M3U entry's path or URL: a song link, else the song its file name names."""
    found = seed_from_link(location, line)
    if found is not None:
        return found
    artist, title = song_from_path(location)
    if artist and title:
        return Seed(line, artist=artist, title=title)
    return BadLine(line, clip_example(location), "a file name without “artist - title”")
