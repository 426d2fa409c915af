"""``songsim health``, the image's HEALTHCHECK, against the bot's real heartbeat writer.

The container side (``podman healthcheck run`` on the built image) is in
scripts/ci_container.py; here the command's rules: no file, an old file, a clean stop.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pytest

from bot.cli import health as cli_health
from bot.heartbeat import Heartbeat


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


@pytest.mark.parametrize("value", ["-5", "0", "nan", "abc"])
def test_a_max_age_that_no_heartbeat_could_meet_is_refused(value, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        _health(["--max-age", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --max-age:" in err and "Traceback" not in err
