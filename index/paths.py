"""Where songsim finds its files when the user names none.

``$SONGSIM_INDEX`` is read here and nowhere else (:func:`configured_index_path`), so the
bot's settings and the ``songsim ask`` command agree on what it means.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

INDEX_VARIABLE = "SONGSIM_INDEX"


def data_dir() -> Path:
    """Folder for the demo index and the bot's user database ($SONGSIM_DATA_DIR)."""
    env = os.environ.get("SONGSIM_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "songsim"


def demo_index_path() -> Path:
    return data_dir() / "demo-neighbours.sqlite"


def configured_index_path(env: Mapping[str, str] | None = None) -> Path | None:
    """The index file $SONGSIM_INDEX names in ``env`` (default: the process environment),
    or None when it is unset or blank: then callers use :func:`demo_index_path`."""
    raw = (os.environ if env is None else env).get(INDEX_VARIABLE)
    return Path(raw.strip()) if raw is not None and raw.strip() else None
