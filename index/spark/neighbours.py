"""Top-K neighbours on Spark: identical-set classes, a cheap/expensive plan, MinHash bands,
exact re-rank, expansion to tracks. Same rules as ``index.lsh`` (read its module doc):

1. **classes**: tracks in at least ``min_shared`` playlists, grouped by identical playlist
   set (class id = smallest member), so a 40,000-track "Starred" playlist's one-off tracks
   become one class instead of flooding every bucket.
2. **plan**: a query class whose exact scan (the classes in its playlists, its longest
   playlist skipped when that has ``MIN_BIG`` classes or more and ``min_shared >= 2``) costs
   at most ``exact_below`` gets every co-occurring class as a candidate: exact and complete.
3. **signatures**: datasketch-compatible MinHash (``index.minhash.minhash_signatures``,
   the same permutations and element hashes) computed per partition with numba.
4. **bands**: one band per permutation (``rows_per_band = 1``), so a pair collides in a
   band with probability J — what low-Jaccard top-K needs. Spark ML's ``MinHashLSH`` is
   not used: it ORs single hash tables (no control of how many bands a pair shares, so no
   way to rank candidates before scoring) and its ``approxSimilarityJoin`` emits every
   pair inside a bucket, which on a popular playlist is quadratic in its length.
   Here a bucket larger than ``bucket_cap`` only pairs each query with the ``bucket_cap``
   members nearest to it in set size (J(a, b) <= min/max of the sizes).
5. **candidates**: per query, the ``rerank`` classes sharing most bands.
6. **re-rank**: exact Jaccard from the two sets (``size(array_intersect)``; IEEE division
   in Java gives the same doubles as numpy), top ``k`` classes per query by (Jaccard desc,
   shared desc, class asc), then expanded to tracks: own class first (Jaccard 1), each
   track's list without itself, ranks 1..k.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from index.exact import MIN_BIG
from index.minhash import element_hashes, minhash_signatures

DEFAULT_NUM_PERM = 128
DEFAULT_BUCKET_CAP = 256  # as index.lsh: 64 loses ~0.12 recall@10 on synthetic data
DEFAULT_RERANK_FACTOR = 3
DEFAULT_EXACT_BELOW = 20_000


def spark_neighbours(
    memberships: DataFrame,
    n_playlists: int,
    *,
    k: int = 30,
    min_playlists: int = 2,
    min_shared: int = 2,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = 1,
    bucket_cap: int = DEFAULT_BUCKET_CAP,
    rerank: int | None = None,
    exact_below: int = DEFAULT_EXACT_BELOW,
) -> tuple[DataFrame, dict[str, object]]:
    """Neighbour rows ``(track, rank, neighbour, jaccard, shared)`` and the engine params.

    ``memberships`` holds distinct ``(track, playlist)`` pairs with 0-based ids.
    """
    if k < 1 or min_playlists < 1 or min_shared < 1:
        raise ValueError("k, min_playlists and min_shared must be at least 1")
    rerank = DEFAULT_RERANK_FACTOR * k if rerank is None else max(int(rerank), k)
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

    # -- exact candidates: every class co-occurring in a non-skipped playlist
    exact_q = plan.where("exact").select("cls")
    q_pls = with_len.where(~F.col("skipped")).select("cls", "playlist").join(exact_q, "cls")
    holders = cls_pl.select(F.col("cls").alias("cand"), "playlist")
    exact_cands = (
        q_pls.join(holders, "playlist")
        .where(F.col("cls") != F.col("cand"))
        .select("cls", "cand")
        .distinct()
    )

    # -- LSH candidates for the expensive queries
    lsh_q = plan.where(~F.col("exact")).select("cls").withColumn("query", F.lit(True))
    n_lsh = lsh_q.count()
    if n_lsh:
        hashes = spark.sparkContext.broadcast(element_hashes(n_playlists))
        bands = (
            classes.select("cls", F.col("size").cast("int").alias("size"), "pls")
            .join(lsh_q, "cls", "left")
            .fillna(False, ["query"])
            .mapInArrow(
                lambda batches: _band_batches(batches, hashes.value, num_perm, seed),
                "band INT, value LONG, cls INT, size INT, query BOOLEAN",
            )
        )
        pairs = bucket_pairs(bands, bucket_cap)
        counted = pairs.groupBy("cls", "cand").agg(F.count("*").alias("bands"))
        w_c = Window.partitionBy("cls").orderBy(F.desc("bands"), F.asc("cand"))
        lsh_cands = (
            counted.withColumn("r", F.row_number().over(w_c))
            .where(F.col("r") <= rerank)
            .select("cls", "cand")
        )
        cands = exact_cands.unionByName(lsh_cands)
    else:
        cands = exact_cands

    # -- exact re-rank, top k classes
    qa = classes.select("cls", F.col("size").alias("size_a"), F.col("pls").alias("pa"))
    cb = classes.select(
        F.col("cls").alias("cand"), F.col("size").alias("size_b"), F.col("pls").alias("pb")
    )
    scored = (
        cands.join(qa, "cls")
        .join(cb, "cand")
        .withColumn("shared", F.size(F.array_intersect("pa", "pb")))
        .where(F.col("shared") >= min_shared)
        .withColumn(
            "jaccard",
            F.col("shared").cast("double")
            / (F.col("size_a") + F.col("size_b") - F.col("shared")).cast("double"),
        )
        .select("cls", "cand", "jaccard", "shared")
    )
    w_top = Window.partitionBy("cls").orderBy(F.desc("jaccard"), F.desc("shared"), F.asc("cand"))
    top_cls = scored.withColumn("r", F.row_number().over(w_top)).where(F.col("r") <= k)

    # -- expand: a class's list of k+1 tracks (own members first), then each member's top k
    head = classes.select("cls", "size", F.slice("members", 1, k + 1).alias("head"), "members")
    own = head.join(plan.select("cls"), "cls").select(
        "cls",
        F.explode("head").alias("nb"),
        F.lit(1.0).alias("jaccard"),
        F.col("size").cast("int").alias("shared"),
    )
    others = top_cls.join(head.select(F.col("cls").alias("cand"), "head"), "cand").select(
        "cls", F.explode("head").alias("nb"), "jaccard", "shared"
    )
    w_list = Window.partitionBy("cls").orderBy(F.desc("jaccard"), F.desc("shared"), F.asc("nb"))
    lists = (
        own.unionByName(others)
        .withColumn("pos", F.row_number().over(w_list))
        .where(F.col("pos") <= k + 1)
    )
    queries = head.join(plan.select("cls"), "cls").select(
        "cls", F.explode("members").alias("track")
    )
    w_rank = Window.partitionBy("track").orderBy("pos")
    rows = (
        queries.join(lists, "cls")
        .where(F.col("track") != F.col("nb"))
        .withColumn("rank", F.row_number().over(w_rank))
        .where(F.col("rank") <= k)
        .select(
            F.col("track").cast("int"),
            F.col("rank").cast("int"),
            F.col("nb").cast("int").alias("neighbour"),
            "jaccard",
            F.col("shared").cast("int"),
        )
    )
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
    }
    return rows, params


def _band_batches(batches, hashes: np.ndarray, num_perm: int, seed: int):
    """MinHash Arrow batches of classes; yield ``(band, value, cls, size, query)`` batches.

    The playlist ids are renumbered per batch so the CSR stays small; ``hashes`` of the
    global ids are passed along, so signatures equal ``index.minhash`` (and datasketch).
    Arrow in and out: 128 rows per class would be slow to pickle one by one.
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
        yield pa.record_batch(
            {
                "band": pa.array(np.tile(np.arange(num_perm, dtype=np.int32), n)),
                "value": pa.array(sig.astype(np.int64).ravel()),
                "cls": pa.array(np.repeat(batch.column("cls").to_numpy(), num_perm)),
                "size": pa.array(np.repeat(batch.column("size").to_numpy(), num_perm)),
                "query": pa.array(
                    np.repeat(batch.column("query").to_numpy(zero_copy_only=False), num_perm)
                ),
            }
        )


def bucket_pairs(bands: DataFrame, bucket_cap: int) -> DataFrame:
    """``(cls, cand)`` rows: each query class paired with the members of its buckets.

    ``bands`` has ``(band, value, cls, size, query)``; a bucket is one ``(band, value)``.
    Members are ordered by (set size, class); a query pairs with the whole bucket when it
    has at most ``bucket_cap + 1`` members, else with the ``bucket_cap`` nearest to it in
    that order (J(a, b) <= min/max of the set sizes, so far-off sizes cannot be near
    neighbours). All in the JVM: one row per (query, position), no Python.
    """
    w = Window.partitionBy("band", "value")
    ranked = (
        bands.withColumn("pos", F.row_number().over(w.orderBy("size", "cls")) - 1)
        .withColumn("n", F.count("*").over(w))
        .withColumn("has_q", F.max(F.col("query").cast("int")).over(w))
        .where("n > 1 AND has_q = 1")
        .select("band", "value", "pos", "n", "cls", "query")
        .persist()
    )
    lo0 = F.greatest(F.lit(0), F.col("pos") - bucket_cap // 2)
    hi = F.least(F.col("n"), lo0 + bucket_cap + 1)
    lo = F.greatest(F.lit(0), hi - bucket_cap - 1)
    windows = ranked.where("query").select(
        "band",
        "value",
        "cls",
        F.col("pos").alias("qpos"),
        F.explode(F.sequence(lo, hi - 1)).alias("pos"),
    )
    return (
        windows.where(F.col("pos") != F.col("qpos"))
        .hint("merge")  # both sides can be large; never broadcast either
        .join(
            ranked.select("band", "value", "pos", F.col("cls").alias("cand")).hint("merge"),
            ["band", "value", "pos"],
        )
        .select("cls", "cand")
    )
