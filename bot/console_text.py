"""How the console shows a reply: Discord's markdown and embeds as plain terminal text, and
the words that press a reply's buttons (:mod:`bot.console`)."""

from __future__ import annotations

import discord

from bot.i18n import _
from bot.replies import Reply
from bot.song_lines import listen_start
from bot.terminal import markdown_to_text

__all__ = ["markdown_to_text", "render_embed", "render_reply"]

WIDTH = 78


def render_embed(embed: discord.Embed) -> str:
    """An embed as terminal text: a title rule, the description, fields, then the footer."""
    lines: list[str] = []
    if embed.title:
        title = markdown_to_text(embed.title)
        lines.append(f"── {title} " + "─" * max(3, WIDTH - len(title) - 4))
    if embed.url:
        lines.append(f"   <{embed.url}>")
    if embed.description:
        kept = [x for x in embed.description.split("\n") if not _is_listen(x)]
        lines.append(markdown_to_text("\n".join(kept)))
    for f in embed.fields:
        name, value = markdown_to_text(f.name or ""), markdown_to_text(f.value or "")
        if "\n" in value:
            lines.append(f"{name}:")
            lines.extend("  " + v for v in value.splitlines())
        else:
            lines.append(f"{name}: {value}")
    if embed.footer and embed.footer.text:
        lines.append("─" * 3 + " " + markdown_to_text(embed.footer.text))
    return "\n".join(lines)


def _is_listen(line: str) -> bool:
    """A song's "Listen:" line, which the console leaves out (``listen N`` prints it)."""
    return line.startswith(listen_start())


def render_reply(reply: Reply) -> str:
    """A reply with its components described as the words that press them."""
    parts = [render_embed(reply.embed)]
    hints = []
    if reply.choices:
        if (
            reply.page is not None
        ):  # alternatives under a list; a bare choice embed numbers them itself
            alts = "  ".join(
                f"{i}) {t.title} — {t.artist}" for i, t in enumerate(reply.choices, start=1)
            )
            parts.append(_("Not the one? {choices}", choices=alts))
        hints.append("pick N")
    if reply.page is not None:
        if reply.page.has_more:
            hints.append("more")
        if reply.page.offset > 0:
            hints.append("back")
        if reply.items and reply.page.explains:
            hints.append("why N")
        if reply.items:
            hints.append("listen N")
        hints.append("export")
    if hints:
        parts.append("[" + " · ".join(hints) + "]")
    return "\n".join(parts)
