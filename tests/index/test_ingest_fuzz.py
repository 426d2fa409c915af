"""Unreadable input ends in one sentence: deterministic fuzzing of every reader and the CLI.

Every reader (and ``detect_format``) is fed random bytes, small valid files cut at many
offsets (mid-record, mid-UTF-8 character), mutated bytes, other encodings, damaged gzip
files, type-confused MPD JSON, cut Yes.com files and odd paths (a pipe, a symlink loop, a
folder). Each outcome must be a Corpus (the unusable rows counted as malformed, every name
storable as UTF-8) or a :class:`DatasetError` whose message is one line naming the file:
never another exception. Seeds are fixed, so a failure replays.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from index.corpus import Corpus, DatasetError
from index.ingest import FORMATS, detect_format, read_dataset
from tests.support.mpd_index import PLAYLISTS, mpd_slice

ALL_FORMATS = ("auto", *FORMATS)
USERS = ["9cc0cfd4d7d7885102480dd99e7a90d6", "07f0fc3be95dcd878966b1f9572ff670"]


@pytest.fixture(autouse=True)
def _quiet_ingest_warnings() -> Iterator[None]:
    """Thousands of reads each log a 'skipped N malformed rows' warning: keep them out."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


# --------------------------------------------------------------------------- valid samples


def zenodo_bytes() -> bytes:
    rows = ['"user_id", "artistname", "trackname", "playlistname"']
    for i in range(24):
        user = USERS[i % 2]
        artist = ["Beyoncé", "Sigur Rós", 'The "Quoted"', "AC\\DC"][i % 4]
        rows.append(f'"{user}","{artist}","Song {i % 7} – ü","mix {i % 3} 🎧"')
    rows.insert(9, f'"{USERS[0]}","Queen","Line\nbreak","mix 0 🎧"')  # a field with a newline
    return ("\n".join(rows) + "\n").encode()


def csv_bytes() -> bytes:
    rows = ["playlist,artist,track,uri"]
    for i in range(24):
        uri = f"spotify:track:{i:022d}"
        rows.append(f'"road, trip {i % 3}",Björk,"Song ""{i % 7}""",{uri}')
    rows.insert(5, '"multi\nline",Toto,Africa,')
    return ("\r\n".join(rows) + "\r\n").encode()


def mpd_bytes() -> bytes:
    doc = mpd_slice(0, PLAYLISTS)
    doc["playlists"][0]["name"] = "Café ☕"
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def write_yes(folder: Path, train: bytes | None = None, songs: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if train is None:
        lines = ["0 1 2 3 ", "1 1 1 1 ", "0 1 2 ", "1 2 3 ", "0 3 ", "2 3 0 1 "]
        train = ("\n".join(lines) + "\n").encode()
    if songs is None:
        titles = [("Halo", "Beyoncé"), ("Hurt", "Johnny Cash"), ("A\\/B", "Ø"), ("Yes", "Yes")]
        songs = "".join(f"{i}\t{t}\t{a}\n" for i, (t, a) in enumerate(titles)).encode()
    (folder / "train.txt").write_bytes(train)
    (folder / "song_hash.txt").write_bytes(songs)
    return folder


SAMPLES = {
    "zenodo.csv": zenodo_bytes,
    "playlists.csv": csv_bytes,
    "mpd.slice.0-999.json": mpd_bytes,
}
FORMAT_OF = {"zenodo.csv": "zenodo", "playlists.csv": "csv", "mpd.slice.0-999.json": "mpd"}


# --------------------------------------------------------------------------- the property


def outcome(path: Path, fmt: str, *, strict: bool = False) -> Corpus | DatasetError:
    """Read ``path``; a Corpus or a DatasetError is fine, anything else fails the test."""
    try:
        corpus = read_dataset(path, fmt, strict=strict, progress=False)
    except DatasetError as exc:
        check_message(exc, path)
        return exc
    r = corpus.report
    assert corpus.n_tracks > 0 and r.rows_read >= r.rows_malformed
    for names in (corpus.track_titles, corpus.artist_names, corpus.playlist_names):
        "\x00".join(names).encode("utf-8")  # storable in SQLite (no lone surrogates)
    "".join(u or "" for u in corpus.track_uris).encode("utf-8")
    return corpus


def check_message(exc: DatasetError, path: Path) -> None:
    msg = str(exc)
    assert "\n" not in msg, msg
    assert msg.rstrip("'\")").endswith((".", "?")), msg  # a sentence, not a repr
    msg.encode("utf-8")  # printable on a UTF-8 terminal
    # It names the file (or the folder, for a Yes.com set or a file inside one).
    assert path.name in msg or path.parent.name in msg, msg


def each_format(path: Path, formats=ALL_FORMATS) -> list[Corpus | DatasetError]:
    return [outcome(path, fmt) for fmt in formats]


def cuts(data: bytes, rnd: random.Random, n: int) -> list[int]:
    """Offsets to cut ``data`` at: its ends, random ones, and inside multi-byte characters."""
    inside_char = [i for i, b in enumerate(data) if 0x80 <= b < 0xC0]  # UTF-8 continuation
    picks = {0, 1, 2, len(data) - 1, *rnd.sample(range(len(data)), n)}
    picks.update(rnd.sample(inside_char, min(5, len(inside_char))))
    return sorted(picks)


# --------------------------------------------------------------------------- fuzz


@pytest.mark.parametrize("gzipped", [False, True])
def test_random_bytes_in_every_format(tmp_path: Path, gzipped: bool) -> None:
    rnd = random.Random(1)
    p = tmp_path / "random.bin"
    for _ in range(30):
        data = rnd.randbytes(rnd.randrange(0, 3000))
        if rnd.random() < 0.3:  # a header that matches, then garbage
            data = rnd.choice([zenodo_bytes(), csv_bytes(), mpd_bytes()])[:60] + data
        p.write_bytes(gzip.compress(data) if gzipped else data)
        each_format(p)


def test_nothing_readable_fails_with_a_sentence(tmp_path: Path) -> None:
    p = tmp_path / "random.bin"
    p.write_bytes(random.Random(2).randbytes(20000))
    for result in each_format(p):
        assert isinstance(result, DatasetError)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_truncated_files_read_what_is_whole_or_say_why(tmp_path: Path, name: str) -> None:
    data = SAMPLES[name]()
    p = tmp_path / name
    p.write_bytes(data)
    assert isinstance(outcome(p, "auto"), Corpus)
    rnd = random.Random(name)
    for cut in cuts(data, rnd, 25):
        p.write_bytes(data[:cut])
        each_format(p, ("auto", FORMAT_OF[name]))
        p.write_bytes(gzip.compress(data[:cut]))
        outcome(p, "auto")
    whole = gzip.compress(data)
    for cut in cuts(whole, rnd, 10):  # a .gz cut short: never read as if complete
        if cut < len(whole) - 8:
            p.write_bytes(whole[:cut])
            assert isinstance(outcome(p, FORMAT_OF[name]), DatasetError)


def test_zenodo_cut_mid_record_keeps_the_whole_rows(tmp_path: Path) -> None:
    data = zenodo_bytes()
    p = tmp_path / "zenodo.csv"
    cut = data.index(b"Song 3") + 2
    p.write_bytes(data[:cut])
    corpus = outcome(p, "auto")
    assert isinstance(corpus, Corpus)
    assert corpus.report.rows_malformed == 1  # the half row, counted


@pytest.mark.parametrize("name", list(SAMPLES))
def test_mutated_bytes(tmp_path: Path, name: str) -> None:
    data = SAMPLES[name]()
    p = tmp_path / name
    rnd = random.Random(f"mutate {name}")
    for _ in range(25):
        b = bytearray(data)
        for _ in range(rnd.randrange(1, 12)):
            b[rnd.randrange(len(b))] = rnd.choice(
                [0, 10, 13, 34, 44, 92, 0xC3, 0xFF, rnd.randrange(256)]
            )
        p.write_bytes(bytes(b))
        each_format(p)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_damaged_gzip(tmp_path: Path, name: str) -> None:
    whole = gzip.compress(SAMPLES[name]())
    p = tmp_path / (name + ".gz")
    rnd = random.Random(f"gzip {name}")
    for _ in range(20):  # a damaged deflate stream raises zlib.error, which is no OSError
        b = bytearray(whole)
        for _ in range(rnd.randrange(1, 4)):
            b[rnd.randrange(10, len(b))] = rnd.randrange(256)
        p.write_bytes(bytes(b))
        each_format(p, ("auto", FORMAT_OF[name]))
    for head in (whole[:2], whole[:10], gzip.compress(b""), whole + b"garbage"):
        p.write_bytes(head)
        each_format(p, ("auto", FORMAT_OF[name]))
    p.write_bytes(whole + whole)  # two gzip members: one stream (for JSON, two documents)
    assert isinstance(outcome(p, FORMAT_OF[name]), Corpus if "csv" in name else DatasetError)


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le"])
def test_wide_encodings_are_refused_with_what_to_do(tmp_path: Path, name: str, encoding) -> None:
    p = tmp_path / name
    p.write_bytes(SAMPLES[name]().decode().encode(encoding))
    for result in each_format(p, ("auto", FORMAT_OF[name])):
        assert isinstance(result, DatasetError)
        assert "not a UTF-8 text file" in str(result)
    if encoding != "utf-16-le":
        assert "iconv" in str(result)


@pytest.mark.parametrize("name", ["zenodo.csv", "playlists.csv"])
def test_latin1_rows_are_counted_not_mangled(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_bytes(SAMPLES[name]().decode().encode("latin-1", errors="replace"))
    corpus = outcome(p, "auto")
    assert isinstance(corpus, Corpus) and corpus.report.rows_malformed > 0
    assert not any("\ufffd" in t for t in corpus.track_titles)


def test_bare_carriage_returns_in_a_csv(tmp_path: Path) -> None:
    """The issue's traceback: `_csv.Error: new-line character seen in unquoted field`."""
    p = tmp_path / "playlists.csv"
    p.write_bytes(b"playlist,artist,track\np,Toto,Africa\np,Qu\reen,Bohemian Rhapsody\n")
    corpus = outcome(p, "auto")
    assert isinstance(corpus, Corpus)
    assert (corpus.report.rows_malformed, corpus.report.malformed_lines) == (1, [3])
    with pytest.raises(DatasetError, match=r"line 3 .*carriage return.*'p,Qu\\reen"):
        read_dataset(p, "csv", strict=True, progress=False)
    p.write_bytes(b"playlist,artist,track\rp,Toto,Africa\r")  # old Mac line ends
    for result in each_format(p, ("auto", "csv")):
        assert isinstance(result, DatasetError) and "carriage return" in str(result)
    p.write_bytes(b"playlist,artist,track,x\ry\np,Toto,Africa\n")  # a CR inside the header
    each_format(p)


MPD_ODDITIES: list[object] = [
    None, 0, -1.5, "", "\ud800", "x\udc00y", [], {}, [1, [2]], {"a": {}}, True, 10**30,
]  # fmt: skip


def test_mpd_fields_of_every_json_type(tmp_path: Path) -> None:
    p = tmp_path / "mpd.slice.0-999.json"
    fields = [
        ("playlists",), ("playlists", 0), ("playlists", 0, "pid"), ("playlists", 0, "name"),
        ("playlists", 0, "tracks"), ("playlists", 0, "tracks", 0),
        ("playlists", 0, "tracks", 0, "artist_name"), ("playlists", 0, "tracks", 0, "track_name"),
        ("playlists", 0, "tracks", 0, "track_uri"),
    ]  # fmt: skip
    for field in fields:
        for odd in MPD_ODDITIES:
            doc = mpd_slice(0, PLAYLISTS)
            *parents, last = field
            node = doc
            for key in parents:
                node = node[key]
            node[last] = odd
            p.write_text(json.dumps(doc))  # ensure_ascii: lone surrogates as \\ud800 escapes
            result = outcome(p, "mpd")
            if isinstance(result, Corpus) and field[-1] in ("name", "pid"):
                assert len(result.playlist_names) == len(PLAYLISTS)


def test_mpd_json_nested_too_deep(tmp_path: Path) -> None:
    p = tmp_path / "mpd.slice.0-999.json"
    p.write_text('{"playlists": ' + "[" * 100_000 + "]" * 100_000 + "}")
    for result in each_format(p, ("auto", "mpd")):
        assert isinstance(result, DatasetError) and "too deeply" in str(result)
    p.write_text('{"playlists": [' + "[" * 900 + "]" * 900 + "]}")
    assert isinstance(outcome(p, "mpd"), DatasetError)  # no usable rows


def test_yes_folders_cut_or_damaged(tmp_path: Path) -> None:
    folder = write_yes(tmp_path / "yes")
    train = (folder / "train.txt").read_bytes()
    songs = (folder / "song_hash.txt").read_bytes()
    assert isinstance(outcome(folder, "auto"), Corpus)
    rnd = random.Random(3)
    for cut in cuts(train, rnd, 10):
        write_yes(folder, train=train[:cut], songs=songs)
        each_format(folder, ("auto", "yes"))
        outcome(folder / "train.txt", "yes")
    for cut in cuts(songs, rnd, 10):
        write_yes(folder, train=train, songs=songs[:cut])
        each_format(folder, ("auto", "yes"))
    write_yes(folder, train=train, songs=songs[:-5])
    with pytest.raises(DatasetError, match="song_hash.txt: line 4 .*cut short"):
        read_dataset(folder, progress=False)
    for _ in range(10):
        write_yes(folder, train=rnd.randbytes(500), songs=rnd.randbytes(300))
        each_format(folder, ("auto", "yes"))
    write_yes(folder, train=gzip.compress(train)[:20], songs=songs)
    assert isinstance(outcome(folder, "yes"), DatasetError)


def test_odd_paths(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    broken = tmp_path / "broken.csv"
    broken.symlink_to(tmp_path / "gone.csv")
    for path in (empty, folder, loop, broken, tmp_path / "missing.csv"):
        for result in each_format(path):
            assert isinstance(result, DatasetError)
    assert "loops" in str(outcome(loop, "auto"))
    assert "it is empty" in str(outcome(empty, "auto"))
    assert "gone.csv, which does not exist" in str(outcome(broken, "csv"))
    assert "is a folder" in str(outcome(folder, "zenodo"))


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "playlists.csv"
    os.mkfifo(fifo)

    def hung(*_: object) -> None:
        raise AssertionError("reading a named pipe blocked")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        for result in each_format(fifo, ("auto", "zenodo", "csv", "mpd")):
            assert isinstance(result, DatasetError) and "not a regular file" in str(result)
        assert isinstance(outcome(fifo, "yes"), DatasetError)  # no song_hash.txt beside it
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "playlists.csv"
    p.write_bytes(csv_bytes())
    p.chmod(0)
    try:
        for result in each_format(p):
            assert isinstance(result, DatasetError) and "Permission denied" in str(result)
    finally:
        p.chmod(0o600)


def test_binary_files_people_pass_by_mistake(tmp_path: Path) -> None:
    import sqlite3
    import zipfile

    z = tmp_path / "spotify_million_playlist_dataset.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("data/mpd.slice.0-999.json", mpd_bytes())
    assert "unzip it" in str(outcome(z, "auto"))
    db = tmp_path / "index.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    assert "SQLite" in str(outcome(db, "auto"))


def test_detect_format_on_fuzzed_files_raises_only_dataset_errors(tmp_path: Path) -> None:
    rnd = random.Random(4)
    p = tmp_path / "x.bin"
    for _ in range(40):
        base = rnd.choice([zenodo_bytes(), csv_bytes(), mpd_bytes(), b""])
        data = base[: rnd.randrange(len(base) + 1)] + rnd.randbytes(rnd.randrange(50))
        p.write_bytes(gzip.compress(data)[: rnd.randrange(5, 400)] if rnd.random() < 0.3 else data)
        with contextlib.suppress(DatasetError):
            assert detect_format(p) in FORMATS


# --------------------------------------------------------------------------- the command line


def build(capsys, *args: str) -> tuple[int, str]:
    code = main(["index", "build", *args, "--quiet"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "data",
    [
        random.Random(5).randbytes(100_000),
        # The issue's `_csv.Error: new-line character seen in unquoted field`, from sniffing
        # a first line holding a bare carriage return.
        gzip.compress(b"x\ry," + random.Random(6).randbytes(100_000).replace(b"\x00", b"")),
        gzip.compress(csv_bytes())[:-30],
    ],
    ids=["random", "gzip-of-random", "cut-gzip"],
)
def test_cli_ends_in_one_sentence(tmp_path: Path, capsys, data: bytes) -> None:
    p = tmp_path / "dataset.bin"
    p.write_bytes(data)
    code, err = build(capsys, str(p), "-o", str(tmp_path / "new" / "out.sqlite"))
    assert code == 2
    assert err.startswith("songsim: ") and err.count("\n") == 1 and "dataset.bin" in err
    assert not (tmp_path / "new").exists()  # the output folder made for the check is gone


def test_cli_in_a_fresh_process_prints_no_traceback(tmp_path: Path) -> None:
    p = tmp_path / "playlists.csv"
    p.write_bytes(
        b"playlist,artist,track\n" + random.Random(7).randbytes(3000).replace(b"\n", b"\r")
    )
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["index", "build", str(p), "-o", str(tmp_path / "o.sqlite"), "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "playlists.csv" in proc.stderr


def test_cli_builds_into_a_new_folder(tmp_path: Path, capsys) -> None:
    p = tmp_path / "playlists.csv"
    p.write_bytes(csv_bytes())
    out = tmp_path / "new" / "deeper" / "out.sqlite"
    code, err = build(capsys, str(p), "-o", str(out), "--min-playlists", "1", "--min-shared", "1")
    assert code == 0, err
    assert out.is_file() and [f.name for f in out.parent.iterdir()] == ["out.sqlite"]


def test_an_unwritable_output_fails_before_the_dataset_is_read(tmp_path: Path, capsys) -> None:
    # The dataset is unreadable too: had it been read first, that would be the error.
    p = tmp_path / "dataset.bin"
    p.write_bytes(random.Random(8).randbytes(1000))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for out, why in (
        (blocker / "out.sqlite", "is a file, not a folder"),
        (blocker / "sub" / "out.sqlite", "is a file, not a folder"),
        (tmp_path, "it is a folder"),
    ):
        code, err = build(capsys, str(p), "-o", str(out))
        assert code == 2 and f"could not write {out}" in err and why in err, err
        assert "dataset.bin" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_fails_before_the_dataset_is_read(tmp_path: Path, capsys) -> None:
    p = tmp_path / "dataset.bin"
    p.write_bytes(random.Random(9).randbytes(1000))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        for out in (locked / "out.sqlite", locked / "new" / "out.sqlite"):
            code, err = build(capsys, str(p), "-o", str(out))
            assert code == 2 and "could not write" in err and "Permission denied" in err, err
    finally:
        locked.chmod(0o700)


_OPENED: list[str] | None = None  # paths opened while a test listens (audit hook below)


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], str):
        _OPENED.append(args[0])


def test_the_writability_check_runs_before_the_dataset_is_opened(tmp_path: Path) -> None:
    """Whatever reads the dataset, the file is not even opened when -o cannot be written."""
    global _OPENED
    from index.build import build_index

    sys.addaudithook(_audit)  # cannot be removed: it only records while _OPENED is a list
    p = tmp_path / "playlists.csv"
    p.write_bytes(csv_bytes())
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    _OPENED = []
    try:
        with pytest.raises(OSError, match="is a file, not a folder"):
            build_index(p, blocker / "out.sqlite", progress=False)
        opened, _OPENED = _OPENED, None
    finally:
        _OPENED = None
    assert str(p) not in opened
