"""scripts/check_container.py: what a build cannot show passes on the repository, and each
check fails on a broken copy of the files it reads."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.scripts import load_script

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))  # check_container imports yaml_subset beside it


check_container = load_script("check_container")
yaml_subset = load_script("yaml_subset")


def test_repository_passes_the_static_container_checks() -> None:
    results = check_container.static_checks(REPO)
    failed = [r.line() for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    names = {r.name for r in results}
    assert {"hadolint", "Dockerfile version", ".dockerignore", "compose bot hardening"} <= names


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The files the checks read, copied so a test can break one of them."""
    for name in ("Dockerfile", ".dockerignore", "docker-compose.yml", "pyproject.toml"):
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


BREAKAGES = [
    ("Dockerfile", "ARG VERSION=0.1.0", "ARG VERSION=9.9.9", "Dockerfile version"),
    ("Dockerfile", "USER 10001:10001\nWORKDIR", "USER songsim\nWORKDIR", "hadolint"),
    (".dockerignore", "**/.env\n", "", ".dockerignore"),
    (".dockerignore", "**/*.sqlite\n", "", ".dockerignore"),
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
    (
        "docker-compose.yml",
        "    read_only: true\n",
        "    read_only: false\n",
        "compose bot hardening",
    ),
    ("docker-compose.yml", "      - ALL\n", "      - NET_RAW\n", "compose bot hardening"),
    ("docker-compose.yml", "    init: true\n", "", "compose bot hardening"),
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


def test_compose_hardening_becomes_the_podman_flags_ci_runs_with() -> None:
    flags = check_container.compose_run_flags(REPO, "bot")
    assert flags == [
        "--init",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges:true",
    ]
    assert check_container.compose_run_flags(REPO, "index") == flags


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


def test_yaml_subset_reads_compose_syntax() -> None:
    doc = yaml_subset.load_yaml_subset(
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
    with pytest.raises(yaml_subset.YAMLSubsetError):
        yaml_subset.load_yaml_subset(text)
