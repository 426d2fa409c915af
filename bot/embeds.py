"""The one place that turns answers into Discord embeds.

Every string that comes from a user or from the dataset passes through :func:`safe` (markdown
and mentions escaped, so a song called ``@everyone`` or ``**x**`` renders literally and pings
nobody) and every embed passes through :func:`fit` (Discord's limits: title 256, description
4096, field name 256, field value 1024, footer 2048, author 256, 25 fields, 6000 in total).
Cogs and the console call the ``*_embed`` functions here and never build embeds themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.utils import escape_markdown, escape_mentions

from bot import __version__
from bot.commands import COMMANDS, CommandSpec
from bot.discovery import EXPLAINED, FLAGS

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
FIELDS_MAX = 25
TOTAL_MAX = 6000
CHOICE_MAX = 100  # select options and autocomplete choices

ELLIPSIS = "…"

COLOUR_OK = discord.Colour(0x1DB954)
COLOUR_INFO = discord.Colour.blurple()
COLOUR_WARN = discord.Colour.gold()
COLOUR_ERROR = discord.Colour.red()


# --- strings -------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "…" when cut.

    A cut never leaves a lone backslash at the end, which would escape the ellipsis.
    """
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    return head + ELLIPSIS


def safe(text: object, limit: int | None = None) -> str:
    """A user- or data-supplied string made inert: markdown escaped, mentions defused.

    Square brackets are escaped too so a title cannot open or close a masked link.
    """
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = _escape_brackets(escape_mentions(escape_markdown(s)))
    return clip(s, limit) if limit is not None else s


def _escape_brackets(s: str) -> str:
    """Escape every ``[`` and ``]`` not already escaped (escape pairs are skipped whole)."""
    out: list[str] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            out.append(s[i : i + 2])
            i += 2
            continue
        out.append("\\" + ch if ch in "[]" else ch)
        i += 1
    return "".join(out)


def plain(text: object, limit: int) -> str:
    """A string for a place Discord shows without markdown (select labels, choices)."""
    s = " ".join(str(text).split())
    return clip(s, limit) or "?"


def percent(x: float) -> str:
    """A similarity as a short percentage: 63%, 4.2%, <0.1%."""
    p = 100.0 * float(x)
    if p >= 10:
        return f"{p:.0f}%"
    if p >= 0.1:
        return f"{p:.1f}%"
    return "<0.1%"


def song_name(track: Any) -> str:
    """ "Title — Artist" without markdown, for labels and plain text."""
    return f"{track.title} — {track.artist}"


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 song", "2 songs", "1,000 playlists"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def playlists_phrase(n: int, what: str = "playlists") -> str:
    """ "in 1 playlist", "in 17 shared playlists"."""
    return f"in {count_of(n, what.removesuffix('s'), what)}"


# --- the embed builder ---------------------------------------------------------------------


@dataclass
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass
class Card:
    """An embed's content before it meets Discord's limits; strings are already safe."""

    title: str
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    footer: str = ""
    url: str | None = None
    thumbnail: str | None = None
    colour: discord.Colour = COLOUR_OK


def fit(card: Card) -> discord.Embed:
    """Build the embed, cutting every part to Discord's limits and the 6000 total.

    Fields beyond 25 are dropped; when the total is still too long, fields go from the end,
    then the description is shortened.
    """
    title = clip(card.title, TITLE_MAX)
    footer = clip(card.footer, FOOTER_MAX)
    fields = [
        Field(
            clip(f.name, FIELD_NAME_MAX) or "\u200b",
            clip(f.value, FIELD_VALUE_MAX) or "\u200b",
            f.inline,
        )
        for f in card.fields[:FIELDS_MAX]
    ]
    description = clip(card.description, DESCRIPTION_MAX)

    def total() -> int:
        return (
            len(title)
            + len(footer)
            + len(description)
            + sum(len(f.name) + len(f.value) for f in fields)
        )

    while total() > TOTAL_MAX and fields:
        fields.pop()
    if total() > TOTAL_MAX:
        description = clip(description, max(TOTAL_MAX - (total() - len(description)), 1))
    embed = discord.Embed(
        title=title, description=description or None, colour=card.colour, url=card.url
    )
    for f in fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if footer:
        embed.set_footer(text=footer)
    if card.thumbnail:
        embed.set_thumbnail(url=card.thumbnail)
    return embed


def embed_length(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6000 total."""
    return len(embed)


# --- answers -------------------------------------------------------------------------------


def _stat(stats: Any, name: str, default: Any = None) -> Any:
    if stats is None:
        return default
    if isinstance(stats, Mapping):
        return stats.get(name, default)
    return getattr(stats, name, default)


def index_footer(stats: Any) -> str:
    """ "Index: 2,262,292 songs from 1,000,000 playlists · built 2026-11-26"."""
    parts = []
    tracks, playlists = _stat(stats, "tracks"), _stat(stats, "playlists")
    if tracks is not None:
        text = f"Index: {count_of(int(tracks), 'song')}"
        if playlists is not None:
            text += f" from {count_of(int(playlists), 'playlist')}"
        parts.append(text)
    built = _stat(stats, "built_at")
    if built:
        parts.append(f"built {str(built)[:10]}")
    return " · ".join(parts)


def _linked(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def song_line(
    number: int, track: Any, similarity: float | None, shared: int | None, url: str | None
) -> str:
    """ "**1.** [One More Time](url) — Daft Punk · 63% · in 17 shared playlists"."""
    line = f"**{number}.** {_linked(safe(track.title, 200), url)} — {safe(track.artist, 120)}"
    if similarity is not None:
        line += f" · {percent(similarity)}"
    if shared is not None:
        line += f" · {playlists_phrase(int(shared), 'shared playlists')}"
    return line


def _item_similarity(item: Any) -> float | None:
    jac = getattr(item, "jaccard", None)
    return jac if jac is not None else getattr(item, "score", None)


def _lines(
    items: Sequence[Any], offset: int, links: Mapping[int, str], *, seeds: Sequence[Any] = ()
) -> list[str]:
    """Numbered songs. Songs from several ``seeds`` (a mix, ``/foryou``) were merged by rank,
    so instead of a percentage they say which of the seeds they are like."""
    lines = []
    for i, item in enumerate(items):
        track, shared = item.track, getattr(item, "shared", None)
        if len(seeds) <= 1:
            lines.append(
                song_line(
                    offset + i + 1, track, _item_similarity(item), shared, links.get(track.track_id)
                )
            )
        else:
            line = song_line(offset + i + 1, track, None, None, links.get(track.track_id))
            lines.append(line + _like_which(item, seeds))
    return lines


def _like_which(item: Any, seeds: Sequence[Any]) -> str:
    """ " · like One More Time", " · like both your songs", " · like 2 of your 3 songs"."""
    near, via = getattr(item, "near", None), getattr(item, "via", None)
    if near is None:
        return ""
    if near == 1:
        seed = next((s for s in seeds if s.track_id == via), None)
        return f" · like {safe(seed.title, 80)}" if seed else ""
    if near == len(seeds):
        return " · like both your songs" if near == 2 else f" · like all {near:,} of your songs"
    return f" · like {near:,} of your {len(seeds):,} songs"


def _plain_lines(tracks: Sequence[Any], links: Mapping[int, str], start: int = 1) -> list[str]:
    return [
        song_line(start + i, t, None, None, links.get(t.track_id))
        + f" · {playlists_phrase(int(t.playlists))}"
        for i, t in enumerate(tracks)
    ]


def _from_playlists(answer: Any) -> bool:
    """A rare answer's fallback is the songs of the seeds' playlists (not their artists')."""
    return bool(getattr(answer, "rare", False)) and (
        getattr(answer, "fallback_source", None) == "playlists"
    )


def _fallback_lines(
    answer: Any, links: Mapping[int, str], start: int = 1, note: str | None = None
) -> list[str]:
    """The labelled fallback list of a rare answer ("From the playlist “…”", "Other songs
    by …"), with an optional ``note`` under the label, or nothing when there is none."""
    fallback = list(getattr(answer, "fallback", None) or [])
    if not fallback:
        return []
    label = getattr(answer, "fallback_label", None) or "You might try"
    return [
        "",
        f"**{safe(label, 200)}**",
        *([note] if note else []),
        *_plain_lines(fallback, links, start),
    ]


def _top_up_lines(answer: Any, offset: int, links: Mapping[int, str]) -> list[str]:
    """A short page's top-up from the seeds' playlists, numbered on from the list above and
    labelled as the weaker hint it is."""
    if getattr(answer, "rare", False) or not getattr(answer, "fallback", None):
        return []
    return _fallback_lines(
        answer,
        links,
        start=offset + len(answer.items) + 1,
        note="_A weaker hint than the songs above: they only share a playlist._",
    )


def _page_footer(
    stats: Any, offset: int, shown: int, total: int | None, ranking: str | None = None
) -> str:
    """ "Songs 1–10 of 30 · Discovery: closest · Index: …": where the page is and how it was
    ranked, so a user comparing two lists can see which setting made each."""
    parts = []
    if shown:
        span = f"{offset + 1}–{offset + shown}"
        parts.append(f"Songs {span} of {total:,}" if total else f"Songs {span}")
    if ranking and shown:  # a fallback list was not ranked by the setting
        parts.append(f"Discovery: {ranking}")
    footer = index_footer(stats)
    if footer:
        parts.append(footer)
    return " · ".join(parts)


def _answer_footer(answer: Any, stats: Any, offset: int) -> str:
    """The footer of a list answer: counts its recommendations, not a top-up below them."""
    return _page_footer(
        stats,
        offset,
        len(answer.items),
        getattr(answer, "total", None),
        getattr(answer, "ranking", None),
    )


def similar_embed(
    answer: Any,
    stats: Any,
    *,
    offset: int = 0,
    links: Mapping[int, str] | None = None,
    thumbnail: str | None = None,
    alternatives: bool = False,
) -> discord.Embed:
    """Songs like the seed: the matched song stated first, then the numbered list."""
    links = links or {}
    seed = answer.seed
    lines = [
        f"Matched {_linked('**' + safe(seed.title, 300) + '**', links.get(seed.track_id))}"
        f" by **{safe(seed.artist, 200)}** ({playlists_phrase(int(seed.playlists))})."
    ]
    if alternatives:
        lines[0] += " Not the one? Pick another below."
    lines.append("")
    if answer.items:
        lines.extend(_lines(answer.items, offset, links))
        lines.extend(_top_up_lines(answer, offset, links))
    else:
        if not getattr(answer, "rare", False):
            lines.append("No song shares enough playlists with this one yet.")
        elif _from_playlists(answer):
            lines.append(
                "This song is in too few playlists for recommendations of its own yet. "
                "Songs it shares a playlist with are a weaker hint:"
            )
        else:
            lines.append("This song is in too few playlists to have recommendations yet.")
        lines.extend(_fallback_lines(answer, links))
    card = Card(
        title=f"Songs like {safe(seed.title, 150)} — {safe(seed.artist, 90)}",
        description="\n".join(lines),
        footer=_answer_footer(answer, stats, offset),
        url=links.get(seed.track_id),
        thumbnail=thumbnail,
    )
    return fit(card)


def mix_embed(
    seeds: Sequence[Any],
    answer: Any,
    stats: Any,
    *,
    offset: int = 0,
    links: Mapping[int, str] | None = None,
    title: str | None = None,
    intro: str | None = None,
) -> discord.Embed:
    """Songs near several seeds at once (``/mix``) or near the user's likes (``/foryou``)."""
    links = links or {}
    names = ", ".join(f"**{safe(s.title, 80)}** ({safe(s.artist, 60)})" for s in seeds[:5])
    more = f" and {len(seeds) - 5} more" if len(seeds) > 5 else ""
    lines = [intro or f"A mix of {names}{more}.", ""]
    if answer.items:
        likes = list(getattr(answer, "seeds", None) or seeds)  # /foryou names no seeds above
        lines.extend(_lines(answer.items, offset, links, seeds=likes))
        lines.extend(_top_up_lines(answer, offset, links))
    elif _from_playlists(answer):
        lines.append(
            "These songs are in too few playlists for recommendations of their own yet. "
            "Songs they share a playlist with are a weaker hint:"
        )
        lines.extend(_fallback_lines(answer, links))
    else:
        lines.append("These songs share no playlists with anything else yet.")
        lines.extend(_fallback_lines(answer, links))
    card = Card(
        title=title or "Mix",
        description="\n".join(lines),
        footer=_answer_footer(answer, stats, offset),
    )
    return fit(card)


def artists_embed(artist: Any, scores: Sequence[Any], stats: Any) -> discord.Embed:
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


def why_embed(seed: Any, other: Any, why: Any) -> discord.Embed:
    """Why two songs are linked: how many playlists they share, and a few of them by name."""
    lines = [
        f"**{safe(seed.title, 200)}** — {safe(seed.artist, 100)} and "
        f"**{safe(other.title, 200)}** — {safe(other.artist, 100)} appear together "
        f"{playlists_phrase(int(why.shared))}.",
        f"Similarity (shared ÷ all playlists of either song): {percent(why.jaccard)}.",
    ]
    card = Card(title="Why these songs?", description="\n".join(lines), colour=COLOUR_INFO)
    examples = list(getattr(why, "examples", None) or [])
    if examples:
        card.fields.append(
            Field("For example", "\n".join(f"• {safe(e, 100)}" for e in examples[:10]))
        )
    return fit(card)


def choose_embed(
    query: str, suggestions: Sequence[Any], message: str | None = None
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
    likes: Sequence[Any],
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
        f"**{i}.** {_linked(safe(t.title, 200), links.get(t.track_id))} — {safe(t.artist, 120)}"
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


def notice_embed(text: str, kind: str = "info", title: str | None = None) -> discord.Embed:
    """A short message: ``kind`` is info, ok, warning or error. ``text`` is trusted (ours)."""
    colour = {"ok": COLOUR_OK, "info": COLOUR_INFO, "warning": COLOUR_WARN, "error": COLOUR_ERROR}[
        kind
    ]
    return fit(Card(title=title or "", description=text, colour=colour))


def about_embed(
    stats: Any, *, latency_ms: float | None = None, spotify: bool = False
) -> discord.Embed:
    """Index statistics and the bot's version."""
    card = Card(
        title="About songsim",
        description=(
            "I recommend songs from the playlists they share: two songs are similar when the "
            "same playlists hold both (Jaccard similarity of their playlist sets)."
        ),
        colour=COLOUR_INFO,
        footer=f"songsim {__version__}",
    )
    for name, label in (("tracks", "Songs"), ("artists", "Artists"), ("playlists", "Playlists")):
        value = _stat(stats, name)
        if value is not None:
            card.fields.append(Field(label, f"{int(value):,}", True))
    for name, label in (
        ("built_at", "Built"),
        ("source", "Source"),
        ("method", "Method"),
        ("k", "Neighbours per song"),
    ):
        value = _stat(stats, name)
        if value not in (None, ""):
            card.fields.append(Field(label, safe(value, 200), True))
    card.fields.append(Field("Spotify links", "on" if spotify else "off", True))
    if latency_ms is not None:
        card.fields.append(Field("Latency", f"{latency_ms:.0f} ms", True))
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
        "Every command also works as a slash command (`/similar`), "
        "by mentioning me (`@songsim similar …`) and in direct messages. "
        "Write songs as `artist - title`."
    )
    return fit(Card(title="songsim commands", description="\n".join(lines), colour=COLOUR_INFO))
