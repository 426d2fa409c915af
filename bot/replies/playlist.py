"""``/mix`` with an attached playlist file: up to 100 songs as the seeds of one mix.

The file is checked for size before it is downloaded, read by
:func:`bot.playlists.read_playlist_file`, and each of its songs is found in the index:
by its Spotify URI first (MPD builds store them), then by "artist - title" when the file
names both (no network), then by reading its link (one lookup per link, a few at a time,
all within :data:`FILE_LINKS_BUDGET`), then by the title alone. The mix is answered from
the songs found; its first line says what the file gave and how many songs were not found,
with a few of them as examples (the uploader's text, escaped).

No Discord here: the cog hands over an :class:`Upload` whose ``read`` downloads the
attachment; the console's reads a local file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from bot import embeds
from bot.i18n import _, number
from bot.links import read_link
from bot.playlists import MAX_SONGS, Seed, display_name, read_playlist_file, size_problem
from bot.replies.blocks import BlockAnswers
from bot.replies.refs import song_check
from bot.replies.reply import PageSpec, Reply, notice
from bot.replies.seeds import quoted
from bot.seed_reading import from_link
from bot.text import safe, songs_count
from index.model import Track

log = logging.getLogger(__name__)

FILE_LOOKUPS = 8  # links of one file read at once
FILE_LINKS_BUDGET = 8.0  # seconds for all of a file's link lookups (the reply is deferred)
SEEDS_NAMED = 5  # seeds named above the list


@dataclass(frozen=True)
class Upload:
    """An attached file: its name, its declared size, and how to download it."""

    filename: str
    size: int
    read: Callable[[], Awaitable[bytes]]


@dataclass
class FoundSeeds:
    """The songs of a file the index holds, and the entries it does not (as written)."""

    tracks: list[Track] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add(self, track: Track | None, text: str) -> None:
        if track is None:
            self.missing.append(text)
        elif all(t.track_id != track.track_id for t in self.tracks):
            self.tracks.append(track)


class PlaylistAnswers(BlockAnswers):
    """``/mix`` from an attached playlist file (and any songs typed beside it)."""

    async def mix_upload(
        self,
        upload: Upload,
        typed: Sequence[str] = (),
        ranking: str = "closest",
        *,
        other_artists: bool = False,
        include_liked: bool = False,
    ) -> Reply:
        """A mix from the file's songs (plus ``typed`` ones), or why the file can't be used.

        The user's blocks, and the exclusion options as for ``/mix``, apply on every page.
        """
        name = display_name(upload.filename)
        if problem := size_problem(upload.filename, upload.size):
            return notice(safe(problem), "warning", ephemeral=True)
        try:
            data = await upload.read()
        except Exception:  # Discord's CDN (or the disk) failing must cost one sentence
            log.warning("Downloading a playlist file failed", exc_info=True)
            log.debug("The playlist file was %r", name)  # a user's file name: debug only
            return notice(
                _("I couldn't download {name}; attach it again in a moment.", name=safe(name)),
                "warning",
            )
        playlist = read_playlist_file(data, upload.filename)
        if playlist.error or not playlist.seeds:
            return notice(safe(playlist.summary()), "warning", _("Can't use that file"))
        found = FoundSeeds()
        for text in typed:
            got = await self.song_of(text, command="mix")
            track = None if isinstance(got, Reply) else got.match
            found.add(track, text)
        await self.find_file_seeds(playlist.seeds, found)
        head = safe(playlist.summary())
        if not found.tracks:
            return notice(
                head
                + " "
                + _(
                    "None of them are in the index (for example {names}).",
                    names=quoted(found.missing),
                ),
                "warning",
                _("No songs to mix"),
            )
        note = f"{head} {found_line(found)}"
        tracks = found.tracks[:MAX_SONGS]
        self.remember(tracks)
        spec = PageSpec(
            "playlist",
            tuple(t.track_id for t in tracks),
            ranking=ranking,
            note=note,
            other_artists=other_artists,
            include_liked=include_liked,
            checks=tuple(song_check(t) for t in tracks),
        )
        return await self.playlist_page(spec)

    async def find_file_seeds(self, seeds: Sequence[Seed], found: FoundSeeds) -> None:
        """Find each of the file's songs in the index, in file order, into ``found``."""
        results: list[Track | None] = [None] * len(seeds)
        links: list[int] = []
        for i, seed in enumerate(seeds):
            if seed.spotify_uri:
                results[i] = await self.services.find_spotify_uri(seed.spotify_uri)
            if results[i] is None and seed.artist and seed.title:
                results[i] = (await self.resolve(seed.query)).match
            elif results[i] is None and seed.link:
                links.append(i)
            elif results[i] is None and seed.title:
                results[i] = (await self.resolve(seed.title)).match
        for i, track in (await self._read_links([seeds[i] for i in links])).items():
            results[links[i]] = track
        for seed, track in zip(seeds, results, strict=True):
            found.add(track, seed.query)

    async def _read_links(self, seeds: Sequence[Seed]) -> dict[int, Track | None]:
        """Each linked seed's song (by position in ``seeds``), read a few at a time; links
        not read within :data:`FILE_LINKS_BUDGET` count as not found."""
        reader = self.services.link_reader
        if reader is None or not seeds:
            return {}
        gate = asyncio.Semaphore(FILE_LOOKUPS)

        async def one(seed: Seed) -> Track | None:
            async with gate:
                got = await reader.read_link(
                    read_link(str(seed.link)), find_uri=self.services.find_spotify_uri
                )
                reading = await from_link(str(seed.link), got, self.resolve)
            res = reading.resolution
            return res.match if res is not None else None

        tasks = [asyncio.ensure_future(one(s)) for s in seeds]
        done, late = await asyncio.wait(tasks, timeout=FILE_LINKS_BUDGET)
        for task in late:
            task.cancel()
        out: dict[int, Track | None] = {}
        for i, task in enumerate(tasks):
            if task in done and not task.cancelled() and task.exception() is None:
                out[i] = task.result()
            elif task in done and not task.cancelled():
                log.warning("Reading a playlist link failed", exc_info=task.exception())
        return out

    async def playlist_page(self, spec: PageSpec) -> Reply:
        """One page of the mix of a file's songs (every seed counts; seeds left out)."""
        chosen = await self.page_exclusions(spec)
        answer = await self.read_page(spec, chosen)
        spec = spec.numbered(len(answer.items))
        links = await self.services.links_for([*(i.track for i in answer.items), *answer.fallback])
        named = await self._read(self.index.tracks, spec.seeds[:SEEDS_NAMED])
        seeds = [named[t] for t in spec.seeds[:SEEDS_NAMED] if t in named]
        names = ", ".join(f"**{safe(s.title, 80)}** ({safe(s.artist, 60)})" for s in seeds)
        more = len(spec.seeds) - len(seeds)
        if more > 0:
            mix = _("A mix of {names} and {more} more", names=names, more=number(more))
        else:
            mix = _("A mix of {names}", names=names)
        intro = f"{spec.note}\n{mix}"
        embed = embeds.mix_embed(
            seeds,
            answer,
            await self.services.stats(),
            offset=spec.number - 1,
            links=links.urls,
            title=_("Your playlist mix"),
            intro=intro + ".",
            hidden=chosen,
            prefix=self.prefix,
        )
        page = replace(spec, has_more=answer.has_more)
        return Reply.of_list(embed, page, [i.track for i in answer.items])


def found_line(found: FoundSeeds) -> str:
    """ "Found 30 in the index; 7 not found (for example “a”, “b”, “c” and 4 more)." """
    if not found.missing:
        return _("Found {songs} in the index.", songs=songs_count(len(found.tracks)))
    return _(
        "Found {songs} in the index; {missing} not found (for example {names}).",
        songs=songs_count(len(found.tracks)),
        missing=songs_count(len(found.missing)),
        names=quoted(found.missing),
    )
