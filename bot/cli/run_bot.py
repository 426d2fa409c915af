"""``songsim bot``: run the Discord bot, the console, or a configuration check.

* ``songsim bot`` connects to Discord with ``DISCORD_TOKEN``; without a token it starts the
  console when run in a terminal, and otherwise stops with one sentence saying what to set.
* ``songsim bot --console`` runs the same commands in this terminal.
* ``songsim bot --check`` checks the configuration, the index and the user database and
  exits 0 or 1 (the container's start-up check). Whether a running bot is connected is
  ``songsim health``'s job (it reads the heartbeat file this bot touches).

While the bot runs, ``kill -HUP`` (``docker compose kill -s HUP bot``) makes it reopen the
index file, and it also notices by itself, within half a minute, when the file is replaced.
SIGTERM (``docker stop``) or Ctrl-C at any moment closes the gateway, the HTTP session and
the databases, and exits 0 (:mod:`bot.stopping`).

Only the standard library is imported at module level: ``bot.cli`` imports this module for
every subcommand (``songsim health`` runs every 30 s), and discord.py with aiohttp costs
most of a second to import, so ``run`` imports them when the bot is really started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.services import Services
    from bot.settings import Settings
    from bot.stop_signals import StopSignals

log = logging.getLogger("songsim.bot")

INTENT_HELP = (
    "Enable it at https://discord.com/developers/applications → your app → Bot → "
    "Privileged Gateway Intents → Message Content Intent."
)

PRESENCE_HELP = (
    "Enable “Presence Intent” and “Server Members Intent” in the Developer Portal "
    "(your app → Bot → Privileged Gateway Intents), or set SONGSIM_PRESENCE=false."
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bot",
        help="run the Discord bot (console mode without a token)",
        description="Run the Discord bot. Settings come from the environment or ./.env "
        "(see .env.example).",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--console", action="store_true", help="run the commands in this terminal")
    mode.add_argument(
        "--check",
        action="store_true",
        help="check configuration, index and user database; exit 0 when all is well, else 1",
    )
    p.add_argument("--env-file", type=Path, help="read settings from this file instead of ./.env")
    p.add_argument(
        "--lang",
        metavar="LANG",
        help="the language of replies where nobody's Discord language is known, and of the "
        "console (en, de; default SONGSIM_LANG, else en)",
    )
    p.set_defaults(func=run)


def _user_facing(message: str) -> Exception:
    from bot.errors import UserFacingError

    return UserFacingError(message)


def run(args: argparse.Namespace) -> int:
    from bot.settings import Settings, SettingsError

    if args.env_file is not None and not args.env_file.is_file():  # named, so it must be there
        raise _user_facing(f"There is no settings file at {args.env_file} (--env-file).")
    try:
        settings = Settings.from_env(dotenv_path=args.env_file)
        if getattr(args, "lang", None):
            settings = settings.with_language(args.lang)
    except SettingsError as exc:
        raise _user_facing(str(exc)) from None
    configure_logging(settings)
    if args.check:
        return check(settings, out=sys.stdout)
    if args.console or settings.token is None:
        if not args.console and not sys.stdin.isatty():
            raise _user_facing(
                "DISCORD_TOKEN is not set — put it in .env or the environment (see .env.example), "
                "or run `songsim bot --console` to try the commands in a terminal."
            )
        if not args.console:
            print(
                "No DISCORD_TOKEN set, so starting the console instead of Discord.", file=sys.stderr
            )
        return asyncio.run(_console(settings))
    return asyncio.run(run_bot(settings))


def configure_logging(settings: Settings) -> None:
    """Apply LOG_LEVEL, hide every secret from every log handler, and keep discord.py's
    payload dumps (user names) out of the log."""
    from bot.settings import install_redaction

    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root.setLevel(settings.log_level)
    install_redaction(settings.secrets())
    # discord.py's debug lines carry whole gateway events and request bodies (user names,
    # message text), aiosqlite's every query's values (a user's likes and blocks): they stay
    # off even at LOG_LEVEL=DEBUG, so users are logged by id only.
    level = max(logging.INFO, logging.getLevelName(settings.log_level))
    for library in ("discord", "aiosqlite"):
        logging.getLogger(library).setLevel(level)
    # Lines that only confuse: songsim plays no voice, and it explains the content intent itself.
    noise = ("voice will NOT be supported", "Privileged message content intent is missing")
    for name in ("discord.client", "discord.ext.commands.bot"):
        logging.getLogger(name).addFilter(lambda r: not any(n in r.getMessage() for n in noise))


async def _console(settings: Settings) -> int:
    """The console until ``quit``, the end of input, or SIGTERM/SIGINT (``docker stop``),
    which close the databases and exit 0 like the bot does."""
    from bot.console import run_console
    from bot.stop_signals import StopSignals

    stop = StopSignals(stopping="the console, then the databases").install()
    try:
        services = await _open_services(settings, spotify=True)
        try:
            console = asyncio.ensure_future(run_console(services))
            stop.watch(_Cancels(console))
            try:
                return await console
            except asyncio.CancelledError:
                if not stop.requested:
                    raise
                return 0
        finally:
            await services.close()
            if stop.requested:
                log.info("Stopped: console and databases closed")
    finally:
        stop.uninstall()


class _Cancels:
    """What :class:`StopSignals` closes for the console: the task reading commands."""

    def __init__(self, task: asyncio.Future[int]) -> None:
        self.task = task

    async def close(self) -> None:
        self.task.cancel()


async def _open_services(settings: Settings, *, spotify: bool) -> Services:
    from bot.services import Services, StartupError

    try:
        return await Services.open(settings, spotify=spotify)
    except StartupError as exc:
        raise _user_facing(str(exc)) from None


async def run_bot(settings: Settings) -> int:
    """Connect to Discord and serve until stopped (SIGTERM or Ctrl-C) — returns 0."""
    # First, before the slow imports: a signal from now on stops the bot cleanly.
    from bot.stop_signals import StopSignals

    stop = StopSignals().install()
    try:
        return await _serve(settings, stop)
    finally:
        stop.uninstall()


async def _serve(settings: Settings, stop: StopSignals) -> int:
    import aiohttp
    import discord

    from bot.bot import SongsimBot
    from bot.heartbeat import remove_stale

    assert settings.token is not None
    if settings.heartbeat_path is not None:
        # A heartbeat left by a killed bot must not make this one look connected while it
        # is still opening the index (or building the demo one) and logging in.
        remove_stale(settings.heartbeat_path)
    settings.apply_discord_endpoints()
    services = await _open_services(settings, spotify=True)
    _reopen_index_on_sighup(services)
    services.watch_index_file()
    content = settings.message_content
    presence = settings.presence
    try:
        while not stop.requested:
            bot = SongsimBot(services, message_content=content, presence=presence)
            stop.watch(bot)
            try:
                async with bot:
                    await bot.start(settings.token.reveal())
                return 0
            except discord.PrivilegedIntentsRequired:
                if presence:  # asked for last, so given up first
                    log.warning(
                        "SONGSIM_PRESENCE is on but Discord refused the Presence and Server "
                        "Members intents, so /similar cannot see what people are playing. %s",
                        PRESENCE_HELP,
                    )
                    presence = False
                    continue
                if not content:
                    raise _user_facing(
                        "Discord refused a privileged intent this bot does not ask for; "
                        "check the application's settings in the Developer Portal."
                    ) from None
                log.warning(
                    "The Message Content intent is not enabled for this bot, so prefix commands "
                    "in servers only work when you mention the bot (DMs and slash commands work). %s",
                    INTENT_HELP,
                )
                content = False
            except discord.LoginFailure:
                raise _user_facing(
                    "Discord rejected DISCORD_TOKEN — copy the token again from the Developer "
                    "Portal (your app → Bot → Reset Token) into .env."
                ) from None
            except (aiohttp.ClientConnectorError, discord.GatewayNotFound) as exc:
                raise _user_facing(
                    f"Cannot reach Discord at {settings.api_base} ({type(exc).__name__}); "
                    "check the network or DISCORD_API_BASE."
                ) from None
        return 0
    finally:
        await services.close()
        if stop.requested:
            log.info("Stopped: gateway, HTTP session and databases closed")


def _reopen_index_on_sighup(services: Services) -> None:
    """``kill -HUP`` reopens the index file (after a rebuild), without a restart."""
    loop = asyncio.get_running_loop()
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is None:  # pragma: no cover - Windows has no SIGHUP; the file watch still works
        return
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(sighup, services.reopen_index_soon, "SIGHUP")


class _DemoPending(Exception):
    """The demo index is not built yet; ``songsim bot`` builds it on start."""


def check(settings: Settings, out: TextIO) -> int:
    """Print one line per check; 0 when the bot could start, else 1."""
    from bot.services import StartupError, is_demo_index, open_index
    from bot.user_db import UserDBError, check_writable

    ok = True

    def line(good: bool, what: str, detail: str) -> None:
        nonlocal ok
        ok = ok and good
        out.write(f"{'ok  ' if good else 'FAIL'} {what}: {detail}\n")

    line(True, "settings", f"prefix {settings.prefix!r}, log level {settings.log_level}")
    if settings.token:
        line(True, "token", "DISCORD_TOKEN is set")
    else:
        line(False, "token", "DISCORD_TOKEN is not set (the console works without it)")
    try:
        if is_demo_index(settings) and not settings.index_path.exists():
            raise _DemoPending
        with open_index(settings, build_demo=False) as index:
            songs = index.stats.tracks
        line(True, "index", f"{settings.index_path} ({songs:,} song{'' if songs == 1 else 's'})")
    except _DemoPending:
        line(
            True,
            "index",
            f"no SONGSIM_INDEX; the demo index is built at {settings.index_path} on first start",
        )
    except StartupError as exc:
        line(False, "index", str(exc))
    try:
        check_writable(settings.user_db_path)
        line(True, "user database", f"{settings.user_db_path} is writable")
    except UserDBError as exc:
        line(False, "user database", str(exc))
    line(
        True,
        "spotify",
        "links on" if settings.spotify_enabled else "off (no SPOTIFY_CLIENT_ID/SECRET)",
    )
    line(
        True,
        "presence",
        "on: /similar alone uses what people play (needs the Presence and Server Members intents)"
        if settings.presence
        else "off (SONGSIM_PRESENCE=true lets /similar alone use what people play)",
    )
    if settings.api_base.rstrip("/") != "https://discord.com/api/v10":
        line(True, "discord", f"API {settings.api_base}, gateway {settings.gateway_url}")
    return 0 if ok else 1
