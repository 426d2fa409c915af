"""Distributed ListenBrainz ingest: one task per ``.listens`` file, merged in DataFrames.

Each task reads one file of a dump folder with the local reader's own code
(:mod:`index.spark.listen_split`); the driver never reads a listen. The merge then does
with DataFrame operations what :meth:`index.ingest.CorpusBuilder.build` does in memory:

* **creation order.** Song names, artists and spellings are ordered by the smallest
  ``(file, local id)`` where they were made, the order the local reader meets them;
* **identity** (:mod:`index.ingest.identity`): a spelling with a recording MBID is that
  recording; one without joins the MBID its normalised (artist, title) carries on most
  listens (ties: the smallest MBID); else it is its own song. Songs are numbered by
  (first name, first spelling); a song's artist, title and an artist's name are the most
  frequent by listens, ties to the spelling made first; URI and ISRC the most frequent,
  ties to the first listen that carried one;
* **sessions** (:mod:`index.ingest.sessions`): a window per user ordered by time, where a
  gap strictly over ``session_gap`` starts a new session (``lag`` and a running sum);
  sessions are numbered by (start, user rank), users ranked by key (ids numerically, then
  names). A session is a playlist named "listening session" dated by its start;
* **memberships**: distinct (song, session).

Spellings that differ only in what the merge never looks at (the raw MBID text of a
listen whose MBID is not valid, or blanks the reader strips) are one spelling here:
they agree on everything every rule above reads, so the result is the same.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from index.corpus import DatasetError, IngestReport, SourceInfo
from index.ingest import listen_files as lf
from index.ingest.rows import SESSION_NAME
from index.spark.ingest import ORDER_SHIFT, SparkCorpus, _dense_ids
from index.spark.listen_split import FORMAT, FilePart, ListenFile, write_listen_tables
from index.spark.session import label_stages

SPELL = ["akey", "ntitle", "title", "spelling", "mbid"]  # one spelling; mbid "" = none
SONG = ["k0", "k1", "k2"]  # a song: (MBID, "", "") or ("", artist key, title key)
USER = ["uname", "unum", "utext"]  # a listener's key, ranked in this column order


def source_names(paths: Sequence[str | Path]) -> list[str]:
    """Each input's name, as the local build names its sources."""
    return [Path(p).resolve().name or str(p) for p in paths]


def listen_jobs(paths: Sequence[str | Path]) -> list[ListenFile]:
    """Every listens file of the dump folders ``paths``, in the local reader's order."""
    jobs: list[ListenFile] = []
    for k, (path, name) in enumerate(zip(paths, source_names(paths), strict=True)):
        folder = Path(path)
        files = lf.folder_files(folder)
        if not files:
            raise DatasetError(
                f"No ListenBrainz listens files (listens/YYYY/M.listens) in {folder}."
            )
        jobs += [
            ListenFile(len(jobs) + i, k, name, str(p.resolve()), p.relative_to(folder).as_posix())
            for i, p in enumerate(files)
        ]
    return jobs


def ingest_listens(
    spark: SparkSession, paths: Sequence[str | Path], work_dir: str | Path, session_gap: int
) -> SparkCorpus:
    """Read dump folders ``paths`` file by file in Spark tasks and merge them (module doc).

    Tasks write their tables under ``work_dir/listen-files``, which (like the dump) must be
    reachable at the same path from every executor.
    """
    jobs = listen_jobs(paths)
    out = str(Path(work_dir) / "listen-files")
    shutil.rmtree(out, ignore_errors=True)  # tables of an earlier run must not mix in
    label_stages(spark, "listens: read files")
    parts = (
        spark.sparkContext.parallelize(jobs, len(jobs))
        .map(lambda job: write_listen_tables(job, out))
        .collect()
    )
    report = merge_reports(paths, parts)

    def table(name: str) -> DataFrame:
        return spark.read.parquet(f"{out}/{name}")

    label_stages(spark, "listens: songs")
    tracks, artists, raw_song = _songs(table("spell"), table("uri"), table("isrc"))
    label_stages(spark, "listens: sessions")
    playlists, memberships = _sessions(table("listen"), raw_song, session_gap)
    label_stages(spark, None)
    return SparkCorpus(tracks, artists, playlists, memberships, report, len(jobs))


def merge_reports(paths: Sequence[str | Path], parts: list[FilePart]) -> IngestReport:
    """One report, as the local build counts it: per input its listens and newest listen."""
    names = source_names(paths)
    rep = IngestReport(source=" + ".join(names), format=FORMAT)
    rep.sources = [SourceInfo(name=n, format=FORMAT) for n in names]
    listens = 0
    for p in sorted(parts, key=lambda p: p.f):
        src = rep.sources[p.source]
        src.rows += p.listens
        if p.newest is not None:
            src.newest = p.newest if src.newest is None else max(src.newest, p.newest)
        listens += p.listens
        rep.rows_malformed += p.malformed
        room = IngestReport.MAX_EXAMPLES - len(rep.malformed_lines)
        rep.malformed_lines += p.malformed_lines[: max(room, 0)]
        rep.malformed_examples += p.malformed_examples[: max(room, 0)]
    rep.rows_read = listens + rep.rows_malformed
    for path, src in zip(paths, rep.sources, strict=True):
        if src.rows == 0:
            bad = sum(p.malformed for p in parts if rep.sources[p.source] is src)
            raise DatasetError(
                f"{path} has no usable rows read as {FORMAT}: {bad} row(s), {bad} malformed. "
                "Is it in that format?"
            )
    return rep


def _order(local: str) -> Column:
    """``(file, local id)`` as one sortable long."""
    return F.col("f").cast("long") * ORDER_SHIFT + F.col(local)


def _pick(df: DataFrame, group: list[str], order: list[Column]) -> DataFrame:
    """The first row of each ``group`` by ``order``."""
    w = Window.partitionBy(*group).orderBy(*order)
    return df.withColumn("_pick", F.row_number().over(w)).where("_pick = 1").drop("_pick")


def _most(df: DataFrame, group: list[str], choice: str, first: str = "ro") -> DataFrame:
    """Per group, the ``choice`` with most rows (``rows``); ties to the smallest ``first``."""
    totals = df.groupBy(*group, choice).agg(F.sum("rows").alias("n"), F.min(first).alias("o"))
    return _pick(totals, group, [F.desc("n"), F.asc("o")]).select(*group, choice)


def _songs(spell: DataFrame, uri: DataFrame, isrc: DataFrame):
    """(tracks, artists, (f, rid) → track) from the files' spellings (module doc)."""
    sp = spell.select(
        "f",
        "rid",
        "akey",
        "ntitle",
        "title",
        "spelling",
        F.coalesce("mbid", F.lit("")).alias("mbid"),
        "rows",
        _order("rid").alias("ro"),
        _order("nid").alias("no"),
        _order("aid").alias("ao"),
    )
    # Each file's spelling learns its global one (``sid``: the first made) and its listens
    # in every file in one pass, so files' spellings map to songs by a number, not by text.
    same = Window.partitionBy(*SPELL)
    sp = (
        sp.withColumn("sid", F.min("ro").over(same))
        .withColumn("srows", F.sum("rows").over(same))
        .persist()
    )
    name_order = sp.groupBy("akey", "ntitle").agg(F.min("no").alias("no"))
    artist_order = sp.groupBy("akey").agg(F.min("ao").alias("ao"))
    used = (
        sp.where("ro = sid AND srows > 0")
        .select(*SPELL, "ro", F.col("srows").alias("rows"))
        .join(name_order, ["akey", "ntitle"])
    )

    # Identity: own MBID, else the name's majority MBID (ties: smallest), else the name.
    best = _most(used.where("mbid != ''"), ["akey", "ntitle"], "mbid", first="mbid")
    k0 = F.when(F.col("mbid") != "", F.col("mbid")).otherwise(F.coalesce("best", F.lit("")))
    keyed = (
        used.join(best.withColumnRenamed("mbid", "best"), ["akey", "ntitle"], "left")
        .withColumn("k0", k0)
        .withColumn("k1", F.when(F.col("k0") == "", F.col("akey")).otherwise(F.lit("")))
        .withColumn("k2", F.when(F.col("k0") == "", F.col("ntitle")).otherwise(F.lit("")))
        .persist()  # read again after the songs are numbered
    )
    firsts = (
        keyed.groupBy(*SONG)
        .agg(F.min(F.struct("no", "ro")).alias("m"))
        .select(*SONG, F.col("m.no").alias("no"), F.col("m.ro").alias("ro"))
    )
    song_ids = _dense_ids(firsts, ["no", "ro"], "track")
    spelled = keyed.join(song_ids.select(*SONG, "track"), SONG).persist()

    track_artist = _most(spelled, ["track"], "akey")
    artist_ids = _dense_ids(
        track_artist.select("akey").distinct().join(artist_order, "akey"), "ao", "artist"
    )
    # An artist's name counts only the spellings of its own (normalised) name.
    own = spelled.join(artist_ids.select("akey"), "akey")
    artists = artist_ids.join(_most(own, ["akey"], "spelling"), "akey").select(
        "artist", F.col("spelling").alias("name")
    )
    raw_song = (
        sp.select("f", "rid", "sid")
        .join(spelled.select(F.col("ro").alias("sid"), "track"), "sid")
        .select("f", "rid", "track")
        .persist()
    )

    def per_track(pairs: DataFrame, name: str) -> DataFrame:
        rows = pairs.join(raw_song, ["f", "rid"]).select(
            "track", "value", F.col("n").alias("rows"), _order("pos").alias("first")
        )
        return _most(rows, ["track"], "value", first="first").withColumnRenamed("value", name)

    tracks = (
        song_ids.select("track", F.when(F.col("k0") != "", F.col("k0")).alias("mbid"))
        .join(track_artist.join(artist_ids.select("akey", "artist"), "akey"), "track")
        .join(_most(spelled, ["track"], "title"), "track")
        .join(per_track(uri, "uri"), "track", "left")
        .join(per_track(isrc, "isrc"), "track", "left")
        .select("track", "artist", "title", "uri", "mbid", "isrc")
    )
    return tracks, artists, raw_song


def _sessions(listen: DataFrame, raw_song: DataFrame, gap: int) -> tuple[DataFrame, DataFrame]:
    """(playlists, memberships) of the listening sessions (module doc).

    The window partitions the listens by their listener's key itself: the users' ranks
    are needed only to number the sessions, so only sessions (not listens) join them.
    """
    w = Window.partitionBy(*USER).orderBy("ts")
    prev = F.lag("ts").over(w)
    new = F.when(prev.isNull() | (F.col("ts") - prev > gap), 1).otherwise(0)
    cut = (
        listen.withColumn("new", new)
        .withColumn("sn", F.sum("new").over(w.rowsBetween(Window.unboundedPreceding, 0)))
        .select("f", "rid", *USER, "sn", "ts")
        .persist()
    )
    sessions = cut.groupBy(*USER, "sn").agg(F.min("ts").alias("start")).persist()
    ranks = _dense_ids(sessions.select(*USER).distinct(), USER, "urank")
    session_ids = _dense_ids(sessions.join(ranks, USER), ["start", "urank"], "playlist")
    playlists = session_ids.select(
        "playlist", F.lit(SESSION_NAME).alias("name"), F.col("start").alias("date")
    )
    memberships = (
        cut.join(raw_song, ["f", "rid"])
        .select("track", *USER, "sn")
        .distinct()
        .join(session_ids.select(*USER, "sn", "playlist"), [*USER, "sn"])
        .select("track", "playlist")
        .distinct()
    )
    return playlists, memberships
