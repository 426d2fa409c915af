"""The synthetic playlist dataset written by ``scripts/make_synthetic.py``.

- ``shapes``: the presets (``--shape``) and the playlist length distributions;
- ``names``: artist names, song titles, playlist names and the real file's quirks in them;
- ``generate``: the playlists themselves (lengths, scenes, popularity, deep cuts);
- ``write``: the Zenodo CSV and Million Playlist Dataset layouts;
- ``measure``: the shape of a written Zenodo file, counted from the file alone.
"""
