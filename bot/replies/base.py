"""What every command's answer stands on: the user, the index, and text read as a song.

:class:`bot.replies.Answers` is one object per command, made of a part per family of
commands (likes in :mod:`bot.replies.likes`, autocomplete in :mod:`bot.replies.autocomplete`, the
lists in :mod:`bot.replies`); they all stand on :class:`AnswersBase`, which reads the
index off the event loop and turns a user's text into a song or a "did you mean".

Song ids are only meaningful within one index file, and the index can be replaced while the
bot runs (:meth:`bot.services.Services.reopen_index`) or between two runs. So a button
names its songs as :class:`~bot.replies.refs.SongRef` (id and a check of the name), and
the names of those songs are kept (:meth:`AnswersBase.remember`):
:meth:`AnswersBase.still_there` finds them in the index answering now, under a new id if
need be, and a song that is gone gets :meth:`AnswersBase.gone_notice` instead of an
answer about whatever song now has that id.

An answer in a server follows that server's settings (:mod:`bot.server_settings`, read from
memory): :attr:`AnswersBase.server` is read afresh on each use, so a change applies from
the next command on, and a button pressed later (even after a restart) follows the
settings as they are then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from bot import embeds
from bot.i18n import Commands, _
from bot.i18n.labels import PLAYLIST_SHOWN, note_of
from bot.replies.refs import SongRef, song_check
from bot.replies.reply import Purpose, Reply
from bot.server_settings import DEFAULTS, ServerSettings
from bot.services import Services
from bot.text import NAME_FILTER
from index.model import Resolution, Track

if TYPE_CHECKING:  # the reader is imported when the index is opened (bot.services)
    from index.read.api import SongIndex

SUGGESTIONS_MAX = 5
TRACK_REF = re.compile(r"track:(\d+)")

T = TypeVar("T")


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

        An Answers is made where a command or a button press starts (a press gets its own,
        :meth:`bot.views.Owned.callback`), in the task that sends its reply.
        """
        server = self.server
        NAME_FILTER.set(server.mask_names if server.song_names == "filtered" else None)
        PLAYLIST_SHOWN.set(server.shows_playlist)

    @property
    def index(self) -> SongIndex:
        return self.services.index

    def gone_notice(self, gone: str | None = None) -> Reply:
        """What a button answers when a song it names is no longer in the index."""
        gone = gone or _("That song is no longer in the index")
        return Reply(
            embeds.notice_embed(
                _(
                    "{gone} — it has been updated since this message. "
                    "Ask again (`{c.help}` lists the commands).",
                    gone=gone,
                    prefix=self.prefix,
                ),
                "info",
                _("No longer in the index"),
            ),
            ephemeral=True,
            gone=True,
        )

    async def still_there(self, refs: Sequence[SongRef]) -> dict[int, Track]:
        """The songs of ``refs`` in the index answering now, keyed by the id a button gave.

        A song whose id is gone or names another song (a rebuilt index numbers songs
        anew) is found again by its remembered name (:meth:`remember`), as the same song
        (same check) under its new id; a song not found is left out.
        """
        found = await self._read(self.index.tracks, [r.track_id for r in refs])
        out = {r.track_id: found[r.track_id] for r in refs if r.names(found.get(r.track_id))}
        for ref in refs:
            if ref.track_id in out:
                continue
            name = await self.services.user_db.song_name(ref.track_id, ref.check)
            if name is None:
                continue
            match = (await self._read(self.index.resolve, f"{name[0]} - {name[1]}")).match
            if match is not None and song_check(match) == ref.check:
                out[ref.track_id] = match
        return out

    def remember(self, tracks: Sequence[Track]) -> None:
        """Keep the names of songs a reply's buttons name by id (see :meth:`still_there`)."""
        self.services.user_db.remember_songs(
            (t.track_id, song_check(t), t.artist, t.title) for t in tracks
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
        return _(
            "`{command} artist - title`, for example `{command} {example}`",
            command=getattr(Commands(self.prefix), command),
            example=example,
        )

    async def _choose_or_fail(self, text: str, res: Resolution, purpose: Purpose) -> Reply:
        """The reply when ``text`` matched no single song: choices, or not found."""
        choices = res.suggestions[:SUGGESTIONS_MAX]
        artist = res.artist
        message = note_of(res)
        if artist is not None:
            if not choices:
                choices = list(
                    await self._read(
                        self.index.artist_top_tracks, artist.artist_id, limit=SUGGESTIONS_MAX
                    )
                )
            message = message or _(
                "“{artist}” is an artist — which of their songs?", artist=artist.name
            )
        if choices:
            self.remember(choices)
            return Reply(
                embeds.choose_embed(text, choices, message), choices=choices, purpose=purpose
            )
        if res.message is None and res.hint is not None:  # the index says why, with an example
            return Reply(embeds.not_found_embed(text, hint=message))
        return Reply(embeds.not_found_embed(text, message, self.prefix))
