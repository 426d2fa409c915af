"""The ListenBrainz dump generator (scripts/make_listenbrainz.py) writes what a reader will meet.

Each check reads the written files as a user of the dumps would (folders, archives, JSON
lines), not the generator's arrays: the layout of the real dumps, valid lines with the real
fields, month files sorted by time, the MBID share, determinism, and that the same listens
written as one full dump or as full + incrementals give the same lines.
"""

from __future__ import annotations

import re
import tarfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from tests.support.scripts import load_script

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
N = 5_000


mlb = load_script("make_listenbrainz")


def write(out: Path, *extra: str, listens: int = N, seed: int = 3) -> list[Path]:
    """Run the script in-process (one worker: no fork under pytest); the dump folders."""
    args = ["--listens", str(listens), "--seed", str(seed), "--out", str(out), "--workers", "1"]
    assert mlb.main([*args, *extra]) == 0
    if out.is_file():
        return [out]
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def month_files(dump: Path) -> list[Path]:
    return sorted((dump / "listens").glob("*/*.listens"))


def lines_of(dumps: list[Path]) -> list[bytes]:
    return [line for d in dumps for f in month_files(d) for line in f.read_bytes().splitlines()]


def parse(line: bytes) -> dict | None:
    """The listen, or None for a line a reader must skip (not JSON, or missing a field)."""
    try:
        listen = msgspec.json.decode(line)
    except msgspec.DecodeError:
        return None
    tm = listen.get("track_metadata", {})
    if not tm.get("track_name") or not tm.get("artist_name"):
        return None
    if not isinstance(listen.get("listened_at"), int):
        return None
    return listen


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (one,) = write(tmp_path_factory.mktemp("lb"), "--malformed", "0.01")
    return one


def test_the_layout_is_that_of_the_real_dumps(dump: Path) -> None:
    assert re.fullmatch(r"listenbrainz-listens-dump-1-\d{8}-\d{6}-full", dump.name)
    assert (dump / "SCHEMA_SEQUENCE").read_text() == "1"
    assert datetime.fromisoformat((dump / "TIMESTAMP").read_text()).tzinfo is not None
    assert (dump / "COPYING").is_file()
    files = month_files(dump)
    assert len(files) >= 30  # 2024-01 .. 2026-11
    for f in files:
        assert f.parent.name.isdigit() and re.fullmatch(r"([1-9]|1[0-2])\.listens", f.name)


def test_every_good_line_is_a_listen_with_the_real_fields(dump: Path) -> None:
    lines = lines_of([dump])
    assert len(lines) == N
    good = [listen for listen in map(parse, lines) if listen]
    assert N * 0.98 < len(good) < N  # --malformed 0.01: about 50 broken lines
    clients = Counter()
    for listen in good:
        assert list(listen)[:3] == ["user_id", "user_name", "listened_at"]
        assert isinstance(listen["user_id"], int) and listen["user_name"]
        assert UUID.match(listen["recording_msid"])
        tm = listen["track_metadata"]
        ai = tm["additional_info"]
        assert ai["recording_msid"] == listen["recording_msid"]
        clients[ai.get("submission_client")] += 1
        if "spotify_id" in ai:
            assert re.fullmatch(
                r"https://open\.spotify\.com/track/[0-9A-Za-z]{22}", ai["spotify_id"]
            )
        for key in ("recording_mbid", "release_mbid"):
            assert key not in ai or UUID.match(ai[key])
        mapping = tm.get("mbid_mapping")
        if mapping:
            assert UUID.match(mapping["recording_mbid"]) and mapping["recording_name"]
            assert [a["artist_mbid"] for a in mapping["artists"]] == mapping["artist_mbids"]
    assert len(clients) >= 4  # additional_info varies with the submission client
    assert sum("release_name" not in x["track_metadata"] for x in good) > 0
    assert any(ord(c) > 0x2FF for x in good for c in x["track_metadata"]["artist_name"])


def test_month_files_are_sorted_by_listened_at_in_their_month(dump: Path) -> None:
    for f in month_files(dump):
        times = [x["listened_at"] for x in map(parse, f.read_bytes().splitlines()) if x]
        assert times == sorted(times)
        months = {datetime.fromtimestamp(t, UTC).strftime("%Y/%-m") for t in times}
        assert months == {f"{f.parent.name}/{f.stem}"}


def test_about_seventy_percent_of_listens_carry_an_mbid(dump: Path) -> None:
    good = [x for x in map(parse, lines_of([dump])) if x]

    def has_mbid(x: dict) -> bool:
        tm = x["track_metadata"]
        return "mbid_mapping" in tm or "recording_mbid" in tm["additional_info"]

    share = sum(map(has_mbid, good)) / len(good)
    assert 0.60 <= share <= 0.80
    only_ai = [x for x in good if has_mbid(x) and "mbid_mapping" not in x["track_metadata"]]
    assert only_ai  # some carry only the client's additional_info.recording_mbid


def test_sessions_have_the_shape_of_listening(dump: Path) -> None:
    by_user: dict[int, list[int]] = {}
    for x in map(parse, lines_of([dump])):
        if x:
            by_user.setdefault(x["user_id"], []).append(x["listened_at"])
    gaps = Counter()
    sessions = 0
    for times in by_user.values():
        times.sort()
        steps = [b - a for a, b in zip(times, times[1:], strict=False)]
        sessions += 1 + sum(s > 1800 for s in steps)
        gaps.update("boundary" if 1500 <= s <= 2100 else "in" if s < 1500 else "out" for s in steps)
    counts = sorted(len(t) for t in by_user.values())
    assert counts[-1] > 20 * counts[len(counts) // 2]  # heavy-tailed activity
    assert 2 < N / sessions < 60
    assert gaps["boundary"] > 10  # gaps on both sides of the 30-minute rule


def test_clean_writes_no_broken_line(tmp_path: Path) -> None:
    lines = lines_of(write(tmp_path, "--clean", "--malformed", "0.05"))
    assert all(parse(line) for line in lines)


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path, dump: Path) -> None:
    again = write(tmp_path, "--malformed", "0.01")
    assert [f.read_bytes() for f in month_files(again[0])] == [
        f.read_bytes() for f in month_files(dump)
    ]
    other = lines_of(write(tmp_path / "other", seed=4))
    assert other != lines_of([dump])


def test_full_plus_incrementals_hold_the_lines_of_one_full_dump(tmp_path: Path) -> None:
    whole = write(tmp_path / "whole", "--timestamp-key", "timestamp")
    split = write(tmp_path / "split", "--split-at", "2026-11-20", "--incremental", "3")
    assert len(whole) == 1 and len(split) == 4
    full, *incrementals = sorted(split, key=lambda p: p.name.split("-")[3])
    assert full.name.endswith("-full") and all(
        p.name.endswith("-incremental") for p in incrementals
    )
    assert all((p / "START_TIMESTAMP").is_file() for p in incrementals)
    whole_lines = [line.replace(b'"timestamp":', b'"listened_at":') for line in lines_of(whole)]
    assert Counter(whole_lines) == Counter(lines_of(split))
    # Incrementals hold late imports: listens inserted after the split but heard long before.
    split_at = datetime(2026, 11, 20, tzinfo=UTC).timestamp()
    late = [
        x for x in map(parse, lines_of(incrementals)) if x and x["listened_at"] < split_at - 86_400
    ]
    assert late


def _members(path: Path) -> dict[str, bytes]:
    if path.name.endswith(".zst"):
        zstandard = pytest.importorskip("zstandard")
        with (
            open(path, "rb") as raw,
            zstandard.ZstdDecompressor().stream_reader(raw) as packed,
            tarfile.open(fileobj=packed, mode="r|") as tar,
        ):
            return {m.name: tar.extractfile(m).read() for m in tar}
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


@pytest.mark.parametrize("kind", ["xz", "xz-in-python", "zst"])
def test_the_archive_holds_the_lines_of_the_folder(
    tmp_path: Path, dump: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "xz-in-python":
        monkeypatch.setattr(mlb.shutil, "which", lambda _: None)
    out = tmp_path / ("lb.tar.zst" if kind == "zst" else "lb.tar.xz")
    write(out, "--malformed", "0.01")
    members = _members(out)
    top = [f"{dump.name}/{name}" for name in ("SCHEMA_SEQUENCE", "TIMESTAMP", "COPYING")]
    assert list(members)[:3] == top
    packed = {n: data for n, data in members.items() if n.endswith(".listens")}
    folder = {f"{dump.name}/{f.relative_to(dump)}": f.read_bytes() for f in month_files(dump)}
    assert packed == folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # scratch removed
