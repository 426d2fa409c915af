"""The synthetic ListenBrainz listen dumps written by ``scripts/make_listenbrainz.py``.

- ``model``: shared constants (clients, flags) and the ``Catalogue`` and ``Listens`` arrays;
- ``ids``: MBIDs, MSIDs and Spotify ids hashed from (index, salt, seed);
- ``names``: artist names and song and release titles;
- ``catalogue``: recordings, artists, genres and releases, and the weighted draws from them;
- ``listens``: users, sessions, taste, listen and insert times, variants, malformed lines;
- ``render``: the clients' ``additional_info`` profiles and the lines of a dump;
- ``dumps``: full and incremental dumps, month files in workers, folders and archives.
"""
