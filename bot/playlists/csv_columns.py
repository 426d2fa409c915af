"""Playlists as CSV: Exportify's Spotify export, and any CSV with title/artist/URI columns.

Columns are found by their header names (Exportify's "Track URI", "Track Name", "Artist
Name(s)"; TuneMyMusic's "Track name", "Artist name", "Spotify - id"; plain "Title",
"Artist"), with a comma, semicolon (European spreadsheets), tab or bar between them. Exportify
joins several artists with ", " and writes a comma inside a name as "\\,"; the first credited
artist is the one a playlist index knows, so a seed takes that one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from bot.playlists.seeds import (
    SPOTIFY_OTHER,
    URL,
    BadLine,
    Parsed,
    Seed,
    clean_name,
    clip_example,
    spotify_uri_in,
)

# Header names, folded to letters and digits, in order of preference.
_TITLE_COLUMNS = ("trackname", "title", "songtitle", "songname", "tracktitle", "song", "track")
_ARTIST_COLUMNS = ("artistnames", "artistname", "artist", "artists", "creator", "performer")
_URI_COLUMNS = (
    "trackuri", "spotifyuri", "spotifytrackuri", "uri", "spotifyurl", "spotifylink",
    "spotifytrackid", "spotifyid", "trackurl", "url", "link", "identifier",
)  # fmt: skip
_DELIMITERS = (",", ";", "\t", "|")
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")  # our own export's spreadsheet guard
_BARE_ID = re.compile(r"^[0-9A-Za-z]{22}$")


@dataclass(frozen=True)
class Columns:
    delimiter: str
    title: int | None
    artist: int | None
    uri: int | None
    exportify: bool  # Exportify's "Artist Name(s)": names joined by ", ", commas as "\,"


def find_columns(first_line: str) -> Columns | None:
    """The song columns of a CSV header line, or None when it is not a header we know."""
    best: Columns | None = None
    for delimiter in _DELIMITERS:
        try:
            names = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        keys = [re.sub(r"[^a-z0-9]", "", n.lower()) for n in names]

        def pick(options: tuple[str, ...], keys: list[str] = keys) -> int | None:
            return next((keys.index(o) for o in options if o in keys), None)

        title, artist, uri = pick(_TITLE_COLUMNS), pick(_ARTIST_COLUMNS), pick(_URI_COLUMNS)
        if title is None and artist is not None and "name" in keys:
            title = keys.index("name")  # "Name" is a title only beside an artist column
        if uri is None and (title is None or artist is None):
            continue
        # Exportify writes "Artist URI(s)" beside "Artist Name(s)"; songsim's export doesn't,
        # so its artist names, commas and all, are kept whole.
        exportify = {"trackuri", "artistnames", "artisturis"} <= set(keys)
        found = Columns(delimiter, title, artist, uri, exportify)
        score = sum(c is not None for c in (title, artist, uri))
        if best is None or score > sum(c is not None for c in (best.title, best.artist, best.uri)):
            best = found
    return best


def read_csv(text: str, columns: Columns) -> Parsed:
    """A CSV with a header row: Exportify's export, or any with title/artist/URI columns."""
    out = Parsed("Exportify CSV" if columns.exportify else "CSV")
    reader = csv.reader(io.StringIO(text), delimiter=columns.delimiter)
    header_seen = False
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            out.read += 1
            out.add(BadLine(start, clip_example(str(e)), "a broken CSV row"))
            if reader.line_num < start:
                break
            continue
        cells = [_FORMULA_GUARD.sub("", c.strip()) for c in row]
        if not any(cells):
            continue
        if not header_seen:
            header_seen = True
            continue
        out.read += 1
        out.add(_row_seed(start, cells, row, columns))
    return out


def _row_seed(line: int, cells: list[str], row: list[str], columns: Columns) -> Seed | BadLine:
    def cell(i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    title, artist, ref = clean_name(cell(columns.title)), cell(columns.artist), cell(columns.uri)
    if columns.exportify and artist:
        names = [a.replace("\\,", ",").strip() for a in re.split(r"(?<!\\),", artist)]
        artist = next((a for a in names if a), "")
    if _BARE_ID.match(ref):
        ref = "spotify:track:" + ref
    uri = spotify_uri_in(ref)
    link = "https://open.spotify.com/track/" + uri[14:] if uri else None
    if not uri and URL.match(ref) and not SPOTIFY_OTHER.match(ref):
        link = ref
    if ref.lower().startswith("spotify:local:"):
        # Exportify's local files: spotify:local:Artist:Album:Title:seconds, "+" for spaces.
        parts = [unquote_plus(p) for p in ref.split(":")[2:]]
        if len(parts) >= 3:
            artist, title = artist or parts[0], title or clean_name(parts[2])
    if title or uri or link:
        return Seed(line, artist=clean_name(artist) if title else None, title=title, link=link,
                    spotify_uri=uri)  # fmt: skip
    reason = "a row without a title or Spotify URI"
    return BadLine(line, clip_example(columns.delimiter.join(row)), reason)
