"""Build an index: dataset → ingest → neighbours (LSH or exact) → SQLite, with a summary.

:func:`build_index` is the one entry point: it takes a :class:`BuildOptions` and runs the
local pipeline below, or hands the build to the Spark engine (:mod:`index.spark`, imported
only then, since PySpark is an optional extra), so callers never choose an engine's module.
The local path is the one path data takes through this machine; every stage is timed so
the summary and ``meta`` can say where the time went.
"""

from __future__ import annotations

import resource
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.arrays import give_back_free_memory, sorted_unique
from index.build.artist_rows import with_artist_rows
from index.build.options import DEFAULTS, BuildOptions
from index.build.output import check_output
from index.build.parallel_write import CorpusTablesWriter
from index.build.store import atomic_index_file, check_writable, write_neighbours_and_meta
from index.build.summary import BuildSummary, build_meta
from index.corpus import Corpus, DatasetError, NeighbourTable
from index.ingest import distinct_inputs, read_dataset
from index.paths import demo_index_path
from index.progress import Progress, progress

# Below this many co-occurrence pairs (sum of squared playlist lengths) the exact kernel
# finishes in well under a second, so `auto` picks it; above, LSH.
AUTO_EXACT_MAX_PAIRS = 50_000_000


def exact_cost(corpus: Corpus) -> int:
    """Pairs the exact kernel must touch: the sum of squared playlist lengths."""
    lengths = np.bincount(corpus.indices, minlength=corpus.n_playlists).astype(np.int64)
    return int((lengths * lengths).sum())


def choose_method(method: str, corpus: Corpus) -> str:
    """``method``, with ``auto`` resolved by the exact scan's cost."""
    if method != "auto":
        return method
    return "exact" if exact_cost(corpus) <= AUTO_EXACT_MAX_PAIRS else "lsh"


def compute_neighbours(
    corpus: Corpus, method: str, options: BuildOptions, *, progress: bool
) -> NeighbourTable:
    """The neighbour table of ``corpus`` by ``method`` (``exact`` or ``lsh``), with the
    artist rows after each track's extras (:mod:`index.build.artist_rows`)."""
    options = options.capped(corpus.n_tracks)
    args = (corpus.indptr, corpus.indices, corpus.n_playlists)
    kw = dict(
        k=options.k,
        min_playlists=options.min_playlists,
        min_shared=options.min_shared,
        extras=options.extras,
        progress=progress,
    )
    if method == "exact":
        from index.build.exact import exact_neighbours

        table = exact_neighbours(*args, **kw)
    else:
        from index.build.lsh import lsh_neighbours

        table = lsh_neighbours(*args, **kw, **options.lsh_params())
    return with_artist_rows(table, corpus, options)


def build_index(
    dataset: str | Path | Sequence[str | Path],
    out: str | Path,
    options: BuildOptions | None = None,
    *,
    progress: bool = True,
    force: bool = False,
    **settings: object,
) -> BuildSummary:
    """Build the index file ``out`` from ``dataset`` (one input, or several read into one
    catalogue); the old ``out`` survives any failure.

    ``options`` (default :data:`~index.build.options.DEFAULTS`) holds every setting;
    ``settings`` override single fields by name (``method="exact"``, ``k=10``, ...).
    ``options.engine`` picks where the build runs: ``"local"`` here, ``"spark"`` through
    :func:`index.spark.engine.spark_build` (same file; needs the ``spark`` extra). Raises
    ValueError for an impossible setting, :class:`DatasetError` for an unusable dataset,
    OSError when the file cannot be written (SQLite's errors too: a full disk is one).
    An ``out`` that is one of the inputs or an existing file other than an index raises
    :class:`~index.build.output.OutputRefused` (a ValueError) unless ``force`` is true.
    """
    options = replace(options or DEFAULTS, **settings)
    options.check()
    if not isinstance(dataset, str | Path):
        dataset = distinct_inputs(dataset)  # before either engine reads one twice
    check_output(out, [dataset] if isinstance(dataset, str | Path) else dataset, force=force)
    try:
        if options.engine == "spark":
            from index.spark.engine import spark_build

            return spark_build(dataset, out, options, progress=progress)
        return _build_locally(dataset, Path(out), options, progress)
    except sqlite3.DatabaseError as exc:  # writing the file: a full or failing disk
        raise OSError(None, str(exc)) from exc


def _build_locally(
    dataset: str | Path | Sequence[str | Path], out: Path, options: BuildOptions, progress: bool
) -> BuildSummary:
    """The local engine: ingest, neighbours beside the corpus tables, then the rest."""
    started = time.monotonic()
    stages: dict[str, float] = {}
    check_writable(out)  # before the long read: a bad -o fails at once

    t = time.monotonic()
    corpus = read_dataset(
        dataset,
        options.fmt,
        strict=options.strict,
        progress=progress,
        session_gap=options.session_gap,
    )
    stages["ingest"] = time.monotonic() - t
    for name, secs in corpus.report.stage_seconds.items():
        stages[f"  {name}"] = secs
    if corpus.n_tracks == 0:
        raise DatasetError(f"{corpus.report.source} holds no usable rows: nothing to index.")

    method = choose_method(options.method, corpus)
    report = corpus.report
    memberships = options.memberships
    with atomic_index_file(out) as tmp:
        give_back_free_memory()  # ingest's freed heap, before the scan's lists and the fork
        writer = CorpusTablesWriter(tmp, corpus, memberships=memberships)
        stages["tables of names"] = writer.names_seconds
        t = time.monotonic()
        try:
            table = compute_neighbours(corpus, method, options, progress=progress)
        except BaseException:
            writer.stop()
            raise
        stages["neighbours"] = time.monotonic() - t
        for name, secs in table.stage_seconds.items():
            stages[f"  {name}"] = secs
        write_started = time.monotonic()
        writer.wait()
        waited = time.monotonic() - write_started

        meta = build_meta(dataset, report, method, table.params, options)
        meta["neighbour_rows"] = len(table)
        bar = _WriteProgress(progress)
        try:
            write_neighbours_and_meta(
                tmp, corpus, table, meta, memberships=memberships, progress=bar, started=started
            )
        finally:
            bar.close()
        stages["write"] = time.monotonic() - write_started
        stages["  other corpus tables (alongside neighbours)"] = writer.seconds
        stages["  waiting for them"] = waited
        stages["  neighbour rows + meta"] = stages["write"] - waited

    return BuildSummary(
        out=out,
        corpus=corpus,
        method=method,
        neighbour_rows=len(table),
        tracks_with_neighbours=int(sorted_unique(table.track).size),
        stage_seconds=stages,
        total_seconds=time.monotonic() - started,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        writer_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        size_bytes=out.stat().st_size,
        min_playlists=options.min_playlists,
        min_shared=options.min_shared,
    )


class _WriteProgress:
    """Progress per table while the SQLite file is written (see :mod:`index.progress`)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None
        self.done = 0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            # The first call comes after the first chunk: count the rate from there, not
            # from a bar created a microsecond ago (which showed billions of rows/s).
            self.bar = progress(total, f"write {stage}", unit="row", initial=done)
            self.done = done
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def ensure_demo_index(progress: bool = False) -> Path:
    """Build the demo index on first use (a few seconds) and return its path."""
    path = demo_index_path()
    if path.exists():
        return path
    from index.build.demo import write_demo_dataset

    csv_path = write_demo_dataset(path.with_name("demo-playlists.csv"))
    build_index(csv_path, path, fmt="csv", method="auto", progress=progress)
    return path
