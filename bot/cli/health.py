"""``songsim health``: is the running bot connected to Discord? (the container's health check)

The bot touches ``$SONGSIM_HEARTBEAT`` every ``$SONGSIM_HEARTBEAT_INTERVAL`` seconds while it
is connected and ready, and removes the file on a clean shutdown (``bot/heartbeat.py``).
This command only reads that file's age, so it is cheap enough to run every 30 s and never
touches the index, the user database or the network.

Exit codes follow Docker's HEALTHCHECK contract: 0 healthy, 1 unhealthy (Docker reserves 2,
so this command never raises :class:`bot.cli.UserFacingError`). It prints one line either way;
Docker keeps that line in ``docker inspect`` so an operator can see why.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from bot.heartbeat import heartbeat_age

DEFAULT_MAX_AGE = 90.0
# A heartbeat may miss this many intervals before the bot counts as unhealthy: one late
# beat on a busy host is not an outage.
MISSED_BEATS_ALLOWED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "health",
        help="exit 0 if the running bot is connected to Discord (container health check)",
        description="Check the heartbeat file the running bot touches while connected to "
        "Discord. Exit 0 when it is fresh, 1 (with one line saying why) otherwise.",
    )
    p.add_argument(
        "--heartbeat",
        type=Path,
        metavar="PATH",
        help="heartbeat file (default: $SONGSIM_HEARTBEAT, from the environment or ./.env)",
    )
    p.add_argument(
        "--max-age",
        type=seconds_above_zero,
        metavar="SECONDS",
        help=f"oldest acceptable heartbeat (default: {DEFAULT_MAX_AGE:.0f} s, or "
        f"{MISSED_BEATS_ALLOWED} × $SONGSIM_HEARTBEAT_INTERVAL if that is longer)",
    )
    p.set_defaults(func=run)


def seconds_above_zero(text: str) -> float:
    """``--max-age``'s type: 0 or less would make every heartbeat too old, so the check
    could never pass; argparse reports the error (exit 2) before anything is read."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 (got {text})")
    return value


def run(args: argparse.Namespace) -> int:
    env = _environment()
    path = args.heartbeat or _path_from(env)
    max_age = args.max_age if args.max_age is not None else default_max_age(env)
    healthy, line = check_heartbeat(path, max_age)
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def check_heartbeat(
    path: Path | None, max_age: float, now: float | None = None
) -> tuple[bool, str]:
    """(healthy?, one line for the operator) for the heartbeat file at ``path``."""
    if path is None:
        return False, (
            "unhealthy: SONGSIM_HEARTBEAT is not set, so the bot writes no heartbeat to check "
            "(set it to a file path, e.g. /tmp/songsim-heartbeat)."
        )
    try:
        age = heartbeat_age(path, now=now)
    except OSError as exc:
        return False, f"unhealthy: cannot read the heartbeat file {path} ({exc.strerror or exc})."
    if age is None:
        return False, (
            f"unhealthy: no heartbeat file at {path} — the bot is not connected to Discord "
            "(still starting, stopped, or failed: see its log)."
        )
    if age > max_age:
        return False, (
            f"unhealthy: the heartbeat {path} is {age:.0f} s old (limit {max_age:.0f} s) — "
            "the bot lost its Discord connection or is stuck."
        )
    return True, f"healthy: heartbeat touched {age:.0f} s ago (limit {max_age:.0f} s)."


def default_max_age(env: Mapping[str, str]) -> float:
    """90 s, or a few heartbeat intervals when the operator made the interval long."""
    try:
        interval = float(env.get("SONGSIM_HEARTBEAT_INTERVAL") or 0)
    except ValueError:
        interval = 0.0  # the bot itself refuses to start with a bad interval
    return max(DEFAULT_MAX_AGE, MISSED_BEATS_ALLOWED * interval)


def _environment() -> dict[str, str]:
    """The environment over ./.env, exactly as the bot's settings read them."""
    values: dict[str, str] = {}
    dotenv = Path(".env")
    if dotenv.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(os.environ)
    return values


def _path_from(env: Mapping[str, str]) -> Path | None:
    raw = (env.get("SONGSIM_HEARTBEAT") or "").strip()
    return Path(raw) if raw else None
