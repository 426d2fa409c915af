"""How a user's words become one song: typed text, or a pasted link read by its service.

The bot (:mod:`bot.replies.seeds`), the console and ``songsim ask`` all read a song the same
way, through :func:`read_seed`: text without a link is resolved as typed; a link is read
by :class:`~bot.links.LinkReader` (a Spotify URI the index stores is found directly, other
links give "artist - title" to resolve, or a sentence saying why they can't be read). The
result, a :class:`SeedReading`, says how the song was read (``source``: text, link,
presence or file, as ``songsim ask --json`` reports it).

A title alone (Spotify's keyless preview gives no artist) may name another song of the same
name, so such a reading never counts as a sure match: its match becomes the first "did you
mean" choice, with the reader's note saying why.

Replies that wait on an outside lookup must still arrive within Discord's 3 s:
:func:`start_reply_clock` marks when the lookup began and :func:`time_left` tells later
lookups in the same reply (Spotify's links under the list) how long they may still take.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import aiohttp

from bot.i18n import N_, _
from bot.links import (
    Link,
    LinkFailure,
    LinkReader,
    LinkSeed,
    ServiceUrls,
    UnsupportedLink,
    find_link,
)
from bot.links.results import TYPE_INSTEAD
from index.model import Resolution, Track

if TYPE_CHECKING:
    from bot.spotify import SpotifyLinks

log = logging.getLogger(__name__)

Source = Literal["text", "link", "presence", "file"]
FindUri = Callable[[str], Awaitable[Track | None]]
Resolve = Callable[[str], Awaitable[Resolution]]

REPLY_BUDGET = 2.7  # seconds from the start of a link lookup to the reply (Discord: 3 s)
MIN_LOOKUP = 0.2  # the least time a later lookup gets, even when the budget is spent
STALE_AFTER = 1.0  # a clock this far past its deadline belongs to an earlier command

NO_READER = N_(
    "I can't look links up right now; {instead} (Spotify and Last.fm links to songs "
    "in the index still work)."
)

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "songsim_reply_deadline", default=None
)


@dataclass(frozen=True)
class SeedReading:
    """One song as the user named it, and what the index made of it.

    ``resolution`` is the index's reading (None when nothing could be read: ``failure`` is
    then the sentence to show, ours, so it needs no escaping). ``note`` is an extra
    sentence worth showing (why a link was read by title alone, what would make it work).
    """

    text: str
    source: Source
    resolution: Resolution | None = None
    failure: str | None = None
    note: str | None = None
    link: LinkSeed | None = None

    @property
    def query(self) -> str:
        """What was looked up in the index: the text, or the names a link gave."""
        return self.resolution.query if self.resolution is not None else self.text

    @property
    def title_only(self) -> bool:
        return self.link is not None and self.link.title_only


async def read_seed(
    text: str,
    *,
    reader: LinkReader | None,
    find_uri: FindUri,
    resolve: Resolve,
) -> SeedReading:
    """Read ``text`` as one song; never raises for what a user can type.

    ``find_uri`` looks a ``spotify:track:`` URI up in the index, ``resolve`` reads
    "artist - title"; both are read at call time, so an index swapped meanwhile is used.
    Without a ``reader`` (no HTTP session) only links that need no lookup work.
    """
    link = find_link(text)
    if link is None:
        return SeedReading(text, "text", await resolve(text))
    start_reply_clock()
    if reader is None:
        seed = await _read_offline(link, find_uri)
    else:
        seed = await reader.read_link(link, find_uri=find_uri)
    return await from_link(text, seed, resolve)


async def from_link(text: str, seed: LinkSeed, resolve: Resolve) -> SeedReading:
    """The reading of a link already read by the link reader."""
    if seed.track is not None:
        res = Resolution(query=text, match=seed.track, confidence=1.0)
        return SeedReading(text, "link", res, note=seed.note, link=seed)
    query = seed.query
    if seed.failure is not None or not query:
        failure = (
            seed.failure.message
            if seed.failure is not None
            else _(NO_READER, instead=_(TYPE_INSTEAD))
        )
        return SeedReading(text, "link", failure=failure, note=seed.note, link=seed)
    res = await resolve(query)
    if seed.title_only:
        res = unsure(res, seed.note)
    return SeedReading(text, "link", res, note=seed.note, link=seed)


def unsure(res: Resolution, note: str | None) -> Resolution:
    """``res`` with its match demoted to the first "did you mean" choice, ``note`` as why."""
    if res.match is None:
        return replace(res, message=note or res.message) if note else res
    others = [t for t in res.suggestions if t.track_id != res.match.track_id]
    message = _("{note} Which one is it?", note=note) if note else None
    return replace(res, match=None, suggestions=[res.match, *others], message=message)


async def _read_offline(link: Link | UnsupportedLink, find_uri: FindUri) -> LinkSeed:
    """What a link gives without any service: Last.fm's path, a Spotify URI in the index."""
    if isinstance(link, UnsupportedLink):
        failure = LinkFailure(link.kind, link.service, link.message)
        return LinkSeed(link.service or "", link.url, failure=failure)
    if link.service == "lastfm":
        return LinkSeed("lastfm", link.url, artist=link.artist, title=link.title)
    seed = LinkSeed(link.service, link.url, spotify_uri=link.spotify_uri)
    if link.spotify_uri is not None:
        return replace(seed, track=await find_uri(link.spotify_uri))
    return seed


# --- the reply clock ------------------------------------------------------------------------


def start_reply_clock(budget: float = REPLY_BUDGET) -> None:
    """Mark that this reply now waits on an outside lookup (see :func:`time_left`)."""
    _deadline.set(time.monotonic() + budget)


def time_left(default: float) -> float:
    """How long a later lookup in this reply may take: ``default``, or less when a link
    lookup already used part of the reply's budget (never under :data:`MIN_LOOKUP`)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    now = time.monotonic()
    if now > deadline + STALE_AFTER:  # left by an earlier command in the same task
        return default
    return max(MIN_LOOKUP, min(default, deadline - now))


# --- opening a reader -----------------------------------------------------------------------


async def open_link_reader(
    db_path: str | Path | None,
    *,
    spotify: SpotifyLinks | None = None,
    urls: ServiceUrls | None = None,
) -> tuple[aiohttp.ClientSession, LinkReader]:
    """One HTTP session and the link reader on it (started); close both with
    :func:`close_link_reader`. The bot owns one pair; the console and ``ask`` their own."""
    session = aiohttp.ClientSession()
    reader = LinkReader(session, db_path, spotify=spotify, urls=urls)
    try:
        await reader.start()
    except Exception:  # the cache only saves calls: without it links still work
        log.exception("The link cache could not open; links are read without it")
    return session, reader


async def close_link_reader(session: aiohttp.ClientSession, reader: LinkReader) -> None:
    try:
        await reader.close()
    except Exception:
        log.exception("Closing the link reader failed")
    await session.close()
