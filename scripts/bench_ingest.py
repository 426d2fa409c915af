"""Measure dataset ingest: rows/s, wall seconds and peak RSS of ``read_dataset``.

    python scripts/bench_ingest.py /path/to/spotify_dataset.csv [--format auto] [--no-progress]

The full-scale input comes from ``scripts/make_synthetic.py --rows 12900000`` (or the real
file). ``--replicate-sample N OUT`` instead writes OUT by repeating the real 10k-row Zenodo
sample with fresh user ids and suffixed names until it has N rows (a quick stand-in with
the real format's quirks), then measures reading it. Target on the 2-core machine:
12.9M Zenodo rows in at most 50 s and 2.5 GB peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from pathlib import Path

from index.ingest import read_dataset

SAMPLE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "zenodo_sample"
) / "spotify_dataset_head10k.csv"


def replicate_sample(rows: int, out: Path) -> None:
    """Write ``rows`` Zenodo-format rows built from the real sample (not committed anywhere)."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    header, body = lines[0], [line for line in lines[1:] if line]
    with open(out, "w", encoding="utf-8") as f:
        f.write(header + "\n")
        written, copy = 0, 0
        while written < rows:
            for line in body:
                if written >= rows:
                    break
                user = hashlib.md5(f"{line[1:33]}{copy}".encode()).hexdigest()
                inner = line[36:-1]
                # Vary the names so the copy adds new tracks (about 1 in 3 rows reuse
                # the original track, so popular tracks span copies).
                if written % 3:
                    key, sep, playlist = inner.rpartition('","')
                    inner = f"{key} #{copy % 97}{sep}{playlist}"
                f.write(f'"{user}","{inner}"\n')
                written += 1
            copy += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, nargs="?")
    ap.add_argument("--format", default="auto")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--replicate-sample", nargs=2, metavar=("ROWS", "OUT"))
    args = ap.parse_args()
    path = args.path
    if args.replicate_sample:
        rows, out = int(args.replicate_sample[0]), Path(args.replicate_sample[1])
        t = time.monotonic()
        replicate_sample(rows, out)
        print(f"wrote {rows:,} rows to {out} in {time.monotonic() - t:.1f} s", file=sys.stderr)
        path = out
    if path is None:
        ap.error("give a dataset path or --replicate-sample ROWS OUT")

    start = time.monotonic()
    cpu0 = time.process_time()
    corpus = read_dataset(path, args.format, progress=not args.no_progress)
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r = corpus.report
    size_mb = path.stat().st_size / 2**20 if path.is_file() else float("nan")
    print(f"source        {path} ({size_mb:,.0f} MiB, format {r.format})")
    print(
        f"rows read     {r.rows_read:,} ({r.rows_malformed:,} malformed, {r.duplicate_rows:,} repeats)"
    )
    print(f"playlists     {corpus.n_playlists:,}")
    print(f"tracks        {corpus.n_tracks:,}")
    print(f"artists       {corpus.n_artists:,}")
    print(f"memberships   {len(corpus.indices):,}")
    print(f"wall          {wall:.1f} s (cpu {cpu:.1f} s)")
    print(f"rows/s        {r.rows_read / wall:,.0f}")
    print(f"peak RSS      {peak_mb:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
