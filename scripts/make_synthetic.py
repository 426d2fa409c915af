"""Write a synthetic playlist dataset shaped like the real Zenodo ``spotify_dataset.csv``.

The real file cannot ship with the project, but the build has to be measured at its scale,
so this script writes a stand-in with the same shape (as measured on the real file: 12.9M
rows, 15.9k users, 231.6k playlists, length median 16 / p90 ~100 / p99 ~630, a few library
playlists of 20k-47k tracks, 45 % one-artist playlists, 2.8M tracks by 290k artists with
over half of the tracks in one playlist) and the same format quirks (raw unescaped quotes,
a playlist named ``"/``, empty artists, stray spaces, non-ASCII names, repeated rows).

Similarity has to mean something, so the data has structure: artists belong to scenes,
users favour a scene or two, a playlist draws mostly from one scene (45 % from one artist),
and popularity is Zipf-like. ``--rows N`` scales every count proportionally, so tests can
write a 50k-row file in a second.

    python scripts/make_synthetic.py --rows 12900000 --out /work/bench-data/spotify_dataset.csv

The code lives in ``scripts/synthetic/``. After writing, the file is read back with an independent parser (the project's rule: strip
the outer quotes, split on ``","``) and its measured shape is printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.synthetic.generate import (  # noqa: E402
    FULL_ARTISTS,
    FULL_PLAYLISTS,
    FULL_ROWS,
    FULL_TRACKS,
    FULL_USERS,
    HUGE_SIZES,
    Synthetic,
    generate,
)
from scripts.synthetic.measure import measure_zenodo, targets  # noqa: E402
from scripts.synthetic.write import write_mpd, write_zenodo  # noqa: E402

__all__ = [
    "FULL_ARTISTS",
    "FULL_PLAYLISTS",
    "FULL_ROWS",
    "FULL_TRACKS",
    "FULL_USERS",
    "HUGE_SIZES",
    "Synthetic",
    "generate",
    "main",
    "measure_zenodo",
    "write_mpd",
    "write_zenodo",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--rows", type=int, default=FULL_ROWS, help="rows to write (default: full scale)"
    )
    ap.add_argument("--out", type=Path, required=True, help="CSV file (zenodo) or folder (mpd)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["zenodo", "mpd"], default="zenodo")
    ap.add_argument("--no-measure", action="store_true", help="skip reading the file back")
    args = ap.parse_args(argv)
    if args.rows < 100:
        ap.error("--rows must be at least 100")

    t0 = time.perf_counter()
    data = generate(args.rows, args.seed)
    t1 = time.perf_counter()
    if args.format == "zenodo":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".part")
        write_zenodo(data, tmp)
        tmp.replace(args.out)
    else:
        write_mpd(data, args.out)
    t2 = time.perf_counter()
    print(f"wrote {args.out} ({args.format}, {args.rows:,} rows, seed {args.seed})")
    print(f"generate {t1 - t0:.1f} s, write {t2 - t1:.1f} s")
    if args.format == "zenodo" and not args.no_measure:
        shape = measure_zenodo(args.out)
        print(f"measured from the file in {time.perf_counter() - t2:.1f} s:")
        want = targets(args.rows)
        for k, v in shape.items():
            shown = f"{v:,.3f}" if isinstance(v, float) else f"{v:,}"
            print(f"  {k:32} {shown:>18}   {want.get(k, '')}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
