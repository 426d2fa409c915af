"""Console mode: the bot's commands in a terminal, with embeds rendered as text.

``songsim bot --console`` (or ``songsim bot`` without a token, in a terminal) lets a
newcomer try every command without Discord. Commands are the same as on Discord, with or
without the prefix; buttons become words: ``pick N`` for "did you mean", ``more``/``back``
for pages and ``why N`` for the "Why?" button. The discovery setting is a trailing flag,
as with prefix commands (``similar daft punk - one more time --deep-cuts``, ``foryou
--popular``), as are ``--other-artists`` and ``--include-liked``. A song may be a link;
``mix --file PATH`` mixes from a playlist file, as attaching one to ``/mix`` does. Likes and
blocks are stored for the console user. The listen links Discord shows under each song would
double a terminal list's height, so the console leaves them out and ``listen N`` prints song
N's; ``export`` writes the last list's files into the current folder. The console is a
server of its own whose user may change its settings (``settings``, ``settings why_names
hidden``: kept in the user database, as a server's are); ``privacy export`` writes the JSON
file and ``privacy delete confirm`` stands for the confirmation button. The names, aliases
and the help text come from the command catalogue (:mod:`bot.commands`), as on Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

from bot.commands import BUTTON_WORDS, CONSOLE, FILE_FLAG, QUIT, on
from bot.console_text import markdown_to_text, render_embed, render_reply
from bot.export import ExportFile
from bot.i18n import N_, _, use_language
from bot.replies import Answers, Reply
from bot.replies.playlist import Upload
from bot.services import Services
from bot.terminal import terminal_text
from bot.text import songs_count

log = logging.getLogger(__name__)
__all__ = ["Console", "dispatch", "markdown_to_text", "render_embed", "render_reply", "run_console"]

CONSOLE_USER_ID = 0
CONSOLE_SERVER_ID = 0  # the console's settings are stored as this server's

BANNER = N_("""songsim console — {songs} in the index. Type a command, for example:
  similar daft punk - one more time      artist daft punk      help
Add --popular or --deep-cuts after a song for better-known or less-known picks.
Paste a song link as the song; mix {file_flag} PATH mixes from a playlist file.
Buttons become words: {buttons}. Type {quit} (or Ctrl-D) to leave.""")
BUTTONS = ", ".join(f"{w.name} {w.args}".rstrip() for w in BUTTON_WORDS)  # pick N, more, …

Handler = Callable[[str], Awaitable[Reply | None]]
FILE_OPTION = re.compile(rf"(?:^|\s){FILE_FLAG}(?:=|\s+)(?:\"([^\"]+)\"|'([^']+)'|(\S+))")


def dispatch(handlers: Mapping[str, Handler]) -> dict[str, Handler]:
    """Every console name and alias in the catalogue, mapped to its command's handler.

    ``handlers`` is keyed by command name and must cover the catalogue's console commands
    (quitting aside, which :meth:`Console.handle` does itself): a command added to the
    catalogue without a handler here fails loudly instead of answering "unknown command".
    """
    wanted = {c.name for c in on(CONSOLE) if c is not QUIT}
    if wanted != set(handlers):
        raise ValueError(f"console handlers {sorted(handlers)} != catalogue {sorted(wanted)}")
    return {alias: handlers[c.name] for c in on(CONSOLE) if c is not QUIT for alias in c.names}


class Console:
    """Reads commands, answers them with :class:`~bot.replies.Answers`, prints the result."""

    def __init__(
        self,
        services: Services,
        out: IO[str],
        user_id: int = CONSOLE_USER_ID,
        folder: Path | None = None,
    ) -> None:
        self.answers = Answers(services, user_id, guild_id=CONSOLE_SERVER_ID)
        self.prefix = services.settings.prefix
        self.out = out
        self.folder = folder  # where ``export`` writes; None: the current folder
        self.last: Reply | None = None
        handlers: dict[str, Handler] = {
            "similar": self.answers.similar,
            "artist": self.answers.artist,
            "mix": self._mix,
            "like": self.answers.like,
            "unlike": self.answers.unlike,
            "likes": lambda _rest: self.answers.likes(),
            "foryou": self.answers.for_you,  # "foryou --popular": the discovery setting
            "block": self.answers.block,
            "unblock": self.answers.unblock,
            "blocks": lambda _rest: self.answers.blocks(),
            "export": self._export,
            "about": lambda _rest: self.answers.about(),
            "privacy": self._privacy,
            "settings": self._settings,
            "help": self._help,
            "pick": self._pick,
            "more": self._more,
            "back": self._back,
            "why": self._why,
            "listen": self._listen,
        }
        self.commands = dispatch(handlers)

    def print(self, text: str = "") -> None:
        self.out.write(terminal_text(text) + "\n")
        self.out.flush()

    async def handle(self, line: str) -> bool:
        """Answer one line; False when the user asked to leave."""
        line = line.strip()
        for p in (self.prefix, "/"):
            if line.startswith(p):
                line = line[len(p) :].lstrip()
                break
        if not line:
            return True
        name, _sep, rest = line.partition(" ")
        name = name.lower()
        if name in QUIT.names:
            return False
        command = self.commands.get(name)
        if command is None:
            self.print(_("Unknown command {name}. Type help for the list.", name=repr(name)))
            return True
        self.answers.use_names()  # the settings as they are now (settings may change them)
        try:
            reply = await command(rest)
        except Exception:
            log.exception("Console command %r failed", name)
            self.print(_("Sorry, something went wrong; the error is in the log above."))
            return True
        if reply is not None:
            self.print(render_reply(reply))
            if reply.interactive:
                self.last = reply
        return True

    async def _mix(self, rest: str) -> Reply | None:
        """``mix a | b``, or ``mix --file PATH`` (plus any typed songs) for a playlist file."""
        found = FILE_OPTION.search(rest)
        if found is None:
            if re.search(rf"(?:^|\s){FILE_FLAG}=?(?:\s|$)", rest):  # the flag without its path
                self.print(_("Name the playlist file: mix --file PATH."))
                return None
            return await self.answers.mix(rest)
        path = Path(next(g for g in found.groups() if g)).expanduser()
        rest = (rest[: found.start()] + " " + rest[found.end() :]).strip()
        if not path.is_file():
            self.print(_("There is no file at {path}.", path=path))
            return None
        upload = Upload(path.name, path.stat().st_size, lambda: asyncio.to_thread(path.read_bytes))
        return await self.answers.mix(rest, upload=upload)

    async def _settings(self, rest: str) -> Reply:
        """``settings`` shows the console's settings; ``settings why_names hidden`` changes one
        (channels are Discord's, so ``prefix_channels`` takes ids only here)."""
        setting, _sep, value = rest.strip().partition(" ")
        return await self.answers.settings(setting, value, can_manage=True)

    async def _privacy(self, rest: str) -> Reply | None:
        """``privacy``, ``privacy export`` (the JSON file is written here), ``privacy delete``."""
        reply = await self.answers.privacy(rest)
        if rest.strip().casefold() == "delete":
            self.print(render_embed(reply.embed))
            self.print(_("Type `privacy delete confirm` to delete it."))
            return None
        if reply.files:
            self.print(render_embed(reply.embed))
            self._save(reply.files)
            return None
        return reply

    def _save(self, files: list[ExportFile]) -> None:
        try:
            written = write_files(files, self.folder or Path.cwd())
        except OSError as exc:
            self.print(
                _("Could not write the files ({error}); nothing saved.", error=exc.strerror or exc)
            )
            return
        self.print(_("Saved:"))
        for path in written:
            self.print(f"  {path}")

    async def _help(self, _rest: str) -> Reply:
        return self.answers.help()

    def _number(self, rest: str, count: int, what: str, first: int = 1) -> int | None:
        """The position of the item numbered ``rest`` among ``count`` numbered from ``first``."""
        n = rest.strip()
        if not n.isdigit() or not first <= int(n) < first + count:
            self.print(
                _(
                    "Give a number from {first} to {last}: {what} N.",
                    first=first,
                    last=first + count - 1,
                    what=what,
                )
                if count
                else _("Nothing to {what} here.", what=what)
            )
            return None
        return int(n) - first

    async def _pick(self, rest: str) -> Reply | None:
        if self.last is None or not self.last.choices:
            self.print(_("There is nothing to pick from; ask for a song first."))
            return None
        i = self._number(rest, len(self.last.choices), "pick")
        return (
            None if i is None else await self.answers.pick(self.last, self.last.choices[i].track_id)
        )

    async def _more(self, _rest: str) -> Reply | None:
        page = self.last.page if self.last else None
        if page is None or not page.has_more:
            self.print(_("There are no more songs in this list."))
            return None
        return await self.answers.more(self.last)

    async def _back(self, _rest: str) -> Reply | None:
        page = self.last.page if self.last else None
        if page is None or page.offset == 0:
            self.print(_("This is the first page."))
            return None
        return await self.answers.back(self.last)

    def _listed(self, rest: str, what: str) -> int | None:
        """The index on the last page of the song numbered ``rest`` as the list shows it
        ("why 12" on the second page means song 12; "why 2" there is not on the page)."""
        assert self.last is not None and self.last.page is not None
        return self._number(rest, len(self.last.items), what, self.last.page.number)

    async def _why(self, rest: str) -> None:
        if (
            self.last is None
            or not self.last.items
            or not self.last.page
            or not self.last.page.explains
        ):
            self.print(_("Ask for similar songs or a mix first, then: why N."))
            return None
        i = self._listed(rest, "why")
        if i is not None:
            self.print(render_embed(await self.answers.why(self.last, self.last.items[i].track_id)))
        return None

    async def _listen(self, rest: str) -> Reply | None:
        if self.last is None or not self.last.items or not self.last.page:
            self.print(_("Ask for a list of songs first, then: listen N."))
            return None
        i = self._listed(rest, "listen")
        if i is None:
            return None
        return await self.answers.listen(self.last, self.last.items[i].track_id)

    async def _export(self, _rest: str) -> None:
        """Write the last list's files into the folder and say where they are."""
        reply = await self.answers.export_last()
        self.print(render_embed(reply.embed))
        if reply.files:
            self._save(reply.files)
        return None


def write_files(files: list[ExportFile], folder: Path) -> list[Path]:
    """Write each file into ``folder``, never over an existing file ("name (2).csv")."""
    written = []
    for f in files:
        path = folder / f.filename
        n = 2
        while path.exists():
            path = folder / f"{Path(f.filename).stem} ({n}){Path(f.filename).suffix}"
            n += 1
        path.write_bytes(f.data)
        written.append(path)
    return written


async def run_console(
    services: Services,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    language: str | None = None,
) -> int:
    """Read commands until EOF or ``quit``; returns the exit status. Replies are written in
    ``language`` (``--lang``), else the bot's default language (``SONGSIM_LANG``)."""
    with use_language(language or services.settings.language):
        return await _run_console(services, stdin, stdout)


async def _run_console(services: Services, stdin: IO[str] | None, stdout: IO[str] | None) -> int:
    stdin = stdin or sys.stdin
    console = Console(services, stdout or sys.stdout)
    stats = await services.stats()
    console.print(
        _(
            BANNER,
            songs=songs_count(stats.tracks),
            buttons=BUTTONS,
            quit=QUIT.name,
            file_flag=FILE_FLAG,
        )
    )
    interactive = stdin is sys.stdin and stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
    with _terminal_kept(stdin if interactive else None):
        while True:
            line = await read_line(stdin, interactive)
            if line is None:
                if interactive:
                    console.print()
                break
            if not await console.handle(line):
                break
    return 0


@contextlib.contextmanager
def _terminal_kept(stdin: IO[str] | None) -> Iterator[None]:
    """Put the terminal's settings back on the way out: a console stopped by a signal in
    the middle of ``input()`` would leave readline's (no echo) behind."""
    saved = None
    with contextlib.suppress(Exception):  # no termios (Windows), or not a terminal after all
        import termios

        saved = termios.tcgetattr(stdin) if stdin is not None else None
    try:
        yield
    finally:
        if saved is not None:
            with contextlib.suppress(Exception):  # the terminal went away meanwhile
                termios.tcsetattr(stdin, termios.TCSADRAIN, saved)


def read_line(stdin: IO[str], interactive: bool) -> asyncio.Future[str | None]:
    """The next line (None at the end of input), read in a daemon thread.

    Not ``asyncio.to_thread``: its worker belongs to the loop's executor, which
    ``asyncio.run`` waits for on the way out, so a console stopped by SIGTERM (``docker
    stop``) would hang until someone pressed Enter. A daemon thread is simply left behind.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if future.done():  # cancelled: the console stopped while this line was awaited
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line)

    def read() -> None:
        line: str | None
        error: BaseException | None = None
        try:
            line = input("songsim> ") if interactive else (stdin.readline() or None)
        except EOFError:
            line = None
        except Exception as exc:  # e.g. a closed stream: the console's caller decides
            line, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return future
