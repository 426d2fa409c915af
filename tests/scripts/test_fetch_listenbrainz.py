"""scripts/fetch_listenbrainz.py and listenbrainz_mirror.py against a fake ListenBrainz mirror
on 127.0.0.1.

The fake serves a tree shaped like data.metabrainz.org/pub/musicbrainz/listenbrainz/
(``fullexport/`` with ``-full`` and ``-db`` folders, ``incremental/``), each folder as an
Apache- or nginx-style HTML index, each archive with ``.sha256`` and ``.md5`` files beside
it, Range requests, and faults to inject per path: a 500, a 404, a body cut short, an
answer slower than the client's timeout. The tests check what a user sees: which files end
up in the folder, what is printed for ``songsim index build``, and the one-line errors.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import io
import random
import sys
import threading
import time
import urllib.parse
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.scripts import load_script

ROOT = "/pub/musicbrainz/listenbrainz/"


fetch_lb = load_script("fetch_listenbrainz")
mirror_lb = sys.modules["listenbrainz_mirror"]  # imported by the script from beside it


def archive_name(dump_id: int, stamp: str, kind: str) -> str:
    return f"listenbrainz-listens-dump-{dump_id}-{stamp}-{kind}.tar.zst"


class FakeMirror:
    """A directory tree served over HTTP the way the ListenBrainz mirror serves it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = {ROOT, ROOT + "fullexport/", ROOT + "incremental/"}
        self.faults: dict[str, list[str]] = {}
        self.ranges = True
        self.requests: list[tuple[str, str | None]] = []
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                mirror.requests.append((path, self.headers.get("Range")))
                queue = mirror.faults.get(path) or []
                fault = queue.pop(0) if queue else None
                if fault == "slow":
                    time.sleep(1.0)  # the client has given up by now
                if fault in ("500", "404"):
                    return self._send(int(fault), b"<html>error</html>")
                if path in mirror.dirs:
                    return self._send(200, mirror.index_page(path), "text/html; charset=utf-8")
                if path not in mirror.files:
                    return self._send(404, b"<html>404 Not Found</html>")
                data = mirror.files[path]
                start = self._range_start()
                if start is not None and start >= len(data):
                    return self._send(416, b"", extra={"Content-Range": f"bytes */{len(data)}"})
                if start is not None:
                    body = data[start:]
                    extra = {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
                    return self._send(206, body, extra=extra, cut=fault == "truncate")
                self._send(200, data, cut=fault == "truncate")

            def _range_start(self) -> int | None:
                header = self.headers.get("Range")
                if not mirror.ranges or not header or not header.startswith("bytes="):
                    return None
                return int(header.removeprefix("bytes=").rstrip("-"))

            def _send(
                self, status, body, content_type="application/octet-stream", extra=None, cut=False
            ):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if mirror.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if cut else body)  # cut: then hang up

            def log_message(self, *args) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # the client hung up on a slow answer: nothing to report

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}{ROOT}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the tree ---------------------------------------------------------------------------

    def add(self, path: str, data: bytes) -> None:
        self.files[path] = data
        parts = path.split("/")
        for i in range(len(parts) - 1):
            self.dirs.add("/".join(parts[: i + 1]) + "/")

    def add_dump(self, dump_id: int, stamp: str, kind: str, size: int = 40_000) -> bytes:
        """A dump folder as ListenBrainz publishes it; returns its listens archive's bytes."""
        top = "incremental" if kind == "incremental" else "fullexport"
        folder = f"{ROOT}{top}/listenbrainz-dump-{dump_id}-{stamp}-{kind}/"
        self.dirs.add(folder)
        data = random.Random(dump_id).randbytes(size)
        if kind == "db":
            self.add(folder + f"listenbrainz-public-dump-{stamp}.tar.zst", data)
            return data
        spark = f"listenbrainz-spark-dump-{dump_id}-{stamp}-{kind}.tar"
        for name, body in ((archive_name(dump_id, stamp, kind), data), (spark, data[:100])):
            self.add(folder + name, body)
            self.add(folder + name + ".sha256", hashlib.sha256(body).hexdigest().encode())
            md5 = hashlib.md5(body).hexdigest()  # md5sum's own format, as a variant
            self.add(folder + name + ".md5", f"{md5}  {name}\n".encode())
        return data

    def archive_path(self, dump_id: int, stamp: str, kind: str) -> str:
        top = "incremental" if kind == "incremental" else "fullexport"
        folder = f"{ROOT}{top}/listenbrainz-dump-{dump_id}-{stamp}-{kind}/"
        return folder + archive_name(dump_id, stamp, kind)

    def children(self, folder: str) -> list[str]:
        names = {p[len(folder) :] for p in self.files if p.startswith(folder)}
        names |= {d[len(folder) :] for d in self.dirs if d.startswith(folder) and d != folder}
        return sorted(n for n in names if "/" not in n.rstrip("/"))

    def index_page(self, folder: str) -> bytes:
        """Apache's fancy index for fullexport/, nginx's autoindex elsewhere."""
        title = f"Index of {html.escape(folder)}"
        names = self.children(folder)
        if "fullexport" in folder:
            rows = "".join(
                f'<tr><td valign="top"><img src="/icons/{"folder" if n.endswith("/") else "unknown"}'
                f'.gif" alt="[   ]"></td><td><a href="{urllib.parse.quote(n)}">{html.escape(n)}</a>'
                '</td><td align="right">2026-03-15 12:01  </td><td align="right">  - </td></tr>\n'
                for n in names
            )
            page = (
                '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n<head>\n'
                f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<table>\n"
                '<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th>'
                '<th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a>'
                '</th><th><a href="?C=S;O=A">Size</a></th></tr>\n'
                '<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td>'
                f'<td><a href="{folder.rstrip("/").rsplit("/", 1)[0]}/">Parent Directory</a></td>'
                "</tr>\n"
                f"{rows}</table>\n<address>Apache Server</address>\n</body></html>\n"
            )
        else:
            rows = "".join(
                f'<a href="{urllib.parse.quote(n)}">{html.escape(n if len(n) <= 50 else n[:47] + "..&gt;")}'
                f"</a>{' ' * max(1, 51 - len(n))}16-Mar-2026 00:31    -\n"
                for n in names
            )
            page = (
                f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1><hr><pre>"
                f'<a href="../">../</a>\n{rows}</pre><hr></body>\n</html>\n'
            )
        return page.encode()


FULL_OLD = (100, "20260301-000003", "full")
INC_AT_OLD = (99, "20260301-000003", "incremental")
INC_BETWEEN = (105, "20260308-000003", "incremental")
INC_AT_FULL = (109, "20260315-000003", "incremental")  # the full dump ends where this ends
FULL = (110, "20260315-000003", "full")
INC_1 = (111, "20260316-000003", "incremental")
DB = (112, "20260316-020000", "db")
INC_2 = (113, "20260317-000003", "incremental")


@pytest.fixture
def mirror() -> Iterator[FakeMirror]:
    fake = FakeMirror()
    fake.data = {}
    for dump in (FULL_OLD, INC_AT_OLD, INC_BETWEEN, INC_AT_FULL, FULL, INC_1, DB, INC_2):
        fake.data[dump] = fake.add_dump(*dump)
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch) -> None:
    monkeypatch.setattr(mirror_lb, "BACKOFF", 0.01)


def fetch(mirror: FakeMirror, dest: Path, *args: str) -> tuple[int, str, str]:
    out, log = io.StringIO(), io.StringIO()
    argv = ["--mirror", mirror.base, "--dest", str(dest), "--timeout", "5", *args]
    code = fetch_lb.main(argv, out=out, log=log)
    return code, out.getvalue(), log.getvalue()


def archive_gets(mirror: FakeMirror) -> list[str]:
    return [p.rsplit("/", 1)[1] for p, _ in mirror.requests if p.endswith((".tar.zst", ".tar"))]


def names(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if not p.name.startswith("."))


def test_fetches_the_newest_full_dump_and_the_incrementals_after_it(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    code, out, err = fetch(mirror, dest, "--dry-run")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()] == ["fetch"] * 3
    assert archive_gets(mirror) == [] and not dest.exists()  # a dry run fetches nothing

    code, out, err = fetch(mirror, dest, "--print-paths")
    assert code == 0, err
    build_order = [FULL, INC_1, INC_2]
    assert out.splitlines() == [str(dest / archive_name(*d)) for d in build_order]
    for dump in build_order:
        assert (dest / archive_name(*dump)).read_bytes() == mirror.data[dump]
    assert names(dest) == sorted(archive_name(*d) for d in build_order)  # no .part left
    # Only the listens archives: no spark dump, no db dump, nothing the full dump holds.
    assert archive_gets(mirror) == [archive_name(*d) for d in build_order]
    assert "Done: 3 files fetched" in err and "Traceback" not in err
    assert "\r" not in err  # not a terminal: log lines, no bar

    mirror.requests.clear()
    code, out_again, err = fetch(mirror, dest, "--print-paths")
    assert code == 0, err
    assert out_again == out
    assert archive_gets(mirror) == []  # a second run fetches nothing
    assert "Done: 0 files fetched" in err and "3 already here" in err

    code, out, err = fetch(mirror, dest)  # without --print-paths: the command to run
    assert out.startswith("Next: songsim index build ") and out.rstrip().endswith(
        f"{archive_name(*INC_2)} -o neighbours.sqlite"
    )


def test_an_interrupted_download_resumes_where_it_stopped(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    dest.mkdir()
    full = archive_name(*FULL)
    (dest / f"{full}.part").write_bytes(mirror.data[FULL][:1000])  # a run cut off earlier
    inc_1 = archive_name(*INC_1)
    (dest / f"{inc_1}.part").write_bytes(mirror.data[INC_1])  # cut off just before the rename
    mirror.faults[mirror.archive_path(*INC_2)] = ["truncate"]  # and this one is cut off now

    code, out, err = fetch(mirror, dest, "--print-paths")

    assert code == 0, err
    ranges = {p.rsplit("/", 1)[1]: [] for p, _ in mirror.requests}
    for path, header in mirror.requests:
        ranges[path.rsplit("/", 1)[1]].append(header)
    assert ranges[full] == ["bytes=1000-"]
    assert ranges[inc_1] == [f"bytes={len(mirror.data[INC_1])}-"]  # 416: nothing left to fetch
    half = len(mirror.data[INC_2]) // 2
    assert ranges[archive_name(*INC_2)] == [None, f"bytes={half}-"]
    for dump in (FULL, INC_1, INC_2):
        assert (dest / archive_name(*dump)).read_bytes() == mirror.data[dump]
    assert not list(dest.glob("*.part"))
    assert "Resuming" in err


def test_a_mirror_without_range_support_starts_the_file_again(mirror, tmp_path) -> None:
    mirror.ranges = False
    dest = tmp_path / "lb"
    dest.mkdir()
    (dest / f"{archive_name(*FULL)}.part").write_bytes(b"x" * 5000)  # would not even match

    code, _, err = fetch(mirror, dest)

    assert code == 0, err
    assert (dest / archive_name(*FULL)).read_bytes() == mirror.data[FULL]


def test_server_errors_and_slow_answers_are_retried(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    mirror.faults[mirror.archive_path(*FULL)] = ["500"]
    mirror.faults[mirror.archive_path(*INC_1)] = ["slow"]
    mirror.faults[ROOT + "incremental/"] = ["500"]

    started = time.monotonic()
    code, _, err = fetch(mirror, dest, "--timeout", "0.3")

    assert code == 0, err
    assert time.monotonic() - started < 5
    gets = archive_gets(mirror)
    assert gets.count(archive_name(*FULL)) == 2 and gets.count(archive_name(*INC_1)) == 2
    assert "HTTP 500" in err and "no answer within the timeout" in err and "trying again" in err
    for dump in (FULL, INC_1, INC_2):
        assert (dest / archive_name(*dump)).read_bytes() == mirror.data[dump]


def test_a_server_that_keeps_failing_gets_one_sentence(mirror, tmp_path) -> None:
    mirror.faults[ROOT + "fullexport/"] = ["500"] * 3
    code, out, err = fetch(mirror, tmp_path / "lb", "--retries", "1")
    assert code == 1 and out == ""
    last = err.splitlines()[-1]
    assert (
        last.startswith("fetch_listenbrainz: reading ") and "failed after 2 tries (HTTP 500" in last
    )
    assert "Traceback" not in err


def test_a_bad_checksum_fails_clearly_and_leaves_no_complete_looking_file(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    bad = archive_name(*INC_2)
    folder = mirror.archive_path(*INC_2).rsplit("/", 1)[0]
    mirror.files[f"{folder}/{bad}.sha256"] = hashlib.sha256(b"something else").hexdigest().encode()

    code, out, err = fetch(mirror, dest, "--print-paths")

    assert code == 1
    assert out == ""  # nothing for $(...) to hand to the build
    last = err.splitlines()[-1]
    assert last.startswith("fetch_listenbrainz: ") and f"{bad} is damaged" in last
    assert "the partial file was deleted" in last and "Traceback" not in err
    assert not (dest / bad).exists() and not (dest / f"{bad}.part").exists()
    assert names(dest) == sorted([archive_name(*FULL), archive_name(*INC_1)])

    del mirror.files[f"{folder}/{bad}.sha256"]  # the MD5 file is used when there is no SHA-256
    code, out, err = fetch(mirror, dest, "--print-paths")
    assert code == 0, err
    assert (dest / bad).read_bytes() == mirror.data[INC_2]


def test_incrementals_only_fetches_only_the_newer_incrementals(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    assert fetch(mirror, dest)[0] == 0
    inc_3 = (114, "20260318-000003", "incremental")
    new_full = (115, "20260318-000003", "full")  # a newer full dump, ending where inc_3 ends
    for dump in (inc_3, new_full):
        mirror.data[dump] = mirror.add_dump(*dump)
    mirror.requests.clear()

    code, out, err = fetch(mirror, dest, "--incrementals-only", "--print-paths")

    assert code == 0, err
    assert archive_gets(mirror) == [archive_name(*inc_3)]
    expected = [FULL, INC_1, INC_2, inc_3]
    assert out.splitlines() == [str(dest / archive_name(*d)) for d in expected]

    # Without the option the newest full dump is used; --prune drops what it makes unneeded.
    code, out, err = fetch(mirror, dest, "--print-paths", "--prune")
    assert code == 0, err
    assert out.splitlines() == [str(dest / archive_name(*new_full))]
    assert names(dest) == [archive_name(*new_full)]
    assert (dest / archive_name(*new_full)).read_bytes() == mirror.data[new_full]


def test_incrementals_only_needs_a_full_dump_and_an_unbroken_chain(mirror, tmp_path) -> None:
    dest = tmp_path / "lb"
    code, out, err = fetch(mirror, dest, "--incrementals-only")
    assert code == 1 and out == ""
    assert "there is no full listens dump in" in err and "without --incrementals-only" in err

    dest.mkdir(exist_ok=True)
    (dest / archive_name(50, "20260101-000003", "full")).write_bytes(b"old")
    code, out, err = fetch(mirror, dest, "--incrementals-only")
    assert code == 1 and out == ""
    assert "no longer lists the incremental dumps right after 20260101" in err
    assert archive_gets(mirror) == []


def test_folders_still_being_uploaded_are_left_for_later(mirror, tmp_path) -> None:
    uploading_full = (120, "20260318-000003", "full")
    mirror.add_dump(*uploading_full)
    del mirror.files[mirror.archive_path(*uploading_full)]  # only the spark dump is there yet
    uploading = (114, "20260318-000003", "incremental")
    mirror.add_dump(*uploading)
    del mirror.files[mirror.archive_path(*uploading)]
    mirror.add_dump(118, "20260319-000003", "incremental")  # must not be used across the hole

    code, out, err = fetch(mirror, tmp_path / "lb", "--print-paths")

    assert code == 0, err
    expected = [FULL, INC_1, INC_2]
    assert [Path(p).name for p in out.splitlines()] == [archive_name(*d) for d in expected]
    assert "listenbrainz-dump-120-20260318-000003-full/ has no listens archive" in err
    assert "listenbrainz-dump-114-20260318-000003-incremental/ has no listens archive" in err


def test_a_wrong_mirror_or_an_empty_one_says_so(mirror, tmp_path) -> None:
    code, _, err = fetch(mirror, tmp_path / "a", "--mirror", mirror.base + "nothing/")
    assert code == 1
    assert err.count("\n") == 1 and "(HTTP 404); check --mirror" in err

    empty = FakeMirror()
    try:
        code, _, err = fetch(empty, tmp_path / "b")
    finally:
        empty.close()
    assert code == 1 and err.count("\n") == 1
    assert "no full listens dump found at" in err and "Traceback" not in err


def test_a_full_disk_stops_before_downloading(mirror, tmp_path, monkeypatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(fetch_lb.shutil, "disk_usage", lambda path: usage(10**9, 10**9, 1000))
    dest = tmp_path / "lb"
    code, out, err = fetch(mirror, dest)
    assert code == 1 and out == ""
    last = err.splitlines()[-1]
    assert "not enough disk space" in last and "free some space and run again" in last
    assert names(dest) == []


def test_a_second_run_on_the_same_folder_waits_its_turn(mirror, tmp_path) -> None:
    fcntl = pytest.importorskip("fcntl")
    dest = tmp_path / "lb"
    dest.mkdir()
    with (dest / ".fetch_listenbrainz.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run still downloading does
        code, out, err = fetch(mirror, dest)
    assert code == 1 and out == ""
    assert "another fetch is already running in" in err
    assert archive_gets(mirror) == []


def test_progress_is_a_bar_on_a_terminal_and_a_few_lines_otherwise() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = fetch_lb.Progress(screen, "x.tar.zst", 4_000_000, 0)
    for _ in range(4):
        bar.add(1_000_000)
    bar.close()
    assert "\r" in screen.getvalue() and "100%" in screen.getvalue()
    assert "4.0 MB of 4.0 MB" in screen.getvalue()

    log = io.StringIO()
    lines = fetch_lb.Progress(log, "x.tar.zst", 4_000_000, 0)
    for _ in range(40):
        lines.add(100_000)
    assert log.getvalue().splitlines() == [f"x.tar.zst: {p}% of 4.0 MB" for p in (25, 50, 75)]


def test_listings_and_checksum_files_in_their_usual_shapes() -> None:
    folder = "https://mirror.example/pub/lb/incremental/"
    page = (
        '<a href="?C=N;O=D">Name</a><a href="/pub/lb/">Parent Directory</a><a href="../">../</a>'
        '<a href="listenbrainz-dump-1-20260101-000003-incremental/">x</a>'
        '<a href="/pub/lb/incremental/listenbrainz-dump-2-20260102-000003-incremental/">y</a>'
        '<a href="https://elsewhere.example/pub/lb/incremental/z/">z</a>'
        '<a href="a%20file.txt">a file.txt</a>'
    )
    assert fetch_lb.listing_names(page, folder) == [
        "listenbrainz-dump-1-20260101-000003-incremental/",
        "listenbrainz-dump-2-20260102-000003-incremental/",
        "a file.txt",
    ]
    digest = "ab" * 32
    assert fetch_lb.parse_checksum(digest + "\n", "f", "sha256") == digest
    assert fetch_lb.parse_checksum(f"{'0' * 64}  g\n{digest} *f\n", "f", "sha256") == digest
    assert fetch_lb.parse_checksum("<html>not found</html>", "f", "sha256") is None
