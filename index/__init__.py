"""songsim's index library: build a song-neighbour index from playlists, and read it.

No Discord in here: the bot (``bot/``) imports this package, never the reverse.

The stages, one subpackage each, in the order data flows through them:

- :mod:`index.ingest` reads a dataset (Zenodo CSV, MPD JSON, generic CSV, Yes.com) into a
  :class:`~index.corpus.Corpus`;
- :mod:`index.build` computes each track's neighbours (exact Jaccard or MinHash + LSH,
  locally or on Spark, see :mod:`index.spark`) and writes the SQLite file; every setting
  and its default is one :class:`BuildOptions`;
- :mod:`index.read` opens that file and answers (:class:`SongIndex`);
- :mod:`index.quality` measures the answers (recall against exact, held-out playlists).

:mod:`index.schema` holds the file's tables, :mod:`index.model` the typed results the read
API returns, :mod:`index.names` the name rules every stage shares.

The names below are the public face. They are loaded on first use (PEP 562), so that
``import index`` stays cheap for commands that need only one stage.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from index.schema import SCHEMA_VERSION

_PUBLIC = {
    "SongIndex": "index.read",
    "IndexOpenError": "index.read",
    "build_index": "index.build",
    "BuildOptions": "index.build",
    "ensure_demo_index": "index.build",
    "BuildSummary": "index.build",
    "read_dataset": "index.ingest",
    "detect_format": "index.ingest",
    "FORMATS": "index.ingest",
    "Corpus": "index.corpus",
    "DatasetError": "index.corpus",
    "Artist": "index.model",
    "Track": "index.model",
    "Recommendation": "index.model",
    "Answer": "index.model",
    "Resolution": "index.model",
    "ArtistScore": "index.model",
    "Why": "index.model",
    "IndexStats": "index.model",
}

__all__ = [
    "SCHEMA_VERSION",
    "SongIndex",
    "IndexOpenError",
    "build_index",
    "BuildOptions",
    "ensure_demo_index",
    "BuildSummary",
    "read_dataset",
    "detect_format",
    "FORMATS",
    "Corpus",
    "DatasetError",
    "Artist",
    "Track",
    "Recommendation",
    "Answer",
    "Resolution",
    "ArtistScore",
    "Why",
    "IndexStats",
]

if TYPE_CHECKING:
    from index.build import BuildOptions, BuildSummary, build_index, ensure_demo_index
    from index.corpus import Corpus, DatasetError
    from index.ingest import FORMATS, detect_format, read_dataset
    from index.model import (
        Answer,
        Artist,
        ArtistScore,
        IndexStats,
        Recommendation,
        Resolution,
        Track,
        Why,
    )
    from index.read import IndexOpenError, SongIndex


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
