"""Reading the song a command is about: typed, pasted as a link, or playing on Spotify.

``/similar``, ``/mix`` and ``/like`` take "artist - title" or a song link; ``/similar``
without a song takes what the caller is playing (their Discord presence, read by the cog
into a :class:`Listening`). :class:`SeedAnswers` turns each of those into the index's
:class:`~index.model.Resolution` — a match, or "did you mean" choices — or, when nothing can
be read, a :class:`~bot.replies.reply.Reply` whose one sentence says why and how to ask instead.
No Discord here: the console gets the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.i18n import N_, _, number
from bot.links import Link, UnsupportedLink, find_link, find_links
from bot.replies.base import AnswersBase
from bot.replies.reply import Reply, notice
from bot.seed_reading import SeedReading, read_seed
from bot.text import safe
from index.model import Resolution

NotListening = Literal["off", "no_server", "nothing"]

# Discord's markup that names no song: mentions, channels, roles, custom emoji, timestamps.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>")
MESSAGE_TEXT_MAX = 300  # characters of a message read as "artist - title"


@dataclass(frozen=True)
class Listening:
    """What the caller is playing on Spotify according to their Discord presence.

    ``why_not`` says why it is unknown: the bot does not read presences (``off``), the
    command came from outside a server the bot is in (``no_server``: DMs, user installs),
    or the caller is not playing anything on Spotify that Discord shows (``nothing``).
    """

    track_id: str | None = None
    title: str | None = None
    artists: tuple[str, ...] = ()
    why_not: NotListening | None = None

    @property
    def query(self) -> str:
        """ "first artist - title" (how the Million Playlist Dataset names a song)."""
        title = self.title or ""
        return f"{self.artists[0]} - {title}" if self.artists else title


NOT_LISTENING = {
    "off": N_("I don't read what people are playing on this bot"),
    "no_server": N_("I can only see what you're playing in a server I'm in"),
    "nothing": N_("I don't see you playing anything on Spotify right now"),
}


class SeedAnswers(AnswersBase):
    """Reads the song a command names; the command answers from the result."""

    async def song_of(
        self, text: str, listening: Listening | None = None, command: str = "similar"
    ) -> Resolution | Reply:
        """The song ``text`` names; without text, what ``listening`` says is playing.

        A :class:`Reply` comes back when nothing can be read (a link that fails, nothing
        typed and nothing playing): send it as it is.
        """
        text = text.strip()
        if not text:
            if listening is None:
                return notice(self._tell_me(command), "warning", ephemeral=True)
            return await self.playing(listening, command)
        return self.answer_of(await self.read_song(text), command)

    async def read_song(self, text: str) -> SeedReading:
        """``text`` read as typed text or a link (see :func:`bot.seed_reading.read_seed`)."""
        return await read_seed(
            text,
            reader=self.services.link_reader,
            find_uri=self.services.find_spotify_uri,
            resolve=self.resolve,
        )

    def answer_of(self, reading: SeedReading, command: str = "similar") -> Resolution | Reply:
        """The resolution to answer from, or the notice saying why the link gave none."""
        if reading.resolution is not None:
            return reading.resolution
        text = reading.failure or self._tell_me(command)
        if reading.note and reading.note not in text:
            text = f"{text} {reading.note}"
        return notice(text, "warning", _("Can't read that link"))

    async def playing(self, listening: Listening, command: str = "similar") -> Resolution | Reply:
        """The song ``listening`` names: by its Spotify id when the index stores it, else by
        its artist and title; a one-sentence notice when nothing is known."""
        if listening.why_not is not None or not (listening.track_id or listening.title):
            why = _(NOT_LISTENING[listening.why_not or "nothing"])
            return notice(
                _(
                    "{why}, so tell me a song instead: {usage}, or paste a song link.",
                    why=why,
                    usage=self._usage(command),
                ),
                "info",
                ephemeral=True,
            )
        if listening.track_id:
            track = await self.services.find_spotify_uri(f"spotify:track:{listening.track_id}")
            if track is not None:
                return Resolution(query=listening.query, match=track, confidence=1.0)
        return await self.resolve(listening.query)

    def _tell_me(self, command: str) -> str:
        return _("Tell me a song: {usage}.", usage=self._usage(command))

    def link_problem(self, parts: Sequence[str]) -> Reply | None:
        """The notice for the first part that is a link naming no song (a playlist, an
        album, another site), which a mix cannot use; None when there is none."""
        for part in parts:
            link = find_link(part)
            if isinstance(link, UnsupportedLink):
                return notice(link.message, "warning", _("Can't read that link"))
        return None


def quoted(texts: Sequence[str], shown: int = 3, limit: int = 80) -> str:
    """ "“a”, “b”, “c” and 4 more": a few of the user's words, escaped."""
    names = ", ".join(f"“{safe(t, limit)}”" for t in texts[:shown])
    more = len(texts) - shown
    return _("{names} and {more} more", names=names, more=number(more)) if more > 0 else names


def message_song_text(content: str, embeds: Sequence[tuple[str, str, str]] = ()) -> str:
    """What a right-clicked message says the song is, as text for :meth:`song_of`.

    Its first song link (in the text or its embeds' url, title or description); else its
    text without links and Discord markup (mentions, emoji), read as "artist - title";
    else a link naming no song (the answer then says what works); else the first embed's
    title (a music bot's "now playing" card). Empty when the message names nothing.
    """
    texts = [content or ""] + [part or "" for embed in embeds for part in embed]
    links = find_links("\n".join(texts))
    song = next((link for link in links if isinstance(link, Link)), None)
    if song is not None:
        return song.url
    words = content or ""
    for link in find_links(words):
        words = words.replace(link.url, " ")
    words = " ".join(_DISCORD_MARKUP.sub(" ", words).replace("<>", " ").split())
    if words:
        return words[:MESSAGE_TEXT_MAX]
    if links:
        return links[0].url
    return next((" ".join(e[1].split())[:MESSAGE_TEXT_MAX] for e in embeds if e[1].strip()), "")
