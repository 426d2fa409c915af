"""Autocomplete for slash commands: ``(name, value)`` pairs for songs, mixes and artists.

Discord shows ``name`` and sends back ``value``; both are limited to 100 characters and
shown without markdown, so names go through :func:`~bot.text.plain`. When nothing matches,
the user's own text is offered, so pressing enter still sends what they typed; a pasted
song link is offered as it is (its words are not a song's name).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from bot.links import find_link
from bot.replies.base import AnswersBase
from bot.text import CHOICE_MAX, plain, song_name
from index.model import Track


class AutocompleteAnswers(AnswersBase):
    """The choices offered while a user types a song, a mix or an artist."""

    async def song_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete ``(name, value)`` pairs for a song; the user's text when nothing matches."""
        current = current.strip()
        if find_link(current) is not None:
            return link_choice(current)
        tracks = await self._read(self.index.autocomplete, current, limit=limit)
        return song_choices(current, tracks, limit)

    async def mix_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete the last song of ``a | b | c…`` keeping the ones before it."""
        head, _sep, last = current.rpartition("|")
        head = f"{head.strip()} | " if head.strip() else ""
        if find_link(last) is not None:
            pairs = [(plain(head + n, CHOICE_MAX), head + v) for n, v in link_choice(last)]
            return [(name, value) for name, value in pairs if len(value) <= CHOICE_MAX]
        tracks = await self._read(self.index.autocomplete, last.strip(), limit=limit)
        choices = []
        for name, value in song_choices(last.strip(), tracks, limit):
            full = head + value
            if len(full) <= CHOICE_MAX:
                choices.append((plain(head + name, CHOICE_MAX), full))
        if not choices and current.strip():
            choices.append((plain(current, CHOICE_MAX), current.strip()[:CHOICE_MAX]))
        return choices[:limit]

    async def artist_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        current = current.strip()
        tracks = await self._read(self.index.autocomplete, current, limit=limit)
        names: dict[str, None] = {}
        for t in tracks:
            if t.artist.strip():  # a song without an artist (a CSV may have one) names none
                names.setdefault(t.artist, None)
        choices = [(plain(n, CHOICE_MAX), n[:CHOICE_MAX]) for n in names]
        if not choices and current:
            choices = [(plain(current, CHOICE_MAX), current[:CHOICE_MAX])]
        return choices[:limit]


def song_choices(current: str, tracks: Sequence[Track], limit: int = 25) -> list[tuple[str, str]]:
    """Autocomplete pairs: "Title — Artist" shown, "artist - title" sent (or ``track:ID``).

    Discord limits both to 100 characters; a value that would not fit is sent as the id.
    When nothing matches, the user's own text is offered so pressing enter still works.
    """
    choices: list[tuple[str, str]] = []
    for t in tracks[:limit]:
        value = f"{t.artist} - {t.title}"
        if len(value) > CHOICE_MAX:
            value = f"track:{t.track_id}"
        choices.append((plain(song_name(t), CHOICE_MAX), value))
    if not choices and current:
        choices.append((plain(current, CHOICE_MAX), current[:CHOICE_MAX]))
    return choices


def link_choice(text: str) -> list[tuple[str, str]]:
    """The pasted text as the one choice (shortened to fit without its query string, which
    the link readers ignore); none when even that is over Discord's 100 characters."""
    text = " ".join(text.split())
    if len(text) > CHOICE_MAX and text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        if "youtube" not in parts.netloc and "apple" not in parts.netloc:  # ?v= and ?i= matter
            text = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return [(plain(text, CHOICE_MAX), text)] if len(text) <= CHOICE_MAX else []
