"""Read the Cornell Yes.com playlist set: ``train.txt`` + ``song_hash.txt`` in one folder.

``train.txt``: line 1 lists source song ids and line 2 appearance counts (both skipped);
from line 3 on, each line is one playlist of integer song ids separated by spaces.
``song_hash.txt``: ``id<TAB>title<TAB>artist`` with ``\\/`` standing for ``/``.

Given a folder, ``train.txt`` is read; given a file (``train.txt`` or ``test.txt``), that
file is read with the ``song_hash.txt`` beside it. Playlists have no names, so playlist
*n* (its 1-based position among the playlist lines) is named "yes playlist n". A "row"
is one song id on a playlist line; an id that is not a number or not in song_hash.txt is
a malformed row (reported with its line number), the other ids of that line are kept.
"""

from __future__ import annotations

from pathlib import Path

from index.corpus import DatasetError
from index.ingest.files import count_not_utf8, follow, make_progress, open_bytes, text_lines
from index.ingest.rows import CorpusBuilder

PLAYLIST_FILE = "train.txt"
SONG_FILE = "song_hash.txt"
HEADER_LINES = 2


def is_yes_folder(folder: Path) -> bool:
    return _find(folder, PLAYLIST_FILE) is not None and _find(folder, SONG_FILE) is not None


def looks_like_yes_file(path: Path, first_line: str) -> bool:
    """A playlist file (train.txt/test.txt) of integers with a song_hash.txt beside it."""
    tokens = first_line.split()
    return (
        path.name.removesuffix(".gz") in ("train.txt", "test.txt")
        and bool(tokens)
        and all(t.isdigit() for t in tokens[:50])
        and _find(path.parent, SONG_FILE) is not None
    )


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def read_song_hash(path: Path) -> dict[str, tuple[str, str]]:
    """Song id (as written) -> (artist, title), with ``\\/`` unescaped to ``/``."""
    songs: dict[str, tuple[str, str]] = {}
    with open_bytes(path) as (stream, _, _):
        for n, raw in enumerate(stream, 1):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                cut = "" if raw.endswith(b"\n") else " (the file ends there: is it cut short?)"
                raise DatasetError(
                    f"{path}: line {n} should be id<TAB>title<TAB>artist but is "
                    f"{line[:200]!r}{cut}; fix that line, or download the Yes.com set again."
                )
            sid, title, artist = parts
            songs[sid.strip()] = (artist.replace("\\/", "/"), title.replace("\\/", "/"))
    return songs


def read_yes(path: Path, builder: CorpusBuilder, *, progress: bool = True) -> None:
    """Feed a Yes.com folder (or one of its playlist files) to ``builder``."""
    folder = path if path.is_dir() else path.parent
    playlists_file = _find(folder, PLAYLIST_FILE) if path.is_dir() else path
    song_file = _find(folder, SONG_FILE)
    if playlists_file is None or song_file is None:
        where = f"{folder}" if path.is_dir() else f"{path}: the folder it is in"
        raise DatasetError(
            f"{where} is not a Yes.com playlist set: it needs {PLAYLIST_FILE} and {SONG_FILE}."
        )
    songs = read_song_hash(song_file)
    raw_of_song: dict[str, int] = {}
    with open_bytes(playlists_file) as (stream, done, total):
        bar = make_progress(total, f"reading {playlists_file.name}", progress)
        tick = follow(bar, done)

        def on_bad(line_no: int, shown: str) -> None:
            count_not_utf8(builder, line_no, shown)

        for line_no, line in enumerate(text_lines(stream, on_bad, tick), 1):
            if line_no <= HEADER_LINES:
                continue
            tokens = line.split()
            if not tokens:
                continue
            playlist = builder.playlist_id(line_no, f"yes playlist {line_no - HEADER_LINES}")
            for token in tokens:
                rid = raw_of_song.get(token)
                if rid is None:
                    song = songs.get(token)
                    if song is None:
                        why = f"song id {token!r} is not in {SONG_FILE}"
                        builder.malformed(line_no, f"{token} in: {line.strip()}", why)
                        continue
                    rid = raw_of_song[token] = builder.raw_track_id(*song)
                if rid < 0:
                    why = f"song {token} has no title in {SONG_FILE}"
                    builder.malformed(line_no, f"{token} in: {line.strip()}", why)
                    continue
                builder.add(rid, playlist)
        tick()
        bar.close()
