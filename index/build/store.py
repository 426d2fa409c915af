"""Write an index to SQLite (schema :data:`~index.schema.SCHEMA_VERSION`), atomically: the
neighbour half here, the corpus half in :mod:`index.build.corpus_tables`.

The file is written under a temporary name beside the target and renamed into place only
when complete, so an interrupted or failed build never replaces a good index. Temporary
files left by a killed build (kill -9 cannot be caught) are swept by the next build.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from index.build.corpus_tables import connect_for_writing, write_corpus_tables
from index.build.neighbour_rows import insert_neighbour_rows
from index.corpus import Corpus, NeighbourTable
from index.schema import SCHEMA_VERSION

TMP_MARK = ".building-"
SPLIT_ROWS = 4_000_000  # from this many neighbour rows, a forked child writes half of them


def temp_path_for(out: Path) -> Path:
    """The temporary file a build of ``out`` writes to (same folder, so rename is atomic)."""
    return out.with_name(f".{out.name}{TMP_MARK}{os.getpid()}.tmp")


def sweep_stale_temp_files(out: Path) -> list[Path]:
    """Remove temporary files of earlier builds of ``out`` whose process is gone."""
    removed = []
    for p in out.parent.glob(f".{out.name}{TMP_MARK}*.tmp*"):
        pid_text = p.name.split(TMP_MARK, 1)[1].split(".tmp", 1)[0]
        if pid_text.isdigit() and _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            removed.append(p)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def index_file(out: Path) -> Path:
    """The file a build of ``out`` writes: ``out`` itself, or the file it links to, so a
    host's ``neighbours.sqlite -> indexes/2026-12.sqlite`` keeps its link."""
    out = Path(out)
    return Path(os.path.realpath(out)) if out.is_symlink() else out


def check_writable(out: Path) -> None:
    """Raise OSError now if the index file ``out`` could not be written at the end of a build.

    Run before the dataset is read, so a typo in ``-o`` fails in a second, not after an
    hour of ingest. Creates a file beside ``out`` (and the folders leading to it, which
    :func:`atomic_index_file` would create) and removes it again, folders included, so a
    build that then fails on its dataset leaves nothing behind. A link is checked where it
    points (:func:`index_file`), the folder the new file will be written in.
    """
    out = index_file(out)
    if out.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, f"it is a folder; name the index file, e.g. {out / 'index.sqlite'}"
        )
    missing = [d for d in (out.parent, *out.parent.parents) if not d.exists()]
    for d in (out.parent, *out.parent.parents):
        if d.exists() and not d.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, f"{d} is a file, not a folder")
        if d.exists():
            break
    probe = temp_path_for(out).with_name(temp_path_for(out).name + "-probe")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(probe, "xb"):
            pass
        probe.unlink()
    finally:
        for d in missing:  # deepest first; a folder that is not empty was not ours alone
            with contextlib.suppress(OSError):
                d.rmdir()


@contextlib.contextmanager
def atomic_index_file(out: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``out``; rename it to ``out`` on success.

    Any exception (including KeyboardInterrupt) removes the temporary file and leaves
    ``out`` as it was. An ``out`` that is a symbolic link keeps it: the file it points to
    is the one replaced (:func:`index_file`).
    """
    out = index_file(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temp_files(out)
    tmp = temp_path_for(out)
    _remove_with_journals(tmp)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        _remove_with_journals(tmp)
        raise


def _remove_with_journals(tmp: Path) -> None:
    for p in [tmp, *tmp.parent.glob(tmp.name + "-*")]:  # -journal / -wal leftovers
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def write_index(
    corpus: Corpus,
    table: NeighbourTable,
    out: Path,
    meta: dict[str, object],
    *,
    memberships: bool = True,
    progress=None,
    started: float | None = None,
) -> None:
    """Write ``corpus`` and its neighbour ``table`` to ``out`` (atomic replace).

    ``progress`` is an optional callable ``(stage_name, rows_done, rows_total)`` used to
    show progress; it is called at least once per table. ``started`` (a ``time.monotonic()``
    value) makes ``meta.build_seconds`` cover the whole build, writing included.
    """
    with atomic_index_file(Path(out)) as tmp:
        write_corpus_tables(tmp, corpus, memberships=memberships, progress=progress)
        write_neighbours_and_meta(
            tmp, corpus, table, meta, memberships=memberships, progress=progress, started=started
        )


def write_neighbours_and_meta(
    path: Path,
    corpus: Corpus,
    table: NeighbourTable,
    meta: dict[str, object],
    *,
    memberships: bool = True,
    progress=None,
    started: float | None = None,
) -> None:
    """Second half: the neighbour table and ``meta`` (written last: its presence marks a complete file)."""
    tick = progress or (lambda *a: None)
    conn = connect_for_writing(path)
    try:
        _insert_neighbours(
            conn,
            Path(path),
            [table.track + 1, table.rank, table.neighbour + 1, table.jaccard, table.shared],
            lambda done: tick("neighbours", done, len(table)),
        )
        conn.execute("BEGIN")
        full_meta = {
            "schema_version": SCHEMA_VERSION,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "playlists": corpus.n_playlists,
            "tracks": corpus.n_tracks,
            "artists": corpus.n_artists,
            "sessions": 0
            if corpus.playlist_dates is None
            else int((corpus.playlist_dates >= 0).sum()),
            "memberships": "1" if memberships else "0",
            **meta,
        }
        if started is not None:
            full_meta["build_seconds"] = f"{time.monotonic() - started:.2f}"
        conn.executemany(
            "INSERT INTO meta VALUES (?,?)", [(k, str(v)) for k, v in full_meta.items()]
        )
        conn.execute("COMMIT")
        conn.execute(
            "PRAGMA analysis_limit=1000"
        )  # bounded ANALYZE: planner stats, not a full scan
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=DELETE")  # readers expect a normal rollback journal
    finally:
        conn.close()


def _insert_neighbours(conn: sqlite3.Connection, path: Path, columns: list, tick) -> None:
    """Insert the neighbour rows, the second half written at the same time by a forked child.

    Decoding rows costs a core (:mod:`index.build.neighbour_rows`, about 2M rows/s), and by
    now the other core is idle: the child writes the rows from the middle track on into a
    file of their own, then SQLite copies them over in one ``INSERT ... SELECT`` (page
    records, no decoding). Rows are in key order, so the copy appends.
    """
    n = len(columns[0])
    if n < SPLIT_ROWS or "fork" not in multiprocessing.get_all_start_methods():
        conn.execute("BEGIN")
        insert_neighbour_rows(conn, columns, tick)
        conn.execute("COMMIT")
        return
    half = int(np.searchsorted(columns[0], columns[0][n // 2]))  # each list in one half
    aux = path.with_name(path.name + "-neighbours")  # swept with the temporary file
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'neighbours'").fetchone()[0]
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(
        target=_write_aux, args=(aux, ddl, [c[half:] for c in columns]), daemon=True
    )
    child.start()
    try:
        conn.execute("BEGIN")
        insert_neighbour_rows(conn, [c[:half] for c in columns], tick)
        conn.execute("COMMIT")
        child.join()
        if child.exitcode != 0:
            raise OSError(f"writing the neighbour rows failed (exit code {child.exitcode})")
        conn.execute("ATTACH ? AS aux", (str(aux),))
        conn.execute("BEGIN")
        conn.execute("INSERT INTO neighbours SELECT * FROM aux.neighbours")
        conn.execute("COMMIT")
        conn.execute("DETACH aux")
        tick(n)
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        _remove_with_journals(aux)


def _write_aux(path: Path, ddl: str, columns: list) -> None:
    code = 1
    try:
        _remove_with_journals(path)
        conn = connect_for_writing(path)
        conn.execute(ddl)
        conn.execute("BEGIN")
        insert_neighbour_rows(conn, columns, lambda done: None)
        conn.execute("COMMIT")
        conn.close()
        code = 0
    finally:
        os._exit(code)  # skip the parent's inherited atexit handlers (tqdm, test runners)
