"""``songsim ask``: print what the bot would answer to a query (table or JSON)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="print what the bot would answer to a song query")
    p.add_argument("query", help='what a user would type, e.g. "daft punk - one more time"')
    p.add_argument("--index", help="index file (default: $SONGSIM_INDEX, then the demo index)")
    p.add_argument("-k", type=int, default=10, help="how many songs to show (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON for other tools")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("the read path fills this in")
