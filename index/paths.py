"""Where songsim finds its files when the user names none."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Folder for the demo index and the bot's user database ($SONGSIM_DATA_DIR)."""
    env = os.environ.get("SONGSIM_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "songsim"


def demo_index_path() -> Path:
    return data_dir() / "demo-neighbours.sqlite"


def default_index_path() -> Path:
    """$SONGSIM_INDEX if set, else the demo index (built on first use by ``ensure_index``)."""
    env = os.environ.get("SONGSIM_INDEX")
    return Path(env) if env else demo_index_path()
