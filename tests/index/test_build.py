"""`songsim index build` end to end: summary, meta, malformed rows, and failures that keep the old index."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main

HEADER = '"user_id", "artistname", "trackname", "playlistname"\n'
USERS = ["0" * 31 + str(i) for i in range(4)]
REQUIRED_META = {
    "schema_version", "built_at", "source", "format", "method", "num_perm", "bands",
    "rows_per_band", "k", "min_playlists", "min_shared", "rows_read", "rows_malformed",
    "playlists", "tracks", "artists", "build_seconds",
}  # fmt: skip


def zenodo_line(user: str, artist: str, title: str, playlist: str) -> str:
    return f'"{user}","{artist}","{title}","{playlist}"\n'


def write_dataset(path: Path, *, bad_lines: int = 0) -> Path:
    """Four users × three playlists over a small catalogue, plus optional malformed rows."""
    lines = [HEADER]
    for u, user in enumerate(USERS):
        for p in range(3):
            for t in range(6):
                song = (u + p * 2 + t) % 10
                lines.append(zenodo_line(user, f"Artist {song % 3}", f"Song {song}", f"mix {p}"))
    for b in range(bad_lines):
        lines.insert(5 + b, '"not-a-user-id","x","y"\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stray_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("method", ["lsh", "exact"])
def test_build_writes_schema_meta_and_prints_a_summary(tmp_path, capsys, method) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--method", method, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "rows read: 72" in printed and "malformed: 0" in printed
    stages = printed.split("time by stage:\n", 1)[1].splitlines()
    neighbours = next(ln for ln in stages if ln.startswith("    neighbours "))
    assert neighbours.count(" s") >= 2  # the stage's time, then its own stages after a colon
    meta = dict(sqlite3.connect(out).execute("SELECT key, value FROM meta"))
    assert meta.keys() >= REQUIRED_META
    assert meta["format"] == "zenodo" and meta["method"] == method
    assert meta["rows_read"] == "72" and meta["tracks"] == "10" and meta["playlists"] == "12"
    assert float(meta["build_seconds"]) > 0


def test_summary_suggests_min_shared_1_when_most_songs_got_no_neighbours(tmp_path, capsys) -> None:
    # One curator: each song in one playlist, but for two songs in each pair of playlists.
    lines = [HEADER]
    for p in range(6):
        lines += [zenodo_line(USERS[0], "A", f"Song {p}-{t}", f"list {p}") for t in range(4)]
        lines += [zenodo_line(USERS[0], "B", f"{s} {p // 2}", f"list {p}") for s in ("X", "Y")]
    data = tmp_path / "spotify_dataset.csv"
    data.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "only 20% of the songs have recommendations of their own" in printed  # 6 of 30
    assert "--min-shared 1 --min-playlists 1" in printed
    loose = ["--min-shared", "1", "--min-playlists", "1"]
    assert main(["index", "build", str(data), "-o", str(out), "--quiet", *loose]) == 0
    assert "have recommendations of their own" not in capsys.readouterr().out
    # A collection where most songs have neighbours gets no such line.
    assert main(["index", "build", str(write_dataset(data)), "-o", str(out), "--quiet"]) == 0
    assert "have recommendations of their own" not in capsys.readouterr().out


def test_malformed_rows_are_counted_and_reported_not_dropped_silently(tmp_path, capsys) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv", bad_lines=2)
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "malformed: 2" in printed
    assert "first at line(s) 6, 7" in printed
    assert "  data: Spotify playlists (Zenodo) (about 2015), terms at zenodo.org" in printed
    assert "bot open to the public" not in printed  # its terms are the record's to say
    meta = dict(sqlite3.connect(out).execute("SELECT key, value FROM meta"))
    assert meta["rows_malformed"] == "2" and meta["malformed_lines"] == "6,7"
    assert meta["rows_read"] == "74"


def test_strict_fails_on_a_bad_row_and_keeps_the_previous_index(tmp_path, capsys) -> None:
    good = write_dataset(tmp_path / "good.csv")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(good), "-o", str(out), "--quiet"]) == 0
    before = digest(out)
    bad = write_dataset(tmp_path / "bad.csv", bad_lines=1)
    assert main(["index", "build", str(bad), "-o", str(out), "--strict", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "line 6" in err and "was not changed" in err
    assert digest(out) == before
    assert stray_files(tmp_path) == []


def _run_build(args: list[str], **kw) -> subprocess.Popen:
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, *args], text=True, **kw)


def test_disk_full_during_build_keeps_previous_index(tmp_path) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    before = digest(out)

    def small_file_limit() -> None:  # every write past 8 KiB fails with EFBIG, like a full disk
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    proc = _run_build(
        ["index", "build", str(data), "-o", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=small_file_limit,
    )
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stdout + stderr
    assert "could not write" in stderr and "Traceback" not in stderr
    assert digest(out) == before
    assert stray_files(tmp_path) == []


def test_ctrl_c_during_build_keeps_previous_index(tmp_path) -> None:
    data = write_dataset(tmp_path / "spotify_dataset.csv")
    out = tmp_path / "idx.sqlite"
    assert main(["index", "build", str(data), "-o", str(out), "--quiet"]) == 0
    before = digest(out)
    # A bigger dataset so the build is still running when the signal arrives.
    big = tmp_path / "big.csv"
    gen = Path(__file__).resolve().parents[2] / "scripts" / "make_synthetic.py"
    subprocess.run(
        [sys.executable, str(gen), "--rows", "300000", "--out", str(big), "--no-measure"],
        check=True,
        capture_output=True,
    )
    proc = _run_build(
        ["index", "build", str(big), "-o", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell's background job inherits SIGINT ignored, and Python then never raises
        # KeyboardInterrupt: give the build the disposition a terminal user's process has.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):  # the write has begun
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert digest(out) == before
    assert stray_files(tmp_path) == []
