"""Read the Million Playlist Dataset: a folder of ``mpd.slice.*.json`` (or one slice).

Each slice is ``{"info": ..., "playlists": [{"pid", "name", "tracks": [{"artist_name",
"track_name", "track_uri", ...}]}]}``. A playlist is identified by its ``pid`` (names
repeat: thousands are called "chill"); a playlist without a name is shown as
"mpd playlist <pid>". A "row" is one entry of a ``tracks`` list, numbered from 1 across
the whole dataset in reading order (JSON has no useful line numbers); a malformed row's
report names its file, pid and position. Slices are read in order of their first pid, so
ids are stable. Each track keeps its most frequent ``spotify:track:`` URI.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from index.corpus import DatasetError
from index.ingest.files import file_size, make_progress, open_bytes
from index.ingest.rows import CorpusBuilder

log = logging.getLogger(__name__)
SLICE_RE = re.compile(r"mpd\.slice\.(\d+)-\d+\.json(\.gz)?$")


def slice_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (itself, or its ``data/`` subfolder) named as a slice,
    gzipped twins included, in pid order."""
    found = [p for p in folder.glob("mpd.slice.*.json*") if SLICE_RE.search(p.name)]
    if not found and (folder / "data").is_dir():
        found = [p for p in (folder / "data").glob("mpd.slice.*.json*") if SLICE_RE.search(p.name)]
    found.sort(key=lambda p: (int(SLICE_RE.search(p.name).group(1)), p.name))
    return found


def find_slices(folder: Path, *, warn: bool = False) -> list[Path]:
    """The MPD slices under ``folder`` to read, in pid order: a slice beside its own gzip
    (half-way through compressing the folder) once, plain (``warn``: saying so, as the
    read does; detection asks too, and one warning is enough)."""
    found = slice_files(folder)
    plain = {p.name for p in found if not p.name.endswith(".gz")}
    twins = [p for p in found if p.name.endswith(".gz") and p.name[:-3] in plain]
    if twins and warn:
        log.warning(
            "%s: %d slice(s) are there both plain and gzipped (%s); each is read once, plain.",
            folder, len(twins), twins[0].name,
        )  # fmt: skip
    return [p for p in found if p not in twins]


def looks_like_mpd(head: str) -> bool:
    """True when the text starts a JSON object with a "playlists" (or MPD "info") key."""
    start = head.lstrip()
    return start.startswith("{") and ('"playlists"' in head or '"info"' in start[:200])


def read_mpd(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed one MPD slice file, or every slice in a folder, to ``builder``."""
    files = find_slices(path, warn=True) if path.is_dir() else [path]
    if not files:
        raise DatasetError(f"No MPD slices (mpd.slice.*.json) in {path}.")
    builder.row_word = "row"
    total = sum(file_size(f) for f in files)
    bar = make_progress(total, f"reading {path.name}", progress)
    row = 0
    for file in files:
        with open_bytes(file) as (stream, _, size):
            data = stream.read()
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise DatasetError(
                f"{file} is not a readable MPD slice: {_json_problem(exc, data)}."
            ) from exc
        del data
        bar.update(size)
        playlists = doc.get("playlists") if isinstance(doc, dict) else None
        if not isinstance(playlists, list):
            raise DatasetError(f'{file} has no "playlists" list; is it an MPD slice?')
        for n, pl in enumerate(playlists, 1):
            row = _read_playlist(builder, file, n, pl, row)
    bar.close()


def _read_playlist(builder: CorpusBuilder, file: Path, n: int, pl: object, row: int) -> int:
    """Add one playlist's rows; returns the running row number."""
    tracks = pl.get("tracks") if isinstance(pl, dict) else None
    if not isinstance(tracks, list):
        row += 1
        where = f"{file.name}: playlist #{n}"
        builder.malformed(row, f"{where}: {json.dumps(pl)[:200]}", 'it has no "tracks" list')
        return row
    pid = pl.get("pid")
    if not (type(pid) is int or (isinstance(pid, str) and _encodable(pid))):
        # Missing, or not usable as an identity (a list, null, true == 1, lone surrogates):
        # its position is.
        pid = f"{file.name}#{n}"
    name = pl.get("name")
    if not isinstance(name, str) or not _encodable(name):
        name = f"mpd playlist {pid}"
    playlist = -1
    raw_get = builder.raw_ids.get
    uri_get = builder.uri_ids.get
    add_raw = builder.row_raw.append
    add_playlist = builder.row_playlist.append
    uri_raw, uri_val = builder.uri_raw.append, builder.uri_val.append
    for pos, t in enumerate(tracks):
        row += 1
        try:
            rid = raw_get((t["artist_name"], t["track_name"]))
        except (KeyError, TypeError):  # not an object, a name missing, or not hashable
            rid = None
        if rid is None or rid < 0:  # first sight, or a known-bad entry: check and report
            rid = _checked_raw_id(builder, row, file, pid, pos, t)
            if rid < 0:
                continue
        if playlist < 0:
            playlist = builder.playlist_id(pid, name)
        add_raw(rid)
        add_playlist(playlist)
        uri = t.get("track_uri")
        u = uri_get(uri) if type(uri) is str else -1
        if u is None:
            u = builder.uri_id(uri) if _encodable(uri) else -1
        if u >= 0:
            uri_raw(rid)
            uri_val(u)
    return row


def _checked_raw_id(
    builder: CorpusBuilder, row: int, file: Path, pid: object, pos: int, t: object
) -> int:
    """Raw id of a track entry not seen before, or -1 after reporting why it is unusable."""
    if not isinstance(t, dict):
        builder.malformed(row, _where(file, pid, pos, t), "it is not a JSON object")
        return -1
    artist, title = t.get("artist_name"), t.get("track_name")
    if artist is None:
        artist = ""
    if not isinstance(title, str) or not isinstance(artist, str):
        builder.malformed(row, _where(file, pid, pos, t), "its track_name is missing")
        return -1
    if not _encodable(artist + title):
        why = "its names hold a lone UTF-16 surrogate (\\ud800-\\udfff), not text"
        builder.malformed(row, _where(file, pid, pos, t), why)
        return -1
    rid = builder.raw_track_id(artist, title)
    if rid < 0:
        builder.malformed(row, _where(file, pid, pos, t), "its track_name is empty")
    return rid


def _where(file: Path, pid: object, pos: int, track: object) -> str:
    shown = json.dumps(track, ensure_ascii=False)
    if not _encodable(shown):  # lone surrogates cannot be printed: show them escaped
        shown = json.dumps(track)
    return f"{file.name}: pid {pid} track {pos}: {shown[:200]}"


def _encodable(text: str) -> bool:
    """False for a string holding lone surrogates (JSON ``"\\ud800"``), which no UTF-8 file
    or SQLite text can hold; anything else is text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_problem(exc: BaseException, data: bytes) -> str:
    """Why ``json.loads`` refused a slice, in words (with the place, when JSON says it)."""
    if isinstance(exc, RecursionError):
        return "its JSON nests arrays or objects too deeply to be a playlist list"
    if isinstance(exc, UnicodeDecodeError):
        return f"it is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        if not data.strip():
            return "it is empty"
        if exc.pos >= len(exc.doc.rstrip()):
            return (
                f"it ends in the middle of its JSON (line {exc.lineno}), as if cut short; "
                "download or unpack it again"
            )
        return f"its JSON is invalid at line {exc.lineno}, column {exc.colno} ({exc.msg})"
    return str(exc)
