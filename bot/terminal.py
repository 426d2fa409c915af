"""Text written to a terminal (the console, ``songsim ask``) made safe to show there.

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
