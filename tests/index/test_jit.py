"""Without numba and scipy (the bot-only image) the bot still answers, from the same index.

index.jit stands in for numba by running the kernels as plain Python; these tests run
songsim in a subprocess where importing numba, llvmlite, scipy or zstandard fails, as in
the image built with ``--target bot``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index.build import build_index

REPO = Path(__file__).resolve().parents[2]
LEFT_OUT = ("numba", "llvmlite", "scipy", "zstandard")  # what the bot image uninstalls
WITHOUT = f"""
import sys
class LeftOut:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {LEFT_OUT!r}:
            raise ImportError(f"No module named {{name!r}} (left out of the bot image)")
sys.meta_path.insert(0, LeftOut())
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""
# build_seconds and built_at differ between any two builds; the rest must not.
VARYING = ("built_at", "build_seconds")


def songsim_without_builder(
    args: list[str], data: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SONGSIM_INDEX")}
    env.update(
        SONGSIM_DATA_DIR=str(data), PYTHONPATH=str(REPO), PYTHONWARNINGS="error::RuntimeWarning"
    )
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=data,
        timeout=120,
    )


def table_rows(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted (row order in a table without ORDER BY is not content)."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = {t: sorted(db.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}
    rows["meta"] = [r for r in rows.get("meta", []) if r[0] not in VARYING]
    return rows


def test_without_numba_the_console_builds_the_same_demo_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    done = songsim_without_builder(
        ["bot", "--console"], data, "similar daft punk - one more time\nquit\n"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "── Songs like One More Time — Daft Punk" in done.stdout
    assert "1. Digital Love — Daft Punk" in done.stdout
    assert "Warning" not in done.stderr  # the uint64 hashes overflow on purpose, quietly

    # The same dataset through numba, as `songsim bot` builds it where numba is installed.
    reference = tmp_path / "numba.sqlite"
    build_index(data / "demo-playlists.csv", reference, fmt="csv", method="auto")
    plain, compiled = table_rows(data / "demo-neighbours.sqlite"), table_rows(reference)
    assert plain.keys() == compiled.keys() and len(compiled["neighbours"]) > 10_000
    for table in compiled:
        assert plain[table] == compiled[table], table


@pytest.mark.parametrize(
    ("args", "left_out"),
    [
        (["index", "build", "playlists.csv", "-o", "x.sqlite"], "numba"),
        (["index", "holdout", "playlists.csv"], "numba or scipy"),
    ],
)
def test_without_numba_index_commands_say_to_use_the_full_image(
    tmp_path: Path, args: list[str], left_out: str
) -> None:
    (tmp_path / "playlists.csv").write_text("playlist,artist,track\np,a,t\n")
    done = songsim_without_builder(args, tmp_path)
    assert done.returncode == 2, done.stderr[-3000:]
    err = done.stderr.strip()
    assert f"this install has no {left_out}: it is the bot-only image" in err
    assert "full image" in err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "x.sqlite").exists()


def test_without_numba_help_and_health_work(tmp_path: Path) -> None:
    assert songsim_without_builder(["--help"], tmp_path).returncode == 0
    done = songsim_without_builder(["index", "--help"], tmp_path)
    assert done.returncode == 0 and "holdout" in done.stdout
