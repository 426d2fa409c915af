"""The in-memory shape of a dataset after ingest, shared by every build stage.

Readers (``index.ingest``) produce a :class:`Corpus`; the similarity engines read its
CSR track→playlist matrix; ``index.build.store`` writes it to SQLite. Ids here are 0-based
array positions; the SQLite file uses ``position + 1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np


class DatasetError(Exception):
    """A dataset cannot be read (unknown format, unreadable file, or a bad row with --strict)."""


@dataclass
class SourceInfo:
    """One input of a build: what it was, and (for listens) how new its newest listen is."""

    name: str  # the file or folder name (never a full path: it goes into the index)
    format: str
    rows: int = 0  # rows (listens, playlist entries) it gave, malformed ones excluded
    newest: int | None = None  # unix seconds of its newest listen; None without timestamps


# An MPD row's report starts with where it is: "[input: ]file: pid 4 track 1: {...}".
_MPD_WHERE = re.compile(r"^(.*?: (?:pid \S+ track \d+|playlist #\d+)): ")
_LISTENS_FILE = re.compile(r"(\S+\.(?:listens|jsonl)): ")  # a month file of a listens dump


@dataclass
class IngestReport:
    """What ingest saw: every row is either used or counted here as malformed."""

    source: str
    format: str
    rows_read: int = 0
    rows_malformed: int = 0
    malformed_lines: list[int] = field(default_factory=list)  # first few, 1-based line numbers
    malformed_examples: list[str] = field(default_factory=list)  # first few raw lines, truncated
    duplicate_rows: int = 0  # (track, playlist) repeats folded into one membership
    rows_not_utf8: int = 0  # of the malformed rows, those that are not UTF-8 text
    not_utf8_source: str = ""  # the input the first of them came from
    sources: list[SourceInfo] = field(default_factory=list)  # one per input, in build order
    # Where ingest's time went, for the build summary ("read 30,000,000 listens", ...).
    stage_seconds: dict[str, float] = field(default_factory=dict)

    MAX_EXAMPLES = 10

    def add_malformed(self, line_no: int, raw: str) -> None:
        self.rows_malformed += 1
        if len(self.malformed_lines) < self.MAX_EXAMPLES:
            self.malformed_lines.append(line_no)
            self.malformed_examples.append(raw[:200])

    def first_malformed(self) -> str:
        """Where the first malformed rows are, for a summary: "line(s) 6, 7"; for the
        Million Playlist Dataset, whose rows are numbered across its files, the first one's
        file, pid and position ("mpd.slice.0-999.json: pid 4 track 1"). When the rows come
        from several files (inputs, or a dump's month files), the first one's file is
        named and only its lines are listed ("b.csv: line(s) 3, 9")."""
        examples, lines = self.malformed_examples, self.malformed_lines
        label = self._file_of(examples[0]) if examples else ""
        if "mpd" in self.format.split("+") and examples:
            found = _MPD_WHERE.match(examples[0])
            if found and (label or self.format == "mpd"):
                return found[1]
        if label:
            same = [n for n, e in zip(lines, examples, strict=False) if self._file_of(e) == label]
            return f"{label}: line(s) " + ", ".join(str(n) for n in same[:5])
        return "line(s) " + ", ".join(str(n) for n in lines[:5])

    def _file_of(self, example: str) -> str:
        """The input or file an example names first ("" when it names none): examples are
        prefixed with their file when a build reads several (see CorpusBuilder.malformed)."""
        found = _LISTENS_FILE.match(example)
        if len(self.sources) > 1 and not found:
            for src in self.sources[1:]:
                if example.startswith(src.name + ": "):
                    found = _LISTENS_FILE.match(example, len(src.name) + 2)
                    return found[1] if found else src.name
            return self.sources[0].name  # the first input's rows are not prefixed
        return found[1] if found else ""

    def add_part(
        self,
        malformed: int,
        lines: list[int],
        examples: list[str],
        line_offset: int = 0,
        not_utf8: int = 0,
        source: str = "",
    ) -> None:
        """Another reader's malformed rows (a part of the same input read apart), its line
        numbers shifted by the ``line_offset`` physical lines before its part; ``not_utf8``
        of them not UTF-8, in the input named ``source``."""
        self.rows_malformed += malformed
        if not_utf8:
            self.not_utf8_source = self.not_utf8_source or source
            self.rows_not_utf8 += not_utf8
        for line, example in zip(lines, examples, strict=True):
            if len(self.malformed_lines) < self.MAX_EXAMPLES:
                self.malformed_lines.append(line_offset + line)
                self.malformed_examples.append(example)


@dataclass
class Corpus:
    """Tracks, artists and playlists, with memberships as a CSR matrix (track → playlists).

    ``indices[indptr[t]:indptr[t+1]]`` are the sorted, unique playlist ids of track ``t``.
    """

    artist_names: list[str]  # display name (most frequent spelling) per artist
    track_artist: np.ndarray  # int32 artist id per track
    track_titles: list[str]  # display title per track
    track_uris: list[str | None]  # most frequent Spotify URI per track, if the source has any
    playlist_names: list[str]  # display name per playlist
    indptr: np.ndarray  # int64, len n_tracks + 1
    indices: np.ndarray  # int32 playlist ids
    report: IngestReport
    # Recording MBID and ISRC per track, when the source carries them (ListenBrainz).
    track_mbids: list[str | None] | None = None
    track_isrcs: list[str | None] | None = None
    # Start (unix seconds) of each playlist that is a listening session; -1 for a playlist.
    playlist_dates: np.ndarray | None = None
    # (track, URI) for each Spotify URI a track was also written with besides its own (an
    # album's and a single's release of one song), so a link to either finds it offline.
    uri_aliases: list[tuple[int, str]] = field(default_factory=list)

    @property
    def n_tracks(self) -> int:
        return len(self.track_titles)

    @property
    def n_artists(self) -> int:
        return len(self.artist_names)

    @property
    def n_playlists(self) -> int:
        return len(self.playlist_names)

    @property
    def track_playlist_counts(self) -> np.ndarray:
        return np.diff(self.indptr).astype(np.int64)

    def playlists_of(self, track: int) -> np.ndarray:
        return self.indices[self.indptr[track] : self.indptr[track + 1]]


@dataclass
class NeighbourTable:
    """Top-K neighbours of every track, as parallel arrays sorted by (track, rank).

    ``jaccard`` is always the exact Jaccard of the two playlist sets, never an estimate.
    """

    track: np.ndarray  # int32, 0-based source track
    rank: np.ndarray  # int32, 1-based
    neighbour: np.ndarray  # int32, 0-based neighbour track
    jaccard: np.ndarray  # float64
    shared: np.ndarray  # int32
    params: dict[str, object] = field(default_factory=dict)  # engine settings for ``meta``
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.track)
