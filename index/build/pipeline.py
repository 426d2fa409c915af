"""Build an index: dataset → ingest → neighbours (LSH or exact) → SQLite, with a summary.

:func:`build_index` is the one entry point: it takes a :class:`BuildOptions` and runs the
local pipeline below, or hands the build to the Spark engine (:mod:`index.spark`, imported
only then, since PySpark is an optional extra), so callers never choose an engine's module.
The local path is the one path data takes through this machine; every stage is timed so
the summary and ``meta`` can say where the time went.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index.arrays import sorted_unique
from index.build.options import DEFAULTS, BuildOptions
from index.build.parallel_write import CorpusTablesWriter
from index.build.store import atomic_index_file, write_neighbours_and_meta
from index.corpus import Corpus, DatasetError, IngestReport, NeighbourTable
from index.ingest import read_dataset
from index.paths import demo_index_path
from index.progress import Progress, progress

# Below this many co-occurrence pairs (sum of squared playlist lengths) the exact kernel
# finishes in well under a second, so `auto` picks it; above, LSH.
AUTO_EXACT_MAX_PAIRS = 50_000_000
# The build suggests --min-shared 1 --min-playlists 1 when fewer than this share of the
# songs got neighbours, on a collection small enough (memberships) to rebuild in seconds:
# on one curator's 452 playlists it lifted held-out HitRate@10 by 45 % (docs/QUALITY.md).
HINT_MAX_SHARE = 0.6
HINT_MAX_MEMBERSHIPS = 1_000_000


@dataclass
class BuildSummary:
    """What a finished build did, for the CLI summary and for tests."""

    out: Path
    corpus: Corpus
    method: str
    neighbour_rows: int
    tracks_with_neighbours: int
    stage_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    writer_peak_rss_mb: float = 0.0  # the forked corpus-table writer (shares pages with the build)
    size_bytes: int = 0
    min_playlists: int = DEFAULTS.min_playlists
    min_shared: int = DEFAULTS.min_shared

    def lines(self) -> list[str]:
        r = self.corpus.report
        ingest_s = self.stage_seconds.get("ingest", 0.0) or 1e-9
        out = [
            f"Built {self.out} in {self.total_seconds:.1f} s (method {self.method}, {self.size_bytes / 1e6:.1f} MB on disk).",
            f"  peak RSS: {self.peak_rss_mb:,.0f} MB, plus {self.writer_peak_rss_mb:,.0f} MB in the table writer running alongside (pages shared with the build counted in both)",
            f"  rows read: {r.rows_read:,} ({r.rows_read / ingest_s:,.0f} rows/s), malformed: {r.rows_malformed:,}, repeated in a playlist: {r.duplicate_rows:,}",
            f"  playlists: {self.corpus.n_playlists:,}, tracks: {self.corpus.n_tracks:,}, artists: {self.corpus.n_artists:,}",
            f"  tracks with neighbours: {self.tracks_with_neighbours:,}, neighbour rows: {self.neighbour_rows:,}",
            "  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.stage_seconds.items()),
        ]
        hint = self.few_neighbours_hint()
        if hint:
            out.append(hint)
        if r.rows_malformed:
            shown = ", ".join(str(n) for n in r.malformed_lines)
            out.append(
                f"  {r.rows_malformed:,} malformed row(s) were skipped and counted; first at line(s) {shown}"
                " (use --strict to fail instead)."
            )
        return out

    def few_neighbours_hint(self) -> str | None:
        """A suggestion when most songs of a small collection got no neighbours."""
        n = self.corpus.n_tracks
        if not n or (self.min_shared <= 1 and self.min_playlists <= 1):
            return None
        share = self.tracks_with_neighbours / n
        if share >= HINT_MAX_SHARE or len(self.corpus.indices) > HINT_MAX_MEMBERSHIPS:
            return None
        return (
            f"  only {share:.0%} of the songs have recommendations of their own (the rest are "
            f"in fewer than {self.min_playlists} playlists or share fewer than "
            f"{self.min_shared} with any song; the bot answers those from their playlists). "
            "If one person curated these playlists, --min-shared 1 --min-playlists 1 gives "
            "many more songs real recommendations (docs/QUALITY.md)."
        )


def build_meta(
    dataset: str | Path,
    report: IngestReport,
    method: str,
    params: dict[str, object],
    options: BuildOptions,
) -> dict[str, object]:
    """The ``meta`` rows every engine writes besides the counts ``index.build.store`` adds."""
    return {
        "source": Path(dataset).resolve().name,
        "format": report.format,
        "method": method,
        "num_perm": params.get("num_perm", 0),
        "bands": params.get("bands", 0),
        "rows_per_band": params.get("rows_per_band", 0),
        "k": options.k,
        "min_playlists": options.min_playlists,
        "min_shared": options.min_shared,
        "rows_read": report.rows_read,
        "rows_malformed": report.rows_malformed,
        "malformed_lines": ",".join(str(n) for n in report.malformed_lines),
        "duplicate_rows": report.duplicate_rows,
        "engine_params": json.dumps(params, default=str, sort_keys=True),
    }


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
    """The neighbour table of ``corpus`` by ``method`` (``exact`` or ``lsh``)."""
    args = (corpus.indptr, corpus.indices, corpus.n_playlists)
    kw = dict(
        k=options.k,
        min_playlists=options.min_playlists,
        min_shared=options.min_shared,
        progress=progress,
    )
    if method == "exact":
        from index.build.exact import exact_neighbours

        return exact_neighbours(*args, **kw)
    from index.build.lsh import lsh_neighbours

    return lsh_neighbours(*args, **kw, **options.lsh_params())


def build_index(
    dataset: str | Path,
    out: str | Path,
    options: BuildOptions | None = None,
    *,
    progress: bool = True,
    **settings: object,
) -> BuildSummary:
    """Build the index file ``out`` from ``dataset``; the old ``out`` survives any failure.

    ``options`` (default :data:`~index.build.options.DEFAULTS`) holds every setting;
    ``settings`` override single fields by name (``method="exact"``, ``k=10``, ...).
    ``options.engine`` picks where the build runs: ``"local"`` here, ``"spark"`` through
    :func:`index.spark.engine.spark_build` (same file; needs the ``spark`` extra). Raises
    ValueError for an impossible setting, :class:`DatasetError` for an unusable dataset.
    """
    options = replace(options or DEFAULTS, **settings)
    options.check()
    if options.engine == "spark":
        from index.spark.engine import spark_build

        return spark_build(dataset, out, options, progress=progress)
    return _build_locally(dataset, Path(out), options, progress)


def _build_locally(
    dataset: str | Path, out: Path, options: BuildOptions, progress: bool
) -> BuildSummary:
    """The local engine: ingest, neighbours beside the corpus tables, then the rest."""
    started = time.monotonic()
    stages: dict[str, float] = {}

    t = time.monotonic()
    corpus = read_dataset(dataset, options.fmt, strict=options.strict, progress=progress)
    stages["ingest"] = time.monotonic() - t
    if corpus.n_tracks == 0:
        raise DatasetError(f"{dataset} holds no usable rows, so there is nothing to index.")

    method = choose_method(options.method, corpus)
    report = corpus.report
    memberships = options.memberships
    with atomic_index_file(out) as tmp:
        t = time.monotonic()
        writer = CorpusTablesWriter(tmp, corpus, memberships=memberships)
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
        stages["  corpus tables (alongside neighbours)"] = writer.seconds
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
