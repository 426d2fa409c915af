"""Whether a build may write its index where it was told to, checked before anything is read.

A build replaces its output file, so a slip in ``-o`` (the dataset's own path, a notes
file) would destroy a file that is not an index. Replacing an index (an SQLite file with
songsim's ``meta`` table) or an empty file loses nothing a rebuild cannot make again; any
other existing file is refused unless the caller forces it.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from index.schema import SQLITE_MAGIC


class OutputRefused(ValueError):
    """The output path holds something a build must not replace; the message says what."""


def check_output(out: str | Path, inputs: Sequence[str | Path], *, force: bool = False) -> None:
    """Raise :class:`OutputRefused` when writing an index at ``out`` would destroy data.

    Refused: an empty path, a device, pipe or socket (even with ``force``: renaming the
    index onto ``/dev/null`` replaces the device), one of the ``inputs`` themselves
    (compared as resolved paths; a folder input holding ``out`` is fine), and an existing
    file that is not a songsim index. ``force`` allows the last two: the dataset is read in full before the index is
    renamed into place, so even its own path works when the caller means it.
    """
    if not str(out).strip():
        raise OutputRefused("the output path is empty; name the index file, e.g. -o index.sqlite.")
    path = Path(out)
    if _is_special(path):
        raise OutputRefused(
            f"{path} is a device, pipe or socket, not a file; a build replaces its output "
            "by renaming a new file onto it, so name an index file (e.g. -o index.sqlite)."
        )
    if force:
        return
    target = path.resolve()
    if any(Path(p).resolve() == target for p in inputs):
        raise OutputRefused(
            f"{path} is one of the datasets being read; writing the index there would "
            f"replace it. Name another file (e.g. -o {_suggested(path)}), or pass --force "
            "to replace it anyway."
        )
    what = _not_an_index(path)
    if what:
        raise OutputRefused(
            f"{path} exists and is not a songsim index ({what}); a build would replace it. "
            "Name another file with -o, or pass --force to replace it anyway."
        )


def _is_special(path: Path) -> bool:
    """Whether ``path`` (followed if a link) exists and is neither a file nor a folder:
    ``-o /dev/null`` would otherwise be renamed over, even with ``--force``."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _suggested(path: Path) -> Path:
    return (
        path.with_suffix(".sqlite")
        if path.suffix != ".sqlite"
        else path.with_name(path.stem + "-index.sqlite")
    )


def _not_an_index(path: Path) -> str | None:
    """Why the existing file at ``path`` is not an index (``None``: absent, empty, a
    folder, which the writer reports itself, or an index)."""
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return f"it cannot be read to check: {exc.strerror or exc}"
    if not head:
        return None  # an empty file holds nothing to lose
    if head != SQLITE_MAGIC:
        return "not an SQLite file"
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"an SQLite file that cannot be read: {exc}"
    return None if "meta" in tables else "an SQLite database without songsim's meta table"
