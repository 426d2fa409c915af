"""The index file's tables, shared by the build (which writes them) and the read path.

Bump :data:`SCHEMA_VERSION` when a reader of the old version could not read the new file;
readers refuse a file whose version they do not know, with a message that says to rebuild.
Storage code imports this module, never the algorithms that fill the tables.
"""

from __future__ import annotations

SQLITE_MAGIC = b"SQLite format 3\x00"  # how every SQLite file (an index too) starts

SCHEMA_VERSION = 2
# The oldest version this songsim still reads. v2 added tracks.recording_mbid and .isrc and
# playlists.date (a listening session's day); a v1 file simply has none of them.
MIN_READ_VERSION = 1

# The corpus and its neighbour table. A track's neighbour rows, by rank: its Jaccard top
# ``meta.k`` (sharing ``meta.min_shared`` playlists), its extras, then its artist rows (which
# may share one playlist). A track with fewer than k neighbours has its artist rows right
# after them, so its Jaccard top k is its rows of rank <= k *and* shared >= min_shared:
# what every reader of "the top k" selects (index.read.neighbours.similar_artists,
# index.quality.recall, index.quality.methods.table_top).
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE artists(artist_id INTEGER PRIMARY KEY, name TEXT NOT NULL, playlists INTEGER NOT NULL);
CREATE TABLE tracks(track_id INTEGER PRIMARY KEY, artist_id INTEGER NOT NULL, title TEXT NOT NULL,
                    playlists INTEGER NOT NULL, spotify_uri TEXT, recording_mbid TEXT, isrc TEXT);
CREATE TABLE neighbours(track_id INTEGER NOT NULL, rank INTEGER NOT NULL, neighbour_id INTEGER NOT NULL,
                        jaccard REAL NOT NULL, shared INTEGER NOT NULL,
                        PRIMARY KEY (track_id, rank)) WITHOUT ROWID;
CREATE TABLE playlists(playlist_id INTEGER PRIMARY KEY, name TEXT NOT NULL, date TEXT);
CREATE TABLE memberships(track_id INTEGER NOT NULL, playlist_id INTEGER NOT NULL,
                         PRIMARY KEY (track_id, playlist_id)) WITHOUT ROWID;
CREATE TABLE playlist_members(playlist_id INTEGER NOT NULL, track_id INTEGER NOT NULL,
                              PRIMARY KEY (playlist_id, track_id)) WITHOUT ROWID;
"""

# The same pairs by playlist, for the rare-song fallback (v2). Written in key order it costs
# a third of building an index over 25M memberships. v1 files have PLAYLIST_INDEX instead.
PLAYLIST_MEMBERS = "playlist_members"

# v1's playlist → songs SQL index for the rare-song fallback; readers look for it by name.
PLAYLIST_INDEX = "memberships_by_playlist"

# Spotify URI → track, for pasted Spotify links (partial: builds without URIs store none).
# Optional like PLAYLIST_INDEX: files built before it existed are scanned instead.
SPOTIFY_URI_INDEX = "tracks_by_spotify_uri"
# A song's other Spotify URIs (another release of it), so a link to any of them is found
# offline. Optional too: only builds from data with several URIs a song have it.
SPOTIFY_URI_ALIASES = "spotify_uri_aliases"
SPOTIFY_URI_ALIASES_SCHEMA = (
    f"CREATE TABLE {SPOTIFY_URI_ALIASES}(spotify_uri TEXT PRIMARY KEY, track_id INTEGER NOT NULL)"
    " WITHOUT ROWID"
)

# Search tables (see :mod:`index.build.search_tables`).
SEARCH_SCHEMA = """
CREATE TABLE search_words(word_id INTEGER PRIMARY KEY, word TEXT NOT NULL, df INTEGER NOT NULL,
                          p2 TEXT NOT NULL, s2 TEXT NOT NULL, len INTEGER NOT NULL,
                          letters TEXT NOT NULL);
CREATE TABLE search_postings(word_id INTEGER PRIMARY KEY, ranks BLOB NOT NULL);
CREATE TABLE search_rank_track(part INTEGER PRIMARY KEY, track_ids BLOB NOT NULL);
CREATE TABLE search_artists(key TEXT NOT NULL, artist_id INTEGER NOT NULL);
CREATE TABLE search_prefixes(prefix TEXT PRIMARY KEY, word_ids BLOB NOT NULL) WITHOUT ROWID;
"""
SEARCH_INDEXES = """
CREATE UNIQUE INDEX search_words_word ON search_words(word, df, word_id);
CREATE INDEX search_words_prefix ON search_words(p2, len, word, df, word_id);
CREATE INDEX search_words_suffix ON search_words(s2, len, word, df, word_id);
CREATE INDEX search_words_letters ON search_words(letters, word, df, word_id);
CREATE INDEX search_artists_key ON search_artists(key, artist_id);
CREATE INDEX search_tracks_by_artist ON tracks(artist_id, playlists);
"""
SEARCH_TABLES = ("search_words", "search_postings", "search_rank_track", "search_artists")
# Optional (indexes built before it existed still open; autocomplete then scans words).
PREFIX_TABLE = "search_prefixes"
