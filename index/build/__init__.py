"""Build an index file from a corpus: neighbours (exact or MinHash + LSH), then SQLite.

One module per piece: :mod:`~index.build.minhash` (signatures), :mod:`~index.build.lsh`
(banding and candidates), :mod:`~index.build.exact` (the exact kernel, also the reference),
:mod:`~index.build.topk` (keeping the best K), :mod:`~index.build.store` and
:mod:`~index.build.search_tables` (writing the file), :mod:`~index.build.pipeline` (the one
path a build takes, timed stage by stage) and :mod:`~index.build.demo` (the bundled demo
dataset). The Spark engine lives in :mod:`index.spark`.
"""

from index.build.pipeline import (
    METHODS,
    BuildSummary,
    build_index,
    build_meta,
    ensure_demo_index,
)

__all__ = ["METHODS", "BuildSummary", "build_index", "build_meta", "ensure_demo_index"]
