"""Dumps: the full dump and incrementals planned from the listens, their metadata files, the
month files rendered in worker processes, and the folders or streamed ``.tar.xz``/``.tar.zst``
archives they are laid out in.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scripts.listenbrainz_synth.model import COPYING, DAY, Listens
from scripts.listenbrainz_synth.render import Renderer


@dataclass
class Dump:
    """One dump: its name, time window and the listens of each month file, in file order."""

    name: str
    full: bool
    start: int  # exclusive start of the insert window (incremental)
    end: int
    order: np.ndarray
    files: list[tuple[int, int, int, int]]  # (year, month, lo, hi) into order


def _months(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)


def _dump(dump_id: int, full: bool, start: int, end: int, order: np.ndarray, key: np.ndarray):
    when = datetime.fromtimestamp(end, UTC).strftime("%Y%m%d-%H%M%S")
    name = f"listenbrainz-listens-dump-{dump_id}-{when}-{'full' if full else 'incremental'}"
    months = _months(key)
    cuts = np.flatnonzero(np.diff(months)) + 1
    los = np.concatenate([[0], cuts]).astype(np.int64)
    his = np.concatenate([cuts, [len(order)]]).astype(np.int64)
    files = [
        (1970 + int(months[lo]) // 12, int(months[lo]) % 12 + 1, int(lo), int(hi))
        for lo, hi in zip(los, his, strict=True)
        if hi > lo
    ]
    return Dump(name, full, start, end, order, files)


def plan_dumps(listens: Listens, split: int | None, n_inc: int, dump_id: int) -> list[Dump]:
    """The full dump (inserts up to ``split``) and ``n_inc`` incrementals after it."""
    final = int(-(-int(listens.created.max() + 1) // DAY) * DAY)
    if split is None:
        split = final - n_inc * DAY
    if n_inc and not split < final:
        raise SystemExit(f"--split-at must be before the last insert ({final})")
    sel = np.flatnonzero(listens.created <= split)
    order = sel[np.argsort(listens.t[sel], kind="stable")]
    dumps = [_dump(dump_id, True, 0, split, order, listens.t[order])]
    edges = [split + (final - split) * k // n_inc for k in range(n_inc + 1)] if n_inc else []
    for k in range(n_inc):
        lo, hi = edges[k], edges[k + 1]
        sel = np.flatnonzero((listens.created > lo) & (listens.created <= hi))
        order = sel[np.argsort(listens.created[sel], kind="stable")]
        dumps.append(_dump(dump_id + 1 + k, False, lo, hi, order, listens.created[order]))
    return dumps


def _metadata(dump: Dump) -> list[tuple[str, bytes]]:
    def iso(ts: int) -> bytes:
        return datetime.fromtimestamp(ts, UTC).isoformat(" ").encode()

    if dump.full:
        stamps = [("TIMESTAMP", iso(dump.end))]
    else:
        stamps = [("START_TIMESTAMP", iso(dump.start)), ("END_TIMESTAMP", iso(dump.end))]
    return [("SCHEMA_SEQUENCE", b"1"), *stamps, ("COPYING", COPYING.encode())]


# Set in the parent before the workers fork; the workers only read them.
JOB: dict[str, object] = {}
CHUNK = 200_000


def _render_file(job: tuple[int, int, str]) -> tuple[int, int, str]:
    """Write one month file; returns (dump, file, path)."""
    d, f, path = job
    dump: Dump = JOB["dumps"][d]  # type: ignore[index]
    renderer: Renderer = JOB["renderer"]  # type: ignore[assignment]
    listens: Listens = JOB["listens"]  # type: ignore[assignment]
    _, _, lo, hi = dump.files[f]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for a in range(lo, hi, CHUNK):
            out.write(renderer.lines(listens, dump.order[a : min(hi, a + CHUNK)]))
    return d, f, path


class _Archive:
    """A tar stream into ``xz -T2 -1`` (or Python's lzma) or zstandard, members added in order."""

    def __init__(self, path: Path, kind: str, mtime: int):
        self.path, self.mtime, self.proc, self.raw = path, mtime, None, None
        if kind == "xz" and shutil.which("xz"):
            self.raw = open(path, "wb")  # noqa: SIM115 - closed in close()
            self.proc = subprocess.Popen(
                ["xz", "-T2", "-1", "-c"], stdin=subprocess.PIPE, stdout=self.raw
            )
            self.tar = tarfile.open(fileobj=self.proc.stdin, mode="w|")  # noqa: SIM115
        elif kind == "xz":  # no xz command: Python's lzma, one thread
            import lzma

            self.raw = lzma.open(path, "wb", preset=1)  # noqa: SIM115 - closed in close()
            self.tar = tarfile.open(fileobj=self.raw, mode="w|")  # noqa: SIM115
        else:
            import zstandard

            self.raw = zstandard.ZstdCompressor(level=3, threads=2).stream_writer(open(path, "wb"))  # noqa: SIM115
            self.tar = tarfile.open(fileobj=self.raw, mode="w|")  # noqa: SIM115

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o644
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        import io

        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))

    def add_file(self, name: str, path: str) -> None:
        with open(path, "rb") as f:
            self.tar.addfile(self._info(name, os.path.getsize(path)), f)

    def close(self) -> None:
        self.tar.close()
        if self.proc:
            self.proc.stdin.close()
            if self.proc.wait():
                raise SystemExit(f"xz failed for {self.path}")
        if self.raw:
            self.raw.close()


def write_dumps(
    dumps: list[Dump], out: Path, archive: str, workers: int, log_every: int
) -> tuple[int, int, list[Path]]:
    """Render every month file (in worker processes) and lay out folders or archives.

    Returns (files written, bytes of listens, paths of the dumps)."""
    single = archive != "none" and out.name.endswith((".tar.xz", ".tar.zst"))
    if single and len(dumps) > 1:
        raise SystemExit("--out names one archive; give a folder to write incrementals too")
    base = out.parent if single else out
    base.mkdir(parents=True, exist_ok=True)
    targets, jobs, archives = [], [], {}
    for d, dump in enumerate(dumps):
        if archive == "none":
            root = base / dump.name
            if root.exists():
                raise SystemExit(f"{root} exists; remove it or choose another --out")
            for name, data in _metadata(dump):
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            targets.append(root)
            listens_dir = root / "listens"
        else:
            path = out if single else base / f"{dump.name}.tar.{archive}"
            targets.append(path)
            listens_dir = base / f".{dump.name}.partial"
            shutil.rmtree(listens_dir, ignore_errors=True)
        for f, (year, month, _, _) in enumerate(dump.files):
            jobs.append((d, f, str(listens_dir / str(year) / f"{month}.listens")))
    total = sum(len(dump.order) for dump in dumps)
    done = size = 0
    next_log = log_every
    t0 = time.perf_counter()
    ctx = mp.get_context("fork")
    pool = ctx.Pool(workers) if workers > 1 else None
    try:
        results = pool.imap(_render_file, jobs) if pool else map(_render_file, jobs)
        for d, f, path in results:
            dump = dumps[d]
            year, month, lo, hi = dump.files[f]
            size += os.path.getsize(path)
            if archive != "none":
                if d not in archives:
                    archives[d] = _Archive(targets[d], archive, dump.end)
                    for name, data in _metadata(dump):
                        archives[d].add_bytes(f"{dump.name}/{name}", data)
                archives[d].add_file(f"{dump.name}/listens/{year}/{month}.listens", path)
                os.unlink(path)
                if f == len(dump.files) - 1:
                    archives.pop(d).close()
                    shutil.rmtree(Path(path).parents[1], ignore_errors=True)
            done += hi - lo
            if done >= next_log:
                rate = done / (time.perf_counter() - t0)
                print(f"  {done:,}/{total:,} listens written, {rate:,.0f}/s", file=sys.stderr)
                next_log += log_every
    finally:
        if pool:
            pool.terminate()
    for d, dump in enumerate(dumps):  # a dump without listens still gets its archive
        if archive != "none" and not dump.files:
            arc = _Archive(targets[d], archive, dump.end)
            for name, data in _metadata(dump):
                arc.add_bytes(f"{dump.name}/{name}", data)
            arc.close()
    return len(jobs), size, targets
