"""The embeds of ``/settings`` (a server's settings) and ``/privacy`` (what songsim keeps
about the caller), built like every other reply (:mod:`bot.embeds`): a
:class:`~bot.card.Card` of safe strings, fitted to Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.card import COLOUR_INFO, COLOUR_OK, Card, Field, fit
from bot.discovery import EXPLAINED
from bot.server_settings import ServerSettings
from bot.text import count_of, safe
from bot.user_db import Block, Like

# What a user-keyed table of the user database is, said to that user (others by name).
TABLES = {"saved_lists": "Lists behind your buttons (a file's mix)"}
WHY_EXPLAINED = {
    "shown": "shown as they are",
    "filtered": "a name with a listed word reads “a playlist”",
    "hidden": "not shown, only how many playlists",
}


def settings_embed(
    settings: ServerSettings, prefix: str = "/", saved: str | None = None
) -> discord.Embed:
    """Every setting of a server with its current value; ``saved`` says what just changed."""
    channels = ", ".join(f"<#{c}>" for c in sorted(settings.prefix_channels))
    off = ", ".join(f"`{c}`" for c in sorted(settings.commands_off))
    words = ", ".join(f"||{safe(w, 60, unfiltered=True)}||" for w in settings.words)
    fields = [
        Field("discovery", f"`{settings.discovery}` — {EXPLAINED[settings.discovery]}"),
        Field(
            "replies",
            "`private` — slash commands answer only the person who asked"
            if settings.private
            else "`public` — answers are posted in the channel",
        ),
        Field("prefix_channels", channels or "every channel", False),
        Field("commands_off", off or "none", False),
        Field("why_names", f"`{settings.why_names}` — {WHY_EXPLAINED[settings.why_names]}"),
        Field(
            "song_names",
            "`filtered` — listed words in song and artist names are masked"
            if settings.song_names == "filtered"
            else "`shown` — song and artist names as they are",
        ),
        Field("words", f"{count_of(len(settings.words), 'word')}: {words}" if words else "none"),
    ]
    lines = [f"**Saved.** {saved}", ""] if saved else []
    lines.append(
        f"Change one with `{prefix}settings setting value`, for example "
        f"`{prefix}settings why_names hidden`, `{prefix}settings replies private`, "
        f"`{prefix}settings prefix_channels add #music` or `{prefix}settings commands_off "
        "add mix`. Slash commands work in every channel; elsewhere they answer privately."
    )
    return fit(
        Card(
            title="songsim settings for this server",
            description="\n".join(lines),
            fields=fields,
            colour=COLOUR_OK if saved else COLOUR_INFO,
        )
    )


def privacy_embed(
    likes: Sequence[Like],
    blocks: Sequence[Block],
    last_list: str | None,
    prefix: str = "/",
    privacy_url: str | None = None,
    others: dict[str, int] | None = None,
) -> discord.Embed:
    """What songsim keeps about the caller, and how to take it out or delete it; ``others``
    counts their rows in other tables of the user database."""
    shown_likes = "\n".join(f"• {safe(lk.title, 80)} — {safe(lk.artist, 60)}" for lk in likes[:10])
    if len(likes) > 10:
        shown_likes += f"\n… and {len(likes) - 10:,} more"
    shown_blocks = ", ".join(safe(b.name, 60) for b in blocks[:20])
    if len(blocks) > 20:
        shown_blocks += f" … and {len(blocks) - 20:,} more"
    fields = [
        Field(f"Liked songs ({len(likes):,})", shown_likes or "none", False),
        Field(f"Blocked artists ({len(blocks):,})", shown_blocks or "none", False),
        Field(
            "Your last list (in memory, gone at restart)",
            safe(last_list, 200) if last_list else "none",
            False,
        ),
    ]
    if others:
        rows = ", ".join(f"{safe(TABLES.get(t, t), 40)}: {n:,}" for t, n in sorted(others.items()))
        fields.append(Field("Other saved rows", rows, False))
    text = (
        "songsim keeps only what you told it, under your Discord user id: the songs you "
        "liked and the artists you blocked (with when), a file's mix behind its buttons "
        "(for 90 days after their last use), and in memory the last list you asked for, "
        "for Export. It keeps no messages, names or servers of yours; its log "
        "holds your id only at debug level.\n"
        f"`{prefix}privacy export` sends it all as a JSON file; `{prefix}privacy delete` "
        "deletes it."
    )
    if privacy_url:
        text += f" [Privacy statement]({privacy_url})"
    return fit(Card(title="What songsim keeps about you", description=text, fields=fields,
                    colour=COLOUR_INFO))  # fmt: skip


def forgotten_embed(counts: dict[str, int], last_list: bool) -> discord.Embed:
    """What ``/privacy delete`` deleted (rows per table of the user database)."""
    parts = [
        count_of(counts.get("likes", 0), "liked song"),
        count_of(counts.get("blocks", 0), "blocked artist"),
    ]
    if counts.get("saved_lists"):
        parts.append(count_of(counts["saved_lists"], "list behind buttons", "lists behind buttons"))
    others = sum(n for t, n in counts.items() if t not in ("likes", "blocks", "saved_lists"))
    if others:
        parts.append(count_of(others, "other saved row"))
    if last_list:
        parts.append("your last list")
    return fit(
        Card(
            title="Deleted",
            description=f"songsim no longer keeps anything about you: deleted {', '.join(parts)}.",
            colour=COLOUR_OK,
        )
    )
