"""Write the corpus tables in a forked child while the parent computes neighbours.

The two halves of an index file need different inputs: the corpus tables (artists, tracks,
playlists, memberships, search tables) only need the ingested corpus, the neighbour table
needs the engine's output. Writing most of the first half in a second process overlaps
tens of seconds of SQLite work with the engine at full scale. Fork shares the corpus pages
copy-on-write, so nothing is pickled; the tables made from the corpus's names are written
first, here, so the child reads only arrays and copies none of the names' pages.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from multiprocessing.connection import Connection
from pathlib import Path

from index.build.corpus_tables import write_array_tables, write_name_tables
from index.corpus import Corpus


class CorpusTablesWriter:
    """:func:`index.build.corpus_tables.write_name_tables` now, then a child process writing
    :func:`index.build.corpus_tables.write_array_tables` into ``path``."""

    def __init__(self, path: Path, corpus: Corpus, *, memberships: bool) -> None:
        self.path = path
        started = time.monotonic()
        write_name_tables(path, corpus, memberships=memberships)
        self.names_seconds = time.monotonic() - started  # before the fork, in this process
        self._sequential = "fork" not in multiprocessing.get_all_start_methods()
        if self._sequential:  # no fork on this platform: the rest now, in this process too
            started = time.monotonic()
            write_array_tables(path, corpus, memberships=memberships)
            self.seconds = time.monotonic() - started
            return
        ctx = multiprocessing.get_context("fork")
        self._result, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(
            target=_child, args=(path, corpus, memberships, send), name="songsim-write", daemon=True
        )
        # The child's garbage collector would write to the header of every object it
        # inherited, copying those pages: frozen objects are left alone (Python's advice
        # for fork, gc.freeze).
        gc.freeze()
        try:
            self._proc.start()
        finally:
            gc.unfreeze()
        send.close()
        self.seconds = 0.0

    def wait(self) -> float:
        """Block until the child is done; re-raise its failure here. Returns its seconds."""
        if self._sequential:
            return self.seconds
        try:
            outcome = self._result.recv()
        except EOFError:  # died without a word: killed, or out of memory
            outcome = ("error", "OSError", "the process writing the index was killed", 0)
        self._proc.join()
        if outcome[0] == "ok":
            self.seconds = outcome[1]
            return self.seconds
        _, kind, message, errno = outcome
        if kind in ("OSError", "DatabaseError", "OperationalError"):
            raise OSError(errno or None, message)
        raise RuntimeError(f"writing the index failed: {kind}: {message}")

    def stop(self) -> None:
        """Kill the child (the build failed elsewhere); the caller removes the file."""
        if not self._sequential and self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


def _child(path: Path, corpus: Corpus, memberships: bool, send: Connection) -> None:
    started = time.monotonic()
    try:
        write_array_tables(path, corpus, memberships=memberships)
        send.send(("ok", time.monotonic() - started))
        code = 0
    except BaseException as exc:  # report everything: the parent decides what the user sees
        send.send(("error", type(exc).__name__, str(exc), getattr(exc, "errno", 0) or 0))
        code = 1
    send.close()
    os._exit(code)  # skip the parent's inherited atexit handlers (tqdm, test runners)
