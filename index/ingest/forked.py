"""One function run in a forked process, its result taken back through a file.

For a reader that splits one input with its own process: the child is forked at once,
while the parent is still small (a child forked later would inherit the parent's grown
tables), writes its result to a temporary pickle and exits, so its memory is returned
before the parent merges. A child that dies says so as one :class:`DatasetError`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from index.corpus import DatasetError


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """True where a forked helper can run: POSIX, two cores or more, and not inside a
    daemonic process (which may not have children)."""
    daemon = multiprocessing.current_process().daemon
    return os.name == "posix" and cores() >= 2 and not daemon


class Forked:
    """``fn(*args)`` running in a forked child; :meth:`result` waits for it."""

    def __init__(self, what: str, fn: Callable[..., Any], *args: Any) -> None:
        ctx = multiprocessing.get_context("fork")
        self.what = what  # named in the error if the child dies
        self._dir = tempfile.mkdtemp(prefix="songsim-part-")
        out = os.path.join(self._dir, "part.pickle")
        self._conn, theirs = ctx.Pipe(duplex=False)
        args = (theirs, fn, args, out, what)
        self._proc = ctx.Process(target=_child, args=args, daemon=True)
        self._proc.start()
        theirs.close()

    def result(self) -> Any:
        """The child's return value; its exception (as :class:`DatasetError`) if it failed."""
        try:
            kind, value = self._conn.recv()
        except EOFError:
            self._proc.join()
            kind, value = (
                "error",
                DatasetError(
                    f"{self.what} stopped without a result (exit status {self._proc.exitcode}; "
                    "out of memory?)."
                ),
            )
        try:
            if kind == "error":
                raise value
            with open(value, "rb") as f:
                return pickle.load(f)
        finally:
            self.stop()

    def stop(self) -> None:
        """End the child however far it got and remove its file."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        self._conn.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def run_to_file(fn: Callable[..., Any], args: tuple, out: str, what: str) -> tuple[str, object]:
    """Run ``fn(*args)`` and pickle its value to ``out``: ``("file", out)``, or
    ``("error", DatasetError)`` saying what stopped it, for the parent to raise."""
    try:
        value = fn(*args)
        with open(out, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        return ("file", out)
    except DatasetError as exc:
        return ("error", exc)
    except BaseException as exc:  # noqa: BLE001 - reported in the parent as one sentence
        return ("error", DatasetError(f"{what} failed: {type(exc).__name__}: {exc}."))


def _child(conn, fn: Callable[..., Any], args: tuple, out: str, what: str) -> None:  # noqa: ANN001
    gc.disable()  # millions of small objects, none of them in cycles
    conn.send(run_to_file(fn, args, out, what))
    conn.close()
