"""Inputs and settings at their edges: the build finishes, or says in one sentence why not."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from index.build import build_index


def small_csv(path: Path) -> Path:
    """Five playlists over six songs: every song has neighbours at the defaults."""
    rows = ["playlist,artist,track"]
    for p in range(5):
        rows += [f"p{p},A,song {(p + t) % 6}" for t in range(3)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def neighbour_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM neighbours").fetchone()[0]


def test_counts_above_the_catalogue_build_as_if_they_were_its_size(tmp_path) -> None:
    """--k 2147483647 (or an extras count past int64) sized arrays by the request: 'ran out
    of memory' or numpy's 'Maximum allowed dimension exceeded' on a 15-row file."""
    data = small_csv(tmp_path / "p.csv")
    build_index(data, tmp_path / "all.sqlite", k=5, extras=5, artist_extras=5, progress=False)
    huge = {"k": 2**31 - 1, "extras": 10**20, "artist_extras": 2**63}
    build_index(data, tmp_path / "huge.sqlite", progress=False, **huge)
    assert neighbour_rows(tmp_path / "huge.sqlite") == neighbour_rows(tmp_path / "all.sqlite") > 0


def test_method_exact_takes_counts_above_the_catalogue_too(tmp_path) -> None:
    data = small_csv(tmp_path / "p.csv")
    build_index(data, tmp_path / "x.sqlite", method="exact", k=2**40, progress=False)
    assert neighbour_rows(tmp_path / "x.sqlite") > 0


@pytest.mark.parametrize("n_tracks", [0, 1, 2, 50])
def test_capped_options_never_go_below_their_least(n_tracks) -> None:
    from index.build.options import DEFAULTS, LEAST

    capped = DEFAULTS.capped(n_tracks)
    assert capped.k >= LEAST["k"] and capped.extras >= 0 and capped.artist_extras >= 0
    assert capped.k <= max(DEFAULTS.k, 1)


@pytest.mark.parametrize("force", [False, True])
def test_an_output_that_is_a_pipe_or_device_is_never_replaced(tmp_path, force) -> None:
    """'-o /dev/full' (or a FIFO) built and renamed the index over the device, as root."""
    from index.build.output import OutputRefused

    data = small_csv(tmp_path / "p.csv")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputRefused, match="device, pipe or socket"):
        build_index(data, fifo, progress=False, force=force)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert {p.name for p in tmp_path.iterdir()} == {"p.csv", "fifo"}
