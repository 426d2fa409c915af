"""songsim's index library: build a song-neighbour index from playlists, and read it.

No Discord in here: the bot (``bot/``) imports this package, never the reverse.
"""

SCHEMA_VERSION = 1
