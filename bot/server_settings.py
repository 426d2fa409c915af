"""Per-server settings (``/settings``): how songsim behaves in a server, chosen by the
people who run it.

A server may set the default discovery setting, have slash commands answer privately,
keep prefix commands to some channels, turn commands off, choose how Why? shows playlist
names (shown, filtered or hidden) and whether song and artist names are filtered too, and
add words to the filter (:mod:`bot.wordfilter`). :class:`ServerSettings` is one server's
choice; :func:`change` reads ``setting value`` as people type it (the slash options, the
prefix command and the console share it).

:class:`ServerSettingsStore` keeps every server's settings in memory, loaded once from the
user database when it opens and written through on each change, so a command reads them
without a query (the load benchmark counts every lookup). Only servers that changed a
setting have a row, stored as JSON: a setting added later needs no migration, and a row
from an older songsim reads its missing keys as the defaults.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.discovery import UnknownDiscovery, ranking_named
from bot.errors import UserFacingError
from bot.i18n import N_, _, languages
from bot.i18n.labels import playlist_name
from bot.wordfilter import MAX_WORD, WordFilter, bundled
from index.model import PlaylistRef
from index.read.ranking import DEFAULT_RANKING

if TYPE_CHECKING:
    import aiosqlite

log = logging.getLogger(__name__)

WHY_NAMES = ("shown", "filtered", "hidden")
SONG_NAMES = ("shown", "filtered")
REPLIES = ("public", "private")
# Commands a server cannot turn off: the way back (settings), and a member's own data.
ALWAYS_ON = frozenset({"settings", "privacy", "help"})
MAX_WORDS = 200  # a server's own filter words
MAX_CHANNELS = 50
FILTERED_PLAYLIST = N_("a playlist")  # shown translated

# The settings in the order /settings lists them, with the values each takes.
# The keys and values are typed as they are in every language; the texts are translated.
SETTINGS: dict[str, str] = {
    "discovery": N_("closest, popular or deep cuts: the default for /similar, /mix and /foryou"),
    "replies": N_("public, or private (slash commands answer only the person who asked)"),
    "prefix_channels": N_("all, or channels where prefix commands are answered (add/remove …)"),
    "commands_off": N_("none, or commands this server turns off (add/remove …)"),
    "why_names": N_("shown, filtered (the default) or hidden: playlist names under Why?"),
    "song_names": N_("shown (the default) or filtered: song and artist names in replies"),
    "words": N_("none, or words the filter also hides (add/remove …)"),
    "language": N_("default, en or de: prefix commands' language (slash: each member's own)"),
}
LANGUAGE_WORDS = {"default": "", "none": "", "english": "en", "deutsch": "de", "german": "de"}
_SPLIT = re.compile(r"[,\s]+")
_CHANNEL = re.compile(r"<#(\d+)>|(\d{15,20})")


class SettingError(UserFacingError):
    """A setting or value that cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class ServerSettings:
    """One server's settings; the defaults are what a server that set nothing gets."""

    discovery: str = DEFAULT_RANKING
    private: bool = False
    prefix_channels: frozenset[int] = frozenset()  # empty: every channel
    commands_off: frozenset[str] = frozenset()
    why_names: str = "filtered"
    song_names: str = "shown"
    words: tuple[str, ...] = ()
    language: str = ""  # prefix commands' language; "": the bot's default (SONGSIM_LANG)

    @functools.cached_property
    def name_filter(self) -> WordFilter:
        """The bundled list plus this server's words (built once per settings value)."""
        return bundled().extended(self.words) if self.words else bundled()

    def is_off(self, command: str) -> bool:
        return command in self.commands_off

    def prefix_allowed(self, channel_id: int | None, parent_id: int | None = None) -> bool:
        """Whether prefix commands are answered in this channel (a thread: its parent's)."""
        if not self.prefix_channels:
            return True
        return channel_id in self.prefix_channels or parent_id in self.prefix_channels

    def playlist_names(self, playlists: Iterable[PlaylistRef]) -> list[str]:
        """Why?'s example playlists as this server shows them (hidden: none); a listening
        session's name is songsim's own words, never filtered."""
        if self.why_names == "hidden":
            return []
        return [
            _(FILTERED_PLAYLIST)
            if not p.day and self.why_names == "filtered" and self.name_filter.matches(p.name)
            else playlist_name(p)
            for p in playlists
        ]

    def shows_playlist(self, name: str) -> bool:
        """Whether a playlist's name may appear in a reply (a fallback list's label)."""
        if self.why_names == "filtered":
            return not self.name_filter.matches(name)
        return self.why_names == "shown"

    def mask_names(self, text: str) -> str:
        """``text`` with listed words masked, when this server filters song names."""
        return self.name_filter.mask(text) if self.song_names == "filtered" else text

    def to_json(self) -> str:
        """Only what differs from the defaults, so a changed default reaches every server."""
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                data[f.name] = sorted(value) if isinstance(value, frozenset) else value
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ServerSettings:
        """Settings from a stored row; unknown keys and unreadable values are the defaults."""
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        out = cls()
        if not isinstance(data, dict):
            return out
        try:
            return dataclasses.replace(
                out,
                discovery=_one_of(data.get("discovery"), None, out.discovery, ranking_named),
                private=bool(data.get("private", False)),
                prefix_channels=frozenset(int(c) for c in data.get("prefix_channels", ())),
                commands_off=frozenset(str(c) for c in data.get("commands_off", ())),
                why_names=_one_of(data.get("why_names"), WHY_NAMES, out.why_names),
                song_names=_one_of(data.get("song_names"), SONG_NAMES, out.song_names),
                words=tuple(str(w) for w in data.get("words", ())),
                language=_one_of(data.get("language"), languages(), out.language),
            )
        except (TypeError, ValueError):
            log.warning("A server's stored settings could not be read; using the defaults")
            return out


DEFAULTS = ServerSettings()


def _one_of(
    value: object,
    allowed: tuple[str, ...] | None,
    default: str,
    read: Callable[[str], str] | None = None,
) -> str:
    if not isinstance(value, str):
        return default
    if read is not None:
        try:
            return read(value)
        except UnknownDiscovery:
            return default
    return value if allowed is None or value in allowed else default


def setting_named(word: str) -> str:
    """The setting a user means ("why-names", "Why names" → why_names)."""
    key = "_".join(word.strip().casefold().replace("-", " ").replace("_", " ").split())
    aliases = {"discovery_setting": "discovery", "reply": "replies", "channels": "prefix_channels",
               "prefix": "prefix_channels", "commands": "commands_off", "off": "commands_off",
               "why": "why_names", "playlist_names": "why_names", "songs": "song_names",
               "names": "song_names", "word": "words", "filter_words": "words",
               "lang": "language", "sprache": "language"}  # fmt: skip
    key = aliases.get(key, key)
    if key not in SETTINGS:
        raise SettingError(
            _(
                "There is no setting “{word}”; the settings are {settings}.",
                word=word.strip()[:40],
                settings=", ".join(f"`{s}`" for s in SETTINGS),
            )
        )
    return key


def change(
    current: ServerSettings,
    setting: str,
    value: str,
    *,
    commands: Iterable[str] = (),
    channel: Callable[[str], int | None] = lambda _: None,
) -> ServerSettings:
    """The settings after ``setting value`` (raises :class:`SettingError` when unusable).

    Lists (``prefix_channels``, ``commands_off``, ``words``) take ``add …``, ``remove …``,
    ``none`` (``all`` for channels) or a whole new list. ``commands`` are the names a server
    may turn off; ``channel`` turns a word ("#music", "here", an id) into a channel id.
    """
    key = setting_named(setting)
    value = " ".join(value.split())
    if not value:
        raise SettingError(_("Give `{key}` a value: {values}.", key=key, values=_(SETTINGS[key])))
    word = value.casefold()
    if key == "discovery":
        try:
            return dataclasses.replace(current, discovery=ranking_named(value))
        except UnknownDiscovery as exc:
            raise SettingError(str(exc)) from None
    if key == "replies":
        private = {"public": False, "private": True, "ephemeral": True}.get(word)
        if private is None:
            raise SettingError(_("`replies` is `public` or `private`."))
        return dataclasses.replace(current, private=private)
    if key in ("why_names", "song_names"):
        allowed = WHY_NAMES if key == "why_names" else SONG_NAMES
        if word not in allowed:
            raise SettingError(_("`{key}` is {choices}.", key=key, choices=_either(allowed)))
        return dataclasses.replace(current, **{key: word})
    if key == "prefix_channels":
        ids = _edit(current.prefix_channels, value, ("all", "everywhere"), _channels(channel))
        if len(ids) > MAX_CHANNELS:
            raise SettingError(_("At most {n} channels can be listed.", n=MAX_CHANNELS))
        return dataclasses.replace(current, prefix_channels=frozenset(ids))
    if key == "language":
        chosen = LANGUAGE_WORDS.get(word, word)
        if chosen and chosen not in languages():
            choices = _either(("default", *languages()))
            raise SettingError(_("`{key}` is {choices}.", key=key, choices=choices))
        return dataclasses.replace(current, language=chosen)
    if key == "commands_off":
        names = _edit(current.commands_off, value, ("none",), _commands(set(commands)))
        return dataclasses.replace(current, commands_off=frozenset(names))
    words = _edit(set(current.words), value, ("none",), _words)
    if len(words) > MAX_WORDS:
        raise SettingError(_("A server can add at most {n} words.", n=MAX_WORDS))
    return dataclasses.replace(current, words=tuple(sorted(words, key=str.casefold)))


def _either(values: Iterable[str]) -> str:
    """ "`a`, `b` or `c`", in the language being written."""
    quoted = [f"`{v}`" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return _("{items} or {last}", items=", ".join(quoted[:-1]), last=quoted[-1])


def _edit(current: Iterable[Any], value: str, empty: tuple[str, ...], read: Callable) -> set:
    """A list setting after ``add …``, ``remove …``, one of ``empty``, or a new list."""
    verb, _, rest = value.partition(" ")
    verb = verb.casefold()
    if value.casefold() in empty:
        return set()
    if verb in ("add", "remove") and rest:
        items = read(rest)
        return set(current) | items if verb == "add" else set(current) - items
    return read(value)


def _channels(channel: Callable[[str], int | None]) -> Callable[[str], set[int]]:
    def read(text: str) -> set[int]:
        ids: set[int] = set()
        for part in filter(None, _SPLIT.split(text)):
            m = _CHANNEL.fullmatch(part)
            found = int(m.group(1) or m.group(2)) if m else channel(part)
            if found is None:
                raise SettingError(
                    _(
                        "I can't find the channel “{channel}”; name channels like #music "
                        "(or `here` for this one).",
                        channel=part[:40],
                    )
                )
            ids.add(found)
        return ids

    return read


def _commands(known: set[str]) -> Callable[[str], set[str]]:
    def read(text: str) -> set[str]:
        names = {p.casefold().lstrip("/!") for p in _SPLIT.split(text) if p}
        if bad := sorted(names & ALWAYS_ON):
            raise SettingError(_("`{name}` cannot be turned off.", name=bad[0]))
        if unknown := sorted(names - known):
            raise SettingError(
                _(
                    "There is no command “{name}”; these can be turned off: {names}.",
                    name=unknown[0][:40],
                    names=", ".join(f"`{c}`" for c in sorted(known)),
                )
            )
        return names

    return read


def _words(text: str) -> set[str]:
    words = {w.strip() for w in text.split(",") if w.strip()}
    if too_long := [w for w in words if len(w) > MAX_WORD]:
        raise SettingError(
            _("Words of at most {n} characters: “{word}…”.", n=MAX_WORD, word=too_long[0][:20])
        )
    return words


class ServerSettingsStore:
    """Every server's settings, in memory, written through to the ``guild_settings`` table."""

    def __init__(self, conn: aiosqlite.Connection | None = None) -> None:
        self._conn = conn
        self._settings: dict[int, ServerSettings] = {}

    async def load(self) -> None:
        """Read every stored server's settings (once, when the database opens)."""
        assert self._conn is not None
        async with self._conn.execute("SELECT guild_id, settings FROM guild_settings") as cur:
            rows = await cur.fetchall()
        self._settings = {int(g): ServerSettings.from_json(s) for g, s in rows}

    def get(self, guild_id: int | None) -> ServerSettings:
        """A server's settings (the defaults for a server that set nothing, or a DM)."""
        if guild_id is None:
            return DEFAULTS
        return self._settings.get(guild_id, DEFAULTS)

    async def put(self, guild_id: int, settings: ServerSettings) -> None:
        """Store a server's settings (back at the defaults: its row goes)."""
        assert self._conn is not None
        if settings == DEFAULTS:
            await self._conn.execute("DELETE FROM guild_settings WHERE guild_id=?", (guild_id,))
        else:
            await self._conn.execute(
                "INSERT INTO guild_settings(guild_id, settings) VALUES (?, ?) "
                "ON CONFLICT(guild_id) DO UPDATE SET settings=excluded.settings, "
                "updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                (guild_id, settings.to_json()),
            )
        await self._conn.commit()
        if settings == DEFAULTS:
            self._settings.pop(guild_id, None)
        else:
            self._settings[guild_id] = settings
