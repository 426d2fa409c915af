"""``songsim ask``: print what the bot would answer to a query (table or JSON).

The answer comes from the same read API the bot uses (``SongIndex.resolve`` then
``SongIndex.similar``), so what this prints is what a Discord user would see. A song link
works as it does in the bot (:func:`bot.seed_reading.read_seed`): a Spotify link to a song
the index stores is found offline; other links are read by their service (one lookup, at
most 2 s). The JSON form is read by outside tools: its keys ``match``, ``suggestions`` and
``neighbours`` keep their fields; new fields are only ever added (``source``: how the song
was read, ``text`` or ``link``; ``discovery``: the ranking, ``--discovery`` or a trailing
``--popular`` / ``--deep-cuts`` as in Discord). The exit status tells a script whether a
song matched (0) or not (1), without reading the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.discovery import UnknownDiscovery, choose, split_discovery
from bot.i18n.labels import fallback_label, note_of
from bot.terminal import markdown_to_text, terminal_text
from index.model import Answer, Exclusions, Resolution, Track
from index.paths import configured_index_path, demo_index_path
from index.read.api import IndexOpenError, SongIndex
from index.read.ranking import DEFAULT_RANKING

PAGE = 10  # the bot's page: -k beyond it reads page after page, as More does
NO_MATCH = 1  # the exit status when no song matched for sure

if TYPE_CHECKING:
    from bot.seed_reading import SeedReading


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="print what the bot would answer to a song query",
        description="Print what the bot would answer to a song query. Exit status: 0 when a "
        "song matched, 1 when none did for sure (the suggestions, the artist or the advice "
        "are printed all the same), 2 for a bad option or index.",
    )
    p.add_argument(
        "query",
        help='what a user would type, e.g. "daft punk - one more time", or a song link',
    )
    p.add_argument("--index", help="index file (default: $SONGSIM_INDEX, then the demo index)")
    p.add_argument("-k", type=int, default=10, help="how many songs to show (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON for other tools")
    p.add_argument(
        "--other-artists",
        action="store_true",
        help="only songs by other artists than the matched song's (as /similar other_artists)",
    )
    p.add_argument(
        "--discovery",
        choices=["closest", "popular", "deep-cuts"],
        help="the ranking, as the bot's discovery setting (default closest; a query ending "
        "in --popular or --deep-cuts, as typed in Discord, works too)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.errors import UserFacingError

    if args.k < 1:
        raise UserFacingError("-k must be at least 1 (it is how many songs to show).")
    try:
        flagged = split_discovery(args.query)  # "… --popular", as typed in Discord
    except UnknownDiscovery as exc:
        raise UserFacingError(str(exc).replace("`", "")) from None
    query = flagged.text
    ranking = choose(args.discovery, flagged.ranking)
    try:
        with SongIndex.open(index_path(args.index)) as idx:
            reading = read_query(idx, query)
            if reading.resolution is None:  # a link that could not be read: its sentence,
                failure = markdown_to_text(reading.failure or "")  # without Discord's marks
                resolution = Resolution(query, None, 0.0, message=failure or None)
            else:
                resolution = replace(reading.resolution, query=query)
            exclusions = Exclusions(other_artists_only=args.other_artists)
            answer = (
                similar_pages(idx, resolution.match.track_id, args.k, ranking, exclusions)
                if resolution.match
                else None
            )
            if args.json:
                doc = {
                    **answer_json(resolution, answer),
                    "source": reading.source,
                    "discovery": ranking,
                }
                text = json.dumps(doc, ensure_ascii=False, indent=2)
            else:
                text = terminal_text(answer_text(resolution, answer, idx, ranking))
    except IndexOpenError as exc:
        raise UserFacingError(str(exc)) from None
    print(text)  # a reader that leaves early (`| head`) is the CLI's to handle
    return 0 if resolution.match else NO_MATCH


def similar_pages(
    idx: SongIndex, track_id: int, k: int, ranking: str, exclusions: Exclusions
) -> Answer:
    """Up to ``k`` songs as the bot's pages list them, one page after another: a single
    page of ``k`` would hold at most 3 songs an artist in all, where paging shows them all."""
    kw = dict(ranking=ranking, exclusions=exclusions)
    first = idx.similar(track_id, limit=min(k, PAGE), **kw)
    items, last = list(first.items), first
    while len(items) < k and last.has_more:
        last = idx.similar(track_id, limit=PAGE, offset=last.offset + PAGE, **kw)
        items += last.items
    return replace(first, items=items[:k], has_more=last.has_more or len(items) > k, limit=k)


def read_query(idx: SongIndex, query: str) -> SeedReading:
    """The song ``query`` names: typed text at once, a link through the link reader."""
    from bot.links import find_link
    from bot.seed_reading import SeedReading

    if find_link(query) is None:
        return SeedReading(query, "text", idx.resolve(query))
    return asyncio.run(_read_link(idx, query))


async def _read_link(idx: SongIndex, query: str) -> SeedReading:
    """Read a link with a session of its own, caching in the bot's database when it exists;
    with Spotify credentials set, a Spotify link the index lacks is named by the Web API."""
    from bot.seed_reading import close_link_reader, open_link_reader, read_seed
    from bot.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError:
        settings = Settings()
    cache = settings.user_db_path if settings.user_db_path.parent.is_dir() else None
    spotify = None
    if settings.spotify_enabled:
        from bot.spotify import SpotifyLinks

        spotify = SpotifyLinks.from_settings(settings, cache)
        try:
            await spotify.start()
        except Exception:
            spotify = None
    session, reader = await open_link_reader(cache, spotify=spotify)

    async def find_uri(uri: str) -> Track | None:
        return idx.track_by_spotify_uri(uri)

    async def resolve(text: str) -> Resolution:
        return idx.resolve(text)

    try:
        return await read_seed(query, reader=reader, find_uri=find_uri, resolve=resolve)
    finally:
        await close_link_reader(session, reader)
        if spotify is not None:
            await spotify.close()


def index_path(given: str | None) -> Path:
    """--index, else $SONGSIM_INDEX, else the demo index (built on first use)."""
    if given:
        return Path(given)
    configured = configured_index_path()
    if configured is not None:
        return configured
    path = demo_index_path()
    if not path.exists():
        from index.build import ensure_demo_index

        print("songsim: building the demo index (first use, a few seconds)…", file=sys.stderr)
        path = ensure_demo_index()
    return path


def _track_json(t: Track) -> dict[str, object]:
    return {
        "track_id": t.track_id,
        "artist": t.artist,
        "title": t.title,
        "playlists": t.playlists,
        "spotify_uri": t.spotify_uri,
    }


def answer_json(resolution: Resolution, answer: Answer | None) -> dict[str, object]:
    """The ``--json`` document: match, suggestions and neighbours, plus extra context."""
    match = None
    if resolution.match is not None:
        match = {**_track_json(resolution.match), "confidence": resolution.confidence}
    neighbours = []
    if answer is not None:
        for r in answer.items:
            neighbours.append(
                {
                    "track_id": r.track.track_id,
                    "artist": r.track.artist,
                    "title": r.track.title,
                    "jaccard": round(r.jaccard, 6),
                    "shared": r.shared,
                    "playlists": r.track.playlists,
                    "score": round(r.score, 6),
                    "spotify_uri": r.track.spotify_uri,
                }
            )
    doc: dict[str, object] = {
        "query": resolution.query,
        "match": match,
        "suggestions": [_track_json(t) for t in resolution.suggestions],
        "neighbours": neighbours,
        "confidence": resolution.confidence,
        "artist": None
        if resolution.artist is None
        else {
            "artist_id": resolution.artist.artist_id,
            "name": resolution.artist.name,
            "playlists": resolution.artist.playlists,
        },
        "message": note_of(resolution),
    }
    if answer is not None:
        doc.update(
            total=answer.total,
            has_more=answer.has_more,
            rare=answer.rare,
            fallback_label=_label(answer),
            fallback_source=answer.fallback_source,
            fallback=[_track_json(t) for t in answer.fallback],
            excluded=answer.excluded,
        )
    return doc


def answer_text(
    resolution: Resolution, answer: Answer | None, idx: SongIndex, ranking: str = DEFAULT_RANKING
) -> str:
    """The readable answer: the matched song and its neighbours, or what to try instead."""
    lines: list[str] = []
    if resolution.artist is not None:
        a = resolution.artist
        if note := note_of(resolution):
            lines.append(note)
        lines.append(f"{a.name} (artist, in {a.playlists:,} playlists). Best-known songs:")
        lines += _numbered(resolution.suggestions)
        near = idx.similar_artists(a.artist_id, limit=5)
        if near:
            lines.append("Similar artists: " + ", ".join(s.artist.name for s in near))
        lines.append(
            'Ask for one of them, e.g. songsim ask "' + _query_of(resolution.suggestions) + '"'
        )
        return "\n".join(lines)
    if resolution.match is None:
        if note := note_of(resolution):
            lines.append(note)
        if resolution.suggestions:
            lines.append("Did you mean:")
            lines += _numbered(resolution.suggestions)
        return "\n".join(lines)

    m = resolution.match
    lines.append(
        f"{m.artist} - {m.title}  (in {m.playlists:,} playlists; match {resolution.confidence:.0%}"
        f"; discovery: {ranking})"
    )
    assert answer is not None
    if answer.rare:
        if answer.fallback_source == "playlists":
            lines.append(
                "This song is in too few playlists for recommendations of its own; "
                "songs it shares a playlist with are a weaker hint."
            )
        else:
            lines.append("This song is in the index but too rare to have recommendations.")
        if answer.fallback:
            lines.append(f"{_label(answer)}:")
            lines += _numbered(answer.fallback)
        return "\n".join(lines)
    lines.append("")
    if not answer.items and answer.excluded:
        lines.append(f"Every recommendation is by {m.artist} (left out by --other-artists).")
    rows = [("#", "Song", "Jaccard", "Shared", "Playlists")]
    for i, r in enumerate(answer.items, start=1):
        rows.append(
            (str(i), r.track.label, f"{r.jaccard:.3f}", f"{r.shared:,}", f"{r.track.playlists:,}")
        )
    widths = [min(max(len(row[c]) for row in rows), 60) for c in range(5)]
    for row in rows if answer.items else []:
        song = row[1] if len(row[1]) <= 60 else row[1][:59] + "…"
        lines.append(
            f"{row[0]:>{widths[0]}}  {song:<{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}  {row[4]:>{widths[4]}}"
        )
    if answer.fallback:  # a short list topped up from the song's playlists
        lines.append("")
        lines.append(f"{_label(answer)} (a weaker hint: they share a playlist):")
        lines += _numbered(answer.fallback, start=len(answer.items) + 1)
    if answer.has_more:
        lines.append(f"… {answer.total - len(answer.items)} more (use -k to show more)")
    if answer.excluded:
        noun = "song" if answer.excluded == 1 else "songs"
        lines.append(f"({answer.excluded:,} {noun} by {m.artist} left out: --other-artists)")
    return "\n".join(lines)


def _label(answer: Answer) -> str | None:
    """The fallback list's label, in English (the CLI sets no language)."""
    return fallback_label(answer.fallback_label) if answer.fallback_label else None


def _numbered(tracks: list[Track], start: int = 1) -> list[str]:
    return [f"{i:>3}. {t.label}  ({t.playlists:,} playlists)" for i, t in enumerate(tracks, start)]


def _query_of(tracks: list[Track]) -> str:
    return tracks[0].label.lower() if tracks else "artist - title"
