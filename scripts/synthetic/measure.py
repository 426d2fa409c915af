"""The shape of a Zenodo-format file, counted from the file alone (not the generator)."""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np

from scripts.synthetic.names import norm
from scripts.synthetic.shapes import Shape


def measure_zenodo(path: Path) -> dict[str, object]:
    """Shape of a Zenodo-format file, counted from the file alone (not the generator).

    Parsing follows the project's rule: strip the first and last quote, split on ``","``.
    Tracks are normalised (artist, title) pairs; a playlist is (user, name).
    """
    users: dict[bytes, int] = {}
    playlists: dict[tuple[bytes, bytes], int] = {}
    keys: dict[bytes, int] = {}
    row_pl = array("i")
    row_key = array("i")
    rows = malformed = quoted = non_ascii = 0
    with open(path, "rb") as f:
        f.readline()
        for line in f:
            rows += 1
            body = line[1:-2] if line.endswith(b'"\n') else line.rstrip(b"\r\n")[1:-1]
            if body.count(b'","') != 3:
                malformed += 1
                continue
            if line.count(b'"') != 8:
                quoted += 1
            if not line.isascii():
                non_ascii += 1
            i = body.find(b'","')
            j = body.rfind(b'","')
            uid = body[:i]
            if uid not in users:
                users[uid] = len(users)
            pk = (uid, body[j + 3 :])
            p = playlists.get(pk)
            if p is None:
                p = playlists[pk] = len(playlists)
            k = body[i + 3 : j]
            kid = keys.get(k)
            if kid is None:
                kid = keys[k] = len(keys)
            row_pl.append(p)
            row_key.append(kid)

    # Normalise each distinct raw (artist, title) once.
    norm_track: dict[tuple[str, str], int] = {}
    norm_artist: dict[str, int] = {}
    key_track = np.empty(len(keys), dtype=np.int64)
    key_artist = np.empty(len(keys), dtype=np.int64)
    empty_artist = spaced = 0
    for raw, kid in keys.items():
        artist, title = raw.decode("utf-8").split('","', 1)
        empty_artist += artist == ""
        spaced += (artist != artist.strip()) + (title != title.strip())
        na, nt = norm(artist), norm(title)
        key_artist[kid] = norm_artist.setdefault(na, len(norm_artist))
        key_track[kid] = norm_track.setdefault((na, nt), len(norm_track))
    pl = np.frombuffer(row_pl, dtype=np.int32).astype(np.int64)
    rk = np.frombuffer(row_key, dtype=np.int32)
    trk = key_track[rk]
    n_pl, n_tr = len(playlists), len(norm_track)
    pairs = np.unique(pl * n_tr + trk)
    per_track = np.bincount(pairs % n_tr, minlength=n_tr)
    lengths = np.bincount(pl, minlength=n_pl)
    art_pairs = np.unique(pl * len(norm_artist) + key_artist[rk])
    artists_per_pl = np.bincount(art_pairs // len(norm_artist), minlength=n_pl)
    names = [name for (_, name) in playlists]
    starred = sum(1 for nm in names if nm == b"Starred")
    sq = float((per_track.astype(np.float64) ** 2).sum())
    return {
        "rows": rows,
        "malformed_rows": malformed,
        "users": len(users),
        "playlists": n_pl,
        "length_p50": float(np.percentile(lengths, 50)),
        "length_p90": float(np.percentile(lengths, 90)),
        "length_p99": float(np.percentile(lengths, 99)),
        "length_max": int(lengths.max()),
        "playlists_over_20k": int((lengths >= 20_000).sum()),
        "one_artist_share": float((artists_per_pl == 1).mean()),
        "tracks": n_tr,
        "artists": len(norm_artist),
        "one_playlist_track_share": float((per_track == 1).mean()),
        "tracks_in_2plus_playlists": int((per_track >= 2).sum()),
        "max_track_playlists": int(per_track.max()),
        "repeated_rows": int(rows - malformed - len(pairs)),
        "rows_with_raw_quotes": quoted,
        "rows_non_ascii": non_ascii,
        "raw_names_with_empty_artist": empty_artist,
        "raw_fields_with_stray_spaces": spaced,
        "playlists_named_starred": starred,
        "sum_squared_playlist_lengths": float((lengths.astype(np.float64) ** 2).sum()),
        "sum_squared_track_playlists": sq,
    }


def targets(shape: Shape) -> dict[str, str]:
    """What ``shape`` (at the file's scale) asks for, printed beside the measured values."""
    t = {k: f"target {getattr(shape, k):,}" for k in ("rows", "users", "playlists", "tracks")}
    t["artists"] = f"target {shape.artists:,}"
    if shape.lengths == "zenodo":
        t["length_p50"], t["length_p90"], t["length_p99"] = (
            "target 16",
            "target ~100",
            "target ~630",
        )
    else:
        t["length_p50"] = f"target {shape.length_median:g}"
    if shape.huge and shape.huge[0] >= shape.length_cap:
        longest = f"{shape.huge[0]:,} (library)"
    else:
        longest = f"<= {max((shape.length_cap, *shape.huge)):,}"
    t["length_max"] = f"target {longest}"
    t["one_artist_share"] = f"target {shape.one_artist_share:.2f}"
    if shape.multi_track_target is not None:
        t["tracks_in_2plus_playlists"] = f"target ~{shape.multi_track_target:,}"
    if shape.name == "zenodo":
        t["one_playlist_track_share"] = "target > 0.5"
        t["playlists_over_20k"] = "target a handful at full scale"
    t["malformed_rows"] = "target 0"
    return t
