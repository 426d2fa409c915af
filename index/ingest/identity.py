"""Which rows are the same song: recording MBIDs first, then normalised (artist, title).

A row that carries a MusicBrainz recording MBID is that recording. A row without one joins
the MBID that its normalised (artist, title) carries most often in the whole build (ties:
the smallest MBID), so "Daft Punk – One More Time" typed by hand lands on the recording its
tagged listens name, whatever the input format. A pair that never carries an MBID is its
own song, keyed by the normalised pair as before MBIDs existed. Rows of one spelling with
different MBIDs stay apart: they are different recordings (a live take, a remaster).

Track ids follow the order in which their first spelling was met (the order every format
has always used), so a build without MBIDs numbers its songs exactly as it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.ingest.assemble import most_frequent


@dataclass
class Identity:
    """The songs of a build: per raw spelling its song, per song its artist and MBID."""

    raw_track: np.ndarray  # int32 per raw spelling: its song, -1 when it owns no row
    track_artist: np.ndarray  # int32 per song: artist id (the builder's, not compacted)
    track_mbid: np.ndarray  # int64 per song: MBID id, -1 when it has none


def resolve_tracks(
    raw_name: np.ndarray,
    raw_mbid: np.ndarray,
    raw_artist: np.ndarray,
    raw_rows: np.ndarray,
    mbid_text: list[str],
) -> Identity:
    """Songs from raw spellings (module doc).

    ``raw_name`` is each raw spelling's normalised-pair id (creation order), ``raw_mbid``
    its MBID id or -1, ``raw_artist`` its normalised artist id, ``raw_rows`` how many
    valid rows it has; spellings with no row get no song.
    """
    n_raw = len(raw_name)
    used = np.flatnonzero((raw_rows > 0) & (raw_name >= 0))
    n_mbids = len(mbid_text)
    names = raw_name[used].astype(np.int64)
    mbids = raw_mbid[used].astype(np.int64)
    key = np.where(mbids >= 0, mbids, -1)
    if n_mbids:
        tagged = used[mbids >= 0]
        if len(tagged):
            text_rank = np.empty(n_mbids, dtype=np.int64)
            text_rank[np.argsort(np.array(mbid_text, dtype=object), kind="stable")] = np.arange(
                n_mbids
            )
            # Sorted by MBID text, so "first seen" among equal counts is the smallest MBID.
            tagged = tagged[np.argsort(text_rank[raw_mbid[tagged]], kind="stable")]
            best = most_frequent(
                raw_name[tagged], raw_mbid[tagged], raw_rows[tagged], int(raw_name.max()) + 1
            )
            untagged = mbids < 0
            key[untagged] = best[names[untagged]]
    plain = key < 0
    key[plain] = n_mbids + names[plain]

    # Song order: by the first-made name id among its spellings, then the first spelling.
    order = np.lexsort((used, names, key))
    head = np.ones(len(order), dtype=bool)
    head[1:] = key[order][1:] != key[order][:-1]
    firsts = order[head]  # one per song: its earliest (name id, raw id)
    rank = np.lexsort((used[firsts], names[firsts]))
    song_key = key[firsts][rank]
    n_tracks = len(song_key)
    track_of_key_pos = np.empty(n_tracks, dtype=np.int64)
    track_of_key_pos[rank] = np.arange(n_tracks)
    # Each used raw's song: its key's position among the sorted distinct keys.
    sorted_keys = key[firsts]  # ascending (lexsort's primary key)
    song = track_of_key_pos[np.searchsorted(sorted_keys, key)]

    raw_track = np.full(n_raw, -1, dtype=np.int32)
    raw_track[used] = song
    track_artist = most_frequent(song, raw_artist[used], raw_rows[used], n_tracks).astype(np.int32)
    track_mbid = np.where(song_key < n_mbids, song_key, -1)
    return Identity(raw_track=raw_track, track_artist=track_artist, track_mbid=track_mbid)
