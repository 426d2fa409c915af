"""The container setup, checked without a Docker engine.

Static checks on the Dockerfile, .dockerignore and docker-compose.yml (and that they catch
broken versions of them), ``songsim health`` against the bot's real heartbeat writer, the
Zenodo download helper against a fake Zenodo on 127.0.0.1, and — one slow test — the
image's commands run in a fresh virtual environment installed from the built wheel.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import importlib.util
import io
import json
import os
import shutil
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import health as cli_health
from bot.heartbeat import Heartbeat

REPO = Path(__file__).resolve().parents[2]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


check_container = _load("check_container")
download_zenodo = _load("download_zenodo")


# --- static checks -------------------------------------------------------------------------


def test_repository_passes_the_static_container_checks() -> None:
    results = check_container.static_checks(REPO)
    failed = [r.line() for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    names = {r.name for r in results}
    assert {
        "hadolint",
        "Dockerfile non-root user",
        "COPY sources",
        "compose index service",
    } <= names


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The files the checks read, copied so a test can break one of them."""
    for name in (
        "Dockerfile",
        ".dockerignore",
        "docker-compose.yml",
        "pyproject.toml",
        "README.md",
    ):
        shutil.copy2(REPO / name, tmp_path / name)
    for package in ("index", "bot"):
        shutil.copytree(
            REPO / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.sqlite"),
        )
    return tmp_path


BREAKAGES = [
    ("Dockerfile", "USER 10001:10001", "USER root", "Dockerfile non-root user"),
    ("Dockerfile", 'CMD ["bot"]', "CMD bot", "Dockerfile entrypoint"),
    ("Dockerfile", "ARG VERSION=0.1.0", "ARG VERSION=9.9.9", "Dockerfile version"),
    ("Dockerfile", "COPY bot ./bot", "COPY bot ./bot\nCOPY scripts/nope.py ./", "COPY sources"),
    (
        "Dockerfile",
        "    NUMBA_CACHE_DIR",
        "    SONGSIM_DATA_DIR=/srv NUMBA_CACHE_DIR",
        "Dockerfile /data volume",
    ),
    (
        "Dockerfile",
        "FROM ${PYTHON_IMAGE} AS runtime",
        "FROM python:3.11 AS runtime",
        "Dockerfile slim base",
    ),
    (
        "Dockerfile",
        "RUN groupadd",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc && groupadd",
        "Dockerfile no compilers",
    ),
    ("Dockerfile", "from=build,", "from=builder,", "Dockerfile stage references"),
    ("Dockerfile", "ARG PYTHON_IMAGE\n", "", "Dockerfile ARG scope"),
    (".dockerignore", "**/.env\n", "", ".dockerignore"),
    (".dockerignore", "!bot/\n", "", "wheel sources in image"),
    (".dockerignore", "**/*.tmp\n", "**/*.tmp\n**/*.csv\n", "wheel sources in image"),
    ("docker-compose.yml", "    profiles:\n      - build\n", "", "compose index service"),
    ("docker-compose.yml", 'restart: "no"', "restart: no", "compose index service"),
    ("docker-compose.yml", "        read_only: true\n", "", "compose index service"),
    (
        "docker-compose.yml",
        "SONGSIM_INDEX: /data/neighbours.sqlite",
        "SONGSIM_INDEX: /data/other.sqlite",
        "compose index service",
    ),
    ("docker-compose.yml", "restart: unless-stopped", "restart: always", "compose bot service"),
    (
        "docker-compose.yml",
        "      SONGSIM_HEARTBEAT: /tmp/songsim-heartbeat\n",
        "",
        "compose bot service",
    ),
    ("docker-compose.yml", "volumes:\n  data:\n", "", "compose volumes"),
    ("docker-compose.yml", "    env_file: .env", "    env_file: &e .env", "compose parses"),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "check"), BREAKAGES, ids=[f"{b[3]}:{b[2][:20]}" for b in BREAKAGES]
)
def test_static_checks_catch_a_broken_setup(
    repo_copy: Path, name: str, old: str, new: str, check: str
) -> None:
    path = repo_copy / name
    text = path.read_text()
    assert old in text, f"{name} no longer contains {old!r}; update this test"
    path.write_text(text.replace(old, new, 1))
    by_name = {r.name: r for r in check_container.static_checks(repo_copy)}
    assert check in by_name and not by_name[check].ok, [r.line() for r in by_name.values()]


def test_dockerignore_follows_dockers_rules() -> None:
    ignore = check_container.DockerIgnore(
        [
            "# comment",
            "*",
            "!bot/",
            "!/keep.txt",
            "**/__pycache__",
            "bot/secret*",
            "!bot/secret.ok",
            "docs/**/*.png",
        ]
    )
    assert not ignore.excluded("bot/cli.py")
    assert not ignore.excluded("bot/cogs/about.py")  # a re-included folder brings its contents
    assert not ignore.excluded("keep.txt")
    assert ignore.excluded("data/spotify_dataset.csv")  # `*` matches the folder, so its files
    assert ignore.excluded("bot/cogs/__pycache__/about.cpython-311.pyc")
    assert ignore.excluded("bot/secret.key")
    assert not ignore.excluded("bot/secret.ok")  # the last matching line wins
    assert ignore.excluded("docs/a/b/c.png") and ignore.excluded("docs/c.png")


def test_context_files_are_what_docker_would_send(tmp_path: Path) -> None:
    for rel in ("bot/a.py", "bot/.env", "data/x.csv", ".venv/lib/y.py", "README.md", "Dockerfile"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    ignore = check_container.DockerIgnore(["*", "!bot", "!README.md", "**/.env"])
    assert sorted(ignore.context_files(tmp_path)) == ["README.md", "bot/a.py"]


def test_yaml_subset_reads_compose_syntax() -> None:
    doc = check_container.load_yaml_subset(
        "# top\nservices:\n  bot:\n    command: [\"index\", 'build', x]  # trailing\n"
        '    restart: "no"\n    init: true\n    ports:\n      - "8080:80"\n'
        "    volumes:\n      - data:/data\n      - type: bind\n        source: ./a#b\n"
        '        read_only: yes\n    environment:\n      A: "1"\n      B: 2\nvolumes:\n  data:\n'
    )
    bot = doc["services"]["bot"]
    assert bot["command"] == ["index", "build", "x"]
    assert bot["restart"] == "no" and bot["init"] is True
    assert bot["volumes"] == ["data:/data", {"type": "bind", "source": "./a#b", "read_only": True}]
    assert bot["environment"] == {"A": "1", "B": 2} and bot["ports"] == ["8080:80"]
    assert doc["volumes"] == {"data": None}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\n",
        "a: |\n  text\n",
        "a:\n\t- b\n",
        "a: 1\na: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: {b: 1}\n",
    ],
)
def test_yaml_subset_refuses_what_it_does_not_understand(text: str) -> None:
    with pytest.raises(check_container.YAMLSubsetError):
        check_container.load_yaml_subset(text)


# --- songsim health ------------------------------------------------------------------------


def _health(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli_health.register(parser.add_subparsers())
    args = parser.parse_args(["health", *argv])
    return args.func(args)


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env here unless a test writes one
    for name in ("SONGSIM_HEARTBEAT", "SONGSIM_HEARTBEAT_INTERVAL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


async def test_health_follows_the_bots_heartbeat(clean_env: Path, monkeypatch, capsys) -> None:
    path = clean_env / "hb" / "heartbeat"
    monkeypatch.setenv("SONGSIM_HEARTBEAT", str(path))
    assert _health([]) == 1
    assert "no heartbeat file" in capsys.readouterr().err

    alive = True
    beat = Heartbeat(path, interval=15, is_alive=lambda: alive)
    beat.beat()
    assert _health([]) == 0
    assert capsys.readouterr().out.startswith("healthy")

    alive = False  # disconnected: the bot stops touching the file, which then ages
    beat.beat()
    old = time.time() - 120
    os.utime(path, (old, old))
    assert _health([]) == 1
    err = capsys.readouterr().err
    assert "120 s old" in err and "limit 90 s" in err

    beat.is_alive = lambda: True
    beat.beat()
    assert _health([]) == 0
    await beat.stop()  # a clean shutdown removes the file: a stopped bot is never healthy
    assert _health([]) == 1


def test_health_without_a_heartbeat_setting_says_what_to_set(clean_env: Path, capsys) -> None:
    assert _health([]) == 1
    err = capsys.readouterr().err.strip()
    assert "SONGSIM_HEARTBEAT is not set" in err and "\n" not in err


def test_health_reads_dotenv_and_scales_with_the_interval(clean_env: Path, capsys) -> None:
    path = clean_env / "beat"
    path.write_text("1\n")
    old = time.time() - 150
    os.utime(path, (old, old))
    (clean_env / ".env").write_text(f"SONGSIM_HEARTBEAT={path}\n")
    assert _health([]) == 1  # 150 s > 90 s
    (clean_env / ".env").write_text(f"SONGSIM_HEARTBEAT={path}\nSONGSIM_HEARTBEAT_INTERVAL=60\n")
    assert _health([]) == 0  # three 60 s intervals may pass
    assert _health(["--max-age", "100"]) == 1
    assert _health(["--heartbeat", str(clean_env / "missing"), "--max-age", "1000"]) == 1
    capsys.readouterr()


def test_songsim_command_line_offers_health(clean_env: Path, capsys) -> None:
    from bot.cli import main

    assert main(["health"]) == 1  # 1, not the 2 of other errors: Docker reserves 2
    assert "SONGSIM_HEARTBEAT is not set" in capsys.readouterr().err


# --- scripts/download_zenodo.py ------------------------------------------------------------


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
    port = check_container._closed_port()
    argv = ["--out", str(tmp_path), "--api", f"http://127.0.0.1:{port}/api", "--timeout", "5"]
    assert download_zenodo.main(argv) == 1
    err = capsys.readouterr().err
    assert "could not read the record's file list" in err and "zenodo.org/records/2594557" in err


# --- the image's commands in a fresh virtual environment -----------------------------------


@pytest.mark.slow
def test_image_commands_work_in_a_fresh_venv_from_the_wheel() -> None:
    """What the image runs, installed the way the image installs it (about 1–2 minutes)."""
    results = check_container.venv_checks(REPO)  # its own temp folder, removed after
    report = "\n".join(r.line() for r in results)
    print(report)
    assert all(r.ok for r in results), report
