"""Every reply's embed: answers from the index turned into what a user reads.

Cogs and the console call the ``*_embed`` functions here and never build embeds themselves.
Each one writes a :class:`~bot.card.Card` whose strings went through
:func:`~bot.text.safe` (a song called ``@everyone`` or ``**x**`` renders literally and pings
nobody) and turns it into an embed with :func:`~bot.card.fit` (Discord's limits). The lines
of a list of songs are built in :mod:`bot.song_lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import discord

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
from bot.exclusions import UserExclusions
from bot.help_embeds import about_embed, help_embed  # re-exported: about and help live there
from bot.i18n import _, ngettext, number
from bot.i18n.labels import playlist_name
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
from bot.text import percent, playlists_phrase, safe
from index.model import Answer, Artist, ArtistScore, IndexStats, Track, Why

__all__ = [
    "about_embed",
    "artists_embed",
    "blocks_embed",
    "choose_embed",
    "help_embed",
    "likes_embed",
    "mix_embed",
    "not_found_embed",
    "notice_embed",
    "similar_embed",
    "why_embed",
]


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
    head = _(
        "Matched {title} by **{artist}** ({playlists}).",
        title=linked("**" + safe(seed.title, 300) + "**", links.get(seed.track_id)),
        artist=safe(seed.artist, 200),
        playlists=playlists_phrase(int(seed.playlists)),
    )
    if alternatives:
        head += " " + _("Not the one? Pick another below.")

    def body(listen: Listen | None) -> list[str]:
        lines = [head, ""]
        if answer.items:
            lines += recommendation_lines(answer.items, offset, links, listen=listen)
            lines += top_up_lines(answer, offset, links, listen)
            return lines
        if not answer.rare:
            lines.append(
                _emptied(
                    answer, hidden, prefix, _("No song shares enough playlists with this one yet.")
                )
            )
        elif from_playlists(answer):
            lines.append(
                _(
                    "This song is in too few playlists for recommendations of its own yet. "
                    "Songs it shares a playlist with are a weaker hint:"
                )
            )
        else:
            lines.append(_("This song is in too few playlists to have recommendations yet."))
        return lines + fallback_lines(answer, links, listen=listen)

    card = Card(
        title=_(
            "Songs like {title} — {artist}",
            title=safe(seed.title, 150),
            artist=safe(seed.artist, 90),
        ),
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
    if len(seeds) > 5:
        mixed = _("A mix of {names} and {more} more.", names=names, more=number(len(seeds) - 5))
    else:
        mixed = _("A mix of {names}.", names=names)

    def body(listen: Listen | None) -> list[str]:
        lines = [intro or mixed, ""]
        if answer.items:
            likes = list(answer.seeds or seeds)  # /foryou names no seeds above
            lines += recommendation_lines(answer.items, offset, links, seeds=likes, listen=listen)
            lines += top_up_lines(answer, offset, links, listen)
            return lines
        if from_playlists(answer):
            lines.append(
                _(
                    "These songs are in too few playlists for recommendations of their own yet. "
                    "Songs they share a playlist with are a weaker hint:"
                )
            )
        else:
            lines.append(
                _emptied(
                    answer,
                    hidden,
                    prefix,
                    _("These songs share no playlists with anything else yet."),
                )
            )
        return lines + fallback_lines(answer, links, listen=listen)

    card = Card(
        title=title or _("Mix"),
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
        _(
            "Matched **{artist}** ({playlists}).",
            artist=safe(artist.name, 200),
            playlists=playlists_phrase(int(artist.playlists)),
        ),
        "",
    ]
    if scores:
        for i, s in enumerate(scores, start=1):
            # The score is a sum over songs, not a percentage: show the order only.
            lines.append(
                f"**{i}.** {safe(s.artist.name, 200)} · {playlists_phrase(int(s.artist.playlists))}"
            )
    else:
        lines.append(_("No artist shares enough playlists with this one yet."))
    card = Card(
        title=_("Artists like {artist}", artist=safe(artist.name, 200)),
        description="\n".join(lines),
        footer=index_footer(stats),
    )
    return fit(card)


def why_embed(
    seed: Track,
    other: Track,
    why: Why,
    names: Sequence[str] | None = None,
    *,
    names_hidden: bool = False,
) -> discord.Embed:
    """Why two songs are linked: how many playlists they share, and a few of them by name
    (``names``: the examples as the server shows them, by default all of them;
    ``names_hidden``: the server hides playlist names, and the embed says so)."""
    lines = [
        _(
            "**{title}** — {artist} and **{other_title}** — {other_artist} appear together "
            "{playlists}.",
            title=safe(seed.title, 200),
            artist=safe(seed.artist, 100),
            other_title=safe(other.title, 200),
            other_artist=safe(other.artist, 100),
            playlists=playlists_phrase(int(why.shared)),
        ),
        _(
            "Similarity (shared ÷ all playlists of either song): {percent}.",
            percent=percent(why.jaccard),
        ),
    ]
    card = Card(title=_("Why these songs?"), description="\n".join(lines), colour=COLOUR_INFO)
    examples = [playlist_name(p) for p in why.examples] if names is None else names
    if examples:
        card.fields.append(
            Field(_("For example"), "\n".join(f"• {safe(e, 100)}" for e in examples[:10]))
        )
    elif names_hidden:
        card.footer = _("Playlist names are hidden in this server.")
    return fit(card)


def choose_embed(
    query: str, suggestions: Sequence[Track], message: str | None = None, *, artists: bool = False
) -> discord.Embed:
    """ "Did you mean …?" when the text matched no song (or, with ``artists``, no artist:
    each suggestion then stands for its artist) for sure."""
    head = message or _("I'm not sure which song “{query}” is.", query=safe(query, 200))
    lines = [safe(head, 500) if message else head, ""]
    for i, t in enumerate(suggestions, start=1):
        song = f"{safe(t.title, 200)} — {safe(t.artist, 120)}"
        lines.append(f"**{i}.** {safe(t.artist, 120) if artists else song}")
    lines.append("")
    lines.append(_("Pick one below."))
    return fit(Card(title=_("Did you mean…"), description="\n".join(lines), colour=COLOUR_INFO))


def not_found_embed(
    query: str, message: str | None = None, prefix: str = "!", *, hint: str | None = None
) -> discord.Embed:
    """Nothing in the index looks like the text. The index's own ``hint`` (no song matches,
    try "artist - title" with one of its songs) says it all alone; otherwise the text is
    quoted, then the application's ``message`` (what a link said), then how to ask."""
    if hint:
        lines = [safe(hint, 500)]
    else:
        lines = [_("I couldn't find “{query}” in the index.", query=safe(query, 300))]
        if message:
            lines.append(safe(message, 500))
        lines.append(
            _(
                "Try `{c.similar} artist - title`, for example "
                "`{c.similar} daft punk - one more time`.",
                prefix=prefix,
            )
        )
    return fit(Card(title=_("No such song"), description="\n".join(lines), colour=COLOUR_WARN))


def likes_embed(
    likes: Sequence[Track],
    links: Mapping[int, str] | None = None,
    missing: int = 0,
    prefix: str = "!",
    total: int | None = None,
) -> discord.Embed:
    """The user's liked songs, most recent first; ``total`` counts them all when only the
    most recent are listed."""
    links = links or {}
    if not likes:
        text = _("You haven't liked any songs yet. Try `{c.like} artist - title`.", prefix=prefix)
        return fit(Card(title=_("Your likes"), description=text, colour=COLOUR_INFO))
    lines = [
        f"**{i}.** {linked(safe(t.title, 200), links.get(t.track_id))} — {safe(t.artist, 120)}"
        for i, t in enumerate(likes, start=1)
    ]
    if missing:
        lines.append("")
        gone = ngettext(
            "{n} liked song is no longer in the index.",
            "{n} liked songs are no longer in the index.",
            missing,
        )
        lines.append(f"_{gone}_")
    footer = ngettext(
        "{n} liked song · {c.foryou} for recommendations",
        "{n} liked songs · {c.foryou} for recommendations",
        len(likes),
        prefix=prefix,
    )
    if total is not None and total > len(likes):
        footer = ngettext(
            "The {shown} most recent of {n} liked song · {c.privacy} export lists them all",
            "The {shown} most recent of {n} liked songs · {c.privacy} export lists them all",
            total,
            shown=number(len(likes)),
            prefix=prefix,
        )
    return fit(Card(title=_("Your likes"), description="\n".join(lines), footer=footer))


def blocks_embed(names: Sequence[str], prefix: str = "!") -> discord.Embed:
    """The artists the user blocked, most recent first (names are the user's own text)."""
    if not names:
        text = _(
            "You haven't blocked any artists. "
            "`{c.block} artist name` leaves an artist out of every answer.",
            prefix=prefix,
        )
        return fit(Card(title=_("Your blocked artists"), description=text, colour=COLOUR_INFO))
    lines = [f"**{i}.** {safe(name, 120)}" for i, name in enumerate(names, start=1)]
    footer = ngettext(
        "{n} blocked artist · {c.unblock} name-or-number shows one again",
        "{n} blocked artists · {c.unblock} name-or-number shows one again",
        len(names),
        prefix=prefix,
    )
    return fit(
        Card(
            title=_("Your blocked artists"),
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
