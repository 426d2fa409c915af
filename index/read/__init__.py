"""Read an index file and answer: resolve text to a song, autocomplete, neighbours, mixes.

:class:`~index.read.api.SongIndex` is the one object callers hold; the modules beside it
each answer one kind of question over it (:mod:`~index.read.resolve`,
:mod:`~index.read.autocomplete`, :mod:`~index.read.recommend`) or rank and page what is
shown (:mod:`~index.read.ranking`, :mod:`~index.read.present`).
"""

from index.read.api import IndexOpenError, SongIndex, UnknownIdError

__all__ = ["IndexOpenError", "SongIndex", "UnknownIdError"]
