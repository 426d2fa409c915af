"""``spark_build``: the whole index build on Apache Spark, ending in the same SQLite file.

Stages (timed in the summary): **ingest** (Zenodo files are parsed in parallel byte
ranges by the local reader's own code, ListenBrainz dump folders one task per
``.listens`` file, :mod:`index.spark.listen_ingest`; other formats, and mixes of formats,
are read by the driver with ``index.ingest.read_dataset``), **parquet** (tracks,
artists, playlists, memberships written to a Parquet folder), **neighbours** (``index.spark.neighbours``), **write**
(``index.spark.load``: Parquet → ``index.build.store.write_index``, atomic replace).

``index.build.build_index(..., engine="spark")`` calls :func:`spark_build`; call it
directly for the Spark-only knobs (``parquet_dir``, ``splits``, ``driver_memory``, ...).

With ``out=None`` the build stops at Parquet (``parquet_dir``), the hand-off for catalogues
too big for one SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.arrays import sorted_unique
from index.build.options import DEFAULTS, BuildOptions
from index.build.store import check_writable
from index.build.summary import BuildSummary, build_meta
from index.corpus import Corpus, DatasetError, IngestReport
from index.ingest import input_formats, read_dataset
from index.spark.session import (
    DEFAULT_DRIVER_MEMORY,
    _local_cores,
    check_spark_available,
    get_session,
    label_stages,
)

# Overrides the driver JVM's heap when ``spark_build`` is not given one (the CLI has no flag).
DRIVER_MEMORY_ENV = "SONGSIM_SPARK_DRIVER_MEMORY"


def spark_build(
    dataset: str | Path | Sequence[str | Path],
    out: str | Path | None,
    options: BuildOptions | None = None,
    *,
    progress: bool = True,
    parquet_dir: str | Path | None = None,
    splits: int | None = None,
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
    spark_conf: dict[str, str] | None = None,
    before_stop: Callable[[object], None] | None = None,
    **settings: object,
) -> BuildSummary:
    """Build the index ``out`` (SQLite) from ``dataset`` on Spark ``options.master``.

    ``dataset`` is one input or several, read into one catalogue as the local engine reads
    them. One Zenodo file is parsed in byte ranges, ListenBrainz dump folders (a full dump
    and the incremental ones after it) one task per listens file; any other input, or mix
    of inputs, is read by the driver and handed over as Parquet.

    Same :class:`~index.build.options.BuildOptions` as ``index.build.build_index`` (which
    calls this for ``engine="spark"``; ``settings`` override single fields by name), and
    the same rules; the LSH tuning (``num_perm``, ``bucket_cap``, ``rerank``,
    ``exact_below``, ``seed``) goes to ``spark_neighbours``. ``parquet_dir`` keeps the
    intermediate Parquet tables there (default: a temporary folder beside ``out``, removed
    afterwards). ``splits`` is how many byte ranges a Zenodo file is parsed in (default: 2
    per core of ``local[N]``, else 64). ``method="exact"`` sends every query through the
    exact co-occurrence path (complete, the reference); ``"lsh"`` and ``"auto"`` use the
    cheap/expensive plan. ``driver_memory`` is the driver JVM's heap (default:
    ``$SONGSIM_SPARK_DRIVER_MEMORY``, else 1536m). The previous ``out`` survives any failure.

    A Spark session started here is stopped once the Parquet tables are written, before
    the driver loads them into SQLite, so the JVM and its Python workers do not sit in
    memory beside the load (``before_stop(spark)`` runs just before, e.g. to read the
    Spark UI's stage metrics). A session that was already running is left running.
    """
    options = replace(options or DEFAULTS, **settings)
    options.check()
    if out is None and parquet_dir is None:
        raise ValueError("give out (a SQLite file), parquet_dir, or both")
    if out is not None:
        check_writable(Path(out))  # before Spark starts and the dataset is read
    method, master = options.method, options.master
    lsh_params = options.lsh_params()
    lsh_params.pop("exact_budget")  # Spark scales out instead of capping the exact scan
    if method == "exact":
        lsh_params["exact_below"] = 1 << 62
    started = time.monotonic()
    paths = [Path(dataset)] if isinstance(dataset, str | Path) else [Path(p) for p in dataset]
    if not paths:
        raise DatasetError("No dataset given.")
    formats = input_formats(paths, options.fmt)  # also: every input exists
    driver_memory = driver_memory or os.environ.get(DRIVER_MEMORY_ENV) or DEFAULT_DRIVER_MEMORY
    keep = parquet_dir is not None
    folder = (
        Path(parquet_dir)
        if keep
        else Path(out).resolve().with_name(f".{Path(out).name}.spark-{os.getpid()}")
    )
    stages: dict[str, float] = {}
    check_spark_available()  # one sentence, not an ImportError, when PySpark is missing
    from pyspark.sql import SparkSession

    ours = SparkSession.getActiveSession() is None
    spark = get_session(
        master,
        shuffle_partitions=shuffle_partitions,
        driver_memory=driver_memory,
        conf=spark_conf,
        progress=progress,
    )
    try:
        t = time.monotonic()
        report, n_splits = _ingest(spark, paths, formats, folder, options, splits, progress)
        stages["ingest"] = time.monotonic() - t

        memberships_df = spark.read.parquet(str(folder / "memberships"))
        n_playlists = _parquet_rows(folder / "playlists")
        n_tracks = _parquet_rows(folder / "tracks")
        if n_tracks == 0:
            raise DatasetError(f"{report.source} holds no usable rows: nothing to index.")
        capped = options.capped(n_tracks)
        distinct_pairs = _parquet_rows(folder / "memberships")
        report.duplicate_rows = report.rows_read - report.rows_malformed - distinct_pairs

        t = time.monotonic()
        from index.spark.neighbours import spark_neighbours

        label_stages(spark, "neighbours")
        rows, params = spark_neighbours(
            memberships_df,
            n_playlists,
            k=capped.k,
            min_playlists=options.min_playlists,
            min_shared=options.min_shared,
            extras=capped.extras,
            **lsh_params,
        )
        rows.write.mode("overwrite").parquet(str(folder / "neighbours"))
        stages["neighbours"] = time.monotonic() - t
        label_stages(spark, None)
        params.update(master=master, splits=n_splits)
        (folder / "params.json").write_text(json.dumps(params, default=str, sort_keys=True))
        if before_stop is not None:
            before_stop(spark)
        if ours:
            spark.stop()

        if out is None:
            from index.spark.load import load

            corpus, table = load(folder, report, options, params)
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            summary_out = folder
        else:
            t = time.monotonic()
            from index.spark.load import load_into_sqlite

            meta = build_meta(
                paths, report, "exact" if method == "exact" else "lsh", params, options
            )
            meta["engine"] = "spark"
            corpus, table = load_into_sqlite(
                folder, out, meta, report, options=options, started=started
            )
            stages["write"] = time.monotonic() - t
            summary_out = Path(out)
            size = summary_out.stat().st_size
        return BuildSummary(
            out=summary_out,
            corpus=corpus,
            method=("exact" if method == "exact" else "lsh") + f" (spark, {master})",
            neighbour_rows=len(table),
            tracks_with_neighbours=int(sorted_unique(table.track).size),
            stage_seconds=stages,
            total_seconds=time.monotonic() - started,
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            size_bytes=size,
            min_playlists=options.min_playlists,
            min_shared=options.min_shared,
        )
    finally:
        if ours:
            spark.stop()  # no-op when already stopped
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _ingest(
    spark,
    paths: list[Path],
    formats: list[str],
    folder: Path,
    options: BuildOptions,
    splits: int | None,
    progress: bool,
) -> tuple[IngestReport, int]:
    """Read the inputs into the Parquet tables under ``folder``; (report, tasks that read).

    Executors read one uncompressed Zenodo file (byte ranges) and ListenBrainz dump
    folders (a task per listens file); the driver reads anything else.
    """
    strict = options.strict
    session_gap = options.session_gap
    work = str(folder.resolve())
    if formats == ["zenodo"] and paths[0].is_file() and not _is_gzip(paths[0]):
        from index.spark.ingest import ingest_zenodo

        sc = ingest_zenodo(spark, str(paths[0]), splits or _default_splits(options.master), work)
    elif set(formats) == {"listenbrainz"} and all(p.is_dir() for p in paths):
        from index.spark.listen_ingest import ingest_listens

        sc = ingest_listens(spark, paths, work, session_gap)
    else:
        corpus = read_dataset(
            paths, options.fmt, strict=strict, progress=progress, session_gap=session_gap
        )
        _write_corpus(corpus, folder)
        return corpus.report, 0
    _check_strict(sc.report, strict)
    _write_tables(sc, folder)
    return sc.report, sc.splits


def _parquet_rows(table: Path) -> int:
    """Rows of a Parquet dataset, from the files' footers (no Spark job)."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(f).num_rows for f in table.glob("*.parquet"))


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _default_splits(master: str) -> int:
    if master.startswith("local"):
        return max(2, 2 * _local_cores(master))
    return 64


def _check_strict(report: IngestReport, strict: bool) -> None:
    if strict and report.rows_malformed:
        shown = report.malformed_examples[0]
        raise DatasetError(
            f"{report.source}: line {report.malformed_lines[0]} is not a valid row: {shown!r}. "
            "Fix or remove that row, or build without --strict to skip and count such rows."
        )


def _write_tables(sc, folder: Path) -> None:
    for name, df in (
        ("tracks", sc.tracks),
        ("artists", sc.artists),
        ("playlists", sc.playlists),
        ("memberships", sc.memberships),
    ):
        label_stages(df.sparkSession, f"write {name}")
        df.write.mode("overwrite").parquet(str(folder / name))
    label_stages(df.sparkSession, None)


def _write_corpus(corpus: Corpus, folder: Path) -> None:
    """A driver-read Corpus as the same Parquet tables the distributed ingest writes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = corpus.n_tracks
    none = [None] * n
    dates = corpus.playlist_dates
    tables = {
        "tracks": pa.table(
            {
                "track": pa.array(np.arange(n, dtype=np.int32)),
                "artist": pa.array(corpus.track_artist.astype(np.int32)),
                "title": pa.array(corpus.track_titles, pa.string()),
                "uri": pa.array(corpus.track_uris, pa.string()),
                "mbid": pa.array(corpus.track_mbids or none, pa.string()),
                "isrc": pa.array(corpus.track_isrcs or none, pa.string()),
            }
        ),
        "artists": pa.table(
            {
                "artist": pa.array(np.arange(corpus.n_artists, dtype=np.int32)),
                "name": pa.array(corpus.artist_names, pa.string()),
            }
        ),
        "playlists": pa.table(
            {
                "playlist": pa.array(np.arange(corpus.n_playlists, dtype=np.int32)),
                "name": pa.array(corpus.playlist_names, pa.string()),
                "date": pa.nulls(corpus.n_playlists, pa.int64())
                if dates is None
                else pa.array(dates, pa.int64(), mask=dates < 0),
            }
        ),
        "memberships": pa.table(
            {
                "track": pa.array(np.repeat(np.arange(n, dtype=np.int32), np.diff(corpus.indptr))),
                "playlist": pa.array(corpus.indices.astype(np.int32)),
            }
        ),
    }
    for name, table in tables.items():
        target = folder / name
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(target)
        target.mkdir(parents=True)
        pq.write_table(table, target / "part-0.parquet")
