"""The bot's configuration: one typed object read from the environment or a ``.env`` file.

Real environment variables win over ``.env`` so a container can override a checked-in file.
Secrets are wrapped in :class:`Secret` so they never show up in a ``repr``, a log line or an
error message; :class:`RedactSecrets` is a logging filter that removes them from log
records as a second line of defence.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from bot.i18n import languages
from index.paths import configured_index_path, data_dir, demo_index_path

DISCORD_API_DEFAULT = "https://discord.com/api/v10"
DISCORD_GATEWAY_DEFAULT = "wss://gateway.discord.gg/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A configuration value is wrong; the message is one sentence naming the variable."""


class Secret:
    """A string that prints as ``'***'``: call :meth:`reveal` at the one place it is needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    get_secret_value = reveal  # the pydantic SecretStr spelling, which bot.spotify accepts

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, validated once at start-up."""

    token: Secret | None = None
    index_path: Path = field(default_factory=demo_index_path)
    user_db_path: Path = field(default_factory=lambda: data_dir() / "users.sqlite")
    prefix: str = "!"
    spotify_client_id: str | None = None
    spotify_client_secret: Secret | None = None
    log_level: str = "INFO"
    api_base: str = DISCORD_API_DEFAULT
    gateway_url: str = DISCORD_GATEWAY_DEFAULT
    heartbeat_path: Path | None = None
    heartbeat_interval: float = 15.0
    message_content: bool = True
    presence: bool = False  # "what I'm playing": the privileged Presences and Members intents
    owner_ids: frozenset[int] = frozenset()
    privacy_url: str | None = None  # where this instance's privacy statement is (/about links it)
    # Replies where nobody's language is known (the console, prefix commands in DMs and in
    # servers without a language setting); slash commands follow each user's Discord locale.
    language: str = "en"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
    ) -> Settings:
        """Read settings from ``env`` (default ``os.environ``) over the ``.env`` file.

        ``dotenv_path`` defaults to ``.env`` in the current folder (missing file is fine).
        Pass ``env`` explicitly in tests so the real environment does not leak in.
        """
        values: dict[str, str] = {}
        path = Path(".env") if dotenv_path is None else dotenv_path
        if path.is_file():
            values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        values.update(os.environ if env is None else env)
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, v: Mapping[str, str]) -> Settings:
        """Build settings from a plain mapping of variable names to strings."""

        def get(name: str) -> str | None:
            raw = v.get(name)
            return raw.strip() if raw is not None and raw.strip() else None

        token = get("DISCORD_TOKEN")
        secret = get("SPOTIFY_CLIENT_SECRET")
        prefix = v.get("SONGSIM_PREFIX", "!").strip() or "!"
        if len(prefix) > 10 or any(ch.isspace() for ch in prefix):
            raise SettingsError(
                "SONGSIM_PREFIX must be 1–10 characters without spaces, for example `!`."
            )
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}.")
        api_base = (get("DISCORD_API_BASE") or DISCORD_API_DEFAULT).rstrip("/")
        if not api_base.startswith(("http://", "https://")):
            raise SettingsError(
                "DISCORD_API_BASE must be an http(s) URL such as https://discord.com/api/v10."
            )
        gateway = get("DISCORD_GATEWAY_URL") or DISCORD_GATEWAY_DEFAULT
        if not gateway.startswith(("ws://", "wss://")):
            raise SettingsError(
                "DISCORD_GATEWAY_URL must be a ws(s) URL such as wss://gateway.discord.gg/."
            )
        privacy_url = get("SONGSIM_PRIVACY_URL")
        if privacy_url and not privacy_url.startswith(("http://", "https://")):
            raise SettingsError(
                "SONGSIM_PRIVACY_URL must be an http(s) URL of your privacy statement."
            )
        language = (get("SONGSIM_LANG") or "en").lower()
        if language not in languages():
            raise SettingsError(
                f"SONGSIM_LANG must be one of {', '.join(languages())}, not {language!r}."
            )
        heartbeat = get("SONGSIM_HEARTBEAT")
        interval = _number(get("SONGSIM_HEARTBEAT_INTERVAL"), "SONGSIM_HEARTBEAT_INTERVAL", 15.0)
        return cls(
            token=Secret(token) if token else None,
            index_path=configured_index_path(v) or demo_index_path(),
            user_db_path=Path(get("SONGSIM_USER_DB") or data_dir() / "users.sqlite"),
            prefix=prefix,
            spotify_client_id=get("SPOTIFY_CLIENT_ID"),
            spotify_client_secret=Secret(secret) if secret else None,
            log_level=level,
            api_base=api_base,
            gateway_url=gateway,
            heartbeat_path=Path(heartbeat) if heartbeat else None,
            heartbeat_interval=interval,
            message_content=_flag(get("SONGSIM_MESSAGE_CONTENT"), "SONGSIM_MESSAGE_CONTENT", True),
            presence=_flag(get("SONGSIM_PRESENCE"), "SONGSIM_PRESENCE", False),
            owner_ids=_ids(get("SONGSIM_OWNER_IDS"), "SONGSIM_OWNER_IDS"),
            privacy_url=privacy_url,
            language=language,
        )

    def with_language(self, language: str) -> Settings:
        """These settings with another default language (``songsim bot --lang de``)."""
        language = language.strip().lower()
        if language not in languages():
            raise SettingsError(
                f"--lang must be one of {', '.join(languages())}, not {language!r}."
            )
        return replace(self, language=language)

    @property
    def spotify_enabled(self) -> bool:
        return bool(self.spotify_client_id and self.spotify_client_secret)

    def secrets(self) -> list[str]:
        """The raw secret strings, for :class:`RedactSecrets`."""
        return [s.reveal() for s in (self.token, self.spotify_client_secret) if s]

    def apply_discord_endpoints(self) -> None:
        """Point discord.py at ``api_base``/``gateway_url`` (a self-hosted server or a fake).

        discord.py keeps both as class attributes, so this affects every client in the
        process; it is called once, before the bot is created.
        """
        import discord.gateway
        import discord.http
        import yarl

        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)


def _flag(raw: str | None, name: str, default: bool) -> bool:
    if raw is None:
        return default
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}.")


def _number(raw: str | None, name: str, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise SettingsError(f"{name} must be a positive number of seconds, not {raw!r}.")
    return value


def _ids(raw: str | None, name: str) -> frozenset[int]:
    if raw is None:
        return frozenset()
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise SettingsError(f"{name} must be a comma-separated list of Discord user ids.")
    return frozenset(int(p) for p in parts)


class RedactSecrets(logging.Filter):
    """Replace every known secret in a log record (message, arguments, traceback) by ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redaction(secrets: Iterable[str]) -> RedactSecrets:
    """Attach a :class:`RedactSecrets` filter to every handler of the root logger."""
    flt = RedactSecrets(secrets)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        handler.addFilter(flt)
    return flt
