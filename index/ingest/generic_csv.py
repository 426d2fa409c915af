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
columns. Standard CSV quoting. A row with too few fields, an empty track name, an empty
playlist, or a line that is not UTF-8 is malformed; an empty artist is kept as ``""``.
Only ``spotify:track:`` URIs are kept (local files and episodes have none).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from index.corpus import DatasetError
from index.ingest.files import count_not_utf8, follow, make_progress, open_bytes, text_lines
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


def sniff_header(first_line: str) -> tuple[str, dict[str, int]] | None:
    """The delimiter and column map that make ``first_line`` a usable header, if any."""
    for delim in DELIMITERS:
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


def looks_like_csv(first_line: str) -> bool:
    return sniff_header(first_line) is not None


def read_csv(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed a generic playlist CSV (plain or .gz) to ``builder``."""
    with open_bytes(path) as (stream, done, total):
        first = stream.readline().decode("utf-8", errors="replace").removeprefix("\ufeff")
        sniffed = sniff_header(first.rstrip("\r\n"))
        if sniffed is None:
            raise DatasetError(_no_header(path, first))
        delim, cols = sniffed
        bar = make_progress(total, f"reading {path.name}", progress)
        tick = follow(bar, done)

        bad_lines: set[int] = set()

        def on_bad(line_no: int, shown: str) -> None:
            bad_lines.add(line_no + 1)  # +1: the header line was read before
            count_not_utf8(builder, line_no + 1, shown)

        lines = text_lines(stream, on_bad, tick)
        seen = [""]  # the line the csv module read last, to show when it refuses one

        def remembered() -> Iterator[str]:
            for line in lines:
                seen[0] = line
                yield line

        reader = csv.reader(remembered(), delimiter=delim)
        _read_rows(builder, reader, cols, bad_lines, seen)
        tick()
        bar.close()


def _read_rows(
    builder: CorpusBuilder, reader, cols: dict[str, int], bad_lines: set[int], seen: list[str]
) -> None:
    p_col = cols.get("playlist")
    id_col = cols.get("playlist_id")
    user_col = cols.get("user")
    a_col, t_col, u_col = cols["artist"], cols["track"], cols.get("uri")
    need = max(cols.values()) + 1
    end_line = 1  # the header is line 1; reader.line_num counts from line 2 on
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader skips the bad line and goes on at the next
            line_no, end_line = end_line + 1, reader.line_num + 1
            builder.malformed(line_no, seen[0].rstrip("\r\n"), _csv_problem(exc))
            continue
        line_no = end_line + 1  # first physical line of this record
        end_line = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line (or a non-UTF-8 line, already counted)
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
