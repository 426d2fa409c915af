"""scripts/download_zenodo.py against a fake Zenodo on 127.0.0.1: the dataset step of
docs/DEPLOY.md (plan, resume, checksum, unpack, offline message)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import threading
import zipfile
from collections.abc import Iterator

import pytest

from tests.support.scripts import load_script

download_zenodo = load_script("download_zenodo")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_dry_run_prints_the_plan_and_touches_nothing(
    tmp_path, monkeypatch, capsys
) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("--dry-run must not use the network")

    monkeypatch.setattr(download_zenodo.urllib.request, "urlopen", no_network)
    out = tmp_path / "data"
    assert download_zenodo.main(["--dry-run", "--out", str(out)]) == 0
    plan = capsys.readouterr().out
    assert "https://zenodo.org/api/records/2594557" in plan
    assert "spotify_playlists.zip" in plan and str(out / "spotify_dataset.csv") in plan
    assert not out.exists()


def test_record_file_list_in_both_api_shapes() -> None:
    legacy = {
        "files": [
            {
                "key": "spotify_playlists.zip",
                "size": 10,
                "checksum": "md5:abc",
                "links": {
                    "self": "https://zenodo.org/api/records/1/files/spotify_playlists.zip/content"
                },
            }
        ]
    }
    nested = {
        "files": {
            "entries": {
                "spotify_playlists.zip": {
                    "key": "spotify_playlists.zip",
                    "size": 10,
                    "checksum": "md5:abc",
                }
            }
        }
    }
    for meta in (legacy, nested):
        (f,) = download_zenodo.files_from_record(meta, "https://zenodo.org/api", "1")
        assert (f.name, f.size, f.md5) == ("spotify_playlists.zip", 10, "abc")
        assert f.url == "https://zenodo.org/api/records/1/files/spotify_playlists.zip/content"


class FakeZenodo:
    """A record API and file server on 127.0.0.1 that honours Range requests."""

    def __init__(self, archive: bytes, md5: str | None = None) -> None:
        self.archive, self.md5 = archive, md5 or hashlib.md5(archive).hexdigest()
        self.ranges: list[str | None] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/api/records/2594557":
                    body = json.dumps(
                        {
                            "files": [
                                {
                                    "key": "spotify_playlists.zip",
                                    "size": len(fake.archive),
                                    "checksum": f"md5:{fake.md5}",
                                    "links": {
                                        "self": f"{fake.base}/api/records/2594557/files/spotify_playlists.zip/content"
                                    },
                                }
                            ]
                        }
                    ).encode()
                    self._send(200, body)
                elif self.path.endswith("/files/spotify_playlists.zip/content"):
                    rng = self.headers.get("Range")
                    fake.ranges.append(rng)
                    if rng:
                        start = int(rng.split("=")[1].rstrip("-"))
                        self._send(206, fake.archive[start:])
                    else:
                        self._send(200, fake.archive)
                else:
                    self._send(404, b"{}")

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


CSV = b'"user_id", "artistname", "trackname", "playlistname"\n' + b"".join(
    f'"{i:032x}","artist {i * 7919 % 104729}","track {i * 104729 % 7919}","list {i % 13}"\n'.encode()
    for i in range(2000)
)


@pytest.fixture
def fake_zenodo() -> Iterator[FakeZenodo]:
    archive = _zip(
        {
            "../evil.csv": b"x",
            "spotify_playlists/spotify_dataset.csv": CSV,
            "__MACOSX/spotify_playlists/spotify_dataset.csv": b"junk",
        }
    )
    fake = FakeZenodo(archive)
    yield fake
    fake.close()


def test_download_resumes_checks_and_unpacks_only_the_csv(tmp_path, fake_zenodo, capsys) -> None:
    out = tmp_path / "data"
    out.mkdir()
    assert len(fake_zenodo.archive) > 5000
    (out / "spotify_playlists.zip.part").write_bytes(fake_zenodo.archive[:1000])  # a cut-off run
    argv = ["--out", str(out), "--api", f"{fake_zenodo.base}/api", "--quiet"]
    assert download_zenodo.main(argv) == 0
    assert fake_zenodo.ranges == ["bytes=1000-"]
    assert (out / "spotify_dataset.csv").read_bytes() == CSV
    assert sorted(p.name for p in out.iterdir()) == ["spotify_dataset.csv"]  # zip removed
    assert not (tmp_path / "evil.csv").exists()
    assert "Next: `docker compose --profile build run --rm index`" in capsys.readouterr().out
    assert download_zenodo.main(argv) == 0  # a second run finds the file and does nothing
    assert len(fake_zenodo.ranges) == 1


def test_download_refuses_a_damaged_archive(tmp_path, capsys) -> None:
    fake = FakeZenodo(_zip({"spotify_dataset.csv": CSV}), md5="0" * 32)
    try:
        out = tmp_path / "data"
        assert (
            download_zenodo.main(["--out", str(out), "--api", f"{fake.base}/api", "--quiet"]) == 1
        )
    finally:
        fake.close()
    err = capsys.readouterr().err
    assert "damaged" in err and err[-1] == "\n" and err.count("\n") == 1
    assert list(out.iterdir()) == []  # nothing half-done is left to be mistaken for the data


def test_download_says_how_to_continue_when_offline(tmp_path, capsys) -> None:
    port = _closed_port()
    argv = ["--out", str(tmp_path), "--api", f"http://127.0.0.1:{port}/api", "--timeout", "5"]
    assert download_zenodo.main(argv) == 1
    err = capsys.readouterr().err
    assert "could not read the record's file list" in err and "zenodo.org/records/2594557" in err
