"""The ``songsim`` command line: one entry point, one subcommand per job.

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds
its parser and sets ``func``; ``main`` only dispatches and turns expected failures into one
clear sentence (never a traceback).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot import __version__
from bot.cli import ask as cli_ask
from bot.cli import health as cli_health
from bot.cli import index_build as cli_index
from bot.cli import run_bot as cli_bot
from bot.errors import UserFacingError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="songsim", description="Song recommendations from the playlists songs share."
    )
    parser.add_argument("--version", action="version", version=f"songsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_index.register(sub)
    cli_ask.register(sub)
    cli_bot.register(sub)
    cli_health.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(args, "log_level", None) or logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return code
    except BrokenPipeError:  # `songsim … | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("songsim: interrupted.", file=sys.stderr)
        return 130
    except UserFacingError as exc:
        print(f"songsim: {exc}", file=sys.stderr)
        return 2
