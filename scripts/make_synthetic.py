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

The build's time has to hold on other shapes too, so ``--shape`` picks another preset
(scripts/synthetic/shapes.py: ``dense``, fewer distinct tracks and artists with more of
them in two or more playlists; ``long-tail``, fewer and longer playlists; ``flat``, many
short playlists with few repeats; ``mpd-slice``, 15,000 playlists shaped like the Million
Playlist Dataset's, for quality checks), and the options below change one figure of a shape:

    python scripts/make_synthetic.py --shape dense --out /work/bench-data/shape-dense.csv

The code lives in ``scripts/synthetic/``. After writing, the file is read back with an
independent parser (the project's rule: strip the outer quotes, split on ``","``) and its
measured shape is printed beside what the shape asked for.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.synthetic.generate import Synthetic, generate  # noqa: E402
from scripts.synthetic.measure import measure_zenodo, targets  # noqa: E402
from scripts.synthetic.shapes import (  # noqa: E402
    FULL_ARTISTS,
    FULL_PLAYLISTS,
    FULL_ROWS,
    FULL_TRACKS,
    FULL_USERS,
    HUGE_SIZES,
    LENGTH_KINDS,
    MINIMUM,
    SHAPES,
    ZENODO,
    Shape,
)
from scripts.synthetic.write import write_mpd, write_zenodo  # noqa: E402

__all__ = [
    "FULL_ARTISTS",
    "FULL_PLAYLISTS",
    "FULL_ROWS",
    "FULL_TRACKS",
    "FULL_USERS",
    "HUGE_SIZES",
    "SHAPES",
    "Shape",
    "Synthetic",
    "generate",
    "main",
    "measure_zenodo",
    "write_mpd",
    "write_zenodo",
]


def _shape(ap: argparse.ArgumentParser, args: argparse.Namespace) -> Shape:
    """The preset at the rows asked for, with the figures given on the command line."""
    base = SHAPES[args.shape]
    rows = base.rows if args.rows is None else args.rows
    if rows < 100:
        ap.error("--rows must be at least 100")
    shape = base.at(rows)
    given = {
        k: getattr(args, k)
        for k in ("users", "playlists", "tracks", "artists", "lengths", "length_median")
        + ("length_cap", "known_share", "artist_zipf", "song_zipf")
        if getattr(args, k) is not None
    }
    if args.longest is not None:
        library = shape.huge or ZENODO.at(rows).huge
        given["huge"] = tuple(max(2, round(h * args.longest / library[0])) for h in library)
        given["huge"] = given["huge"] if args.longest > 0 else ()
    if given:  # no longer the preset: its name and its aim for repeats no longer apply
        options = ["--" + ("longest" if k == "huge" else k.replace("_", "-")) for k in given]
        name = f"{base.name} with {' '.join(sorted(options))}"
        shape = replace(shape, **given, name=name, multi_track_target=None)
    if shape.lengths == "zenodo" and ({"length_median", "length_cap"} & given.keys()):
        ap.error("--length-median and --length-cap need --lengths lognormal or pareto")
    if not 0 < shape.known_share <= 1:
        ap.error("--known-share must be in (0, 1]")
    for k, least in MINIMUM.items():
        if getattr(shape, k) < least:
            ap.error(f"--{k} must be at least {least}")
    if shape.users < len(shape.huge):
        ap.error("need a user for each library playlist")
    needed = sum(shape.huge) + shape.playlists - len(shape.huge)
    if shape.playlists <= len(shape.huge) or needed > shape.rows:
        ap.error("need more playlists than library playlists, and a row for each playlist")
    if shape.tracks < shape.artists:
        ap.error("need at least one track per artist")
    return shape


def describe(shape: Shape) -> str:
    """One line of what is asked for."""
    if shape.lengths == "zenodo":
        lengths = "the real file's lengths"
    else:
        lengths = f"{shape.lengths} lengths (median {shape.length_median:g}, "
        lengths += f"cap {shape.length_cap:,})"
    library = f"{len(shape.huge)} up to {shape.huge[0]:,}" if shape.huge else "none"
    return (
        f"shape {shape.name}: {shape.users:,} users, {shape.playlists:,} playlists, "
        f"{shape.tracks:,} tracks, {shape.artists:,} artists, {lengths}, library playlists "
        f"{library}, known share {shape.known_share:g}, zipf {shape.artist_zipf:g}/"
        f"{shape.song_zipf:g}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Counts given on the command line are the written file's own (not scaled); "
        "the rest are the shape's, scaled to --rows.",
    )
    ap.add_argument("--out", type=Path, required=True, help="CSV file (zenodo) or folder (mpd)")
    ap.add_argument("--shape", choices=sorted(SHAPES), default="zenodo", help="preset")
    ap.add_argument("--rows", type=int, help="rows to write (default: the shape's full scale)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["zenodo", "mpd"], default="zenodo")
    ap.add_argument("--no-measure", action="store_true", help="skip reading the file back")
    g = ap.add_argument_group("change one figure of the shape")
    g.add_argument("--users", type=int)
    g.add_argument("--playlists", type=int)
    g.add_argument("--tracks", type=int, help="distinct tracks")
    g.add_argument("--artists", type=int)
    g.add_argument("--lengths", choices=LENGTH_KINDS, help="playlist length distribution")
    g.add_argument("--length-median", type=float, help="median ordinary playlist length")
    g.add_argument("--length-cap", type=int, help="longest ordinary playlist")
    g.add_argument(
        "--longest", type=int, help="longest library playlist; the others in proportion; 0: none"
    )
    g.add_argument(
        "--known-share",
        type=float,
        help="share of the distinct tracks drawn by popularity (the rest are one-off deep "
        "cuts): higher puts more tracks in two or more playlists",
    )
    g.add_argument("--artist-zipf", type=float, help="artist popularity exponent")
    g.add_argument("--song-zipf", type=float, help="song popularity exponent within an artist")
    args = ap.parse_args(argv)
    shape = _shape(ap, args)
    rows = shape.rows

    t0 = time.perf_counter()
    try:
        data = generate(rows, args.seed, shape)
    except ValueError as exc:
        ap.error(str(exc))
    t1 = time.perf_counter()
    if args.format == "zenodo":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".part")
        write_zenodo(data, tmp)
        tmp.replace(args.out)
    else:
        write_mpd(data, args.out)
    t2 = time.perf_counter()
    print(f"wrote {args.out} ({args.format}, {rows:,} rows, seed {args.seed})")
    print(describe(shape))
    print(f"generate {t1 - t0:.1f} s, write {t2 - t1:.1f} s")
    if args.format == "zenodo" and not args.no_measure:
        measured = measure_zenodo(args.out)
        print(f"measured from the file in {time.perf_counter() - t2:.1f} s:")
        want = targets(shape)
        for k, v in measured.items():
            shown = f"{v:,.3f}" if isinstance(v, float) else f"{v:,}"
            print(f"  {k:32} {shown:>18}   {want.get(k, '')}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
