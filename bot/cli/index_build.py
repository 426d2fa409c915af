"""``songsim index ...``: build an index from a dataset, check its recall, build the demo.

Thin on purpose: the flags' defaults come from :data:`index.build.options.DEFAULTS`, the
formats from :data:`index.ingest.FORMATS`, and ``index.build.build_index`` picks the engine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.index_quality import (
    DATASET_FORMATS,
    register_holdout,
    require_at_least,
    require_builder,
)
from bot.errors import UserFacingError
from index.build.options import DEFAULTS, ENGINES, LEAST, METHODS
from index.build.output import OutputRefused
from index.corpus import DatasetError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build and check neighbour indexes")
    isub = p.add_subparsers(dest="index_command", required=True, metavar="ACTION")

    b = isub.add_parser(
        "build", help="build an index from playlist datasets or ListenBrainz listens"
    )
    b.add_argument(
        "dataset",
        nargs="+",
        help="dataset files or folders, read into one index (e.g. a ListenBrainz full dump "
        "and the incremental dumps after it)",
    )
    b.add_argument(
        "-o",
        "--out",
        required=True,
        help="index file to write (an existing index is replaced atomically; any other "
        "existing file, or one of the datasets, only with --force)",
    )
    b.add_argument(
        "--force",
        action="store_true",
        help="write -o even when it is one of the datasets or an existing file that is not "
        "a songsim index (that file is lost)",
    )
    b.add_argument("--format", default=DEFAULTS.fmt, choices=DATASET_FORMATS)
    b.add_argument(
        "--method",
        default=DEFAULTS.method,
        choices=METHODS,
        help="lsh: MinHash+LSH candidates, exact re-rank (default); exact: reference",
    )
    b.add_argument(
        "--k",
        type=int,
        default=DEFAULTS.k,
        help=f"neighbours kept per track (default {DEFAULTS.k})",
    )
    b.add_argument(
        "--extras",
        type=int,
        default=DEFAULTS.extras,
        help="candidates kept after the top k for the discovery rankings: the songs sharing "
        f"most playlists (default {DEFAULTS.extras}; 0: top k only)",
    )
    b.add_argument(
        "--artist-extras",
        type=int,
        default=DEFAULTS.artist_extras,
        help="songs sharing a credited artist and a playlist kept after the extras, best "
        "Jaccard first "
        f"(default {DEFAULTS.artist_extras}; 0: none)",
    )
    b.add_argument(
        "--min-playlists",
        type=int,
        default=DEFAULTS.min_playlists,
        help=f"playlists a track needs to get neighbours (default {DEFAULTS.min_playlists})",
    )
    b.add_argument(
        "--min-shared",
        type=int,
        default=DEFAULTS.min_shared,
        help=f"playlists a neighbour must share (default {DEFAULTS.min_shared})",
    )
    b.add_argument(
        "--session-gap",
        type=int,
        default=DEFAULTS.session_gap,
        metavar="SECONDS",
        help=f"silence that ends a listening session, for listens (default {DEFAULTS.session_gap})",
    )
    b.add_argument("--strict", action="store_true", help="fail on the first malformed row")
    b.add_argument(
        "--no-memberships",
        action="store_true",
        help="do not store playlist names and memberships (smaller file, no 'why' examples)",
    )
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    b.add_argument(
        "--engine",
        default=DEFAULTS.engine,
        choices=ENGINES,
        help="local: this machine (default); spark: Apache Spark "
        "(pip install 'songsim[spark]', Java 17; see docs/SCALE.md)",
    )
    b.add_argument(
        "--master",
        default=DEFAULTS.master,
        help="Spark master with --engine spark: local[N], spark://host:7077, yarn, k8s://...",
    )
    b.set_defaults(func=run_build)

    e = isub.add_parser("evaluate", help="recall@10 of an index against exact Jaccard")
    e.add_argument(
        "--dataset", required=True, nargs="+", help="the dataset(s) the index was built from"
    )
    e.add_argument("--session-gap", type=int, default=DEFAULTS.session_gap, metavar="SECONDS")
    e.add_argument("--index", required=True, help="the index file")
    e.add_argument("--format", default="auto", choices=DATASET_FORMATS)
    e.add_argument("--queries", type=int, default=1000, help="tracks to sample (default 1000)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument(
        "--weighted",
        action="store_true",
        help="sample tracks in proportion to their playlists (the songs people ask about)",
    )
    e.set_defaults(func=run_evaluate)

    d = isub.add_parser("demo", help="(re)build the demo index from the bundled demo dataset")
    d.add_argument("-o", "--out", help="index file (default: the demo index path)")
    d.add_argument(
        "--force",
        action="store_true",
        help="write -o even when it is an existing file that is not a songsim index",
    )
    d.set_defaults(func=run_demo)

    register_holdout(isub)


def run_build(args: argparse.Namespace) -> int:
    from index.build import BuildOptions, build_index

    require_builder()
    require_at_least(args, LEAST)

    options = BuildOptions(
        fmt=args.format,
        method=args.method,
        k=args.k,
        extras=args.extras,
        artist_extras=args.artist_extras,
        min_playlists=args.min_playlists,
        min_shared=args.min_shared,
        strict=args.strict,
        session_gap=args.session_gap,
        memberships=not args.no_memberships,
        engine=args.engine,
        master=args.master,
    )
    try:
        dataset = args.dataset[0] if len(args.dataset) == 1 else args.dataset
        summary = build_index(dataset, args.out, options, progress=not args.quiet, force=args.force)
    except OutputRefused as exc:
        raise UserFacingError(str(exc)) from exc
    except (DatasetError, ValueError) as exc:
        kept = (
            f"The index at {args.out} was not changed."
            if Path(args.out).exists()
            else f"No index was written ({args.out} does not exist)."
        )
        raise UserFacingError(f"{exc} {kept}") from exc
    except OSError as exc:
        raise UserFacingError(
            f"could not write {args.out}: {exc.strerror or exc}. "
            "The previous index, if any, is untouched."
        ) from exc
    except RuntimeError as exc:  # index.spark.session.SparkUnavailable: PySpark or Java missing
        raise UserFacingError(str(exc)) from exc
    except MemoryError as exc:  # a huge dataset, or one enormous line or JSON document
        raise UserFacingError(
            f"ran out of memory building {args.out} from {args.dataset}; try a machine with "
            "more memory, or --engine spark (docs/SCALE.md). The previous index, if any, "
            "is untouched."
        ) from exc
    print("\n".join(summary.lines()))
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from index.ingest import read_dataset
    from index.quality.recall import evaluate_recall
    from index.read.connect import IndexOpenError, connect

    require_builder(scipy=True)
    require_at_least(args, {"queries": 1, "seed": 0, "session_gap": 0})
    try:
        connect(Path(args.index))[0].close()  # a file that is no index fails before the read
        corpus = read_dataset(
            args.dataset, args.format, progress=True, session_gap=args.session_gap
        )
        report = evaluate_recall(
            corpus.indptr,
            corpus.indices,
            args.index,
            queries=args.queries,
            seed=args.seed,
            weighted=args.weighted,
        )
    except (IndexOpenError, DatasetError, ValueError) as exc:
        raise UserFacingError(str(exc)) from exc
    print(("weighted by playlists: " if args.weighted else "") + report.summary())
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from index.build import build_index
    from index.build.demo import write_demo_dataset
    from index.build.output import check_output
    from index.paths import demo_index_path

    out = Path(args.out) if args.out is not None else demo_index_path()
    csv_target = out.parent / "demo-playlists.csv"
    try:
        # Checked before the demo CSV is written beside it ("-o ''" is an empty path, not ".").
        check_output(args.out if args.out is not None else out, [csv_target], force=args.force)
        csv_path = write_demo_dataset(csv_target)
        summary = build_index(
            csv_path, out, fmt="csv", method="auto", progress=sys.stderr.isatty(), force=args.force
        )
    except OutputRefused as exc:
        raise UserFacingError(str(exc)) from exc
    except OSError as exc:
        raise UserFacingError(
            f"could not write {out}: {exc.strerror or exc}. The previous index, if any, "
            "is untouched."
        ) from exc
    print("\n".join(summary.lines()))
    return 0
