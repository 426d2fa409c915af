"""The layouts the synthetic dataset is written in: the Zenodo CSV and MPD JSON slices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scripts.synthetic.generate import Synthetic

HEADER = '"user_id", "artistname", "trackname", "playlistname"\n'

_B62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def make_uris(n: int, seed: int) -> list[str]:
    """One random ``spotify:track:`` URI (22 base62 characters) per track."""
    chars = _B62[np.random.default_rng(seed + 1).integers(62, size=(n, 22))]
    return ["spotify:track:" + "".join(row) for row in chars.tolist()]


def _field_ok(s: str) -> bool:
    """A name the project's rule can parse back: no newline, no comma next to a quote."""
    return "\n" not in s and '",' not in s and ',"' not in s and "\r" not in s


def write_zenodo(data: Synthetic, path: Path) -> None:
    """Write the Zenodo ``spotify_dataset.csv`` layout (every field quoted, raw quotes kept)."""
    artists = data.artist_names
    track_str = [
        f'{artists[a]}","{t}'
        for a, t in zip(data.track_artist.tolist(), data.track_titles, strict=True)
    ]
    variant_str = [
        (f'{artists[a].upper()}","{t}' if i % 2 else f'{artists[a]}","{t} ')
        for i, (a, t) in enumerate(zip(data.track_artist.tolist(), data.track_titles, strict=True))
    ]
    bad = [s for s in track_str if s.count('","') != 1]
    if bad:
        raise ValueError(f"generated names would not parse back: {bad[:3]}")
    starts = np.concatenate([[0], np.cumsum(data.playlist_len)]).tolist()
    tracks = data.slot_track.tolist()
    variant_rows = np.flatnonzero(data.slot_variant)
    vstart = np.searchsorted(variant_rows, starts).tolist()
    variant_rows = variant_rows.tolist()
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER)
        buf: list[str] = []
        size = 0
        for p in range(len(data.playlist_names)):
            name = data.playlist_names[p]
            if not _field_ok(name):
                raise ValueError(f"playlist name would not parse back: {name!r}")
            pre = f'"{data.user_ids[data.playlist_user[p]]}","'
            suf = f'","{name}"\n'
            a, b = starts[p], starts[p + 1]
            items = list(map(track_str.__getitem__, tracks[a:b]))
            for r in variant_rows[vstart[p] : vstart[p + 1]]:
                items[r - a] = variant_str[tracks[r]]
            buf.append(pre + (suf + pre).join(items) + suf)
            size += b - a
            if size > 500_000:
                f.write("".join(buf))
                buf, size = [], 0
        f.write("".join(buf))


def write_mpd(data: Synthetic, folder: Path) -> None:
    """Write the same playlists as Million Playlist Dataset slices (1000 playlists each)."""
    folder.mkdir(parents=True, exist_ok=True)
    starts = np.concatenate([[0], np.cumsum(data.playlist_len)]).tolist()
    tracks = data.slot_track.tolist()
    artist_of = data.track_artist.tolist()
    uris = make_uris(len(data.track_titles), data.seed)
    n = len(data.playlist_names)
    for lo in range(0, n, 1000):
        hi = min(n, lo + 1000)
        pls = []
        for p in range(lo, hi):
            items = tracks[starts[p] : starts[p + 1]]
            pls.append(
                {
                    "name": data.playlist_names[p],
                    "collaborative": "false",
                    "pid": p,
                    "num_tracks": len(items),
                    "tracks": [
                        {
                            "pos": j,
                            "artist_name": data.artist_names[artist_of[t]],
                            "track_name": data.track_titles[t],
                            "track_uri": uris[t],
                        }
                        for j, t in enumerate(items)
                    ],
                }
            )
        doc = {
            "info": {"slice": f"{lo}-{hi - 1}", "generated_by": "make_synthetic.py"},
            "playlists": pls,
        }
        with open(folder / f"mpd.slice.{lo}-{hi - 1}.json", "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
