"""What the bot answers, without Discord: text in, :class:`Reply` out.

The cogs (Discord) and the console (terminal) both call :class:`Answers`, so every command
behaves the same in both; they differ only in how a reply is shown and how its buttons are
pressed.

Song ids are only meaningful within one index file, and the index can be replaced while the
bot runs (:meth:`bot.services.Services.reopen_index`). So every reply with buttons remembers
which index it was made from, and a button pressed after the index changed says so instead
of answering for whatever song now has that id.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

import discord
from rapidfuzz import fuzz, process

from bot import embeds
from bot.discovery import UnknownDiscovery, choose, ranking_named, split_discovery
from bot.services import Services
from bot.user_db import LikeLimitReached
from index.read.ranking import DEFAULT_RANKING

log = logging.getLogger(__name__)

PAGE_SIZE = 10
SUGGESTIONS_MAX = 5
CERTAIN = 0.9  # below this resolver confidence a match comes with "Not the one?" choices
MIX_MIN, MIX_MAX = 2, 5
TRACK_REF = re.compile(r"track:(\d+)")
MIX_SEPARATORS = re.compile(r"\s*[|;\n]\s*")

T = TypeVar("T")
P = ParamSpec("P")


# --- replies -------------------------------------------------------------------------------

Mode = Literal["similar", "mix", "foryou"]
Purpose = Literal["similar", "like", "artist"]


@dataclass
class PageSpec:
    """Where a list of recommendations came from, so "More" and "Back" can fetch pages.

    Pages can be shorter than ``limit`` (the index caps songs per artist on a page), so the
    number shown beside the first song is kept here rather than computed from ``offset``;
    ``previous`` holds the first numbers of earlier pages for "Back". ``ranking`` is the
    discovery setting the list was asked with, so every page keeps it.
    """

    mode: Mode
    seeds: tuple[int, ...]
    offset: int = 0
    limit: int = PAGE_SIZE
    has_more: bool = False
    number: int = 1
    previous: tuple[int, ...] = ()
    ranking: str = DEFAULT_RANKING


@dataclass
class Reply:
    """One answer: an embed plus what its buttons can do.

    ``choices`` are "did you mean" songs (picking one does ``purpose``); ``page`` is set on
    lists that can page further; ``items`` are the songs listed, for "Why?"; ``generation``
    is the index (:attr:`Services.generation`) their song ids belong to; ``ranking`` is the
    discovery setting a picked choice is answered with.
    """

    embed: discord.Embed
    choices: list[Any] = field(default_factory=list)
    purpose: Purpose = "similar"
    page: PageSpec | None = None
    items: list[Any] = field(default_factory=list)
    ephemeral: bool = False
    generation: int | None = None
    ranking: str = DEFAULT_RANKING

    @property
    def interactive(self) -> bool:
        return bool(self.choices or self.page)


def _remembers_index(
    method: Callable[Concatenate[Answers, P], Awaitable[Reply]],
) -> Callable[Concatenate[Answers, P], Awaitable[Reply]]:
    """Stamp a reply with buttons with the index generation current when the command began.

    The earliest generation wins: if the index was swapped while the command ran, its ids
    may come from the old index, and a later button press must count as stale.
    """

    @functools.wraps(method)
    async def wrapper(self: Answers, *args: P.args, **kwargs: P.kwargs) -> Reply:
        generation = self.generation
        reply = await method(self, *args, **kwargs)
        if reply.interactive:
            known = reply.generation
            reply.generation = generation if known is None else min(known, generation)
        return reply

    return wrapper


def notice(
    text: str, kind: str = "info", title: str | None = None, ephemeral: bool = False
) -> Reply:
    return Reply(embeds.notice_embed(text, kind, title), ephemeral=ephemeral)


class Answers:
    """Every command's logic for one user; cheap to create per command."""

    def __init__(self, services: Services, user_id: int, prefix: str | None = None) -> None:
        self.services = services
        self.user_id = user_id
        self.prefix = prefix or services.settings.prefix

    @property
    def index(self) -> Any:
        return self.services.index

    @property
    def generation(self) -> int:
        """Which index answers now (bumped each time the index file is reopened)."""
        return int(getattr(self.services, "generation", 0))

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

    async def track(self, track_id: int) -> Any | None:
        """The song with this id, or None when the index has no such id."""
        found = await self._read(self.index.tracks, [track_id])
        return found.get(track_id)

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.services.read(fn, *args, **kwargs)

    # --- resolving text --------------------------------------------------------------------

    async def resolve(self, text: str) -> Any:
        """The index's reading of ``text``; ``track:ID`` (from autocomplete) is exact."""
        m = TRACK_REF.fullmatch(text.strip())
        if m:
            track = await self.track(int(m.group(1)))
            if track is not None:
                return _Exact(track)
        return await self._read(self.index.resolve, text)

    def _usage(self, command: str, example: str = "daft punk - one more time") -> str:
        return f"`{self.prefix}{command} artist - title`, for example `{self.prefix}{command} {example}`"

    async def _choose_or_fail(self, text: str, res: Any, purpose: Purpose) -> Reply:
        """The reply when ``text`` matched no single song: choices, or not found."""
        choices = list(getattr(res, "suggestions", None) or [])[:SUGGESTIONS_MAX]
        artist = getattr(res, "artist", None)
        message = getattr(res, "message", None)
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

    # --- similar -----------------------------------------------------------------------------

    def _discovery(self, text: str, option: str | None) -> tuple[str, str] | Reply:
        """``(text without its flag, ranking)``, or a notice when the flag is unknown."""
        try:
            found = split_discovery(text)
            return found.text.strip(), choose(option, found.ranking)
        except UnknownDiscovery as exc:
            return notice(str(exc), "warning", ephemeral=True)

    @_remembers_index
    async def similar(self, text: str, discovery: str | None = None) -> Reply:
        """``/similar``: the song's nearest neighbours, or "did you mean" when unsure.

        ``discovery`` is the slash option; without it a trailing ``--popular`` or
        ``--deep-cuts`` in ``text`` chooses the ranking (default: closest).
        """
        parsed = self._discovery(text, discovery)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking = parsed
        if not text:
            return notice(f"Tell me a song: {self._usage('similar')}.", "warning", ephemeral=True)
        res = await self.resolve(text)
        if res.match is None:
            reply = await self._choose_or_fail(text, res, "similar")
            reply.ranking = ranking
            return reply
        others: list[Any] = []
        if getattr(res, "confidence", 1.0) < CERTAIN:  # a wrong match is one click from fixed
            others = [t for t in (res.suggestions or []) if t.track_id != res.match.track_id]
        return await self.similar_track(
            res.match.track_id, alternatives=others[: SUGGESTIONS_MAX - 1], ranking=ranking
        )

    @_remembers_index
    async def similar_track(
        self,
        track_id: int,
        *,
        page: PageSpec | None = None,
        alternatives: Sequence[Any] = (),
        ranking: str = DEFAULT_RANKING,
    ) -> Reply:
        """One page (the first unless ``page`` says otherwise) of a song's neighbours."""
        spec = page or PageSpec("similar", (track_id,), ranking=ranking)
        answer = await self._read(
            self.index.similar, track_id, limit=spec.limit, offset=spec.offset, ranking=spec.ranking
        )
        tracks = [answer.seed, *(i.track for i in answer.items), *(answer.fallback or [])]
        links = await self.services.links_for(tracks, art_for=answer.seed.track_id)
        embed = embeds.similar_embed(
            answer,
            await self.services.stats(),
            offset=spec.number - 1,
            links=links.urls,
            thumbnail=links.images.get(answer.seed.track_id),
            alternatives=bool(alternatives),
        )
        spec = replace(spec, has_more=_has_more(answer, spec.offset))
        return Reply(
            embed,
            choices=list(alternatives),
            page=spec,
            items=[i.track for i in answer.items],
            ranking=spec.ranking,
        )

    # --- mix and for you -----------------------------------------------------------------------

    @_remembers_index
    async def mix(self, text: str, discovery: str | None = None) -> Reply:
        """``/mix a | b | c``: songs near all the seeds at once (2–5 seeds).

        A trailing ``--popular`` / ``--deep-cuts`` (or ``discovery``) sets the ranking.
        """
        parsed = self._discovery(text, discovery)
        if isinstance(parsed, Reply):
            return parsed
        text, ranking = parsed
        parts = [p for p in MIX_SEPARATORS.split(text.strip()) if p]
        if not MIX_MIN <= len(parts) <= MIX_MAX:
            return notice(
                f"Give me {MIX_MIN}–{MIX_MAX} songs separated by `|`, for example "
                f"`{self.prefix}mix daft punk - one more time | queen - bohemian rhapsody`.",
                "warning",
                ephemeral=True,
            )
        seeds, missing = [], []
        for part in parts:
            res = await self.resolve(part)
            track = res.match or next(iter(res.suggestions or []), None)
            if track is None:
                missing.append(part)
            elif all(s.track_id != track.track_id for s in seeds):
                seeds.append(track)
        if missing:
            names = ", ".join(f"“{embeds.safe(m, 100)}”" for m in missing)
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

    @_remembers_index
    async def mix_page(self, spec: PageSpec) -> Reply:
        fn = self.index.mix if spec.mode == "mix" else self.index.for_you
        answer = await self._read(
            fn, list(spec.seeds), limit=spec.limit, offset=spec.offset, ranking=spec.ranking
        )
        links = await self.services.links_for(
            [*(i.track for i in answer.items), *(answer.fallback or [])]
        )
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
                intro=f"From the {embeds.count_of(n, 'song')} you liked "
                "(songs you already like are left out).",
            )
        page = replace(spec, has_more=_has_more(answer, spec.offset))
        return Reply(embed, page=page, items=[i.track for i in answer.items], ranking=spec.ranking)

    @_remembers_index
    async def for_you(self, discovery: str | None = None) -> Reply:
        """``/foryou``: recommendations from the user's likes, without songs already liked.

        ``discovery`` is the slash option's value or what followed ``!foryou``: a setting
        with or without its dashes ("--popular", "deep cuts"); empty means closest.
        """
        try:
            ranking = ranking_named(discovery) if (discovery or "").strip() else DEFAULT_RANKING
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

    @_remembers_index
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

    @_remembers_index
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
        return await self.mix_page(spec)

    @_remembers_index
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
        best = None
        for seed in seeds:
            if seed == neighbour_id:
                continue
            w = await self._read(self.index.why, seed, neighbour_id)
            if w is not None and (best is None or w.shared > best[1].shared):
                best = (seed, w)
        if best is None:
            return embeds.notice_embed(
                "These songs share no playlists.", "info", "Why these songs?"
            )
        why = best[1]
        seed = getattr(why, "track", None) or await self.track(best[0])
        other = getattr(why, "neighbour", None) or await self.track(neighbour_id)
        if seed is None or other is None:
            return embeds.notice_embed(
                "That song is no longer in the index.", "info", "Why these songs?"
            )
        return embeds.why_embed(seed, other, why)

    # --- artists -----------------------------------------------------------------------------

    @_remembers_index
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
        artist = getattr(res, "artist", None)
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
            return notice(
                f"I couldn't find an artist called “{embeds.safe(text, 200)}”.", "warning"
            )
        return await self.artist_of(artist.artist_id)

    async def artist_of(self, artist_id: int) -> Reply:
        found = await self._read(self.index.artists, [artist_id])
        artist = found.get(artist_id)
        if artist is None:
            return notice("That artist is no longer in the index.", "warning")
        scores = await self._read(self.index.similar_artists, artist_id, limit=PAGE_SIZE)
        return Reply(embeds.artists_embed(artist, scores, await self.services.stats()))

    # --- likes -------------------------------------------------------------------------------

    @_remembers_index
    async def like(self, text: str) -> Reply:
        text = text.strip()
        if not text:
            return notice(f"Tell me which song: {self._usage('like')}.", "warning", ephemeral=True)
        res = await self.resolve(text)
        if res.match is None:
            return await self._choose_or_fail(text, res, "like")
        return await self.like_track(res.match.track_id)

    async def like_track(self, track_id: int) -> Reply:
        track = await self.track(track_id)
        if track is None:
            return notice("That song is no longer in the index.", "warning")
        name = f"**{embeds.safe(track.title, 200)}** — {embeds.safe(track.artist, 150)}"
        try:
            added = await self.services.user_db.like(
                self.user_id, track.track_id, track.artist, track.title
            )
        except LikeLimitReached as exc:
            return notice(str(exc), "warning", ephemeral=True)
        count = await self.services.user_db.count(self.user_id)
        if not added:
            return notice(f"You already like {name}.", "info")
        return notice(
            f"Liked {name}. You have {embeds.count_of(count, 'liked song')} — "
            f"`{self.prefix}foryou` recommends from them.",
            "ok",
        )

    async def unlike(self, text: str) -> Reply:
        """Forget a like, by its number in ``/likes`` or by name."""
        text = text.strip()
        tracks, _ = await self.liked_tracks()
        if not text:
            return notice(
                f"Tell me which song, or its number in `{self.prefix}likes`.",
                "warning",
                ephemeral=True,
            )
        target = None
        if text.isdigit():
            n = int(text)
            if not 1 <= n <= len(tracks):
                return notice(
                    f"You have {embeds.count_of(len(tracks), 'liked song')}; pick a number "
                    f"from `{self.prefix}likes`.",
                    "warning",
                )
            target = tracks[n - 1]
        else:
            target = _best_like(text, tracks)
            if target is None:
                res = await self.resolve(text)
                liked = {t.track_id for t in tracks}
                if res.match is not None and res.match.track_id in liked:
                    target = res.match
        if target is None:
            return notice(
                f"“{embeds.safe(text, 200)}” is not in your likes (see `{self.prefix}likes`).",
                "warning",
            )
        await self.services.user_db.unlike(self.user_id, target.track_id)
        return notice(
            f"Removed **{embeds.safe(target.title, 200)}** — {embeds.safe(target.artist, 150)} from your likes.",
            "ok",
        )

    async def likes(self) -> Reply:
        tracks, missing = await self.liked_tracks()
        links = await self.services.links_for(tracks[:50])
        return Reply(embeds.likes_embed(tracks[:50], links.urls, missing, self.prefix))

    async def liked_tracks(self) -> tuple[list[Any], int]:
        """The user's liked songs as tracks of the current index, and how many are gone.

        A like whose id now points at another song (the index was rebuilt) is found again
        by its name and re-pointed; one not found is counted as missing.
        """
        db = self.services.user_db
        tracks, missing = [], 0
        likes = await db.likes(self.user_id)
        known = await self._read(self.index.tracks, [like.track_id for like in likes])
        for like in likes:
            track = known.get(like.track_id)
            if track is not None and _same_song(track, like.artist, like.title):
                tracks.append(track)
                continue
            res = await self._read(self.index.resolve, f"{like.artist} - {like.title}")
            match = res.match
            if match is not None and _same_song(match, like.artist, like.title):
                await db.replace_track_id(self.user_id, like.track_id, match.track_id)
                tracks.append(match)
            else:
                missing += 1
        return tracks, missing

    # --- about and help ------------------------------------------------------------------

    async def about(self, latency_ms: float | None = None) -> Reply:
        links = self.services.links
        spotify = bool(links is not None and getattr(links, "enabled", True))
        return Reply(
            embeds.about_embed(await self.services.stats(), latency_ms=latency_ms, spotify=spotify)
        )

    def help(self) -> Reply:
        return Reply(embeds.help_embed(self.prefix))

    # --- autocomplete ----------------------------------------------------------------------

    async def song_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete ``(name, value)`` pairs for a song; the user's text when nothing matches."""
        current = current.strip()
        tracks = await self._read(self.index.autocomplete, current, limit=limit)
        return song_choices(current, tracks, limit)

    async def mix_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete the last song of ``a | b | c…`` keeping the ones before it."""
        head, _, last = current.rpartition("|")
        head = f"{head.strip()} | " if head.strip() else ""
        tracks = await self._read(self.index.autocomplete, last.strip(), limit=limit)
        choices = []
        for name, value in song_choices(last.strip(), tracks, limit):
            full = head + value
            if len(full) <= embeds.CHOICE_MAX:
                choices.append((embeds.plain(head + name, embeds.CHOICE_MAX), full))
        if not choices and current.strip():
            choices.append(
                (embeds.plain(current, embeds.CHOICE_MAX), current.strip()[: embeds.CHOICE_MAX])
            )
        return choices[:limit]

    async def artist_choices(self, current: str, limit: int = 25) -> list[tuple[str, str]]:
        current = current.strip()
        tracks = await self._read(self.index.autocomplete, current, limit=limit)
        names: dict[str, None] = {}
        for t in tracks:
            names.setdefault(t.artist, None)
        choices = [(embeds.plain(n, embeds.CHOICE_MAX), n[: embeds.CHOICE_MAX]) for n in names]
        if not choices and current:
            choices = [(embeds.plain(current, embeds.CHOICE_MAX), current[: embeds.CHOICE_MAX])]
        return choices[:limit]


class _Exact:
    """A resolution for a song named by its id (autocomplete's ``track:ID``)."""

    def __init__(self, track: Any) -> None:
        self.match = track
        self.confidence = 1.0
        self.suggestions: list[Any] = []
        self.artist = None
        self.message = None


def song_choices(current: str, tracks: Sequence[Any], limit: int = 25) -> list[tuple[str, str]]:
    """Autocomplete pairs: "Title — Artist" shown, "artist - title" sent (or ``track:ID``).

    Discord limits both to 100 characters; a value that would not fit is sent as the id.
    When nothing matches, the user's own text is offered so pressing enter still works.
    """
    choices: list[tuple[str, str]] = []
    for t in tracks[:limit]:
        value = f"{t.artist} - {t.title}"
        if len(value) > embeds.CHOICE_MAX:
            value = f"track:{t.track_id}"
        choices.append((embeds.plain(embeds.song_name(t), embeds.CHOICE_MAX), value))
    if not choices and current:
        choices.append((embeds.plain(current, embeds.CHOICE_MAX), current[: embeds.CHOICE_MAX]))
    return choices


def _has_more(answer: Any, offset: int) -> bool:
    more = getattr(answer, "has_more", None)
    if more is None:
        total = getattr(answer, "total", None) or 0
        more = offset + len(answer.items) < total
    return bool(more)


def _fold(s: str) -> str:
    return " ".join(s.casefold().split())


def _same_song(track: Any, artist: str, title: str) -> bool:
    return _fold(track.artist) == _fold(artist) and _fold(track.title) == _fold(title)


def _best_like(text: str, tracks: Sequence[Any]) -> Any | None:
    """The liked song ``text`` names best, if it names one clearly (rapidfuzz ≥ 85)."""
    if not tracks:
        return None
    names = [f"{t.artist} - {t.title}" for t in tracks]
    titles = [t.title for t in tracks]
    best = process.extractOne(text, names, scorer=fuzz.WRatio, processor=_fold)
    by_title = process.extractOne(text, titles, scorer=fuzz.ratio, processor=_fold)
    candidates = [c for c in (best, by_title) if c and c[1] >= 85]
    if not candidates:
        return None
    return tracks[max(candidates, key=lambda c: c[1])[2]]
