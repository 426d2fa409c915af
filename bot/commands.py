"""The command catalogue: every command written down once, as plain data.

Slash commands, prefix commands, message context menus (right-click a message → Apps), the
terminal console and ``help`` are views of one list. Each :class:`CommandSpec` holds a command's name and aliases, what it does in one line,
its arguments as ``help`` shows them, its slash options' descriptions and the surfaces it
exists on. The cogs declare their commands from these entries
(:func:`bot.cogs._options.command`), the console builds its dispatch from them
(:mod:`bot.console`) and :func:`bot.embeds.help_embed` lists them, so a command renamed or
reworded here changes everywhere at once.

Why data rather than walking the registered commands (``bot.walk_commands()``, as many
discord.py bots build their help): the console has no bot, and it must answer to the same
names and print the same help. No discord import, so the console and the help text can use
the catalogue without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.discovery import FLAG_HINT
from bot.exclusions import INCLUDE_LIKED_FLAG, OTHER_ARTISTS_FLAG
from bot.i18n import N_, _, lower_first

Surface = Literal["slash", "prefix", "console", "menu"]
SLASH: Surface = "slash"
PREFIX: Surface = "prefix"
CONSOLE: Surface = "console"
MENU: Surface = "menu"  # a message context menu: its name is what the Apps menu shows
EVERYWHERE: frozenset[Surface] = frozenset({SLASH, PREFIX, CONSOLE})
CONSOLE_ONLY: frozenset[Surface] = frozenset({CONSOLE})
MENU_ONLY: frozenset[Surface] = frozenset({MENU})

# The console's way to attach a playlist file: ``mix --file PATH``.
FILE_FLAG = "--file"

# How a song may be named wherever a command asks for one (slash options, help).
SONG_HELP = N_("artist - title, or a song link (Spotify, YouTube, Apple Music, Deezer, Last.fm)")

# The slash option for the discovery setting; prefix and console users write --popular etc.
DISCOVERY_OPTION = "discovery"
DISCOVERY_HELP = N_(
    "closest (default), popular (better-known songs) or deep cuts (less-known ones)"
)
# The exclusion options of /similar and /mix; prefix and console users write the flags
# (bot.exclusions: --other-artists, --include-liked).
OTHER_ARTISTS_OPTION = "other_artists"
INCLUDE_LIKED_OPTION = "include_liked"
EXCLUSION_PARAMS = {
    OTHER_ARTISTS_OPTION: N_("only songs by other artists than the one(s) you named"),
    INCLUDE_LIKED_OPTION: N_("also show songs you liked (left out by default)"),
}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: params is a dict
class CommandSpec:
    """One command as every surface needs it.

    The texts are English (the source language) and translated where they are shown
    (:mod:`bot.i18n`; the command tree through its translator). ``description`` is the slash command's one line (at most 100 characters, Discord's
    limit); ``brief`` is the line in ``help`` when it should differ, else the description
    starting in lower case. ``args`` is the arguments as ``help`` writes them; ``usage``
    replaces the prefix signature discord.py derives from the parameters, for commands whose
    text also takes a trailing discovery flag. ``params`` describes each slash option, and
    must name the cog method's parameters (discord.py checks that when the cog loads).
    ``manage_server`` commands work only in servers, for members with Manage Server
    (Discord shows them to those members only, and the cog checks on every use).
    """

    name: str
    description: str
    args: str = ""
    brief: str = ""
    aliases: tuple[str, ...] = ()
    usage: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    surfaces: frozenset[Surface] = EVERYWHERE
    owner_only: bool = False
    hidden: bool = False
    manage_server: bool = False

    def __post_init__(self) -> None:
        if SLASH in self.surfaces and PREFIX not in self.surfaces:
            raise ValueError(f"{self.name}: slash commands are hybrid, so also prefix commands")
        if MENU in self.surfaces and (self.surfaces != MENU_ONLY or self.params or self.aliases):
            raise ValueError(f"{self.name}: a context menu is its own command, with no options")
        if len(self.description) > 100 or any(len(d) > 100 for d in self.params.values()):
            raise ValueError(f"{self.name}: Discord allows 100 characters of description")

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias: what a user may type."""
        return (self.name, *self.aliases)

    @property
    def summary(self) -> str:
        """The command's line in ``help``, in the language being written."""
        return _(self.brief) if self.brief else lower_first(_(self.description))

    @property
    def on_discord(self) -> bool:
        return bool(self.surfaces & {SLASH, PREFIX, MENU})

    @property
    def is_menu(self) -> bool:
        """A message context menu (right-click a message → Apps → :attr:`name`)."""
        return MENU in self.surfaces

    @property
    def listed(self) -> bool:
        """Shown by ``help``: the Discord commands everyone may use (help is the same list
        on Discord and in the console)."""
        return self.on_discord and not self.hidden

    @property
    def takes_discovery(self) -> bool:
        return DISCOVERY_OPTION in self.params


SIMILAR = CommandSpec(
    "similar",
    N_("Songs that share playlists with a song"),
    args=N_("song or link"),
    aliases=("sim", "s"),
    usage=f"[artist - title or link] [{FLAG_HINT}] [{OTHER_ARTISTS_FLAG}] [{INCLUDE_LIKED_FLAG}]",
    params={
        "song": N_("artist - title or a song link; leave empty for what you're playing on Spotify"),
        DISCOVERY_OPTION: DISCOVERY_HELP,
        **EXCLUSION_PARAMS,
    },
)
ARTIST = CommandSpec(
    "artist",
    N_("Artists similar to an artist"),
    args=N_("name"),
    params={"name": N_("an artist, for example: daft punk")},
)
MIX = CommandSpec(
    "mix",
    N_("Songs close to 2–5 songs at once, or to a playlist file"),
    args=N_("song | song | … (or attach a playlist file)"),
    brief=N_("songs close to 2–5 songs at once; attach a playlist file to mix up to 100"),
    usage=f"<song | song | …> [{FLAG_HINT}] [{OTHER_ARTISTS_FLAG}] [{INCLUDE_LIKED_FLAG}]",
    params={
        "songs": N_(
            "2–5 songs or links separated by |, e.g. "
            "daft punk - one more time | queen - bohemian rhapsody"
        ),
        DISCOVERY_OPTION: DISCOVERY_HELP,
        **EXCLUSION_PARAMS,
        "playlist": N_("a playlist file: Exportify CSV, M3U, XSPF, JSPF or one song per line"),
    },
)
LIKE = CommandSpec(
    "like", N_("Remember a song you like"), args=N_("song"), params={"song": SONG_HELP}
)
UNLIKE = CommandSpec(
    "unlike",
    N_("Forget a liked song (by name or its number in /likes)"),
    args=N_("song or number"),
    brief=N_("forget a liked song"),
    params={"song": N_("artist - title, or the song's number in /likes")},
)
LIKES = CommandSpec("likes", N_("List the songs you liked"))
FOR_YOU = CommandSpec(
    "foryou",
    N_("Recommendations from the songs you liked"),
    brief=N_("recommendations from your likes"),
    aliases=("for-you",),
    usage=f"[{FLAG_HINT}]",
    params={DISCOVERY_OPTION: DISCOVERY_HELP},
)
BLOCK = CommandSpec(
    "block",
    N_("Leave an artist out of every answer you get"),
    args=N_("artist"),
    params={"artist": N_("the artist's name, for example: drake")},
)
UNBLOCK = CommandSpec(
    "unblock",
    N_("Show a blocked artist again (by name or its number in /blocks)"),
    args=N_("artist or number"),
    brief=N_("show a blocked artist again"),
    params={"artist": N_("the artist's name, or its number in /blocks")},
)
BLOCKS = CommandSpec("blocks", N_("List the artists you blocked"))
EXPORT = CommandSpec(
    "export",
    N_("Your last list of songs as files: Spotify links, CSV and JSPF"),
    brief=N_("your last list as files (Spotify links, CSV, JSPF)"),
)
ABOUT = CommandSpec(
    "about",
    N_("How big the index is and how songsim works"),
    brief=N_("how big the index is and how it works"),
)
HELP = CommandSpec("help", N_("What songsim can do"), brief=N_("this list"))
SETTINGS = CommandSpec(
    "settings",
    N_("See or change how songsim behaves in this server (Manage Server)"),
    args=N_("[setting value]"),
    brief=N_("see or change this server's settings (Manage Server to change them)"),
    params={
        "setting": N_("what to change; leave empty to see every setting"),
        "value": N_("its new value, e.g. hidden, private, popular, add #music, add mix"),
    },
    manage_server=True,
)
PRIVACY = CommandSpec(
    "privacy",
    N_("What songsim keeps about you: see it, export it as a file, or delete it"),
    args="[export | delete]",
    brief=N_("what songsim keeps about you; `export` it as JSON or `delete` it"),
    params={"action": N_("show (default), export (a JSON file) or delete (after you confirm)")},
)
FIND_SIMILAR = CommandSpec(
    "Find similar songs",
    N_("Songs like the one a message links to or names"),
    brief=N_("songs like the link or “artist - title” in someone's message"),
    surfaces=MENU_ONLY,
)
SYNC = CommandSpec(
    "sync",
    N_("Publish the slash commands to this server or everywhere, or clear them"),
    args="guild | global | clear",
    surfaces=frozenset({PREFIX}),
    owner_only=True,
    hidden=True,
)

# The console's words for Discord's buttons, and its way out.
PICK = CommandSpec("pick", N_("Choose a “did you mean” song"), args="N", surfaces=CONSOLE_ONLY)
MORE = CommandSpec("more", N_("The next page of the list"), surfaces=CONSOLE_ONLY)
BACK = CommandSpec("back", N_("The page before"), surfaces=CONSOLE_ONLY)
WHY = CommandSpec("why", N_("Why song N is on the list"), args="N", surfaces=CONSOLE_ONLY)
# On Discord each song's listen links are under it; the console keeps its list short and
# prints them on asking.
LISTEN = CommandSpec(
    "listen", N_("Links to song N on every service"), args="N", surfaces=CONSOLE_ONLY
)
QUIT = CommandSpec("quit", N_("Leave the console"), aliases=("exit", "q"), surfaces=CONSOLE_ONLY)
BUTTON_WORDS = (PICK, MORE, BACK, WHY, LISTEN)

# In the order ``help`` lists them.
COMMANDS: tuple[CommandSpec, ...] = (
    SIMILAR,
    ARTIST,
    MIX,
    LIKE,
    UNLIKE,
    LIKES,
    FOR_YOU,
    BLOCK,
    UNBLOCK,
    BLOCKS,
    EXPORT,
    FIND_SIMILAR,
    ABOUT,
    PRIVACY,
    SETTINGS,
    HELP,
    SYNC,
    *BUTTON_WORDS,
    QUIT,
)


def on(surface: Surface, catalogue: Iterable[CommandSpec] = COMMANDS) -> list[CommandSpec]:
    """The commands that exist on ``surface``, in catalogue order."""
    return [c for c in catalogue if surface in c.surfaces]
