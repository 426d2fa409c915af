"""What the bot answers, without Discord: text in, :class:`~bot.reply.Reply` out.

The cogs (Discord) and the console (terminal) both call :class:`Answers`, so every command
behaves the same in both; they differ only in how a reply is shown and how its buttons are
pressed. :class:`Answers` is one object per command made of a part per family of commands:
the lists of songs (``similar``, ``mix``, ``foryou``), their buttons, ``about`` and
``help`` are here; ``artist`` is in :mod:`bot.artist_replies`, the likes in
:mod:`bot.like_replies`, blocked artists and the exclusions every list honours in
:mod:`bot.block_replies`, the Export in :mod:`bot.export_replies`, autocomplete in
:mod:`bot.autocomplete`, reading the song a command names (a link, what the caller is
playing) in :mod:`bot.seed_replies`, a mix from an attached file in
:mod:`bot.playlist_replies`, and what they share (resolving text, stale buttons) in
:mod:`bot.answer_base`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

import discord

from bot import embeds
from bot.answer_base import SUGGESTIONS_MAX, remembers_index
from bot.artist_replies import ArtistAnswers
from bot.autocomplete import AutocompleteAnswers
from bot.block_replies import BlockAnswers
from bot.discovery import UnknownDiscovery, choose, ranking_named, split_discovery
from bot.exclusions import split_exclusion_flags
from bot.export_replies import ExportAnswers
from bot.like_replies import LikeAnswers
from bot.playlist_replies import PlaylistAnswers, Upload
from bot.reply import PAGE_SIZE, PageSpec, Reply, notice
from bot.seed_replies import Listening
from bot.text import count_of, safe
from index.model import Track, Why
from index.read.ranking import DEFAULT_RANKING

log = logging.getLogger(__name__)

# Where the cogs, views, console and tests have always imported these from.
__all__ = ["PAGE_SIZE", "Answers", "PageSpec", "Reply"]

CERTAIN = 0.9  # below this resolver confidence a match comes with "Not the one?" choices
MIX_MIN, MIX_MAX = 2, 5
MIX_SEPARATORS = re.compile(r"\s*[|;\n]\s*")


class Answers(
    PlaylistAnswers, ArtistAnswers, ExportAnswers, BlockAnswers, LikeAnswers, AutocompleteAnswers
):
    """Every command's logic for one user; cheap to create per command."""

    # --- similar -----------------------------------------------------------------------------

    def _options(
        self, text: str, option: str | None, other: bool | None, liked: bool | None
    ) -> tuple[str, str, bool, bool] | Reply:
        """``(text without its flags, ranking, other artists only, include liked)``: the
        slash options where given, else the trailing flags; a notice for an unknown flag."""
        flags = split_exclusion_flags(text)
        try:
            found = split_discovery(flags.text)
            ranking = choose(option, found.ranking)
        except UnknownDiscovery as exc:
            return notice(str(exc), "warning", ephemeral=True)
        return (
            found.text.strip(),
            ranking,
            flags.other_artists if other is None else other,
            flags.include_liked if liked is None else liked,
        )

    @remembers_index
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

    @remembers_index
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
        chosen = await self.user_exclusions(
            spec.mode, other_artists=spec.other_artists, include_liked=spec.include_liked
        )
        answer = await self._read(
            self.index.similar,
            track_id,
            limit=spec.limit,
            offset=spec.offset,
            ranking=spec.ranking,
            exclusions=chosen.exclusions,
        )
        seed = answer.seed
        assert seed is not None, "a song's neighbours always name the song"
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
        spec = replace(spec, has_more=answer.has_more)
        reply = Reply(
            embed,
            choices=list(alternatives),
            page=spec,
            items=[i.track for i in answer.items],
            ranking=spec.ranking,
            other_artists=spec.other_artists,
            include_liked=spec.include_liked,
        )
        return self.remember_list(reply)

    # --- mix and for you -----------------------------------------------------------------------

    @remembers_index
    async def mix(
        self,
        text: str,
        discovery: str | None = None,
        upload: Upload | None = None,
        *,
        other_artists: bool | None = None,
        include_liked: bool | None = None,
    ) -> Reply:
        """``/mix a | b | c``: songs near all the seeds at once (2–5 seeds, songs or links).

        A trailing ``--popular`` / ``--deep-cuts`` (or ``discovery``) sets the ranking;
        ``--other-artists`` and ``--include-liked`` (or the options) as for ``similar``. With
        an attached playlist file (``upload``) its songs are the seeds, up to 100.
        """
        parsed = self._options(text, discovery, other_artists, include_liked)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking, other, liked = parsed
        parts = [p for p in MIX_SEPARATORS.split(text.strip()) if p]
        if upload is not None:
            return await self.mix_upload(
                upload, parts, ranking, other_artists=other, include_liked=liked
            )
        if problem := self.link_problem(parts):
            return problem
        if not MIX_MIN <= len(parts) <= MIX_MAX:
            return notice(
                f"Give me {MIX_MIN}–{MIX_MAX} songs separated by `|`, for example "
                f"`{self.prefix}mix daft punk - one more time | queen - bohemian rhapsody`.",
                "warning",
                ephemeral=True,
            )
        seeds: list[Track] = []
        missing: list[str] = []
        for part in parts:
            res = await self.song_of(part, command="mix")
            if isinstance(res, Reply):
                return res
            track = res.match or next(iter(res.suggestions), None)
            if track is None:
                missing.append(part)
            elif all(s.track_id != track.track_id for s in seeds):
                seeds.append(track)
        if missing:
            names = ", ".join(f"“{safe(m, 100)}”" for m in missing)
            return notice(
                f"I couldn't find {names}. Write each song as `artist - title`.", "warning"
            )
        if len(seeds) < MIX_MIN:
            return notice(
                "Those are all the same song — give me at least two different ones.", "warning"
            )
        return await self.mix_page(
            PageSpec(
                "mix",
                tuple(s.track_id for s in seeds),
                ranking=ranking,
                other_artists=other,
                include_liked=liked,
            )
        )

    @remembers_index
    async def mix_page(self, spec: PageSpec) -> Reply:
        fn = self.index.mix if spec.mode == "mix" else self.index.for_you
        chosen = await self.user_exclusions(
            spec.mode, other_artists=spec.other_artists, include_liked=spec.include_liked
        )
        answer = await self._read(
            fn,
            list(spec.seeds),
            limit=spec.limit,
            offset=spec.offset,
            ranking=spec.ranking,
            exclusions=chosen.exclusions,
        )
        links = await self.services.links_for([*(i.track for i in answer.items), *answer.fallback])
        if spec.mode == "mix":
            found = await self._read(self.index.tracks, spec.seeds)
            seeds = [found[t] for t in spec.seeds if t in found]
            embed = embeds.mix_embed(
                seeds,
                answer,
                await self.services.stats(),
                offset=spec.number - 1,
                links=links.urls,
                title="Your mix",
                hidden=chosen,
                prefix=self.prefix,
            )
        else:
            n = len(spec.seeds)
            embed = embeds.mix_embed(
                [],
                answer,
                await self.services.stats(),
                offset=spec.number - 1,
                links=links.urls,
                title="Picked for you",
                intro=f"From the {count_of(n, 'song')} you liked "
                "(songs you already like are left out).",
                hidden=chosen,
                prefix=self.prefix,
            )
        page = replace(spec, has_more=answer.has_more)
        reply = Reply(
            embed,
            page=page,
            items=[i.track for i in answer.items],
            ranking=spec.ranking,
            other_artists=spec.other_artists,
            include_liked=spec.include_liked,
        )
        return self.remember_list(reply)

    @remembers_index
    async def for_you(self, discovery: str | None = None) -> Reply:
        """``/foryou``: recommendations from the user's likes, without songs already liked.

        ``discovery`` is the slash option's value or what followed ``!foryou``: a setting
        with or without its dashes ("--popular", "deep cuts"); empty means closest.
        """
        try:
            ranking = (
                ranking_named(discovery) if discovery and discovery.strip() else DEFAULT_RANKING
            )
        except UnknownDiscovery as exc:
            return notice(
                f"{exc} `{self.prefix}foryou` takes nothing else.", "warning", ephemeral=True
            )
        tracks, _ = await self.liked_tracks()
        if not tracks:
            return notice(
                f"Like a few songs first with `{self.prefix}like artist - title`, then ask again.",
                "info",
            )
        return await self.mix_page(
            PageSpec("foryou", tuple(t.track_id for t in tracks), ranking=ranking)
        )

    # --- buttons ---------------------------------------------------------------------------

    @remembers_index
    async def more(self, reply: Reply) -> Reply:
        """The next page of the same list (the "More" button)."""
        if self.is_stale(reply):
            return self.stale_notice()
        spec = reply.page
        if spec is None or not spec.has_more:
            return reply
        return await self._page(
            replace(
                spec,
                offset=spec.offset + spec.limit,
                number=spec.number + len(reply.items),
                previous=(*spec.previous, spec.number),
            )
        )

    @remembers_index
    async def back(self, reply: Reply) -> Reply:
        """The page before (the "Back" button)."""
        if self.is_stale(reply):
            return self.stale_notice()
        spec = reply.page
        if spec is None or spec.offset == 0:
            return reply
        number = spec.previous[-1] if spec.previous else 1
        return await self._page(
            replace(
                spec,
                offset=max(0, spec.offset - spec.limit),
                number=number,
                previous=spec.previous[:-1],
            )
        )

    async def _page(self, spec: PageSpec) -> Reply:
        if spec.mode == "similar":
            return await self.similar_track(spec.seeds[0], page=spec)
        if spec.mode == "playlist":
            return await self.playlist_page(spec)
        return await self.mix_page(spec)

    @remembers_index
    async def pick(self, reply: Reply, track_id: int) -> Reply:
        """A "did you mean" choice: do what the original command meant with that song."""
        if self.is_stale(reply):
            return self.stale_notice()
        if reply.purpose == "like":
            return await self.like_track(track_id)
        if reply.purpose == "artist":
            track = await self.track(track_id)
            return await self.artist_of(track.artist_id) if track else reply
        return await self.similar_track(
            track_id,
            ranking=reply.ranking,
            other_artists=reply.other_artists,
            include_liked=reply.include_liked,
        )

    async def why(self, reply: Reply, neighbour_id: int) -> discord.Embed:
        """Why a listed song is linked to the seed (for a mix, to the closest seed)."""
        if self.is_stale(reply):
            return self.stale_notice().embed
        spec = reply.page
        seeds = list(spec.seeds[:MIX_MAX]) if spec else []
        best: Why | None = None
        for seed in seeds:
            if seed == neighbour_id:
                continue
            why = await self._read(self.index.why, seed, neighbour_id)
            if best is None or why.shared > best.shared:
                best = why
        if best is None:
            return embeds.notice_embed(
                "These songs share no playlists.", "info", "Why these songs?"
            )
        return embeds.why_embed(best.track, best.neighbour, best)

    # --- about and help ------------------------------------------------------------------

    async def about(self, latency_ms: float | None = None) -> Reply:
        links = self.services.links
        spotify = links is not None and links.enabled
        return Reply(
            embeds.about_embed(await self.services.stats(), latency_ms=latency_ms, spotify=spotify)
        )

    def help(self) -> Reply:
        return Reply(embeds.help_embed(self.prefix))
