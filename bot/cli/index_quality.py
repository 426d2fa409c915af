"""``songsim index holdout``: measure recommendation quality on held-out playlists.

Registered under ``songsim index`` by :mod:`bot.cli.index_build` via
:func:`register_holdout`. The work is in :mod:`index.quality.holdout`; this module parses
arguments (build defaults from :data:`index.build.options.DEFAULTS`), prints the table
and, with ``--out``, writes it as a section of a Markdown report (e.g. ``docs/research/quality-notes.md``).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from index.build.options import DEFAULTS, LEAST
from index.corpus import DatasetError
from index.ingest import FORMATS

DATASET_FORMATS = ["auto", *FORMATS]
"""``--format`` choices of every ``songsim index`` command that reads a dataset."""


HOLDOUT_LEAST = {
    "k": 1,
    "seeds_per_playlist": 1,
    "repeats": 1,
    "build_k": LEAST["k"],
    **{n: LEAST[n] for n in ("min_shared", "min_playlists", "extras", "artist_extras")},
    "seed": 0,
    "max_test_playlists": 0,
    "likes": 0,
    "ease_max_items": 0,
}
"""The least value of each number ``songsim index holdout`` takes (below it means nothing)."""


def require_builder(scipy: bool = False) -> None:
    """Stop with one sentence where the builder's packages are left out (the bot-only image).

    Without numba a build runs its kernels as plain Python (index.jit): fine for the demo
    index, far too slow for a real dataset. The quality commands need scipy as well.
    """
    from bot.errors import UserFacingError
    from index import jit

    missing = [] if jit.AVAILABLE else ["numba"]
    if scipy:
        try:
            import scipy.sparse  # noqa: F401 - only whether it is there
        except ImportError:
            missing.append("scipy")
    if missing:
        raise UserFacingError(
            f"this install has no {' or '.join(missing)}: it is the bot-only image, which "
            "answers from an index but does not build one. Run `songsim index ...` in the full "
            "image (the Dockerfile's default target), or install songsim with all its "
            "dependencies."
        )


def require_at_least(args: argparse.Namespace, least: dict[str, int]) -> None:
    """Stop with one sentence naming the option when a number is below its least meaningful
    value (``least`` maps argparse dests to it); run before a long read, not after."""
    from bot.errors import UserFacingError

    for dest, low in least.items():
        value = getattr(args, dest)
        if value < low:
            flag = "--" + dest.replace("_", "-")
            raise UserFacingError(f"{flag} must be at least {low} (got {value}).")


def register_holdout(isub: argparse._SubParsersAction) -> None:
    """Add ``holdout`` to the ``songsim index`` subcommands."""
    from index.quality.holdout import COMPARED, DEFAULT_METHODS, LIKES, METHODS
    from index.quality.models import EASE_MAX_ITEMS

    h = isub.add_parser(
        "holdout",
        help="measure recommendation quality on held-out playlists",
        description=(
            "Hold out a seeded share of the playlists, build neighbours on the rest as "
            "`songsim index build` does, and report HitRate@k, Recall@k, catalogue coverage "
            "and the median popularity of recommendations for the index, exact Jaccard, "
            "baselines and each discovery ranking, side by side."
        ),
    )
    h.add_argument(
        "dataset",
        nargs="+",
        help="dataset file(s), or a folder of MPD slices / a Yes.com folder (several are read "
        "as one collection, as `songsim index build` reads them)",
    )
    h.add_argument("--format", default="auto", choices=DATASET_FORMATS)
    h.add_argument("--seed", type=int, default=0, help="seed of the split and of the seed tracks")
    h.add_argument(
        "--test-fraction", type=float, default=0.2, help="share of playlists held out (default 0.2)"
    )
    h.add_argument(
        "--max-test-playlists",
        type=int,
        default=2000,
        help="at most this many test playlists per split (default 2000; 0 = no cap)",
    )
    h.add_argument(
        "--seeds-per-playlist",
        type=int,
        default=5,
        help="seed tracks per test playlist (default 5)",
    )
    h.add_argument("--k", type=int, default=10, help="recommendations scored per seed (default 10)")
    h.add_argument(
        "--methods",
        default="all",
        help=f"comma-separated subset of: {', '.join(METHODS)} (default all: "
        f"{', '.join(DEFAULT_METHODS)})",
    )
    h.add_argument(
        "--compare",
        action="store_true",
        help=f"add {', '.join(COMPARED)} (settings tuned per split on validation playlists "
        "held out of its train playlists) and their comparison table; EASE and ALS take "
        "minutes on big catalogues",
    )
    h.add_argument(
        "--ease-max-items",
        type=int,
        default=EASE_MAX_ITEMS,
        help=f"fit EASE only on up to this many tracks (those in --min-playlists train "
        f"playlists; dense matrix, ~8 bytes a pair; default {EASE_MAX_ITEMS:,})",
    )
    h.add_argument(
        "--repeats", type=int, default=1, help="average over this many splits (seed, seed+1, ...)"
    )
    h.add_argument(
        "--no-near-copy-guard",
        action="store_true",
        help="keep train playlists that mostly overlap a test playlist (leaks; for comparison only)",
    )
    h.add_argument(
        "--build-k",
        type=int,
        default=DEFAULTS.k,
        help=f"as `index build --k` (default {DEFAULTS.k})",
    )
    h.add_argument(
        "--extras",
        type=int,
        default=DEFAULTS.extras,
        help=f"as `index build --extras` (default {DEFAULTS.extras})",
    )
    h.add_argument(
        "--artist-extras",
        type=int,
        default=DEFAULTS.artist_extras,
        help=f"as `index build --artist-extras` (default {DEFAULTS.artist_extras})",
    )
    h.add_argument(
        "--min-shared",
        type=int,
        default=DEFAULTS.min_shared,
        help=f"as `index build --min-shared` (default {DEFAULTS.min_shared})",
    )
    h.add_argument(
        "--min-playlists",
        type=int,
        default=DEFAULTS.min_playlists,
        help=f"as `index build --min-playlists` (default {DEFAULTS.min_playlists})",
    )
    h.add_argument(
        "--no-artist-cap",
        action="store_true",
        help="score each method's plain top k instead of the bot's first page (at most "
        "3 songs per artist); for comparison with figures before the cap",
    )
    h.add_argument(
        "--likes",
        type=int,
        default=LIKES,
        help=f"tracks of a test playlist liked together in the /foryou and mixes table "
        f"(default {LIKES}; 0 = no such table)",
    )
    h.add_argument(
        "--out",
        help="Markdown report to add this run's section to (e.g. docs/research/quality-notes.md)",
    )
    h.add_argument(
        "--label", help="section title in --out (default: the dataset's name); a rerun replaces it"
    )
    h.add_argument("--quiet", action="store_true", help="no progress output")
    h.set_defaults(func=run_holdout)


def parse_methods(text: str, compare: bool = False) -> list[str]:
    """``"all"`` (the untuned methods) or a comma-separated list of method keys, checked;
    ``compare`` adds the compared methods not listed."""
    from index.quality.holdout import COMPARED, DEFAULT_METHODS, METHODS

    extra = [m for m in COMPARED if compare]
    if text.strip() == "all":
        return list(DEFAULT_METHODS) + [m for m in extra if m not in DEFAULT_METHODS]
    chosen = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METHODS]
    if unknown or not chosen:
        raise ValueError(
            f"unknown method(s) {', '.join(unknown) or '(none given)'}; choose from: {', '.join(METHODS)}."
        )
    return chosen + [m for m in extra if m not in chosen]


def run_holdout(args: argparse.Namespace) -> int:
    from bot.errors import UserFacingError

    require_builder(scipy=True)
    from index.ingest import read_dataset
    from index.quality.holdout import evaluate
    from index.read.present import MAX_PER_ARTIST

    try:
        methods = parse_methods(args.methods, args.compare)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from exc
    if not 0 < args.test_fraction < 1:  # checked before a long read, not after
        raise UserFacingError("--test-fraction must be between 0 and 1 (e.g. 0.2).")
    require_at_least(args, HOLDOUT_LEAST)
    started = time.monotonic()
    log = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        corpus = read_dataset(args.dataset, args.format, progress=not args.quiet)
        report = evaluate(
            corpus,
            dataset=" + ".join(args.dataset),
            seed=args.seed,
            test_fraction=args.test_fraction,
            seeds_per_playlist=args.seeds_per_playlist,
            k=args.k,
            methods=methods,
            max_test_playlists=args.max_test_playlists or None,
            repeats=args.repeats,
            near_copy_guard=not args.no_near_copy_guard,
            build_k=args.build_k,
            extras=args.extras,
            artist_extras=args.artist_extras,
            min_shared=args.min_shared,
            min_playlists=args.min_playlists,
            per_artist=None if args.no_artist_cap else MAX_PER_ARTIST,
            likes=args.likes,
            ease_max_items=args.ease_max_items,
            log=log,
        )
    except (DatasetError, ValueError) as exc:
        raise UserFacingError(str(exc)) from exc
    except MemoryError as exc:  # a huge dataset, or --build-k/--extras near its song count
        raise UserFacingError(
            f"ran out of memory evaluating {' + '.join(args.dataset)}; try smaller --build-k, "
            "--extras or --k, fewer --max-test-playlists, or a machine with more memory."
        ) from exc
    seconds = time.monotonic() - started
    label = args.label or _dataset_name(args.dataset[0])
    if len(args.dataset) > 1 and not args.label:
        label += f" + {len(args.dataset) - 1} more"
    section = _section(label, report.markdown(), seconds)
    print(section)
    if args.out:
        try:
            write_section(Path(args.out), label, section)
        except OSError as exc:
            raise UserFacingError(f"could not write {args.out}: {exc.strerror or exc}.") from exc
        print(f"Wrote section {label!r} of {args.out}.", file=sys.stderr)
    return 0


def _dataset_name(dataset: str) -> str:
    path = Path(dataset)
    name = path.name or str(path)
    for suffix in (".gz", ".csv", ".json", ".txt"):
        name = name.removesuffix(suffix)
    return name


def _section(label: str, table: str, seconds: float) -> str:
    """One dataset's section: title, the command that produced it, when, how long, the table."""
    command = "songsim " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ran = f"`{command}` — " if command.startswith("songsim index holdout") else ""
    return (
        f"### {label}\n\n{ran}{when}, {seconds:.0f} s wall (all methods, shared 2-core machine).\n\n"
        f"{table}\n"
    )


def write_section(path: Path, label: str, section: str) -> None:
    """Replace the section for ``label`` in ``path`` (between markers), or append it."""
    start, end = f"<!-- holdout: {label} -->", f"<!-- /holdout: {label} -->"
    block = f"{start}\n{section.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Recommendation quality\n\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
