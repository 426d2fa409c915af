"""What a second reader of one file hands back, and how it is added as if read in order.

A large Zenodo file is read on two cores (:func:`index.ingest.zenodo.read_zenodo`): a forked
process reads the second half into a :class:`KeysOnly` builder, which numbers the raw
spellings it meets and keeps nothing else of them, and hands back a :class:`Tail`. The
reading process then registers the tail's new spellings and playlists in the order the
second reader met them, after its own, so every id is the one a read in order would give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.ingest.assemble import as_array
from index.ingest.rows import CorpusBuilder
from index.names import normalise_name


class KeysOnly(CorpusBuilder):
    """A second reader's builder: the reading process registers each spelling anyway when
    it merges, so this one only numbers them (faster, and smaller). A title that
    normalises to nothing is refused here as it is there."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._valid = 0

    def new_raw_track(self, artist: str, title: str, key: object, mbid: str | None = None) -> int:
        rid = self.raw_ids[key] = self._valid if normalise_name(title) else -1
        self._valid += rid >= 0
        return rid


@dataclass
class Tail:
    """What the second reader met, in the order it met it (pickles as a few buffers)."""

    keys: list[object]  # raw keys of its raw ids, in id order
    playlists: list[tuple[object, str]]  # (key, display name) of its playlist ids
    row_raw: bytes
    row_playlist: bytes
    malformed: int
    malformed_lines: list[int]  # counted from the start of its part
    malformed_examples: list[str]
    not_utf8: int = 0

    @classmethod
    def of(cls, b: CorpusBuilder) -> Tail:
        """A second reader's builder, once it has read its part."""
        rep = b.report
        return cls(
            keys=[k for k, v in b.raw_ids.items() if v >= 0],
            playlists=[(k, b.playlist_names[v]) for k, v in b.playlist_ids.items()],
            row_raw=b.row_raw.tobytes(),
            row_playlist=b.row_playlist.tobytes(),
            malformed=rep.rows_malformed,
            malformed_lines=rep.malformed_lines,
            malformed_examples=rep.malformed_examples,
            not_utf8=rep.rows_not_utf8,
        )

    def merge_into(
        self, b: CorpusBuilder, new_key: Callable[[object], int], lines_before: int
    ) -> None:
        """Add this part after what ``b`` read: keys it has not seen registered by
        ``new_key`` in the order they were met, then the playlists, the rows, and the
        malformed rows numbered on from the ``lines_before`` physical lines before it."""
        raw_get = b.raw_ids.get
        raw_map = np.empty(len(self.keys), dtype=np.int32)
        for i, key in enumerate(self.keys):
            rid = raw_get(key)
            raw_map[i] = new_key(key) if rid is None else rid
        pl_map = np.array([b.playlist_id(k, name) for k, name in self.playlists], dtype=np.int32)
        if self.row_raw:
            b.row_raw.frombytes(raw_map[as_array(self.row_raw)].tobytes())
            b.row_playlist.frombytes(pl_map[as_array(self.row_playlist)].tobytes())
        b.report.add_part(
            self.malformed, self.malformed_lines, self.malformed_examples, lines_before,
            self.not_utf8, b.label or b.report.source,
        )  # fmt: skip
