"""Read an index file and answer: resolve text to a song, autocomplete, neighbours, mixes.

:class:`~index.read.api.SongIndex` is the one object callers hold. It is an
:class:`~index.read.tables.IndexFile` (the file, opened by :mod:`~index.read.connect`,
and its rows) with the read API on top. The modules beside it each answer one kind of
question over an :class:`~index.read.tables.IndexFile` (:mod:`~index.read.resolve` with
:mod:`~index.read.word_index`, :mod:`~index.read.autocomplete`,
:mod:`~index.read.recommend` with :mod:`~index.read.neighbours` and
:mod:`~index.read.fallback`, :mod:`~index.read.explain`) or rank and page what is shown
(:mod:`~index.read.ranking`, :mod:`~index.read.present`). Only :mod:`~index.read.api`
imports them all; none of them imports it back.
"""

from index.read.api import IndexOpenError, SongIndex, UnknownIdError

__all__ = ["IndexOpenError", "SongIndex", "UnknownIdError"]
