"""Every reply's embed: answers from the index turned into what a user reads.

Cogs and the console call the ``*_embed`` functions here and never build embeds themselves.
Each one writes a :class:`~bot.card.Card` whose strings went through
:func:`~bot.text.safe` (a song called ``@everyone`` or ``**x**`` renders literally and pings
nobody) and turns it into an embed with :func:`~bot.card.fit` (Discord's limits). The lines
of a list of songs are built in :mod:`bot.song_lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import discord

from bot import __version__
from bot.card import (
    COLOUR_ERROR,
    COLOUR_INFO,
    COLOUR_OK,
    COLOUR_WARN,
    DESCRIPTION_MAX,
    Card,
    Field,
    fit,
)
from bot.commands import COMMANDS, CommandSpec
from bot.discovery import EXPLAINED, FLAGS
from bot.exclusions import INCLUDE_LIKED_FLAG, OTHER_ARTISTS_FLAG, UserExclusions
from bot.song_lines import (
    SHORTER_SEARCHES,
    Listen,
    answer_footer,
    fallback_lines,
    from_playlists,
    index_footer,
    linked,
    recommendation_lines,
    top_up_lines,
)
from bot.text import count_of, percent, playlists_phrase, safe
from index.model import Answer, Artist, ArtistScore, IndexStats, Track, Why
from index.sources import describe as describe_sources


def similar_embed(
    answer: Answer,
    stats: IndexStats,
    *,
    offset: int = 0,
    links: Mapping[int, str] | None = None,
    thumbnail: str | None = None,
    alternatives: bool = False,
    hidden: UserExclusions | None = None,
    prefix: str = "/",
) -> discord.Embed:
    """Songs like the seed: the matched song stated first, then the numbered list, each
    song with its listen links. ``hidden`` is what the user's exclusions left out."""
    links = links or {}
    seed = answer.seed
    assert seed is not None, "a song's neighbours always name the song"
    head = (
        f"Matched {linked('**' + safe(seed.title, 300) + '**', links.get(seed.track_id))}"
        f" by **{safe(seed.artist, 200)}** ({playlists_phrase(int(seed.playlists))})."
    )
    if alternatives:
        head += " Not the one? Pick another below."

    def body(listen: Listen | None) -> list[str]:
        lines = [head, ""]
        if answer.items:
            lines += recommendation_lines(answer.items, offset, links, listen=listen)
            lines += top_up_lines(answer, offset, links, listen)
            return lines
        if not answer.rare:
            lines.append(
                _emptied(
                    answer, hidden, prefix, "No song shares enough playlists with this one yet."
                )
            )
        elif from_playlists(answer):
            lines.append(
                "This song is in too few playlists for recommendations of its own yet. "
                "Songs it shares a playlist with are a weaker hint:"
            )
        else:
            lines.append("This song is in too few playlists to have recommendations yet.")
        return lines + fallback_lines(answer, links, listen=listen)

    card = Card(
        title=f"Songs like {safe(seed.title, 150)} — {safe(seed.artist, 90)}",
        description=_with_listen(body, links),
        footer=answer_footer(answer, stats, offset, _hidden_note(answer, hidden)),
        url=links.get(seed.track_id),
        thumbnail=thumbnail,
    )
    return fit(card)


def mix_embed(
    seeds: Sequence[Track],
    answer: Answer,
    stats: IndexStats,
    *,
    offset: int = 0,
    links: Mapping[int, str] | None = None,
    title: str | None = None,
    intro: str | None = None,
    hidden: UserExclusions | None = None,
    prefix: str = "/",
) -> discord.Embed:
    """Songs near several seeds at once (``/mix``) or near the user's likes (``/foryou``)."""
    links = links or {}
    names = ", ".join(f"**{safe(s.title, 80)}** ({safe(s.artist, 60)})" for s in seeds[:5])
    more = f" and {len(seeds) - 5} more" if len(seeds) > 5 else ""

    def body(listen: Listen | None) -> list[str]:
        lines = [intro or f"A mix of {names}{more}.", ""]
        if answer.items:
            likes = list(answer.seeds or seeds)  # /foryou names no seeds above
            lines += recommendation_lines(answer.items, offset, links, seeds=likes, listen=listen)
            lines += top_up_lines(answer, offset, links, listen)
            return lines
        if from_playlists(answer):
            lines.append(
                "These songs are in too few playlists for recommendations of their own yet. "
                "Songs they share a playlist with are a weaker hint:"
            )
        else:
            lines.append(
                _emptied(
                    answer, hidden, prefix, "These songs share no playlists with anything else yet."
                )
            )
        return lines + fallback_lines(answer, links, listen=listen)

    card = Card(
        title=title or "Mix",
        description=_with_listen(body, links),
        footer=answer_footer(answer, stats, offset, _hidden_note(answer, hidden)),
    )
    return fit(card)


def _with_listen(body: Callable[[Listen | None], list[str]], links: Mapping[int, str]) -> str:
    """The description with a listen line under each song that fits in Discord's 4096:
    shorter searches when the full ones do not all fit, then the top songs' only."""
    bare = "\n".join(body(None))
    room = DESCRIPTION_MAX - len(bare)
    if room <= 0:
        return bare
    for search_max in SHORTER_SEARCHES:
        listen = Listen(links, room, search_max)
        lines = body(listen)
        if not listen.full:
            break
    return "\n".join(lines)


def _emptied(answer: Answer, hidden: UserExclusions | None, prefix: str, otherwise: str) -> str:
    """Why a list has no recommendations: all excluded (not "none exist"), or ``otherwise``."""
    if answer.excluded and hidden is not None:
        return hidden.emptied(prefix)
    return otherwise


def _hidden_note(answer: Answer, hidden: UserExclusions | None) -> str | None:
    return hidden.footer(answer.excluded) if hidden is not None else None


def artists_embed(
    artist: Artist, scores: Sequence[ArtistScore], stats: IndexStats
) -> discord.Embed:
    """Artists whose songs share playlists with ``artist``'s."""
    lines = [
        f"Matched **{safe(artist.name, 200)}** ({playlists_phrase(int(artist.playlists))}).",
        "",
    ]
    if scores:
        for i, s in enumerate(scores, start=1):
            # The score is a sum over songs, not a percentage: show the order only.
            lines.append(
                f"**{i}.** {safe(s.artist.name, 200)} · {playlists_phrase(int(s.artist.playlists))}"
            )
    else:
        lines.append("No artist shares enough playlists with this one yet.")
    card = Card(
        title=f"Artists like {safe(artist.name, 200)}",
        description="\n".join(lines),
        footer=index_footer(stats),
    )
    return fit(card)


def why_embed(seed: Track, other: Track, why: Why, *, names_hidden: bool = False) -> discord.Embed:
    """Why two songs are linked: how many playlists they share, and a few of them by name
    (``names_hidden``: the server hides playlist names, and the embed says so)."""
    lines = [
        f"**{safe(seed.title, 200)}** — {safe(seed.artist, 100)} and "
        f"**{safe(other.title, 200)}** — {safe(other.artist, 100)} appear together "
        f"{playlists_phrase(int(why.shared))}.",
        f"Similarity (shared ÷ all playlists of either song): {percent(why.jaccard)}.",
    ]
    card = Card(title="Why these songs?", description="\n".join(lines), colour=COLOUR_INFO)
    examples = why.examples
    if examples:
        card.fields.append(
            Field("For example", "\n".join(f"• {safe(e, 100)}" for e in examples[:10]))
        )
    elif names_hidden:
        card.footer = "Playlist names are hidden in this server."
    return fit(card)


def choose_embed(
    query: str, suggestions: Sequence[Track], message: str | None = None
) -> discord.Embed:
    """ "Did you mean …?" when the text matched no song for sure."""
    head = message or f"I'm not sure which song “{safe(query, 200)}” is."
    lines = [safe(head, 500) if message else head, ""]
    for i, t in enumerate(suggestions, start=1):
        lines.append(f"**{i}.** {safe(t.title, 200)} — {safe(t.artist, 120)}")
    lines.append("")
    lines.append("Pick one below.")
    return fit(Card(title="Did you mean…", description="\n".join(lines), colour=COLOUR_INFO))


def not_found_embed(query: str, message: str | None = None, prefix: str = "!") -> discord.Embed:
    """Nothing in the index looks like the text."""
    lines = [f"I couldn't find “{safe(query, 300)}” in the index."]
    if message:
        lines.append(safe(message, 500))
    lines.append(
        f"Try `{prefix}similar artist - title`, for example `{prefix}similar daft punk - one more time`."
    )
    return fit(Card(title="No such song", description="\n".join(lines), colour=COLOUR_WARN))


def likes_embed(
    likes: Sequence[Track],
    links: Mapping[int, str] | None = None,
    missing: int = 0,
    prefix: str = "!",
) -> discord.Embed:
    """The user's liked songs, most recent first."""
    links = links or {}
    if not likes:
        text = f"You haven't liked any songs yet. Try `{prefix}like artist - title`."
        return fit(Card(title="Your likes", description=text, colour=COLOUR_INFO))
    lines = [
        f"**{i}.** {linked(safe(t.title, 200), links.get(t.track_id))} — {safe(t.artist, 120)}"
        for i, t in enumerate(likes, start=1)
    ]
    if missing:
        lines.append("")
        lines.append(
            f"_{count_of(missing, 'liked song')} {'is' if missing == 1 else 'are'} no longer "
            "in the index._"
        )
    footer = f"{count_of(len(likes), 'liked song')} · {prefix}foryou for recommendations"
    return fit(Card(title="Your likes", description="\n".join(lines), footer=footer))


def blocks_embed(names: Sequence[str], prefix: str = "!") -> discord.Embed:
    """The artists the user blocked, most recent first (names are the user's own text)."""
    if not names:
        text = (
            "You haven't blocked any artists. "
            f"`{prefix}block artist name` leaves an artist out of every answer."
        )
        return fit(Card(title="Your blocked artists", description=text, colour=COLOUR_INFO))
    lines = [f"**{i}.** {safe(name, 120)}" for i, name in enumerate(names, start=1)]
    footer = (
        f"{count_of(len(names), 'blocked artist')} · {prefix}unblock name-or-number shows one again"
    )
    return fit(
        Card(
            title="Your blocked artists",
            description="\n".join(lines),
            footer=footer,
            colour=COLOUR_INFO,
        )
    )


def notice_embed(text: str, kind: str = "info", title: str | None = None) -> discord.Embed:
    """A short message: ``kind`` is info, ok, warning or error. ``text`` is trusted (ours)."""
    colour = {"ok": COLOUR_OK, "info": COLOUR_INFO, "warning": COLOUR_WARN, "error": COLOUR_ERROR}[
        kind
    ]
    return fit(Card(title=title or "", description=text, colour=colour))


def about_embed(
    stats: IndexStats,
    *,
    latency_ms: float | None = None,
    spotify: bool = False,
    prefix: str = "/",
    privacy_url: str | None = None,
) -> discord.Embed:
    """Index statistics, the bot's version, and what it keeps about people."""
    card = Card(
        title="About songsim",
        description=(
            "I recommend songs from the playlists (or listening sessions) they share: two songs "
            "are similar when the same ones hold both (Jaccard similarity of those sets)."
        ),
        colour=COLOUR_INFO,
        footer=f"songsim {__version__}",
    )
    sessions = int(stats.meta.get("sessions", 0) or 0)
    for label, count in (
        ("Songs", stats.tracks),
        ("Artists", stats.artists),
        ("Playlists", stats.playlists - sessions),
        ("Listening sessions", sessions),
    ):
        if count or label != "Listening sessions":
            card.fields.append(Field(label, f"{count:,}", True))
    for label, value in (
        ("Built", stats.built_at),
        ("Source", stats.source),
        ("Method", stats.method),
        ("Neighbours per song", stats.k),
    ):
        if value not in (None, ""):
            card.fields.append(Field(label, safe(value, 200), True))
    data = describe_sources(stats.meta)
    if data:
        card.fields.append(Field("Data", safe("\n".join(data), 1000), False))
    card.fields.append(Field("Spotify links", "on" if spotify else "off", True))
    if latency_ms is not None:
        card.fields.append(Field("Latency", f"{latency_ms:.0f} ms", True))
    statement = f" [Privacy statement]({privacy_url})" if privacy_url else ""
    card.fields.append(
        Field(
            "Privacy",
            "songsim keeps only your likes, blocks and a file's mix behind its buttons, "
            "under your user id; "
            f"`{prefix}privacy` shows, exports or deletes them.{statement}",
            False,
        )
    )
    return fit(card)


def _one_of(items: Sequence[str]) -> str:
    """``a, b or c``."""
    return f"{', '.join(items[:-1])} or {items[-1]}" if len(items) > 1 else "".join(items)


def help_embed(prefix: str = "!", catalogue: Iterable[CommandSpec] = COMMANDS) -> discord.Embed:
    """Every command with its arguments, in both the prefix and the slash form.

    The list is the catalogue's (:mod:`bot.commands`), so it names what the bot answers to.
    """
    listed = [c for c in catalogue if c.listed]
    lines = []
    for c in listed:
        if c.is_menu:
            lines.append(f"Right-click a message → Apps → **{c.name}** — {c.summary}")
            continue
        usage = f"{prefix}{c.name} {c.args}".rstrip()
        lines.append(f"`{usage}` — {c.summary}")
    flagged = [f"`{prefix}{c.name}`" for c in listed if c.takes_discovery]
    lines.append("")
    lines.append(
        f"**Discovery:** end {_one_of(flagged)} with "
        + ", ".join(f"`{flag}` ({EXPLAINED[r]})" for flag, r in FLAGS.items())
        + f", for example `{prefix}similar daft punk - one more time --deep-cuts`. "
        "The slash commands have a `discovery` option."
    )
    lines.append("")
    lines.append(
        f"**Leaving songs out:** `{prefix}similar` and `{prefix}mix` leave out songs you liked "
        f"(end with `{INCLUDE_LIKED_FLAG}` to keep them) and take `{OTHER_ARTISTS_FLAG}` for "
        "no songs by the artists you named (slash options `include_liked`, `other_artists`). "
        f"Artists you `{prefix}block` are left out of every answer."
    )
    lines.append("")
    lines.append(
        "Under each song: links to find it on YouTube Music, Apple Music and Deezer "
        "(its title links to Spotify when known). **Export** under a list (or `"
        f"{prefix}export`) gives it as Spotify links, CSV and JSPF files."
    )
    lines.append("")
    lines.append(
        "Every command also works as a slash command (`/similar`), "
        "by mentioning me (`@songsim similar …`) and in direct messages. "
        "Write songs as `artist - title` or paste a song link (Spotify, YouTube, Apple Music, "
        f"Deezer, Last.fm); `{prefix}similar` alone uses what you're playing on Spotify, "
        "where I can see it."
    )
    return fit(Card(title="songsim commands", description="\n".join(lines), colour=COLOUR_INFO))
