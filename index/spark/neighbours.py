"""Top-K neighbours on Spark: identical-set classes, a cheap/expensive plan, MinHash bands,
exact re-rank, expansion to tracks. Same rules as ``index.build.lsh`` (read its module doc):

1. **classes**: tracks in at least ``min_shared`` playlists, grouped by identical playlist
   set (class id = smallest member), so a 40,000-track "Starred" playlist's one-off tracks
   become one class instead of flooding every bucket.
2. **plan**: a query class whose exact scan (the classes in its playlists, its longest
   playlist skipped when that has ``MIN_BIG`` classes or more and ``min_shared >= 2``) costs
   at most ``exact_below`` (the local engine's default) is scanned exactly: queries are
   split into groups, each group shipped with the member lists of the playlists it
   touches, and scored in one Spark task by the local exact kernel (``tasks``).
3. **signatures**: datasketch-compatible MinHash (``index.build.minhash.minhash_signatures``,
   the same permutations and element hashes) computed per partition with numba.
4. **bands**: one band per permutation (``rows_per_band = 1``), so a pair collides in a
   band with probability J — what low-Jaccard top-K needs. Spark ML's ``MinHashLSH`` is
   not used: it ORs single hash tables (no control of how many bands a pair shares, so no
   way to rank candidates before scoring) and its ``approxSimilarityJoin`` emits every
   pair inside a bucket, which on a popular playlist is quadratic in its length.
   Here a bucket larger than ``bucket_cap`` only pairs each query with the ``bucket_cap``
   members nearest to it in set size (J(a, b) <= min/max of the sizes).
5. **candidates**: per query, the ``rerank`` classes sharing most bands.
6. **re-rank**: each group of LSH queries is shipped with its candidates' playlist sets
   and scored exactly in one task (float64 division, as numpy everywhere), top ``k``
   classes per query by (Jaccard desc, shared desc, class asc); then expanded to tracks:
   own class first (Jaccard 1), each track's list without itself, ranks 1..k.
7. **extras**: the tasks also return each query class's ``extras`` best other classes by
   shared playlists (:mod:`index.build.extras`); a track with a full top ``k`` then gets,
   at ranks k+1.., the ``extras`` best tracks by (shared, Jaccard, id) of its own class,
   its top classes and those extra classes that are not already listed, as locally.

Rows carrying playlist arrays per candidate pair through joins (the first version) cost
100x more; Spark here only moves and groups data, the scoring is numba inside tasks.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from index.build.exact import MIN_BIG
from index.build.minhash import element_hashes, minhash_signatures

# The build's defaults, shared with the local engine, so both plan the same queries alike.
from index.build.options import DEFAULTS, RERANK_FACTOR
from index.spark.tasks import (
    TOP_SCHEMA,
    bucket_window_task,
    exact_scan_task,
    rerank_task,
    top_candidates_task,
)


def spark_neighbours(
    memberships: DataFrame,
    n_playlists: int,
    *,
    k: int = DEFAULTS.k,
    min_playlists: int = DEFAULTS.min_playlists,
    min_shared: int = DEFAULTS.min_shared,
    num_perm: int = DEFAULTS.num_perm,
    seed: int = DEFAULTS.seed,
    bucket_cap: int = DEFAULTS.bucket_cap,
    rerank: int | None = DEFAULTS.rerank,
    exact_below: int = DEFAULTS.exact_below,
    extras: int = DEFAULTS.extras,
) -> tuple[DataFrame, dict[str, object]]:
    """Neighbour rows ``(track, rank, neighbour, jaccard, shared)`` and the engine params.

    ``memberships`` holds distinct ``(track, playlist)`` pairs with 0-based ids.
    """
    if k < 1 or min_playlists < 1 or min_shared < 1:
        raise ValueError("k, min_playlists and min_shared must be at least 1.")
    m = max(int(extras), 0)
    rerank = RERANK_FACTOR * k if rerank is None else max(int(rerank), k)
    q_min = max(min_playlists, min_shared, 1)
    spark = memberships.sparkSession

    sets = (
        memberships.groupBy("track")
        .agg(F.array_sort(F.collect_list("playlist")).alias("pls"))
        .withColumn("size", F.size("pls"))
        .where(F.col("size") >= max(min_shared, 1))
    )
    classes = (
        sets.groupBy("pls")
        .agg(F.array_sort(F.collect_list("track")).alias("members"), F.first("size").alias("size"))
        .withColumn("cls", F.col("members")[0])
        .select("cls", "size", "pls", "members")
        .persist()
    )

    # -- plan: scan cost = classes met through the query's playlists (longest big one skipped)
    cls_pl = classes.select("cls", "size", F.posexplode("pls").alias("pos", "playlist"))
    pl_len = cls_pl.groupBy("playlist").agg(F.count("*").alias("len"))
    with_len = cls_pl.join(pl_len, "playlist")
    w_long = Window.partitionBy("cls").orderBy(F.desc("len"), F.asc("playlist"))
    with_len = with_len.withColumn("lrank", F.row_number().over(w_long))
    skip_big = (F.col("lrank") == 1) & (F.col("len") >= MIN_BIG) & F.lit(min_shared >= 2)
    with_len = with_len.withColumn("skipped", skip_big).persist()
    cost = with_len.where(~F.col("skipped")).groupBy("cls").agg(F.sum("len").alias("cost"))
    plan = (
        classes.select("cls", "size")
        .where(F.col("size") >= q_min)
        .join(cost, "cls", "left")
        .fillna(0, ["cost"])
        .withColumn("exact", F.col("cost") <= exact_below)
        .persist()
    )

    parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    group = (F.col("cls") % parts).alias("grp")
    no_list = F.array().cast("array<int>")

    # -- exact path: each group of cheap queries, with the member lists of the playlists
    # they touch, is scored in one task by the local exact kernel (index.spark.tasks).
    q_exact = classes.join(plan.where("exact").select("cls"), "cls")
    q_rows = q_exact.select(
        group, F.lit(0).alias("kind"), F.col("cls").alias("id"), F.col("pls").alias("a"),
        no_list.alias("b"),
    )  # fmt: skip
    pl_lists = cls_pl.groupBy("playlist").agg(
        F.array_sort(F.collect_list(F.struct("cls", "size"))).alias("m")
    )
    p_rows = (
        q_exact.select(group, F.explode("pls").alias("playlist"))
        .distinct()
        .join(pl_lists, "playlist")
        .select(
            "grp",
            F.lit(1).alias("kind"),
            F.col("playlist").alias("id"),
            F.col("m.cls").alias("a"),
            F.col("m.size").cast("array<int>").alias("b"),
        )  # fmt: skip
    )
    exact_top = (
        q_rows.unionByName(p_rows)
        .repartition(parts, "grp")
        .mapInArrow(lambda it: exact_scan_task(it, k, min_shared, m), TOP_SCHEMA)
    )

    # -- LSH path for the expensive queries: bands, bucket windows, band counts, re-rank
    lsh_q = plan.where(~F.col("exact")).select("cls").withColumn("query", F.lit(True))
    n_lsh = lsh_q.count()
    if n_lsh:
        hashes = spark.sparkContext.broadcast(element_hashes(n_playlists))
        schema = (
            "band INT, value ARRAY<LONG>, cls ARRAY<INT>, size ARRAY<INT>, query ARRAY<BOOLEAN>"
        )
        with_q = (
            classes.select("cls", F.col("size").cast("int").alias("size"), "pls")
            .join(lsh_q, "cls", "left")
            .fillna(False, ["query"])
        )

        def band_rows(df: DataFrame) -> DataFrame:
            return df.mapInArrow(
                lambda batches: _band_batches(batches, hashes.value, num_perm, seed), schema
            )

        bands = band_rows(with_q)
        cands = (
            bucket_windows(bands, bucket_cap, parts)
            .repartition(parts, "cls")
            .sortWithinPartitions("cls")
            .mapInArrow(lambda it: top_candidates_task(it, rerank), "cls INT, cands ARRAY<INT>")
            .persist()  # read twice below: the queries' rows and their candidates' rows
        )
        lq_rows = cands.join(classes.select("cls", "pls"), "cls").select(
            group, F.lit(0).alias("kind"), F.col("cls").alias("id"), F.col("pls").alias("a"),
            F.col("cands").alias("b"),
        )  # fmt: skip
        lc_rows = (
            cands.select(group, F.explode("cands").alias("cls"))
            .distinct()
            .join(classes.select("cls", "pls"), "cls")
            .select(
                "grp",
                F.lit(1).alias("kind"),
                F.col("cls").alias("id"),
                F.col("pls").alias("a"),
                no_list.alias("b"),
            )  # fmt: skip
        )
        lsh_top = (
            lq_rows.unionByName(lc_rows)
            .repartition(parts, "grp")
            .mapInArrow(lambda it: rerank_task(it, k, min_shared, m), TOP_SCHEMA)
        )
        top_cls = exact_top.unionByName(lsh_top)
    else:
        top_cls = exact_top

    # -- expand: a class's list of k+1 tracks (own members first), then each member's top k;
    # with extras, a pool of its k+1+m best tracks by shared count, less each track's own.
    width = k + 1 + m
    head = classes.select("cls", "size", F.slice("members", 1, width).alias("head"), "members")
    own = head.join(plan.select("cls"), "cls").select(
        "cls",
        F.explode("head").alias("nb"),
        F.lit(1.0).alias("jaccard"),
        F.col("size").cast("int").alias("shared"),
        F.lit(False).alias("extra"),
    )
    others = top_cls.join(head.select(F.col("cls").alias("cand"), "head"), "cand").select(
        "cls", F.explode("head").alias("nb"), "jaccard", "shared", "extra"
    )
    # One window ranks the class's top-k pool first (not extras), as the class's list.
    w_list = Window.partitionBy("cls").orderBy(
        F.asc("extra"), F.desc("jaccard"), F.desc("shared"), F.asc("nb")
    )
    pool = own.unionByName(others).withColumn("pos", F.row_number().over(w_list))
    lists = pool.where(~F.col("extra") & (F.col("pos") <= k + 1))
    queries = head.join(plan.select("cls"), "cls").select(
        "cls", F.posexplode("members").alias("mi", "track")
    )
    w_rank = Window.partitionBy("track").orderBy("pos")
    columns = [
        F.col("track").cast("int"),
        F.col("rank").cast("int"),
        F.col("nb").cast("int").alias("neighbour"),
        "jaccard",
        F.col("shared").cast("int"),
    ]
    rows = (
        queries.join(lists, "cls")
        .where(F.col("track") != F.col("nb"))
        .withColumn("rank", F.row_number().over(w_rank))
        .where(F.col("rank") <= k)
        .select(*columns)
    )
    if m:
        # Own members come first in the list (Jaccard 1), in id order: a track is listed iff
        # it is among its class's first k+1 members, and then its top k is the list less
        # itself, else the list's first k. A list of k+1 gives every member a full top k.
        # (No per-track join with the top rows: those are as large as the output.)
        listed = F.when(~F.col("extra") & (F.col("pos") <= k + 1), F.col("pos"))
        w_pool = Window.partitionBy("cls").orderBy(F.desc("shared"), F.desc("jaccard"), F.asc("nb"))
        ranked = (
            pool.withColumn("listed", listed)
            .withColumn("n_listed", F.count("listed").over(Window.partitionBy("cls")))
            .where(F.col("n_listed") == k + 1)
            .withColumn("epos", F.row_number().over(w_pool))
            .where(F.col("epos") <= width)
        )
        in_top = F.col("listed") <= F.when(F.col("mi") <= k, k + 1).otherwise(k)
        w_extra = Window.partitionBy("track").orderBy("epos")
        extra_rows = (
            queries.join(ranked, "cls")
            .where((F.col("track") != F.col("nb")) & (F.col("listed").isNull() | ~in_top))
            .withColumn("rank", F.row_number().over(w_extra) + k)
            .where(F.col("rank") <= k + m)
        )
        rows = rows.unionByName(extra_rows.select(*columns))
    params: dict[str, object] = {
        "engine": "spark",
        "num_perm": num_perm,
        "bands": num_perm,
        "rows_per_band": 1,
        "seed": seed,
        "bucket_cap": bucket_cap,
        "rerank": rerank,
        "exact_below": exact_below,
        "k": k,
        "min_playlists": min_playlists,
        "min_shared": min_shared,
        "lsh_queries": n_lsh,
        "extras": m,
    }
    return rows, params


def _band_batches(batches, hashes: np.ndarray, num_perm: int, seed: int):
    """MinHash Arrow batches of classes; yield one row per band: the batch's
    ``(value, cls, size, query)`` as lists.

    The playlist ids are renumbered per batch so the CSR stays small; ``hashes`` of the
    global ids are passed along, so signatures equal ``index.build.minhash`` (and datasketch).
    List rows, not one row per (band, class): the JVM then shuffles 128 rows per batch
    instead of 128 per class, and the bucket task sorts each band in numpy.
    """
    import pyarrow as pa

    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        pls = batch.column("pls")
        indptr = pls.offsets.to_numpy().astype(np.int64)
        indptr = indptr - indptr[0]
        flat = pls.flatten().to_numpy().astype(np.int64)  # flatten() honours slicing
        uniq, local = np.unique(flat, return_inverse=True)
        sig = minhash_signatures(
            indptr,
            local.astype(np.int32),
            np.arange(n),
            num_perm=num_perm,
            seed=seed,
            hashes=hashes[uniq],
        )
        offsets = pa.array(np.arange(num_perm + 1, dtype=np.int32) * n)

        def lists(values: np.ndarray, offsets=offsets):
            return pa.ListArray.from_arrays(offsets, pa.array(values))

        cls = batch.column("cls").to_numpy().astype(np.int32)
        size = batch.column("size").to_numpy().astype(np.int32)
        query = batch.column("query").to_numpy(zero_copy_only=False).astype(np.bool_)
        yield pa.record_batch(
            {
                "band": pa.array(np.arange(num_perm, dtype=np.int32)),
                "value": lists(np.ascontiguousarray(sig.T).astype(np.int64).ravel()),
                "cls": lists(np.tile(cls, num_perm)),
                "size": lists(np.tile(size, num_perm)),
                "query": lists(np.tile(query, num_perm)),
            }
        )


def bucket_windows(bands: DataFrame, bucket_cap: int, parts: int) -> DataFrame:
    """``(cls, cands)`` rows: each query class with the members of one of its buckets.

    ``bands`` has ``(band, value, cls, size, query)``, all but ``band`` as lists (rows of
    one band may be many); a bucket is one ``(band, value)``.
    Members are ordered by (set size, class); a query takes the whole bucket when it has
    at most ``bucket_cap + 1`` members, else the ``bucket_cap`` nearest to it in that order
    (J(a, b) <= min/max of the set sizes, so far-off sizes cannot be near neighbours).
    One shuffle by band, then a numba walk per band (``tasks.bucket_window_task``).
    """
    return (
        bands.repartition(parts, "band")
        .sortWithinPartitions("band")
        .mapInArrow(lambda it: bucket_window_task(it, bucket_cap), "cls INT, cands ARRAY<INT>")
    )
