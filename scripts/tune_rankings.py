"""Choose the discovery rankings' constants on validation splits (not the reported ones).

For each dataset the splits ``--seed``, ``--seed + 1``, ... (default 200: the reported runs use
0 and 100) are built once as ``songsim index build`` would (extras included), then every
setting of the grid re-ranks the stored rows as the bot does and is scored on the bot's first
page: HitRate@10, coverage and median popularity, with exact Jaccard as the reference.

    python scripts/tune_rankings.py ../shared/data/yes/yes_small --format yes --repeats 2
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from index.build.options import DEFAULTS
from index.ingest import read_dataset
from index.quality import baselines as bl
from index.quality.methods import MethodRunner
from index.quality.pages import Presentation, song_ids
from index.quality.scores import score_rows
from index.quality.split import pick_seeds, split_playlists
from index.read import ranking as rk

GRID = {
    "closest": ("CLOSEST_SHRINK", (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)),
    "popular": ("POPULAR_SHRINK", (3.0, 5.0, 10.0, 20.0, 50.0)),
    "deep-cuts": ("DEEP_CUTS_POWER", (0.1, 0.15, 0.25, 0.35)),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset")
    p.add_argument("--format", default="auto")
    p.add_argument("--seed", type=int, default=200)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--extras", type=int, default=DEFAULTS.extras)
    p.add_argument("--min-shared", type=int, default=DEFAULTS.min_shared)
    p.add_argument("--min-playlists", type=int, default=DEFAULTS.min_playlists)
    args = p.parse_args()
    corpus = read_dataset(args.dataset, args.format, progress=False)
    credits = bl.ArtistCredits(corpus.track_artist, corpus.artist_names)
    present = Presentation(credits, song_ids(corpus))
    figures: dict[tuple[str, float], list[tuple[float, int, float]]] = {}
    for r in range(args.repeats):
        split = split_playlists(corpus, seed=args.seed + r, max_test_playlists=2000)
        seeds = pick_seeds(split, 5, args.seed + r)
        runner = MethodRunner(
            split,
            seeds,
            10,
            False,
            credits=credits,
            present=present,
            extras=args.extras,
            min_shared=args.min_shared,
            min_playlists=args.min_playlists,
        )

        def score(key: str, runner=runner, seeds=seeds, split=split) -> tuple[float, int, float]:
            row = score_rows(runner.top(key), seeds.playlist, 1, seeds.coverage_sample, split)
            return row.hit_rate, row.coverage, row.median_popularity

        figures.setdefault(("exact", 0.0), []).append(score("exact"))
        figures.setdefault(("cooccurrence", 0.0), []).append(score("cooccurrence"))
        for key, (name, values) in GRID.items():
            old = getattr(rk, name)
            for value in values:
                setattr(rk, name, value)
                figures.setdefault((key, value), []).append(score(key))
            setattr(rk, name, old)
    print(
        f"{args.dataset} (splits {args.seed}..{args.seed + args.repeats - 1}, extras {args.extras})"
    )
    ref_cov = np.mean([f[1] for f in figures[("exact", 0.0)]])
    for (key, value), rows in figures.items():
        hr, cov, pop = (np.mean(x) for x in itertools.islice(zip(*rows, strict=True), 3))
        print(
            f"{key:12s} {value:5.2f}  HR {hr:.3f}  cov {cov:7.0f} ({cov / ref_cov:4.0%})  pop {pop:6.1f}"
        )


if __name__ == "__main__":
    main()
