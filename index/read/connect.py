"""Open an index file read-only, once it is shown to be one this songsim can read.

Every way a file can be unusable (missing, a folder, not SQLite, truncated, another
schema version, tables missing, damaged) becomes one :class:`IndexOpenError` whose message
names the problem and the command that fixes it, so the bot and the CLI can print it as
is. Kept apart from :mod:`index.read.tables`, which reads the rows of a file opened here.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from urllib.parse import quote

from index.schema import MIN_READ_VERSION, SCHEMA_VERSION, SEARCH_TABLES, SQLITE_MAGIC

REQUIRED_TABLES = ("meta", "artists", "tracks", "neighbours", *SEARCH_TABLES)
INDEX_SUFFIXES = (".sqlite", ".sqlite3", ".db")
"""Names of files meant as an index: never suggested as a dataset to build from."""


class IndexOpenError(Exception):
    """The index cannot be used; the message names the problem and the command that fixes it."""


def build_hint(path: Path) -> str:
    """The command that builds an index at ``path``, for the end of an error message."""
    return f"`songsim index build DATASET -o {path}` (or `songsim index demo` for the demo index)"


def new_file_hint() -> str:
    """The build command for a path that holds some other file, which a build would keep."""
    return "`songsim index build DATASET -o PATH` (PATH a new file; this one is kept)"


def damaged(path: Path, exc: sqlite3.DatabaseError) -> IndexOpenError:
    """The error for a query that failed on a file that opened fine."""
    return IndexOpenError(f"{path} is damaged ({exc}) — rebuild it with {build_hint(path)}.")


def unreadable(path: Path, exc: sqlite3.DatabaseError) -> IndexOpenError:
    """The error for a file SQLite cannot read while it is being opened."""
    return IndexOpenError(
        f"{path} is not a readable songsim index ({exc}) — rebuild it with {build_hint(path)}."
    )


def connect(path: Path) -> tuple[sqlite3.Connection, dict[str, str], set[str]]:
    """A read-only connection to ``path``, its meta table and its table names.

    Raises :class:`IndexOpenError` with a one-sentence fix when the file is not a songsim
    index of this schema version with every required table.
    """
    if not path.exists():
        raise IndexOpenError(f"No index at {path} — build one with {build_hint(path)}.")
    if path.is_dir():
        raise IndexOpenError(
            f"{path} is a folder, not an index file — point --index at the .sqlite file "
            f"or build one with {build_hint(path / 'neighbours.sqlite')}."
        )
    check_not_truncated(path)
    # immutable=1 skips locking: safe because builds write a temporary file and rename
    # it into place, so the inode we open is never modified. A leftover journal means
    # someone wrote to the file in place; then fall back to ordinary read-only mode.
    hot = any(Path(f"{path}{s}").exists() for s in ("-journal", "-wal"))
    uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("" if hot else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            raise IndexOpenError(
                f"{path} is not a songsim index (no meta table) — point --index at one, or "
                f"build one with {new_file_hint()}."
            )
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        check_version(path, meta)
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise IndexOpenError(
                f"{path} lacks the {', '.join(missing)} table(s) (an incomplete or older "
                f"build) — rebuild it with {build_hint(path)}."
            )
        return conn, meta, tables
    except sqlite3.DatabaseError as exc:
        raise unreadable(path, exc) from exc


def check_not_truncated(path: Path) -> None:
    """A file shorter than its SQLite header says was cut off (a copy or disk failure)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise IndexOpenError(
            f"Cannot read {path} ({exc.strerror}) — check its permissions."
        ) from exc
    if not header:  # nothing to lose: a build may write there
        raise IndexOpenError(
            f"{path} is empty, not a songsim index — build one with {build_hint(path)}."
        )
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        if path.suffix in INDEX_SUFFIXES:  # named as an index, so no dataset to build from
            raise IndexOpenError(
                f"{path} is not a songsim index (not an SQLite file) — point --index at one, "
                f"or build one with {new_file_hint()}."
            )
        # Often the dataset itself was passed: offer to index it, never to overwrite it.
        raise IndexOpenError(
            f"{path} is not a songsim index (not an SQLite file) — if it is a playlist "
            f"dataset, build an index from it with "
            f"`songsim index build {path} -o {path.with_suffix('.sqlite')}`."
        )
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages, valid_for = struct.unpack(">I", header[28:32])[0], header[92:96]
    if valid_for == header[24:28] and pages * page_size > path.stat().st_size:
        raise IndexOpenError(
            f"{path} is truncated ({path.stat().st_size} of {pages * page_size} bytes) — "
            f"rebuild it with {build_hint(path)}."
        )


def check_version(path: Path, meta: dict[str, str]) -> None:
    """Versions MIN_READ_VERSION..SCHEMA_VERSION are read; others say what to do."""
    version = meta.get("schema_version", "")
    if not version.isdigit():
        raise IndexOpenError(
            f"{path} is not a songsim index (no schema version) — build one with "
            f"{build_hint(path)}."
        )
    if int(version) > SCHEMA_VERSION:
        raise IndexOpenError(
            f"{path} was built by a newer songsim (schema v{version}; this one reads "
            f"v{SCHEMA_VERSION}) — upgrade songsim (`pip install -U songsim`) or rebuild it "
            f"with {build_hint(path)}."
        )
    if int(version) < MIN_READ_VERSION:
        raise IndexOpenError(
            f"{path} uses the old schema v{version} (this songsim reads v{SCHEMA_VERSION}) — "
            f"rebuild it with {build_hint(path)}."
        )
