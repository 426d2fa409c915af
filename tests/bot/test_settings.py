"""Settings from the environment and .env; secrets stay out of reprs and logs; --check."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import discord.gateway
import discord.http
import pytest

from bot import cli
from bot.settings import RedactSecrets, Settings, SettingsError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fake-token-for-tests-only"


def test_defaults_without_any_variable() -> None:
    s = Settings.from_mapping({})
    assert s.token is None
    assert s.prefix == "!"
    assert s.log_level == "INFO"
    assert s.api_base == "https://discord.com/api/v10"
    assert s.gateway_url == "wss://gateway.discord.gg/"
    assert s.heartbeat_path is None
    assert s.message_content is True
    assert not s.spotify_enabled


def test_every_variable_is_read() -> None:
    s = Settings.from_mapping(
        {
            "DISCORD_TOKEN": TOKEN,
            "SONGSIM_INDEX": "/data/n.sqlite",
            "SONGSIM_USER_DB": "/data/u.sqlite",
            "SONGSIM_PREFIX": "?",
            "SPOTIFY_CLIENT_ID": "cid",
            "SPOTIFY_CLIENT_SECRET": "csecret-value",
            "LOG_LEVEL": "debug",
            "DISCORD_API_BASE": "http://127.0.0.1:9999/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9999/gateway",
            "SONGSIM_HEARTBEAT": "/tmp/hb",
            "SONGSIM_MESSAGE_CONTENT": "off",
            "SONGSIM_OWNER_IDS": "1, 2",
        }
    )
    assert s.token is not None and s.token.reveal() == TOKEN
    assert s.index_path == Path("/data/n.sqlite") and s.user_db_path == Path("/data/u.sqlite")
    assert s.prefix == "?" and s.log_level == "DEBUG"
    assert s.api_base == "http://127.0.0.1:9999/api/v10"
    assert s.gateway_url == "ws://127.0.0.1:9999/gateway"
    assert s.heartbeat_path == Path("/tmp/hb")
    assert s.message_content is False
    assert s.owner_ids == {1, 2}
    assert s.spotify_enabled


def test_secrets_never_appear_in_repr_or_str() -> None:
    s = Settings.from_mapping({"DISCORD_TOKEN": TOKEN, "SPOTIFY_CLIENT_SECRET": "csecret-value"})
    for text in (repr(s), str(s), repr(s.token), f"{s.token}"):
        assert TOKEN not in text and "csecret-value" not in text


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "SONGSIM_PREFIX=?\nLOG_LEVEL=WARNING\n# comment\nDISCORD_TOKEN=from-file-token\n"
    )
    s = Settings.from_env({"LOG_LEVEL": "ERROR"}, dotenv_path=env_file)
    assert s.prefix == "?"  # from the file
    assert s.log_level == "ERROR"  # the environment wins
    assert s.token is not None and s.token.reveal() == "from-file-token"


def test_missing_dotenv_is_fine(tmp_path: Path) -> None:
    assert Settings.from_env({}, dotenv_path=tmp_path / "absent.env").prefix == "!"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"SONGSIM_PREFIX": "a b"}, "SONGSIM_PREFIX"),
        ({"DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "https://gateway"}, "DISCORD_GATEWAY_URL"),
        ({"SONGSIM_MESSAGE_CONTENT": "maybe"}, "SONGSIM_MESSAGE_CONTENT"),
        ({"SONGSIM_OWNER_IDS": "me"}, "SONGSIM_OWNER_IDS"),
        ({"SONGSIM_HEARTBEAT_INTERVAL": "-1"}, "SONGSIM_HEARTBEAT_INTERVAL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_mapping(env)


def test_discord_endpoints_are_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    s = Settings.from_mapping(
        {
            "DISCORD_API_BASE": "http://127.0.0.1:1/api/v10",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:1/",
        }
    )
    s.apply_discord_endpoints()
    assert discord.http.Route.BASE == "http://127.0.0.1:1/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:1/"


def test_log_filter_redacts_message_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([TOKEN]))
    logger = logging.getLogger("test_settings.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token is %s", TOKEN)
        logger.warning(f"inline {TOKEN}")
        try:
            raise RuntimeError(f"bad auth {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out
    assert out.count("***") == 3
    assert "RuntimeError: bad auth ***" in out


def _run_cli(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tmp_path: Path
) -> int:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in ("DISCORD_TOKEN", "SONGSIM_INDEX", "SONGSIM_USER_DB", "SONGSIM_HEARTBEAT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cli.main(argv)


def test_check_reports_a_missing_index_in_one_line(monkeypatch, tmp_path, capsys) -> None:
    env = {
        "SONGSIM_INDEX": str(tmp_path / "none.sqlite"),
        "SONGSIM_USER_DB": str(tmp_path / "u.sqlite"),
        "DISCORD_TOKEN": TOKEN,
    }
    assert _run_cli(["bot", "--check"], monkeypatch, env, tmp_path) == 1
    out = capsys.readouterr().out
    assert "FAIL index: No index at" in out and "songsim index build" in out
    assert "ok   user database" in out
    assert TOKEN not in out


def test_check_fails_when_the_user_db_is_not_writable(monkeypatch, tmp_path, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    env = {"SONGSIM_USER_DB": str(blocker / "u.sqlite"), "DISCORD_TOKEN": TOKEN}
    assert _run_cli(["bot", "--check"], monkeypatch, env, tmp_path) == 1
    out = capsys.readouterr().out
    assert "FAIL user database: Cannot create the folder for the user database" in out
    assert "SONGSIM_USER_DB" in out


def test_no_token_outside_a_terminal_is_one_sentence(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = _run_cli(["bot"], monkeypatch, {}, tmp_path)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("songsim: DISCORD_TOKEN is not set")
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_setting_stops_start_up_with_one_sentence(monkeypatch, tmp_path, capsys) -> None:
    code = _run_cli(["bot", "--check"], monkeypatch, {"LOG_LEVEL": "chatty"}, tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and "LOG_LEVEL must be one of" in err and "Traceback" not in err


def test_a_named_settings_file_that_is_not_there_stops_start_up(monkeypatch, tmp_path, capsys):
    missing = tmp_path / "prod.env"
    code = _run_cli(["bot", "--check", "--env-file", str(missing)], monkeypatch, {}, tmp_path)
    err = capsys.readouterr().err
    assert code == 2 and f"There is no settings file at {missing}" in err
    assert "Traceback" not in err
