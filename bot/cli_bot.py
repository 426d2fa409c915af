"""``songsim bot``: run the Discord bot (or the console when no token is set)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bot", help="run the Discord bot (console mode without a token)")
    p.add_argument("--console", action="store_true", help="run the commands in this terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("the bot fills this in")
