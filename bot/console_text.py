"""How the console shows a reply: Discord's markdown and embeds as plain terminal text, and
the words that press a reply's buttons (:mod:`bot.console`)."""

from __future__ import annotations

import discord

from bot.i18n import _
from bot.replies import Reply
from bot.song_lines import listen_start

WIDTH = 78


def markdown_to_text(text: str) -> str:
    """Discord markdown as plain text: escapes undone, bold and code marks dropped, links as
    ``text <url>``."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
        elif text.startswith("**", i):
            i += 2
        elif ch == "]" and text.startswith("](", i):
            close = text.find(")", i + 2)
            if close == -1:
                out.append(ch)
                i += 1
            else:
                out.append(f" <{text[i + 2 : close]}>")
                i = close + 1
        elif ch == "[" and _opens_link(text, i):
            i += 1  # the link's text stays; its address follows it (above)
        elif ch in "`\u200b":  # code marks; data's own are escaped
            i += 1
        elif ch == "_" and (i == 0 or text[i - 1] == "\n" or i + 1 == n or text[i + 1] == "\n"):
            i += 1  # italics markers we put around whole lines
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _opens_link(text: str, i: int) -> bool:
    """Whether the bracket at ``i`` opens a markdown link ``[text](url)`` on its line: a
    bracket in usage such as ``[export | delete]`` is shown as written."""
    close = text.find("](", i)
    end = text.find("\n", i)
    if close == -1 or (end != -1 and end < close):
        return False
    inner = text[i + 1 : close].replace("\\\\", "").replace("\\]", "")  # escaped ones stay text
    return "]" not in inner


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
