"""Text written to a terminal (the console, ``songsim ask``): Discord's markdown undone, and
made safe to show there.

Names come from strangers: an escape sequence in a playlist name or a title would recolour
or rewrite the reader's terminal, and a line that was not UTF-8 reaches Python as lone
surrogates, which a terminal cannot print.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def terminal_text(text: str) -> str:
    """``text`` safe to write to a terminal: control characters shown as ``?`` (newlines
    and tabs kept), undecodable bytes as U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("?", text))


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
