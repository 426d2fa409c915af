"""Search tables the read path needs, created at build time inside the index file.

A word index keeps name lookup off the hot path's memory: for each folded word that occurs
in a track's title or its artist's name, ``search_postings`` holds the tracks that contain
it as a packed int32 array of *popularity ranks* (0 = the track in most playlists), sorted
ascending. Sorting by popularity means the first N entries of a common word's list are its
N best-known tracks, so the reader can cap the work per word without losing the songs
people usually mean. ``search_rank_track`` maps a popularity rank back to a track id.

``search_words`` also carries cheap keys for typo lookup: the first two and last two
letters with the word length (one typo rarely changes both ends) and the sorted letters
(catches transpositions). ``search_artists`` maps folded artist names (with and without a
leading "the") to artist ids for artist-only queries.

Everything is computed from the ``tracks`` and ``artists`` tables already in ``conn``; the
folding is done on millions of names joined into one string so it runs at C speed (about
20 s for 2.8M tracks on one core).
"""

from __future__ import annotations

import re
import sqlite3

import numpy as np

from index.names import fold, fold_chars, fold_words, has_joiners, squash_joiners
from index.schema import PREFIX_TABLE, SEARCH_INDEXES, SEARCH_SCHEMA

PREFIX_TOP = 24  # commonest words kept for each one- and two-letter prefix

_SEP = "\x1e"  # record separator: not a word character, so it never joins two names' words
_RANK_PART = 1 << 20  # rank→track map stored in parts so no single blob is huge


def create_search_tables(conn: sqlite3.Connection) -> None:
    """Create and fill the read path's search tables from ``tracks`` and ``artists``."""
    _run_script(conn, SEARCH_SCHEMA)
    n_tracks = conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    if n_tracks == 0:
        _run_script(conn, SEARCH_INDEXES)
        return

    track_ids, artist_of, playlists = _track_columns(conn)
    # Popularity rank: most playlists first; ties by track id so builds are reproducible.
    order = np.lexsort((track_ids, -playlists))
    rank_of_row = np.empty(len(order), dtype=np.int64)
    rank_of_row[order] = np.arange(len(order))
    rank_track = track_ids[order].astype(np.int32)
    conn.executemany(
        "INSERT INTO search_rank_track VALUES (?,?)",
        (
            (i // _RANK_PART, rank_track[i : i + _RANK_PART].tobytes())
            for i in range(0, len(rank_track), _RANK_PART)
        ),
    )

    vocab: dict[str, int] = {}
    t_row, t_word = _title_pairs(conn, vocab, track_ids)

    artist_ids_col, artist_names = _artist_columns(conn)
    a_row, a_word_ids, base_lens = _word_pairs(artist_names, vocab)
    _write_artist_keys(conn, artist_ids_col, artist_names, a_word_ids, base_lens, vocab)

    # Artist words reach every track of the artist: expand (artist, word) to (track, word).
    artist_pos = np.searchsorted(artist_ids_col, artist_of)  # artist row of each track
    a_order = np.argsort(a_row, kind="stable")
    a_row, a_word_ids = a_row[a_order], a_word_ids[a_order]
    a_lens = np.bincount(a_row, minlength=len(artist_names))
    a_starts = np.concatenate(([0], np.cumsum(a_lens)[:-1]))
    per_track = a_lens[artist_pos]
    n_title, n_artist = len(t_word), int(per_track.sum())

    # One (word, rank) key per pair, sorted: grouped by word, best-known track first. Built
    # in place, a part at a time: this runs beside the neighbour scan, at the build's peak.
    keys = np.empty(n_title + n_artist, dtype=np.int64)
    keys[:n_title] = t_word
    keys[:n_title] <<= 32
    keys[:n_title] |= rank_of_row[t_row]
    del t_word, t_row
    first = np.repeat(a_starts[artist_pos] - (np.cumsum(per_track) - per_track), per_track)
    first += np.arange(n_artist)  # each pair's place in the artist's words
    keys[n_title:] = a_word_ids[first]
    del first
    keys[n_title:] <<= 32
    keys[n_title:] |= rank_of_row[np.repeat(np.arange(len(track_ids)), per_track)]
    keys.sort()
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]  # a word in both title and artist counts once
    keys = keys[keep]
    del keep
    # The first key of word w is the first at or above w << 32; a rank is a key's low half.
    bounds = np.searchsorted(keys, np.arange(len(vocab) + 1, dtype=np.int64) << 32)
    ranks = keys.astype(np.int32)
    del keys
    df = np.diff(bounds)

    words = list(vocab)
    conn.executemany(
        "INSERT INTO search_words VALUES (?,?,?,?,?,?,?)",
        (
            (i + 1, w, int(df[i]), w[:2], w[-2:], len(w), "".join(sorted(w)))
            for i, w in enumerate(words)
        ),
    )
    conn.executemany(
        "INSERT INTO search_postings VALUES (?,?)",
        ((i + 1, ranks[bounds[i] : bounds[i + 1]].tobytes()) for i in range(len(words))),
    )
    _write_short_prefixes(conn, words, df)
    _run_script(conn, SEARCH_INDEXES)


def _write_short_prefixes(conn: sqlite3.Connection, words: list[str], df: np.ndarray) -> None:
    """The commonest words for each one- and two-letter prefix, for autocomplete.

    Longer prefixes are cheap range scans of ``search_words``; one or two letters would
    scan a large share of the vocabulary on every keystroke.
    """
    buckets: dict[str, list[int]] = {}
    for i in np.argsort(-df, kind="stable").tolist():
        w = words[i]
        for p in {w[:1], w[:2]}:
            b = buckets.setdefault(p, [])
            if len(b) < PREFIX_TOP:
                b.append(i + 1)
    conn.executemany(
        f"INSERT INTO {PREFIX_TABLE} VALUES (?,?)",
        ((p, np.array(ids, dtype=np.int32).tobytes()) for p, ids in buckets.items()),
    )


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the caller's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


_CHUNK = 200_000  # tracks folded per pass: bounds the joined string and its words (it runs
# beside the neighbour scan, at the build's peak)


def _int_column(conn: sqlite3.Connection, column: str) -> np.ndarray:
    """One integer column of ``tracks`` in track id order, parsed in C from one string."""
    text = conn.execute(
        f"SELECT group_concat({column}) FROM (SELECT {column} FROM tracks ORDER BY track_id)"
    ).fetchone()[0]
    return np.fromstring(text or "", sep=",", dtype=np.int64)


def _track_columns(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """track_id, artist_id and playlists of every track, in track id order."""
    return (
        _int_column(conn, "track_id"),
        _int_column(conn, "artist_id"),
        _int_column(conn, "playlists"),
    )


def _artist_columns(conn: sqlite3.Connection) -> tuple[np.ndarray, list[str]]:
    rows = conn.execute("SELECT artist_id, name FROM artists ORDER BY artist_id").fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]


def _title_pairs(
    conn: sqlite3.Connection, vocab: dict[str, int], track_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(track row, word id) pairs of every title, read and folded in large chunks."""
    rows_out, words_out = [], []
    for start in range(0, len(track_ids), _CHUNK):
        ids = track_ids[start : start + _CHUNK]
        # One joined string per chunk: no Python tuple per row.
        joined = conn.execute(
            "SELECT group_concat(t, char(30)) FROM (SELECT replace(title, char(30), ' ') AS t "
            "FROM tracks WHERE track_id BETWEEN ? AND ? ORDER BY track_id)",
            (int(ids[0]), int(ids[-1])),
        ).fetchone()[0]
        titles = joined.split(_SEP)
        assert len(titles) == len(ids), "tracks changed while the search tables were built"
        r, w, _ = _word_pairs(titles, vocab)
        rows_out.append(r + start)
        words_out.append(w)
    return np.concatenate(rows_out), np.concatenate(words_out)


_WORD_OR_SEP = re.compile(r"[^\W_]+|" + _SEP)


def _word_pairs(
    names: list[str], vocab: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, word id) pairs of each name's folded words, plus run-together extra words.

    "C.R.E.A.M." gives c, r, e, a, m and also "cream", so a user typing "cream" finds it.
    All names are folded as one joined string (C speed); the separator becomes a marker
    token so rows are recovered without a Python loop per name. Also returns each row's
    count of plain words (the extras follow them).
    """
    joined = _SEP.join(n.replace(_SEP, " ") for n in names) + _SEP
    tokens = _WORD_OR_SEP.findall(fold_chars(joined))
    for w in dict.fromkeys(tokens):  # new words get the next ids (loop over distinct words)
        if w not in vocab and w != _SEP:
            vocab[w] = len(vocab)
    lookup = vocab.__getitem__
    vocab[_SEP] = -1  # the row marker; removed again below
    try:
        ids = np.fromiter(map(lookup, tokens), dtype=np.int64, count=len(tokens))
    finally:
        del vocab[_SEP]
    seps = np.flatnonzero(ids < 0)
    assert len(seps) == len(names), "a name folded into a different number of rows"
    lens = np.diff(np.concatenate(([-1], seps))) - 1
    rows = np.repeat(np.arange(len(names)), lens)
    words = ids[ids >= 0]

    extra_rows, extra_words = [], []
    for i, name in enumerate(names):
        if ("." in name or "-" in name) and has_joiners(name):
            plain = set(fold_words(name))
            for w in fold_words(squash_joiners(name)):
                if w not in plain:
                    extra_rows.append(i)
                    extra_words.append(vocab.setdefault(w, len(vocab)))
    if extra_rows:
        rows = np.concatenate((rows, np.array(extra_rows, dtype=np.int64)))
        words = np.concatenate((words, np.array(extra_words, dtype=np.int64)))
    return rows, words, lens


def _write_artist_keys(
    conn: sqlite3.Connection,
    artist_ids: np.ndarray,
    names: list[str],
    word_ids: np.ndarray,
    base_lens: np.ndarray,
    vocab: dict[str, int],
) -> None:
    """Folded artist names as typed: plain, without "the", and run together ("wutang clan")."""
    words = list(vocab)
    starts = np.concatenate(([0], np.cumsum(base_lens)[:-1])).tolist()
    # The plain words of each artist come first in ``word_ids`` (extras were appended).
    flat = word_ids[: int(base_lens.sum())].tolist()

    def rows():
        for aid, name, start, n in zip(
            artist_ids.tolist(), names, starts, base_lens.tolist(), strict=True
        ):
            if n == 0:
                continue
            key = " ".join(words[w] for w in flat[start : start + n])
            keys = {key}
            if ("." in name or "-" in name) and has_joiners(name):
                keys.add(fold(squash_joiners(name)))
            keys |= {k[4:] for k in keys if k.startswith("the ") and len(k) > 4}
            for k in keys:
                yield k, aid

    conn.executemany("INSERT INTO search_artists VALUES (?,?)", rows())
