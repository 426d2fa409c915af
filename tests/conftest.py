"""Shared fixtures: a demo dataset and index built once per test session.

Every test session gets its own SONGSIM_DATA_DIR, so nothing touches the user's real data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

pytest_plugins = ["tests.support.fakediscord.fixtures"]  # fake_discord, start_bot for every test

_session_dir = Path(tempfile.mkdtemp(prefix="songsim-tests-"))
os.environ["SONGSIM_DATA_DIR"] = str(_session_dir / "data")
os.environ.pop("SONGSIM_INDEX", None)
os.environ.pop("DISCORD_TOKEN", None)
os.environ.pop("SPOTIFY_CLIENT_ID", None)
os.environ.pop("SPOTIFY_CLIENT_SECRET", None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real playlist samples beside the checkout; tests using them skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data samples not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from index.build.demo import write_demo_dataset

    return write_demo_dataset(tmp_path_factory.mktemp("demo") / "demo-playlists.csv")


@pytest.fixture(scope="session")
def demo_index(demo_dataset: Path) -> Path:
    """A demo index built by the real pipeline (exact method: the reference)."""
    from index.build import build_index

    out = demo_dataset.with_name("demo.sqlite")
    build_index(demo_dataset, out, fmt="csv", method="exact", progress=False)
    return out


@pytest.fixture(scope="session")
def demo_index_lsh(demo_dataset: Path) -> Path:
    """The same demo data built with MinHash + LSH."""
    from index.build import build_index

    out = demo_dataset.with_name("demo-lsh.sqlite")
    build_index(demo_dataset, out, fmt="csv", method="lsh", progress=False)
    return out
