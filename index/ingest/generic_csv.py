"""Read a generic playlist CSV: one row per (playlist, artist, track[, uri]).

Columns are found from the header by loose name matching (case, spaces, ``_``, ``-`` and
quotes ignored), so ``playlist_name``, ``Playlist Name`` and ``"playlistname"`` all name
the playlist. Recognised names (after that folding):

* playlist name: ``playlist``, ``playlistname``, ``playlisttitle``
* playlist id (optional; identity when present, e.g. two playlists sharing a name):
  ``playlistid``, ``pid``, ``playlistpath``, ``playlisturi``
* owner (optional; a playlist is then (owner, playlist) as in the Zenodo file):
  ``userid``, ``user``, ``owner``, ``ownerid``, ``username``
* artist: ``artist``, ``artists``, ``artistname``, ``artistnames``
* track: ``track``, ``title``, ``trackname``, ``tracktitle``, ``song``, ``songname``, ``songtitle``
* URI (optional): ``uri``, ``trackuri``, ``spotifyuri``, ``spotifytrackuri``

The delimiter is the first of ``,``, tab, ``;``, ``|`` whose header names the needed
columns, or the one a ``sep=;`` line before the header names (Excel writes one to say
which it used). Standard CSV quoting; a quoted field may hold line breaks, but a quote left
open (its record runs on over lines that hold rows of their own) costs only its own line,
which is malformed, and the lines after it are read again as rows. A row with too few fields, an
empty track name, an empty playlist, NUL bytes, or a line that is not UTF-8 is malformed;
an empty artist is kept as ``""``.
Spotify track URIs are kept, as ``spotify:track:`` or as an ``open.spotify.com/track/`` link
(local files and episodes have none).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from index.corpus import DatasetError
from index.ingest.files import (
    NUL_WHY,
    count_not_utf8,
    follow,
    make_progress,
    open_bytes,
    text_lines,
)
from index.ingest.rows import CorpusBuilder

ALIASES: dict[str, tuple[str, ...]] = {
    "playlist": ("playlist", "playlistname", "playlisttitle"),
    "playlist_id": ("playlistid", "pid", "playlistpath", "playlisturi"),
    "user": ("userid", "user", "owner", "ownerid", "username"),
    "artist": ("artist", "artists", "artistname", "artistnames"),
    "track": ("track", "title", "trackname", "tracktitle", "song", "songname", "songtitle"),
    "uri": ("uri", "trackuri", "spotifyuri", "spotifytrackuri"),
}
DELIMITERS = (",", "\t", ";", "|")
EXCEL_SEP = re.compile(r"sep=(.)", re.IGNORECASE)  # Excel's line before the header

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def fold_header(name: str) -> str:
    """A header cell reduced to lowercase letters and digits, for loose matching."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def match_columns(header: list[str]) -> dict[str, int] | None:
    """Map roles (playlist, artist, track, ...) to column positions, or None if incomplete."""
    folded = [fold_header(h) for h in header]
    cols: dict[str, int] = {}
    for role, names in ALIASES.items():
        for name in names:  # aliases in order of preference
            if name in folded:
                cols[role] = folded.index(name)
                break
    if "artist" in cols and "track" in cols and ("playlist" in cols or "playlist_id" in cols):
        return cols
    return None


def excel_separator(line: str) -> str | None:
    """The delimiter a ``sep=;`` line names, if ``line`` is one."""
    found = EXCEL_SEP.fullmatch(line.removeprefix("\ufeff").rstrip("\r\n"))
    return found.group(1) if found else None


def sniff_header(
    first_line: str, delimiters: tuple[str, ...] = DELIMITERS
) -> tuple[str, dict[str, int]] | None:
    """The delimiter and column map that make ``first_line`` a usable header, if any."""
    for delim in delimiters:
        if delim not in first_line:
            continue
        try:
            header = next(csv.reader([first_line], delimiter=delim), [])
        except csv.Error:  # e.g. a bare carriage return inside the line: not this header
            continue
        cols = match_columns(header)
        if cols is not None:
            return delim, cols
    return None


def looks_like_csv(first_line: str, second_line: str = "") -> bool:
    """Whether a file starting with these (non-blank) lines is a playlist CSV."""
    sep = excel_separator(first_line)
    if sep is not None:
        return sniff_header(second_line, (sep,)) is not None
    return sniff_header(first_line) is not None


def read_csv(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed a generic playlist CSV (plain or .gz) to ``builder``."""
    with open_bytes(path) as (stream, done, total):
        first, header_no, delimiters = _header(stream)
        sniffed = sniff_header(first.rstrip("\r\n"), delimiters)
        if sniffed is None:
            raise DatasetError(_no_header(path, first))
        delim, cols = sniffed
        bar = make_progress(total, f"reading {path.name}", progress)
        tick = follow(bar, done)

        def on_bad(line_no: int, shown: str) -> None:
            count_not_utf8(builder, line_no + header_no, shown)  # the header was read before

        lines = _Lines(text_lines(stream, on_bad, tick), header_no + 1)
        reader = csv.reader(lines, delimiter=delim)
        _read_rows(builder, reader, cols, lines, delim)
        tick()
        bar.close()


def _header(stream) -> tuple[str, int, tuple[str, ...]]:
    """The header line, its line number and the delimiters it may use: blank lines before
    it are skipped, and an Excel ``sep=;`` line gives the one delimiter."""
    line_no, delimiters = 0, DELIMITERS
    while True:
        raw = stream.readline()
        line_no += 1
        line = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
        if raw and not line.strip():
            continue
        sep = excel_separator(line) if delimiters == DELIMITERS else None
        if sep is None:
            return line, line_no, delimiters
        delimiters = (sep,)


class _Lines:
    """The lines the csv module reads, with those of the record just read kept (to show a
    refused one, and to read them again when a quote was never closed)."""

    def __init__(self, lines: Iterator[str], first_no: int) -> None:
        self.lines = lines
        self.again: list[str] = []  # lines to read again, last first
        self.taken: list[str] = []  # the lines of the record being read
        self.next_no = first_no  # the line number of the next record's first line

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.again.pop() if self.again else next(self.lines)
        self.taken.append(line)
        return line

    def record(self) -> tuple[int, list[str]]:
        """The first line number and the lines of the record just read, the next begun."""
        no, taken = self.next_no, self.taken
        self.next_no += len(taken)
        self.taken = []
        return no, taken

    def read_again(self, taken: list[str]) -> None:
        """Read every line of ``taken`` but its first again, as records of their own."""
        self.again.extend(reversed(taken[1:]))
        self.next_no -= len(taken) - 1


def _read_rows(
    builder: CorpusBuilder, reader, cols: dict[str, int], lines: _Lines, delim: str
) -> None:
    p_col = cols.get("playlist")
    id_col = cols.get("playlist_id")
    user_col = cols.get("user")
    a_col, t_col, u_col = cols["artist"], cols["track"], cols.get("uri")
    need = max(cols.values()) + 1
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader skips the bad line and goes on at the next
            line_no, taken = lines.record()
            builder.malformed(line_no, taken[-1].rstrip("\r\n"), _csv_problem(exc))
            continue
        line_no, taken = lines.record()
        if len(taken) > 1 and _quote_not_closed(row, need, delim):
            # A stray opening quote runs on over the next lines (to the end of the file
            # when no other quote follows): count its line, read the rest as rows again.
            why = f'its quote (") is not closed, so it ran on over the next {len(taken) - 1:,} line(s)'
            builder.malformed(line_no, taken[0].rstrip("\r\n"), why)
            lines.read_again(taken)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line (or a non-UTF-8 line, already counted)
        if "\x00" in (taken[0] if len(taken) == 1 else "".join(taken)):
            builder.malformed(line_no, _shown(row), NUL_WHY)
            continue
        if len(row) < need:
            builder.malformed(line_no, _shown(row), f"it has {len(row)} fields, {need} needed")
            continue
        title = row[t_col]
        name = row[p_col] if p_col is not None else row[id_col]
        ident = row[id_col] if id_col is not None else name
        if not ident.strip():
            builder.malformed(line_no, _shown(row), "its playlist is empty")
            continue
        rid = builder.raw_track_id(row[a_col], title)
        if rid < 0:
            builder.malformed(line_no, _shown(row), "its track name is empty")
            continue
        key = (row[user_col], ident) if user_col is not None else ident
        pid = builder.playlist_id(key, name)
        builder.add(rid, pid, row[u_col] if u_col is not None else None)


def _quote_not_closed(row: list[str], need: int, delim: str) -> bool:
    """Whether a record over several lines is a quote left open rather than a quoted name
    with a line break in it: a line inside a field holds as many delimiters as a row."""
    return any(
        part.count(delim) >= need - 1
        for field in row
        if "\n" in field or "\r" in field
        for part in field.splitlines()[1:]
    )


def _shown(row: list[str]) -> str:
    return ",".join(row)


def _csv_problem(exc: csv.Error) -> str:
    """Why the csv module refused a line, in words a user can act on."""
    if "new-line character" in str(exc):
        return "a bare carriage return (\\r) splits it outside quotes"
    return f"it is not valid CSV ({exc})"


def _no_header(path: Path, first: str) -> str:
    """The sentence for a first line that is not a usable header."""
    if "\ufffd" in first:
        what = "its first line is not UTF-8 text"
    elif "\r" in first.rstrip("\r\n"):
        what = (
            "its lines end in bare carriage returns (\\r, old Mac style); convert them to "
            "newlines first, e.g. tr '\\r' '\\n'"
        )
    else:
        shown = first.strip()
        shown = shown[:200] + ("…" if len(shown) > 200 else "")
        what = (
            f"its header {shown!r} does not name a playlist, an artist and a track column "
            "(e.g. playlist,artist,track[,uri])"
        )
    return f"{path} cannot be read as a playlist CSV: {what}."
