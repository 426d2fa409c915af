"""The one :class:`CorpusBuilder` every dataset reader feeds (artist, title, playlist) rows.

Every reader feeds the same builder, so track identity, display names, duplicate folding
and malformed-row accounting are the same whatever the input format. Opening the files
and reporting progress is :mod:`index.ingest.files`.
"""

from __future__ import annotations

from array import array

import numpy as np

from index.arrays import sorted_unique
from index.corpus import Corpus, DatasetError, IngestReport
from index.names import normalise_name

SPOTIFY_TRACK_PREFIX = "spotify:track:"


class CorpusBuilder:
    """Collects (artist, title, playlist[, uri]) rows and assembles the Corpus.

    Raw spellings are interned once each; identity (normalised artist, normalised title)
    is computed once per distinct raw pair; rows are kept as two int32 arrays, so memory
    stays near 8 bytes a row plus the distinct strings.
    """

    def __init__(self, source: str, fmt: str, *, strict: bool, with_uris: bool = False) -> None:
        self.report = IngestReport(source=source, format=fmt)
        self.strict = strict
        self.row_word = "line"  # what a malformed row's number counts ("row" for JSON)
        # raw key (a reader's choice, e.g. the raw 'artist","title' text) -> raw id, or -1
        # when that key can never make a valid row (so the check runs once per key).
        self.raw_ids: dict[object, int] = {}
        self.raw_track = array("i")  # raw id -> track id
        self.raw_titles: list[str] = []  # raw id -> its title, stripped (display candidate)
        self.raw_artist_spelling = array("i")  # raw id -> id of its stripped artist spelling
        self._artist_spellings: dict[str, int] = {}
        self._artist_of: dict[str, tuple[int, int]] = {}  # raw artist -> (artist id, spelling)
        self._artist_ids: dict[str, int] = {}  # normalised artist -> artist id
        self.track_artist = array("i")  # track id -> artist id
        self._track_ids: dict[tuple[int, str], int] = {}

        self.playlist_ids: dict[object, int] = {}
        self.playlist_names: list[str] = []

        self.row_raw = array("i")
        self.row_playlist = array("i")
        self.row_uri: array | None = array("i") if with_uris else None
        self.uri_ids: dict[str, int] = {}  # URI text as written -> id (-1: not a track URI)
        self.uris: list[str] = []

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

    def new_raw_track(self, artist: str, title: str, key: object) -> int:
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
        return rid

    def _new_artist(self, artist: str) -> tuple[int, int]:
        ids = self._artist_ids
        aid = ids.setdefault(normalise_name(artist), len(ids))
        a = self._artist_of[artist] = (aid, _intern(self._artist_spellings, artist.strip()))
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
        if self.row_uri is not None:
            u = self.uri_ids.get(uri) if uri else -1
            self.row_uri.append(self.uri_id(uri) if u is None else u)

    def uri_id(self, uri: str) -> int:
        """Id of a URI as written: its ``spotify:track:`` form, or -1 for anything else."""
        u = self.uri_ids.get(uri)
        if u is None:
            clean = uri.strip()
            if not clean.startswith(SPOTIFY_TRACK_PREFIX):
                u = -1
            else:
                u = self.uri_ids.get(clean)
                if u is None:
                    u = len(self.uris)
                    self.uris.append(clean)
                    self.uri_ids[clean] = u
            self.uri_ids[uri] = u
        return u

    def malformed(self, line_no: int, raw: str, why: str) -> None:
        """Count a row that cannot be used; with strict=True, fail on it instead."""
        if self.strict:
            shown = raw if len(raw) <= 300 else raw[:300] + "…"
            raise DatasetError(
                f"{self.report.source}: {self.row_word} {line_no} is not a valid row ({why}): {shown!r}. "
                "Fix or remove that row, or build without --strict to skip and count such rows."
            )
        self.report.add_malformed(line_no, raw)

    # -- assembling

    def _display_titles(
        self, raw_track: np.ndarray, raw_rows: np.ndarray, used_raw: np.ndarray, n_tracks: int
    ) -> list[str]:
        """Each track's most frequent stripped title (ties: first seen).

        Most tracks have one raw spelling and take it directly; only tracks written
        several ways are counted in Python.
        """
        titles = np.empty(len(self.raw_titles), dtype=object)
        titles[:] = self.raw_titles
        tracks = raw_track[used_raw]
        spellings = np.bincount(tracks, minlength=n_tracks)
        out = np.empty(n_tracks, dtype=object)
        single = spellings[tracks] == 1
        out[tracks[single]] = titles[used_raw[single]]
        multi = used_raw[~single]  # ascending raw id = first-seen order
        best: dict[int, dict[str, int]] = {}
        for r, t, n in zip(
            multi.tolist(), raw_track[multi].tolist(), raw_rows[multi].tolist(), strict=True
        ):
            counts = best.setdefault(t, {})
            counts[titles[r]] = counts.get(titles[r], 0) + n
        for t, counts in best.items():
            out[t] = max(counts, key=counts.__getitem__)  # max keeps the first of equals
        return out.tolist()

    def build(self) -> Corpus:
        """Turn the collected rows into a Corpus (CSR with sorted unique playlists per track)."""
        rep = self.report
        # The lookup tables are done with: free them before the big array work.
        self.raw_ids.clear()
        self._track_ids.clear()
        self.playlist_ids.clear()
        n_rows = len(self.row_raw)
        rep.rows_read = n_rows + rep.rows_malformed
        row_raw = np.frombuffer(self.row_raw, dtype=np.int32) if n_rows else _empty_i32()
        row_pl = np.frombuffer(self.row_playlist, dtype=np.int32) if n_rows else _empty_i32()
        raw_track = _as_i32(self.raw_track)
        n_raw = len(raw_track)

        # Playlists whose every row was malformed are dropped, keeping first-seen order.
        n_pl = len(self.playlist_names)
        playlist_names = self.playlist_names
        used = np.zeros(n_pl, dtype=bool)
        used[row_pl] = True
        if not used.all():
            remap = np.cumsum(used, dtype=np.int64) - 1
            row_pl = remap[row_pl].astype(np.int32)
            playlist_names = [name for name, u in zip(playlist_names, used, strict=True) if u]
            n_pl = len(playlist_names)

        # Raw spellings met only on malformed rows own no rows; tracks and artists that
        # exist only through them are dropped (first-seen order kept).
        raw_rows = np.bincount(row_raw, minlength=n_raw).astype(np.int64)
        raw_used = raw_rows > 0
        track_artist = _as_i32(self.track_artist)
        track_used = np.zeros(len(track_artist), dtype=bool)
        track_used[raw_track[raw_used]] = True
        track_map = np.cumsum(track_used, dtype=np.int64) - 1
        track_artist = track_artist[track_used]
        artist_used = np.zeros(len(self._artist_ids), dtype=bool)
        artist_used[track_artist] = True
        artist_map = np.cumsum(artist_used, dtype=np.int64) - 1
        track_artist = artist_map[track_artist].astype(np.int32)
        n_tracks = len(track_artist)
        n_artists = int(artist_used.sum())

        raw_track = track_map[raw_track].astype(np.int32)  # -1 for unused raw spellings
        row_track = raw_track[row_raw] if n_rows else _empty_i32()
        width = max(n_pl, 1)
        pairs = sorted_unique(row_track.astype(np.int64) * width + row_pl)
        del row_track
        rep.duplicate_rows = n_rows - len(pairs)
        track_of_pair = pairs // width
        indices = (pairs - track_of_pair * width).astype(np.int32)
        indptr = np.zeros(n_tracks + 1, dtype=np.int64)
        np.cumsum(np.bincount(track_of_pair, minlength=n_tracks), out=indptr[1:])
        del pairs, track_of_pair

        used_raw = np.flatnonzero(raw_used)
        track_titles = self._display_titles(raw_track, raw_rows, used_raw, n_tracks)

        artist_choice = _most_frequent(
            track_artist[raw_track[used_raw]],
            _as_i32(self.raw_artist_spelling)[used_raw],
            raw_rows[used_raw],
            n_artists,
        )
        artists_by_id = list(self._artist_spellings)
        artist_names = [artists_by_id[s] for s in artist_choice.tolist()]

        track_uris: list[str | None] = [None] * n_tracks
        if self.row_uri is not None and self.uris:
            row_uri = np.frombuffer(self.row_uri, dtype=np.int32)
            has = row_uri >= 0
            chosen = _most_frequent(
                raw_track[row_raw[has]], row_uri[has], np.ones(int(has.sum()), np.int64), n_tracks
            )
            for t in np.flatnonzero(chosen >= 0).tolist():
                track_uris[t] = self.uris[chosen[t]]

        # The names that survive were allocated among millions of now-dead keys, so they
        # would pin most of the parser's memory (about 1 GB at full scale) in half-empty
        # allocator arenas. Pack them, drop every parsing structure, then unpack them into
        # fresh, compact memory that the later build stages can live beside.
        packed = [_pack(names) for names in (track_titles, artist_names, playlist_names)]
        packed_uris = _pack([u or "" for u in track_uris])
        del track_titles, artist_names, playlist_names, track_uris, artists_by_id
        self._release()
        track_titles, artist_names, playlist_names = (_unpack(p) for p in packed)
        track_uris = [u or None for u in _unpack(packed_uris)]
        del packed, packed_uris
        return Corpus(
            artist_names=artist_names,
            track_artist=track_artist,
            track_titles=track_titles,
            track_uris=track_uris,
            playlist_names=playlist_names,
            indptr=indptr,
            indices=indices,
            report=rep,
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
        ):
            table.clear()
        self.raw_titles = []
        self.playlist_names = []
        self.uris = []
        for name in ("raw_track", "raw_artist_spelling", "track_artist", "row_raw", "row_playlist"):
            setattr(self, name, array("i"))
        if self.row_uri is not None:
            self.row_uri = array("i")


def _most_frequent(
    group: np.ndarray, choice: np.ndarray, weight: np.ndarray, n_groups: int
) -> np.ndarray:
    """For each group, the choice with the largest total weight; ties go to the first seen.

    ``group``/``choice``/``weight`` are parallel, in first-seen order. Groups with no
    entry get -1.
    """
    out = np.full(n_groups, -1, dtype=np.int64)
    if len(group) == 0:
        return out
    width = int(choice.max()) + 1
    key = group.astype(np.int64) * width + choice
    order = np.argsort(key, kind="stable")  # stable: equal keys stay in first-seen order
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    uniq = key[starts]
    first = order[starts]
    total = np.add.reduceat(weight[order], starts)
    g = uniq // width
    best = np.lexsort((first, -total, g))  # by group, then heaviest, then first seen
    g_sorted = g[best]
    head = np.ones(len(best), dtype=bool)
    head[1:] = g_sorted[1:] != g_sorted[:-1]
    out[g_sorted[head]] = (uniq % width)[best][head]
    return out


def _intern(table: dict[str, int], s: str) -> int:
    i = table.get(s)
    if i is None:
        i = table[s] = len(table)
    return i


NAME_SEP = "\x00"


def _pack(names: list[str]) -> tuple[str, int] | list[str]:
    """Names joined into one string (or kept as they are if one holds the separator)."""
    blob = NAME_SEP.join(names)
    if blob.count(NAME_SEP) != max(len(names) - 1, 0):
        return list(names)
    return blob, len(names)


def _unpack(packed: tuple[str, int] | list[str]) -> list[str]:
    if isinstance(packed, list):
        return packed
    blob, n = packed
    return blob.split(NAME_SEP) if n else []


def _as_i32(a: array) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int32) if len(a) else _empty_i32()


def _empty_i32() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)
