"""The one :class:`CorpusBuilder` every dataset reader feeds (artist, title, playlist) rows.

Every reader feeds the same builder, so track identity, display names, duplicate folding
and malformed-row accounting are the same whatever the input format, and one build can
read several inputs (a Zenodo file and ListenBrainz dumps) into one catalogue. Listens
(user, time, song) are kept apart until :meth:`CorpusBuilder.build` cuts them into
sessions (:mod:`.sessions`); songs are merged by MBID or by name there (:mod:`.identity`).
Opening the files and reporting progress is :mod:`index.ingest.files`.
"""

from __future__ import annotations

from array import array

import numpy as np

from index.arrays import give_back_free_memory, unique_in_place
from index.corpus import Corpus, DatasetError, IngestReport, SourceInfo
from index.ingest.assemble import (
    as_array,
    display_titles,
    intern,
    most_frequent,
    pack,
    pack_values,
    per_track,
    per_track_and_others,
    unpack,
    unpack_values,
    user_sort_key,
)
from index.ingest.identity import resolve_tracks
from index.ingest.sessions import DEFAULT_GAP, sessionize
from index.ingest.values import clean_isrc, clean_uri, value_id
from index.names import normalise_name
from index.progress import StageClock

SESSION_NAME = "listening session"  # a session's stored name; readers show its date instead


class CorpusBuilder:
    """Collects rows from one or more inputs and assembles the Corpus.

    Raw spellings are interned once each (a spelling with an MBID is its own raw
    spelling); identity is computed once per distinct raw spelling; rows are kept as int32
    arrays, so memory stays near 8 bytes a row (16 more for a listen's user and time)
    plus the distinct strings.
    """

    def __init__(
        self,
        source: str,
        fmt: str,
        *,
        strict: bool,
        with_uris: bool = False,
        session_gap: int = DEFAULT_GAP,
    ) -> None:
        self.report = IngestReport(source=source, format=fmt)
        self.strict = strict
        self.session_gap = session_gap
        self.row_word = "line"  # what a malformed row's number counts ("row" for JSON)
        self.label = ""  # the file being read, named in malformed-row examples
        # raw key (a reader's choice, e.g. the raw 'artist","title' text) -> raw id, or -1
        # when that key can never make a valid row (so the check runs once per key).
        self.raw_ids: dict[object, int] = {}
        self.raw_track = array("i")  # raw id -> name id (normalised artist, title)
        self.raw_titles: list[str] = []  # raw id -> its title, stripped (display candidate)
        self.raw_artist_spelling = array("i")  # raw id -> id of its stripped artist spelling
        self.raw_artist = array("i")  # raw id -> normalised artist id
        self.raw_mbid = array("i")  # raw id -> MBID id, or -1
        self.mbid_ids: dict[str, int] = {}
        self._artist_spellings: dict[str, int] = {}
        self._artist_of: dict[str, tuple[int, int]] = {}  # raw artist -> (artist id, spelling)
        self._artist_ids: dict[str, int] = {}  # normalised artist -> artist id
        self.track_artist = array("i")  # name id -> artist id
        self._track_ids: dict[tuple[int, str], int] = {}

        self.playlist_ids: dict[object, int] = {}  # this input's playlist keys
        self.playlist_names: list[str] = []

        self.row_raw = array("i")
        self.row_playlist = array("i")
        # Spotify URIs and ISRCs, as (raw id, value id) pairs for the rows that carry one.
        self.uri_raw, self.uri_val = array("i"), array("i")
        self.uri_ids: dict[str, int] = {}  # URI text as written -> id (-1: not a track URI)
        self.uris: list[str] = []
        self.isrc_raw, self.isrc_val = array("i"), array("i")
        self.isrc_ids: dict[str, int] = {}  # ISRC as written -> id (-1: not an ISRC)
        self.isrcs: list[str] = []
        # Listens: raw id, user, unix time; cut into sessions in build().
        self.listen_raw, self.listen_user, self.listen_ts = array("i"), array("i"), array("q")
        self.user_ids: dict[object, int] = {}
        self.sources: list[SourceInfo] = []
        self._marks: list[tuple[int, int]] = []  # (rows, listens) when each source began

    # -- inputs

    def start_input(self, name: str, fmt: str) -> None:
        """Begin the next input: its playlists never merge with another input's."""
        self.playlist_ids.clear()
        self.sources.append(SourceInfo(name=name, format=fmt))
        self._marks.append((len(self.row_raw), len(self.listen_raw)))
        self.label = name

    def _end_sources(self) -> None:
        """Each source's row count and newest listen."""
        ends = [*self._marks[1:], (len(self.row_raw), len(self.listen_raw))]
        ts = as_array(self.listen_ts, np.int64)
        for src, (r0, l0), (r1, l1) in zip(self.sources, self._marks, ends, strict=True):
            src.rows = (r1 - r0) + (l1 - l0)
            if l1 > l0:
                src.newest = int(ts[l0:l1].max())

    # -- rows

    def raw_track_id(self, artist: str, title: str, key: object = None) -> int:
        """Id of a raw (artist, title) spelling, or -1 when the title is empty.

        ``key`` is what identifies the raw spelling in :attr:`raw_ids` (default: the pair).
        """
        if key is None:
            key = (artist, title)
        rid = self.raw_ids.get(key)
        if rid is None:
            rid = self.new_raw_track(artist, title, key)
        return rid

    def new_raw_track(self, artist: str, title: str, key: object, mbid: str | None = None) -> int:
        """Register a raw spelling not yet in :attr:`raw_ids` (the readers' hot path)."""
        # Inline ASCII case of normalise_name: this runs once per distinct raw pair.
        ntitle = " ".join(title.lower().split()) if title.isascii() else normalise_name(title)
        if not ntitle:
            self.raw_ids[key] = -1
            return -1
        a = self._artist_of.get(artist)
        if a is None:
            a = self._new_artist(artist)
        aid = a[0]
        track_ids = self._track_ids
        tid = track_ids.setdefault((aid, ntitle), len(track_ids))
        if tid == len(self.track_artist):
            self.track_artist.append(aid)
        rid = self.raw_ids[key] = len(self.raw_titles)
        self.raw_track.append(tid)
        self.raw_titles.append(title.strip())
        self.raw_artist_spelling.append(a[1])
        self.raw_artist.append(aid)
        self.raw_mbid.append(-1 if mbid is None else intern(self.mbid_ids, mbid))
        return rid

    def _new_artist(self, artist: str) -> tuple[int, int]:
        ids = self._artist_ids
        aid = ids.setdefault(normalise_name(artist), len(ids))
        a = self._artist_of[artist] = (aid, intern(self._artist_spellings, artist.strip()))
        return a

    def playlist_id(self, key: object, name: str) -> int:
        """Id of the playlist identified by ``key`` (created with display ``name`` if new)."""
        pid = self.playlist_ids.get(key)
        if pid is None:
            pid = self.playlist_ids[key] = len(self.playlist_names)
            self.playlist_names.append(name)
        return pid

    def add(self, raw_id: int, playlist: int, uri: str | None = None) -> None:
        """Record one row: raw track ``raw_id`` appears in ``playlist`` (optionally with a URI)."""
        self.row_raw.append(raw_id)
        self.row_playlist.append(playlist)
        if uri:
            u = self.uri_ids.get(uri)
            if u is None:
                u = self.uri_id(uri)
            if u >= 0:
                self.uri_raw.append(raw_id)
                self.uri_val.append(u)

    def uri_id(self, uri: str) -> int:
        """Id of a URI as written: its ``spotify:track:`` form, or -1 for anything else."""
        u = self.uri_ids.get(uri)
        return value_id(self.uri_ids, self.uris, uri, clean_uri) if u is None else u

    def isrc_id(self, text: str) -> int:
        """Id of an ISRC as written (``gb-duw-00-00059`` is ``GBDUW0000059``), or -1."""
        u = self.isrc_ids.get(text)
        return value_id(self.isrc_ids, self.isrcs, text, clean_isrc) if u is None else u

    def user_id(self, key: object) -> int:
        """Id of a listener (their key stays in this process: the index never sees it)."""
        uid = self.user_ids.get(key)
        if uid is None:
            uid = self.user_ids[key] = len(self.user_ids)
        return uid

    def malformed(self, line_no: int, raw: str, why: str) -> None:
        """Count a row that cannot be used; with strict=True, fail on it instead."""
        several = len(self.sources) > 1 or (self.sources and self.label != self.sources[-1].name)
        where = f"{self.label}: " if several else ""
        if self.strict:
            shown = raw if len(raw) <= 300 else raw[:300] + "…"
            raise DatasetError(
                f"{self.label or self.report.source}: {self.row_word} {line_no} is not a valid "
                f"row ({why}): {shown!r}. Fix or remove that row, or build without --strict "
                "to skip and count such rows."
            )
        self.report.add_malformed(line_no, where + raw.replace("\x00", "\\0"))

    # -- assembling

    def _session_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Listens as (raw, playlist) rows after the playlists, and each session's start."""
        n_pl = len(self.playlist_names)
        user = as_array(self.listen_user)
        keys = list(self.user_ids)
        rank = np.empty(len(keys), dtype=np.int64)
        rank[sorted(range(len(keys)), key=lambda i: user_sort_key(keys[i]))] = np.arange(len(keys))
        self.user_ids.clear()
        s = sessionize(user, as_array(self.listen_ts, np.int64), self.session_gap, rank)
        return as_array(self.listen_raw), s.of_listen + n_pl, s.start

    def build(self) -> Corpus:
        """Turn the collected rows into a Corpus (CSR with sorted unique playlists per track)."""
        rep = self.report
        rep.sources = self.sources
        self._end_sources()
        # The lookup tables are done with: free them before the big array work.
        for table in (self.raw_ids, self._track_ids, self.playlist_ids, self._artist_of):
            table.clear()
        self.uri_ids.clear()
        self.isrc_ids.clear()
        give_back_free_memory()
        row_raw, row_pl = as_array(self.row_raw), as_array(self.row_playlist)
        n_pl = len(self.playlist_names)
        playlist_names = self.playlist_names
        dates = None
        clock = StageClock(rep.stage_seconds)
        if len(self.listen_raw):
            l_raw, l_pl, starts = self._session_rows()
            clock("sessions")
            row_raw, row_pl = np.concatenate([row_raw, l_raw]), np.concatenate([row_pl, l_pl])
            del l_raw, l_pl  # the listens are rows now: their columns go (0.5 GB at 30M)
            self.listen_raw, self.listen_user, self.listen_ts = array("i"), array("i"), array("q")
            playlist_names = playlist_names + [SESSION_NAME] * len(starts)
            dates = np.concatenate([np.full(n_pl, -1, dtype=np.int64), starts])
            n_pl += len(starts)
        n_rows = len(row_raw)
        rep.rows_read = n_rows + rep.rows_malformed

        # Playlists whose every row was malformed are dropped, keeping first-seen order.
        used = np.zeros(n_pl, dtype=bool)
        used[row_pl] = True
        if not used.all():
            remap = np.cumsum(used, dtype=np.int64) - 1
            row_pl = remap[row_pl].astype(np.int32)
            playlist_names = [name for name, u in zip(playlist_names, used, strict=True) if u]
            if dates is not None:
                dates = dates[used]
            n_pl = len(playlist_names)

        # Songs: by MBID, else by normalised (artist, title) (index.ingest.identity).
        n_raw = len(self.raw_titles)
        raw_rows = np.bincount(row_raw, minlength=n_raw).astype(np.int64)
        ident = resolve_tracks(
            as_array(self.raw_track),
            as_array(self.raw_mbid),
            as_array(self.raw_artist),
            raw_rows,
            list(self.mbid_ids),
        )
        raw_track = ident.raw_track
        clock("songs by MBID and name")
        # Artists that own no song are dropped (first-seen order kept).
        artist_used = np.zeros(len(self._artist_ids), dtype=bool)
        artist_used[ident.track_artist] = True
        artist_map = np.cumsum(artist_used, dtype=np.int64) - 1
        track_artist = artist_map[ident.track_artist].astype(np.int32)
        n_tracks = len(track_artist)
        n_artists = int(artist_used.sum())

        # (track, playlist) keys, made and sorted in place: this is ingest's largest step.
        width = max(n_pl, 1)
        pairs = raw_track[row_raw].astype(np.int64) if n_rows else np.zeros(0, np.int64)
        del row_raw
        pairs *= width
        pairs += row_pl
        del row_pl
        self.row_raw, self.row_playlist = array("i"), array("i")  # the rows are pairs now
        pairs = unique_in_place(pairs)
        rep.duplicate_rows = n_rows - len(pairs)
        indices = (pairs % width).astype(np.int32)
        pairs //= width  # each pair's track
        indptr = np.zeros(n_tracks + 1, dtype=np.int64)
        np.cumsum(np.bincount(pairs, minlength=n_tracks), out=indptr[1:])
        del pairs
        clock("memberships")

        used_raw = np.flatnonzero(raw_track >= 0)
        track_titles = display_titles(self.raw_titles, raw_track, raw_rows, used_raw, n_tracks)
        # An artist's name: its most frequent spelling over the rows of its own spellings.
        # (Only spellings of artists that own a song: "A feat. B" merged by MBID into a song
        # credited to "A" names neither A nor whichever artist comes before it.)
        own = used_raw[artist_used[as_array(self.raw_artist)[used_raw]]]
        artist_choice = most_frequent(
            artist_map[as_array(self.raw_artist)[own]],
            as_array(self.raw_artist_spelling)[own],
            raw_rows[own],
            n_artists,
        )
        artists_by_id = list(self._artist_spellings)
        artist_names = [artists_by_id[s] for s in artist_choice.tolist()]
        uri_rows = (self.uri_raw, self.uri_val, self.uris, raw_track, n_tracks)
        track_uris, uri_aliases = per_track_and_others(*uri_rows)
        track_isrcs = per_track(self.isrc_raw, self.isrc_val, self.isrcs, raw_track, n_tracks)
        mbid_text: list[str | None] = [*self.mbid_ids, None]  # code -1 is the None
        track_mbids = [mbid_text[m] for m in ident.track_mbid.tolist()] if self.mbid_ids else []

        # The names that survive were allocated among millions of now-dead keys, so they
        # would pin most of the parser's memory (about 1 GB at full scale) in half-empty
        # allocator arenas. Pack them, drop every parsing structure, then unpack them into
        # fresh, compact memory that the later build stages can live beside.
        packed = [pack(names) for names in (track_titles, artist_names)]
        values = [pack_values(v) for v in (playlist_names, track_uris, track_mbids, track_isrcs)]
        del track_titles, artist_names, playlist_names, track_uris, track_isrcs, artists_by_id
        del track_mbids, mbid_text
        self._release()
        give_back_free_memory()
        track_titles, artist_names = (unpack(p) for p in packed)
        playlist_names, track_uris, track_mbids, track_isrcs = (unpack_values(p) for p in values)
        del packed, values
        clock("names")
        return Corpus(
            uri_aliases=uri_aliases,
            artist_names=artist_names,
            track_artist=track_artist,
            track_titles=track_titles,
            track_uris=track_uris,
            playlist_names=playlist_names,
            indptr=indptr,
            indices=indices,
            report=rep,
            track_mbids=track_mbids or None,
            track_isrcs=track_isrcs if any(track_isrcs) else None,
            playlist_dates=dates,
        )

    def _release(self) -> None:
        """Drop every parsing structure (the builder is spent after :meth:`build`)."""
        for table in (
            self.raw_ids,
            self._track_ids,
            self.playlist_ids,
            self._artist_of,
            self._artist_ids,
            self._artist_spellings,
            self.uri_ids,
            self.isrc_ids,
            self.mbid_ids,
            self.user_ids,
        ):
            table.clear()
        self.raw_titles = []
        self.playlist_names = []
        self.uris = []
        self.isrcs = []
        int_columns = (
            "raw_track raw_artist_spelling raw_artist raw_mbid track_artist row_raw row_playlist "
            "uri_raw uri_val isrc_raw isrc_val listen_raw listen_user"
        )
        for name in int_columns.split():
            setattr(self, name, array("i"))
        self.listen_ts = array("q")
