"""Lists from several songs: ``/mix`` (2–5 songs, or a file's), ``/foryou`` (the likes).

:class:`MixAnswers` also reads the options every list takes (discovery setting, exclusion
flags), so ``similar`` in :mod:`bot.replies.lists` shares them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from bot import embeds
from bot.discovery import UnknownDiscovery, choose, ranking_named, split_discovery
from bot.exclusions import split_exclusion_flags
from bot.i18n import _, ngettext
from bot.replies.playlist import PlaylistAnswers, Upload
from bot.replies.refs import song_check
from bot.replies.reply import PageSpec, Reply, notice
from bot.text import safe
from index.model import Track

log = logging.getLogger(__name__)

MIX_MIN, MIX_MAX = 2, 5
MIX_SEPARATORS = re.compile(r"\s*[|;\n]\s*")


class MixAnswers(PlaylistAnswers):
    """``/mix`` and ``/foryou``, and the option reading all lists share."""

    def _options(
        self, text: str, option: str | None, other: bool | None, liked: bool | None
    ) -> tuple[str, str, bool, bool] | Reply:
        """``(text without its flags, ranking, other artists only, include liked)``: the
        slash options where given, else the trailing flags (else the server's discovery
        setting); a notice for an unknown flag."""
        flags = split_exclusion_flags(text)
        try:
            found = split_discovery(flags.text)
            ranking = choose(option, found.ranking, self.server.discovery)
        except UnknownDiscovery as exc:
            return notice(str(exc), "warning", ephemeral=True)
        return (
            found.text.strip(),
            ranking,
            flags.other_artists if other is None else other,
            flags.include_liked if liked is None else liked,
        )

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
                _(
                    "Give me {low}–{high} songs separated by `|`, for example "
                    "`{c.mix} daft punk - one more time | queen - bohemian rhapsody`.",
                    low=MIX_MIN,
                    high=MIX_MAX,
                    prefix=self.prefix,
                ),
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
                _("I couldn't find {names}. Write each song as `artist - title`.", names=names),
                "warning",
            )
        if len(seeds) < MIX_MIN:
            return notice(
                _("Those are all the same song — give me at least two different ones."),
                "warning",
            )
        self.remember(seeds)
        return await self.mix_page(
            PageSpec(
                "mix",
                tuple(s.track_id for s in seeds),
                ranking=ranking,
                other_artists=other,
                include_liked=liked,
                checks=tuple(song_check(s) for s in seeds),
            )
        )

    async def mix_page(self, spec: PageSpec) -> Reply:
        chosen = await self.page_exclusions(spec)
        answer = await self.read_page(spec, chosen)
        spec = spec.numbered(len(answer.items))
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
                title=_("Your mix"),
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
                title=_("Picked for you"),
                intro=ngettext(
                    "From the {n} song you liked (songs you already like are left out).",
                    "From the {n} songs you liked (songs you already like are left out).",
                    n,
                ),
                hidden=chosen,
                prefix=self.prefix,
            )
        page = replace(spec, has_more=answer.has_more)
        reply = Reply.of_list(embed, page, [i.track for i in answer.items])
        return self.remember_list(reply)

    async def for_you(self, discovery: str | None = None) -> Reply:
        """``/foryou``: recommendations from the user's likes, without songs already liked.

        ``discovery`` is the slash option's value or what followed ``!foryou``: a setting
        with or without its dashes ("--popular", "deep cuts"); empty means the server's
        default (closest unless it chose another).
        """
        try:
            ranking = (
                ranking_named(discovery)
                if discovery and discovery.strip()
                else self.server.discovery
            )
        except UnknownDiscovery as exc:
            return notice(
                _(
                    "{problem} `{c.foryou}` takes nothing else.",
                    problem=exc,
                    prefix=self.prefix,
                ),
                "warning",
                ephemeral=True,
            )
        tracks, _missing = await self.liked_tracks()
        if not tracks:
            return notice(
                _(
                    "Like a few songs first with `{c.like} artist - title`, then ask again.",
                    prefix=self.prefix,
                ),
                "info",
            )
        return await self.mix_page(
            PageSpec("foryou", tuple(t.track_id for t in tracks), ranking=ranking)
        )
