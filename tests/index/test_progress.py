"""Progress output: a live bar only on a terminal; elsewhere a few plain lines."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from index.progress import progress

REPO = Path(__file__).resolve().parents[2]


def test_off_a_terminal_progress_is_a_few_whole_lines(monkeypatch) -> None:
    monkeypatch.setattr("index.progress.QUIET_SECONDS", 0.0)  # as if the work were slow
    out = io.StringIO()  # not a terminal
    with progress(1_000, "exact scan", unit="track", out=out) as bar:
        for _ in range(1_000):
            bar.update(1)
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert 1 <= len(lines) <= 3
    assert lines[0].startswith("exact scan: 25% (250 tracks of 1,000 tracks")


def test_off_a_terminal_quick_work_prints_nothing_and_small_files_read_in_tenths(
    monkeypatch,
) -> None:
    out = io.StringIO()
    with progress(1_000, "exact scan", unit="track", out=out) as bar:
        bar.update(1_000)  # done at once: its summary is enough
    assert out.getvalue() == ""
    monkeypatch.setattr("index.progress.QUIET_SECONDS", 0.0)
    with progress(3 * 2**20, "reading x.txt", bytes_=True, out=out) as bar:
        bar.update(2**20)
    assert out.getvalue() == "reading x.txt: 33% (1.0 MiB of 3.0 MiB, 0 s)\n"


def test_a_build_piped_to_a_file_writes_no_carriage_returns(tmp_path: Path) -> None:
    dataset = tmp_path / "playlists.csv"
    rows = ["playlist,artist,track"]
    rows += [f"list {p},Artist {t % 13},Song {t}" for p in range(60) for t in range(p, p + 12)]
    dataset.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "index",
            "build",
            str(dataset),
            "-o",
            str(tmp_path / "i.sqlite"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr + done.stdout
    assert "Built" in done.stdout + done.stderr
