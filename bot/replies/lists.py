"""What the bot answers, without Discord: text in, :class:`~bot.replies.reply.Reply` out.

The cogs (Discord) and the console (terminal) both call :class:`Answers`, so every command
behaves the same in both; they differ only in how a reply is shown and how its buttons are
pressed. :class:`Answers` is one object per command made of a part per family of commands
(the map is in :mod:`bot.replies`): ``similar``, the list buttons (More, Back, pick, Why?),
``about`` and ``help`` are here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import discord

from bot import embeds
from bot.i18n import _
from bot.replies.artist import ArtistAnswers
from bot.replies.autocomplete import AutocompleteAnswers
from bot.replies.base import SUGGESTIONS_MAX
from bot.replies.mixes import MIX_MAX, MixAnswers
from bot.replies.privacy import PrivacyAnswers
from bot.replies.refs import SongRef, song_check
from bot.replies.reply import PageSpec, Purpose, Reply
from bot.replies.seeds import Listening
from bot.replies.settings import SettingsAnswers
from index.model import Track, Why
from index.read.ranking import DEFAULT_RANKING

log = logging.getLogger(__name__)


CERTAIN = 0.9  # below this resolver confidence a match comes with "Not the one?" choices


class Answers(MixAnswers, ArtistAnswers, PrivacyAnswers, AutocompleteAnswers, SettingsAnswers):
    """Every command's logic for one user; cheap to create per command."""

    # --- similar -----------------------------------------------------------------------------

    async def similar(
        self,
        text: str,
        discovery: str | None = None,
        listening: Listening | None = None,
        *,
        other_artists: bool | None = None,
        include_liked: bool | None = None,
    ) -> Reply:
        """``/similar``: the song's nearest neighbours, or "did you mean" when unsure.

        ``discovery`` is the slash option; without it a trailing ``--popular`` or
        ``--deep-cuts`` in ``text`` chooses the ranking (default: closest). Likewise
        ``other_artists`` / ``--other-artists`` leaves out the song's artists, and songs the
        user liked are left out unless ``include_liked`` / ``--include-liked``. ``text`` may
        be a song link; without any, ``listening`` (the caller's presence) names the song.
        """
        parsed = self._options(text, discovery, other_artists, include_liked)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking, other, liked = parsed
        res = await self.song_of(text, listening, "similar")
        if isinstance(res, Reply):
            return res
        if res.match is None:
            reply = await self._choose_or_fail(res.query, res, "similar")
            reply.ranking, reply.other_artists, reply.include_liked = ranking, other, liked
            return reply
        others: list[Track] = []
        if res.confidence < CERTAIN:  # a wrong match is one click from fixed
            others = [t for t in res.suggestions if t.track_id != res.match.track_id]
        return await self.similar_track(
            res.match.track_id,
            alternatives=others[: SUGGESTIONS_MAX - 1],
            ranking=ranking,
            other_artists=other,
            include_liked=liked,
        )

    async def similar_track(
        self,
        track_id: int,
        *,
        page: PageSpec | None = None,
        alternatives: Sequence[Track] = (),
        ranking: str = DEFAULT_RANKING,
        other_artists: bool = False,
        include_liked: bool = False,
    ) -> Reply:
        """One page (the first unless ``page`` says otherwise) of a song's neighbours."""
        spec = page or PageSpec(
            "similar",
            (track_id,),
            ranking=ranking,
            other_artists=other_artists,
            include_liked=include_liked,
        )
        chosen = await self.page_exclusions(spec)
        answer = await self.read_page(spec, chosen)
        seed = answer.seed
        assert seed is not None, "a song's neighbours always name the song"
        spec = spec.numbered(len(answer.items))
        tracks = [seed, *(i.track for i in answer.items), *answer.fallback]
        links = await self.services.links_for(tracks, art_for=seed.track_id)
        embed = embeds.similar_embed(
            answer,
            await self.services.stats(),
            offset=spec.number - 1,
            links=links.urls,
            thumbnail=links.images.get(seed.track_id),
            alternatives=bool(alternatives),
            hidden=chosen,
            prefix=self.prefix,
        )
        if page is None:  # a new list: its buttons name these songs
            self.remember([seed, *alternatives])
        spec = replace(spec, has_more=answer.has_more, checks=spec.checks or (song_check(seed),))
        reply = Reply.of_list(embed, spec, [i.track for i in answer.items], list(alternatives))
        return self.remember_list(reply)

    # --- buttons ---------------------------------------------------------------------------
    # The console presses them on the reply it keeps; Discord's buttons (bot.views) carry
    # the page and the songs in their custom ids and call page, pick_song and why_of.

    async def more(self, reply: Reply) -> Reply:
        """The next page of the same list (the "More" button)."""
        spec = reply.page
        if spec is None or not spec.has_more:
            return reply
        return await self.page(spec.next_page(len(reply.items)))

    async def back(self, reply: Reply) -> Reply:
        """The page before (the "Back" button)."""
        spec = reply.page
        if spec is None or spec.offset == 0:
            return reply
        return await self.page(spec.previous_page())

    async def page(self, spec: PageSpec) -> Reply:
        """The page ``spec`` describes, or the notice when the list's song is gone."""
        now = await self.seeds_now(spec)
        if isinstance(now, Reply):
            return now
        if now.mode == "similar":
            return await self.similar_track(now.seeds[0], page=now)
        if now.mode == "playlist":
            return await self.playlist_page(now)
        return await self.mix_page(now)

    async def pick(self, reply: Reply, track_id: int) -> Reply:
        """A "did you mean" choice: do what the original command meant with that song."""
        song = next((t for t in reply.choices if t.track_id == track_id), None)
        if song is None:
            return self.gone_notice()
        return await self.pick_song(
            SongRef.of(song),
            reply.purpose,
            ranking=reply.ranking,
            other_artists=reply.other_artists,
            include_liked=reply.include_liked,
        )

    async def pick_song(
        self,
        song: SongRef,
        purpose: Purpose,
        *,
        ranking: str = DEFAULT_RANKING,
        other_artists: bool = False,
        include_liked: bool = False,
    ) -> Reply:
        """The answer to a picked choice, with the options the question was asked with."""
        track = (await self.still_there([song])).get(song.track_id)
        if track is None:
            return self.gone_notice()
        if purpose == "like":
            return await self.like_track(track.track_id)
        if purpose == "artist":
            return await self.artist_of(track.artist_id)
        return await self.similar_track(
            track.track_id,
            ranking=ranking,
            other_artists=other_artists,
            include_liked=include_liked,
        )

    async def why(self, reply: Reply, neighbour_id: int) -> discord.Embed:
        """Why a listed song is linked to the seed (for a mix, to the closest seed)."""
        listed = next((t for t in reply.items if t.track_id == neighbour_id), None)
        if reply.page is None or listed is None:
            return embeds.notice_embed(
                _("These songs share no playlists."), "info", _("Why these songs?")
            )
        return await self.why_of(reply.page, SongRef.of(listed))

    async def why_of(self, spec: PageSpec, neighbour: SongRef) -> discord.Embed:
        """Why ``neighbour`` is on the list ``spec``: the seed sharing most playlists with it.

        The shared playlists' names are strangers' text: the server chooses whether they are
        shown, filtered (a listed word makes the name "a playlist") or hidden."""
        now = await self.seeds_now(spec)
        if isinstance(now, Reply):
            return now.embed
        listed = (await self.still_there([neighbour])).get(neighbour.track_id)
        if listed is None:
            return self.gone_notice().embed
        best: Why | None = None
        for seed in now.seeds[:MIX_MAX]:
            if seed == listed.track_id:
                continue
            why = await self._read(self.index.why, seed, listed.track_id)
            if best is None or why.shared > best.shared:
                best = why
        if best is None:
            return embeds.notice_embed(
                _("These songs share no playlists."), "info", _("Why these songs?")
            )
        server = self.server
        names = server.playlist_names(best.examples)
        hidden = server.why_names == "hidden" and bool(best.examples)
        return embeds.why_embed(best.track, best.neighbour, best, names, names_hidden=hidden)

    async def page_songs(self, spec: PageSpec) -> list[Track] | Reply:
        """The songs on the page ``spec`` (for the "Why?" menu), or the gone notice."""
        now = await self.seeds_now(spec)
        if isinstance(now, Reply):
            return now
        answer = await self.read_page(now, await self.page_exclusions(now))
        songs = [i.track for i in answer.items]
        self.remember(songs)
        return songs

    # --- about and help ------------------------------------------------------------------

    async def about(self, latency_ms: float | None = None) -> Reply:
        links = self.services.links
        spotify = links is not None and links.enabled
        return Reply(
            embeds.about_embed(
                await self.services.stats(),
                latency_ms=latency_ms,
                spotify=spotify,
                prefix=self.prefix,
                privacy_url=self.services.settings.privacy_url,
            )
        )

    def help(self) -> Reply:
        return Reply(embeds.help_embed(self.services.settings.prefix))  # the message commands
