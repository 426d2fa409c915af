"""What every command's answer stands on: the user, the index, and text read as a song.

:class:`bot.replies.Answers` is one object per command, made of a part per family of
commands (likes in :mod:`bot.replies.likes`, autocomplete in :mod:`bot.replies.autocomplete`, the
lists in :mod:`bot.replies`); they all stand on :class:`AnswersBase`, which reads the
index off the event loop and turns a user's text into a song or a "did you mean".

Song ids are only meaningful within one index file, and the index can be replaced while the
bot runs (:meth:`bot.services.Services.reopen_index`). So every reply with buttons remembers
which index it was made from (:func:`remembers_index`), and a button pressed after the
index changed says so instead of answering for whatever song now has that id.

An answer in a server follows that server's settings (:mod:`bot.server_settings`, read from
memory): :attr:`AnswersBase.server` is read afresh on each use, so a change applies from
the next command on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from bot import embeds
from bot.replies.reply import Purpose, Reply, notice
from bot.server_settings import DEFAULTS, ServerSettings
from bot.services import Services
from bot.text import NAME_FILTER
from index.model import Resolution, Track

if TYPE_CHECKING:  # the reader is imported when the index is opened (bot.services)
    from index.read.api import SongIndex

SUGGESTIONS_MAX = 5
TRACK_REF = re.compile(r"track:(\d+)")

T = TypeVar("T")
P = ParamSpec("P")
A = TypeVar("A", bound="AnswersBase")


def remembers_index(
    method: Callable[Concatenate[A, P], Awaitable[Reply]],
) -> Callable[Concatenate[A, P], Awaitable[Reply]]:
    """Stamp a reply with buttons with the index generation current when the command began.

    The earliest generation wins: if the index was swapped while the command ran, its ids
    may come from the old index, and a later button press must count as stale.
    """

    @functools.wraps(method)
    async def wrapper(self: A, *args: P.args, **kwargs: P.kwargs) -> Reply:
        generation = self.generation
        reply = await method(self, *args, **kwargs)
        if reply.interactive:
            known = reply.generation
            reply.generation = generation if known is None else min(known, generation)
        return reply

    return wrapper


class AnswersBase:
    """The user a command answers and the index it reads; cheap to create per command."""

    def __init__(
        self,
        services: Services,
        user_id: int,
        prefix: str | None = None,
        *,
        guild_id: int | None = None,
    ) -> None:
        self.services = services
        self.user_id = user_id
        self.prefix = prefix or services.settings.prefix
        self.guild_id = guild_id  # the server asked in (None: a DM)
        self.use_names()

    @property
    def server(self) -> ServerSettings:
        """The settings of the server this command came from (the defaults in a DM)."""
        store = getattr(self.services.user_db, "servers", None)
        return store.get(self.guild_id) if store is not None else DEFAULTS

    def use_names(self) -> None:
        """Mask listed words in the names this task shows, when the server asks for it.

        An Answers is made where a command or a button press starts, in the task that sends
        its reply; a view that keeps one across presses calls this again (a press is a new
        task).
        """
        server = self.server
        NAME_FILTER.set(server.mask_names if server.song_names == "filtered" else None)

    @property
    def index(self) -> SongIndex:
        return self.services.index

    @property
    def generation(self) -> int:
        """Which index answers now (bumped each time the index file is reopened)."""
        return self.services.generation

    def is_stale(self, reply: Reply) -> bool:
        """True when ``reply``'s buttons refer to songs of an index that has been replaced."""
        return reply.generation is not None and reply.generation != self.generation

    def stale_notice(self) -> Reply:
        """What a button under a list from a replaced index answers."""
        return notice(
            "The song index has been updated since this message, so its buttons no longer "
            f"apply — ask again (`{self.prefix}help` lists the commands).",
            "info",
            "Index updated",
            ephemeral=True,
        )

    async def track(self, track_id: int) -> Track | None:
        """The song with this id, or None when the index has no such id."""
        found = await self._read(self.index.tracks, [track_id])
        return found.get(track_id)

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.services.read(fn, *args, **kwargs)

    # --- resolving text --------------------------------------------------------------------

    async def resolve(self, text: str) -> Resolution:
        """The index's reading of ``text``; ``track:ID`` (from autocomplete) is exact."""
        m = TRACK_REF.fullmatch(text.strip())
        if m:
            track = await self.track(int(m.group(1)))
            if track is not None:
                return Resolution(query=text, match=track, confidence=1.0)
        return await self._read(self.index.resolve, text)

    def _usage(self, command: str, example: str = "daft punk - one more time") -> str:
        return f"`{self.prefix}{command} artist - title`, for example `{self.prefix}{command} {example}`"

    async def _choose_or_fail(self, text: str, res: Resolution, purpose: Purpose) -> Reply:
        """The reply when ``text`` matched no single song: choices, or not found."""
        choices = res.suggestions[:SUGGESTIONS_MAX]
        artist = res.artist
        message = res.message
        if artist is not None:
            if not choices:
                choices = list(
                    await self._read(
                        self.index.artist_top_tracks, artist.artist_id, limit=SUGGESTIONS_MAX
                    )
                )
            message = message or f"“{artist.name}” is an artist — which of their songs?"
        if choices:
            return Reply(
                embeds.choose_embed(text, choices, message), choices=choices, purpose=purpose
            )
        return Reply(embeds.not_found_embed(text, message, self.prefix))
