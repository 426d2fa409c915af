"""The embeds of ``/settings`` (a server's settings) and ``/privacy`` (what songsim keeps
about the caller), built like every other reply (:mod:`bot.embeds`): a
:class:`~bot.card.Card` of safe strings, fitted to Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.card import COLOUR_INFO, COLOUR_OK, Card, Field, fit
from bot.discovery import explained, ranking_name
from bot.i18n import N_, NAMES, _, ngettext, number
from bot.server_settings import ServerSettings
from bot.text import safe
from bot.user_db import Block, Like

# What a user-keyed table of the user database is, said to that user (others by name).
TABLES = {"saved_lists": N_("Lists behind your buttons (a file's mix)")}
WHY_EXPLAINED = {
    "shown": N_("shown as they are"),
    "filtered": N_("a name with a listed word reads “a playlist”"),
    "hidden": N_("not shown, only how many playlists"),
}


def settings_embed(
    settings: ServerSettings,
    prefix: str = "/",
    saved: str | None = None,
    default_language: str = "en",
) -> discord.Embed:
    """Every setting of a server with its current value; ``saved`` says what just changed."""
    channels = ", ".join(f"<#{c}>" for c in sorted(settings.prefix_channels))
    off = ", ".join(f"`{c}`" for c in sorted(settings.commands_off))
    words = ", ".join(f"||{safe(w, 60, unfiltered=True)}||" for w in settings.words)
    name = ranking_name(settings.discovery)  # the value's name in the reader's language
    named = f" ({name})" if name != settings.discovery else ""
    fields = [
        Field("discovery", f"`{settings.discovery}`{named} — " + explained(settings.discovery)),
        Field(
            "replies",
            _("`private` — slash commands answer only the person who asked")
            if settings.private
            else _("`public` — answers are posted in the channel"),
        ),
        Field("prefix_channels", channels or _("every channel"), False),
        Field("commands_off", off or _("none"), False),
        Field("why_names", f"`{settings.why_names}` — {_(WHY_EXPLAINED[settings.why_names])}"),
        Field(
            "song_names",
            _("`filtered` — listed words in song and artist names are masked")
            if settings.song_names == "filtered"
            else _("`shown` — song and artist names as they are"),
        ),
        Field(
            "words",
            ngettext("{n} word", "{n} words", len(settings.words)) + f": {words}"
            if words
            else _("none"),
        ),
        Field(
            "language",
            f"`{settings.language}` — {NAMES.get(settings.language, settings.language)}"
            if settings.language
            else _(
                "`default` — {language}", language=NAMES.get(default_language, default_language)
            ),
        ),
    ]
    lines = [_("**Saved.** {what}", what=saved), ""] if saved else []
    lines.append(
        _(
            "Change one with `{c.settings} setting value`, for example "
            "`{c.settings} why_names hidden`, `{c.settings} replies private`, "
            "`{c.settings} prefix_channels add #music` or `{c.settings} commands_off "
            "add mix`. Slash commands work in every channel; elsewhere they answer privately.",
            prefix=prefix,
        )
    )
    return fit(
        Card(
            title=_("songsim settings for this server"),
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
        shown_likes += "\n" + _("… and {n} more", n=number(len(likes) - 10))
    shown_blocks = ", ".join(safe(b.name, 60) for b in blocks[:20])
    if len(blocks) > 20:
        shown_blocks += " " + _("… and {n} more", n=number(len(blocks) - 20))
    fields = [
        Field(_("Liked songs ({n})", n=number(len(likes))), shown_likes or _("none"), False),
        Field(_("Blocked artists ({n})", n=number(len(blocks))), shown_blocks or _("none"), False),
        Field(
            _("Your last list (in memory, gone at restart)"),
            safe(last_list, 200) if last_list else _("none"),
            False,
        ),
    ]
    if others:
        rows = ", ".join(
            f"{safe(_(TABLES[t]) if t in TABLES else t, 40)}: {number(n)}"
            for t, n in sorted(others.items())
        )
        fields.append(Field(_("Other saved rows"), rows, False))
    text = _(
        "songsim keeps only what you told it, under your Discord user id: the songs you "
        "liked and the artists you blocked (with when), a file's mix behind its buttons "
        "(for 90 days after their last use), and in memory the last list you asked for, "
        "for Export. It keeps no messages, names or servers of yours; its log "
        "holds your id only at debug level.\n"
        "`{c.privacy} export` sends it all as a JSON file; `{c.privacy} delete` "
        "deletes it.",
        prefix=prefix,
    )
    if privacy_url:
        text += f" [{_('Privacy statement')}]({privacy_url})"
    return fit(Card(title=_("What songsim keeps about you"), description=text, fields=fields,
                    colour=COLOUR_INFO))  # fmt: skip


def forgotten_embed(counts: dict[str, int], last_list: bool) -> discord.Embed:
    """What ``/privacy delete`` deleted (rows per table of the user database)."""
    likes, blocks = counts.get("likes", 0), counts.get("blocks", 0)
    parts = [
        ngettext("{n} liked song", "{n} liked songs", likes),
        ngettext("{n} blocked artist", "{n} blocked artists", blocks),
    ]
    if counts.get("saved_lists"):
        parts.append(
            ngettext("{n} list behind buttons", "{n} lists behind buttons", counts["saved_lists"])
        )
    others = sum(n for t, n in counts.items() if t not in ("likes", "blocks", "saved_lists"))
    if others:
        parts.append(ngettext("{n} other saved row", "{n} other saved rows", others))
    if last_list:
        parts.append(_("your last list"))
    return fit(
        Card(
            title=_("Deleted"),
            description=_(
                "songsim no longer keeps anything about you: deleted {what}.", what=", ".join(parts)
            ),
            colour=COLOUR_OK,
        )
    )
