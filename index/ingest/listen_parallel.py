"""Read a dump folder's month files on every core, with the result of reading them in order.

JSON decoding is most of a ListenBrainz build's ingest, and a dump is dozens of month
files, so the files are cut into contiguous groups by size: this process reads the first
group into the real builder while forked workers read the others into builders of their
own. Each worker hands back its raw spellings (in creation order), listens, users, links
and malformed-row report; merging them group by group creates spellings in the same order
a single reader would, so the index is identical to a sequential read (the tests check).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.corpus import DatasetError
from index.ingest.assemble import as_array
from index.ingest.forked import cores, run_to_file
from index.ingest.listen_lines import ListenReader
from index.ingest.rows import CorpusBuilder
from index.progress import Progress

PARALLEL_MIN_BYTES = 64 << 20  # below this, forking costs more than it saves


def workers_for(files: list[Path], total_bytes: int) -> int:
    """How many readers run at once (1: read the files here, in order)."""
    if total_bytes < PARALLEL_MIN_BYTES or len(files) < 2 or os.name != "posix":
        return 1
    return max(1, min(cores(), len(files), 8))


def groups_by_size(sizes: list[int], n: int) -> list[list[int]]:
    """Contiguous runs of file positions with about equal bytes each."""
    total = sum(sizes) or 1
    out: list[list[int]] = [[] for _ in range(n)]
    done = 0
    for i, size in enumerate(sizes):
        g = min(n - 1, done * n // total)
        out[g].append(i)
        done += size
    return [g for g in out if g]


@dataclass
class Part:
    """What one worker read, in a form that pickles as a few large buffers."""

    raw_keys: list[tuple[str, str, object]]  # by local raw id
    listen_raw: bytes
    listen_user: bytes
    listen_ts: bytes
    users: list[object]
    uri_raw: bytes
    uri_val: bytes
    uris: list[str]
    isrc_raw: bytes
    isrc_val: bytes
    isrcs: list[str]
    malformed: int
    malformed_lines: list[int]
    malformed_examples: list[str]


def read_group(files: list[tuple[Path, str]], source: str, default_user: str, strict: bool) -> Part:
    """A worker: read ``files`` (path, name shown in reports) into a fresh builder."""
    gc.disable()
    b = CorpusBuilder(source, "listenbrainz", strict=strict)
    b.start_input(source, "listenbrainz")
    reader = ListenReader(b, default_user)
    for path, name in files:
        with open(path, "rb") as stream:
            reader.read_lines(stream, name, lambda: 0)
    keys = [k for k, v in b.raw_ids.items() if v >= 0]
    rep = b.report
    return Part(
        raw_keys=keys,  # type: ignore[arg-type]
        listen_raw=b.listen_raw.tobytes(),
        listen_user=b.listen_user.tobytes(),
        listen_ts=b.listen_ts.tobytes(),
        users=list(b.user_ids),
        uri_raw=b.uri_raw.tobytes(),
        uri_val=b.uri_val.tobytes(),
        uris=b.uris,
        isrc_raw=b.isrc_raw.tobytes(),
        isrc_val=b.isrc_val.tobytes(),
        isrcs=b.isrcs,
        malformed=rep.rows_malformed,
        malformed_lines=rep.malformed_lines,
        malformed_examples=rep.malformed_examples,
    )


def merge(reader: ListenReader, part: Part) -> None:
    """Append a worker's listens to the real builder, creating its spellings in order."""
    b = reader.b
    raw_get = b.raw_ids.get
    raw_map = np.empty(len(part.raw_keys), dtype=np.int32)
    for i, key in enumerate(part.raw_keys):
        rid = raw_get(key)
        raw_map[i] = reader.new_raw(*key) if rid is None else rid
    user_map = np.array([b.user_id(u) for u in part.users], dtype=np.int32)
    uri_map = np.array([b.uri_id(u) for u in part.uris], dtype=np.int32)
    isrc_map = np.array([b.isrc_id(s) for s in part.isrcs], dtype=np.int32)

    def remap(table: np.ndarray, data: bytes) -> bytes:
        return table[as_array(data)].tobytes() if data else b""

    b.listen_raw.frombytes(remap(raw_map, part.listen_raw))
    b.listen_user.frombytes(remap(user_map, part.listen_user))
    b.listen_ts.frombytes(part.listen_ts)
    b.uri_raw.frombytes(remap(raw_map, part.uri_raw))
    b.uri_val.frombytes(remap(uri_map, part.uri_val))
    b.isrc_raw.frombytes(remap(raw_map, part.isrc_raw))
    b.isrc_val.frombytes(remap(isrc_map, part.isrc_val))
    b.report.add_part(part.malformed, part.malformed_lines, part.malformed_examples)


def read_folder(
    reader: ListenReader, root: Path, files: list[Path], bar: Progress, n_readers: int
) -> None:
    """Read ``files`` (month order) in groups, each in a forked process, ``n_readers`` at once.

    This process only merges, group by group in file order: it never holds a reader's
    lookup tables for half the dump beside its own, and each reader's memory is returned
    when it exits (about 1 GB per 15M listens).
    """
    sizes = [f.stat().st_size for f in files]
    if n_readers == 1:
        for path, size in zip(files, sizes, strict=True):
            with open(path, "rb") as stream:
                reader.read_lines(stream, path.relative_to(root).as_posix(), lambda: 0)
            bar.update(size)
        return
    # Eight times as many groups as readers: each reader holds the tables of an eighth of
    # what it would otherwise (at 30M listens four times as many left the readers 0.4 GB
    # more beside this process's growing tables, for no faster a read), and while this
    # process merges one group the readers are already on the next ones.
    groups = groups_by_size(sizes, min(8 * n_readers, len(files)))
    named = [[(files[i], files[i].relative_to(root).as_posix()) for i in g] for g in groups]
    source = reader.b.sources[-1].name
    started = time.monotonic()
    merging = 0.0
    with tempfile.TemporaryDirectory(prefix="songsim-listens-") as scratch:
        # Every reader is forked now, while this process is small, and waits for its turn.
        # A reader forked later would inherit this process's grown tables, and every page
        # of them this process then changed would stay behind in the reader as a private
        # copy (at 30M listens, close to a GB over the whole read).
        readers: list[_Reader] = []
        for k in range(len(groups)):
            readers.append(_Reader(named[k], k, scratch, source, reader, readers))
        waiting = iter(readers)
        try:
            for r in itertools.islice(waiting, n_readers):
                r.go()
            for k, group in enumerate(groups):
                # Merge in file order; whenever any reader finishes, the next one starts.
                while not readers[k].finished:
                    running = [r for r in readers if r.started and not r.finished]
                    for conn in multiprocessing.connection.wait([r.conn for r in running]):
                        next(r for r in running if r.conn is conn).collect()
                        nxt = next(waiting, None)
                        if nxt is not None:
                            nxt.go()
                part = readers[k].part()
                t = time.monotonic()
                merge(reader, part)
                del part
                merging += time.monotonic() - t
                bar.update(sum(sizes[i] for i in group))
        finally:
            for r in readers:
                r.stop()
    stages = reader.b.report.stage_seconds
    stages[f"read ({n_readers} readers at once) and merge"] = time.monotonic() - started
    stages["  of which merging here"] = merging


class _Reader:
    """One forked reader of one group of files: waits for :meth:`go`, then reads."""

    def __init__(
        self,
        group: list,
        k: int,
        scratch: str,
        source: str,
        reader: ListenReader,
        before: list[_Reader],
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self.source = source
        self.conn, theirs = ctx.Pipe()
        out = os.path.join(scratch, f"part-{k}.pickle")
        # The child closes its copies of this process's ends (its own and the earlier
        # readers'): only this process may hold them, so that a waiting reader sees the
        # end of its pipe when this process closes it or dies.
        siblings = [r.conn for r in before] + [self.conn]
        args = (theirs, siblings, group, out, source, reader.default_user, reader.b.strict)
        self.proc = ctx.Process(target=_child, args=args, daemon=True)
        self.proc.start()
        theirs.close()
        self.started = self.finished = False
        self.outcome: tuple[str, object] = ("error", None)

    def go(self) -> None:
        self.conn.send("go")
        self.started = True

    def collect(self) -> None:
        """Take the reader's message (where its Part is, or what stopped it)."""
        try:
            self.outcome = self.conn.recv()
        except EOFError:
            self.proc.join()
            self.outcome = (
                "error",
                DatasetError(
                    f"a reader of {self.source} stopped without a result (exit status "
                    f"{self.proc.exitcode}; out of memory?)."
                ),
            )
        self.finished = True
        self.proc.join()
        self.conn.close()

    def part(self) -> Part:
        kind, value = self.outcome
        if kind == "error":
            raise value  # type: ignore[misc]
        with open(value, "rb") as f:  # type: ignore[arg-type]
            part = pickle.load(f)
        os.unlink(value)  # type: ignore[arg-type]
        return part

    def stop(self) -> None:
        """End the reader however far it got (a waiting one exits when its pipe closes)."""
        if self.started and not self.finished:
            self.proc.kill()
        if not self.conn.closed:
            self.conn.close()
        self.proc.join()


def _child(conn, siblings, group, out: str, source: str, default_user: str, strict: bool) -> None:  # noqa: ANN001
    """A reader process: wait for its turn, write its Part to ``out`` (and so free its
    memory by exiting at once, not when the parent gets round to it), then say where, or
    what stopped it. A closed pipe before its turn means the read was abandoned."""
    for other in siblings:
        other.close()
    try:
        if conn.recv() != "go":
            return
    except EOFError:
        return
    args = (group, source, default_user, strict)
    conn.send(run_to_file(read_group, args, out, f"reading {source}"))
    conn.close()
