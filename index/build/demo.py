"""The demo dataset: real, well-known songs in generated, themed playlists.

A fresh checkout has no playlist data, yet ``songsim ask "daft punk - one more time"`` should
answer with songs a person recognises as related. So the project ships a hand-written
catalogue of real songs (``demo_catalogue.csv`` beside this module: artist, title, primary
genre, decade, moods/scenes, a popularity weight 1-10) and generates playlists from it the
way people make them: by genre, decade, mood, artist, for parties, and personal mixes.

Each playlist draws mostly from its theme, popular songs more often, with a little noise from
outside it, so the playlist-overlap similarity of the built index matches the catalogue's own
labels. Version variants ("... - Remastered 2011") show up mostly beside their original, and
a few songs marked ``rare`` land in exactly one playlist, so the "too rare to have
recommendations" answer has real examples. The same seed gives the same rows on any machine
(``random.Random`` only, no set-order or numpy-version dependence).

The catalogue is read in :mod:`~index.build.demo_catalogue`, the playlists are made in
:mod:`~index.build.demo_playlists`; this module writes them as a dataset file.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

from index.build.demo_catalogue import CATALOGUE_FILE, GENRES, MOODS, Song, load_catalogue
from index.build.demo_playlists import (
    MAX_LENGTH,
    MIN_LENGTH,
    MIN_PLAYLISTS_PER_SONG,
    RELATED_GENRES,
    generate_demo_playlists,
)

__all__ = [
    "CATALOGUE_FILE",
    "DEFAULT_FILE_NAME",
    "GENRES",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "MIN_PLAYLISTS_PER_SONG",
    "MOODS",
    "RELATED_GENRES",
    "Song",
    "generate_demo_playlists",
    "load_catalogue",
    "main",
    "write_demo_dataset",
]

DEFAULT_FILE_NAME = "demo-playlists.csv"


def write_demo_dataset(path: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write the demo playlists as a generic ``playlist,artist,track`` CSV; return its path.

    ``path`` may be a folder (the file is then ``demo-playlists.csv`` inside it). The file is
    written under a temporary name and renamed, so a reader never sees half of it.
    """
    out = Path(path)
    if out.is_dir():
        out = out / DEFAULT_FILE_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["playlist", "artist", "track"])
            writer.writerows(generate_demo_playlists(seed))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m index.build.demo [OUT]``: write the demo CSV for use outside songsim."""
    parser = argparse.ArgumentParser(prog="python -m index.build.demo", description=main.__doc__)
    parser.add_argument("out", nargs="?", default=DEFAULT_FILE_NAME, help="file or folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = write_demo_dataset(args.out, seed=args.seed)
    rows = generate_demo_playlists(args.seed)
    print(f"{out}: {len(rows)} rows, {len({r[0] for r in rows})} playlists")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
