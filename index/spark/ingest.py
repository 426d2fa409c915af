"""Distributed ingest: byte ranges parsed in Spark tasks, merged into global tables.

Each task runs the local reader over its range (``index.spark.split_ingest``). The merge
reproduces :meth:`index.ingest.CorpusBuilder.build` with DataFrame operations:

* a track, artist or playlist gets its id in order of first creation, i.e. of the
  smallest ``(split, local id)`` where it was created, counting only those that ended up
  with at least one valid row (ids are then dense, 0-based, like the local ``Corpus``);
* a track's title and an artist's name are the most frequent stripped spelling (by rows),
  ties going to the spelling created first;
* memberships are distinct (track, playlist) pairs.

Only the Zenodo format is split (it is the one that reaches billions of rows and has a
record-start rule that makes cutting safe). Other formats are read by the driver with
``index.ingest.read_dataset`` and handed to Spark as memberships (see ``engine``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from index.corpus import IngestReport
from index.spark.split_ingest import parse_split, split_offsets, write_split_tables

ORDER_SHIFT = 1 << 32  # (split, local id) -> one sortable long


@dataclass
class SparkCorpus:
    """Global tables of an ingest, as DataFrames (0-based ids, like ``index.corpus.Corpus``).

    ``tracks(track, artist, title, uri)``, ``artists(artist, name)``,
    ``playlists(playlist, name)``, ``memberships(track, playlist)``.
    """

    tracks: DataFrame
    artists: DataFrame
    playlists: DataFrame
    memberships: DataFrame
    report: IngestReport
    splits: int


def ingest_zenodo(spark: SparkSession, path: str, n_splits: int, work_dir: str) -> SparkCorpus:
    """Read a Zenodo file in ``n_splits`` parallel ranges and merge (module doc).

    Each task writes its range's tables as Parquet under ``work_dir/splits`` (which must
    be reachable from every executor, like the dataset itself): columnar hand-off, no
    per-row pickling between Python and the JVM.
    """
    offsets = split_offsets(path, n_splits)
    ranges = [(i, offsets[i], offsets[i + 1]) for i in range(len(offsets) - 1)]
    out = str(Path(work_dir) / "splits")
    shutil.rmtree(out, ignore_errors=True)  # tables of an earlier run must not mix in
    parts = (
        spark.sparkContext.parallelize(ranges, len(ranges))
        .map(lambda r: write_split_tables(parse_split(path, r[0], r[1], r[2]), out))
        .collect()
    )
    report = _merge_reports(path, parts)

    def table(name: str) -> DataFrame:
        return spark.read.parquet(f"{out}/{name}")

    artists_l = table("artist")
    tracks_l = table("track")
    raws_l = table("raw")
    playlists_l = table("playlist")
    pairs_l = table("pair")

    order = lambda local: F.col("split").cast("long") * ORDER_SHIFT + F.col(local)  # noqa: E731

    # Track identity is (normalised artist, normalised title); attach the artist key.
    tracks_k = tracks_l.join(artists_l, ["split", "aid"]).select(
        "split", "tid", "akey", "ntitle", order("tid").alias("first")
    )
    raws_k = raws_l.join(tracks_k, ["split", "tid"]).withColumn("rfirst", order("rid"))
    used_keys = raws_k.groupBy("akey", "ntitle").agg(F.sum("rows").alias("rows")).where("rows > 0")
    track_ids = _dense_ids(
        tracks_k.groupBy("akey", "ntitle")
        .agg(F.min("first").alias("first"))
        .join(used_keys.select("akey", "ntitle"), ["akey", "ntitle"]),
        "first",
        "track",
    )
    artist_first = (
        artists_l.withColumn("first", order("aid"))
        .groupBy("akey")
        .agg(F.min("first").alias("first"))
    )
    artist_ids = _dense_ids(
        artist_first.join(track_ids.select("akey").distinct(), "akey"), "first", "artist"
    )

    used_raws = raws_k.where("rows > 0")
    titles = _most_frequent(used_raws, ["akey", "ntitle"], "title")
    names = _most_frequent(used_raws, ["akey"], "spelling")
    tracks = (
        track_ids.join(titles, ["akey", "ntitle"])
        .join(artist_ids.select("akey", "artist"), "akey")
        .select("track", "artist", F.col("title"), F.lit(None).cast("string").alias("uri"))
    )
    artists = artist_ids.join(names, "akey").select("artist", F.col("spelling").alias("name"))

    pl_first = playlists_l.withColumn("first", order("pid"))
    pl_global = pl_first.groupBy("pkey").agg(
        F.min("first").alias("first"),
        F.sum("rows").alias("rows"),
        F.min_by("name", "first").alias("name"),
    )
    playlist_ids = _dense_ids(pl_global.where("rows > 0"), "first", "playlist")
    playlists = playlist_ids.select("playlist", "name")
    raws_k.persist()

    local_track = tracks_k.join(track_ids.select("akey", "ntitle", "track"), ["akey", "ntitle"])
    local_pl = pl_first.join(playlist_ids.select("pkey", "playlist"), "pkey")
    memberships = (
        pairs_l.join(local_track.select("split", "tid", "track"), ["split", "tid"])
        .join(local_pl.select("split", "pid", "playlist"), ["split", "pid"])
        .select("track", "playlist")
        .distinct()
    )
    return SparkCorpus(tracks, artists, playlists, memberships, report, len(ranges))


def _merge_reports(path: str, parts: list[tuple]) -> IngestReport:
    """One :class:`IngestReport` with file line numbers (ranges' local numbers shifted)."""
    rep = IngestReport(source=path, format="zenodo")
    line_base = 0
    rows = 0
    for _split, lines, n_rows, malformed, mlines, mexamples, not_utf8 in sorted(parts):
        rows += n_rows
        rep.add_part(malformed, mlines, mexamples, line_base, not_utf8, path)
        line_base += lines
    rep.rows_read = rows + rep.rows_malformed
    return rep


def _dense_ids(df: DataFrame, order_col: str | list[str], id_col: str) -> DataFrame:
    """Add ``id_col`` = 0-based rank of ``order_col`` (unique; a list sorts by each column
    in turn), without one-partition sorts.

    Rows are range-partitioned and sorted by ``order_col``; within a partition
    ``monotonically_increasing_id`` counts up from ``partition << 33``, so one small job
    that counts each partition gives the offsets that make ids global and dense.
    """
    parts = df.sparkSession.conf.get("spark.sql.shuffle.partitions")
    cols = [order_col] if isinstance(order_col, str) else list(order_col)
    ordered = (
        df.repartitionByRange(int(parts), *cols)
        .sortWithinPartitions(*cols)
        .withColumn("_part", F.spark_partition_id())
        .withColumn("_mono", F.monotonically_increasing_id())
        .persist()  # the ids below must come from this exact partitioning
    )
    counts = dict(ordered.groupBy("_part").count().collect())
    offsets, total = [], 0
    for p in range(max(counts, default=-1) + 1):
        offsets.append(total)
        total += counts.get(p, 0)
    base = F.element_at(
        F.array(*[F.lit(o) for o in offsets or [0]]).cast("array<long>"), F.col("_part") + 1
    )
    local = F.col("_mono") - F.col("_part").cast("long") * (1 << 33)
    return ordered.withColumn(id_col, (base + local).cast("int")).drop("_part", "_mono").persist()


def _most_frequent(raws: DataFrame, group: list[str], choice: str) -> DataFrame:
    """Per group, the ``choice`` value with most rows; ties go to the first created."""
    totals = raws.groupBy(*group, choice).agg(
        F.sum("rows").alias("n"), F.min("rfirst").alias("rfirst")
    )
    w = Window.partitionBy(*group).orderBy(F.desc("n"), F.asc("rfirst"))
    return (
        totals.withColumn("pick", F.row_number().over(w)).where("pick = 1").select(*group, choice)
    )
