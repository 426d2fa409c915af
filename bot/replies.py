"""What the bot answers, without Discord: text in, :class:`~bot.reply.Reply` out.

The cogs (Discord) and the console (terminal) both call :class:`Answers`, so every command
behaves the same in both; they differ only in how a reply is shown and how its buttons are
pressed. :class:`Answers` is one object per command made of a part per family of commands:
the lists of songs (``similar``, ``mix``, ``foryou``), their buttons, ``artist``, ``about``
and ``help`` are here; the likes are in :mod:`bot.like_replies`, autocomplete in
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
from bot.autocomplete import AutocompleteAnswers
from bot.discovery import UnknownDiscovery, choose, ranking_named, split_discovery
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


class Answers(PlaylistAnswers, LikeAnswers, AutocompleteAnswers):
    """Every command's logic for one user; cheap to create per command."""

    # --- similar -----------------------------------------------------------------------------

    def _discovery(self, text: str, option: str | None) -> tuple[str, str] | Reply:
        """``(text without its flag, ranking)``, or a notice when the flag is unknown."""
        try:
            found = split_discovery(text)
            return found.text.strip(), choose(option, found.ranking)
        except UnknownDiscovery as exc:
            return notice(str(exc), "warning", ephemeral=True)

    @remembers_index
    async def similar(
        self, text: str, discovery: str | None = None, listening: Listening | None = None
    ) -> Reply:
        """``/similar``: the song's nearest neighbours, or "did you mean" when unsure.

        ``discovery`` is the slash option; without it a trailing ``--popular`` or
        ``--deep-cuts`` in ``text`` chooses the ranking (default: closest). ``text`` may be
        a song link; without any, ``listening`` (the caller's presence) names the song.
        """
        parsed = self._discovery(text, discovery)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking = parsed
        res = await self.song_of(text, listening, "similar")
        if isinstance(res, Reply):
            return res
        if res.match is None:
            reply = await self._choose_or_fail(res.query, res, "similar")
            reply.ranking = ranking
            return reply
        others: list[Track] = []
        if res.confidence < CERTAIN:  # a wrong match is one click from fixed
            others = [t for t in res.suggestions if t.track_id != res.match.track_id]
        return await self.similar_track(
            res.match.track_id, alternatives=others[: SUGGESTIONS_MAX - 1], ranking=ranking
        )

    @remembers_index
    async def similar_track(
        self,
        track_id: int,
        *,
        page: PageSpec | None = None,
        alternatives: Sequence[Track] = (),
        ranking: str = DEFAULT_RANKING,
    ) -> Reply:
        """One page (the first unless ``page`` says otherwise) of a song's neighbours."""
        spec = page or PageSpec("similar", (track_id,), ranking=ranking)
        answer = await self._read(
            self.index.similar, track_id, limit=spec.limit, offset=spec.offset, ranking=spec.ranking
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
        )
        spec = replace(spec, has_more=answer.has_more)
        return Reply(
            embed,
            choices=list(alternatives),
            page=spec,
            items=[i.track for i in answer.items],
            ranking=spec.ranking,
        )

    # --- mix and for you -----------------------------------------------------------------------

    @remembers_index
    async def mix(
        self, text: str, discovery: str | None = None, upload: Upload | None = None
    ) -> Reply:
        """``/mix a | b | c``: songs near all the seeds at once (2–5 seeds, songs or links).

        A trailing ``--popular`` / ``--deep-cuts`` (or ``discovery``) sets the ranking. With
        an attached playlist file (``upload``) its songs are the seeds, up to 100.
        """
        parsed = self._discovery(text, discovery)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking = parsed
        parts = [p for p in MIX_SEPARATORS.split(text.strip()) if p]
        if upload is not None:
            return await self.mix_upload(upload, parts, ranking)
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
            PageSpec("mix", tuple(s.track_id for s in seeds), ranking=ranking)
        )

    @remembers_index
    async def mix_page(self, spec: PageSpec) -> Reply:
        fn = self.index.mix if spec.mode == "mix" else self.index.for_you
        answer = await self._read(
            fn, list(spec.seeds), limit=spec.limit, offset=spec.offset, ranking=spec.ranking
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
            )
        page = replace(spec, has_more=answer.has_more)
        return Reply(embed, page=page, items=[i.track for i in answer.items], ranking=spec.ranking)

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
        return await self.similar_track(track_id, ranking=reply.ranking)

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

    # --- artists -----------------------------------------------------------------------------

    @remembers_index
    async def artist(self, text: str) -> Reply:
        """``/artist``: artists whose songs share playlists with this artist's."""
        text = text.strip()
        if not text:
            return notice(
                f"Tell me an artist, for example `{self.prefix}artist daft punk`.",
                "warning",
                ephemeral=True,
            )
        res = await self.resolve(text)
        artist = res.artist
        if artist is None and res.match is not None:
            return await self.artist_of(res.match.artist_id)
        if artist is None:
            if res.suggestions:
                return Reply(
                    embeds.choose_embed(
                        text,
                        res.suggestions[:SUGGESTIONS_MAX],
                        f"Which artist did you mean by “{text}”?",
                    ),
                    choices=list(res.suggestions[:SUGGESTIONS_MAX]),
                    purpose="artist",
                )
            return notice(f"I couldn't find an artist called “{safe(text, 200)}”.", "warning")
        return await self.artist_of(artist.artist_id)

    async def artist_of(self, artist_id: int) -> Reply:
        found = await self._read(self.index.artists, [artist_id])
        artist = found.get(artist_id)
        if artist is None:
            return notice("That artist is no longer in the index.", "warning")
        scores = await self._read(self.index.similar_artists, artist_id, limit=PAGE_SIZE)
        return Reply(embeds.artists_embed(artist, scores, await self.services.stats()))

    # --- about and help ------------------------------------------------------------------

    async def about(self, latency_ms: float | None = None) -> Reply:
        links = self.services.links
        spotify = links is not None and links.enabled
        return Reply(
            embeds.about_embed(await self.services.stats(), latency_ms=latency_ms, spotify=spotify)
        )

    def help(self) -> Reply:
        return Reply(embeds.help_embed(self.prefix))
