"""The ``about`` and ``help`` embeds: what songsim is, and every command it answers to.

Apart from :mod:`bot.embeds` (which re-exports both) because the help text is long, and
is written in the reader's language (:mod:`bot.i18n`) from the command catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

from bot import __version__
from bot.card import COLOUR_INFO, Card, Field, fit
from bot.commands import COMMANDS, CommandSpec
from bot.discovery import FLAGS, explained
from bot.exclusions import INCLUDE_LIKED_FLAG, OTHER_ARTISTS_FLAG
from bot.i18n import _, number, option_name, slash_name
from bot.i18n.labels import data_line
from bot.text import safe
from index.model import IndexStats
from index.sources import entries as source_entries


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
        title=_("About songsim"),
        description=_(
            "I recommend songs from the playlists (or listening sessions) they share: two songs "
            "are similar when the same ones hold both (Jaccard similarity of those sets)."
        ),
        colour=COLOUR_INFO,
        footer=f"songsim {__version__}",
    )
    sessions = int(stats.meta.get("sessions", 0) or 0)
    for label, count in (
        (_("Songs"), stats.tracks),
        (_("Artists"), stats.artists),
        (_("Playlists"), stats.playlists - sessions),
        (None, sessions),
    ):
        if label is not None or count:
            card.fields.append(Field(label or _("Listening sessions"), number(count), True))
    for label, value in (
        (_("Built"), stats.built_at),
        (_("Source"), stats.source),
        (_("Method"), stats.method),
        (_("Neighbours per song"), stats.k),
    ):
        if value not in (None, ""):
            card.fields.append(Field(label, safe(value, 200), True))
    data = list(dict.fromkeys(data_line(e) for e in source_entries(stats.meta)))  # once each
    if data:
        card.fields.append(Field(_("Data"), safe("\n".join(data), 1000), False))
    card.fields.append(Field(_("Spotify links"), _("on") if spotify else _("off"), True))
    if latency_ms is not None:
        card.fields.append(Field(_("Latency"), _("{ms} ms", ms=number(latency_ms)), True))
    statement = f" [{_('Privacy statement')}]({privacy_url})" if privacy_url else ""
    card.fields.append(
        Field(
            _("Privacy"),
            _(
                "songsim keeps only your likes, blocks and a file's mix behind its buttons, "
                "under your user id; `{c.privacy}` shows, exports or deletes them.",
                prefix=prefix,
            )
            + statement,
            False,
        )
    )
    return fit(card)


def _one_of(items: Sequence[str]) -> str:
    """``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} or {last}", items=", ".join(items[:-1]), last=items[-1])


def help_embed(prefix: str = "!", catalogue: Iterable[CommandSpec] = COMMANDS) -> discord.Embed:
    """Every command with its arguments, in both the prefix and the slash form.

    The list is the catalogue's (:mod:`bot.commands`), so it names what the bot answers to.
    Prefix commands keep their English names in every language; the slash commands' names
    are the translated ones Discord shows.
    """
    listed = [c for c in catalogue if c.listed]
    lines = []
    for c in listed:
        if c.is_menu:
            lines.append(
                _(
                    "Right-click a message → Apps → **{name}** — {summary}",
                    name=slash_name(c.name),
                    summary=c.summary,
                )
            )
            continue
        usage = f"{prefix}{c.name} {_(c.args) if c.args else ''}".rstrip()
        lines.append(f"`{usage}` — {c.summary}")
    flagged = [f"`{prefix}{c.name}`" for c in listed if c.takes_discovery]
    flags = ", ".join(f"`{flag}` ({explained(r)})" for flag, r in FLAGS.items())
    lines += [
        "",
        _(
            "**Discovery:** end {commands} with {flags}, for example "
            "`{c.similar} daft punk - one more time --deep-cuts`. "
            "The slash commands have a `{option}` option.",
            commands=_one_of(flagged),
            flags=flags,
            prefix=prefix,
            option=option_name("discovery"),
        ),
        "",
        _(
            "**Leaving songs out:** `{c.similar}` and `{c.mix}` leave out songs you liked "
            "(end with `{include_liked}` to keep them) and take `{other_artists}` for "
            "no songs by the artists you named (slash options `{include_option}`, "
            "`{other_option}`). Artists you `{c.block}` are left out of every answer.",
            prefix=prefix,
            include_liked=INCLUDE_LIKED_FLAG,
            other_artists=OTHER_ARTISTS_FLAG,
            include_option=option_name("include_liked"),
            other_option=option_name("other_artists"),
        ),
        "",
        _(
            "Under each song: links to find it on YouTube Music, Apple Music and Deezer "
            "(its title links to Spotify when known). **Export** under a list (or "
            "`{c.export}`) gives it as Spotify links, CSV and JSPF files.",
            prefix=prefix,
        ),
        "",
        _(
            "Every command also works as a slash command (`/{similar}`), "
            "by mentioning me (`@songsim similar …`) and in direct messages. "
            "Write songs as `artist - title` or paste a song link (Spotify, YouTube, Apple Music, "
            "Deezer, Last.fm); `{c.similar}` alone uses what you're playing on Spotify, "
            "where I can see it.",
            similar=slash_name("similar"),
            prefix=prefix,
        ),
    ]
    return fit(Card(title=_("songsim commands"), description="\n".join(lines), colour=COLOUR_INFO))
