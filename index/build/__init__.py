"""Build an index file from a corpus: neighbours (exact or MinHash + LSH), then SQLite.

One module per piece: :mod:`~index.build.options` (every setting and its default),
:mod:`~index.build.minhash` (signatures), :mod:`~index.build.lsh` (the LSH plan) with
:mod:`~index.build.lsh_bands` (signatures into buckets) and
:mod:`~index.build.lsh_candidates` (a query's candidates and their exact re-rank),
:mod:`~index.build.exact` (the exact kernel, also the reference), :mod:`~index.build.topk`
(keeping the best K), :mod:`~index.build.output` (whether the output file may be
replaced), :mod:`~index.build.store`, :mod:`~index.build.corpus_tables`,
:mod:`~index.build.parallel_write` and :mod:`~index.build.search_tables` (writing the file,
the corpus half beside the scan; :mod:`~index.build.neighbour_rows` and :mod:`~index.build.json_text` hand
the rows to SQLite as JSON text), :mod:`~index.build.pipeline` (``build_index``: the one path a build
takes, timed stage by stage, or the Spark engine in :mod:`index.spark`) and
:mod:`~index.build.demo` (the bundled demo dataset).

The names below are loaded on first use (PEP 562), so that importing
:class:`BuildOptions` for a command line's defaults does not load the build itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_PUBLIC = {
    "BuildOptions": "index.build.options",
    "DEFAULTS": "index.build.options",
    "ENGINES": "index.build.options",
    "METHODS": "index.build.options",
    "BuildSummary": "index.build.summary",
    "build_index": "index.build.pipeline",
    "build_meta": "index.build.summary",
    "ensure_demo_index": "index.build.pipeline",
}

__all__ = [
    "BuildOptions",
    "DEFAULTS",
    "ENGINES",
    "METHODS",
    "BuildSummary",
    "build_index",
    "build_meta",
    "ensure_demo_index",
]

if TYPE_CHECKING:
    from index.build.options import DEFAULTS, ENGINES, METHODS, BuildOptions
    from index.build.pipeline import build_index, ensure_demo_index
    from index.build.summary import BuildSummary, build_meta


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'index.build' has no attribute {name!r}")
